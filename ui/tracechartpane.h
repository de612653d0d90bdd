#pragma once

#include <QWidget>

class QStackedWidget;
class QTabBar;
class TraceScatterView;
class TraceTimeSeriesView;

/**
 * The chart above the trace list, one of: Scatter (TraceScatterView: the listed traces by start and duration),
 * Throughput, Error rate, Tokens (TraceTimeSeriesView over every trace the filter matches, computed by the store).
 * A small tab bar switches between them; the choice is kept in QSettings ("traceList/chart": scatter, throughput,
 * errorRate, tokens). GUI thread only.
 */
class TraceChartPane : public QWidget {
    Q_OBJECT
public:
    enum class Chart { Scatter, Throughput, ErrorRate, Tokens };

    explicit TraceChartPane(QWidget* parent = nullptr);
    ~TraceChartPane() override;

    TraceScatterView* scatter() const { return m_scatter; }
    TraceTimeSeriesView* timeSeries() const { return m_timeSeries; }
    QTabBar* tabBar() const { return m_tabs; }

    Chart chart() const;
    /// Shows `chart` (as a click on its tab does) and remembers it.
    void setChart(Chart chart);

Q_SIGNALS:
    void chartChanged(TraceChartPane::Chart chart);

private:
    void showChart(int index);

    QTabBar* m_tabs;
    QStackedWidget* m_stack;
    TraceScatterView* m_scatter;
    TraceTimeSeriesView* m_timeSeries;
};
