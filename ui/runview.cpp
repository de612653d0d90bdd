#include "ui/runview.h"

#include "model/genairunmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QTreeView>
#include <QVBoxLayout>

RunView::RunView(QWidget* parent)
    : QWidget(parent)
    , m_model(new GenAiRunModel(this))
    , m_view(new QTreeView(this))
    , m_totals(new QLabel(this))
{
    m_view->setObjectName(QStringLiteral("runSteps"));
    m_totals->setObjectName(QStringLiteral("runTotals"));
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    // What a step said or did is the longest: last, taking the room that is left.
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(GenAiRunModel::StepColumn, 190);
    const auto activate = [this](const QModelIndex& index) {
        if (index.isValid() && !m_selecting)
            Q_EMIT spanActivated(index.data(GenAiRunModel::SpanIndexRole).toInt());
    };
    connect(m_view, &QTreeView::clicked, this, activate);
    connect(m_view, &QTreeView::activated, this, activate);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_totals);
    layout->addWidget(m_view, 1);
    setRun(nullptr, nullptr);
}

RunView::~RunView() = default;

void RunView::setRun(std::shared_ptr<const GenAi::Run> run, std::shared_ptr<const SpanTree> tree)
{
    const bool empty = !run || run->isEmpty();
    m_model->setRun(std::move(run), std::move(tree));
    m_view->expandAll();
    for (int c : { int(GenAiRunModel::TokensColumn), int(GenAiRunModel::CostColumn), int(GenAiRunModel::DurationColumn) })
        m_view->resizeColumnToContents(c);
    m_totals->setText(empty ? tr("No LLM calls, tool calls or agents in this trace (no gen_ai.* or OpenInference spans).")
                            : totalsText());
}

QString RunView::totalsText() const
{
    const std::shared_ptr<const GenAi::Run> run = m_model->run();
    if (!run)
        return QString();
    const QLocale locale;
    const std::optional<Cost> cost = run->totalCost();
    const bool usedTokens = run->inputTokens() > 0 || run->outputTokens() > 0;
    return tr("%n LLM call(s)", nullptr, int(run->calls.size())) + QStringLiteral(" \u00b7 ")
        + tr("%n tool call(s)", nullptr, int(run->toolCalls.size())) + QStringLiteral(" \u00b7 ")
        + tr("%1 input / %2 output tokens").arg(locale.toString(run->inputTokens()), locale.toString(run->outputTokens()))
        + (usedTokens ? QStringLiteral(" \u00b7 ") + (cost ? cost->toString() : tr("no price")) : QString());
}

void RunView::selectSpan(int spanIndex)
{
    const QModelIndex index = m_model->indexOfSpan(spanIndex);
    m_selecting = true;
    if (index.isValid()) {
        m_view->setCurrentIndex(index);
        m_view->scrollTo(index);
    } else {
        m_view->selectionModel()->clearSelection();
    }
    m_selecting = false;
}
