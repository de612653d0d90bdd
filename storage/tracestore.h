#pragma once

#include "model/logrecord.h"
#include "model/operationstats.h"
#include "model/rawpayload.h"
#include "model/span.h"
#include "model/spanbatch.h"
#include "model/tracequery.h"
#include "model/tracesummary.h"
#include "model/tracetimeseries.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

/// Store-specific results of TraceStore::prepare (encoded spans, compressed payload); opaque to everyone else.
struct PreparedItem {
    virtual ~PreparedItem();
};

/// One unit of ingestion: a decoded batch and the raw request it came from (stored for the raw view).
struct IngestItem {
    SpanBatch batch;
    RawPayload payload;
    std::shared_ptr<const PreparedItem> prepared; ///< set by TraceStore::prepare; write() works without it
};

/// Outcome of TraceStore::write: on failure nothing of the call was committed.
struct WriteResult {
    bool ok = false;
    QString error;
    qint64 spansWritten = 0; ///< spans inserted or replaced
    qint64 logRecordsWritten = 0; ///< log records newly stored (one already stored counts 0)
    /// Traces whose summary changed, or that got new log records (their summary may be the same; views of them
    /// refresh), each once.
    std::vector<TraceId> changedTraces;
};

/**
 * The one storage interface the UI, the receiver pipeline and import/export use (DESIGN.md "Storage").
 *
 * Thread safety: implementations are safe to call from any thread. `write` calls are serialized on one writer
 * connection; reads use a connection of the calling thread and see every write committed before they start.
 * Errors are returned, never thrown.
 */
class TraceStore {
public:
    virtual ~TraceStore();

    /// Opens (creating and migrating as needed). Returns false with *error set when the store cannot be used.
    virtual bool open(QString* error) = 0;
    /// For logs and the UI, e.g. "sqlite:/home/me/.local/share/spanscope/spanscope.db" or
    /// "postgresql://me@db:5432/otel schema otel": names no password or secret, but paths, hosts and users.
    virtual QString description() const = 0;
    /// "sqlite", "postgresql", ...: what status output for others may show (`GET /healthz`), naming no path, host,
    /// user or other connection detail. The default says "other".
    virtual QString kind() const;

    /**
     * Writes all items in one transaction (group commit): either every span, log record and payload is committed,
     * or none. Idempotent: a span (trace id, span id) that is already stored is replaced, never duplicated; a log
     * record identical in every member (resource and scope included, SpanCodec::logRecordHash) to a stored one is
     * not stored again; a payload whose exact bytes are already stored is not stored again. Trace summaries are
     * recomputed for every trace the items' spans touch, so a late span updates its trace's summary; log records do
     * not change summaries. Log records without trace context are stored too.
     */
    virtual WriteResult write(const std::vector<IngestItem>& items) = 0;
    /**
     * Optional: does the part of writing `item` that needs no database (encoding spans, compressing the raw
     * payload) on the calling thread and keeps it in item.prepared for write(). The ingest pipeline calls it on the
     * receiver thread, so the single writer thread has less to do. Thread-safe; the default does nothing. The item
     * must not be changed afterwards.
     */
    virtual void prepare(IngestItem& item) const;

    /// Trace summaries matching `query` in its order (newest first by default), at most query.limit rows.
    virtual std::vector<TraceSummary> listTraces(const TraceQuery& query, QString* error = nullptr) = 0;
    /// The summary of one trace, or nullopt when unknown.
    virtual std::optional<TraceSummary> traceSummary(const TraceId& traceId, QString* error = nullptr) = 0;
    /// Every stored span of a trace with attributes, events, links, resource and scope, ordered by start time.
    virtual std::vector<Span> traceSpans(const TraceId& traceId, QString* error = nullptr) = 0;
    /**
     * The outlines of a trace's spans (SpanOutline: no attributes, no event attributes, except on spans that may be
     * GenAI steps), ordered by start time, equal names shared: what a large trace is drawn from. The trace view reads
     * the span it inspects in full with span(). The default strips traceSpans(); a store may read less.
     */
    virtual std::vector<Span> traceSpanOutlines(const TraceId& traceId, QString* error = nullptr);
    /**
     * The first `count` spans of a trace by start time (ties: span id, as bytes), as traceSpanOutlines() returns
     * them: the head of a large trace, drawn while the rest loads (TraceLoader). Fewer when the trace has fewer;
     * empty for an unknown trace (error left empty). The default takes them from traceSpanOutlines(); a store should
     * read only those rows.
     */
    virtual std::vector<Span> firstSpanOutlines(const TraceId& traceId, std::size_t count, QString* error = nullptr);
    /**
     * One span in full (as traceSpans() returns it), or nullopt when the trace has no such span (error left empty)
     * or the read fails (error set). The default reads traceSpans(); a store may read one row.
     */
    virtual std::optional<Span> span(const TraceId& traceId, const SpanId& spanId, QString* error = nullptr);
    /// The raw requests that carried at least one span of this trace, oldest first.
    virtual std::vector<RawPayload> tracePayloads(const TraceId& traceId, QString* error = nullptr) = 0;
    /**
     * The trace's stored raw document, gzipped OTLP/JSON with every span of the trace, when the store keeps one
     * (PostgreSQL with S3: the object at traces.raw_blob_key). Empty (and no error) when the store keeps none;
     * callers then build the document from traceSpans(). The default returns empty.
     */
    virtual QByteArray traceBlob(const TraceId& traceId, QString* error = nullptr);
    /**
     * Every stored log record of the trace (with resource and scope), ordered by effective time
     * (LogRecord::effectiveTimeUnixNano), then observed time; empty for a trace without log records.
     */
    virtual std::vector<LogRecord> traceLogs(const TraceId& traceId, QString* error = nullptr) = 0;
    /// Total number of stored log records, with or without trace context.
    virtual qint64 logRecordCount(QString* error = nullptr) = 0;
    /// Distinct service.name values of stored spans, sorted.
    virtual QStringList services(QString* error = nullptr) = 0;
    /**
     * The sessions of the store (traces grouped by TraceSummary::conversationId; traces without one are in none), the
     * most recently active first, at most `limit`. The default walks every trace summary with listTraces (summaries,
     * not spans); a store may answer it with one grouped query. Empty with *error set when the store fails.
     */
    virtual std::vector<SessionSummary> listSessions(int limit = 200, QString* error = nullptr);
    /**
     * The prices the store keeps every trace's TraceOrder::Cost key by (TraceOrdering::costKey of its model usage), so
     * that listTraces ordered by cost with equal TraceQuery::prices walks an index instead of pricing and sorting every
     * matching trace; a query with other prices is still answered right, by pricing each trace. When `prices` differ
     * from the kept ones, every trace with model usage is repriced, in chunks that let writes in between; meanwhile
     * queries price per trace. A later call with other prices supersedes a running one (which then returns true).
     * Blocks until done: call it off the GUI thread. `cancelled`, when set and true, stops between chunks (false,
     * *error says so; the next call goes on from there). The default keeps nothing and returns true (stores that
     * price per query, e.g. PostgreSQL). False with *error set when the store fails.
     */
    virtual bool setCostPrices(const PriceTable& prices, QString* error = nullptr,
                               const std::function<bool()>& cancelled = {});
    /**
     * Statistics per operation (service.name, span name) over every span of every trace that matches `filter`'s
     * service, text, conversation, errors, duration and time range (its order, limit, offset and cursor are
     * ignored): OperationStatsBuilder::result(). The default reads the matching traces page by page with listTraces
     * and their spans with traceSpans, one trace at a time; `cancelled`, when set and true, stops it early (empty
     * result, no error). `keepDurations`: with OperationStats::durations (for histograms). Empty with *error set
     * when the store fails. Any thread the store allows reads on.
     */
    virtual std::vector<OperationStats> operationStats(const TraceQuery& filter, QString* error = nullptr,
                                                       const std::function<bool()>& cancelled = {},
                                                       bool keepDurations = false);
    /**
     * Throughput, errors and tokens over time of the traces that `filter` matches, with listTraces' filter semantics
     * (service, text, conversation, errors only, minimum duration, start time range; its order, limit, offset and
     * cursor are ignored): per bucket of trace start time (`bucketNanos` ns wide, aligned to multiples of it since the
     * Unix epoch), how many traces started in it, their spans, traces with an error, error spans, input and output
     * tokens (TraceTimeBucket). Buckets in ascending start order; buckets without a matching trace are left out.
     * The default walks the matching summaries with listTraces (newest first, pages of 500); SQLite and PostgreSQL
     * answer with one GROUP BY query. Empty with *error set when the store fails or `bucketNanos` is 0 or above
     * TraceTimeSeries::MaxBucketNanos. Any thread the store allows reads on.
     */
    virtual std::vector<TraceTimeBucket> traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                         QString* error = nullptr);
    /// Total number of stored spans.
    virtual qint64 spanCount(QString* error = nullptr) = 0;

    /// True when traceTimeSeries accepts `bucketNanos` (1 ns to TraceTimeSeries::MaxBucketNanos); else false with
    /// *error saying so.
    static bool checkBucketSize(std::uint64_t bucketNanos, QString* error);
};
