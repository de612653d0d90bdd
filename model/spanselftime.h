#pragma once

#include "model/spantreemodel.h"

#include <cstdint>
#include <vector>

/**
 * Self time of every span of a trace: its duration minus the time covered by its direct children, where the
 * children's intervals are clipped to the span's own and overlapping children count once (the union), so a span
 * whose concurrent children cover it has no self time and a child that outlives its parent takes only the part
 * inside it. Spans that end before they start have no duration. Pure function of the tree, O(n); any thread.
 */
namespace SpanSelfTime {

/// Per span, parallel to SpanTree::spans: self time in ns.
std::vector<std::uint64_t> compute(const SpanTree& tree);

} // namespace SpanSelfTime
