#pragma once

#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QThreadPool;

/**
 * The trace list: one row per TraceSummary in the query's order (TraceQuery::order, newest first by default), paged
 * from a store with keyset cursors (canFetchMore/fetchMore, PageSize rows per page). The store sorts: sort() (a
 * view's sortable header) sets the query's order and reloads, so the first row is the first of every matching trace,
 * loaded or not. GUI thread only.
 *
 * The model reads through a TraceSource so that model/ does not depend on storage/; setStore() adapts any
 * TraceStore-like object. refresh() merges the first page into the loaded rows with batched row inserts, row moves
 * for rows whose sort key changed, and dataChanged (live updates); only setQuery() and sort() reset the model.
 *
 * Synchronous mode (the default): store reads happen on the GUI thread inside setQuery/fetchMore/refresh, so the
 * rows are there when they return. Asynchronous mode (setAsynchronous, for slow stores such as a remote
 * PostgreSQL): the reads run on a thread pool and their rows are applied later on the GUI thread; setQuery() empties
 * the model at once, loading() is true while a read is pending (loadingChanged), fetchMore() does nothing while
 * the previous page is still coming, refresh() requests are coalesced, and results made stale by a newer setQuery()
 * or setSource() are dropped. Errors come as loadFailed in both modes.
 */
class TraceListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        StartColumn,
        ServiceColumn,
        NameColumn,
        DurationColumn,
        SpansColumn,
        ErrorsColumn,
        LlmCallsColumn,
        ToolCallsColumn,
        InputTokensColumn,
        OutputTokensColumn,
        CostColumn, ///< priced by priceTable(); sorted by the store too (TraceOrder::Cost with these prices)
        ColumnCount,
    };
    enum Role {
        /// Raw numbers (ns, counts), text, or for CostColumn TraceOrdering::costKey (the amount as a double, -1 when
        /// tokens were used but a model has no price or the currencies differ, 0 when nothing was priced)
        SortRole = Qt::UserRole + 1,
        TraceIdRole, ///< QString, hex trace id
        HasErrorsRole, ///< bool
    };
    static constexpr int PageSize = 200;

    /// Store reads the model needs; both may be called often (errors through *error, never thrown).
    struct TraceSource {
        std::function<std::vector<TraceSummary>(const TraceQuery&, QString* error)> listTraces;
        std::function<std::optional<TraceSummary>(const TraceId&, QString* error)> traceSummary;
    };

    explicit TraceListModel(QObject* parent = nullptr);
    ~TraceListModel() override;

    /// A source reading `store` (any object with TraceStore's listTraces/traceSummary); it must outlive every call.
    template <typename Store>
    static TraceSource sourceFor(Store* store)
    {
        TraceSource source;
        if (store) {
            source.listTraces = [store](const TraceQuery& q, QString* e) { return store->listTraces(q, e); };
            source.traceSummary = [store](const TraceId& id, QString* e) { return store->traceSummary(id, e); };
        }
        return source;
    }
    /// A source that keeps `store` alive as long as a read (also one still running on a worker) needs it.
    template <typename Store>
    static TraceSource sourceFor(std::shared_ptr<Store> store)
    {
        TraceSource source;
        if (store) {
            source.listTraces = [store](const TraceQuery& q, QString* e) { return store->listTraces(q, e); };
            source.traceSummary = [store](const TraceId& id, QString* e) { return store->traceSummary(id, e); };
        }
        return source;
    }

    /// Reads `store`, which must outlive the model (asynchronous mode: use a shared_ptr). Loads the first page.
    template <typename Store>
    void setStore(Store* store)
    {
        setSource(sourceFor(store));
    }
    template <typename Store>
    void setStore(std::shared_ptr<Store> store)
    {
        setSource(sourceFor(std::move(store)));
    }
    /// Reads `source` and loads the first page of the current query. In asynchronous mode the source's functions
    /// are called on pool threads, also after they were replaced, until those calls return.
    void setSource(TraceSource source);
    /// Reads `source` with `query` (one load, not two).
    void setSource(TraceSource source, const TraceQuery& query);

    /// See the class comment. Takes effect with the next load; pending results are dropped when it changes.
    void setAsynchronous(bool asynchronous);
    bool isAsynchronous() const { return m_async; }
    /// The pool asynchronous reads run on (not owned); default QThreadPool::globalInstance().
    void setThreadPool(QThreadPool* pool);
    /// True while an asynchronous read of the first page, of more rows or of a refresh is pending.
    bool isLoading() const { return m_loading; }

    TraceQuery query() const { return m_query; }
    /// Replaces the filter and order (paging fields are ignored) and reloads the first page with a model reset.
    void setQuery(const TraceQuery& query);

    /// Sets the query's order to `column`'s key and reloads (a model reset) unless it is the current order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    /// The table the cost column prices the traces' model usage with (default PriceTable::defaults()), also the
    /// query's TraceQuery::prices (whatever setQuery() is given); setting another one refreshes that column, or
    /// reloads when the list is ordered by cost.
    void setPriceTable(const PriceTable& prices);
    const PriceTable& priceTable() const { return m_prices; }

    /// The order of a column (StartTime for an invalid one), and the column of an order (StartColumn for Tokens,
    /// which no column shows now). Every column is sorted by the store.
    static bool isStoreSorted(int column) { return column >= 0 && column < ColumnCount; }
    static TraceOrder orderOfColumn(int column);
    static int columnOfOrder(TraceOrder order);

    /**
     * Live update: re-reads the summaries of `changedTraces` that are loaded (in an order other than newest first and
     * without a text filter, also those not loaded, which may now sort among the loaded rows), then the first page,
     * and merges
     * both in (new rows inserted in batches, changed rows updated in place or moved when their sort key changed). A
     * row that now sorts after the last loaded row while more pages exist leaves; fetchMore brings it back.
     */
    void refresh(const QVector<TraceId>& changedTraces = {});

    TraceId traceIdAt(int row) const;
    const TraceSummary* summaryAt(int row) const;
    int rowOf(const TraceId& id) const { return m_rowById.value(id, -1); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    /// "850 ns", "12.3 µs", "1.23 ms", "4.5 s", "2.5 min", "1.2 h" (3 significant digits).
    static QString formatDuration(std::uint64_t nanos);
    /// Local time "yyyy-MM-dd hh:mm:ss.zzz".
    static QString formatTimestamp(std::uint64_t unixNanos);
    /**
     * A duration typed by the user, in ns: a decimal number ("250", "1.5", ".5") and a unit, ns, us (µs), ms, s,
     * m (min) or h, case-insensitive, spaces allowed around both; no unit means ms. Empty (or only spaces): 0, no bound.
     * Nothing (std::nullopt) for anything else: a sign, a comma, an unknown unit, more than INT64_MAX ns.
     */
    static std::optional<std::uint64_t> parseDuration(QStringView text);

Q_SIGNALS:
    void loadFailed(const QString& error);
    /// isLoading() changed (asynchronous mode only).
    void loadingChanged(bool loading);

private:
    struct ChangeGuard {
        explicit ChangeGuard(TraceListModel* model)
            : m_model(model)
        {
            m_model->m_changing = true;
        }
        ~ChangeGuard() { m_model->m_changing = false; }
        TraceListModel* m_model;
    };
    /// What refresh() read: the changed loaded traces and the first pages, and how they meet the loaded rows.
    struct RefreshData {
        std::vector<TraceSummary> incoming;
        bool gap = false; ///< the first pages did not reach the loaded rows
        bool reachedEnd = false; ///< the first pages hold every matching trace
        QString error;
    };
    static std::vector<TraceSummary> fetchPage(const TraceSource& source, const TraceQuery& query,
        const TraceSummary* after, QString* error);
    /// Changed traces whose summaries refresh() re-reads.
    struct Changed {
        QVector<TraceId> loaded;
        QVector<TraceId> unloaded; ///< kept when they match the query (summaryMatches)
    };
    /// Runs on any thread: `newestLoaded` is the first loaded row (in the query's order).
    static RefreshData collectRefresh(const TraceSource& source, const TraceQuery& query, const Changed& changed,
        const std::optional<TraceSummary>& newestLoaded);
    Changed changedAmong(const QVector<TraceId>& traceIds) const;
    static bool summaryMatches(const TraceQuery& query, const TraceSummary& summary);
    void applyRefresh(RefreshData data);
    void applyMore(std::vector<TraceSummary> page);
    void startFirstPage();
    void startRefresh(const QVector<TraceId>& changedTraces);
    void updateLoading();
    bool listedBefore(const TraceSummary& a, const TraceSummary& b) const;
    void insertSorted(std::vector<TraceSummary> rows);
    void moveToSortedRow(int row, TraceSummary summary);
    void removeRowAt(int row);
    void rebuildIndex();

    QString costText(const TraceSummary& s) const;
    QString genAiToolTip(const TraceSummary& s) const;

    TraceSource m_source;
    TraceQuery m_query;
    PriceTable m_prices;
    std::vector<TraceSummary> m_rows;
    QHash<TraceId, int> m_rowById;
    bool m_hasMore = false;
    bool m_changing = false; // inside a reset/insert/remove and its signals
    bool m_fetchQueued = false;

    // Asynchronous mode.
    bool m_async = false;
    QThreadPool* m_pool = nullptr;
    quint64 m_generation = 0; // results of an older generation are stale
    bool m_firstPageRunning = false;
    bool m_moreRunning = false;
    bool m_refreshRunning = false;
    bool m_refreshQueued = false;
    QVector<TraceId> m_queuedChanges;
    bool m_loading = false;
};
