#pragma once

#include "model/flamegraphlayout.h"
#include "model/spantreemodel.h"

#include <QAbstractScrollArea>
#include <QColor>

#include <memory>
#include <vector>

class QLabel;
class QToolButton;
class ZoomControl;

/**
 * The "Flame graph" tab of the trace view: an icicle of the trace by span nesting, one row per depth (roots on top;
 * a depth whose spans overlap in time gets a row per lane, FlameGraphLayout), each span a box from its start to its
 * end on the trace's time axis (x = time relative to the trace start, width = duration), spans of several roots side
 * by side. Boxes have their service's colour (serviceColor, as in the waterfall), the span name (and duration when
 * it fits), a red outline for errors; the selected span is outlined. The tooltip gives name, service, duration, self
 * time (SpanSelfTime) and their share of the trace.
 *
 * Click selects (spanActivated); double-click zooms to the span's interval, double-click on empty space, Escape or
 * the "Reset zoom" button show the whole trace again; Ctrl+wheel zooms around the pointer, Shift+wheel pans, the
 * wheel scrolls the rows of deep trees. Painting is per visible row: the row's spans are kept by start with a
 * running maximum of their ends, so the visible window is found by binary search, and spans narrower than a pixel
 * are merged into one box per pixel run without being visited one by one. GUI thread only.
 */
class FlameGraphView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit FlameGraphView(QWidget* parent = nullptr);
    ~FlameGraphView() override;

    /// Shows `tree` (nullptr: empty), zoomed out, nothing selected; with keepState (live reload of the same trace)
    /// zoom, scroll position and the selected span survive. `layout` is FlameGraphLayout::build of the tree, made
    /// off the GUI thread; without it, it is built here (O(n)).
    void setTree(std::shared_ptr<const SpanTree> tree, bool keepState = false,
        std::shared_ptr<const FlameGraphLayout> layout = nullptr);
    std::shared_ptr<const SpanTree> tree() const { return m_tree; }
    ZoomControl* zoomControl() const { return m_zoom; }

    /// Outlines the span (index into SpanTree::spans; -1 clears) and scrolls its row into view. Emits nothing.
    void selectSpan(int spanIndex);
    int selectedSpan() const { return m_selected; }
    /// Self time of the span in ns (SpanSelfTime::compute of the tree).
    std::uint64_t selfTime(int spanIndex) const;

    /// Shows the span's interval across the whole width (zero-length spans: the narrowest window around them).
    void zoomToSpan(int spanIndex);
    void resetZoom();

    /// The span's box in viewport coordinates, unclipped (it may lie outside the viewport); empty for unknown spans.
    QRectF rectOfSpan(int spanIndex) const;
    /// The span under a viewport point (the last painted when boxes overlap), or -1.
    int spanAt(const QPoint& pos) const;
    /// The tooltip text of the span (rich text).
    QString toolTipText(int spanIndex) const;
    /// Spans (boxes and merged runs) painted by the last paint; for tests and benchmarks.
    int paintedBoxCount() const { return m_paintedBoxes; }
    int rowHeight() const { return m_rowHeight; }

    QSize sizeHint() const override;

Q_SIGNALS:
    /// A span was clicked: its index into SpanTree::spans.
    void spanActivated(int spanIndex);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void updateMetrics();
    void updateScrollBars();
    void updateHeader();
    void layOutHeader();
    double xForTime(double nanos) const;
    double timeForX(double x) const;
    int rowTop(int row) const;
    void paintAxis(QPainter& p, const QRect& rect);
    void paintRow(QPainter& p, int row, int y);
    void paintBox(QPainter& p, int spanIndex, double x1, double x2, int y);

    std::shared_ptr<const SpanTree> m_tree;
    ZoomControl* m_zoom;
    QWidget* m_header;
    QLabel* m_summary;
    QToolButton* m_resetButton;
    std::shared_ptr<const FlameGraphLayout> m_layout; // of m_tree, null when it is
    std::vector<QColor> m_serviceColors; // parallel to m_layout->services
    int m_selected = -1;
    int m_rowHeight = 20;
    int m_axisHeight = 24;
    int m_paintedBoxes = 0;
    bool m_updatingScrollBars = false;
};
