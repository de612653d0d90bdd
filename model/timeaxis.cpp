#include "timeaxis.h"

#include <algorithm>

TimeAxis::TimeAxis(double duration)
    : m_duration(std::max(0.0, duration))
    , m_length(m_duration)
{
}

TimeAxis::TimeAxis(double duration, const std::vector<TimeOverview::Gap>& gaps, double gapLength)
    : TimeAxis(duration)
{
    double removed = 0;
    double previousEnd = 0;
    for (const TimeOverview::Gap& gap : gaps) {
        const double start = double(gap.start);
        const double end = std::min(double(gap.end), m_duration);
        if (start < previousEnd || end - start <= gapLength || gapLength <= 0)
            continue;
        Segment s;
        s.start = start;
        s.end = end;
        s.axisStart = start - removed;
        s.axisEnd = s.axisStart + gapLength;
        removed += (end - start) - gapLength;
        previousEnd = end;
        m_gaps.push_back(s);
    }
    m_length = m_duration - removed;
}

TimeAxis TimeAxis::collapsing(const TimeOverview& overview)
{
    double busy = double(overview.durationNanos);
    for (const TimeOverview::Gap& gap : overview.gaps)
        busy -= double(gap.length());
    return TimeAxis(double(overview.durationNanos), overview.gaps, std::max(1.0, busy * GapFraction));
}

double TimeAxis::toAxis(double nanos) const
{
    // The last gap starting at or before `nanos`.
    auto it = std::upper_bound(
        m_gaps.begin(), m_gaps.end(), nanos, [](double t, const Segment& s) { return t < s.start; });
    if (it == m_gaps.begin())
        return nanos;
    const Segment& s = *(it - 1);
    if (nanos >= s.end)
        return s.axisEnd + (nanos - s.end);
    return s.axisStart + (nanos - s.start) / (s.end - s.start) * (s.axisEnd - s.axisStart);
}

double TimeAxis::fromAxis(double axisNanos) const
{
    auto it = std::upper_bound(
        m_gaps.begin(), m_gaps.end(), axisNanos, [](double u, const Segment& s) { return u < s.axisStart; });
    if (it == m_gaps.begin())
        return axisNanos;
    const Segment& s = *(it - 1);
    if (axisNanos >= s.axisEnd)
        return s.end + (axisNanos - s.axisEnd);
    return s.start + (axisNanos - s.axisStart) / (s.axisEnd - s.axisStart) * (s.end - s.start);
}

int TimeAxis::gapAt(double nanos) const
{
    auto it = std::upper_bound(
        m_gaps.begin(), m_gaps.end(), nanos, [](double t, const Segment& s) { return t < s.start; });
    if (it == m_gaps.begin())
        return -1;
    --it;
    return nanos > it->start && nanos < it->end ? int(it - m_gaps.begin()) : -1;
}
