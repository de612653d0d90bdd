#pragma once

#include "model/operationstats.h"
#include "model/spantreemodel.h"

#include <QFuture>
#include <QWidget>

#include <atomic>
#include <functional>
#include <memory>

class OperationStatsModel;
class QChartView;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QThreadPool;
class QToolButton;
class QTreeView;

/**
 * The "Statistics" tab: per operation (service, span name) count, errors, total, self time, min / mean / p50 / p95 /
 * max (OperationStatsModel, sortable) and under it the latency histogram of the chosen operation (Qt Charts), for
 * the open trace or for every trace matching the trace list's filter
 * (the scope combo). Both are computed on a worker thread (GuardedJob); a newer request drops an older result. The
 * filtered statistics come from the source the window gives (TraceStore::operationStats with the list's query) and
 * are computed when that scope is chosen, when the source changes while it is chosen, and on Refresh. GUI thread.
 */
class StatisticsView : public QWidget {
    Q_OBJECT
public:
    enum class Scope { Trace, Filtered };
    /// Computes the filtered statistics on a worker thread; stops early (any result) once `cancelled()` is true.
    using Source = std::function<std::vector<OperationStats>(const std::function<bool()>& cancelled, QString* error)>;

    explicit StatisticsView(QWidget* parent = nullptr);
    ~StatisticsView() override;

    /// The open trace (null: none); recomputed at once for the Trace scope.
    void setTree(std::shared_ptr<const SpanTree> tree);
    /**
     * The filtered traces' statistics come from `source` from now on (empty: none). A computation still running
     * from the previous source is cancelled and waited for before this returns, so what it reads may go then.
     */
    void setSource(Source source);
    void setScope(Scope scope);
    Scope scope() const;
    /// The pool the work runs on (not owned); default QThreadPool::globalInstance().
    void setThreadPool(QThreadPool* pool) { m_pool = pool; }
    /// Recomputes the current scope.
    void refresh();
    /// Waits for the computation running, if any (tests).
    void waitForIdle();
    bool isComputing() const { return m_computing; }

    OperationStatsModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QString summaryText() const;
    static constexpr int HistogramBuckets = 16;
    /// The operation (model row) whose latency histogram is shown, or -1; and its bin counts.
    int histogramRow() const { return m_histogramRow; }
    const std::vector<qint64>& histogramCounts() const { return m_histogramCounts; }

Q_SIGNALS:
    /// A result (or an error) was shown.
    void computed();

private:
    void start();
    void cancelRunning();
    void showHistogram(int row);

    OperationStatsModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTreeView* m_view;
    QComboBox* m_scope;
    QToolButton* m_refresh;
    QLabel* m_summary;
    QChartView* m_histogram;
    int m_histogramRow = -1;
    std::vector<qint64> m_histogramCounts;
    std::shared_ptr<const SpanTree> m_tree;
    Source m_source;
    QThreadPool* m_pool = nullptr;
    QFuture<void> m_running; // completes when the worker is done (its result is delivered separately)
    std::shared_ptr<std::atomic<bool>> m_cancel;
    quint64 m_generation = 0;
    bool m_computing = false;
    qint64 m_spans = 0;
    QString m_error;
};
