#include "mainwindow.h"

#include "model/guardedjob.h"
#include "model/tracelistmodel.h"
#include "storage/connectionstrings.h"
#include "storage/tracestore.h"
#include "ui/filejobrunner.h"
#include "ui/inspectorwidget.h"
#include "ui/logsview.h"
#include "model/logrecordmodel.h"
#include "ui/rawpayloadview.h"
#include "ui/traceviewpane.h"
#include "ui/uilogging.h"
#include "ui/waterfallview.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

MainWindow::MainWindow(TraceStore* store, QWidget* parent)
    : QMainWindow(parent)
    , m_session(new StoreSession(this, this))
    , m_loader(new TraceLoader(this))
    , m_files(new FileJobRunner(this))
    , m_traceModel(new TraceListModel(this))
    , m_textDebounce(new QTimer(this))
    , m_refreshTimer(new QTimer(this))
    , m_servicesTimer(new QTimer(this))
    , m_receiverLabel(new QLabel(this))
    , m_spansLabel(new QLabel(this))
    , m_storeLabel(new QLabel(this))
{
    m_session->setStore(store);
    setWindowTitle(tr("Spanscope"));
    QIcon icon;
    for (int size : { 32, 64, 256 })
        icon.addFile(QStringLiteral(":/spanscope/icons/spanscope-%1.png").arg(size), QSize(size, size));
    setWindowIcon(icon);

    m_textDebounce->setSingleShot(true);
    m_textDebounce->setInterval(300);
    connect(m_textDebounce, &QTimer::timeout, this, &MainWindow::applyFilter);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshIntervalMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::flushPendingChanges);
    m_servicesTimer->setSingleShot(true);
    m_servicesTimer->setInterval(1000);
    connect(m_servicesTimer, &QTimer::timeout, this, &MainWindow::refreshServices);

    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(createTraceListPane());
    m_tracePane = new TraceViewPane;
    m_waterfall = m_tracePane->waterfall();
    left->addWidget(m_tracePane);
    left->setStretchFactor(0, 2);
    left->setStretchFactor(1, 3);

    m_inspector = new InspectorWidget;
    m_rawView = new RawPayloadView;
    m_logsView = new LogsView;
    auto* tabs = new QTabWidget;
    m_detailTabs = tabs;
    tabs->setObjectName(QStringLiteral("detailTabs"));
    tabs->addTab(m_inspector, tr("&Inspector"));
    tabs->addTab(m_logsView, tr("&Logs"));
    tabs->addTab(m_rawView, tr("&Raw payload"));

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(left);
    main->addWidget(tabs);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    main->setSizes({ 840, 460 });
    setCentralWidget(main);

    m_receiverLabel->setText(tr("Receiver: off"));
    m_storeLabel->setText(tr("Store: %1").arg(store ? store->description() : tr("none")));
    setSpansReceived(0);
    statusBar()->addPermanentWidget(m_receiverLabel);
    statusBar()->addPermanentWidget(m_spansLabel);
    statusBar()->addPermanentWidget(m_storeLabel);

    connect(m_waterfall, &WaterfallView::spanSelected, m_inspector, &InspectorWidget::showSpan);
    connect(m_waterfall, &WaterfallView::spanSelected, m_logsView, &LogsView::setSelectedSpan);
    connect(m_logsView, &LogsView::spanActivated, this, &MainWindow::selectSpan);
    connect(m_inspector, &InspectorWidget::linkActivated, this, &MainWindow::followLink);
    connect(m_traceModel, &TraceListModel::loadFailed, this,
        [this](const QString& error) { statusBar()->showMessage(tr("Cannot list traces: %1").arg(error), 10000); });

    connect(m_traceModel, &TraceListModel::loadingChanged, this, [this](bool loading) {
        m_listLoading->setVisible(loading);
        if (!loading)
            selectOpenTraceRow();
    });

    connect(m_loader, &TraceLoader::loadStarted, this, [this](const TraceId& id, qint64 spanCount) {
        statusBar()->showMessage(spanCount > 0
                ? tr("Loading trace %1 (%2 spans)…").arg(id.toHex(), QLocale().toString(spanCount))
                : tr("Loading trace %1…").arg(id.toHex()));
    });
    connect(m_loader, &TraceLoader::traceAvailable, this, &MainWindow::applyLoadedTrace);
    connect(m_loader, &TraceLoader::loadFailed, this, [this](const TraceId& id, const QString& error) {
        showError(tr("Cannot load trace %1: %2").arg(id.toHex(), error));
    });

    connect(m_session, &StoreSession::storeChanged, this, &MainWindow::showStore);
    connect(m_session, &StoreSession::connectionShown, this, &MainWindow::updateStoreTitle);
    connect(m_session, &StoreSession::connectingChanged, this, [this](const QString& text) {
        m_connectLabel->setText(text);
        m_connectBox->setVisible(!text.isEmpty());
    });
    connect(m_session, &StoreSession::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(m_session, &StoreSession::connectFailed, this, &MainWindow::showError);
    connect(m_session, &StoreSession::connectFinished, this, &MainWindow::connectFinished);
    connect(m_session, &StoreSession::connectRequested, this, &MainWindow::connectToStore);

    connect(m_files, &FileJobRunner::runningChanged, this, [this](bool running) {
        for (QAction* action : std::as_const(m_fileActions))
            action->setEnabled(!running && m_files->service());
    });
    connect(m_files, &FileJobRunner::storeChanged, this, [this] {
        refreshServices();
        applyFilter();
        if (!m_openTrace.isValid() && m_traceModel->rowCount() > 0)
            openTrace(m_traceModel->traceIdAt(0));
    });
    connect(m_files, &FileJobRunner::jobFinished, this, [this](bool ok, const QString& summary) {
        statusBar()->showMessage(summary, 15000);
        Q_EMIT fileJobFinished(ok, summary);
    });

    createMenus();
    createStoreControls();
    refreshServices();
    m_loader->setStore(store);
    m_traceModel->setStore(store);
    resize(1400, 860);
}

void MainWindow::setStore(TraceStore* store)
{
    m_session->setStore(store);
}

void MainWindow::showStore()
{
    // A trace load still running on a worker reads the old store: let it finish (unless it keeps the store alive
    // itself), and drop its result.
    TraceStore* store = m_session->store();
    const std::shared_ptr<TraceStore> shared = m_session->sharedStore();
    const bool asynchronous = m_session->readsAsynchronously();
    m_loader->setStore(store, shared, asynchronous);
    m_openTrace = TraceId();
    m_shownTrace = TraceId();
    m_pendingSpan = SpanId();
    m_pendingChanges.clear();
    m_haveChanges = false;
    m_waterfall->setTree(nullptr);
    m_inspector->setTree(nullptr);
    m_logsView->setTree(nullptr);
    updateLogsTabTitle();
    m_inspector->showSpan(SpanId());
    m_rawView->clear();
    m_tracePane->setTitle(QString(), QString());
    {
        const QSignalBlocker blocker(m_serviceCombo);
        m_serviceCombo->clear();
    }
    m_storeLabel->setText(tr("Store: %1").arg(store ? store->description() : tr("none")));
    m_storeLabel->setToolTip(QString());
    refreshServices();
    m_traceModel->setAsynchronous(asynchronous);
    m_traceModel->setSource(shared ? TraceListModel::sourceFor(shared) : TraceListModel::sourceFor(store), filterQuery());
}

void MainWindow::adoptStore(std::unique_ptr<TraceStore> store)
{
    m_session->adoptStore(std::move(store));
}

MainWindow::~MainWindow()
{
    // A worker may still read from the store for a load nobody waits for any more (unless it keeps the store).
    m_loader->cancel();
    m_loader->waitForStoreReads();
    m_files->cancelAndWait();
    // The model and the views must stop using an owned store before it goes.
    m_traceModel->setStore<TraceStore>(nullptr);
}

QWidget* MainWindow::createTraceListPane()
{
    auto* pane = new QWidget;
    auto* layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 4, 4, 0);

    auto* filters = new QHBoxLayout;
    m_serviceCombo = new QComboBox;
    m_serviceCombo->setObjectName(QStringLiteral("serviceFilter"));
    m_serviceCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_serviceCombo->setMinimumContentsLength(14);
    m_serviceCombo->setToolTip(tr("Only traces with a span of this service"));
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
    filters->addWidget(m_textFilter, 1);
    filters->addWidget(m_errorsOnly);
    m_listLoading = new QLabel(tr("Loading…"));
    m_listLoading->setObjectName(QStringLiteral("listLoading"));
    m_listLoading->hide();
    filters->addWidget(m_listLoading);
    filters->addWidget(m_pause);
    layout->addLayout(filters);

    connect(m_serviceCombo, &QComboBox::activated, this, &MainWindow::applyFilter);
    connect(m_textFilter, &QLineEdit::textChanged, m_textDebounce, qOverload<>(&QTimer::start));
    connect(m_textFilter, &QLineEdit::returnPressed, this, [this] {
        m_textDebounce->stop();
        applyFilter();
    });
    connect(m_errorsOnly, &QCheckBox::toggled, this, &MainWindow::applyFilter);
    connect(m_pause, &QToolButton::toggled, this, [this](bool paused) {
        statusBar()->showMessage(paused ? tr("Live updates paused") : tr("Live updates resumed"), 3000);
        if (!paused && m_haveChanges)
            m_refreshTimer->start();
    });

    m_traceView = new QTableView;
    m_traceView->setObjectName(QStringLiteral("traceList"));
    // The model sorts in the store (TraceListModel::sort), over every trace rather than the loaded pages.
    m_traceView->setModel(m_traceModel);
    m_traceView->horizontalHeader()->setSortIndicator(TraceListModel::columnOfOrder(m_traceModel->query().order),
        m_traceModel->query().descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    m_traceView->setSortingEnabled(true);
    m_traceView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_traceView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_traceView->setAlternatingRowColors(true);
    m_traceView->setWordWrap(false);
    m_traceView->verticalHeader()->hide();
    m_traceView->verticalHeader()->setDefaultSectionSize(m_traceView->fontMetrics().height() + 8);
    m_traceView->horizontalHeader()->setHighlightSections(false);
    m_traceView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_traceView->horizontalHeader()->setSectionResizeMode(TraceListModel::NameColumn, QHeaderView::Stretch);
    const QFontMetrics fm(m_traceView->font());
    m_traceView->setColumnWidth(TraceListModel::StartColumn, fm.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00.000")) + 24);
    m_traceView->setColumnWidth(TraceListModel::ServiceColumn, fm.horizontalAdvance(QStringLiteral("incident-response-agent")) + 12);
    m_traceView->setColumnWidth(TraceListModel::DurationColumn, fm.horizontalAdvance(QStringLiteral("Duration")) + 40);
    for (int column : { int(TraceListModel::SpansColumn), int(TraceListModel::ErrorsColumn), int(TraceListModel::TokensColumn) })
        m_traceView->setColumnWidth(column, fm.horizontalAdvance(QStringLiteral("Tokens")) + 30);
    layout->addWidget(m_traceView, 1);

    connect(m_traceView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { traceRowActivated(current); });
    // A re-sort or a new filter resets the model and with it the selection: select the open trace again.
    connect(m_traceModel, &QAbstractItemModel::modelReset, this, &MainWindow::selectOpenTraceRow);
    return pane;
}

QLineEdit* MainWindow::findEdit() const
{
    return m_tracePane->findEdit();
}

void MainWindow::setPayloadFormatter(std::function<QString(const RawPayload&)> formatter)
{
    m_formatter = formatter;
    m_rawView->setFormatter(std::move(formatter));
}

void MainWindow::setReceiverStatus(const QString& text)
{
    m_receiverLabel->setText(text);
}

void MainWindow::setStorePath(const QString& text)
{
    m_storeLabel->setText(tr("Store: %1").arg(text));
}

void MainWindow::setSpansReceived(qint64 count)
{
    m_spansLabel->setText(tr("Spans received: %1").arg(QLocale().toString(count)));
}

void MainWindow::showStatusMessage(const QString& message)
{
    statusBar()->showMessage(message, 10000);
}

void MainWindow::showError(const QString& error)
{
    // Errors may come from libpq or libcurl, which echo connection strings and URLs.
    const QString message = ConnectionStrings::redact(error);
    qCWarning(lcUi) << message;
    statusBar()->showMessage(message, 10000);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Spanscope"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

bool MainWindow::isPaused() const
{
    return m_pause->isChecked();
}

void MainWindow::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

TraceQuery MainWindow::filterQuery() const
{
    TraceQuery query;
    query.serviceName = m_serviceCombo->currentData().toString();
    query.text = m_textFilter->text().trimmed();
    query.errorsOnly = m_errorsOnly->isChecked();
    // The order is the header's (TraceListModel::sort).
    query.order = m_traceModel->query().order;
    query.descending = m_traceModel->query().descending;
    return query;
}

void MainWindow::applyFilter()
{
    m_traceModel->setQuery(filterQuery());
    selectOpenTraceRow();
}

void MainWindow::selectOpenTraceRow()
{
    // Keep the open trace highlighted if it is still listed.
    const int row = m_traceModel->rowOf(m_openTrace);
    if (row >= 0 && m_traceView->currentIndex().data(TraceListModel::TraceIdRole).toString() != m_openTrace.toHex()) {
        m_syncingSelection = true;
        m_traceView->setCurrentIndex(m_traceModel->index(row, 0));
        m_syncingSelection = false;
    }
}

void MainWindow::refreshServices()
{
    TraceStore* current = m_session->store();
    if (!current)
        return;
    if (m_session->readsAsynchronously() && m_session->sharedStore()) {
        struct Services {
            QStringList names;
            QString error;
        };
        const quint64 generation = m_session->generation();
        std::shared_ptr<TraceStore> store = m_session->sharedStore();
        GuardedJob::start(StoreOpener::threadPool(), this, [store] {
            Services services;
            services.names = store->services(&services.error);
            return services;
        }, [this, generation](const Services& services) {
            if (generation == m_session->generation())
                applyServices(services.names, services.error);
        });
        return;
    }
    QString error;
    const QStringList services = current->services(&error);
    applyServices(services, error);
}

void MainWindow::applyServices(const QStringList& services, const QString& error)
{
    if (!error.isEmpty()) {
        statusBar()->showMessage(tr("Cannot list services: %1").arg(error), 10000);
        return;
    }
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

void MainWindow::notifyTracesChanged(const QVector<TraceId>& traceIds)
{
    // The receiver writes into the local store; another store shown is not refreshed by it.
    if (!isLocalStoreShown())
        return;
    for (const TraceId& id : traceIds)
        m_pendingChanges.insert(id);
    m_haveChanges = true;
    if (!m_refreshTimer->isActive() && !isPaused())
        m_refreshTimer->start();
}

void MainWindow::flushPendingChanges()
{
    if (isPaused() || !m_haveChanges)
        return;
    const QVector<TraceId> changed(m_pendingChanges.begin(), m_pendingChanges.end());
    m_pendingChanges.clear();
    m_haveChanges = false;
    m_traceModel->refresh(changed);
    if (m_openTrace.isValid() && changed.contains(m_openTrace))
        loadTraceInto(m_openTrace, true);
    // The service list query may touch every span: at most once a second, a moment of staleness is fine.
    if (!m_servicesTimer->isActive())
        m_servicesTimer->start();
}

void MainWindow::traceRowActivated(const QModelIndex& index)
{
    if (m_syncingSelection || !index.isValid())
        return;
    const TraceId id = TraceId::fromHex(index.data(TraceListModel::TraceIdRole).toString());
    if (id.isValid() && id != m_openTrace)
        openTrace(id);
}

void MainWindow::openTrace(const TraceId& id)
{
    const int row = m_traceModel->rowOf(id);
    m_syncingSelection = true;
    if (row >= 0) {
        // Opened from the list itself: keep the user's (multiple) selection as it is.
        const QModelIndex index = m_traceModel->index(row, 0);
        if (m_traceView->currentIndex().row() != index.row())
            m_traceView->selectionModel()->setCurrentIndex(index,
                QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    } else {
        m_traceView->clearSelection();
    }
    m_syncingSelection = false;
    m_openTrace = id;
    loadTraceInto(id, false);
}

void MainWindow::loadTraceInto(const TraceId& id, bool keepState)
{
    m_keepTraceState = keepState;
    const TraceSummary* summary = m_traceModel->summaryAt(m_traceModel->rowOf(id));
    m_loader->load(id, summary ? summary->spanCount : -1);
}

void MainWindow::applyLoadedTrace(const TraceLoader::Trace& loaded)
{
    const bool keepState = m_keepTraceState;
    if (loaded.loadedAsynchronously)
        statusBar()->clearMessage();
    if (m_session->readsAsynchronously() && loaded.tree->spans.empty()) {
        // A link to a trace the remote store does not have (it was not checked before loading).
        statusBar()->showMessage(tr("Trace %1 is not in the store").arg(loaded.id.toHex()), 5000);
        m_openTrace = m_shownTrace;
        m_pendingSpan = SpanId();
        return;
    }
    m_shownTrace = loaded.id;
    const SpanId previous = m_waterfall->selectedSpan();
    const SpanId inspected = m_inspector->shownSpan();
    m_waterfall->setTree(loaded.tree, keepState);
    m_inspector->setTree(loaded.tree);
    m_logsView->setTree(loaded.tree);
    updateLogsTabTitle();
    if (!keepState || m_rawView->payloadCount() != static_cast<int>(loaded.payloads.size()))
        m_rawView->setPayloads(loaded.payloads);

    const SpanTree& tree = *loaded.tree;
    QString title = tr("Trace %1").arg(loaded.id.toHex());
    if (!tree.roots.empty()) {
        const Span& root = tree.spans[tree.roots.front()];
        title = tr("%1: %2").arg(root.serviceName(), root.name);
    }
    m_tracePane->setTitle(
        title, tr("Trace %1, %n span(s)", nullptr, static_cast<int>(tree.spans.size())).arg(loaded.id.toHex()));

    SpanId select = m_pendingSpan.isValid() ? m_pendingSpan : (keepState ? inspected : SpanId());
    m_pendingSpan = SpanId();
    if (!select.isValid() && keepState)
        select = previous;
    if (!select.isValid() && m_waterfall->visibleRowCount() > 0)
        select = m_waterfall->spanAtRow(0);
    if (select.isValid() && tree.indexOf(select) < 0 && m_waterfall->visibleRowCount() > 0)
        select = m_waterfall->spanAtRow(0);
    m_waterfall->selectSpan(select);
    m_inspector->showSpan(select);
    if (!loaded.payloadError.isEmpty())
        statusBar()->showMessage(tr("Raw payloads unavailable: %1").arg(loaded.payloadError), 15000);
    Q_EMIT traceLoaded(loaded.id);
}

void MainWindow::updateLogsTabTitle()
{
    const int count = m_logsView->model()->rowCount();
    m_detailTabs->setTabText(m_detailTabs->indexOf(m_logsView), count > 0 ? tr("&Logs (%1)").arg(count) : tr("&Logs"));
}

void MainWindow::selectSpan(const SpanId& id)
{
    if (m_loader->isLoading()) {
        m_pendingSpan = id;
        return;
    }
    m_waterfall->selectSpan(id);
    m_inspector->showSpan(m_waterfall->selectedSpan());
}

void MainWindow::followLink(const TraceId& traceId, const SpanId& spanId)
{
    if (!traceId.isValid() || traceId == m_openTrace) {
        const auto tree = m_waterfall->tree();
        if (tree && tree->indexOf(spanId) >= 0)
            selectSpan(spanId);
        else
            statusBar()->showMessage(tr("Span %1 is not in this trace").arg(spanId.toHex()), 5000);
        return;
    }
    if (m_session->readsAsynchronously()) {
        m_pendingSpan = spanId;
        openTrace(traceId);
        return;
    }
    TraceStore* store = m_session->store();
    std::optional<TraceSummary> summary = store ? store->traceSummary(traceId) : std::nullopt;
    if (!summary) {
        statusBar()->showMessage(tr("Linked trace %1 is not in the store").arg(traceId.toHex()), 5000);
        return;
    }
    m_pendingSpan = spanId;
    openTrace(traceId);
}
