#pragma once

#include "storage/tracestore.h"

#include <QHash>
#include <QMutex>
#include <QString>

#include <memory>
#include <vector>

class SqliteConnection;

/**
 * The local trace store: one SQLite file in WAL mode (schema in docs/storage.md).
 *
 * Thread safety: every method may be called from any thread. write() is serialized on the single writer
 * connection by a mutex; reads borrow a connection from a small pool (one per concurrently reading thread, created
 * on demand, kept until the store is destroyed) so they never wait for the writer and see every write committed
 * before they start. The store must outlive all calls into it.
 *
 * Errors (unopenable or corrupt file, full disk, ...) are returned as messages, never thrown; methods called
 * before a successful open() fail with an error.
 */
class SqliteTraceStore final : public TraceStore {
public:
    explicit SqliteTraceStore(const QString& filePath);
    ~SqliteTraceStore() override;

    /// `journal_size_limit`: after the WAL restarts, its file is cut back to this size (bytes).
    static constexpr qint64 JournalSizeLimitBytes = 64 * 1024 * 1024;
    /// When a commit leaves more than this in the WAL (bytes of frames), write() checkpoints the rest and restarts
    /// the WAL before it returns, so during sustained writes the WAL file stays under about this plus one write.
    static constexpr qint64 WalRestartBytes = 32 * 1024 * 1024;

    /// QStandardPaths::AppDataLocation + "/spanscope.db"
    static QString defaultPath();

    bool open(QString* error) override;
    QString description() const override;
    /// "sqlite"
    QString kind() const override;

    WriteResult write(const std::vector<IngestItem>& items) override;
    /// Encodes the spans (compact encoding, UTF-8, token counts) and compresses + hashes the payload.
    void prepare(IngestItem& item) const override;

    std::vector<TraceSummary> listTraces(const TraceQuery& query, QString* error = nullptr) override;
    std::optional<TraceSummary> traceSummary(const TraceId& traceId, QString* error = nullptr) override;
    /// Keeps traces.cost by `prices` (TraceStore::setCostPrices): repricing takes the write lock per 20,000 traces.
    bool setCostPrices(const PriceTable& prices, QString* error = nullptr,
                       const std::function<bool()>& cancelled = {}) override;
    std::vector<Span> traceSpans(const TraceId& traceId, QString* error = nullptr) override;
    /// Strips each span as it is read, so a large trace never holds every span's attributes at once.
    std::vector<Span> traceSpanOutlines(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<Span> firstSpanOutlines(const TraceId& traceId, std::size_t count, QString* error = nullptr) override;
    std::optional<Span> span(const TraceId& traceId, const SpanId& spanId, QString* error = nullptr) override;
    std::vector<RawPayload> tracePayloads(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<LogRecord> traceLogs(const TraceId& traceId, QString* error = nullptr) override;
    qint64 logRecordCount(QString* error = nullptr) override;
    QStringList services(QString* error = nullptr) override;
    qint64 spanCount(QString* error = nullptr) override;
    /// One GROUP BY over the traces table (its summaries), with listTraces' filter.
    std::vector<TraceTimeBucket> traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                 QString* error = nullptr) override;
    /**
     * One query, so one snapshot: the listTraces filter picks the traces, and of their spans only ids, service, name,
     * times and status are read (no attributes, events, resources), trace after trace, each built as a SpanTree for
     * OperationStatsBuilder (OperationStatsRows). `cancelled` is asked once per trace.
     */
    std::vector<OperationStats> operationStats(const TraceQuery& filter, QString* error = nullptr,
        const std::function<bool()>& cancelled = {}, bool keepDurations = false) override;

    /// Number of stored raw payloads (after deduplication).
    qint64 payloadCount(QString* error = nullptr);
    /// The absolute path of the database file.
    QString filePath() const { return m_filePath; }

private:
    class ReadLease;
    class Writer;
    class Checkpointer;

    std::unique_ptr<SqliteConnection> acquireReader(QString* error);
    /// traceSpans(), traceSpanOutlines() (outline), span() (only: that one span) and firstSpanOutlines() (`first` > 0:
    /// the first that many by start time), ordered by start time, then span id.
    std::vector<Span> readSpans(const TraceId& traceId, const SpanId* only, bool outline, QString* error,
                                std::size_t first = 0);
    void releaseReader(std::unique_ptr<SqliteConnection> connection);
    /// After a commit on the writer (under m_writeMutex): lets the checkpointer know, restarts the WAL past its limit.
    void wrote();
    /// What cost_prices.prices holds for `prices`: its JSON without source and date.
    static QByteArray costPricesKey(const PriceTable& prices);

    const QString m_filePath;

    QMutex m_writeMutex; // guards m_writer and the open state
    std::unique_ptr<Writer> m_writer;

    std::unique_ptr<Checkpointer> m_checkpointer; // declared after m_writer: stopped before the writer closes

    QMutex m_readMutex; // guards m_idleReaders
    std::vector<std::unique_ptr<SqliteConnection>> m_idleReaders;
    bool m_open = false; // set once under both mutexes; read under either
};
