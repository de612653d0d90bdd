#include "ingest/receiver/ingestpipeline.h"

#include <QDateTime>

#include "ingest/ingestlogging.h"

#include <QElapsedTimer>
#include <QPromise>
#include <QThreadPool>

#include <pthread.h>

IngestPipeline::IngestPipeline(TraceStore* store, qint64 maxQueueBytes, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_maxQueueBytes(maxQueueBytes)
{
}

IngestPipeline::~IngestPipeline()
{
    stop();
}

void IngestPipeline::setCommitFunction(CommitFunction commit)
{
    std::lock_guard lock(m_mutex);
    if (m_started) {
        qCWarning(lcIngest, "setCommitFunction after start() is ignored");
        return;
    }
    m_commit = std::move(commit);
}

void IngestPipeline::setStatusFunction(std::function<QJsonObject()> status)
{
    std::lock_guard lock(m_mutex);
    if (m_started) {
        qCWarning(lcIngest, "setStatusFunction after start() is ignored");
        return;
    }
    m_status = std::move(status);
}

QJsonObject IngestPipeline::status() const
{
    std::function<QJsonObject()> status;
    {
        std::lock_guard lock(m_mutex);
        status = m_status;
    }
    return status ? status() : QJsonObject();
}

void IngestPipeline::start()
{
    std::lock_guard lock(m_mutex);
    if (m_started || m_stopping)
        return;
    m_started = true;
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "ingest-writer");
        run();
    });
}

std::optional<QFuture<WriteResult>> IngestPipeline::submit(IngestItem item, qint64 costBytes)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || !m_started)
            return std::nullopt;
    }
    // Encoding and compression need no database: done here, on the submitting thread, off the writer's path.
    m_store->prepare(item);
    auto promise = std::make_shared<QPromise<WriteResult>>();
    QFuture<WriteResult> future;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || !m_started)
            return std::nullopt;
        // One oversized item is still taken when the queue is empty, so the bound can never starve it.
        if (m_queuedBytes > 0 && m_queuedBytes + costBytes > m_maxQueueBytes)
            return std::nullopt;
        promise->start();
        // Take the future before the writer can see the promise: after the unlock this thread never touches it.
        future = promise->future();
        m_queuedBytes += costBytes;
        m_queue.push_back(Pending { std::move(item), costBytes, std::move(promise) });
    }
    m_wake.notify_one();
    return future;
}

void IngestPipeline::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable())
        m_thread.join();
}

IngestPipeline::StoreProblem IngestPipeline::storeProblem() const
{
    std::lock_guard lock(m_mutex);
    return m_problem;
}

qint64 IngestPipeline::queuedBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_queuedBytes;
}

void IngestPipeline::run()
{
    QElapsedTimer lifetime;
    lifetime.start();
    qint64 busyNs = 0;
    qint64 transactions = 0;
    qint64 requests = 0;
    qint64 failedCommits = 0; // in a row
    for (;;) {
        std::vector<Pending> group;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) { // stopping and drained
                qCInfo(lcIngest, "writer: %lld requests in %lld transactions, busy %.0f%% of %.1f s",
                       static_cast<long long>(requests), static_cast<long long>(transactions),
                       lifetime.nsecsElapsed() ? 100.0 * double(busyNs) / double(lifetime.nsecsElapsed()) : 0.0,
                       double(lifetime.nsecsElapsed()) / 1e9);
                return;
            }
            group.reserve(m_queue.size());
            while (!m_queue.empty()) {
                group.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }

        QElapsedTimer busy;
        busy.start();
        ++transactions;
        requests += qint64(group.size());
        std::vector<IngestItem> items;
        items.reserve(group.size());
        qint64 cost = 0;
        for (auto& p : group) {
            items.push_back(std::move(p.item));
            cost += p.cost;
        }
        const WriteResult result = m_commit ? m_commit(items) : m_store->write(items);
        // Freeing thousands of spans takes measurable time; the writer is the serial part, so do it elsewhere.
        QThreadPool::globalInstance()->start(
            [spent = std::make_shared<std::vector<IngestItem>>(std::move(items))]() mutable { spent.reset(); });
        {
            std::lock_guard lock(m_mutex);
            m_queuedBytes -= cost;
        }
        if (result.ok) {
            const qint64 total = m_spansWritten += result.spansWritten;
            if (!result.changedTraces.empty())
                Q_EMIT tracesChanged(QVector<TraceId>(result.changedTraces.begin(), result.changedTraces.end()));
            Q_EMIT spansWrittenChanged(total);
            if (failedCommits > 0) {
                qCInfo(lcIngest) << "commits work again after" << failedCommits << "failed ones";
                {
                    std::lock_guard lock(m_mutex);
                    m_problem = {};
                }
                Q_EMIT storeHealthChanged(false, QString());
            }
            failedCommits = 0;
        } else if (failedCommits++ == 0) {
            // Clients retry (503 + Retry-After): an outage would log every retry. The first failure says why.
            qCWarning(lcIngest).noquote() << "commit failed for" << group.size() << "requests:" << result.error
                                          << "(further failures are not logged until a commit works)";
            {
                std::lock_guard lock(m_mutex);
                m_problem = { result.error, QDateTime::currentMSecsSinceEpoch() };
            }
            Q_EMIT storeHealthChanged(true, result.error);
        }
        for (auto& p : group) {
            p.promise->addResult(result);
            p.promise->finish();
        }
        busyNs += busy.nsecsElapsed();
    }
}
