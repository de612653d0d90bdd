#pragma once

#include "storage/tracestore.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

/// One request taken from the ingestion queue by IngestQueue::claimQueued.
struct QueuedPayload {
    qint64 id = 0; ///< ingestion_queue.id; pass it to completeQueued / failQueued
    RawPayload payload; ///< as enqueued (payload.id is the queue id as well)
    int attempts = 0; ///< failQueued calls so far
    QString lastError; ///< the reason given to the last failQueued, or empty
};

/// What the ingestion coordinator needs to name and find a trace's raw object (DESIGN.md "S3 / MinIO").
struct TraceObjectInfo {
    TraceId traceId;
    QString environment; ///< deployment.environment.name, else deployment.environment, else "default"
    QString rootServiceName; ///< traces.service_name (root span's service, or the earliest span's)
    std::uint64_t startTimeUnixNano = 0;
    QString rawBlobKey; ///< traces.raw_blob_key, empty when none is set yet
};

/**
 * A TraceStore that also keeps the durable ingestion queue of worker mode (docs/storage.md "Ingestion queue"): the
 * receiver enqueues raw requests, IngestCoordinator claims them, writes their spans into this same store and
 * completes or fails them, and records each trace's raw object key. Implemented by PostgresTraceStore; the
 * coordinator depends only on this interface.
 *
 * Errors are returned as messages in *error (never thrown). Every method may be called from any thread.
 */
class IngestQueue : public TraceStore {
public:
    ~IngestQueue() override = default;

    /**
     * Stores the requests in the queue in one transaction: when it returns true they are durable and may be
     * acknowledged. body, contentType, contentEncoding, peer, wireSize, spanCount and receivedAtUnixNano are kept;
     * the new rows' ids go to *ids when given.
     */
    virtual bool enqueue(
        const std::vector<RawPayload>& payloads, QString* error = nullptr, std::vector<qint64>* ids = nullptr)
        = 0;
    /**
     * Leases due requests, oldest due first: those never leased, those whose lease ran out (a worker died) and
     * those whose retry time passed. At most `maxItems`, and no more once `maxBytes` body bytes are reached (the
     * first is always taken). Each stays leased for `lease`; complete or fail it before that. Two workers never
     * get the same request at once.
     */
    virtual std::vector<QueuedPayload> claimQueued(
        int maxItems, qint64 maxBytes, std::chrono::seconds lease, QString* error = nullptr)
        = 0;
    /// Deletes the requests (their spans are committed). Unknown ids are ignored.
    virtual bool completeQueued(const std::vector<qint64>& ids, QString* error = nullptr) = 0;
    /// Releases the requests for another attempt after `retryAfter`: attempts + 1, last_error = `reason`.
    virtual bool failQueued(const std::vector<qint64>& ids, const QString& reason, std::chrono::milliseconds retryAfter,
        QString* error = nullptr)
        = 0;
    /// Requests in the queue (leased or not); -1 with *error set on failure.
    virtual qint64 queueDepth(QString* error = nullptr) = 0;

    /// Environment, root service and start of the given traces (unknown ones are left out), in no set order.
    virtual std::vector<TraceObjectInfo> traceObjectInfo(const std::vector<TraceId>& traceIds, QString* error = nullptr)
        = 0;
    /// Sets the traces' raw object keys (an empty key clears one); unknown traces are ignored. One transaction.
    virtual bool setTraceBlobKeys(const std::vector<std::pair<TraceId, QString>>& keys, QString* error = nullptr) = 0;
};
