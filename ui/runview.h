#pragma once

#include "model/genai.h"
#include "model/spantreemodel.h"

#include <QWidget>

#include <memory>

class GenAiRunModel;
class QLabel;
class QTreeView;

/**
 * The "Agent run" tab of the trace view: what the agent did, step by step (GenAiRunModel: agent -> LLM turn -> tool
 * call -> ...), under a line of totals (LLM calls, tool calls, input / output tokens, cost or "no price"). Clicking a
 * step selects its span in the waterfall (spanActivated); selecting a span elsewhere selects its step here. A trace
 * without GenAI spans says so. GUI thread only.
 */
class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);
    ~RunView() override;

    /// Shows `run` of `tree`; nulls clear.
    void setRun(std::shared_ptr<const GenAi::Run> run, std::shared_ptr<const SpanTree> tree);
    /// Selects the step of the span (index into SpanTree::spans), or nothing when it is no step. Emits nothing.
    void selectSpan(int spanIndex);

    GenAiRunModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QString totalsText() const;

Q_SIGNALS:
    /// A step was clicked or activated: its span's index into SpanTree::spans.
    void spanActivated(int spanIndex);

private:
    GenAiRunModel* m_model;
    QTreeView* m_view;
    QLabel* m_totals;
    bool m_selecting = false;
};
