#include "model/flamegraphlayout.h"

#include "model/spanselftime.h"

#include <QHash>

#include <algorithm>

int FlameGraphLayout::Level::firstReaching(double time) const
{
    return int(std::lower_bound(maxEnd.begin(), maxEnd.end(), time) - maxEnd.begin());
}

int FlameGraphLayout::Level::endOfStartsUpTo(double time) const
{
    return int(std::upper_bound(start.begin(), start.end(), time) - start.begin());
}

int FlameGraphLayout::Level::skipWithin(int from, int to, double time) const
{
    int i = from;
    while (i < to) {
        if (i % BlockSize == 0 && i + BlockSize <= to && blockMaxEnd[std::size_t(i / BlockSize)] <= time
            && start[std::size_t(i + BlockSize - 1)] < time) {
            i += BlockSize;
            continue;
        }
        if (start[std::size_t(i)] >= time || end[std::size_t(i)] > time)
            return i;
        ++i;
    }
    return to;
}

std::shared_ptr<const FlameGraphLayout> FlameGraphLayout::build(const SpanTree& tree)
{
    auto layout = std::make_shared<FlameGraphLayout>();
    const std::size_t n = tree.spans.size();
    layout->selfTimes = SpanSelfTime::compute(tree);
    layout->depthCount = n ? tree.maxDepth + 1 : 0;
    layout->serviceOf.resize(n);
    // Lanes: per depth the end of the last span in each lane; first the lane of each span, then the rows.
    std::vector<std::vector<double>> laneEnds(std::size_t(layout->depthCount));
    std::vector<std::uint8_t> laneOf(n);
    // Spans share their Resource, so the service name is looked up once per resource, not per span.
    QHash<std::uint32_t, std::uint16_t> byResource;
    QHash<QString, std::uint16_t> byName;
    for (std::size_t i = 0; i < n; ++i) {
        const SpanTree::Record& span = tree.spans[i];
        const auto known = byResource.constFind(span.resourceIndex);
        std::uint16_t service = 0;
        if (known != byResource.constEnd()) {
            service = *known;
        } else {
            const QString& name = tree.serviceNameOf(int(i));
            const auto named = byName.constFind(name);
            if (named != byName.constEnd()) {
                service = *named;
            } else if (layout->services.size() < 0xffff) {
                service = std::uint16_t(layout->services.size());
                layout->services.push_back(name);
                byName.insert(name, service);
            } else {
                service = 0xfffe; // the last one there is room for
            }
            byResource.insert(span.resourceIndex, service);
        }
        layout->serviceOf[i] = service;

        // Spans are sorted by start, so a lane is free when its last span has ended.
        std::vector<double>& ends = laneEnds[std::size_t(tree.nodes[i].depth)];
        const double start = double(span.startTimeUnixNano - tree.startTimeUnixNano);
        const double end = start + double(span.durationNanos());
        std::size_t lane = 0;
        while (lane < ends.size() && ends[lane] > start)
            ++lane;
        if (lane == ends.size()) {
            if (ends.size() < std::size_t(MaxLanes))
                ends.push_back(end);
            else
                lane = std::size_t(std::min_element(ends.begin(), ends.end()) - ends.begin());
        }
        ends[lane] = std::max(ends[lane], end);
        laneOf[i] = std::uint8_t(lane);
    }
    std::vector<int> firstRow(std::size_t(layout->depthCount) + 1, 0);
    for (int d = 0; d < layout->depthCount; ++d) {
        firstRow[std::size_t(d) + 1]
            = firstRow[std::size_t(d)] + int(std::max<std::size_t>(1, laneEnds[std::size_t(d)].size()));
        for (int r = firstRow[std::size_t(d)]; r < firstRow[std::size_t(d) + 1]; ++r)
            layout->rowDepth.push_back(d);
    }
    layout->rows.resize(std::size_t(firstRow.back()));
    layout->rowOf.resize(n);
    // Exact sizes first: a vector grown by push_back holds up to twice what it needs, 28 bytes a span here.
    std::vector<std::size_t> rowSize(layout->rows.size(), 0);
    for (std::size_t i = 0; i < n; ++i)
        ++rowSize[std::size_t(firstRow[std::size_t(tree.nodes[i].depth)] + laneOf[i])];
    for (std::size_t r = 0; r < layout->rows.size(); ++r) {
        Level& level = layout->rows[r];
        level.spans.reserve(rowSize[r]);
        level.start.reserve(rowSize[r]);
        level.end.reserve(rowSize[r]);
        level.maxEnd.reserve(rowSize[r]);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const SpanTree::Record& span = tree.spans[i];
        const int row = firstRow[std::size_t(tree.nodes[i].depth)] + laneOf[i];
        layout->rowOf[i] = row;
        Level& level = layout->rows[std::size_t(row)];
        const double start = double(span.startTimeUnixNano - tree.startTimeUnixNano);
        const double end = start + double(span.durationNanos());
        level.spans.push_back(int(i));
        level.start.push_back(start);
        level.end.push_back(end);
        level.maxEnd.push_back(level.maxEnd.empty() ? end : std::max(level.maxEnd.back(), end));
    }
    for (Level& level : layout->rows) {
        level.blockMaxEnd.reserve(level.end.size() / BlockSize + 1);
        for (std::size_t b = 0; b < level.end.size(); b += BlockSize)
            level.blockMaxEnd.push_back(*std::max_element(level.end.begin() + std::ptrdiff_t(b),
                level.end.begin() + std::ptrdiff_t(std::min(level.end.size(), b + BlockSize))));
    }
    return layout;
}
