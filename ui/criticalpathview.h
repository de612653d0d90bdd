#pragma once

#include "model/criticalpath.h"

#include <QWidget>

#include <memory>

class CriticalPathModel;
class QLabel;
class QSortFilterProxyModel;
class QTreeView;

/**
 * The "Critical path" tab of the trace view: the spans that determine the trace's latency (CriticalPathModel, root
 * first; sortable, e.g. by self time to find where the time goes) under a summary line (spans on the path, the
 * trace's duration, the largest self time). Clicking a row selects its span in the waterfall (spanActivated);
 * selecting a span elsewhere selects its row here. GUI thread only.
 */
class CriticalPathView : public QWidget {
    Q_OBJECT
public:
    explicit CriticalPathView(QWidget* parent = nullptr);
    ~CriticalPathView() override;

    /// Shows `path` of `tree`; nulls clear.
    void setPath(std::shared_ptr<const CriticalPath::Result> path, std::shared_ptr<const SpanTree> tree);
    /// Selects the row of the span (index into SpanTree::spans), or nothing when it is off the path. Emits nothing.
    void selectSpan(int spanIndex);

    CriticalPathModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QString summaryText() const;

Q_SIGNALS:
    /// A row was clicked or activated: its span's index into SpanTree::spans.
    void spanActivated(int spanIndex);

private:
    CriticalPathModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTreeView* m_view;
    QLabel* m_summary;
    std::shared_ptr<const SpanTree> m_tree;
    bool m_selecting = false;
};
