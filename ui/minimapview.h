#pragma once

#include <QWidget>

class WaterfallView;

/**
 * The minimap over a WaterfallView: the whole trace's span density on the waterfall's time axis (spans active per
 * pixel column, the peak of TimeOverview's bins under it, in the palette's highlight colour; error spans over it in
 * red) with a window over the time range the waterfall shows. Its plot lines up with the waterfall's timeline
 * column; collapsed idle gaps are hatched with a break marker, as on the waterfall's ruler.
 *
 * Mouse: a drag across the plot zooms the waterfall to the dragged range; dragging inside the window pans it; a click
 * centres the window there; a double-click shows the whole trace; the wheel zooms around the pointer. The tooltip
 * gives the time under the pointer and how many spans (and error spans) are active there. It works on the
 * waterfall's ZoomControl, so both stay in step. Painting is O(width + bins). GUI thread only.
 */
class MinimapView : public QWidget {
    Q_OBJECT
public:
    explicit MinimapView(WaterfallView* waterfall, QWidget* parent = nullptr);
    ~MinimapView() override;

    /// The plot, in this widget's coordinates: its left and right edges line up with the waterfall's timeline.
    QRect plotRect() const;
    /// x in this widget of an axis position (axis ns, see WaterfallView::timeAxis()), and back.
    double xForAxis(double axisNanos) const;
    double axisForX(double x) const;
    /// The peak number of active spans and of active error spans in the pixel column at x (-1, -1 outside the plot).
    std::pair<int, int> countsAt(int x) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    bool event(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void moveEvent(QMoveEvent* event) override;

private:
    void syncGeometry();
    std::pair<int, int> countsBetween(double x1, double x2) const;

    WaterfallView* m_waterfall;
    int m_plotLeft = 0; ///< this widget's coordinates
    int m_plotRight = 0;

    enum class DragMode { None, Pending, Select, Pan };
    DragMode m_drag = DragMode::None;
    int m_pressX = 0;
    int m_lastX = 0;
    bool m_pressInWindow = false;
};
