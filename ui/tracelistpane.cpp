#include "tracelistpane.h"

#include "model/sessionlistmodel.h"
#include "model/tracelistmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

TraceListPane::TraceListPane(TraceListModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_textDebounce(new QTimer(this))
    , m_tabs(new QTabWidget)
    , m_tracesPage(new QWidget)
    , m_sessionModel(new SessionListModel(this))
    , m_sessionProxy(new QSortFilterProxyModel(this))
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 0);
    m_tabs->setObjectName(QStringLiteral("traceListTabs"));
    m_tabs->setDocumentMode(true);
    outer->addWidget(m_tabs);
    auto* layout = new QVBoxLayout(m_tracesPage);
    layout->setContentsMargins(0, 4, 0, 0);

    m_textDebounce->setSingleShot(true);
    m_textDebounce->setInterval(300);
    connect(m_textDebounce, &QTimer::timeout, this, &TraceListPane::filterChanged);

    auto* filters = new QHBoxLayout;
    m_serviceCombo = new QComboBox;
    m_serviceCombo->setObjectName(QStringLiteral("serviceFilter"));
    m_serviceCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_serviceCombo->setMinimumContentsLength(14);
    m_serviceCombo->setToolTip(tr("Only traces with a span of this service"));
    m_sessionCombo = new QComboBox;
    m_sessionCombo->setObjectName(QStringLiteral("sessionFilter"));
    // Session ids are often UUIDs: a combo as wide as the longest would squeeze the text filter. The popup still
    // widens to show them whole.
    m_sessionCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_sessionCombo->setMinimumContentsLength(20);
    m_sessionCombo->setToolTip(tr("Only the traces of one agent session (gen_ai.conversation.id or session.id), oldest first"));
    m_sessionCombo->addItem(tr("All sessions"), QString());
    m_textFilter = new QLineEdit;
    m_textFilter->setObjectName(QStringLiteral("textFilter"));
    m_textFilter->setPlaceholderText(tr("Filter by span name or attribute value"));
    m_textFilter->setClearButtonEnabled(true);
    m_errorsOnly = new QCheckBox(tr("&Errors only"));
    m_errorsOnly->setObjectName(QStringLiteral("errorsOnly"));
    m_pause = new QToolButton;
    m_pause->setText(tr("&Pause live updates"));
    m_pause->setCheckable(true);
    m_pause->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_pause->setToolTip(tr("Keep the trace list and the open trace as they are while new spans arrive"));
    filters->addWidget(new QLabel(tr("Service:")));
    filters->addWidget(m_serviceCombo);
    filters->addWidget(new QLabel(tr("Session:")));
    filters->addWidget(m_sessionCombo);
    filters->addWidget(m_textFilter, 1);
    filters->addWidget(m_errorsOnly);
    m_loading = new QLabel(tr("Loading…"));
    m_loading->setObjectName(QStringLiteral("listLoading"));
    m_loading->hide();
    filters->addWidget(m_loading);
    filters->addWidget(m_pause);
    layout->addLayout(filters);

    connect(m_serviceCombo, &QComboBox::activated, this, &TraceListPane::filterChanged);
    connect(m_sessionCombo, &QComboBox::activated, this, &TraceListPane::sessionFilterChosen);
    connect(m_textFilter, &QLineEdit::textChanged, m_textDebounce, qOverload<>(&QTimer::start));
    connect(m_textFilter, &QLineEdit::returnPressed, this, [this] {
        m_textDebounce->stop();
        Q_EMIT filterChanged();
    });
    connect(m_errorsOnly, &QCheckBox::toggled, this, &TraceListPane::filterChanged);
    connect(m_pause, &QToolButton::toggled, this, &TraceListPane::pausedChanged);
    connect(m_model, &TraceListModel::loadingChanged, m_loading, &QLabel::setVisible);

    m_view = new QTableView;
    m_view->setObjectName(QStringLiteral("traceList"));
    // The model sorts in the store (TraceListModel::sort), over every trace rather than the loaded pages.
    m_view->setModel(m_model);
    m_view->horizontalHeader()->setSortIndicator(TraceListModel::columnOfOrder(m_model->query().order),
        m_model->query().descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setSectionResizeMode(TraceListModel::NameColumn, QHeaderView::Stretch);
    const QFontMetrics fm(m_view->font());
    m_view->setColumnWidth(TraceListModel::StartColumn, fm.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00.000")) + 24);
    m_view->setColumnWidth(TraceListModel::ServiceColumn, fm.horizontalAdvance(QStringLiteral("checkout-service")) + 12);
    // Narrow numeric columns (the header tooltips say what they count), so that the name keeps its room.
    m_view->setColumnWidth(TraceListModel::DurationColumn, fm.horizontalAdvance(QStringLiteral("Duration")) + 20);
    for (int column : { int(TraceListModel::SpansColumn), int(TraceListModel::ErrorsColumn), int(TraceListModel::LlmCallsColumn),
                        int(TraceListModel::ToolCallsColumn) })
        m_view->setColumnWidth(column, fm.horizontalAdvance(QStringLiteral("Errors")) + 14);
    for (int column : { int(TraceListModel::InputTokensColumn), int(TraceListModel::OutputTokensColumn) })
        m_view->setColumnWidth(column, fm.horizontalAdvance(QStringLiteral("Out tok")) + 14);
    m_view->setColumnWidth(TraceListModel::CostColumn, fm.horizontalAdvance(QStringLiteral("$0.000000")) + 8);
    layout->addWidget(m_view, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { rowActivated(current); });

    m_tabs->addTab(m_tracesPage, tr("Traces"));
    m_tabs->addTab(createSessionsPage(), tr("Sessions"));
    updateSessionsShown();
}

TraceListPane::~TraceListPane() = default;

QWidget* TraceListPane::createSessionsPage()
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    m_sessionStack = new QStackedWidget;
    layout->addWidget(m_sessionStack);

    m_noSessions = new QLabel(tr("No sessions: traces with gen_ai.conversation.id or session.id are grouped here"));
    m_noSessions->setObjectName(QStringLiteral("noSessions"));
    m_noSessions->setAlignment(Qt::AlignCenter);
    m_noSessions->setWordWrap(true);
    m_noSessions->setMargin(24);
    m_noSessions->setForegroundRole(QPalette::PlaceholderText);
    m_sessionStack->addWidget(m_noSessions);

    // At most a few hundred rows (TraceStore::listSessions' limit): sorting on the client is fine.
    m_sessionProxy->setSourceModel(m_sessionModel);
    m_sessionProxy->setSortRole(SessionListModel::SortRole);
    m_sessionView = new QTableView;
    m_sessionView->setObjectName(QStringLiteral("sessionList"));
    m_sessionView->setModel(m_sessionProxy);
    m_sessionView->setSortingEnabled(true);
    m_sessionView->sortByColumn(SessionListModel::LastActivityColumn, Qt::DescendingOrder);
    m_sessionView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sessionView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sessionView->setAlternatingRowColors(true);
    m_sessionView->setWordWrap(false);
    m_sessionView->setTextElideMode(Qt::ElideMiddle); // ids differ at either end
    m_sessionView->verticalHeader()->hide();
    m_sessionView->verticalHeader()->setDefaultSectionSize(m_view->verticalHeader()->defaultSectionSize());
    QHeaderView* header = m_sessionView->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(SessionListModel::SessionColumn, QHeaderView::Stretch);
    const QFontMetrics fm(m_sessionView->font());
    const int timestampWidth = fm.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00.000")) + 24;
    m_sessionView->setColumnWidth(SessionListModel::StartColumn, timestampWidth);
    m_sessionView->setColumnWidth(SessionListModel::LastActivityColumn, timestampWidth);
    m_sessionView->setColumnWidth(
        SessionListModel::DurationColumn, fm.horizontalAdvance(QStringLiteral("Duration")) + 20);
    for (int column : { int(SessionListModel::TracesColumn), int(SessionListModel::LlmCallsColumn),
             int(SessionListModel::ToolCallsColumn) })
        m_sessionView->setColumnWidth(column, fm.horizontalAdvance(QStringLiteral("Traces")) + 20);
    for (int column : { int(SessionListModel::InputTokensColumn), int(SessionListModel::OutputTokensColumn) })
        m_sessionView->setColumnWidth(column, fm.horizontalAdvance(QStringLiteral("000,000")) + 20);
    m_sessionStack->addWidget(m_sessionView);

    connect(m_sessionView, &QAbstractItemView::activated, this,
        [this](const QModelIndex& index) { openSession(index.data(SessionListModel::ConversationIdRole).toString()); });
    connect(m_sessionModel, &QAbstractItemModel::rowsInserted, this, &TraceListPane::updateSessionsShown);
    connect(m_sessionModel, &QAbstractItemModel::rowsRemoved, this, &TraceListPane::updateSessionsShown);
    connect(m_sessionModel, &QAbstractItemModel::modelReset, this, &TraceListPane::updateSessionsShown);
    return page;
}

void TraceListPane::updateSessionsShown()
{
    const int count = m_sessionModel->rowCount();
    m_sessionStack->setCurrentWidget(count > 0 ? static_cast<QWidget*>(m_sessionView) : m_noSessions);
    m_tabs->setTabText(m_tabs->indexOf(m_sessionStack->parentWidget()),
        count > 0 ? tr("Sessions (%1)").arg(QLocale().toString(count)) : tr("Sessions"));
}

bool TraceListPane::openSession(const QString& conversationId)
{
    const int index = conversationId.isEmpty() ? -1 : m_sessionCombo->findData(conversationId);
    if (index < 0)
        return false;
    m_tabs->setCurrentWidget(m_tracesPage);
    m_sessionCombo->setCurrentIndex(index);
    sessionFilterChosen();
    m_view->setFocus();
    return true;
}

void TraceListPane::sessionFilterChosen()
{
    const QString session = m_sessionCombo->currentData().toString();
    if (!session.isEmpty()) {
        // A session reads in order: its first trace on top. (Sorting re-queries with the filter below.)
        const QSignalBlocker blocker(m_view->horizontalHeader());
        m_view->horizontalHeader()->setSortIndicator(TraceListModel::StartColumn, Qt::AscendingOrder);
        m_model->sort(TraceListModel::StartColumn, Qt::AscendingOrder);
    }
    // The Sessions tab shows which session the list is filtered to.
    const int row = m_sessionModel->rowOf(session);
    if (row >= 0)
        m_sessionView->setCurrentIndex(m_sessionProxy->mapFromSource(m_sessionModel->index(row, 0)));
    else
        m_sessionView->clearSelection();
    Q_EMIT filterChanged();
    if (!session.isEmpty())
        Q_EMIT sessionChosen(session);
}

TraceQuery TraceListPane::filterQuery() const
{
    TraceQuery query;
    query.serviceName = m_serviceCombo->currentData().toString();
    query.conversationId = m_sessionCombo->currentData().toString();
    query.text = m_textFilter->text().trimmed();
    query.errorsOnly = m_errorsOnly->isChecked();
    // The order is the header's (TraceListModel::sort).
    query.order = m_model->query().order;
    query.descending = m_model->query().descending;
    return query;
}

void TraceListPane::setServices(const QStringList& services)
{
    QStringList current;
    for (int i = 1; i < m_serviceCombo->count(); ++i)
        current << m_serviceCombo->itemData(i).toString();
    if (current == services && m_serviceCombo->count() > 0)
        return;
    const QString selected = m_serviceCombo->currentData().toString();
    const QSignalBlocker blocker(m_serviceCombo);
    m_serviceCombo->clear();
    m_serviceCombo->addItem(tr("All services"), QString());
    for (const QString& service : services)
        m_serviceCombo->addItem(service, service);
    const int index = m_serviceCombo->findData(selected);
    m_serviceCombo->setCurrentIndex(index >= 0 ? index : 0);
}

void TraceListPane::setSessions(const std::vector<SessionSummary>& sessions)
{
    m_sessionModel->setSessions(sessions);
    const QString selected = m_sessionCombo->currentData().toString();
    const QSignalBlocker blocker(m_sessionCombo);
    m_sessionCombo->clear();
    m_sessionCombo->addItem(tr("All sessions"), QString());
    for (const SessionSummary& s : sessions) {
        m_sessionCombo->addItem(tr("%1 (%n trace(s))", nullptr, int(s.traceCount)).arg(s.conversationId), s.conversationId);
        m_sessionCombo->setItemData(m_sessionCombo->count() - 1,
            tr("%1 LLM calls, %2 tool calls, %3 input / %4 output tokens")
                .arg(s.llmCalls)
                .arg(s.toolCalls)
                .arg(QLocale().toString(s.inputTokens), QLocale().toString(s.outputTokens)),
            Qt::ToolTipRole);
    }
    const int index = m_sessionCombo->findData(selected);
    m_sessionCombo->setCurrentIndex(index >= 0 ? index : 0);
}

void TraceListPane::clearServices()
{
    const QSignalBlocker blocker(m_serviceCombo);
    m_serviceCombo->clear();
    const QSignalBlocker sessionBlocker(m_sessionCombo);
    m_sessionCombo->clear();
    m_sessionCombo->addItem(tr("All sessions"), QString());
    m_sessionModel->setSessions({});
}

bool TraceListPane::isPaused() const
{
    return m_pause->isChecked();
}

void TraceListPane::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

void TraceListPane::selectTrace(const TraceId& id)
{
    const int row = m_model->rowOf(id);
    if (row >= 0 && m_view->currentIndex().data(TraceListModel::TraceIdRole).toString() != id.toHex()) {
        m_syncingSelection = true;
        m_view->setCurrentIndex(m_model->index(row, 0));
        m_syncingSelection = false;
    }
}

void TraceListPane::showTrace(const TraceId& id)
{
    const int row = m_model->rowOf(id);
    m_syncingSelection = true;
    if (row >= 0) {
        const QModelIndex index = m_model->index(row, 0);
        if (m_view->currentIndex().row() != index.row())
            m_view->selectionModel()->setCurrentIndex(index,
                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    } else {
        m_view->clearSelection();
    }
    m_syncingSelection = false;
}

std::vector<TraceId> TraceListPane::selectedTraceIds() const
{
    std::vector<TraceId> ids;
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const QModelIndex& index : std::as_const(rows)) {
        const TraceId id = TraceId::fromHex(index.data(TraceListModel::TraceIdRole).toString());
        if (id.isValid())
            ids.push_back(id);
    }
    return ids;
}

void TraceListPane::rowActivated(const QModelIndex& index)
{
    if (m_syncingSelection || !index.isValid())
        return;
    const TraceId id = TraceId::fromHex(index.data(TraceListModel::TraceIdRole).toString());
    if (id.isValid())
        Q_EMIT traceActivated(id);
}
