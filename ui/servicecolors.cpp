#include "servicecolors.h"

#include <array>
#include <cstdint>

namespace {
// Tableau 10 plus two muted tones: distinguishable, and readable with black text.
constexpr std::array<QRgb, 12> Palette = {
    0xff4e79a7, 0xfff28e2b, 0xff59a14f, 0xffb07aa1, 0xff76b7b2, 0xffedc948,
    0xffff9da7, 0xff9c755f, 0xffbab0ac, 0xff86bcb6, 0xff8cd17d, 0xffa0cbe8,
};
}

QColor serviceColor(const QString& serviceName)
{
    // FNV-1a over UTF-16 code units: stable, unlike qHash's seeded hashing.
    std::uint32_t h = 2166136261u;
    for (QChar c : serviceName) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return QColor::fromRgb(Palette[h % Palette.size()]);
}

QColor textColorOn(const QColor& background)
{
    const double luminance = 0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF();
    return luminance > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}
