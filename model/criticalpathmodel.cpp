#include "model/criticalpathmodel.h"

#include "model/tracelistmodel.h"

#include <QLocale>

CriticalPathModel::CriticalPathModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

CriticalPathModel::~CriticalPathModel() = default;

void CriticalPathModel::setPath(std::shared_ptr<const CriticalPath::Result> path, std::shared_ptr<const SpanTree> tree)
{
    beginResetModel();
    m_path = path && tree ? std::move(path) : nullptr;
    m_tree = m_path ? std::move(tree) : nullptr;
    endResetModel();
}

int CriticalPathModel::rowOfSpan(int spanIndex) const
{
    if (!m_path)
        return -1;
    for (std::size_t i = 0; i < m_path->steps.size(); ++i)
        if (m_path->steps[i].span == spanIndex)
            return int(i);
    return -1;
}

int CriticalPathModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_path ? 0 : int(m_path->steps.size());
}

int CriticalPathModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CriticalPathModel::data(const QModelIndex& index, int role) const
{
    if (!m_path || !index.isValid() || index.row() >= int(m_path->steps.size()))
        return {};
    const CriticalPath::Step& step = m_path->steps[std::size_t(index.row())];
    const SpanTree::Record& span = m_tree->spans[std::size_t(step.span)];
    const double share = m_path->totalNanos ? double(step.selfTimeNanos) / double(m_path->totalNanos) : 0.0;
    const std::uint64_t offset
        = span.startTimeUnixNano > m_tree->startTimeUnixNano ? span.startTimeUnixNano - m_tree->startTimeUnixNano : 0;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SpanColumn:
            return m_tree->nameOf(step.span);
        case ServiceColumn:
            return m_tree->serviceNameOf(step.span);
        case SelfTimeColumn:
            return TraceListModel::formatDuration(step.selfTimeNanos);
        case ShareColumn:
            return QString(QLocale().toString(share * 100, 'f', 1) + QLatin1Char('%'));
        case StartColumn:
            return TraceListModel::formatDuration(offset);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case SpanColumn:
            return m_tree->nameOf(step.span);
        case ServiceColumn:
            return m_tree->serviceNameOf(step.span);
        case SelfTimeColumn:
            return qulonglong(step.selfTimeNanos);
        case ShareColumn:
            return share;
        case StartColumn:
            return qulonglong(offset);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() >= SelfTimeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        return tr("%1 (%2): the trace waited %3 on this span itself, %4 of its duration; the span lasted %5")
            .arg(m_tree->nameOf(step.span), m_tree->serviceNameOf(step.span), TraceListModel::formatDuration(step.selfTimeNanos),
                 QLocale().toString(share * 100, 'f', 1) + QLatin1Char('%'),
                 TraceListModel::formatDuration(span.durationNanos()));
    case SpanIndexRole:
        return step.span;
    case SpanIdRole:
        return span.spanId.toHex();
    }
    return {};
}

QVariant CriticalPathModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case SelfTimeColumn:
            return tr("Time on the critical path spent in the span itself, not waiting on a child");
        case ShareColumn:
            return tr("Self time on the path as a share of the trace's duration");
        case StartColumn:
            return tr("Span start after the trace start");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SpanColumn:
        return tr("Span");
    case ServiceColumn:
        return tr("Service");
    case SelfTimeColumn:
        return tr("Self time");
    case ShareColumn:
        return tr("Share");
    case StartColumn:
        return tr("Start");
    }
    return {};
}
