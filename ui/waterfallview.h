#pragma once

#include "model/criticalpath.h"
#include "model/genai.h"

#include "model/spantreemodel.h"
#include "model/timeaxis.h"
#include "model/timeoverview.h"

#include <QAbstractScrollArea>

#include <memory>
#include <vector>

class ZoomControl;

/**
 * The span waterfall of one trace, painted in one widget: on the left the span tree (indent, expand/collapse
 * triangle, service colour chip, name), on the right one bar per span on a time axis. Only visible rows are
 * painted; the list of visible rows is rebuilt on expand/collapse, never per paint.
 *
 * Mouse: click selects, triangle or double-click toggles, drag pans (and scrolls rows), Ctrl+wheel zooms around
 * the pointer, Shift+wheel pans, the divider between tree and timeline can be dragged. Keys: Up/Down/PageUp/
 * PageDown/Home/End move the selection, Left/Right collapse/expand (or go to parent/first child),
 * Shift+Left/Right pan, +/- zoom, 0 shows the whole trace, F3/Shift+F3 next/previous find match.
 * Times on the axis are relative to the trace start. With setIdleGapsCollapsed(true) the time axis is a TimeAxis
 * that squeezes the trace's long idle gaps (TimeOverview::gaps) into short breaks, each marked on the ruler with its
 * duration; the zoom control then works in axis ns (TimeAxis::length()), and visibleTimeRange() gives real time.
 * GUI thread only.
 */
class WaterfallView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit WaterfallView(QWidget* parent = nullptr);
    ~WaterfallView() override;

    /// Shows `tree` (nullptr: empty). With keepState, expansion, selection and zoom of the previous content
    /// survive (live reload of the same trace); otherwise everything is expanded and the whole trace shown.
    /// `overview`: TimeOverview::build of the tree, made off the GUI thread; built here when null.
    void setTree(std::shared_ptr<const SpanTree> tree, bool keepState = false,
        std::shared_ptr<const TimeOverview> overview = nullptr);
    std::shared_ptr<const SpanTree> tree() const { return m_tree; }
    /// The shown tree's overview; null without a tree.
    std::shared_ptr<const TimeOverview> timeOverview() const { return m_overview; }
    /// The zoom state, in axis ns (see timeAxis(); the same as ns after the trace start unless gaps are collapsed).
    ZoomControl* zoomControl() const { return m_zoom; }
    /// The time axis in use: the identity, or the one collapsing idle gaps.
    const TimeAxis& timeAxis() const { return m_axis; }

    /// Collapses the trace's long idle gaps on the time axis (off by default); keeps the visible time range.
    void setIdleGapsCollapsed(bool collapsed);
    bool areIdleGapsCollapsed() const { return m_collapseGaps; }
    /// The visible time range in ns after the trace start (whatever the axis).
    std::pair<double, double> visibleTimeRange() const;
    /// Shows [start, end] (ns after the trace start), clamped like ZoomControl::setRange.
    void setVisibleTimeRange(double start, double end);

    /// The timeline column in viewport coordinates: x of the trace start at full view, and of its end.
    int timelineLeft() const;
    int timelineRight() const;
    /// Viewport x of `nanos` (ns after the trace start) at the current zoom and axis.
    double xForTime(double nanos) const;
    /// Time (ns after the trace start) at viewport x.
    double timeForX(double x) const;

    int visibleRowCount() const { return static_cast<int>(m_rows.size()); }
    SpanId spanAtRow(int row) const;
    /// The span name shown in the row.
    QString rowText(int row) const;
    int rowDepth(int row) const;
    /**
     * x of the expand arrow of a row at `depth` in the name column, px. The step per level shrinks for deep trees
     * (down to 4 px) and the indent stops at the column's width less 140 px, so a name never leaves the column;
     * rows indented to that stop show their depth as a number (isIndentCapped).
     */
    int indentOf(int depth) const;
    bool isIndentCapped(int depth) const;
    /// Row of a span, or -1 when it is hidden under a collapsed ancestor or unknown.
    int rowOfSpan(const SpanId& id) const;
    /// Rows [first, last] currently on screen (-1, -1 when empty).
    std::pair<int, int> visibleRowRange() const;

    SpanId selectedSpan() const;
    /// Selects the span (expanding its ancestors) and scrolls to it; unknown ids clear the selection.
    void selectSpan(const SpanId& id);
    bool isExpanded(const SpanId& id) const;
    void setExpanded(const SpanId& id, bool expanded);
    void expandAll();
    void collapseAll();

    /// Case-insensitive match on span name, service and string attribute values; empty text clears.
    void setFindText(const QString& text);
    QString findText() const { return m_findText; }
    int matchCount() const { return static_cast<int>(m_matches.size()); }
    int currentMatch() const { return m_currentMatch; } ///< 0-based, -1 when none
    void findNext();
    void findPrevious();

    /// Marks GenAI steps with their icon (GenAiIcons) before the span name: `roles` parallel to the tree's spans
    /// (GenAi::Run::roles, computed off the GUI thread); empty clears. Reset by setTree() unless keepState.
    void setStepRoles(std::vector<GenAi::SpanRole> roles);
    GenAi::SpanRole stepRole(int spanIndex) const;
    /// The trace's critical path (CriticalPath::compute of the tree, computed off the GUI thread); null clears.
    /// Reset by setTree() unless keepState. Shown only while setCriticalPathShown(true): the bars of spans off the
    /// path are faded and each section of the path is a dark stripe along the bottom of its span's bar.
    void setCriticalPath(std::shared_ptr<const CriticalPath::Result> path);
    std::shared_ptr<const CriticalPath::Result> criticalPath() const { return m_criticalPath; }
    void setCriticalPathShown(bool shown);
    bool isCriticalPathShown() const { return m_showCriticalPath; }
    /// True when the span (index into SpanTree::spans) has a section on the critical path that is set.
    bool isOnCriticalPath(int spanIndex) const;

    int nameColumnWidth() const { return m_nameWidth; }
    void setNameColumnWidth(int width);
    int rowHeight() const { return m_rowHeight; }

    QSize sizeHint() const override;

Q_SIGNALS:
    void spanSelected(const SpanId& id);
    void findResultChanged(int current, int count);
    /// The timeline column moved or changed width (viewport coordinates).
    void timelineGeometryChanged(int left, int right);
    /// Another tree, overview or axis (gaps collapsed or not).
    void timeAxisChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void rebuildRows();
    void updateMetrics();
    void updateScrollBars();
    void selectIndex(int spanIndex);
    void setCollapsed(int spanIndex, bool collapsed);
    void ensureRowVisible(int row);
    void moveSelection(int rowDelta);
    void runFind();
    void gotoMatch(int match);

    int rowAt(int y) const; ///< -1 outside rows
    double axisForX(double x) const;
    void updateAxis();
    void paintGaps(QPainter& p, const QRect& axisRect);

    void paintAxis(QPainter& p, const QRect& rect);
    void paintRow(QPainter& p, int row, int y);

    std::shared_ptr<const SpanTree> m_tree;
    std::shared_ptr<const TimeOverview> m_overview;
    TimeAxis m_axis;
    bool m_collapseGaps = false;
    ZoomControl* m_zoom;

    std::vector<int> m_rows; // visible rows -> span index
    std::vector<int> m_rowOfSpan; // span index -> row, -1 when hidden
    std::vector<char> m_collapsed; // per span index
    /// Span index -> position in a full depth-first walk (find order); made on first use (4 bytes a span).
    const std::vector<int>& preorder() const;
    mutable std::vector<int> m_preorder;
    const QString& serviceNameOf(int spanIndex) const { return m_tree->serviceNameOf(spanIndex); }
    std::vector<GenAi::SpanRole> m_stepRoles; // per span index, or empty
    std::shared_ptr<const CriticalPath::Result> m_criticalPath;
    std::vector<CriticalPath::Section> m_pathSections; // by span index, then time
    /// The sections of m_pathSections on spans[spanIndex].
    std::pair<std::vector<CriticalPath::Section>::const_iterator, std::vector<CriticalPath::Section>::const_iterator>
    pathSectionsOf(int spanIndex) const;
    bool m_showCriticalPath = false;
    int m_selected = -1; // span index

    QString m_findText;
    std::vector<int> m_matches; // span indexes in tree order
    std::vector<char> m_isMatch; // per span index
    int m_currentMatch = -1;

    int m_nameWidth = 340;
    int m_rowHeight = 22;
    int m_axisHeight = 26;
    bool m_updatingScrollBars = false;

    enum class DragMode { None, Pending, Pan, ResizeColumn };
    DragMode m_drag = DragMode::None;
    QPoint m_pressPos;
    QPoint m_lastDragPos;
};
