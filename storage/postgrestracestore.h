#pragma once

#include "storage/ingestqueue.h"

#include <QMutex>
#include <QString>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class BlobStore;

/**
 * The team store: PostgreSQL through libpqxx (schema, JSON columns and what they keep in docs/storage.md,
 * "PostgreSQL"), with the raw trace documents in an optional BlobStore (S3 / MinIO).
 *
 * The connection string goes to libpq as it is (a `postgresql://` URI or `key=value` pairs), so libpq's
 * environment works as in every libpq tool: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, ~/.pgpass,
 * PGSSLMODE, ... (an empty string means "all from the environment"). The store adds `client_encoding=UTF8` and
 * `fallback_application_name=spanscope`. Every object lives in `schema` (validated, always quoted), created and
 * migrated by open() (PostgresMigrations).
 *
 * Thread safety: every method may be called from any thread. write() is serialized by a mutex on one writer
 * connection; every other call borrows a connection from a small pool (one per concurrently calling thread,
 * opened on demand, at most MaxIdleConnections kept idle). A connection that broke (server restarted, backend
 * terminated) is dropped, and the call is retried once on a new one, so after an outage the next call works
 * again without reopening the store; a call made while the server is down fails with libpq's message. Writes,
 * blob keys and queue completion are idempotent, so the retry cannot duplicate them; a retried enqueue may queue a
 * request twice, which the idempotent write makes harmless.
 *
 * Errors (server unreachable, authentication failed, schema newer than this build, bad data, ...) are returned as
 * messages, never thrown, and name no password: what libpq says while connecting goes through
 * ConnectionStrings::redact with the connection string's passwords; methods called before a successful open() fail with
 * an error. The store and the BlobStore given to it must outlive all calls into it.
 */
class PostgresTraceStore final : public IngestQueue {
public:
    static constexpr int MaxIdleConnections = 8;

    explicit PostgresTraceStore(
        QString connectionString, QString schema = QStringLiteral("otel"), BlobStore* blobs = nullptr);
    ~PostgresTraceStore() override;

    /// True for `postgresql://...` and `postgres://...`.
    static bool isConnectionUri(const QString& storeArgument);
    /// True for a connection URI or a libpq keyword/value string (`host=db dbname=otel ...`): what --store accepts
    /// for this store (ConnectionStrings::isPostgresConnectionString).
    static bool isConnectionString(const QString& storeArgument);
    /// $OTEL_DB_SCHEMA when set and not empty, else "otel".
    static QString defaultSchema();
    static bool isValidSchemaName(const QString& name);
    static int latestSchemaVersion();
    /**
     * For `spanscope migrate`: connects, migrates `schema` to latestSchemaVersion() and disconnects.
     * *fromVersion is the version found (0: a new schema), *toVersion the version after.
     */
    static bool migrate(
        const QString& connectionString, const QString& schema, int* fromVersion, int* toVersion, QString* error);

    /// Connects the writer, checks the database is UTF8 and migrates the schema. Calling it again does nothing.
    bool open(QString* error) override;
    /// "postgresql://user@host:port/db schema otel" (never the password)
    QString description() const override;
    /// "postgresql"
    QString kind() const override;
    QString schema() const { return m_schema; }

    /**
     * One transaction: the spans are copied (COPY) into a session temporary table, then upserted in one statement
     * (a span whose stored row is identical is not touched), then every touched trace's summary is recomputed from
     * its spans. Writers touching the same trace (several workers) are serialized by per-trace advisory locks.
     * spansWritten counts the spans of the call (as the SQLite store does); changedTraces is every trace touched.
     * Raw payload bodies are not stored here (see enqueue and BlobStore).
     */
    WriteResult write(const std::vector<IngestItem>& items) override;

    std::vector<TraceSummary> listTraces(const TraceQuery& query, QString* error = nullptr) override;
    std::optional<TraceSummary> traceSummary(const TraceId& traceId, QString* error = nullptr) override;
    std::vector<Span> traceSpans(const TraceId& traceId, QString* error = nullptr) override;
    /**
     * The trace's raw object from the BlobStore, inflated, as one payload: body = OTLP/JSON, contentType
     * application/json, contentEncoding "gzip" (how it is stored), wireSize = stored (gzipped) bytes, peer =
     * where it is stored, spanCount = the trace's span count. Empty without a BlobStore or before a key is set.
     */
    std::vector<RawPayload> tracePayloads(const TraceId& traceId, QString* error = nullptr) override;
    /// The gzipped object at traces.raw_blob_key; empty when there is no BlobStore or no key. A key whose object
    /// is missing is an error.
    QByteArray traceBlob(const TraceId& traceId, QString* error = nullptr) override;
    QStringList services(QString* error = nullptr) override;
    qint64 spanCount(QString* error = nullptr) override;
    /// One GROUP BY over the traces table (its summaries), with listTraces' filter.
    std::vector<TraceTimeBucket> traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                 QString* error = nullptr) override;
    /**
     * The matching traces (listTraces' filter) in one query, then their spans in chunks of about
     * statsChunkSpans() (and at most 5,000 traces), only ids,
     * service, name, times and status (no JSON columns), in one read-only REPEATABLE READ transaction (one
     * snapshot); each trace built as a SpanTree for OperationStatsBuilder (OperationStatsRows). `cancelled` is asked
     * once per trace.
     */
    std::vector<OperationStats> operationStats(const TraceQuery& filter, QString* error = nullptr,
        const std::function<bool()>& cancelled = {}, bool keepDurations = false) override;
    /// Spans per chunk of operationStats (a trace is never split; default 50,000); set before use, for tests.
    void setStatsChunkSpans(qint64 spans) { m_statsChunkSpans = std::max<qint64>(1, spans); }
    qint64 statsChunkSpans() const { return m_statsChunkSpans; }
    std::vector<LogRecord> traceLogs(const TraceId& traceId, QString* error = nullptr) override;
    qint64 logRecordCount(QString* error = nullptr) override;

    /// The applied schema version, or -1 with *error set.
    int schemaVersion(QString* error = nullptr);

    // --- ingestion queue (worker mode; docs/storage.md "Ingestion queue") ---------------------------------------

    /**
     * Stores the requests in ingestion_queue in one transaction: when it returns true they are durable and may be
     * acknowledged. body, signal, contentType, contentEncoding, peer, wireSize, spanCount, logRecordCount and
     * receivedAtUnixNano are kept;
     * the new rows' ids go to *ids when given.
     */
    bool enqueue(
        const std::vector<RawPayload>& payloads, QString* error = nullptr, std::vector<qint64>* ids = nullptr) override;
    /**
     * Leases due requests, oldest due first: those never leased, those whose lease ran out (a worker died) and
     * those whose retry time passed. At most `maxItems`, and no more once `maxBytes` body bytes are reached (the
     * first is always taken). Each stays leased for `lease`; complete or fail it before that. Rows another worker
     * is claiming are skipped (FOR UPDATE SKIP LOCKED), so workers never get the same request at once.
     */
    std::vector<QueuedPayload> claimQueued(
        int maxItems, qint64 maxBytes, std::chrono::seconds lease, QString* error = nullptr) override;
    /// Deletes the requests (their spans are committed). Unknown ids are ignored.
    bool completeQueued(const std::vector<qint64>& ids, QString* error = nullptr) override;
    /// Releases the requests for another attempt after `retryAfter`: attempts + 1, last_error = `reason`.
    bool failQueued(const std::vector<qint64>& ids, const QString& reason, std::chrono::milliseconds retryAfter,
        QString* error = nullptr) override;
    /// Requests in the queue (leased or not); -1 with *error set on failure.
    qint64 queueDepth(QString* error = nullptr) override;

    /// Environment, root service and start of the given traces (unknown ones are left out), in no set order.
    std::vector<TraceObjectInfo> traceObjectInfo(
        const std::vector<TraceId>& traceIds, QString* error = nullptr) override;
    /// Sets traces.raw_blob_key (an empty key clears it); unknown traces are ignored. One transaction.
    bool setTraceBlobKeys(const std::vector<std::pair<TraceId, QString>>& keys, QString* error = nullptr) override;

private:
    struct Connection; // a pqxx::connection and what this store set up on it
    struct Sql;

    std::unique_ptr<Connection> connect(QString* error) const;
    std::unique_ptr<Connection> acquire(bool* pooled, QString* error);
    void release(std::unique_ptr<Connection> connection);
    /// Runs `work(Connection&)` on a pooled connection; retries once on a new one when the pooled one had broken.
    /// listTraces' filter as " AND ..." terms on traces `t`; `param` adds a parameter and returns its "$n".
    std::string filterSql(const TraceQuery& query, const std::function<std::string(std::string)>& param) const;
    template <typename Work> bool withConnection(const QString& what, QString* error, Work&& work);
    /// Returns the number of log records newly stored; `logTraces` gets the traces of those records.
    qint64 writeOnce(Connection& connection, const std::vector<IngestItem>& items, const std::vector<TraceId>& touched,
        std::vector<TraceId>* logTraces);
    /// traces.raw_blob_key (empty: none) and the object; meta gets the span count and updated_at.
    bool readBlob(const TraceId& traceId, QString* key, QByteArray* blob, RawPayload* meta, QString* error);

    const QString m_connectionString; // as given
    const std::string m_libpqString; // with client_encoding and fallback_application_name
    const QStringList m_secrets; // the connection string's passwords, masked in libpq's messages
    const QString m_schema;
    qint64 m_statsChunkSpans = 50000;
    BlobStore* const m_blobs;
    std::unique_ptr<const Sql> m_sql;

    mutable QMutex m_mutex; // guards m_open, m_description, m_idle
    bool m_open = false;
    QString m_description;
    std::vector<std::unique_ptr<Connection>> m_idle;

    QMutex m_writeMutex; // guards m_writer
    std::unique_ptr<Connection> m_writer;
};
