#include "timeoverview.h"

#include <algorithm>

namespace {

// t * bins / duration without overflow: a week of ns times 2048 bins does not fit in 64 bits.
std::uint64_t scaledFloor(std::uint64_t t, int bins, std::uint64_t duration)
{
    return std::uint64_t((unsigned __int128)t * unsigned(bins) / duration);
}

std::uint64_t scaledCeil(std::uint64_t t, int bins, std::uint64_t duration)
{
    const unsigned __int128 product = (unsigned __int128)t * unsigned(bins);
    return std::uint64_t((product + duration - 1) / duration);
}

} // namespace

double TimeOverview::binStart(int bin) const
{
    return active.empty() ? 0.0 : double(durationNanos) * bin / double(active.size());
}

int TimeOverview::binAt(double nanos) const
{
    if (active.empty() || durationNanos == 0)
        return 0;
    const double bin = nanos / double(durationNanos) * double(active.size());
    return int(std::clamp(bin, 0.0, double(active.size() - 1)));
}

std::shared_ptr<const TimeOverview> TimeOverview::build(const SpanTree& tree, int binCount)
{
    auto overview = std::make_shared<TimeOverview>();
    const int bins = std::max(1, binCount);
    const std::uint64_t duration = tree.durationNanos();
    overview->durationNanos = duration;
    overview->active.assign(std::size_t(bins), 0);
    overview->errors.assign(std::size_t(bins), 0);

    // Difference arrays: +1 at a span's first bin, -1 after its last.
    std::vector<std::int64_t> activeDiff(std::size_t(bins) + 1, 0);
    std::vector<std::int64_t> errorDiff(std::size_t(bins) + 1, 0);
    const std::uint64_t lastBin = std::uint64_t(bins) - 1;
    for (const SpanTree::Record& span : tree.spans) {
        std::uint64_t first = 0;
        std::uint64_t last = 0;
        if (duration > 0) {
            const std::uint64_t start = span.startTimeUnixNano - tree.startTimeUnixNano;
            const std::uint64_t end = start + span.durationNanos();
            first = std::min(lastBin, scaledFloor(start, bins, duration));
            last = end > start ? std::clamp(scaledCeil(end, bins, duration), first + 1, lastBin + 1) - 1 : first;
        }
        ++activeDiff[first];
        --activeDiff[last + 1];
        if (span.statusCode == StatusCode::Error) {
            ++errorDiff[first];
            --errorDiff[last + 1];
        }
    }
    std::int64_t runningActive = 0;
    std::int64_t runningErrors = 0;
    for (std::size_t b = 0; b < std::size_t(bins); ++b) {
        runningActive += activeDiff[b];
        runningErrors += errorDiff[b];
        overview->active[b] = std::uint32_t(runningActive);
        overview->errors[b] = std::uint32_t(runningErrors);
        overview->maxActive = std::max(overview->maxActive, overview->active[b]);
    }
    overview->gaps = keptGaps(idleGaps(tree), duration);
    return overview;
}

std::vector<TimeOverview::Gap> TimeOverview::idleGaps(const SpanTree& tree)
{
    std::vector<Gap> gaps;
    if (tree.spans.empty())
        return gaps;
    // Spans are sorted by start: a gap opens wherever a span starts after everything before it has ended.
    std::uint64_t coveredEnd = 0;
    bool first = true;
    for (const SpanTree::Record& span : tree.spans) {
        const std::uint64_t start = span.startTimeUnixNano - tree.startTimeUnixNano;
        const std::uint64_t end = start + span.durationNanos();
        if (!first && start > coveredEnd)
            gaps.push_back({ coveredEnd, start });
        coveredEnd = first ? end : std::max(coveredEnd, end);
        first = false;
    }
    return gaps;
}

std::vector<TimeOverview::Gap> TimeOverview::keptGaps(const std::vector<Gap>& all, std::uint64_t durationNanos)
{
    const double minimum = std::max(double(GapMinimumNanos), double(durationNanos) * GapMinimumFraction);
    std::vector<Gap> kept;
    for (const Gap& gap : all)
        if (double(gap.length()) >= minimum)
            kept.push_back(gap);
    return kept;
}
