#include "ui/statisticsview.h"

#include "model/guardedjob.h"
#include "model/operationstatsmodel.h"
#include "model/tracelistmodel.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

namespace {
struct Computed {
    std::vector<OperationStats> stats;
    qint64 spans = 0;
    QString error;
};
}

StatisticsView::StatisticsView(QWidget* parent)
    : QWidget(parent)
    , m_model(new OperationStatsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView(this))
    , m_scope(new QComboBox(this))
    , m_refresh(new QToolButton(this))
    , m_summary(new QLabel(this))
{
    m_view->setObjectName(QStringLiteral("operationStats"));
    m_scope->setObjectName(QStringLiteral("statisticsScope"));
    m_summary->setObjectName(QStringLiteral("statisticsSummary"));
    m_scope->addItem(tr("This trace"));
    m_scope->addItem(tr("Traces matching the list's filter"));
    m_scope->setToolTip(tr("The open trace, or every trace the trace list's filter matches (computed by the store)"));
    m_refresh->setText(tr("Refresh"));
    m_refresh->setAutoRaise(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(OperationStatsModel::SortRole);
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // largest total first, as computed
    m_view->header()->setSortIndicatorShown(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setMinimumSectionSize(24);
    for (int c = OperationStatsModel::CountColumn; c < OperationStatsModel::ColumnCount; ++c)
        m_view->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Statistics of:"), this));
    bar->addWidget(m_scope);
    bar->addWidget(m_refresh);
    bar->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);

    connect(m_scope, &QComboBox::currentIndexChanged, this, [this] { start(); });
    connect(m_refresh, &QToolButton::clicked, this, &StatisticsView::refresh);
    m_summary->setText(summaryText());
}

StatisticsView::~StatisticsView()
{
    cancelRunning();
}

StatisticsView::Scope StatisticsView::scope() const
{
    return m_scope->currentIndex() == 1 ? Scope::Filtered : Scope::Trace;
}

void StatisticsView::setScope(Scope scope)
{
    m_scope->setCurrentIndex(scope == Scope::Filtered ? 1 : 0); // starts through currentIndexChanged
}

void StatisticsView::setTree(std::shared_ptr<const SpanTree> tree)
{
    m_tree = std::move(tree);
    if (scope() == Scope::Trace)
        start();
}

void StatisticsView::setSource(Source source)
{
    cancelRunning(); // a computation reading through the previous source ends here
    m_source = std::move(source);
    if (scope() == Scope::Filtered)
        start();
}

void StatisticsView::refresh()
{
    start();
}

void StatisticsView::cancelRunning()
{
    if (m_cancel)
        m_cancel->store(true);
    m_running.waitForFinished();
}

void StatisticsView::waitForIdle()
{
    m_running.waitForFinished();
    QCoreApplication::sendPostedEvents(); // deliver the result
}

void StatisticsView::start()
{
    if (m_cancel)
        m_cancel->store(true); // the result of the previous request is stale anyway
    const quint64 generation = ++m_generation;
    m_error.clear();
    const bool filtered = scope() == Scope::Filtered;
    if ((filtered && !m_source) || (!filtered && !m_tree)) {
        m_computing = false;
        m_spans = 0;
        m_model->setStats({});
        m_summary->setText(summaryText());
        Q_EMIT computed();
        return;
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_computing = true;
    m_summary->setText(summaryText());
    QFuture<Computed> work = GuardedJob::run(m_pool,
        [tree = filtered ? nullptr : m_tree, source = filtered ? m_source : Source(), cancel = m_cancel] {
            Computed out;
            if (tree) {
                OperationStatsBuilder builder;
                builder.addTrace(*tree);
                out.stats = builder.result();
                out.spans = builder.spanCount();
            } else {
                out.stats = source([cancel] { return cancel->load(); }, &out.error);
                for (const OperationStats& s : out.stats)
                    out.spans += s.count;
            }
            return out;
        });
    m_running = QFuture<void>(work);
    GuardedJob::deliver(work, this, [this, generation](const Computed& result) {
        if (generation != m_generation)
            return;
        m_computing = false;
        m_error = result.error;
        m_spans = result.spans;
        m_model->setStats(result.stats);
        // Names at most a third of the view each: the figures (sized to their contents) stay in sight.
        for (int c = 0; c <= OperationStatsModel::SpanColumn; ++c) {
            m_view->resizeColumnToContents(c);
            m_view->setColumnWidth(c, std::min(m_view->columnWidth(c), std::max(120, m_view->width() / 3)));
        }
        m_summary->setText(summaryText());
        Q_EMIT computed();
    });
}

QString StatisticsView::summaryText() const
{
    const bool filtered = scope() == Scope::Filtered;
    if (m_computing)
        return filtered ? tr("Computing the statistics of the matching traces…") : tr("Computing…");
    if (!m_error.isEmpty())
        return tr("Cannot compute the statistics: %1").arg(m_error);
    if (filtered && !m_source)
        return tr("No store open.");
    if (!filtered && !m_tree)
        return tr("No trace open.");
    return tr("%n operation(s)", nullptr, int(m_model->rowCount())) + QStringLiteral(" \u00b7 ")
        + tr("%n span(s)", nullptr, int(std::min<qint64>(m_spans, INT_MAX)));
}
