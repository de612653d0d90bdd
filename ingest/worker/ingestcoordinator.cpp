#include "ingest/worker/ingestcoordinator.h"

#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/ingestlogging.h"

#include "storage/blobstore.h"
#include "storage/connectionstrings.h"
#include "storage/ingestqueue.h"
#include "storage/s3blobstore.h"

#include <QElapsedTimer>
#include <QRandomGenerator>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <pthread.h>

namespace {

// A trace whose span count grew while its object was being written (another worker wrote to it) is written again,
// at most this often per round; after that the round fails its requests and a later round tries again.
constexpr int MaxUploadPasses = 3;
// The queue depth shown by /healthz is refreshed at most this often by the loop.
constexpr qint64 QueueDepthRefreshMs = 1000;

std::chrono::milliseconds withJitter(std::chrono::milliseconds delay)
{
    if (delay.count() <= 0)
        return delay;
    // +-25 %: workers that failed together do not all come back in the same millisecond.
    const double factor = 0.75 + 0.5 * QRandomGenerator::global()->generateDouble();
    return std::chrono::milliseconds(qint64(double(delay.count()) * factor));
}

bool isProtobuf(const QString& contentType)
{
    return contentType == QLatin1String("application/x-protobuf")
        || contentType == QLatin1String("application/protobuf");
}

} // namespace

/// What one round knows about each claimed request.
struct IngestCoordinator::Round {
    struct Request {
        const QueuedPayload* queued = nullptr;
        std::vector<TraceId> traces; ///< distinct traces of its spans
    };
    std::vector<Request> requests; ///< decoded, with at least one span or log record
    std::vector<qint64> empty; ///< decoded, but nothing left to store (all rejected)
};

IngestCoordinator::IngestCoordinator(IngestQueue* store, BlobStore* blobs, Options options)
    : m_store(store)
    , m_blobs(blobs)
    , m_options(std::move(options))
{
}

IngestCoordinator::IngestCoordinator(IngestQueue* store, BlobStore* blobs)
    : IngestCoordinator(store, blobs, Options())
{
}

IngestCoordinator::~IngestCoordinator() { stop(); }

void IngestCoordinator::start()
{
    std::lock_guard lock(m_mutex);
    if (m_started || m_stopping)
        return;
    m_started = true;
    m_thread = std::thread([this] {
        pthread_setname_np(pthread_self(), "ingest-coord");
        run();
    });
}

void IngestCoordinator::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeCondition.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool IngestCoordinator::stopping() const
{
    std::lock_guard lock(m_mutex);
    return m_stopping;
}

void IngestCoordinator::wake()
{
    {
        std::lock_guard lock(m_mutex);
        m_wakePending = true;
    }
    m_wakeCondition.notify_all();
}

bool IngestCoordinator::waitFor(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_wakeCondition.wait_for(lock, timeout, [this] { return m_stopping || m_wakePending; });
    m_wakePending = false;
    return !m_stopping;
}

std::chrono::milliseconds IngestCoordinator::backoffFor(
    int attempts, std::chrono::milliseconds initial, std::chrono::milliseconds max)
{
    if (initial.count() <= 0)
        return std::chrono::milliseconds(0);
    qint64 delay = initial.count();
    for (int i = 0; i < attempts && delay < max.count(); ++i)
        delay *= 2;
    return std::chrono::milliseconds(std::min<qint64>(delay, max.count()));
}

WriteResult IngestCoordinator::enqueue(const std::vector<IngestItem>& items)
{
    WriteResult result;
    std::vector<RawPayload> payloads;
    payloads.reserve(items.size());
    for (const IngestItem& item : items) {
        payloads.push_back(item.payload);
        result.spansWritten += qint64(item.batch.spans.size());
    }
    QString error;
    if (!m_store->enqueue(payloads, &error)) {
        result.spansWritten = 0;
        result.error = QStringLiteral("ingestion queue: ") + error;
        setDatabaseUp(false, result.error);
        return result;
    }
    result.ok = true;
    setDatabaseUp(true, QString());
    wake();
    return result;
}

void IngestCoordinator::run()
{
    QElapsedTimer sinceDepth;
    int claimFailures = 0; // in a row
    refreshQueueDepth();
    sinceDepth.start();
    qint64 initialDepth = 0;
    {
        std::lock_guard lock(m_mutex);
        initialDepth = m_counters.queueDepth;
    }
    if (initialDepth > 0)
        qCInfo(lcIngest) << "coordinator: draining" << initialDepth << "queued requests";
    while (!stopping()) {
        const int claimed = processOnce();
        if (sinceDepth.elapsed() >= QueueDepthRefreshMs || claimed == 0) {
            refreshQueueDepth();
            sinceDepth.restart();
        }
        if (claimed < 0) {
            // PostgreSQL is unreachable: back off as for a failed request (a successful enqueue() wakes us sooner).
            const auto delay = withJitter(backoffFor(claimFailures++, m_options.backoffInitial, m_options.backoffMax));
            if (!waitFor(std::max(delay, m_options.pollInterval)))
                break;
            continue;
        }
        claimFailures = 0;
        if (claimed == 0 && !waitFor(m_options.pollInterval))
            break;
    }
    const Counters c = counters();
    qCInfo(lcIngest, "coordinator: stopped; %lld requests completed, %lld failed attempts, %lld queued",
        static_cast<long long>(c.requestsCompleted), static_cast<long long>(c.failedAttempts),
        static_cast<long long>(c.queueDepth));
}

int IngestCoordinator::processOnce()
{
    QString error;
    const std::vector<QueuedPayload> claimed
        = m_store->claimQueued(m_options.batchMaxItems, m_options.batchMaxBytes, m_options.lease, &error);
    if (!error.isEmpty()) {
        setDatabaseUp(false, QStringLiteral("claiming queued requests: ") + error);
        return -1;
    }
    setDatabaseUp(true, QString());
    if (claimed.empty())
        return 0;
    {
        std::lock_guard lock(m_mutex);
        ++m_counters.rounds;
    }

    // Decode. A body that does not decode now will not decode on a retry either, unless this build changes;
    // such requests are poison (see the class comment).
    Round round;
    std::vector<IngestItem> items;
    items.reserve(claimed.size());
    for (const QueuedPayload& q : claimed) {
        QByteArray body = q.payload.body;
        QString why;
        // The pipeline queues bodies with their Content-Encoding undone; a gzipped one is accepted all the same.
        if (Gzip::looksGzipped(body)) {
            QByteArray inflated;
            if (Gzip::inflate(body, m_options.maxInflatedBytes, &inflated, &why) != Gzip::Status::Ok) {
                failRequests({ &q }, QStringLiteral("undecodable request: gzip: ") + why, true);
                continue;
            }
            body = std::move(inflated);
        }
        // The queue row says which export request the body is (RawPayload::signal).
        const bool logs = q.payload.signal == RawPayload::Signal::Logs;
        DecodeResult decoded;
        if (isProtobuf(q.payload.contentType))
            decoded = logs ? OtlpProtobufCodec::decodeLogsRequest(body) : OtlpProtobufCodec::decodeRequest(body);
        else if (q.payload.contentType == QLatin1String("application/json"))
            decoded = logs ? OtlpJsonCodec::decodeLogsRequest(body) : OtlpJsonCodec::decodeRequest(body);
        else
            decoded.error = QStringLiteral("unknown content type \"%1\"").arg(q.payload.contentType);
        if (!decoded.ok) {
            failRequests({ &q }, QStringLiteral("undecodable request: ") + decoded.error, true);
            continue;
        }
        if (decoded.batch.spans.empty() && decoded.batch.logs.empty()) {
            round.empty.push_back(q.id);
            continue;
        }
        Round::Request request;
        request.queued = &q;
        // Only spans make a trace's object; a logs request is complete once its records are written.
        std::unordered_set<TraceId> seen;
        for (const Span& s : decoded.batch.spans)
            if (seen.insert(s.traceId).second)
                request.traces.push_back(s.traceId);
        round.requests.push_back(std::move(request));
        IngestItem item;
        item.batch = std::move(decoded.batch);
        item.payload = q.payload;
        item.payload.body.clear(); // not stored by the store's write; the queue row still has it
        items.push_back(std::move(item));
    }
    completeRequests(round.empty);
    if (round.requests.empty())
        return int(claimed.size());

    std::vector<const QueuedPayload*> all;
    all.reserve(round.requests.size());
    for (const auto& r : round.requests)
        all.push_back(r.queued);

    const WriteResult written = m_store->write(items);
    items.clear();
    if (!written.ok) {
        const QString reason = QStringLiteral("PostgreSQL write: ") + written.error;
        setDatabaseUp(false, reason);
        failRequests(all, reason, false);
        return int(claimed.size());
    }
    setDatabaseUp(true, QString());
    {
        std::lock_guard lock(m_mutex);
        m_counters.spansWritten += written.spansWritten;
    }

    std::vector<qint64> ids;
    ids.reserve(round.requests.size());
    for (const auto& r : round.requests)
        ids.push_back(r.queued->id);
    if (!m_blobs) {
        completeRequests(ids);
        return int(claimed.size());
    }

    if (!m_blobsPrepared && m_options.prepareBlobs) {
        QString why;
        if (!m_options.prepareBlobs(&why)) {
            const QString reason = QStringLiteral("blob store: ") + why;
            setBlobStoreUp(false, reason);
            failRequests(all, reason, false);
            return int(claimed.size());
        }
        m_blobsPrepared = true;
    }

    // Each touched trace once, in first-seen order.
    std::vector<TraceId> traces;
    {
        std::unordered_set<TraceId> seen;
        for (const auto& r : round.requests)
            for (const TraceId& t : r.traces)
                if (seen.insert(t).second)
                    traces.push_back(t);
    }
    const std::vector<TraceObjectInfo> infos = m_store->traceObjectInfo(traces, &error);
    if (!error.isEmpty()) {
        const QString reason = QStringLiteral("PostgreSQL trace lookup: ") + error;
        setDatabaseUp(false, reason);
        failRequests(all, reason, false);
        return int(claimed.size());
    }
    std::unordered_map<TraceId, const TraceObjectInfo*> infoOf;
    for (const TraceObjectInfo& info : infos)
        infoOf.emplace(info.traceId, &info);

    std::unordered_set<TraceId> done;
    std::vector<std::pair<TraceId, QString>> keys;
    std::vector<std::pair<TraceId, QString>> replaced; // old keys of traces whose key changed
    QString uploadError;
    bool databaseFailed = false;
    bool interrupted = false;
    for (const TraceId& trace : traces) {
        if (stopping()) {
            interrupted = true;
            break;
        }
        const auto it = infoOf.find(trace);
        if (it == infoOf.end()) {
            uploadError = QStringLiteral("trace %1 is not in PostgreSQL after its write").arg(trace.toHex());
            databaseFailed = true;
            break;
        }
        QString key;
        QString why;
        if (!uploadTrace(*it->second, &key, &why)) {
            // Mostly the blob store is down; the other traces would only wait for the same timeout.
            uploadError = why;
            databaseFailed = why.startsWith(QLatin1String("PostgreSQL"));
            break;
        }
        done.insert(trace);
        if (it->second->rawBlobKey != key) {
            keys.emplace_back(trace, key);
            if (!it->second->rawBlobKey.isEmpty())
                replaced.emplace_back(trace, it->second->rawBlobKey);
        }
    }
    if (!uploadError.isEmpty()) {
        if (databaseFailed)
            setDatabaseUp(false, uploadError);
        else
            setBlobStoreUp(false, uploadError);
    } else if (!done.empty()) {
        setBlobStoreUp(true, QString());
    }
    if (!m_store->setTraceBlobKeys(keys, &error)) {
        // The objects are written but not recorded: every request of the round is retried (the puts repeat).
        const QString reason = QStringLiteral("PostgreSQL blob keys: ") + error;
        setDatabaseUp(false, reason);
        failRequests(all, reason, false);
        return int(claimed.size());
    }
    std::vector<qint64> completed;
    std::vector<const QueuedPayload*> unfinished;
    for (const auto& r : round.requests) {
        const bool allDone
            = std::all_of(r.traces.begin(), r.traces.end(), [&](const TraceId& t) { return done.count(t) > 0; });
        if (allDone) {
            completed.push_back(r.queued->id);
        } else {
            unfinished.push_back(r.queued);
        }
    }
    completeRequests(completed);
    if (!unfinished.empty()) {
        if (interrupted && uploadError.isEmpty()) {
            // Stopping: hand them back at once, for the next start or another worker.
            QString why;
            std::vector<qint64> back;
            back.reserve(unfinished.size());
            for (const QueuedPayload* q : unfinished)
                back.push_back(q->id);
            if (!m_store->failQueued(back, QStringLiteral("worker stopped before writing its objects"),
                    std::chrono::milliseconds(0), &why))
                qCWarning(lcIngest).noquote() << "coordinator: could not give back" << back.size()
                                              << "requests at stop (their lease runs out):" << why;
        } else {
            failRequests(unfinished, uploadError, false);
        }
    }
    // After completing: the requests are safe whatever happens here, and a slow blob store does not hold their lease.
    removeStaleObjects(replaced, !uploadError.isEmpty() && !databaseFailed);
    return int(claimed.size());
}

void IngestCoordinator::removeStaleObjects(
    const std::vector<std::pair<TraceId, QString>>& replaced, bool blobStoreFailed)
{
    if (replaced.empty())
        return;
    QStringList stale;
    for (const auto& [trace, old] : replaced)
        stale.append(old);
    if (blobStoreFailed) {
        qCWarning(lcIngest).noquote() << "coordinator: the blob store failed this round; stale objects left behind:"
                                      << stale.join(QStringLiteral(", "));
        return;
    }
    // Another worker with an older view of a trace may have recorded the old key again meanwhile: keep what is named.
    std::vector<TraceId> traces;
    traces.reserve(replaced.size());
    for (const auto& [trace, old] : replaced)
        traces.push_back(trace);
    QString error;
    const std::vector<TraceObjectInfo> now = m_store->traceObjectInfo(traces, &error);
    if (!error.isEmpty()) {
        qCWarning(lcIngest).noquote() << "coordinator: stale objects left behind, PostgreSQL could not confirm them "
                                         "stale:"
                                      << error << "; objects:" << stale.join(QStringLiteral(", "));
        return;
    }
    QStringList named;
    for (const TraceObjectInfo& info : now)
        named.append(info.rawBlobKey);
    for (qsizetype i = 0; i < stale.size(); ++i) {
        if (named.contains(stale[i]))
            continue;
        if (!m_blobs->remove(stale[i], &error)) {
            // Garbage only: the trace's data is in its new object. Not retried; a down store would only wait again.
            QString message = QStringLiteral("coordinator: could not delete the stale object %1 (left behind): %2")
                                  .arg(stale[i], error);
            if (i + 1 < stale.size())
                message += QStringLiteral("; also left behind: ") + stale.mid(i + 1).join(QStringLiteral(", "));
            qCWarning(lcIngest).noquote() << message;
            return;
        }
    }
}

bool IngestCoordinator::uploadTrace(const TraceObjectInfo& info, QString* key, QString* error)
{
    *key = S3BlobStore::traceObjectKey(info.environment, info.rootServiceName, info.startTimeUnixNano, info.traceId);
    for (int pass = 0; pass < MaxUploadPasses; ++pass) {
        QString why;
        const std::vector<Span> spans = m_store->traceSpans(info.traceId, &why);
        if (!why.isEmpty()) {
            *error = QStringLiteral("PostgreSQL spans of trace %1: %2").arg(info.traceId.toHex(), why);
            return false;
        }
        const QByteArray object = Gzip::deflate(OtlpJsonCodec::encodeRequest(spans, false));
        if (!m_blobs->put(*key, object, QStringLiteral("application/gzip"), &why)) {
            *error = QStringLiteral("blob store: ") + why;
            m_blobsPrepared = false; // the bucket may be gone: check it again before the next upload
            return false;
        }
        {
            std::lock_guard lock(m_mutex);
            ++m_counters.objectsWritten;
        }
        // Another worker may have added spans to this trace after we read them and written its object before ours:
        // then ours, the last one, lacks them. Spans are only ever added, so a grown count shows it.
        const std::optional<TraceSummary> now = m_store->traceSummary(info.traceId, &why);
        if (!why.isEmpty()) {
            *error = QStringLiteral("PostgreSQL summary of trace %1: %2").arg(info.traceId.toHex(), why);
            return false;
        }
        if (!now || qint64(now->spanCount) <= qint64(spans.size()))
            return true;
    }
    *error = QStringLiteral("trace %1 kept growing while its object was written").arg(info.traceId.toHex());
    return false;
}

void IngestCoordinator::completeRequests(const std::vector<qint64>& ids)
{
    if (ids.empty())
        return;
    QString error;
    if (!m_store->completeQueued(ids, &error)) {
        // Everything is written; the requests come back when their lease runs out and are rewritten, harmlessly.
        setDatabaseUp(false, QStringLiteral("completing queued requests: ") + error);
        return;
    }
    std::lock_guard lock(m_mutex);
    m_counters.requestsCompleted += qint64(ids.size());
}

void IngestCoordinator::failRequests(
    const std::vector<const QueuedPayload*>& requests, const QString& cause, bool poison)
{
    if (requests.empty())
        return;
    // Kept in the queue row, the log and last_error: see setDatabaseUp.
    const QString reason = ConnectionStrings::redact(cause);
    // One failQueued per distinct delay: requests that failed as often share a backoff.
    std::map<int, std::vector<qint64>> byAttempts;
    std::vector<qint64> parked;
    for (const QueuedPayload* q : requests) {
        if (poison && q->attempts + 1 >= m_options.maxDecodeAttempts)
            parked.push_back(q->id);
        else
            byAttempts[q->attempts].push_back(q->id);
        if (poison && (q->attempts == 0 || q->attempts + 1 >= m_options.maxDecodeAttempts))
            qCWarning(lcIngest).noquote()
                << "coordinator: queued request" << q->id << "from" << q->payload.peer << "cannot be decoded (attempt"
                << q->attempts + 1 << "of" << m_options.maxDecodeAttempts << "before it is parked):" << reason;
    }
    QString error;
    bool ok = true;
    for (const auto& [attempts, ids] : byAttempts)
        ok = m_store->failQueued(
                 ids, reason, withJitter(backoffFor(attempts, m_options.backoffInitial, m_options.backoffMax)), &error)
            && ok;
    if (!parked.empty())
        ok = m_store->failQueued(parked,
                 QStringLiteral("parked after %1 failed decodes: ").arg(m_options.maxDecodeAttempts) + reason,
                 m_options.poisonRetryAfter, &error)
            && ok;
    if (!ok)
        setDatabaseUp(false, QStringLiteral("giving back queued requests: ") + error);
    std::lock_guard lock(m_mutex);
    m_counters.failedAttempts += qint64(requests.size());
    if (poison)
        m_counters.poisonRequests += qint64(requests.size());
    m_counters.lastError = reason;
}

bool IngestCoordinator::refreshQueueDepth()
{
    QString error;
    const qint64 depth = m_store->queueDepth(&error);
    if (depth < 0)
        return false;
    std::lock_guard lock(m_mutex);
    m_counters.queueDepth = depth;
    return true;
}

void IngestCoordinator::setDatabaseUp(bool up, const QString& reason)
{
    // The stores mask what they know; this catches a connection string or URL echoed anywhere else.
    const QString error = ConnectionStrings::redact(reason);
    std::lock_guard lock(m_mutex);
    if (!up)
        m_counters.lastError = error;
    if (m_counters.databaseUp == up)
        return;
    m_counters.databaseUp = up;
    if (up)
        qCInfo(lcIngest) << "coordinator: PostgreSQL works again";
    else
        qCWarning(lcIngest).noquote() << "coordinator: PostgreSQL is failing; queued requests wait and are retried:"
                                      << error;
}

void IngestCoordinator::setBlobStoreUp(bool up, const QString& reason)
{
    const QString error = ConnectionStrings::redact(reason);
    std::lock_guard lock(m_mutex);
    if (!up)
        m_counters.lastError = error;
    if (m_counters.blobStoreUp == up)
        return;
    m_counters.blobStoreUp = up;
    if (up)
        qCInfo(lcIngest).noquote() << "coordinator: the blob store works again:" << m_blobs->description();
    else
        qCWarning(lcIngest).noquote() << "coordinator: the blob store is failing; requests stay queued and are "
                                         "retried:"
                                      << error;
}

IngestCoordinator::Counters IngestCoordinator::counters() const
{
    std::lock_guard lock(m_mutex);
    return m_counters;
}

QJsonObject IngestCoordinator::status() const
{
    const Counters c = counters();
    const auto state = [](bool up) { return up ? QStringLiteral("up") : QStringLiteral("down"); };
    return QJsonObject { { QStringLiteral("mode"), QStringLiteral("worker") },
        { QStringLiteral("queue_depth"), c.queueDepth }, { QStringLiteral("requests_completed"), c.requestsCompleted },
        { QStringLiteral("spans_written"), c.spansWritten }, { QStringLiteral("objects_written"), c.objectsWritten },
        { QStringLiteral("failed_attempts"), c.failedAttempts },
        { QStringLiteral("poison_requests"), c.poisonRequests }, { QStringLiteral("database"), state(c.databaseUp) },
        { QStringLiteral("blob_store"), m_blobs ? state(c.blobStoreUp) : QStringLiteral("off") },
        { QStringLiteral("last_error"), c.lastError } };
}
