#include "ui/compareview.h"

#include "model/runcomparisonmodel.h"
#include "model/tracelistmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace {

QString delta(qint64 a, qint64 b)
{
    const QLocale locale;
    if (a == b)
        return QStringLiteral("=");
    return (b > a ? QStringLiteral("+") : QStringLiteral("\u2212")) + locale.toString(std::abs(b - a));
}

} // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent)
    , m_model(new RunComparisonModel(this))
    , m_totals(new QLabel(this))
    , m_view(new QTreeView(this))
    , m_diff(new QTextBrowser(this))
{
    m_totals->setObjectName(QStringLiteral("compareTotals"));
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_totals->setWordWrap(true);
    m_view->setObjectName(QStringLiteral("compareTree"));
    m_diff->setObjectName(QStringLiteral("messageDiff"));
    m_view->setModel(m_model);
    m_view->setUniformRowHeights(true);
    m_view->header()->setSectionResizeMode(RunComparisonModel::SpanColumn, QHeaderView::Stretch);
    m_view->header()->setStretchLastSection(false);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { showRow(current.isValid() ? current.data(RunComparisonModel::RowRole).toInt() : -1); });

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_diff);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_totals);
    layout->addWidget(splitter, 1);
    showRow(-1);
}

CompareView::~CompareView() = default;

void CompareView::setComparison(RunComparison::Result result)
{
    m_model->setResult(std::move(result));
    m_view->expandAll();
    for (int c = RunComparisonModel::DurationAColumn; c < RunComparisonModel::ColumnCount; ++c)
        m_view->resizeColumnToContents(c);
    m_totals->setText(totalsText());
    showRow(-1);
}

QString CompareView::totalsText() const
{
    const RunComparison::Result& r = m_model->result();
    if (!r.a || !r.b)
        return QString();
    const QLocale locale;
    const auto calls = [](const std::shared_ptr<const GenAi::Run>& run) { return run ? qint64(run->calls.size()) : 0; };
    const auto tools = [](const std::shared_ptr<const GenAi::Run>& run) { return run ? qint64(run->toolCalls.size()) : 0; };
    const auto tokens = [](const std::shared_ptr<const GenAi::Run>& run) {
        return run ? run->inputTokens() + run->outputTokens() : 0;
    };
    const auto cost = [this](const std::shared_ptr<const GenAi::Run>& run) {
        const std::optional<Cost> c = run ? run->totalCost() : std::nullopt;
        return c ? c->toString() : tr("no price");
    };
    QStringList lines;
    lines << tr("A: %1 \u00b7 B: %2").arg(r.a->traceId().toHex(), r.b->traceId().toHex());
    lines << tr("Duration %1 \u2192 %2").arg(TraceListModel::formatDuration(r.a->durationNanos()),
                                             TraceListModel::formatDuration(r.b->durationNanos()))
            + QStringLiteral(" \u00b7 ")
            + tr("LLM calls %1 \u2192 %2 (%3)").arg(calls(r.runA)).arg(calls(r.runB)).arg(delta(calls(r.runA), calls(r.runB)))
            + QStringLiteral(" \u00b7 ")
            + tr("tool calls %1 \u2192 %2 (%3)").arg(tools(r.runA)).arg(tools(r.runB)).arg(delta(tools(r.runA), tools(r.runB)))
            + QStringLiteral(" \u00b7 ")
            + tr("tokens %1 \u2192 %2 (%3)")
                  .arg(locale.toString(tokens(r.runA)), locale.toString(tokens(r.runB)), delta(tokens(r.runA), tokens(r.runB)))
            + QStringLiteral(" \u00b7 ") + tr("cost %1 \u2192 %2").arg(cost(r.runA), cost(r.runB));
    lines << tr("Steps only in B: %1 \u00b7 only in A: %2 \u00b7 changed: %3").arg(r.added).arg(r.removed).arg(r.changed);
    return lines.join(QLatin1Char('\n'));
}

QString CompareView::diffText() const
{
    return m_diffText;
}

void CompareView::showRow(int row)
{
    const RunComparison::Result& r = m_model->result();
    m_diffText.clear();
    if (row < 0 || size_t(row) >= r.rows.size()) {
        m_diff->setHtml(QStringLiteral("<p><i>%1</i></p>").arg(tr("Select an LLM call to compare its messages.")));
        return;
    }
    const RunComparison::Row& aligned = r.rows[size_t(row)];
    const GenAi::LlmCall* a = aligned.callA >= 0 && r.runA ? &r.runA->calls[size_t(aligned.callA)] : nullptr;
    const GenAi::LlmCall* b = aligned.callB >= 0 && r.runB ? &r.runB->calls[size_t(aligned.callB)] : nullptr;
    if (!a && !b) {
        m_diff->setHtml(QStringLiteral("<p><i>%1</i></p>").arg(tr("%1 is not an LLM call.").arg(aligned.name.toHtmlEscaped())));
        return;
    }
    std::vector<RunComparison::DiffLine> lines;
    if (a && b) {
        lines = RunComparison::messageDiff(*a, *b);
    } else {
        const auto kind = a ? RunComparison::DiffLine::Kind::OnlyA : RunComparison::DiffLine::Kind::OnlyB;
        for (const QString& line : RunComparison::conversationLines(a ? *a : *b))
            lines.push_back({ kind, line });
    }
    QString html = QStringLiteral("<pre style=\"margin: 0;\">");
    for (const RunComparison::DiffLine& line : lines) {
        switch (line.kind) {
        case RunComparison::DiffLine::Kind::Same:
            m_diffText += QStringLiteral("  ") + line.text + QLatin1Char('\n');
            html += QStringLiteral("  ") + line.text.toHtmlEscaped() + QLatin1Char('\n');
            break;
        case RunComparison::DiffLine::Kind::OnlyA:
            m_diffText += QStringLiteral("- ") + line.text + QLatin1Char('\n');
            html += QStringLiteral("<span style=\"background-color: rgba(211,47,47,70);\">- %1</span>\n").arg(line.text.toHtmlEscaped());
            break;
        case RunComparison::DiffLine::Kind::OnlyB:
            m_diffText += QStringLiteral("+ ") + line.text + QLatin1Char('\n');
            html += QStringLiteral("<span style=\"background-color: rgba(46,160,67,70);\">+ %1</span>\n").arg(line.text.toHtmlEscaped());
            break;
        }
    }
    m_diff->setHtml(html + QStringLiteral("</pre>"));
}
