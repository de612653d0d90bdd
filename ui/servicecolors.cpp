#include "servicecolors.h"

#include <cstdint>

QColor serviceColor(const QString& serviceName)
{
    // FNV-1a over UTF-16 code units plus a final mix: stable across runs and Qt versions, unlike seeded qHash.
    std::uint32_t h = 2166136261u;
    for (QChar c : serviceName) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    // murmur3 fmix32: FNV's low bits alone cluster for similar names.
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    // 32 hues x 2 tones: a few services in one trace rarely share a colour; every tone is light enough for black
    // text and dark enough to stand out from the row background. Reds are left out: red marks errors.
    const int hue = 30 + int(h % 32) * 10;
    const bool lighter = (h / 32) % 2;
    return QColor::fromHsl(hue, lighter ? 150 : 170, lighter ? 175 : 150);
}

QColor textColorOn(const QColor& background)
{
    const double luminance = 0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF();
    return luminance > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}
