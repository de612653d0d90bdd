#include "zoomcontrol.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

ZoomControl::ZoomControl(QObject* parent)
    : QObject(parent)
{
}

ZoomControl::~ZoomControl() = default;

void ZoomControl::setTraceDuration(double nanos)
{
    nanos = std::max(nanos, MinimumRange);
    if (nanos != m_traceDuration) {
        m_traceDuration = nanos;
        Q_EMIT traceDurationChanged(nanos);
    }
    setRange(0, m_traceDuration);
}

void ZoomControl::setRange(double start, double end)
{
    if (end < start)
        std::swap(start, end);
    double length = std::clamp(end - start, MinimumRange, m_traceDuration);
    start = std::clamp(start, 0.0, m_traceDuration - length);
    end = start + length;
    if (start == m_rangeStart && end == m_rangeEnd)
        return;
    m_rangeStart = start;
    m_rangeEnd = end;
    Q_EMIT rangeChanged(start, end);
}

void ZoomControl::zoom(double factor, double center)
{
    if (factor <= 0)
        return;
    const double length = std::clamp(rangeDuration() / factor, MinimumRange, m_traceDuration);
    const double ratio = rangeDuration() > 0 ? (center - m_rangeStart) / rangeDuration() : 0.5;
    const double start = center - ratio * length;
    setRange(start, start + length);
}

void ZoomControl::pan(double deltaNanos)
{
    const double length = rangeDuration();
    const double start = std::clamp(m_rangeStart + deltaNanos, 0.0, m_traceDuration - length);
    setRange(start, start + length);
}

double ZoomControl::niceStep(double raw)
{
    if (raw <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : { 1.0, 2.0, 5.0, 10.0 })
        if (m * magnitude >= raw)
            return m * magnitude;
    return 10 * magnitude;
}

QString ZoomControl::tickLabel(double nanos, double step)
{
    double unit = 1;
    QString suffix = QStringLiteral("ns");
    if (step >= 1e9) {
        unit = 1e9;
        suffix = QStringLiteral("s");
    } else if (step >= 1e6) {
        unit = 1e6;
        suffix = QStringLiteral("ms");
    } else if (step >= 1e3) {
        unit = 1e3;
        suffix = QStringLiteral("µs");
    }
    // Far from the trace start in a fine step ("250050 ms", zoomed into the end of a long trace or after a collapsed
    // gap), a larger unit with more decimals reads better: "250.05 s".
    if (std::abs(nanos) / unit >= 10000) {
        for (const auto& [larger, name] : { std::pair { 1e9, "s" }, std::pair { 1e6, "ms" }, std::pair { 1e3, "µs" } }) {
            if (larger > unit && std::abs(nanos) >= larger) {
                unit = larger;
                suffix = QString::fromUtf8(name);
                break;
            }
        }
    }
    const int decimals = std::clamp(int(std::ceil(-std::log10(step / unit) - 1e-9)), 0, 9);
    return QLocale::c().toString(nanos / unit, 'f', decimals) + QLatin1Char(' ') + suffix;
}
