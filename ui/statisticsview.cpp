#include "ui/statisticsview.h"

#include "model/guardedjob.h"
#include "model/operationstatsmodel.h"
#include "model/tracelistmodel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QSplitter>
#include <QValueAxis>
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
    m_histogram = new QChartView(this);
    m_histogram->setObjectName(QStringLiteral("latencyHistogram"));
    m_histogram->setRenderHint(QPainter::Antialiasing);
    m_histogram->setMinimumHeight(140);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(m_histogram);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        showHistogram(current.isValid() ? m_proxy->mapToSource(current).row() : -1);
    });
    showHistogram(-1);

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
                out.stats = builder.result(true);
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
        // The histogram of the first (largest) operation until another row is chosen.
        if (m_model->rowCount() > 0)
            m_view->setCurrentIndex(m_proxy->mapFromSource(m_model->index(0, 0)));
        else
            showHistogram(-1);
        Q_EMIT computed();
    });
}

void StatisticsView::showHistogram(int row)
{
    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    m_histogramRow = -1;
    m_histogramCounts.clear();
    if (row >= 0 && row < m_model->rowCount()) {
        const OperationStats& s = m_model->stats()[std::size_t(row)];
        const OperationStats::Histogram h = s.histogram(HistogramBuckets);
        if (!h.counts.empty()) {
            m_histogramRow = row;
            m_histogramCounts = h.counts;
            auto* set = new QBarSet(tr("Spans"));
            set->setColor(dark ? QColor(0x64, 0xb5, 0xf6) : QColor(0x1e, 0x88, 0xe5));
            set->setBorderColor(Qt::transparent);
            QStringList labels;
            qint64 most = 0;
            for (std::size_t b = 0; b < h.counts.size(); ++b) {
                set->append(double(h.counts[b]));
                most = std::max(most, h.counts[b]);
                // Every fourth edge labelled: the axis stays readable in a narrow pane.
                labels << (b % 4 == 0 ? TraceListModel::formatDuration(h.lowerEdges[b]) : QString(b, QLatin1Char(' ')));
            }
            auto* series = new QBarSeries;
            series->setBarWidth(0.95);
            series->append(set);
            chart->addSeries(series);
            auto* x = new QBarCategoryAxis;
            x->append(labels);
            auto* y = new QValueAxis;
            y->setRange(0, double(std::max<qint64>(1, most)));
            y->setLabelFormat(QStringLiteral("%d"));
            y->setTickCount(std::min<int>(5, int(std::max<qint64>(2, most + 1))));
            chart->addAxis(x, Qt::AlignBottom);
            chart->addAxis(y, Qt::AlignLeft);
            series->attachAxis(x);
            series->attachAxis(y);
            const QColor text = palette().color(QPalette::Text);
            x->setLabelsColor(text);
            y->setLabelsColor(text);
            chart->setTitle(tr("Latency of %1 (%2): %3 to %4")
                                .arg(s.spanName, s.serviceName, TraceListModel::formatDuration(s.minNanos),
                                     TraceListModel::formatDuration(s.maxNanos)));
            chart->setTitleBrush(text);
        }
    }
    if (m_histogramRow < 0) {
        chart->setTitle(tr("Latency histogram: choose an operation"));
        chart->setTitleBrush(palette().color(QPalette::PlaceholderText));
    }
    QChart* old = m_histogram->chart();
    m_histogram->setChart(chart);
    delete old;
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
