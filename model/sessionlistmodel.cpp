#include "model/sessionlistmodel.h"

#include "model/tracelistmodel.h"
#include "model/tracequery.h"

#include <QHash>
#include <QLocale>

#include <algorithm>
#include <climits>

namespace {

bool sameFigures(const SessionSummary& a, const SessionSummary& b)
{
    return a.traceCount == b.traceCount && a.startTimeUnixNano == b.startTimeUnixNano
        && a.endTimeUnixNano == b.endTimeUnixNano && a.llmCalls == b.llmCalls && a.toolCalls == b.toolCalls
        && a.inputTokens == b.inputTokens && a.outputTokens == b.outputTokens && a.modelUsage == b.modelUsage;
}

std::uint64_t durationOf(const SessionSummary& s)
{
    return s.endTimeUnixNano > s.startTimeUnixNano ? s.endTimeUnixNano - s.startTimeUnixNano : 0;
}

int clampedInt(qint64 value) { return int(std::clamp<qint64>(value, 0, INT_MAX)); }

} // namespace

SessionListModel::SessionListModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_prices(PriceTable::defaults())
{
}

SessionListModel::~SessionListModel() = default;

void SessionListModel::setPriceTable(const PriceTable& prices)
{
    if (prices.toJson() == m_prices.toJson())
        return;
    m_prices = prices;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, CostColumn), index(rowCount() - 1, CostColumn));
}

QString SessionListModel::costText(const SessionSummary& s) const
{
    // As TraceListModel::costText.
    if (s.llmCalls == 0)
        return QString();
    if (const std::optional<Cost> cost = TraceSummary::costOf(s.modelUsage, m_prices))
        return cost->toString();
    return s.inputTokens > 0 || s.outputTokens > 0 ? tr("no price") : QString();
}

QString SessionListModel::costToolTip(const SessionSummary& s) const
{
    QStringList lines { genAiToolTip(s) };
    const QLocale locale;
    for (const ModelUsage& u : s.modelUsage) {
        const std::optional<Cost> cost = m_prices.cost(u.model, u.inputTokens, u.outputTokens, u.cachedInputTokens);
        lines << tr("%1: %2 calls, %3 input (%4 cached), %5 output tokens, %6")
                     .arg(u.model.isEmpty() ? tr("(no model)") : u.model, locale.toString(u.calls),
                         locale.toString(u.inputTokens), locale.toString(u.cachedInputTokens),
                         locale.toString(u.outputTokens), cost ? cost->toString() : tr("no price"));
    }
    return lines.join(QLatin1Char('\n'));
}

void SessionListModel::setSessions(const std::vector<SessionSummary>& sessions)
{
    QHash<QString, const SessionSummary*> incoming;
    for (const SessionSummary& s : sessions)
        incoming.insert(s.conversationId, &s);

    // Remove the rows of sessions gone, a run of adjacent rows at a time, from the back so that rows stay valid.
    for (int row = int(m_rows.size()) - 1; row >= 0;) {
        if (incoming.contains(m_rows[size_t(row)].conversationId)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !incoming.contains(m_rows[size_t(first - 1)].conversationId))
            --first;
        beginRemoveRows(QModelIndex(), first, row);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    int firstChanged = -1;
    int lastChanged = -1;
    QHash<QString, int> listed;
    for (int row = 0; row < int(m_rows.size()); ++row) {
        SessionSummary& current = m_rows[size_t(row)];
        listed.insert(current.conversationId, row);
        const SessionSummary& update = *incoming.value(current.conversationId);
        if (sameFigures(current, update))
            continue;
        current = update;
        if (firstChanged < 0)
            firstChanged = row;
        lastChanged = row;
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));

    std::vector<SessionSummary> added;
    for (const SessionSummary& s : sessions) {
        if (!listed.contains(s.conversationId)) {
            listed.insert(s.conversationId, -1); // a list naming a session twice adds it once
            added.push_back(s);
        }
    }
    if (added.empty())
        return;
    beginInsertRows(QModelIndex(), int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
    endInsertRows();
}

const SessionSummary* SessionListModel::sessionAt(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? &m_rows[size_t(row)] : nullptr;
}

int SessionListModel::rowOf(const QString& conversationId) const
{
    const auto it = std::find_if(m_rows.begin(), m_rows.end(),
        [&conversationId](const SessionSummary& s) { return s.conversationId == conversationId; });
    return it == m_rows.end() ? -1 : int(it - m_rows.begin());
}

int SessionListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int SessionListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString SessionListModel::genAiToolTip(const SessionSummary& s) const
{
    // Two plural forms: one call of a kind and several of the other.
    const QLocale locale;
    return tr("%n LLM call(s)", nullptr, clampedInt(s.llmCalls)) + QStringLiteral(", ")
        + tr("%n tool call(s)", nullptr, clampedInt(s.toolCalls)) + QLatin1Char('\n')
        + tr("Input tokens: %1, output tokens: %2")
              .arg(locale.toString(s.inputTokens), locale.toString(s.outputTokens));
}

QVariant SessionListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionSummary& s = m_rows[size_t(index.row())];
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SessionColumn:
            return s.conversationId;
        case TracesColumn:
            return locale.toString(s.traceCount);
        case StartColumn:
            return TraceListModel::formatTimestamp(s.startTimeUnixNano);
        case LastActivityColumn:
            return TraceListModel::formatTimestamp(s.endTimeUnixNano);
        case DurationColumn:
            return TraceListModel::formatDuration(durationOf(s));
        case LlmCallsColumn:
            return s.llmCalls ? locale.toString(s.llmCalls) : QString();
        case ToolCallsColumn:
            return s.toolCalls ? locale.toString(s.toolCalls) : QString();
        case InputTokensColumn:
            return s.llmCalls ? locale.toString(s.inputTokens) : QString();
        case OutputTokensColumn:
            return s.llmCalls ? locale.toString(s.outputTokens) : QString();
        case CostColumn:
            return costText(s);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case SessionColumn:
            return s.conversationId;
        case TracesColumn:
            return s.traceCount;
        case StartColumn:
            return qulonglong(s.startTimeUnixNano);
        case LastActivityColumn:
            return qulonglong(s.endTimeUnixNano);
        case DurationColumn:
            return qulonglong(durationOf(s));
        case LlmCallsColumn:
            return s.llmCalls;
        case ToolCallsColumn:
            return s.toolCalls;
        case InputTokensColumn:
            return s.inputTokens;
        case OutputTokensColumn:
            return s.outputTokens;
        case CostColumn:
            return TraceOrdering::costKey(s.modelUsage, &m_prices);
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case SessionColumn:
        case TracesColumn:
            return tr("Session %1: %n trace(s)\nDouble-click or Enter lists them oldest first and opens the first",
                nullptr, clampedInt(s.traceCount))
                .arg(s.conversationId);
        case LlmCallsColumn:
        case ToolCallsColumn:
        case InputTokensColumn:
        case OutputTokensColumn:
            return genAiToolTip(s);
        case CostColumn:
            return costToolTip(s);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != SessionColumn && index.column() != StartColumn && index.column() != LastActivityColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ConversationIdRole:
        return s.conversationId;
    }
    return {};
}

QVariant SessionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::InitialSortOrderRole) {
        // A header's first click: the latest, longest, biggest first; ids A to Z.
        return QVariant::fromValue(section == SessionColumn ? Qt::AscendingOrder : Qt::DescendingOrder);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case SessionColumn:
            return tr("The session: gen_ai.conversation.id, else session.id, of its traces' spans");
        case TracesColumn:
            return tr("Traces in the session (agent runs, turns of the conversation)");
        case StartColumn:
            return tr("Start of the session's first trace");
        case LastActivityColumn:
            return tr("End of the session's latest trace");
        case DurationColumn:
            return tr("From the first trace's start to the latest trace's end");
        case LlmCallsColumn:
            return tr("LLM calls (chat, completion, embeddings spans) of all its traces");
        case ToolCallsColumn:
            return tr("Tool calls (execute_tool spans) of all its traces");
        case InputTokensColumn:
            return tr("Input tokens of all its traces, counted once: on LLM calls, not again on agent spans");
        case OutputTokensColumn:
            return tr("Output tokens of all its traces, counted once");
        case CostColumn:
            return tr("Cost of all its traces' LLM calls, from Settings > Model Prices; \"no price\" when a model has none");
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SessionColumn:
        return tr("Session");
    case TracesColumn:
        return tr("Traces");
    case StartColumn:
        return tr("Started");
    case LastActivityColumn:
        return tr("Last activity");
    case DurationColumn:
        return tr("Duration");
    case LlmCallsColumn:
        return tr("LLM");
    case ToolCallsColumn:
        return tr("Tools");
    case InputTokensColumn:
        return tr("In tok");
    case OutputTokensColumn:
        return tr("Out tok");
    case CostColumn:
        return tr("Cost");
    }
    return {};
}
