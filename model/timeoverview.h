#pragma once

#include "model/spantreemodel.h"

#include <cstdint>
#include <memory>
#include <vector>

/**
 * A trace's activity over time, for the minimap over the waterfall and for collapsing idle gaps on its time axis.
 *
 * Density: the trace's time [0, durationNanos] (ns after the trace start) cut into `binCount` equal bins; per bin the
 * number of spans active in it (a span [s, e] is active in every bin its interval touches: from the bin holding s to
 * the bin holding e, e on a bin boundary belonging to the bin before it; a span without duration only in the bin
 * holding s) and how many of those have an error status. A trace of duration 0 puts every span in bin 0; an empty
 * trace has all bins 0. Built with a difference array, O(n + bins).
 *
 * Idle gaps: the maximal stretches of time in which no span is active (the complement of the union of the spans'
 * intervals; a span without duration is a point that splits a gap). Only gaps at least `GapMinimumFraction` of the
 * trace and at least `GapMinimumNanos` long are kept: shorter ones are ordinary waiting between spans, worth seeing.
 * The sweep is O(n) over the tree's spans, which are sorted by start.
 *
 * Immutable once built; build() runs on any thread (the trace loader builds it with the tree).
 */
struct TimeOverview {
    static constexpr int DefaultBinCount = 2048;
    static constexpr double GapMinimumFraction = 0.05; ///< of the trace's duration
    static constexpr std::uint64_t GapMinimumNanos = 1'000'000; ///< 1 ms

    struct Gap {
        std::uint64_t start = 0; ///< ns after the trace start
        std::uint64_t end = 0; ///< ns after the trace start, after start
        std::uint64_t length() const { return end - start; }
        bool operator==(const Gap& o) const { return start == o.start && end == o.end; }
    };

    std::uint64_t durationNanos = 0; ///< of the trace
    std::vector<std::uint32_t> active; ///< per bin: spans active in it
    std::vector<std::uint32_t> errors; ///< per bin: error spans active in it
    std::uint32_t maxActive = 0; ///< largest value of `active`
    std::vector<Gap> gaps; ///< kept idle gaps, in time order, never overlapping

    int binCount() const { return int(active.size()); }
    /// ns after the trace start where bin `bin` begins (binCount(): the trace's end).
    double binStart(int bin) const;
    /// The bin holding `nanos` (ns after the trace start), clamped to [0, binCount() - 1].
    int binAt(double nanos) const;

    static std::shared_ptr<const TimeOverview> build(const SpanTree& tree, int binCount = DefaultBinCount);

    /// Every maximal idle stretch of `tree` (no threshold), in time order; ns after the trace start.
    static std::vector<Gap> idleGaps(const SpanTree& tree);
    /// The gaps of `all` worth collapsing in a trace of `durationNanos`: see GapMinimumFraction, GapMinimumNanos.
    static std::vector<Gap> keptGaps(const std::vector<Gap>& all, std::uint64_t durationNanos);
};
