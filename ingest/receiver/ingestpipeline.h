#pragma once

#include "storage/tracestore.h"

#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QVector>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

template <typename T>
class QPromise;

/**
 * The durable step between the receiver (or an importer) and a TraceStore (DESIGN.md "Data flow", step 3).
 *
 * submit() queues an item and returns a future that finishes once the item is committed (or failed); the
 * caller acknowledges the client only then. A single writer thread takes every pending item into one
 * TraceStore::write call (group commit). The queue is bounded in bytes: when it is full, submit() refuses
 * and the receiver answers 503 with Retry-After instead of growing without limit.
 *
 * The durable step is TraceStore::write unless setCommitFunction() names another one: in worker mode
 * (docs/architecture.md, "Worker mode") it is IngestCoordinator::enqueue, which puts the raw requests into the
 * PostgreSQL ingestion_queue, so a 200 reply then means "queued durably", not "indexed".
 *
 * Thread safety: submit(), stop() and the getters may be called from any thread. Signals are emitted from the
 * writer thread (connect with a context object to get them queued into the receiver's thread).
 */
class IngestPipeline : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 DefaultMaxQueueBytes = qint64(256) * 1024 * 1024;
    /**
     * Commits one group of items durably, all or nothing (same contract as TraceStore::write: ok=false with an
     * error when nothing was committed). Called on the writer thread only, one group at a time.
     */
    using CommitFunction = std::function<WriteResult(const std::vector<IngestItem>& items)>;

    explicit IngestPipeline(TraceStore* store, qint64 maxQueueBytes = DefaultMaxQueueBytes,
                            QObject* parent = nullptr);
    ~IngestPipeline() override; ///< stop()s: drains what was accepted.

    /// Replaces store()->write as the durable step. Call before start(); an empty function restores the default.
    void setCommitFunction(CommitFunction commit);

    /**
     * Extra fields for the receiver's GET /healthz (e.g. the ingestion coordinator's counters), called from the
     * receiver thread; must be thread-safe. Call before start().
     */
    void setStatusFunction(std::function<QJsonObject()> status);
    /// The status function's fields, or an empty object when none is set. Any thread.
    QJsonObject status() const;

    /// Starts the writer thread. Idempotent.
    void start();
    /**
     * Queues an item costing `costBytes` (the request size) against the queue bound. Returns nullopt when the
     * queue is full or the pipeline is stopped; otherwise a future with the WriteResult of the transaction the
     * item was committed in (ok=false with the store's error when that transaction failed).
     */
    std::optional<QFuture<WriteResult>> submit(IngestItem item, qint64 costBytes);
    /// Refuses new items, commits everything already accepted, joins the writer thread. Idempotent.
    void stop();

    qint64 queuedBytes() const;
    /// Spans of committed items: written to the store, or queued durably when a commit function is set.
    qint64 spansWritten() const { return m_spansWritten.load(); }
    TraceStore* store() const { return m_store; }

    /// Why commits fail (the store's error of the first failed commit, e.g. "database or disk is full") and since
    /// when (Unix ms, UTC); an empty error while the last commit worked. Any thread.
    struct StoreProblem {
        QString error;
        qint64 sinceUnixMs = 0;
    };
    StoreProblem storeProblem() const;

Q_SIGNALS:
    /// Traces whose summary changed in one committed transaction.
    void tracesChanged(const QVector<TraceId>& traceIds);
    /// Total spans committed since start.
    void spansWrittenChanged(qint64 total);
    /**
     * Commits started failing (`failing` true, with the first failure's error) or work again (false, empty error).
     * Emitted from the writer thread on these changes only, never once per failed request: an outage with clients
     * retrying every second is one signal at its start and one at its end.
     */
    void storeHealthChanged(bool failing, const QString& error);

private:
    struct Pending {
        IngestItem item;
        qint64 cost = 0;
        std::shared_ptr<QPromise<WriteResult>> promise;
    };
    void run();

    TraceStore* m_store;
    CommitFunction m_commit; // empty: m_store->write
    std::function<QJsonObject()> m_status;
    const qint64 m_maxQueueBytes;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    qint64 m_queuedBytes = 0;
    bool m_stopping = false;
    bool m_started = false;
    std::thread m_thread;
    std::atomic<qint64> m_spansWritten { 0 };
    StoreProblem m_problem; // guarded by m_mutex
};
