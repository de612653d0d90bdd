#include "model/operationstats.h"

#include "model/operationstatsrows.h"
#include "model/spanselftime.h"
#include "model/tracequery.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b)
{
    return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

/// Nearest rank: the smallest value with at least p% of the values at or below it. `sorted` is not empty.
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p)
{
    const auto rank = std::size_t(std::ceil(p / 100.0 * double(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

} // namespace

void OperationStatsBuilder::addTrace(const SpanTree& tree)
{
    const std::vector<std::uint64_t> self = SpanSelfTime::compute(tree);
    for (std::size_t i = 0; i < tree.spans.size(); ++i) {
        const SpanTree::Record& span = tree.spans[i];
        addSpan(tree.serviceNameOf(int(i)), tree.nameOf(int(i)), span.durationNanos(), self[i], span.statusCode == StatusCode::Error);
    }
}

void OperationStatsBuilder::addSpan(const QString& serviceName, const QString& spanName, std::uint64_t durationNanos,
                                    std::uint64_t selfNanos, bool error)
{
    ++m_spans;
    const QPair<QString, QString> key(serviceName, spanName);
    auto it = m_index.find(key);
    if (it == m_index.end()) {
        it = m_index.insert(key, int(m_groups.size()));
        Group group;
        group.stats.serviceName = serviceName;
        group.stats.spanName = spanName;
        m_groups.push_back(std::move(group));
    }
    Group& g = m_groups[std::size_t(*it)];
    ++g.stats.count;
    if (error)
        ++g.stats.errors;
    g.stats.totalNanos = saturatingAdd(g.stats.totalNanos, durationNanos);
    g.stats.selfNanos = saturatingAdd(g.stats.selfNanos, selfNanos);
    g.durations.push_back(durationNanos);
}

void OperationStatsRows::add(const SpanId& spanId, const SpanId& parentSpanId, const QString& serviceName, QString name,
    std::uint64_t startTimeUnixNano, std::uint64_t endTimeUnixNano, bool error)
{
    Span span;
    span.spanId = spanId;
    span.parentSpanId = parentSpanId;
    span.name = std::move(name);
    span.startTimeUnixNano = startTimeUnixNano;
    span.endTimeUnixNano = endTimeUnixNano;
    span.statusCode = error ? StatusCode::Error : StatusCode::Unset;
    if (!serviceName.isEmpty()) {
        if (!m_lastResource || serviceName != m_lastService) {
            auto it = m_resources.find(serviceName);
            if (it == m_resources.end()) {
                auto resource = std::make_shared<Resource>();
                resource->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(serviceName) } };
                it = m_resources.insert(serviceName, std::move(resource));
            }
            m_lastService = serviceName;
            m_lastResource = *it;
        }
        span.resource = m_lastResource;
    }
    m_spans.push_back(std::move(span));
}

void OperationStatsRows::endTrace()
{
    if (m_spans.empty())
        return;
    m_builder->addTrace(*SpanTree::build(std::move(m_spans)));
    m_spans.clear();
}

OperationStats::Histogram OperationStats::histogram(int buckets) const
{
    Histogram h;
    if (durations.empty() || buckets < 1)
        return h;
    const std::uint64_t lo = durations.front(), hi = durations.back();
    const std::uint64_t width = std::max<std::uint64_t>(1, (hi - lo) / std::uint64_t(buckets) + 1);
    h.binWidthNanos = width;
    h.counts.assign(std::size_t(buckets), 0);
    for (int b = 0; b < buckets; ++b)
        h.lowerEdges.push_back(lo + std::uint64_t(b) * width);
    for (const std::uint64_t d : durations)
        ++h.counts[std::min<std::size_t>(std::size_t(buckets) - 1, std::size_t((d - lo) / width))];
    return h;
}

std::vector<OperationStats> OperationStatsBuilder::result(bool keepDurations) const
{
    std::vector<OperationStats> out;
    out.reserve(m_groups.size());
    for (const Group& g : m_groups) {
        OperationStats s = g.stats;
        std::vector<std::uint64_t> sorted = g.durations;
        std::sort(sorted.begin(), sorted.end());
        s.minNanos = sorted.front();
        s.maxNanos = sorted.back();
        s.p50Nanos = percentile(sorted, 50);
        s.p95Nanos = percentile(sorted, 95);
        if (keepDurations)
            s.durations = std::move(sorted);
        out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const OperationStats& a, const OperationStats& b) {
        if (a.totalNanos != b.totalNanos)
            return a.totalNanos > b.totalNanos;
        if (const int c = TraceOrdering::compareText(a.serviceName, b.serviceName))
            return c < 0;
        return TraceOrdering::compareText(a.spanName, b.spanName) < 0;
    });
    return out;
}
