#include "tracelistpane.h"

#include "model/sessionlistmodel.h"
#include "model/tracelistmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {
// Time range combo data: seconds back from now for "Last N"; these two for the rest.
constexpr int s_anyTime = 0;
constexpr int s_customRange = -1; ///< the chosen custom range, shown as its text
constexpr int s_chooseCustom = -2; ///< "Custom…": opens the dialog

const QString s_dateTimeFormat = QStringLiteral("yyyy-MM-dd HH:mm:ss");

QDateTime toTheSecond(const QDateTime& dt)
{
    return QDateTime::fromSecsSinceEpoch(dt.toSecsSinceEpoch());
}
} // namespace

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

    // A second row: the first has no room left at the default width without squeezing the text filter.
    auto* filters2 = new QHBoxLayout;
    m_minDuration = new QLineEdit;
    m_minDuration->setObjectName(QStringLiteral("minDurationFilter"));
    m_minDuration->setPlaceholderText(tr("e.g. 250ms"));
    m_minDuration->setClearButtonEnabled(true);
    m_minDuration->setFixedWidth(m_minDuration->fontMetrics().horizontalAdvance(QStringLiteral("e.g. 250ms0000")) + 24);
    auto* minDurationLabel = new QLabel(tr("Min duration:"));
    minDurationLabel->setBuddy(m_minDuration);
    filters2->addWidget(minDurationLabel);
    filters2->addWidget(m_minDuration);
    filters2->addSpacing(8);
    auto* timeRangeLabel = new QLabel(tr("Started:"));
    filters2->addWidget(timeRangeLabel);
    filters2->addWidget(createTimeRangeFilter());
    timeRangeLabel->setBuddy(m_timeRange);
    filters2->addSpacing(8);
    m_clearFilters = new QToolButton;
    m_clearFilters->setObjectName(QStringLiteral("clearFilters"));
    m_clearFilters->setText(tr("Clear filters"));
    m_clearFilters->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_clearFilters->setToolTip(tr("Show every trace: reset the service, session, text, errors, duration and time filters"));
    filters2->addWidget(m_clearFilters);
    filters2->addStretch(1);
    layout->addLayout(filters2);
    updateMinDurationValidity();

    connect(m_minDuration, &QLineEdit::textChanged, this, [this] {
        updateMinDurationValidity();
        m_textDebounce->start();
    });
    connect(m_minDuration, &QLineEdit::returnPressed, this, [this] {
        m_textDebounce->stop();
        Q_EMIT filterChanged();
    });
    connect(m_clearFilters, &QToolButton::clicked, this, &TraceListPane::clearFilters);

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
    m_sessionView->setColumnWidth(SessionListModel::CostColumn, fm.horizontalAdvance(QStringLiteral("$0.000000")) + 8);
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

QWidget* TraceListPane::createTimeRangeFilter()
{
    m_timeRange = new QComboBox;
    m_timeRange->setObjectName(QStringLiteral("timeRangeFilter"));
    m_timeRange->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_timeRange->addItem(tr("Any time"), s_anyTime);
    m_timeRange->addItem(tr("Last 5 minutes"), 5 * 60);
    m_timeRange->addItem(tr("Last 15 minutes"), 15 * 60);
    m_timeRange->addItem(tr("Last hour"), 60 * 60);
    m_timeRange->addItem(tr("Last 6 hours"), 6 * 60 * 60);
    m_timeRange->addItem(tr("Last 24 hours"), 24 * 60 * 60);
    m_timeRange->addItem(tr("Last 7 days"), 7 * 24 * 60 * 60);
    m_timeRange->addItem(tr("Custom…"), s_chooseCustom);
    m_timeRange->setToolTip(tr("Only traces that started in this time range.\n"
                               "\"Last …\" counts back from when the filter is applied: choose it again to move it "
                               "to now (new traces keep showing up meanwhile)."));
    connect(m_timeRange, &QComboBox::activated, this, &TraceListPane::timeRangeChosen);
    return m_timeRange;
}

void TraceListPane::timeRangeChosen(int index)
{
    if (m_timeRange->itemData(index).toInt() == s_chooseCustom) {
        chooseCustomTimeRange(m_timeRangeIndex);
        return;
    }
    m_timeRangeIndex = index;
    Q_EMIT filterChanged();
}

void TraceListPane::chooseCustomTimeRange(int previousIndex)
{
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("timeRangeDialog"));
    dialog->setWindowTitle(tr("Start Time Range"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QDateTime now = toTheSecond(QDateTime::currentDateTime());
    const auto makeEdit = [dialog](const QDateTime& value, const QString& name) {
        auto* edit = new QDateTimeEdit(value, dialog);
        edit->setObjectName(name);
        edit->setDisplayFormat(s_dateTimeFormat);
        edit->setCalendarPopup(true);
        edit->setMinimumDateTime(QDateTime::fromSecsSinceEpoch(0));
        return edit;
    };
    auto* from = makeEdit(m_customFrom.isValid() ? m_customFrom : now.addSecs(-60 * 60), QStringLiteral("timeRangeFrom"));
    auto* to = makeEdit(m_customTo.isValid() ? m_customTo : now, QStringLiteral("timeRangeTo"));
    auto* problem = new QLabel(tr("The start of the range must not be after its end."));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);

    auto* form = new QFormLayout(dialog);
    form->addRow(new QLabel(tr("Traces that started between these times (local time, both included):")));
    form->addRow(tr("From:"), from);
    form->addRow(tr("To:"), to);
    form->addRow(problem);
    form->addRow(buttons);

    const auto validate = [from, to, problem, buttons] {
        const bool ok = from->dateTime() <= to->dateTime();
        problem->setVisible(!ok);
        buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
    };
    validate();
    connect(from, &QDateTimeEdit::dateTimeChanged, dialog, validate);
    connect(to, &QDateTimeEdit::dateTimeChanged, dialog, validate);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this, [this, from, to, previousIndex] {
        if (!setCustomTimeRange(from->dateTime(), to->dateTime()))
            m_timeRange->setCurrentIndex(previousIndex);
    });
    connect(dialog, &QDialog::rejected, this, [this, previousIndex] { m_timeRange->setCurrentIndex(previousIndex); });
    dialog->open();
}

bool TraceListPane::setCustomTimeRange(const QDateTime& from, const QDateTime& to)
{
    if (!from.isValid() || !to.isValid() || from.toSecsSinceEpoch() < 0 || from > to)
        return false;
    m_customFrom = toTheSecond(from);
    m_customTo = toTheSecond(to);
    const QString fromText = m_customFrom.toString(s_dateTimeFormat);
    const QString toText = m_customTo.date() == m_customFrom.date() ? m_customTo.toString(QStringLiteral("HH:mm:ss"))
                                                                     : m_customTo.toString(s_dateTimeFormat);
    const QString text = tr("%1 – %2").arg(fromText, toText);
    int index = m_timeRange->findData(s_customRange);
    if (index < 0) {
        index = m_timeRange->findData(s_chooseCustom);
        m_timeRange->insertItem(index, text, s_customRange);
    } else {
        m_timeRange->setItemText(index, text);
    }
    m_timeRange->setItemData(index,
        tr("From %1 to %2 (local time, both included)").arg(fromText, m_customTo.toString(s_dateTimeFormat)),
        Qt::ToolTipRole);
    m_timeRange->setCurrentIndex(index);
    m_timeRangeIndex = index;
    Q_EMIT filterChanged();
    return true;
}

void TraceListPane::updateMinDurationValidity()
{
    const bool valid = TraceListModel::parseDuration(m_minDuration->text()).has_value();
    // Qt's styles have no "invalid" state for a line edit; a style sheet frame is the usual way to show one.
    m_minDuration->setStyleSheet(valid ? QString() : QStringLiteral("QLineEdit { border: 2px solid #d32f2f; border-radius: 3px; }"));
    m_minDuration->setToolTip(valid
            ? tr("Only traces at least this long: 250ms, 1.5s, 2m, 300us, 1h; a number alone is in ms")
            : tr("Not a duration, not filtering. Type a number and a unit: 250ms, 1.5s, 2m, 300us, 1h "
                 "(also ns, min); a number alone is in ms"));
}

void TraceListPane::clearFilters()
{
    bool changed = false;
    const auto reset = [&changed](QComboBox* combo) {
        if (combo->currentIndex() > 0) {
            const QSignalBlocker blocker(combo);
            combo->setCurrentIndex(0);
            changed = true;
        }
    };
    reset(m_serviceCombo);
    reset(m_sessionCombo);
    reset(m_timeRange);
    m_timeRangeIndex = 0;
    for (QLineEdit* edit : { m_textFilter, m_minDuration }) {
        if (!edit->text().isEmpty()) {
            const QSignalBlocker blocker(edit);
            edit->clear();
            changed = true;
        }
    }
    updateMinDurationValidity();
    m_textDebounce->stop();
    if (m_errorsOnly->isChecked()) {
        const QSignalBlocker blocker(m_errorsOnly);
        m_errorsOnly->setChecked(false);
        changed = true;
    }
    m_sessionView->clearSelection();
    if (changed)
        Q_EMIT filterChanged();
}

TraceQuery TraceListPane::filterQuery() const
{
    TraceQuery query;
    query.serviceName = m_serviceCombo->currentData().toString();
    query.conversationId = m_sessionCombo->currentData().toString();
    query.text = m_textFilter->text().trimmed();
    query.errorsOnly = m_errorsOnly->isChecked();
    query.minDurationNanos = TraceListModel::parseDuration(m_minDuration->text()).value_or(0);
    const int range = m_timeRange->currentData().toInt();
    constexpr std::uint64_t nanosPerMs = 1000000ull;
    if (range > 0) {
        const qint64 fromMs = QDateTime::currentMSecsSinceEpoch() - qint64(range) * 1000;
        query.startTimeFromUnixNano = fromMs > 0 ? std::uint64_t(fromMs) * nanosPerMs : 0;
    } else if (range == s_customRange && m_customFrom.isValid() && m_customTo.isValid()) {
        query.startTimeFromUnixNano = std::uint64_t(m_customFrom.toSecsSinceEpoch()) * 1000 * nanosPerMs;
        // The whole last second: "to 12:00:05" includes a trace that started at 12:00:05.400.
        query.startTimeToUnixNano = (std::uint64_t(m_customTo.toSecsSinceEpoch()) + 1) * 1000 * nanosPerMs - 1;
    }
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
