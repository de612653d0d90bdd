#include "model/runcomparisonmodel.h"

#include "model/genaiicons.h"
#include "model/tracelistmodel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace {

QString signedDuration(qint64 ns)
{
    const QString text = TraceListModel::formatDuration(std::uint64_t(ns < 0 ? -ns : ns));
    return (ns < 0 ? QStringLiteral("\u2212") : QStringLiteral("+")) + text;
}

} // namespace

RunComparisonModel::RunComparisonModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

RunComparisonModel::~RunComparisonModel() = default;

void RunComparisonModel::setResult(RunComparison::Result result)
{
    beginResetModel();
    m_result = std::move(result);
    m_children.assign(m_result.rows.size() + 1, {});
    m_position.assign(m_result.rows.size(), 0);
    for (size_t r = 0; r < m_result.rows.size(); ++r) {
        const int parent = m_result.rows[r].parent;
        std::vector<int>& siblings = m_children[parent < 0 ? m_result.rows.size() : size_t(parent)];
        m_position[r] = int(siblings.size());
        siblings.push_back(int(r));
    }
    endResetModel();
}

QModelIndex RunComparisonModel::indexOfRow(int row) const
{
    if (row < 0 || size_t(row) >= m_result.rows.size())
        return {};
    return createIndex(m_position[size_t(row)], 0, quintptr(row + 1));
}

QModelIndex RunComparisonModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || m_children.empty())
        return {};
    const std::vector<int>& rows = m_children[parent.isValid() ? size_t(parent.internalId() - 1) : m_result.rows.size()];
    if (size_t(row) >= rows.size())
        return {};
    return createIndex(row, column, quintptr(rows[size_t(row)] + 1));
}

QModelIndex RunComparisonModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOfRow(m_result.rows[size_t(child.internalId() - 1)].parent);
}

int RunComparisonModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0 || m_children.empty())
        return 0;
    return int(m_children[parent.isValid() ? size_t(parent.internalId() - 1) : m_result.rows.size()].size());
}

int RunComparisonModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

std::optional<qint64> RunComparisonModel::tokensOf(const RunComparison::Row& row, bool b) const
{
    const int call = b ? row.callB : row.callA;
    const auto& run = b ? m_result.runB : m_result.runA;
    if (call < 0 || !run)
        return std::nullopt;
    const GenAi::LlmCall& c = run->calls[size_t(call)];
    if (!c.inputTokens && !c.outputTokens)
        return std::nullopt;
    return c.inputTokens.value_or(0) + c.outputTokens.value_or(0);
}

std::optional<Cost> RunComparisonModel::costOf(const RunComparison::Row& row, bool b) const
{
    const int call = b ? row.callB : row.callA;
    const auto& run = b ? m_result.runB : m_result.runA;
    if (call < 0 || !run)
        return std::nullopt;
    return run->calls[size_t(call)].cost;
}

QVariant RunComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const int r = int(index.internalId() - 1);
    const RunComparison::Row& row = m_result.rows[size_t(r)];
    const SpanTree::Record* a = row.spanA >= 0 ? &m_result.a->spans[size_t(row.spanA)] : nullptr;
    const SpanTree::Record* b = row.spanB >= 0 ? &m_result.b->spans[size_t(row.spanB)] : nullptr;
    const std::optional<qint64> durationA = a ? std::optional<qint64>(qint64(a->durationNanos())) : std::nullopt;
    const std::optional<qint64> durationB = b ? std::optional<qint64>(qint64(b->durationNanos())) : std::nullopt;
    const std::optional<qint64> tokensA = tokensOf(row, false), tokensB = tokensOf(row, true);
    const QLocale locale;
    switch (role) {
    case RowRole:
        return r;
    case ChangeRole:
        return int(row.change);
    case Qt::BackgroundRole:
        switch (row.change) {
        case RunComparison::Change::Added:
            return QBrush(QColor(46, 160, 67, 60));
        case RunComparison::Change::Removed:
            return QBrush(QColor(211, 47, 47, 60));
        case RunComparison::Change::Changed:
            return QBrush(QColor(255, 193, 7, 60));
        case RunComparison::Change::Same:
            return {};
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == SpanColumn) {
            const bool llm = row.callA >= 0 || row.callB >= 0;
            return llm ? QVariant(GenAiIcons::icon(GenAi::SpanRole::LlmCall)) : QVariant();
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == SpanColumn)
            switch (row.change) {
            case RunComparison::Change::Added:
                return tr("Only in B");
            case RunComparison::Change::Removed:
                return tr("Only in A");
            case RunComparison::Change::Changed:
                return tr("In both, different (messages or status)");
            case RunComparison::Change::Same:
                return tr("In both");
            }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == SpanColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole:
    case Qt::DisplayRole: {
        const bool raw = role == SortRole;
        switch (index.column()) {
        case SpanColumn: {
            if (raw)
                return row.name;
            const QString marker = row.change == RunComparison::Change::Added ? QStringLiteral("+ ")
                : row.change == RunComparison::Change::Removed                ? QStringLiteral("\u2212 ")
                                                                              : QString();
            return QString(marker + row.name);
        }
        case DurationAColumn:
        case DurationBColumn: {
            const auto& d = index.column() == DurationAColumn ? durationA : durationB;
            if (!d)
                return raw ? QVariant(-1) : QVariant(QString());
            return raw ? QVariant(*d) : QVariant(TraceListModel::formatDuration(std::uint64_t(*d)));
        }
        case DurationDeltaColumn:
            if (!durationA || !durationB)
                return raw ? QVariant(0) : QVariant(QString());
            return raw ? QVariant(*durationB - *durationA) : QVariant(signedDuration(*durationB - *durationA));
        case TokensAColumn:
        case TokensBColumn: {
            const auto& t = index.column() == TokensAColumn ? tokensA : tokensB;
            if (!t)
                return raw ? QVariant(-1) : QVariant(QString());
            return raw ? QVariant(*t) : QVariant(locale.toString(*t));
        }
        case TokensDeltaColumn:
            if (!tokensA || !tokensB)
                return raw ? QVariant(0) : QVariant(QString());
            return raw ? QVariant(*tokensB - *tokensA)
                       : QVariant((*tokensB >= *tokensA ? QStringLiteral("+") : QStringLiteral("\u2212"))
                                  + locale.toString(std::abs(*tokensB - *tokensA)));
        case CostAColumn:
        case CostBColumn: {
            const bool side = index.column() == CostBColumn;
            const std::optional<Cost> cost = costOf(row, side);
            const bool used = side ? tokensB.has_value() : tokensA.has_value();
            if (raw)
                return cost ? cost->amount : -1.0;
            return cost ? cost->toString() : used ? tr("no price") : QString();
        }
        }
        return {};
    }
    default:
        return {};
    }
}

QVariant RunComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SpanColumn:
        return tr("Span");
    case DurationAColumn:
        return tr("Duration A");
    case DurationBColumn:
        return tr("Duration B");
    case DurationDeltaColumn:
        return tr("\u0394 duration");
    case TokensAColumn:
        return tr("Tokens A");
    case TokensBColumn:
        return tr("Tokens B");
    case TokensDeltaColumn:
        return tr("\u0394 tokens");
    case CostAColumn:
        return tr("Cost A");
    case CostBColumn:
        return tr("Cost B");
    }
    return {};
}
