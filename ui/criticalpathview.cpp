#include "ui/criticalpathview.h"

#include "model/criticalpathmodel.h"
#include "model/tracelistmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

CriticalPathView::CriticalPathView(QWidget* parent)
    : QWidget(parent)
    , m_model(new CriticalPathModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView(this))
    , m_summary(new QLabel(this))
{
    m_view->setObjectName(QStringLiteral("criticalPathSpans"));
    m_summary->setObjectName(QStringLiteral("criticalPathSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(CriticalPathModel::SortRole);
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // the path's own order until a header is clicked
    m_view->header()->setSortIndicatorShown(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(CriticalPathModel::SpanColumn, QHeaderView::Stretch);
    const auto activate = [this](const QModelIndex& index) {
        if (index.isValid() && !m_selecting)
            Q_EMIT spanActivated(index.data(CriticalPathModel::SpanIndexRole).toInt());
    };
    connect(m_view, &QTreeView::clicked, this, activate);
    connect(m_view, &QTreeView::activated, this, activate);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
    setPath(nullptr, nullptr);
}

CriticalPathView::~CriticalPathView() = default;

void CriticalPathView::setPath(std::shared_ptr<const CriticalPath::Result> path, std::shared_ptr<const SpanTree> tree)
{
    m_tree = tree;
    m_model->setPath(std::move(path), std::move(tree));
    for (int c : { int(CriticalPathModel::ServiceColumn), int(CriticalPathModel::SelfTimeColumn),
             int(CriticalPathModel::ShareColumn), int(CriticalPathModel::StartColumn) })
        m_view->resizeColumnToContents(c);
    m_summary->setText(summaryText());
}

QString CriticalPathView::summaryText() const
{
    const std::shared_ptr<const CriticalPath::Result> path = m_model->path();
    if (!path || !m_tree)
        return tr("No trace open.");
    if (path->steps.empty())
        return tr("No critical path: the trace's root span has no duration.");
    const auto largest = std::max_element(path->steps.begin(), path->steps.end(),
        [](const CriticalPath::Step& a, const CriticalPath::Step& b) { return a.selfTimeNanos < b.selfTimeNanos; });
    const double share = path->totalNanos ? 100.0 * double(largest->selfTimeNanos) / double(path->totalNanos) : 0;
    return tr("%n span(s) on the critical path of %1.", nullptr, int(path->steps.size()))
               .arg(TraceListModel::formatDuration(path->totalNanos))
        + QLatin1Char(' ')
        + tr("Most of it in \"%1\" (%2): %3, %4%.")
              .arg(m_tree->nameOf(largest->span), m_tree->serviceNameOf(largest->span), TraceListModel::formatDuration(largest->selfTimeNanos),
                   QLocale().toString(share, 'f', 1));
}

void CriticalPathView::selectSpan(int spanIndex)
{
    const int row = m_model->rowOfSpan(spanIndex);
    m_selecting = true;
    if (row >= 0) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        m_view->setCurrentIndex(index);
        m_view->scrollTo(index);
    } else {
        m_view->selectionModel()->clearSelection();
    }
    m_selecting = false;
}
