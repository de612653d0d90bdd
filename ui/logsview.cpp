#include "ui/logsview.h"

#include "model/logrecordmodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace {

/// Keeps rows whose text columns contain the filter text and, when set, whose span is the selected one.
class LogFilterProxy final : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void setCriteria(const QString& text, const QString& spanHex)
    {
        m_text = text;
        m_span = spanHex;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        const QAbstractItemModel* model = sourceModel();
        if (!m_span.isNull()
            && model->index(row, 0, parent).data(LogRecordModel::SpanIdRole).toString() != m_span)
            return false;
        if (m_text.isEmpty())
            return true;
        for (int column : { LogRecordModel::SeverityColumn, LogRecordModel::SpanColumn, LogRecordModel::EventColumn,
                            LogRecordModel::BodyColumn, LogRecordModel::AttributesColumn })
            if (model->index(row, column, parent).data().toString().contains(m_text, Qt::CaseInsensitive))
                return true;
        return false;
    }

private:
    QString m_text;
    QString m_span; ///< null: every span
};

} // namespace

LogsView::LogsView(QWidget* parent)
    : QWidget(parent)
    , m_model(new LogRecordModel(this))
    , m_proxy(new LogFilterProxy(this))
    , m_view(new QTreeView(this))
    , m_filter(new QLineEdit(this))
    , m_selectedOnly(new QCheckBox(tr("Selected span only"), this))
    , m_count(new QLabel(this))
{
    m_proxy->setSourceModel(m_model);
    m_view->setObjectName(QStringLiteral("logsView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(LogRecordModel::TimeColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(LogRecordModel::SeverityColumn, QHeaderView::ResizeToContents);
    m_view->setColumnWidth(LogRecordModel::SpanColumn, 110);
    m_view->setColumnWidth(LogRecordModel::EventColumn, 140);
    m_view->setColumnWidth(LogRecordModel::BodyColumn, 320);

    m_filter->setObjectName(QStringLiteral("logsFilter"));
    m_filter->setPlaceholderText(tr("Filter log records (body, event, attributes, span)"));
    m_filter->setClearButtonEnabled(true);
    m_selectedOnly->setObjectName(QStringLiteral("logsSelectedOnly"));
    m_selectedOnly->setToolTip(tr("Show only the log records of the span selected in the waterfall"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_selectedOnly);
    bar->addWidget(m_count);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &LogsView::updateFilter);
    connect(m_selectedOnly, &QCheckBox::toggled, this, &LogsView::updateFilter);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex& index) {
        const SpanId id = SpanId::fromHex(index.data(LogRecordModel::SpanIdRole).toString());
        if (id.isValid())
            Q_EMIT spanActivated(id);
    });
    updateFilter();
}

LogsView::~LogsView() = default;

void LogsView::setTree(std::shared_ptr<const SpanTree> tree)
{
    m_model->setTree(std::move(tree));
    updateFilter();
}

void LogsView::setSelectedSpan(const SpanId& id)
{
    m_selectedSpan = id;
    if (m_selectedOnly->isChecked())
        updateFilter();
}

int LogsView::visibleRows() const
{
    return m_proxy->rowCount();
}

void LogsView::updateFilter()
{
    const QString span = !m_selectedOnly->isChecked() ? QString()
        : m_selectedSpan.isValid()                    ? m_selectedSpan.toHex()
                                                      : QStringLiteral("-"); // selected-only without a selection: none
    static_cast<LogFilterProxy*>(m_proxy)->setCriteria(m_filter->text().trimmed(), span);
    const int all = m_model->rowCount();
    const int shown = m_proxy->rowCount();
    m_count->setText(shown == all ? tr("%n record(s)", nullptr, all) : tr("%1 of %n record(s)", nullptr, all).arg(shown));
}
