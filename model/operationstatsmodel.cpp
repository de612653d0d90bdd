#include "model/operationstatsmodel.h"

#include "model/tracelistmodel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

#include <algorithm>
#include <climits>

OperationStatsModel::OperationStatsModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

OperationStatsModel::~OperationStatsModel() = default;

void OperationStatsModel::setStats(std::vector<OperationStats> stats)
{
    beginResetModel();
    m_stats = std::move(stats);
    endResetModel();
}

int OperationStatsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_stats.size());
}

int OperationStatsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OperationStatsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_stats.size()))
        return {};
    const OperationStats& s = m_stats[std::size_t(index.row())];
    const auto nanos = [&s](int column) -> std::uint64_t {
        switch (column) {
        case TotalColumn:
            return s.totalNanos;
        case SelfColumn:
            return s.selfNanos;
        case MinColumn:
            return s.minNanos;
        case MeanColumn:
            return std::uint64_t(s.meanNanos() + 0.5);
        case P50Column:
            return s.p50Nanos;
        case P95Column:
            return s.p95Nanos;
        case MaxColumn:
            return s.maxNanos;
        }
        return 0;
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ServiceColumn:
            return s.serviceName;
        case SpanColumn:
            return s.spanName;
        case CountColumn:
            return QLocale().toString(s.count);
        case ErrorsColumn:
            return s.errors ? QLocale().toString(s.errors) : QString();
        default:
            return TraceListModel::formatDuration(nanos(index.column()));
        }
    case SortRole:
        switch (index.column()) {
        case ServiceColumn:
            return s.serviceName;
        case SpanColumn:
            return s.spanName;
        case CountColumn:
            return s.count;
        case ErrorsColumn:
            return s.errors;
        case MeanColumn:
            return s.meanNanos();
        default:
            return qulonglong(nanos(index.column()));
        }
    case Qt::TextAlignmentRole:
        if (index.column() >= CountColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (index.column() == ErrorsColumn && s.errors > 0)
            return QBrush(QColor(0xd3, 0x2f, 0x2f));
        break;
    case Qt::ToolTipRole:
        return QString(tr("%1 %2: %n span(s)", nullptr, int(std::min<qint64>(s.count, INT_MAX))).arg(s.serviceName, s.spanName)
            + QStringLiteral("; ")
            + tr("%1 failed; %2 in total, %3 of it outside their children")
                  .arg(QLocale().toString(s.errors), TraceListModel::formatDuration(s.totalNanos),
                       TraceListModel::formatDuration(s.selfNanos)));
    }
    return {};
}

QVariant OperationStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ErrorsColumn:
            return tr("Spans with status ERROR");
        case TotalColumn:
            return tr("The sum of the spans' durations");
        case SelfColumn:
            return tr("The sum of the spans' self times: their duration minus the time their children ran");
        case P50Column:
            return tr("Median duration (nearest rank)");
        case P95Column:
            return tr("95th percentile of the durations (nearest rank)");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ServiceColumn:
        return tr("Service");
    case SpanColumn:
        return tr("Span name");
    case CountColumn:
        return tr("Count");
    case ErrorsColumn:
        return tr("Errors");
    case TotalColumn:
        return tr("Total");
    case SelfColumn:
        return tr("Self");
    case MinColumn:
        return tr("Min");
    case MeanColumn:
        return tr("Mean");
    case P50Column:
        return tr("p50");
    case P95Column:
        return tr("p95");
    case MaxColumn:
        return tr("Max");
    }
    return {};
}
