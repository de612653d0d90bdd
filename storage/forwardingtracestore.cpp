#include "forwardingtracestore.h"

bool ForwardingTraceStore::open(QString* error)
{
    return m_inner->open(error);
}

QString ForwardingTraceStore::description() const
{
    return m_inner->description();
}

QString ForwardingTraceStore::kind() const
{
    return m_inner->kind();
}

WriteResult ForwardingTraceStore::write(const std::vector<IngestItem>& items)
{
    return m_inner->write(items);
}

void ForwardingTraceStore::prepare(IngestItem& item) const
{
    m_inner->prepare(item);
}

std::vector<TraceSummary> ForwardingTraceStore::listTraces(const TraceQuery& query, QString* error)
{
    return m_inner->listTraces(query, error);
}

std::vector<SessionSummary> ForwardingTraceStore::listSessions(int limit, QString* error)
{
    return m_inner->listSessions(limit, error);
}

bool ForwardingTraceStore::setCostPrices(const PriceTable& prices, QString* error,
                                         const std::function<bool()>& cancelled)
{
    return m_inner->setCostPrices(prices, error, cancelled);
}

std::vector<Span> ForwardingTraceStore::firstSpanOutlines(const TraceId& traceId, std::size_t count, QString* error)
{
    return m_inner->firstSpanOutlines(traceId, count, error);
}

std::optional<TraceSummary> ForwardingTraceStore::traceSummary(const TraceId& traceId, QString* error)
{
    return m_inner->traceSummary(traceId, error);
}

std::vector<Span> ForwardingTraceStore::traceSpans(const TraceId& traceId, QString* error)
{
    return m_inner->traceSpans(traceId, error);
}

std::vector<Span> ForwardingTraceStore::traceSpanOutlines(const TraceId& traceId, QString* error)
{
    return m_inner->traceSpanOutlines(traceId, error);
}

std::optional<Span> ForwardingTraceStore::span(const TraceId& traceId, const SpanId& spanId, QString* error)
{
    return m_inner->span(traceId, spanId, error);
}

std::vector<RawPayload> ForwardingTraceStore::tracePayloads(const TraceId& traceId, QString* error)
{
    return m_inner->tracePayloads(traceId, error);
}

QByteArray ForwardingTraceStore::traceBlob(const TraceId& traceId, QString* error)
{
    return m_inner->traceBlob(traceId, error);
}

std::vector<LogRecord> ForwardingTraceStore::traceLogs(const TraceId& traceId, QString* error)
{
    return m_inner->traceLogs(traceId, error);
}

qint64 ForwardingTraceStore::logRecordCount(QString* error)
{
    return m_inner->logRecordCount(error);
}

QStringList ForwardingTraceStore::services(QString* error)
{
    return m_inner->services(error);
}

qint64 ForwardingTraceStore::spanCount(QString* error)
{
    return m_inner->spanCount(error);
}

std::vector<TraceTimeBucket> ForwardingTraceStore::traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                                   QString* error)
{
    return m_inner->traceTimeSeries(filter, bucketNanos, error);
}

std::vector<OperationStats> ForwardingTraceStore::operationStats(
    const TraceQuery& filter, QString* error, const std::function<bool()>& cancelled, bool keepDurations)
{
    return m_inner->operationStats(filter, error, cancelled, keepDurations);
}
