#pragma once

#include "model/criticalpath.h"
#include "model/flamegraphlayout.h"
#include "model/genai.h"
#include "model/ids.h"
#include "model/pricetable.h"
#include "model/rawpayload.h"
#include "model/spantreemodel.h"
#include "model/timeoverview.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class TraceStore;

/**
 * Loads one trace for the trace view: its spans and log records (as a SpanTree), its raw payloads, and its agent run
 * (GenAi::analyze, priced with setPriceTable()'s table).
 *
 * Traces of AsyncLoadThreshold spans or more, and every trace of a store read asynchronously (a remote one), load
 * on a worker thread and come back through GuardedJob; smaller ones load at once inside load(). Only the newest
 * request is answered: load(), cancel() and setStore() make every earlier pending result stale, and it is dropped.
 *
 * A store the loader does not keep alive (setStore without `keep`) must outlive the loads reading it: setStore()
 * and the destructor wait for them (for the read, not for the delivery). A kept store (a shared remote one) is held
 * by its loads, so switching stores never waits on the network.
 *
 * Errors: loadFailed when the spans cannot be read; a trace whose raw payloads or log records cannot be read still
 * loads (Trace::payloadError, a warning in the log). GUI thread only (the thread it lives on).
 */
class TraceLoader : public QObject {
    Q_OBJECT
public:
    /// Traces with at least this many spans load off the GUI thread.
    static constexpr qint64 AsyncLoadThreshold = 2000;
    /// Traces with at least this many spans load as outlines (SpanTree::outline) from a local store: the inspector
    /// reads the span it shows in full. About 1 KiB less per span for spans with attributes.
    static constexpr qint64 OutlineThreshold = 20000;
    /// Traces with at least this many spans, loaded as outlines, show their head first: the first HeadSpans spans by
    /// start time (TraceStore::firstSpanOutlines) as an incomplete Trace, then the whole trace.
    static constexpr qint64 ProgressiveThreshold = 200000;
    static constexpr std::size_t HeadSpans = 10000;

    /// One loaded trace. Plain value; the tree is shared and immutable.
    struct Trace {
        TraceId id;
        std::shared_ptr<const SpanTree> tree; ///< never null in traceAvailable; no spans: the store has none
        std::shared_ptr<const GenAi::Run> run; ///< the GenAI reading of the tree; never null in traceAvailable
        /// CriticalPath::compute of the tree; never null in traceAvailable
        std::shared_ptr<const CriticalPath::Result> criticalPath;
        /// FlameGraphLayout::build of the tree; never null in traceAvailable
        std::shared_ptr<const FlameGraphLayout> flameGraph;
        /// TimeOverview::build of the tree (the minimap's density, the idle gaps); never null in traceAvailable
        std::shared_ptr<const TimeOverview> timeOverview;
        std::vector<RawPayload> payloads; ///< the OTLP requests the trace's spans came in
        QString payloadError; ///< the spans loaded, the raw payloads did not (e.g. S3 unreachable)
        bool loadedAsynchronously = false; ///< came from a worker thread (loadStarted was emitted for it)
        /// False for the head of a large trace (ProgressiveThreshold): the tree holds the first spans by start time
        /// (its start and end are the whole trace's, from its summary), no payloads and no log records; the whole
        /// trace follows in a second traceAvailable unless a newer request comes first.
        bool complete = true;
        qint64 spanCount = 0; ///< spans in the whole trace as far as known when loading started (0: unknown)
    };

    explicit TraceLoader(QObject* parent = nullptr);
    ~TraceLoader() override;

    /**
     * Reads from `store` from now on (nullptr: loads answer nothing). Pending loads become stale; those reading the
     * previous store without keeping it are waited for, so the previous store may go once this returns. `keep`,
     * when set, owns `store` and is held by every load reading it. `asynchronous`: every load runs on a worker
     * thread (on StoreOpener::threadPool() when `keep` is set), whatever its size.
     */
    void setStore(TraceStore* store, std::shared_ptr<TraceStore> keep = nullptr, bool asynchronous = false);
    TraceStore* store() const { return m_store; }
    /// Prices the runs of the loads started from now on.
    void setPriceTable(PriceTable prices) { m_prices = std::move(prices); }
    /// Changes OutlineThreshold for the loads started from now on (tests); 0 loads every trace as outlines.
    void setOutlineThreshold(qint64 spans) { m_outlineThreshold = spans; }
    /// Changes ProgressiveThreshold and HeadSpans for the loads started from now on (tests).
    void setProgressiveLoading(qint64 threshold, std::size_t headSpans)
    {
        m_progressiveThreshold = threshold;
        m_headSpans = headSpans;
    }
    const PriceTable& priceTable() const { return m_prices; }

    /**
     * Loads trace `id` (spanCount: its number of spans when known, else -1 to ask the store). Small traces are
     * loaded and answered (traceAvailable / loadFailed) before this returns; others emit loadStarted and answer
     * later, unless a newer request comes first. The largest answer twice: their head (Trace::complete false), then
     * the whole trace; isLoading() stays true in between.
     */
    void load(const TraceId& id, qint64 spanCount = -1);
    /// Drops the pending load's result, if any (its read still finishes on the worker).
    void cancel();
    /// True while a load runs on a worker thread and its result is still wanted.
    bool isLoading() const { return m_loading; }
    /// Waits until no load reads a store the loader does not keep (the pending result, if any, still arrives).
    void waitForStoreReads();

    /// Reads trace `id` from `store` on the calling thread. *error is set (and the tree null) when the spans cannot
    /// be read; a missing trace is an empty tree.
    static Trace read(TraceStore* store, const TraceId& id, const PriceTable& prices, bool outline, QString* error);
    /// Reads the first `count` span outlines of trace `id` by start time as an incomplete Trace (Trace::complete),
    /// spread over the whole trace's time range when its summary says it; otherwise like read().
    static Trace readHead(TraceStore* store, const TraceId& id, std::size_t count, const PriceTable& prices,
                          QString* error);

Q_SIGNALS:
    /// A load went to a worker thread; spanCount is 0 when unknown.
    void loadStarted(const TraceId& id, qint64 spanCount);
    /// The newest requested trace, loaded.
    void traceAvailable(const TraceLoader::Trace& trace);
    /// The newest requested trace could not be read.
    void loadFailed(const TraceId& id, const QString& error);

private:
    struct Result {
        Trace trace;
        QString error;
    };
    void deliver(Result result);
    /// The tree's analyses (GenAI run, critical path, flame graph, time overview) into `trace`, on the calling thread.
    static void analyze(Trace& trace, const PriceTable& prices);

    TraceStore* m_store = nullptr;
    std::shared_ptr<TraceStore> m_keep;
    bool m_asynchronous = false;
    bool m_loading = false;
    PriceTable m_prices = PriceTable::defaults();
    qint64 m_outlineThreshold = OutlineThreshold;
    qint64 m_progressiveThreshold = ProgressiveThreshold;
    std::size_t m_headSpans = HeadSpans;
    quint64 m_generation = 0;
    QList<QFuture<Result>> m_storeReads;
};

Q_DECLARE_METATYPE(TraceLoader::Trace)
