#pragma once

#include "model/tracequery.h"
#include "model/tracetimeseries.h"

#include <QChartView>
#include <QElapsedTimer>
#include <QFuture>

#include <functional>
#include <vector>

class QThreadPool;
class TraceStore;

/**
 * Throughput, error rate or tokens over time of the traces the trace list's filter matches, as computed by the
 * store (TraceStore::traceTimeSeries): one step per bucket of trace start time, the bucket size picked among
 * TraceTimeSeries::niceBucketSizes() to give about 60 to 120 buckets over the filter's time range, else over the
 * matching traces' range. Throughput: traces per bucket (area, left axis) and spans per bucket (line, right axis);
 * error rate: % of the bucket's traces with an error; tokens: input and output tokens stacked. The axes name the
 * unit ("traces / min").
 *
 * The figures are computed on a worker thread (GuardedJob, on setThreadPool's pool) from the Source the window
 * gives; a newer request drops an older result. setSource computes at once (when shown); refresh() (live ingest)
 * at most once every RefreshIntervalMs. Hidden, it computes nothing until shown. A click on a bucket emits
 * timeRangeSelected with that bucket's start times. Follows the palette (dark theme on a dark window). GUI thread.
 */
class TraceTimeSeriesView : public QChartView {
    Q_OBJECT
public:
    enum class Metric { Throughput, ErrorRate, Tokens };
    static constexpr int RefreshIntervalMs = 1000;

    /// What one computation found: the bucket size (ns), the range shown (Unix ns) and every bucket of it (empty
    /// ones filled in as zeros), or an error.
    struct Series {
        std::uint64_t bucketNanos = 0;
        std::uint64_t fromUnixNano = 0;
        std::uint64_t toUnixNano = 0;
        std::vector<TraceTimeBucket> buckets;
        QString error;
    };
    /// Computes a Series on a worker thread.
    using Source = std::function<Series()>;

    /**
     * Reads `filter`'s series from `store` (any thread): the range is the filter's start time range (ending now,
     * `nowUnixNano`, when it has no end), else from the first to the last matching trace's start (listTraces, one
     * row each way); the bucket size TraceTimeSeries::niceBucketSize of it.
     */
    static Series compute(TraceStore& store, const TraceQuery& filter, std::uint64_t nowUnixNano);

    explicit TraceTimeSeriesView(QWidget* parent = nullptr);
    ~TraceTimeSeriesView() override;

    /// The series come from `source` from now on (empty: none, nothing drawn). Waits for a computation still
    /// running from the previous source, so what it reads may go once this returns; then computes (when shown).
    void setSource(Source source);
    /// Live ingest: computes again, at most once every RefreshIntervalMs.
    void refresh();
    void setMetric(Metric metric);
    Metric metric() const { return m_metric; }
    /// The pool the work runs on (not owned); default QThreadPool::globalInstance().
    void setThreadPool(QThreadPool* pool) { m_pool = pool; }
    /// Waits for the computation running, if any, and delivers its result (tests).
    void waitForIdle();
    bool isComputing() const { return m_computing; }

    /// The series drawn last.
    const Series& series() const { return m_series; }
    /// The names of the series drawn, and the value each shows per bucket (read back from the chart's series; a
    /// stacked series gives its own share).
    QStringList seriesNames() const;
    std::vector<double> seriesValues(const QString& name) const;
    /// The title of the left value axis, e.g. "traces / min".
    QString valueAxisTitle() const;
    /// "min", "5 min", "s", "day": the bucket size as the axis titles name it.
    static QString bucketUnit(std::uint64_t bucketNanos);
    /// The bucket whose bar is under `position` (viewport coordinates), or -1.
    int bucketAt(const QPoint& position) const;
    /// The middle of bucket `index` at half the plot's height (viewport coordinates).
    QPoint positionOfBucket(int index) const;

Q_SIGNALS:
    /// A result (or an error) was drawn.
    void computed();
    /// A click on a bucket: its start times from..to (Unix ns, both included).
    void timeRangeSelected(std::uint64_t fromUnixNano, std::uint64_t toUnixNano);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;
    void timerEvent(QTimerEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    void start();
    void redraw();
    double xOfBucketStart(std::size_t index) const;

    Source m_source;
    QThreadPool* m_pool = nullptr;
    QFuture<void> m_running;
    quint64 m_generation = 0;
    bool m_computing = false;
    bool m_dirty = true; ///< the source changed or live data arrived since the last computation started
    int m_timer = 0;
    QElapsedTimer m_lastStart;
    Metric m_metric = Metric::Throughput;
    Series m_series;
    QAbstractSeries* m_positionSeries = nullptr; ///< maps values to positions (the first series drawn)
    QPoint m_pressPos;
};
