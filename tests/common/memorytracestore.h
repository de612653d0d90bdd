#pragma once

#include "storage/tracestore.h"

#include <QMutex>

#include <atomic>

#include <map>

/**
 * TraceStore kept in memory, for model and UI tests: summaries are computed like the real stores do
 * (root service/name, or the earliest span when there is no root; errors; GenAI figures by SpanGenAiFigures). Thread-safe.
 */
class MemoryTraceStore : public TraceStore {
public:
    MemoryTraceStore();
    ~MemoryTraceStore() override;

    bool open(QString* error) override;
    QString description() const override;
    QString kind() const override { return QStringLiteral("memory"); }
    WriteResult write(const std::vector<IngestItem>& items) override;
    std::vector<TraceSummary> listTraces(const TraceQuery& query, QString* error = nullptr) override;
    std::optional<TraceSummary> traceSummary(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<Span> traceSpans(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<RawPayload> tracePayloads(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<LogRecord> traceLogs(const TraceId& traceId, QString* error = nullptr) override;
    qint64 logRecordCount(QString* error = nullptr) override;
    QStringList services(QString* error = nullptr) override;
    qint64 spanCount(QString* error = nullptr) override;

    /// Convenience: one write of these spans with a small JSON payload record.
    WriteResult addSpans(std::vector<Span> spans);
    /// Number of listTraces calls so far (to check paging).
    int listCalls() const;
    /// Records the prices (costPriceCalls). With setBlockCostPrices(true) it waits until `cancelled` says stop, then
    /// returns false, "cancelled" (for tests of who stops a long repricing; cancelledCostPrices counts those).
    bool setCostPrices(const PriceTable& prices, QString* error = nullptr,
                       const std::function<bool()>& cancelled = {}) override;
    std::vector<QByteArray> costPriceCalls() const; ///< PriceTable::toJson of each call's prices, in order
    void setBlockCostPrices(bool block);
    int cancelledCostPrices() const;

private:
    struct Trace {
        std::map<SpanId, Span> spans;
        std::vector<qint64> payloadIds;
    };
    TraceSummary summarize(const TraceId& id, const Trace& trace) const;
    bool matches(const TraceQuery& query, const TraceSummary& summary, const Trace& trace) const;

    mutable QMutex m_mutex;
    std::map<TraceId, Trace> m_traces;
    std::vector<RawPayload> m_payloads;
    // Keyed like the real stores: by SpanCodec::logRecordHash, so a re-sent record is kept once.
    std::map<QByteArray, LogRecord> m_logs;
    int m_listCalls = 0;
    std::vector<QByteArray> m_costPriceCalls;
    std::atomic_bool m_blockCostPrices { false };
    int m_cancelledCostPrices = 0;
};

/// Test helpers to build spans by hand.
namespace TestSpans {
std::shared_ptr<const Resource> resource(const QString& serviceName);
Span make(const TraceId& trace, quint64 spanId, quint64 parentId, const QString& name,
    const std::shared_ptr<const Resource>& resource, std::uint64_t startNs, std::uint64_t endNs);
TraceId traceId(quint64 n);
SpanId spanId(quint64 n);
}
