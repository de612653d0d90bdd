#include "mainwindow.h"

#include "model/guardedjob.h"
#include "model/logrecordmodel.h"
#include "model/tracelistmodel.h"
#include "storage/connectionstrings.h"
#include "storage/tracestore.h"
#include "ui/conversationview.h"
#include "ui/filejobrunner.h"
#include "ui/inspectorwidget.h"
#include "ui/logsview.h"
#include "ui/rawpayloadview.h"
#include "ui/criticalpathview.h"
#include "ui/flamegraphview.h"
#include "ui/runview.h"
#include "ui/tracechartpane.h"
#include "ui/tracescatterview.h"
#include "ui/tracetimeseriesview.h"
#include "ui/statisticsview.h"
#include "ui/tracelistpane.h"
#include "ui/traceviewpane.h"
#include "ui/uilogging.h"
#include "ui/waterfallview.h"

#include <QAction>
#include <QDateTime>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

MainWindow::MainWindow(TraceStore* store, QWidget* parent)
    : QMainWindow(parent)
    , m_session(new StoreSession(this, this))
    , m_loader(new TraceLoader(this))
    , m_files(new FileJobRunner(this))
    , m_traceModel(new TraceListModel(this))
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

    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(RefreshIntervalMs);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::flushPendingChanges);
    m_servicesTimer->setSingleShot(true);
    m_servicesTimer->setInterval(1000);
    connect(m_servicesTimer, &QTimer::timeout, this, &MainWindow::refreshServices);

    auto* left = new QSplitter(Qt::Vertical);
    m_charts = new TraceChartPane;
    m_scatter = m_charts->scatter();
    left->addWidget(m_charts);
    m_listPane = new TraceListPane(m_traceModel);
    left->addWidget(m_listPane);
    m_tracePane = new TraceViewPane;
    m_waterfall = m_tracePane->waterfall();
    left->addWidget(m_tracePane);
    left->setStretchFactor(0, 1);
    left->setStretchFactor(1, 2);
    left->setStretchFactor(2, 3);
    left->setSizes({ 190, 220, 420 });
    left->setCollapsible(0, true);

    m_inspector = new InspectorWidget;
    m_rawView = new RawPayloadView;
    m_logsView = new LogsView;
    m_conversation = new ConversationView;
    m_runView = new RunView;
    m_criticalPathView = new CriticalPathView;
    m_statsView = new StatisticsView;
    m_flameGraphView = new FlameGraphView;
    auto* tabs = new QTabWidget;
    m_detailTabs = tabs;
    tabs->setObjectName(QStringLiteral("detailTabs"));
    tabs->addTab(m_inspector, tr("&Inspector"));
    tabs->addTab(m_conversation, tr("C&onversation"));
    tabs->addTab(m_runView, tr("&Agent run"));
    tabs->addTab(m_criticalPathView, tr("Critical &path"));
    tabs->addTab(m_flameGraphView, tr("Fla&me graph"));
    tabs->addTab(m_statsView, tr("&Statistics"));
    tabs->addTab(m_logsView, tr("&Logs"));
    tabs->addTab(m_rawView, tr("&Raw payload"));

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(left);
    main->addWidget(tabs);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    main->setSizes({ 900, 500 });
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
    connect(m_waterfall, &WaterfallView::spanSelected, this, &MainWindow::showGenAiOfSpan);
    connect(m_runView, &RunView::spanActivated, this, [this](int spanIndex) {
        const auto tree = m_waterfall->tree();
        if (tree && spanIndex >= 0 && size_t(spanIndex) < tree->spans.size())
            selectSpan(tree->spans[size_t(spanIndex)].spanId);
    });
    connect(m_criticalPathView, &CriticalPathView::spanActivated, this, [this](int spanIndex) {
        const auto tree = m_waterfall->tree();
        if (tree && spanIndex >= 0 && size_t(spanIndex) < tree->spans.size())
            selectSpan(tree->spans[size_t(spanIndex)].spanId);
    });
    connect(m_flameGraphView, &FlameGraphView::spanActivated, this, [this](int spanIndex) {
        const auto tree = m_waterfall->tree();
        if (tree && spanIndex >= 0 && size_t(spanIndex) < tree->spans.size())
            selectSpan(tree->spans[size_t(spanIndex)].spanId);
    });
    connect(m_waterfall, &WaterfallView::spanSelected, this, [this](const SpanId& id) {
        const auto tree = m_waterfall->tree();
        m_criticalPathView->selectSpan(tree ? tree->indexOf(id) : -1);
        m_flameGraphView->selectSpan(tree ? tree->indexOf(id) : -1);
    });
    connect(m_inspector, &InspectorWidget::linkActivated, this, &MainWindow::followLink);
    // The scatter plots the listed traces (as loaded), redrawn at most once a second.
    connect(m_traceModel, &QAbstractItemModel::modelReset, this, &MainWindow::updateScatter);
    connect(m_traceModel, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateScatter);
    connect(m_traceModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateScatter);
    connect(m_traceModel, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateScatter);
    connect(m_traceModel, &QAbstractItemModel::rowsMoved, this, &MainWindow::updateScatter);
    connect(m_traceModel, &QAbstractItemModel::dataChanged, this, &MainWindow::updateScatter);
    connect(m_scatter, &TraceScatterView::traceActivated, this, [this](const TraceId& id) {
        openTrace(id);
        m_listPane->selectTrace(id);
    });
    connect(m_scatter, &TraceScatterView::timeRangeSelected, this, &MainWindow::filterTimeRange);
    connect(m_charts->timeSeries(), &TraceTimeSeriesView::timeRangeSelected, this, &MainWindow::filterTimeRange);
    connect(m_traceModel, &TraceListModel::loadFailed, this,
        [this](const QString& error) { statusBar()->showMessage(tr("Cannot list traces: %1").arg(error), 10000); });

    connect(m_listPane, &TraceListPane::filterChanged, this, &MainWindow::applyFilter);
    connect(m_listPane, &TraceListPane::traceActivated, this, [this](const TraceId& id) {
        if (id != m_openTrace)
            openTrace(id);
    });
    connect(m_listPane, &TraceListPane::pausedChanged, this, [this](bool paused) {
        statusBar()->showMessage(paused ? tr("Live updates paused") : tr("Live updates resumed"), 3000);
        if (!paused && m_haveChanges)
            m_refreshTimer->start();
    });
    connect(m_traceModel, &TraceListModel::loadingChanged, this, [this](bool loading) {
        if (!loading && m_openFirstListed && m_traceModel->rowCount() > 0) {
            m_openFirstListed = false;
            openTrace(m_traceModel->traceIdAt(0));
        }
        if (!loading)
            selectOpenTraceRow();
    });
    // Choosing a session lists its traces oldest first: open the first, the start of the conversation.
    connect(m_listPane, &TraceListPane::sessionChosen, this, [this] {
        if (m_traceModel->isLoading()) {
            m_openFirstListed = true;
            return;
        }
        if (m_traceModel->rowCount() > 0)
            openTrace(m_traceModel->traceIdAt(0));
    });
    // A re-sort or a new filter resets the model and with it the selection: select the open trace again.
    connect(m_traceModel, &QAbstractItemModel::modelReset, this, &MainWindow::selectOpenTraceRow);

    connect(m_loader, &TraceLoader::loadStarted, this, [this](const TraceId& id, qint64 spanCount) {
        statusBar()->showMessage(spanCount > 0
                ? tr("Loading trace %1 (%2 spans)…").arg(id.toHex(), QLocale().toString(spanCount))
                : tr("Loading trace %1…").arg(id.toHex()));
    });
    connect(m_loader, &TraceLoader::traceAvailable, this, &MainWindow::applyLoadedTrace);
    // A large trace loads as outlines: the inspector reads the span it shows in full (one indexed row of the local
    // store; the loader loads outlines only from a store it reads synchronously).
    m_inspector->setSpanSource([this](const TraceId& traceId, const SpanId& spanId) -> std::optional<Span> {
        TraceStore* store = m_loader->store();
        if (!store)
            return std::nullopt;
        QString error;
        std::optional<Span> span = store->span(traceId, spanId, &error);
        if (!error.isEmpty())
            qCWarning(lcUi).noquote() << "cannot read span" << spanId.toHex() << "in full:" << error;
        return span;
    });
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
    createGenAiMenus();
    refreshServices();
    m_loader->setStore(store);
    m_traceModel->setStore(store);
    updateStatisticsSource();
    updateTimeSeriesSource();
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
    stopKeepingStoreCosts();
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
    m_run.reset();
    m_runView->setRun(nullptr, nullptr);
    m_criticalPathView->setPath(nullptr, nullptr);
    m_statsView->setTree(nullptr);
    updateStatisticsSource(); // waits for a computation reading the previous store
    updateTimeSeriesSource(); // likewise
    m_flameGraphView->setTree(nullptr);
    m_conversation->setCall(std::nullopt);
    updateGenAiTabs();
    m_inspector->showSpan(SpanId());
    m_rawView->clear();
    m_tracePane->setTitle(QString(), QString());
    m_listPane->clearServices();
    m_storeLabel->setText(tr("Store: %1").arg(store ? store->description() : tr("none")));
    m_storeLabel->setToolTip(QString());
    refreshServices();
    m_traceModel->setAsynchronous(asynchronous);
    m_traceModel->setSource(shared ? TraceListModel::sourceFor(shared) : TraceListModel::sourceFor(store),
        m_listPane->filterQuery());
    keepStoreCosts();
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
    stopKeepingStoreCosts();
    m_files->cancelAndWait();
    // The model and the views must stop using an owned store before it goes.
    m_charts->timeSeries()->setSource({});
    m_traceModel->setStore<TraceStore>(nullptr);
}

QLineEdit* MainWindow::findEdit() const
{
    return m_tracePane->findEdit();
}

QTableView* MainWindow::traceListView() const
{
    return m_listPane->view();
}

QComboBox* MainWindow::serviceFilter() const
{
    return m_listPane->serviceFilter();
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
    return m_listPane->isPaused();
}

void MainWindow::setPaused(bool paused)
{
    m_listPane->setPaused(paused);
}

void MainWindow::applyFilter()
{
    m_traceModel->setQuery(m_listPane->filterQuery());
    updateStatisticsSource();
    updateTimeSeriesSource();
    selectOpenTraceRow();
}

void MainWindow::updateScatter()
{
    std::vector<TraceSummary> traces;
    traces.reserve(std::size_t(m_traceModel->rowCount()));
    for (int row = 0; row < m_traceModel->rowCount(); ++row)
        if (const TraceSummary* s = m_traceModel->summaryAt(row))
            traces.push_back(*s);
    m_scatter->setTraces(std::move(traces));
}

void MainWindow::filterTimeRange(std::uint64_t fromUnixNano, std::uint64_t toUnixNano)
{
    // Through the filter bar's time range (whole seconds), so it shows there and Clear filters undoes it.
    m_listPane->setCustomTimeRange(QDateTime::fromMSecsSinceEpoch(qint64(fromUnixNano / 1'000'000ULL)),
                                   QDateTime::fromMSecsSinceEpoch(qint64(toUnixNano / 1'000'000ULL)));
}

void MainWindow::updateStatisticsSource()
{
    // The filtered statistics read the store shown, with the list's filter (its order does not matter).
    TraceStore* store = m_session->store();
    const std::shared_ptr<TraceStore> keep = m_session->sharedStore();
    m_statsView->setThreadPool(keep ? StoreOpener::threadPool() : nullptr);
    if (!store) {
        m_statsView->setSource({});
        return;
    }
    m_statsView->setSource(
        [store, keep, query = m_traceModel->query()](const std::function<bool()>& cancelled, QString* error) {
            return store->operationStats(query, error, cancelled, true);
        });
}

TraceTimeSeriesView* MainWindow::traceTimeSeries() const
{
    return m_charts->timeSeries();
}

void MainWindow::updateTimeSeriesSource()
{
    TraceStore* store = m_session->store();
    const std::shared_ptr<TraceStore> keep = m_session->sharedStore();
    TraceTimeSeriesView* view = m_charts->timeSeries();
    view->setThreadPool(keep ? StoreOpener::threadPool() : nullptr);
    if (!store) {
        view->setSource({});
        return;
    }
    // Its order and page do not matter; a "Last N" range ends at each computation's now (live ingest).
    view->setSource([store, keep, query = m_traceModel->query()] {
        const std::uint64_t now = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL;
        return TraceTimeSeriesView::compute(*store, query, now);
    });
}

void MainWindow::selectOpenTraceRow()
{
    // Keep the open trace highlighted if it is still listed.
    m_listPane->selectTrace(m_openTrace);
}

void MainWindow::refreshServices()
{
    TraceStore* current = m_session->store();
    if (!current)
        return;
    if (m_session->readsAsynchronously() && m_session->sharedStore()) {
        struct Services {
            QStringList names;
            std::vector<SessionSummary> sessions;
            QString error;
            QString sessionError;
        };
        const quint64 generation = m_session->generation();
        std::shared_ptr<TraceStore> store = m_session->sharedStore();
        GuardedJob::start(StoreOpener::threadPool(), this, [store] {
            Services services;
            services.names = store->services(&services.error);
            services.sessions = store->listSessions(200, &services.sessionError);
            return services;
        }, [this, generation](const Services& services) {
            if (generation != m_session->generation())
                return;
            applyServices(services.names, services.error);
            applySessions(services.sessions, services.sessionError);
        });
        return;
    }
    QString error;
    const QStringList services = current->services(&error);
    applyServices(services, error);
    QString sessionError;
    const std::vector<SessionSummary> sessions = current->listSessions(200, &sessionError);
    applySessions(sessions, sessionError);
}

void MainWindow::applySessions(const std::vector<SessionSummary>& sessions, const QString& error)
{
    if (!error.isEmpty()) {
        statusBar()->showMessage(tr("Cannot list sessions: %1").arg(error), 10000);
        return;
    }
    m_listPane->setSessions(sessions);
}

void MainWindow::applyServices(const QStringList& services, const QString& error)
{
    if (!error.isEmpty()) {
        statusBar()->showMessage(tr("Cannot list services: %1").arg(error), 10000);
        return;
    }
    m_listPane->setServices(services);
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
    m_charts->timeSeries()->refresh();
    if (m_openTrace.isValid() && changed.contains(m_openTrace))
        loadTraceInto(m_openTrace, true);
    // The service list query may touch every span: at most once a second, a moment of staleness is fine.
    if (!m_servicesTimer->isActive())
        m_servicesTimer->start();
}

void MainWindow::openTrace(const TraceId& id)
{
    // Opened from the list itself: the user's (multiple) selection stays as it is.
    m_listPane->showTrace(id);
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
    // The whole of a trace whose head is shown keeps what the user did meanwhile (selection, scroll, zoom).
    const bool keepState = m_keepTraceState || (m_headShown && loaded.id == m_shownTrace);
    m_headShown = !loaded.complete;
    if (loaded.loadedAsynchronously)
        statusBar()->clearMessage();
    if (!loaded.complete)
        statusBar()->showMessage(tr("Showing the first %1 of %2 spans of trace %3; loading the rest…")
                                     .arg(QLocale().toString(qint64(loaded.tree->spans.size())),
                                          QLocale().toString(loaded.spanCount), loaded.id.toHex()));
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
    // Before the waterfall, which may select a span of the new tree and so select it here.
    m_flameGraphView->setTree(loaded.tree, keepState, loaded.flameGraph);
    m_waterfall->setTree(loaded.tree, keepState, loaded.timeOverview);
    m_inspector->setTree(loaded.tree);
    m_logsView->setTree(loaded.tree);
    updateLogsTabTitle();
    m_run = loaded.run;
    m_waterfall->setStepRoles(m_run ? m_run->roles : std::vector<GenAi::SpanRole>());
    m_runView->setRun(m_run, loaded.tree);
    m_waterfall->setCriticalPath(loaded.criticalPath);
    m_criticalPathView->setPath(loaded.criticalPath, loaded.tree);
    m_statsView->setTree(loaded.tree);
    updateGenAiTabs();
    if (!keepState || m_rawView->payloadCount() != static_cast<int>(loaded.payloads.size()))
        m_rawView->setPayloads(loaded.payloads);

    const SpanTree& tree = *loaded.tree;
    QString title = tr("Trace %1").arg(loaded.id.toHex());
    if (!tree.roots.empty()) {
        title = tr("%1: %2").arg(tree.serviceNameOf(tree.roots.front()), tree.nameOf(tree.roots.front()));
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
    showGenAiOfSpan(m_waterfall->selectedSpan());
    if (!loaded.payloadError.isEmpty())
        statusBar()->showMessage(tr("Raw payloads unavailable: %1").arg(loaded.payloadError), 15000);
    if (loaded.complete)
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
