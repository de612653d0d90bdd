#include "tracestore.h"

#include "model/spanoutline.h"

#include <QHash>

#include <algorithm>

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
