#pragma once

#include "model/timeoverview.h"

#include <vector>

/**
 * A piecewise-linear time axis: maps time t (ns after the trace start, [0, duration()]) to an axis position u (in
 * axis ns, [0, length()]) on which every collapsed idle gap [a, b] takes only a short stretch; outside the gaps the
 * slope is 1, so a ns is as wide there as on the plain axis, and inside a gap the time is squeezed linearly. Without
 * gaps it is the identity. Both directions are monotone and continuous, so fromAxis(toAxis(t)) == t up to rounding,
 * and hit testing a point inside a collapsed gap answers a time inside that gap. O(log gaps) per call; a plain value,
 * any thread.
 */
class TimeAxis {
public:
    /// A collapsed gap: its real time and where it sits on the axis.
    struct Segment {
        double start = 0; ///< ns after the trace start
        double end = 0;
        double axisStart = 0; ///< axis ns
        double axisEnd = 0;
    };

    /// Each collapsed gap takes this share of the trace's busy time (its duration minus its gaps) on the axis.
    static constexpr double GapFraction = 0.03;

    /// The identity over [0, duration] ns.
    explicit TimeAxis(double duration = 0);
    /// `gaps` in time order, not overlapping, inside [0, duration]; each one longer than gapLength (axis ns, > 0)
    /// shrinks to gapLength, shorter ones are left as they are.
    TimeAxis(double duration, const std::vector<TimeOverview::Gap>& gaps, double gapLength);
    /// The overview's kept gaps collapsed to GapFraction of the busy time each (at least 1 ns).
    static TimeAxis collapsing(const TimeOverview& overview);

    double duration() const { return m_duration; } ///< ns
    double length() const { return m_length; } ///< axis ns
    bool isCollapsed() const { return !m_gaps.empty(); }
    const std::vector<Segment>& gaps() const { return m_gaps; }

    double toAxis(double nanos) const;
    double fromAxis(double axisNanos) const;
    /// Index into gaps() of the collapsed gap holding `nanos` strictly inside, or -1.
    int gapAt(double nanos) const;

private:
    double m_duration = 0;
    double m_length = 0;
    std::vector<Segment> m_gaps;
};
