#pragma once

#include "model/operationstats.h"

#include <QAbstractTableModel>

#include <vector>

/**
 * Statistics per operation as a table (OperationStatsBuilder::result(): largest total first): service, span name,
 * count, errors, total, self time, min, mean, p50, p95, max. Durations shown like the trace list's; SortRole gives
 * raw values (text, counts, ns). GUI thread only; setStats() resets the model.
 */
class OperationStatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        ServiceColumn,
        SpanColumn,
        CountColumn,
        ErrorsColumn,
        TotalColumn,
        SelfColumn,
        MinColumn,
        MeanColumn,
        P50Column,
        P95Column,
        MaxColumn,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit OperationStatsModel(QObject* parent = nullptr);
    ~OperationStatsModel() override;

    void setStats(std::vector<OperationStats> stats);
    const std::vector<OperationStats>& stats() const { return m_stats; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<OperationStats> m_stats;
};
