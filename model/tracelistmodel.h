#pragma once

#include "model/tracequery.h"
#include "model/tracesummary.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QVector>

#include <functional>
#include <optional>
#include <vector>

/**
 * The trace list: one row per TraceSummary, newest first, paged from a store with keyset cursors
 * (canFetchMore/fetchMore, PageSize rows per page). GUI thread only; store reads happen synchronously on it.
 *
 * The model reads through a TraceSource so that model/ does not depend on storage/; setStore() adapts any
 * TraceStore-like object. refresh() merges the newest page into the loaded rows with batched row inserts and
 * dataChanged (live updates); only setQuery() resets the model.
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
        TokensColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< raw numbers (ns, counts) or text
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

    /// Any object with TraceStore's listTraces/traceSummary; it must outlive the model. Loads the first page.
    template <typename Store>
    void setStore(Store* store)
    {
        TraceSource source;
        if (store) {
            source.listTraces = [store](const TraceQuery& q, QString* e) { return store->listTraces(q, e); };
            source.traceSummary = [store](const TraceId& id, QString* e) { return store->traceSummary(id, e); };
        }
        setSource(std::move(source));
    }
    void setSource(TraceSource source);

    TraceQuery query() const { return m_query; }
    /// Replaces the filter (paging fields are ignored) and reloads the first page with a model reset.
    void setQuery(const TraceQuery& query);

    /**
     * Live update: re-reads the summaries of `changedTraces` that are loaded, then the newest page, and merges
     * both in (new rows inserted in batches, changed rows updated in place).
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

Q_SIGNALS:
    void loadFailed(const QString& error);

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
    std::vector<TraceSummary> fetchPage(const TraceSummary* after);
    void insertSorted(std::vector<TraceSummary> rows);
    void removeRowAt(int row);
    void rebuildIndex();

    TraceSource m_source;
    TraceQuery m_query;
    std::vector<TraceSummary> m_rows;
    QHash<TraceId, int> m_rowById;
    bool m_hasMore = false;
    bool m_changing = false; // inside a reset/insert/remove and its signals
    bool m_fetchQueued = false;
};
