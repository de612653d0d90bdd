// MainWindow's GenAI parts: the Conversation and Agent run tabs follow the open trace and the selected span;
// Trace > Compare Selected Traces; Settings > Model Prices.

#include "mainwindow.h"

#include "model/guardedjob.h"
#include "model/runcomparison.h"
#include "model/sessionlistmodel.h"
#include "model/tracelistmodel.h"
#include "storage/tracestore.h"
#include "ui/compareview.h"
#include "ui/conversationview.h"
#include "ui/pricesdialog.h"
#include "ui/runview.h"
#include "ui/tracelistpane.h"
#include "ui/traceviewpane.h"
#include "ui/uilogging.h"
#include "ui/waterfallview.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

void MainWindow::createGenAiMenus()
{
    // Before Help, which createMenus put last.
    QAction* helpMenu = menuBar()->actions().value(menuBar()->actions().size() - 1);
    auto* traceMenu = new QMenu(tr("&Trace"), this);
    QAction* compare = traceMenu->addAction(tr("&Compare Selected Traces"), this, [this] { compareSelectedTraces(); });
    compare->setObjectName(QStringLiteral("actionCompare"));
    compare->setShortcut(QKeySequence(tr("Ctrl+D")));
    compare->setToolTip(tr("Select two traces in the list (Ctrl+click), then compare them side by side"));
    auto* settings = new QMenu(tr("&Settings"), this);
    QAction* prices = settings->addAction(tr("Model &Prices…"), this, &MainWindow::showModelPrices);
    prices->setObjectName(QStringLiteral("actionModelPrices"));
    prices->setShortcut(QKeySequence(tr("Ctrl+,")));
    traceMenu->addSeparator();
    traceMenu->addAction(m_tracePane->criticalPathAction());
    traceMenu->addAction(m_tracePane->collapseGapsAction());
    menuBar()->insertMenu(helpMenu, traceMenu);
    menuBar()->insertMenu(helpMenu, settings);

    QString error;
    PriceTable table = PriceTable::load(&error);
    if (!error.isEmpty()) {
        qCWarning(lcUi).noquote() << error;
        statusBar()->showMessage(error, 15000);
    }
    m_traceModel->setPriceTable(table);
    m_listPane->sessionModel()->setPriceTable(table);
    m_loader->setPriceTable(std::move(table));
    keepStoreCosts();
}

void MainWindow::keepStoreCosts()
{
    stopKeepingStoreCosts();
    TraceStore* store = m_session->store();
    if (!store)
        return;
    // A store the session shares is kept alive by the job; any other one outlives it (stopKeepingStoreCosts runs
    // before the store changes and in the destructor).
    const std::shared_ptr<TraceStore> keep = m_session->sharedStore();
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_repriceCancel = cancel;
    QThreadPool* pool = keep ? StoreOpener::threadPool() : QThreadPool::globalInstance();
    m_repricing = GuardedJob::run(pool, [store, keep, cancel, prices = priceTable()] {
        QString error;
        if (!store->setCostPrices(prices, &error, [cancel] { return cancel->load(); }) && error.isEmpty())
            error = QStringLiteral("unknown error");
        return error;
    });
    GuardedJob::deliver(m_repricing, this, [this, cancel](const QString& error) {
        if (error.isEmpty() || cancel->load())
            return;
        // The list still orders by cost, pricing each trace per query: slower, not wrong.
        qCWarning(lcUi).noquote() << "the store cannot keep trace costs by the model prices:" << error;
        statusBar()->showMessage(tr("Cannot keep trace costs in the store: %1").arg(error), 10000);
    });
}

void MainWindow::stopKeepingStoreCosts()
{
    if (m_repriceCancel)
        m_repriceCancel->store(true);
    m_repricing.waitForFinished();
}

void MainWindow::showGenAiOfSpan(const SpanId& id)
{
    const auto tree = m_waterfall->tree();
    const int index = tree ? tree->indexOf(id) : -1;
    m_runView->selectSpan(index);
    if (!m_run || m_run->calls.empty()) {
        m_conversation->setCall(std::nullopt, tr("This trace has no LLM calls."));
        return;
    }
    for (const GenAi::LlmCall& call : m_run->calls)
        if (call.spanIndex == index) {
            m_conversation->setCall(call);
            return;
        }
    // A tool call or agent span: the call that asked for it, else the first call under it.
    for (const GenAi::ToolCall& tool : m_run->toolCalls)
        if (tool.spanIndex == index && tool.requestedBySpanId.isValid())
            for (const GenAi::LlmCall& call : m_run->calls)
                if (call.spanId == tool.requestedBySpanId) {
                    m_conversation->setCall(call);
                    return;
                }
    for (const GenAi::LlmCall& call : m_run->calls)
        if (index >= 0 && tree->isAncestor(index, call.spanIndex)) {
            m_conversation->setCall(call);
            return;
        }
    m_conversation->setCall(std::nullopt, tr("Select an LLM call (marked with a speech bubble) to read its conversation."));
}

void MainWindow::updateGenAiTabs()
{
    const int calls = m_run ? int(m_run->calls.size()) : 0;
    const int steps = m_run ? int(m_run->calls.size() + m_run->toolCalls.size()) : 0;
    m_detailTabs->setTabText(m_detailTabs->indexOf(m_runView), steps > 0 ? tr("&Agent run (%1)").arg(steps) : tr("&Agent run"));
    m_detailTabs->setTabText(m_detailTabs->indexOf(m_conversation),
                             calls > 0 ? tr("C&onversation (%1)").arg(calls) : tr("C&onversation"));
}

void MainWindow::setPriceTable(const PriceTable& prices)
{
    m_loader->setPriceTable(prices);
    m_traceModel->setPriceTable(prices);
    m_listPane->sessionModel()->setPriceTable(prices);
    keepStoreCosts();
    if (m_openTrace.isValid())
        loadTraceInto(m_openTrace, true);
}

void MainWindow::showModelPrices()
{
    auto* dialog = new PricesDialog(priceTable(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        QString error;
        const std::optional<PriceTable> table = dialog->table(&error);
        if (!table)
            return;
        if (!table->save(&error)) {
            showError(tr("Cannot save the model prices: %1").arg(error));
            return;
        }
        setPriceTable(*table);
        statusBar()->showMessage(tr("Model prices saved to %1").arg(PriceTable::userFilePath()), 5000);
    });
    dialog->open();
}

QWidget* MainWindow::compareSelectedTraces()
{
    const std::vector<TraceId> ids = selectedTraceIds();
    TraceStore* store = m_session->store();
    if (ids.size() != 2 || !store) {
        statusBar()->showMessage(tr("Select two traces in the list to compare them (Ctrl+click the second)."), 8000);
        return nullptr;
    }
    auto* window = new QWidget(this, Qt::Window);
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->setObjectName(QStringLiteral("compareWindow"));
    window->setWindowTitle(tr("Compare %1 and %2").arg(ids[0].toHex().left(8), ids[1].toHex().left(8)));
    auto* view = new CompareView(window);
    auto* layout = new QVBoxLayout(window);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view);
    window->resize(1100, 760);
    window->show();
    statusBar()->showMessage(tr("Loading traces %1 and %2…").arg(ids[0].toHex(), ids[1].toHex()));

    // Both traces are read and compared on a worker; the window gets the result if it is still open.
    struct Loaded {
        RunComparison::Result result;
        QString error;
    };
    const std::shared_ptr<TraceStore> keep = m_session->sharedStore();
    QThreadPool* pool = keep ? StoreOpener::threadPool() : QThreadPool::globalInstance();
    QFuture<Loaded> work = GuardedJob::run(pool, [store, keep, a = ids[0], b = ids[1], prices = priceTable()] {
        Loaded loaded;
        const TraceLoader::Trace ta = TraceLoader::read(store, a, prices, false, &loaded.error);
        if (!loaded.error.isEmpty())
            return loaded;
        const TraceLoader::Trace tb = TraceLoader::read(store, b, prices, false, &loaded.error);
        if (!loaded.error.isEmpty())
            return loaded;
        loaded.result = RunComparison::compare(ta.tree, ta.run, tb.tree, tb.run);
        return loaded;
    });
    if (!keep)
        work.waitForFinished(); // the store is not kept alive by the job: read it before anything can replace it
    GuardedJob::deliver(work, view, [this, view](const Loaded& loaded) {
        if (!loaded.error.isEmpty()) {
            showError(tr("Cannot compare the traces: %1").arg(loaded.error));
            view->window()->close();
            return;
        }
        view->setComparison(loaded.result);
        statusBar()->clearMessage();
    });
    return window;
}
