#include "traceloader.h"

#include "model/guardedjob.h"
#include "storage/tracestore.h"
#include "ui/storeconnection.h"
#include "ui/uilogging.h"

#include <QElapsedTimer>
#include <QPromise>
#include <QThreadPool>

TraceLoader::TraceLoader(QObject* parent)
    : QObject(parent)
{
}

TraceLoader::~TraceLoader()
{
    // A worker may still read a store that goes with whoever owns it.
    ++m_generation;
    waitForStoreReads();
}

void TraceLoader::setStore(TraceStore* store, std::shared_ptr<TraceStore> keep, bool asynchronous)
{
    ++m_generation;
    m_loading = false;
    waitForStoreReads();
    m_store = store;
    m_keep = std::move(keep);
    m_asynchronous = asynchronous;
}

void TraceLoader::waitForStoreReads()
{
    for (QFuture<Result>& read : m_storeReads)
        read.waitForFinished();
    m_storeReads.clear();
}

void TraceLoader::cancel()
{
    ++m_generation;
    m_loading = false;
}

void TraceLoader::analyze(Trace& trace, const PriceTable& prices)
{
    QElapsedTimer phase;
    phase.start();
    trace.run = std::make_shared<const GenAi::Run>(GenAi::analyze(*trace.tree, &prices));
    const qint64 genAiNs = phase.nsecsElapsed();
    trace.criticalPath = std::make_shared<const CriticalPath::Result>(CriticalPath::compute(*trace.tree));
    const qint64 pathNs = phase.nsecsElapsed();
    trace.flameGraph = FlameGraphLayout::build(*trace.tree);
    const qint64 flameNs = phase.nsecsElapsed();
    trace.timeOverview = TimeOverview::build(*trace.tree);
    qCDebug(lcUi, "trace %s%s: GenAI %.0f ms, critical path %.0f ms, flame graph %.0f ms, time overview %.0f ms",
            qPrintable(trace.id.toHex()), trace.complete ? "" : " (head)", double(genAiNs) / 1e6,
            double(pathNs - genAiNs) / 1e6, double(flameNs - pathNs) / 1e6, double(phase.nsecsElapsed() - flameNs) / 1e6);
}

TraceLoader::Trace TraceLoader::read(TraceStore* store, const TraceId& id, const PriceTable& prices, bool outline,
                                     QString* error)
{
    Trace trace;
    trace.id = id;
    QElapsedTimer phase;
    phase.start();
    std::vector<Span> spans = outline ? store->traceSpanOutlines(id, error) : store->traceSpans(id, error);
    if (!error->isEmpty())
        return trace;
    QString partError;
    trace.payloads = store->tracePayloads(id, &partError);
    if (!partError.isEmpty()) {
        qCWarning(lcUi) << "cannot load payloads of trace" << id.toHex() << partError;
        trace.payloadError = partError;
        partError.clear();
    }
    std::vector<LogRecord> logs = store->traceLogs(id, &partError);
    if (!partError.isEmpty()) // the spans are still worth showing
        qCWarning(lcUi) << "cannot load log records of trace" << id.toHex() << partError;
    const qint64 readNs = phase.nsecsElapsed();
    trace.tree = SpanTree::build(std::move(spans), std::move(logs), outline);
    trace.spanCount = qint64(trace.tree->spans.size());
    qCDebug(lcUi, "trace %s: %zu spans%s, read %.0f ms, tree %.0f ms", qPrintable(id.toHex()), trace.tree->spans.size(),
            outline ? " (outlines)" : "", double(readNs) / 1e6, double(phase.nsecsElapsed() - readNs) / 1e6);
    analyze(trace, prices);
    return trace;
}

TraceLoader::Trace TraceLoader::readHead(TraceStore* store, const TraceId& id, std::size_t count,
                                         const PriceTable& prices, QString* error)
{
    Trace trace;
    trace.id = id;
    trace.complete = false;
    QElapsedTimer phase;
    phase.start();
    std::vector<Span> spans = store->firstSpanOutlines(id, count, error);
    if (!error->isEmpty())
        return trace;
    const std::optional<TraceSummary> summary = store->traceSummary(id);
    const qint64 readNs = phase.nsecsElapsed();
    std::shared_ptr<const SpanTree> tree = SpanTree::build(std::move(spans), {}, true);
    // The head's bars where the whole trace will put them: its time range is the trace's.
    if (summary && !tree->spans.empty()
        && (summary->startTimeUnixNano < tree->startTimeUnixNano || summary->endTimeUnixNano > tree->endTimeUnixNano)) {
        auto spread = std::make_shared<SpanTree>(*tree);
        spread->startTimeUnixNano = std::min(spread->startTimeUnixNano, summary->startTimeUnixNano);
        spread->endTimeUnixNano = std::max(spread->endTimeUnixNano, summary->endTimeUnixNano);
        tree = std::move(spread);
    }
    trace.tree = std::move(tree);
    trace.spanCount = summary ? summary->spanCount : 0;
    qCDebug(lcUi, "trace %s: head of %zu spans, read %.0f ms, tree %.0f ms", qPrintable(id.toHex()),
            trace.tree->spans.size(), double(readNs) / 1e6, double(phase.nsecsElapsed() - readNs) / 1e6);
    analyze(trace, prices);
    return trace;
}

void TraceLoader::load(const TraceId& id, qint64 spanCount)
{
    const quint64 generation = ++m_generation;
    if (!m_store) {
        m_loading = false;
        return;
    }
    if (spanCount < 0) {
        spanCount = 0;
        if (!m_asynchronous)
            if (auto summary = m_store->traceSummary(id))
                spanCount = summary->spanCount;
    }

    TraceStore* store = m_store;
    // Outlines only where the inspector can read the full span at once: not from a store read asynchronously.
    const bool outline = !m_asynchronous && spanCount >= m_outlineThreshold;
    if (spanCount < AsyncLoadThreshold && !m_asynchronous) {
        m_loading = false;
        Result result;
        result.trace = read(store, id, m_prices, outline, &result.error);
        deliver(std::move(result));
        return;
    }
    m_loading = true;
    Q_EMIT loadStarted(id, spanCount);
    // A remote store's load keeps the store alive by itself, so that switching stores never waits for it.
    std::shared_ptr<TraceStore> keep = m_asynchronous ? m_keep : nullptr;
    QThreadPool* pool = keep ? StoreOpener::threadPool() : QThreadPool::globalInstance();
    // The head of a very large trace first (it reads only the spans it shows), on the same worker, before the rest.
    std::shared_ptr<QPromise<Result>> head;
    if (outline && spanCount >= m_progressiveThreshold && m_headSpans > 0) {
        head = std::make_shared<QPromise<Result>>();
        head->start();
        GuardedJob::deliver(head->future(), this, [this, generation](Result partial) {
            // Stale, or the whole trace came first (m_loading is false once it is delivered): drop it.
            if (generation != m_generation || !m_loading)
                return;
            deliver(std::move(partial));
        });
    }
    QFuture<Result> work = GuardedJob::run(pool, [store, keep, id, prices = m_prices, outline, head,
                                                  headSpans = m_headSpans] {
        if (head) {
            Result partial;
            partial.trace = readHead(store, id, headSpans, prices, &partial.error);
            partial.trace.loadedAsynchronously = true;
            if (partial.error.isEmpty()) // else the whole read reports it
                head->addResult(std::move(partial));
            head->finish();
        }
        Result result;
        result.trace = read(store, id, prices, outline, &result.error);
        result.trace.loadedAsynchronously = true;
        return result;
    });
    GuardedJob::deliver(work, this, [this, generation](Result result) {
        // A newer request (another trace, a newer version of this one, another store) makes this stale.
        if (generation != m_generation)
            return;
        m_loading = false;
        deliver(std::move(result));
    });
    if (!keep) {
        m_storeReads.removeIf([](const QFuture<Result>& read) { return read.isFinished(); });
        m_storeReads << work;
    }
}

void TraceLoader::deliver(Result result)
{
    if (!result.error.isEmpty())
        Q_EMIT loadFailed(result.trace.id, result.error);
    else
        Q_EMIT traceAvailable(result.trace);
}
