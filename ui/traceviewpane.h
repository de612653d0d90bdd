#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class MinimapView;
class WaterfallView;

/**
 * The trace view's pane: the open trace's title, the find bar (Ctrl+F, F3, Shift+F3; "N of M" / "no match"), the
 * zoom buttons (-, +, Fit), the critical path toggle (criticalPathAction(), Ctrl+Shift+C) and the idle gaps toggle
 * (collapseGapsAction(), Ctrl+Shift+I), both remembered in the settings, then the MinimapView and the WaterfallView
 * under it. The window gives it trees through waterfall().
 * GUI thread only.
 */
class TraceViewPane : public QWidget {
    Q_OBJECT
public:
    explicit TraceViewPane(QWidget* parent = nullptr);
    ~TraceViewPane() override;

    WaterfallView* waterfall() const { return m_waterfall; }
    QLineEdit* findEdit() const { return m_findEdit; }
    /// Checkable: highlights the critical path in the waterfall (WaterfallView::setCriticalPathShown).
    QAction* criticalPathAction() const { return m_criticalPathAction; }
    /// Checkable: collapses long idle gaps on the waterfall's time axis (WaterfallView::setIdleGapsCollapsed).
    QAction* collapseGapsAction() const { return m_collapseGapsAction; }
    MinimapView* minimap() const { return m_minimap; }
    /// The bold title over the waterfall and its tooltip; empty strings clear them.
    void setTitle(const QString& text, const QString& toolTip);

private:
    void updateFindStatus(int current, int count);

    WaterfallView* m_waterfall;
    MinimapView* m_minimap;
    QLineEdit* m_findEdit;
    QLabel* m_findStatus;
    QLabel* m_title;
    QAction* m_criticalPathAction;
    QAction* m_collapseGapsAction;
};
