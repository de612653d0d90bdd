#pragma once

#include "storage/tracestore.h"

/**
 * A TraceStore that passes every call to another one. Subclasses own the inner store together with what it needs
 * to outlive it (a temporary folder, a BlobStore) and may override single calls (e.g. description()).
 * Thread safety and errors: those of the inner store. `inner` must be set (setInner) before the first call.
 */
class ForwardingTraceStore : public TraceStore {
public:
    bool open(QString* error) override;
    QString description() const override;
    QString kind() const override;
    WriteResult write(const std::vector<IngestItem>& items) override;
    void prepare(IngestItem& item) const override;
    std::vector<TraceSummary> listTraces(const TraceQuery& query, QString* error = nullptr) override;
    std::vector<SessionSummary> listSessions(int limit = 200, QString* error = nullptr) override;
    bool setCostPrices(const PriceTable& prices, QString* error = nullptr,
                       const std::function<bool()>& cancelled = {}) override;
    std::optional<TraceSummary> traceSummary(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<Span> traceSpans(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<Span> traceSpanOutlines(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<Span> firstSpanOutlines(const TraceId& traceId, std::size_t count, QString* error = nullptr) override;
    std::optional<Span> span(const TraceId& traceId, const SpanId& spanId, QString* error = nullptr) override;
    std::vector<RawPayload> tracePayloads(const TraceId& traceId, QString* error = nullptr) override;
    QByteArray traceBlob(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<LogRecord> traceLogs(const TraceId& traceId, QString* error = nullptr) override;
    qint64 logRecordCount(QString* error = nullptr) override;
    QStringList services(QString* error = nullptr) override;
    qint64 spanCount(QString* error = nullptr) override;
    std::vector<TraceTimeBucket> traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                 QString* error = nullptr) override;
    std::vector<OperationStats> operationStats(const TraceQuery& filter, QString* error = nullptr,
        const std::function<bool()>& cancelled = {}, bool keepDurations = false) override;

protected:
    void setInner(TraceStore* inner) { m_inner = inner; }
    TraceStore* inner() const { return m_inner; }

private:
    TraceStore* m_inner = nullptr;
};
