#pragma once

#include "storage/tracestore.h"

#include <QJsonObject>
#include <QString>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

class BlobStore;
class IngestQueue;
struct QueuedPayload;
struct TraceObjectInfo;

/**
 * The second half of worker mode (docs/architecture.md, "Worker mode"; DESIGN.md "Storage"): drains PostgreSQL's
 * ingestion_queue into the spans/traces tables and one gzipped OTLP/JSON object per trace in a BlobStore (S3).
 *
 * The first half is enqueue(), the IngestPipeline's commit function in worker mode: it stores the raw requests in
 * ingestion_queue in one transaction, and only then does the receiver answer 200.
 *
 * One round (processOnce): claimQueued (at most Options::batchMaxItems requests and about batchMaxBytes body
 * bytes, leased for Options::lease) -> decode each body with the OTLP protobuf or JSON codec -> one
 * IngestQueue::write of every decoded request -> for each trace those requests touch: all its stored spans
 * (traceSpans) as one compact OTLP/JSON ExportTraceServiceRequest, gzipped, put at
 * S3BlobStore::traceObjectKey(environment, root service, trace start, trace id) -> setTraceBlobKeys ->
 * completeQueued. A request leaves the queue only when its spans are in PostgreSQL and the object of every trace it
 * touches is written. Every step is idempotent (upserts, whole-object puts), so a retried or re-leased request
 * changes nothing that was already done.
 *
 * Failures: when the write, a lookup or an upload fails, the requests concerned are given back with failQueued
 * (attempts + 1, last_error) and become due again after an exponential backoff per request (backoffInitial doubling
 * per attempt up to backoffMax, +-25 % jitter); requests whose traces were all uploaded still complete. When
 * PostgreSQL cannot be reached at all (claim, fail or complete failing), requests stay leased until their lease
 * runs out and are then claimed again. A body that cannot be decoded is a poison request: it is failed with the
 * decoder's message like any other, and once it has failed maxDecodeAttempts times it is parked (due again only
 * after poisonRetryAfter) instead of being deleted, so its bytes and error stay in ingestion_queue for an operator.
 * PostgreSQL and blob store outages are logged once when they start and once when they end, not per retry.
 *
 * When a trace's key changes (its root span arrived later and named another service, environment or day), the
 * new object is written and recorded, then, after the round's requests are completed, the object at the old key is
 * deleted (BlobStore::remove), unless PostgreSQL names that key again by then (another worker with an older view of
 * the trace recorded it). A failed delete is logged once with the key and not retried: the trace's data is in the
 * new object, the old one is only garbage, and it never holds a request in the queue. When an upload of the round
 * failed, no delete is tried (logged likewise). Without a BlobStore only PostgreSQL is written and raw_blob_key
 * stays empty.
 *
 * Threads: start() runs the loop on its own thread ("ingest-coord"); enqueue(), wake(), counters() and status()
 * may be called from any thread. processOnce() is for tests and must not be used while the thread runs. The
 * store and blob store must outlive the coordinator. Errors are reported through counters() and the log, never
 * thrown.
 */
class IngestCoordinator {
public:
    struct Options {
        int batchMaxItems = 256; ///< requests claimed per round
        qint64 batchMaxBytes = qint64(32) * 1024 * 1024; ///< body bytes claimed per round (the first always is)
        std::chrono::seconds lease { 60 }; ///< how long a claimed request is ours before another round may take it
        std::chrono::milliseconds pollInterval { 200 }; ///< idle wait between claims; enqueue() wakes earlier
        std::chrono::milliseconds backoffInitial { 500 }; ///< delay after a request's first failure
        std::chrono::milliseconds backoffMax { 30000 }; ///< cap of the doubling delay
        int maxDecodeAttempts = 5; ///< a body that failed to decode this often is parked
        std::chrono::milliseconds poisonRetryAfter { std::chrono::hours(24 * 7) };
        qint64 maxInflatedBytes = qint64(256) * 1024 * 1024; ///< limit when a queued body is itself gzipped
        /**
         * Makes the blob store usable (S3BlobStore::ensureBucket). Called before the first upload and again after
         * an upload failed, until it succeeds; a failure fails the round like an upload failure. Optional.
         */
        std::function<bool(QString* error)> prepareBlobs;
    };

    /// Totals since construction. Plain value.
    struct Counters {
        qint64 requestsCompleted = 0; ///< requests that left the queue (PostgreSQL and objects written)
        qint64 spansWritten = 0; ///< spans of the PostgreSQL writes that succeeded (retries count again)
        qint64 objectsWritten = 0; ///< trace objects put
        qint64 failedAttempts = 0; ///< requests given back with failQueued
        qint64 poisonRequests = 0; ///< requests whose body could not be decoded (per attempt)
        qint64 rounds = 0; ///< rounds that claimed at least one request
        qint64 queueDepth = -1; ///< last count of ingestion_queue rows (leased, waiting or parked); -1 unknown
        bool databaseUp = true; ///< false from a failed PostgreSQL call to the next one that works
        bool blobStoreUp = true; ///< false from a failed put or prepareBlobs to the next one that works
        QString lastError; ///< most recent failure message (no password or secret), empty when none yet
    };

    /// `blobs` may be null (PostgreSQL only). Neither is owned; both must be open / usable before start().
    IngestCoordinator(IngestQueue* store, BlobStore* blobs, Options options);
    IngestCoordinator(IngestQueue* store, BlobStore* blobs);
    ~IngestCoordinator(); ///< stop()s

    IngestCoordinator(const IngestCoordinator&) = delete;
    IngestCoordinator& operator=(const IngestCoordinator&) = delete;

    /// Starts the loop thread. Idempotent.
    void start();
    /**
     * Ends the loop and joins it. A round in progress finishes its current trace upload; the requests of that round
     * not finished yet are given back for an immediate retry (or, when PostgreSQL is unreachable, wait for their
     * lease to run out), so the next start, here or on another worker, takes them. Idempotent.
     */
    void stop();

    /**
     * The pipeline's commit function in worker mode: stores the items' raw payloads (body after Content-Encoding
     * was undone, content type and encoding, peer, sizes, span count, receive time) in ingestion_queue in one
     * transaction and wakes the loop. ok=false with the store's message when nothing was queued; spansWritten is the
     * number of spans queued; changedTraces stays empty (nothing is indexed yet). Any thread.
     */
    WriteResult enqueue(const std::vector<IngestItem>& items);

    /// Ends an idle or backoff wait early (new requests were queued). Any thread.
    void wake();

    /**
     * One round on the calling thread (see the class comment). Returns the number of requests claimed, or -1 when
     * the claim failed (PostgreSQL unreachable). Only while the thread is not running.
     */
    int processOnce();

    /// Refreshes Counters::queueDepth (one count(*) query); false when PostgreSQL did not answer.
    bool refreshQueueDepth();

    Counters counters() const;
    /// For GET /healthz: the counters as JSON (`mode`, `queue_depth`, `requests_completed`, `spans_written`,
    /// `objects_written`, `failed_attempts`, `poison_requests`, `database`, `blob_store`, `last_error`). Any thread.
    QJsonObject status() const;

    const Options& options() const { return m_options; }

    /// The backoff before retry number attempts + 1 (attempts >= 0), without jitter.
    static std::chrono::milliseconds backoffFor(
        int attempts, std::chrono::milliseconds initial, std::chrono::milliseconds max);

private:
    struct Round;
    void run();
    /// Waits up to `timeout`, or until wake() / stop(). False when stopping.
    bool waitFor(std::chrono::milliseconds timeout);
    bool stopping() const;
    void failRequests(const std::vector<const QueuedPayload*>& requests, const QString& reason, bool poison);
    void completeRequests(const std::vector<qint64>& ids);
    bool uploadTrace(const TraceObjectInfo& info, QString* key, QString* error);
    /// Deletes the objects at the old keys of traces whose key changed this round (after the new keys are recorded
    /// and the round's requests completed); failures are logged, never retried.
    void removeStaleObjects(const std::vector<std::pair<TraceId, QString>>& replaced, bool blobStoreFailed);
    void setDatabaseUp(bool up, const QString& error);
    void setBlobStoreUp(bool up, const QString& error);

    IngestQueue* const m_store;
    BlobStore* const m_blobs;
    const Options m_options;

    mutable std::mutex m_mutex; // guards everything below
    std::condition_variable m_wakeCondition;
    bool m_wakePending = false;
    bool m_stopping = false;
    bool m_started = false;
    bool m_blobsPrepared = false;
    Counters m_counters;
    std::thread m_thread;
};
