#pragma once

#include "model/spantreemodel.h"

#include <cstdint>
#include <memory>
#include <vector>

/**
 * The flame graph of a trace laid out for painting, in rows from the top: each depth (0: roots) takes one row, or
 * up to MaxLanes rows (lanes) when its spans overlap in time (concurrent siblings, or the subtrees of concurrent
 * parents), so that none hides another; a span goes into the first lane of its depth that is free at its start (when
 * all are taken: the one that frees first, and it overlaps there). Per row: its spans in start order with their times
 * in ns after the trace start, a running maximum of their ends (so the first span that reaches into a time window
 * is a binary search) and the maximum end per block of BlockSize spans (so runs of spans narrower than a pixel are
 * skipped a block at a time). Also the self time of every span (SpanSelfTime) and its service. Immutable once
 * built; build() is O(n * MaxLanes) and runs on any thread (the trace loader builds it with the tree).
 */
struct FlameGraphLayout {
    static constexpr int BlockSize = 32;
    static constexpr int MaxLanes = 8;

    struct Level {
        std::vector<int> spans; ///< indexes into SpanTree::spans, by start
        std::vector<double> start; ///< ns after the trace start
        std::vector<double> end; ///< ns after the trace start, never before start
        std::vector<double> maxEnd; ///< running maximum of end
        std::vector<double> blockMaxEnd; ///< maximum of end over spans [b * BlockSize, (b + 1) * BlockSize)

        int size() const { return int(spans.size()); }
        /// The first span whose end, or the end of a span before it, is at `time` or later.
        int firstReaching(double time) const;
        /// The first span in [from, to) that starts at `time` or later or ends after it: the ones skipped lie
        /// within (-inf, time].
        int skipWithin(int from, int to, double time) const;
        /// One past the last span that starts at `time` or before.
        int endOfStartsUpTo(double time) const;
    };

    std::vector<Level> rows; ///< top to bottom; none for an empty trace
    std::vector<int> rowDepth; ///< per row: the depth of its spans
    std::vector<int> rowOf; ///< per span: its row
    int depthCount = 0; ///< SpanTree::maxDepth + 1; 0 for an empty trace
    std::vector<std::uint64_t> selfTimes; ///< per span, ns
    std::vector<QString> services; ///< distinct service names
    std::vector<std::uint16_t> serviceOf; ///< per span: index into services

    static std::shared_ptr<const FlameGraphLayout> build(const SpanTree& tree);
};
