#pragma once

#include "model/spantreemodel.h"

#include <cstdint>
#include <vector>

/// Self time of spans: what a span spent outside its children.
namespace SpanSelfTime {

/**
 * Per span (parallel to SpanTree::spans), in ns: its duration minus the union of its children's intervals clipped
 * to the span (overlapping children count once; a child that starts before or ends after the span counts only
 * inside it). 0 for a span whose end is not after its start. O(n) over the tree (children are in start order).
 * Pure function; any thread.
 */
std::vector<std::uint64_t> compute(const SpanTree& tree);

} // namespace SpanSelfTime
