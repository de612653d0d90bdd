#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class WaterfallView;

/**
 * The trace view's pane: the open trace's title, the find bar (Ctrl+F, F3, Shift+F3; "N of M" / "no match"), the
 * zoom buttons (-, +, Fit), the critical path toggle (criticalPathAction(), Ctrl+Shift+C; remembered in the
 * settings) and the WaterfallView under them. The window gives it trees through waterfall().
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
    /// The bold title over the waterfall and its tooltip; empty strings clear them.
    void setTitle(const QString& text, const QString& toolTip);

private:
    void updateFindStatus(int current, int count);

    WaterfallView* m_waterfall;
    QLineEdit* m_findEdit;
    QLabel* m_findStatus;
    QLabel* m_title;
    QAction* m_criticalPathAction;
};
