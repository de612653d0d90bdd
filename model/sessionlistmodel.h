#pragma once

#include "model/pricetable.h"
#include "model/tracesummary.h"

#include <QAbstractTableModel>

#include <vector>

/**
 * The session list: one row per SessionSummary (an agent conversation: the traces sharing gen_ai.conversation.id or
 * session.id). Times are Unix ns and durations ns in SortRole, formatted as the trace list formats them in DisplayRole.
 * setSessions() merges a new list in: a session already listed keeps its row (and a view its selection), rows of
 * sessions gone are removed, new ones appended; a proxy sorts (SortRole). GUI thread only.
 */
class SessionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        SessionColumn,
        TracesColumn,
        StartColumn, ///< the first trace's start
        LastActivityColumn, ///< the latest trace end
        DurationColumn, ///< first start to latest end
        LlmCallsColumn,
        ToolCallsColumn,
        InputTokensColumn,
        OutputTokensColumn,
        CostColumn, ///< SessionSummary::modelUsage priced by priceTable(), as the trace list's Cost column
        ColumnCount,
    };
    enum Role {
        /// Raw numbers (Unix ns, ns, counts), the conversation id, or for CostColumn TraceOrdering::costKey (the amount
        /// as a double, -1 when a model that used tokens has no price, 0 when nothing was priced)
        SortRole = Qt::UserRole + 1,
        ConversationIdRole, ///< QString
    };

    explicit SessionListModel(QObject* parent = nullptr);
    ~SessionListModel() override;

    void setSessions(const std::vector<SessionSummary>& sessions);
    const std::vector<SessionSummary>& sessions() const { return m_rows; }
    const SessionSummary* sessionAt(int row) const;
    /// The row of the session `conversationId`, -1 when not listed.
    int rowOf(const QString& conversationId) const;
    /// The prices of CostColumn (PriceTable::defaults() until set); a different table updates that column.
    void setPriceTable(const PriceTable& prices);
    const PriceTable& priceTable() const { return m_prices; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString genAiToolTip(const SessionSummary& s) const;
    QString costText(const SessionSummary& s) const;
    QString costToolTip(const SessionSummary& s) const;

    std::vector<SessionSummary> m_rows;
    PriceTable m_prices;
};
