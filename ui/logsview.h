#pragma once

#include "model/spantreemodel.h"

#include <QWidget>

#include <memory>

class LogRecordModel;
class QCheckBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

/**
 * The "Logs" tab of the trace view: every OTLP log record of the open trace in time order (LogRecordModel), with a
 * text filter over body, event name, attributes and span name, and a switch to show only the selected span's
 * records. Activating a row selects its span in the waterfall (spanActivated). GUI thread only.
 */
class LogsView : public QWidget {
    Q_OBJECT
public:
    explicit LogsView(QWidget* parent = nullptr);
    ~LogsView() override;

    /// Shows the tree's log records; null clears.
    void setTree(std::shared_ptr<const SpanTree> tree);
    /// The span selected in the waterfall: rows of other spans are hidden while "Selected span only" is checked.
    void setSelectedSpan(const SpanId& id);

    LogRecordModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filter; }
    QCheckBox* selectedOnlyBox() const { return m_selectedOnly; }
    /// Rows shown after filtering.
    int visibleRows() const;

Q_SIGNALS:
    /// A row was activated (double click, Enter): go to its span.
    void spanActivated(const SpanId& id);

private:
    void updateFilter();

    LogRecordModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTreeView* m_view;
    QLineEdit* m_filter;
    QCheckBox* m_selectedOnly;
    QLabel* m_count;
    SpanId m_selectedSpan;
};
