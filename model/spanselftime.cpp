#include "model/spanselftime.h"

#include <algorithm>

namespace SpanSelfTime {

std::vector<std::uint64_t> compute(const SpanTree& tree)
{
    std::vector<std::uint64_t> self(tree.spans.size(), 0);
    for (std::size_t i = 0; i < tree.spans.size(); ++i) {
        const Span& span = tree.spans[i];
        if (span.endTimeUnixNano <= span.startTimeUnixNano)
            continue;
        std::uint64_t covered = 0;
        std::uint64_t runStart = 0, runEnd = 0; // the current union run of children, clipped
        bool inRun = false;
        // Children are in start order, so their clipped starts are too: one sweep merges the overlaps.
        for (const int c : tree.nodes[i].children) {
            const Span& child = tree.spans[std::size_t(c)];
            const std::uint64_t start = std::max(child.startTimeUnixNano, span.startTimeUnixNano);
            const std::uint64_t end = std::min(child.endTimeUnixNano, span.endTimeUnixNano);
            if (end <= start)
                continue;
            if (inRun && start <= runEnd) {
                runEnd = std::max(runEnd, end);
                continue;
            }
            if (inRun)
                covered += runEnd - runStart;
            runStart = start;
            runEnd = end;
            inRun = true;
        }
        if (inRun)
            covered += runEnd - runStart;
        self[i] = span.durationNanos() - std::min(covered, span.durationNanos());
    }
    return self;
}

} // namespace SpanSelfTime
