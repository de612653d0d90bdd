#pragma once

#include "model/spantreemodel.h"

#include <cstdint>
#include <vector>

/**
 * The critical path of a trace: the spans that determine its end-to-end latency. Walking back from the root's end,
 * the path goes into the child that finished last, through that child's own critical path, then continues in the
 * parent from that child's start with the child that finished last before it; whatever no child covers is the
 * span's own (self) time. The method Jaeger UI uses (its "critical path" of a trace), computed in O(n log n)
 * without recursion, so trees of any depth are fine. Pure function of the tree; any thread.
 *
 * Bad timing is handled as Jaeger does: a child that starts before its parent or ends after it (clock skew between
 * hosts, or an asynchronous child that outlives its parent) is clipped to its parent's interval, and a child that
 * lies entirely outside it, or has no duration after clipping, is left out with its subtree. The root is the root
 * span that ends last (ties: the earliest start, then the first in SpanTree order); the spans under other roots
 * (dangling parents) are not on the path.
 */
namespace CriticalPath {

/// One stretch of the path: from `startUnixNano` to `endUnixNano` (Unix ns, start < end) the trace waits on `span`
/// itself (an index into SpanTree::spans).
struct Section {
    int span = -1;
    std::uint64_t startUnixNano = 0;
    std::uint64_t endUnixNano = 0;
    std::uint64_t durationNanos() const { return endUnixNano - startUnixNano; }
};

/// A span on the path and its self time on it: the sum of its sections (ns).
struct Step {
    int span = -1;
    std::uint64_t selfTimeNanos = 0;
};

struct Result {
    int root = -1; ///< index into SpanTree::spans; -1 for an empty trace
    /// In time order; they do not overlap and together cover the root's interval (clipped) without gaps.
    std::vector<Section> sections;
    /// The root (also when its children cover all of it: self time 0) and every span with a section, in the tree's
    /// depth-first order (root first, children in start order).
    std::vector<Step> steps;
    std::uint64_t totalNanos = 0; ///< the sum of the sections: the root's duration

    /// True when span `index` has a section.
    bool contains(int index) const;
    /// Per span (parallel to SpanTree::spans): its self time on the path (ns), 0 when off the path.
    std::vector<std::uint64_t> selfTimes(std::size_t spanCount) const;
};

Result compute(const SpanTree& tree);

} // namespace CriticalPath
