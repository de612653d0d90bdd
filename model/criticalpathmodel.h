#pragma once

#include "model/criticalpath.h"

#include <QAbstractTableModel>

#include <memory>

/**
 * The critical path of the open trace as a table: one row per span on it (CriticalPath::Result::steps, root first
 * then depth-first in start order), columns: span name, service, self time on the path, its share of the trace's
 * duration, and the span's start offset from the trace start. SortRole gives raw values (text, ns, share 0..1).
 * GUI thread only; setPath() resets the model.
 */
class CriticalPathModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SpanColumn, ServiceColumn, SelfTimeColumn, ShareColumn, StartColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< name, service, self time ns, share (double 0..1), start offset ns
        SpanIndexRole, ///< int, index into SpanTree::spans
        SpanIdRole, ///< QString, hex span id
    };

    explicit CriticalPathModel(QObject* parent = nullptr);
    ~CriticalPathModel() override;

    /// Shows `path` of `tree` (either null: empty).
    void setPath(std::shared_ptr<const CriticalPath::Result> path, std::shared_ptr<const SpanTree> tree);
    std::shared_ptr<const CriticalPath::Result> path() const { return m_path; }
    /// The row of span `spanIndex`, or -1 when it is not on the path.
    int rowOfSpan(int spanIndex) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const CriticalPath::Result> m_path;
    std::shared_ptr<const SpanTree> m_tree;
};
