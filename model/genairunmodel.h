#pragma once

#include "model/genai.h"
#include "model/spantreemodel.h"

#include <QAbstractItemModel>
#include <QHash>

#include <memory>

/**
 * The "Agent run" of a trace as a tree: each agent invocation with its steps (LLM calls, tool calls and nested
 * agents) under it in start-time order; steps outside any agent at the top. Columns: the step, tokens (input ->
 * output), cost, duration (ms), and what it said or did (the answer's first line, the tools it asked for; a tool's
 * arguments and result). Built from a GenAi::Run and its SpanTree; GUI thread only, setRun() resets the model.
 */
class GenAiRunModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { StepColumn, TokensColumn, CostColumn, DurationColumn, DetailColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< raw value: start ns, detail text, input+output tokens, cost, duration ns
        SpanIndexRole, ///< int, index into SpanTree::spans
        SpanIdRole, ///< QString, hex span id
        StepRole, ///< int, GenAi::SpanRole of the step
    };

    explicit GenAiRunModel(QObject* parent = nullptr);
    ~GenAiRunModel() override;

    /// Shows `run` of `tree` (both null: empty).
    void setRun(std::shared_ptr<const GenAi::Run> run, std::shared_ptr<const SpanTree> tree);
    std::shared_ptr<const GenAi::Run> run() const { return m_run; }
    /// The row of a span's step, or an invalid index when the span is not a step.
    QModelIndex indexOfSpan(int spanIndex) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Step {
        GenAi::SpanRole kind = GenAi::SpanRole::None;
        int item = -1; ///< index into run->calls, run->toolCalls or run->agents
        int spanIndex = -1;
        int parent = -1; ///< index into m_steps, -1 for top level
        int row = 0;
        std::vector<int> children;
    };
    QString stepText(const Step& step) const;
    QString detailText(const Step& step) const;

    std::shared_ptr<const GenAi::Run> m_run;
    std::shared_ptr<const SpanTree> m_tree;
    std::vector<Step> m_steps;
    std::vector<int> m_top;
    QHash<int, int> m_stepOfSpan; ///< span index -> its step (steps only: a few among a million spans)
};
