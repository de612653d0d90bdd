#pragma once

#include "model/runcomparison.h"

#include <QAbstractItemModel>

/**
 * A RunComparison::Result as a tree: one row per aligned span, under its aligned parent. Columns: the span name, the
 * duration in A and B and their difference, tokens (input + output) of LLM calls in A and B and their difference,
 * cost in A and B. Rows B added, removed or changed are tinted (BackgroundRole) and say so in ChangeRole. GUI thread
 * only; setResult() resets the model.
 */
class RunComparisonModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column {
        SpanColumn,
        DurationAColumn,
        DurationBColumn,
        DurationDeltaColumn,
        TokensAColumn,
        TokensBColumn,
        TokensDeltaColumn,
        CostAColumn,
        CostBColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< raw numbers (ns, tokens, cost) or the name
        ChangeRole, ///< int, RunComparison::Change
        RowRole, ///< int, index into Result::rows
    };

    explicit RunComparisonModel(QObject* parent = nullptr);
    ~RunComparisonModel() override;

    void setResult(RunComparison::Result result);
    const RunComparison::Result& result() const { return m_result; }
    /// The index of Result::rows[row] in column 0.
    QModelIndex indexOfRow(int row) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::optional<qint64> tokensOf(const RunComparison::Row& row, bool b) const;
    std::optional<Cost> costOf(const RunComparison::Row& row, bool b) const;

    RunComparison::Result m_result;
    std::vector<std::vector<int>> m_children; ///< per row; the last entry is the top level
    std::vector<int> m_position; ///< per row, its position among its siblings
};
