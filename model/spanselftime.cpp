#include "model/spanselftime.h"

#include <algorithm>

namespace SpanSelfTime {

std::vector<std::uint64_t> compute(const SpanTree& tree)
{
    const std::size_t n = tree.spans.size();
    std::vector<std::uint64_t> self(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const SpanTree::Record& span = tree.spans[i];
        const std::uint64_t start = span.startTimeUnixNano;
        const std::uint64_t end = std::max(span.endTimeUnixNano, start);
        // Children come in start order, so one sweep merges their clipped intervals.
        std::uint64_t covered = 0;
        std::uint64_t reached = start; // end of the union so far
        for (const int c : tree.children(i)) {
            const SpanTree::Record& child = tree.spans[std::size_t(c)];
            const std::uint64_t cs = std::max(child.startTimeUnixNano, reached);
            const std::uint64_t ce = std::min(std::max(child.endTimeUnixNano, child.startTimeUnixNano), end);
            if (ce > cs) {
                covered += ce - cs;
                reached = ce;
            }
        }
        self[i] = end - start - std::min(covered, end - start);
    }
    return self;
}

} // namespace SpanSelfTime
