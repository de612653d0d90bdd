#include "tracestore.h"

#include "model/spanoutline.h"

#include <QHash>

#include <algorithm>
#include <map>

TraceStore::~TraceStore() = default;

PreparedItem::~PreparedItem() = default;

QString TraceStore::kind() const { return QStringLiteral("other"); }

void TraceStore::prepare(IngestItem&) const { }

QByteArray TraceStore::traceBlob(const TraceId&, QString* error)
{
    if (error)
        error->clear();
    return {};
}

namespace {

/// Calls each(summary) for every trace matching `filter` (newest first, pages of 500 through listTraces) until it
/// returns false; false with *error when the store fails.
bool forEachTrace(TraceStore& store, const TraceQuery& filter, QString* error,
                  const std::function<bool(const TraceSummary&)>& each)
{
    TraceQuery query = filter;
    query.order = TraceOrder::StartTime;
    query.descending = true;
    query.limit = 500;
    query.offset = 0;
    query.hasCursor = false;
    for (;;) {
        QString failure;
        const std::vector<TraceSummary> page = store.listTraces(query, &failure);
        if (!failure.isEmpty()) {
            if (error)
                *error = failure;
            return false;
        }
        for (const TraceSummary& t : page)
            if (!each(t))
                return true;
        if (int(page.size()) < query.limit)
            return true;
        query.setCursor(page.back());
    }
}

} // namespace

bool TraceStore::setCostPrices(const PriceTable&, QString*, const std::function<bool()>&)
{
    return true;
}

std::vector<SessionSummary> TraceStore::listSessions(int limit, QString* error)
{
    QHash<QString, SessionSummary> sessions;
    const bool ok = forEachTrace(*this, TraceQuery(), error, [&sessions](const TraceSummary& t) {
        if (t.conversationId.isEmpty())
            return true;
        SessionSummary& s = sessions[t.conversationId];
        if (s.traceCount == 0) {
            s.conversationId = t.conversationId;
            s.startTimeUnixNano = t.startTimeUnixNano;
        }
        ++s.traceCount;
        s.startTimeUnixNano = std::min(s.startTimeUnixNano, t.startTimeUnixNano);
        s.endTimeUnixNano = std::max(s.endTimeUnixNano, t.endTimeUnixNano);
        s.llmCalls = TraceSummary::saturatingAdd(s.llmCalls, t.llmCalls);
        s.toolCalls = TraceSummary::saturatingAdd(s.toolCalls, t.toolCalls);
        s.inputTokens = TraceSummary::saturatingAdd(s.inputTokens, t.inputTokens);
        s.outputTokens = TraceSummary::saturatingAdd(s.outputTokens, t.outputTokens);
        for (const ModelUsage& u : t.modelUsage)
            TraceSummary::addModelUsage(&s.modelUsage, u);
        return true;
    });
    if (!ok)
        return {};
    std::vector<SessionSummary> out(sessions.begin(), sessions.end());
    std::sort(out.begin(), out.end(), [](const SessionSummary& a, const SessionSummary& b) {
        return a.endTimeUnixNano != b.endTimeUnixNano ? a.endTimeUnixNano > b.endTimeUnixNano : a.conversationId < b.conversationId;
    });
    if (limit >= 0 && out.size() > size_t(limit))
        out.resize(size_t(limit));
    return out;
}

std::vector<OperationStats> TraceStore::operationStats(const TraceQuery& filter, QString* error,
                                                       const std::function<bool()>& cancelled, bool keepDurations)
{
    OperationStatsBuilder builder;
    bool stopped = false;
    QString failure;
    const bool ok = forEachTrace(*this, filter, error, [&](const TraceSummary& t) {
        if (cancelled && cancelled()) {
            stopped = true;
            return false;
        }
        std::vector<Span> spans = traceSpans(t.traceId, &failure);
        if (!failure.isEmpty())
            return false;
        builder.addTrace(*SpanTree::build(std::move(spans)));
        return true;
    });
    if (!failure.isEmpty() && error)
        *error = failure;
    if (!ok || stopped || !failure.isEmpty())
        return {};
    return builder.result(keepDurations);
}

std::vector<Span> TraceStore::traceSpanOutlines(const TraceId& traceId, QString* error)
{
    std::vector<Span> spans = traceSpans(traceId, error);
    SpanOutline::StringPool names;
    for (Span& span : spans) {
        SpanOutline::strip(span);
        names.intern(span);
    }
    return spans;
}

std::vector<Span> TraceStore::firstSpanOutlines(const TraceId& traceId, std::size_t count, QString* error)
{
    std::vector<Span> spans = traceSpanOutlines(traceId, error);
    if (spans.size() > count)
        spans.erase(spans.begin() + std::ptrdiff_t(count), spans.end());
    return spans;
}

std::optional<Span> TraceStore::span(const TraceId& traceId, const SpanId& spanId, QString* error)
{
    QString why;
    std::vector<Span> spans = traceSpans(traceId, &why);
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    for (Span& span : spans)
        if (span.spanId == spanId)
            return std::move(span);
    return std::nullopt;
}

bool TraceStore::checkBucketSize(std::uint64_t bucketNanos, QString* error)
{
    if (bucketNanos > 0 && bucketNanos <= TraceTimeSeries::MaxBucketNanos)
        return true;
    if (error)
        *error = QStringLiteral("the bucket size must be between 1 ns and %1 ns, not %2")
                     .arg(TraceTimeSeries::MaxBucketNanos)
                     .arg(bucketNanos);
    return false;
}

std::vector<TraceTimeBucket> TraceStore::traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                         QString* error)
{
    if (error)
        error->clear();
    if (!checkBucketSize(bucketNanos, error))
        return {};
    struct Sums {
        TraceTimeBucket bucket;
        __int128 input = 0;
        __int128 output = 0;
    };
    std::map<std::uint64_t, Sums> buckets;
    const bool ok = forEachTrace(*this, filter, error, [&](const TraceSummary& t) {
        const std::uint64_t start = TraceTimeSeries::bucketStart(t.startTimeUnixNano, bucketNanos);
        Sums& s = buckets[start];
        s.bucket.startTimeUnixNano = start;
        ++s.bucket.traces;
        s.bucket.spans += t.spanCount;
        s.bucket.errorTraces += t.errorCount > 0 ? 1 : 0;
        s.bucket.errorSpans += t.errorCount;
        s.input += t.inputTokens;
        s.output += t.outputTokens;
        return true;
    });
    if (!ok)
        return {};
    std::vector<TraceTimeBucket> out;
    out.reserve(buckets.size());
    for (auto& [start, s] : buckets) {
        s.bucket.inputTokens = TraceTimeSeries::clampToInt64(s.input);
        s.bucket.outputTokens = TraceTimeSeries::clampToInt64(s.output);
        out.push_back(s.bucket);
    }
    return out;
}
