#pragma once

#include "model/ids.h"
#include "model/tracesummary.h"

#include <QChartView>

#include <vector>

class QRubberBand;
class QScatterSeries;
class QDateTimeAxis;
class QValueAxis;

/**
 * The scatter of the listed traces above the trace list, as Jaeger UI's search plot: one point per trace at (start
 * time, duration in ms), traces with errors in red. Click a point: traceActivated; drag across the plot:
 * timeRangeSelected with the dragged start-time range (Unix ns). Follows the palette (dark theme on a dark window).
 * setTraces() is cheap to call often: the plot redraws at most once a second (live ingest). GUI thread only.
 */
class TraceScatterView : public QChartView {
    Q_OBJECT
public:
    static constexpr int RedrawIntervalMs = 1000;

    explicit TraceScatterView(QWidget* parent = nullptr);
    ~TraceScatterView() override;

    /// The traces to plot; drawn at once the first time and when `now`, else within RedrawIntervalMs.
    void setTraces(std::vector<TraceSummary> traces, bool now = false);
    int pointCount() const; ///< points drawn (both series)
    int errorPointCount() const;
    /// The trace of the point nearest to `position` (viewport coordinates) within a few pixels, or an invalid id.
    TraceId traceAt(const QPoint& position) const;
    /// Where the point of `id` is drawn (viewport coordinates), or (-1, -1) when it is not drawn.
    QPoint positionOf(const TraceId& id) const;

Q_SIGNALS:
    void traceActivated(const TraceId& id);
    /// A drag across the plot: the start times from..to (Unix ns, from < to).
    void timeRangeSelected(std::uint64_t fromUnixNano, std::uint64_t toUnixNano);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;
    void timerEvent(QTimerEvent* event) override;

private:
    void redraw();
    void applyTheme();

    QScatterSeries* m_ok;
    QScatterSeries* m_errors;
    QDateTimeAxis* m_x;
    QValueAxis* m_y;
    QRubberBand* m_band = nullptr;
    std::vector<TraceSummary> m_pending;
    std::vector<TraceSummary> m_drawn;
    int m_timer = 0;
    bool m_dirty = false;
    bool m_everDrawn = false;
    QPoint m_pressPos;
    bool m_dragging = false;
};
