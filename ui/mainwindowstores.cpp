// MainWindow: the store controls (File menu, Switch Store, busy indicator) wired to its StoreSession.

#include "mainwindow.h"

#include "storage/connectionstrings.h"
#include "storage/tracestore.h"
#include "ui/filejobrunner.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace {

/// Where a connection points, for tooltips (never a password).
QString targetText(const StoreConnection& connection)
{
    if (connection.kind == StoreConnection::Local)
        return connection.sqlitePath.isEmpty() ? MainWindow::tr("the default local store") : connection.sqlitePath;
    QString text = ConnectionStrings::redact(StoreConnection::withoutPassword(connection.pgConnection));
    if (text.isEmpty())
        text = MainWindow::tr("PostgreSQL from the environment (PGHOST, ...)");
    text += MainWindow::tr(", schema %1").arg(connection.pgSchema);
    if (!connection.s3Endpoint.isEmpty())
        text += MainWindow::tr(", raw payloads in %1/%2")
                    .arg(ConnectionStrings::redact(connection.s3Endpoint), connection.s3Bucket);
    return text;
}

} // namespace

void MainWindow::createStoreControls()
{
    m_connectAction = new QAction(tr("&Connect to Store…"), this);
    m_connectAction->setObjectName(QStringLiteral("actionConnectStore"));
    m_connectAction->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    m_connectAction->setToolTip(tr("Browse another store: a PostgreSQL team store or an SQLite file"));
    m_connectAction->setEnabled(false);
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::showConnectionDialog);
    m_switchMenu = new QMenu(tr("S&witch Store"), this);
    m_switchMenu->setObjectName(QStringLiteral("switchStore"));
    m_switchMenu->setObjectName(QStringLiteral("switchStoreMenu"));
    m_switchMenu->menuAction()->setEnabled(false);
    connect(m_switchMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildSwitchMenu);
    auto* reloadAction = new QAction(tr("Re&load Traces"), this);
    reloadAction->setObjectName(QStringLiteral("actionReload"));
    reloadAction->setShortcut(QKeySequence::Refresh);
    reloadAction->setToolTip(tr("Read the trace list and services from the store again"));
    connect(reloadAction, &QAction::triggered, this, &MainWindow::reload);

    // At the top of the File menu (createMenus made it).
    const QList<QAction*> bar = menuBar()->actions();
    if (QMenu* file = bar.isEmpty() ? nullptr : bar.first()->menu()) {
        QAction* first = file->actions().value(0);
        file->insertAction(first, m_connectAction);
        file->insertMenu(first, m_switchMenu);
        file->insertAction(first, reloadAction);
        file->insertSeparator(first);
    } else {
        addAction(m_connectAction);
        addAction(reloadAction);
    }

    m_connectBox = new QWidget;
    m_connectBox->setObjectName(QStringLiteral("connectBusy"));
    auto* layout = new QHBoxLayout(m_connectBox);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* busy = new QProgressBar;
    busy->setRange(0, 0);
    busy->setTextVisible(false);
    busy->setMaximumWidth(80);
    busy->setMaximumHeight(fontMetrics().height());
    m_connectLabel = new QLabel;
    auto* cancel = new QToolButton;
    cancel->setObjectName(QStringLiteral("connectCancel"));
    cancel->setText(tr("Cancel"));
    cancel->setAutoRaise(true);
    cancel->setToolTip(tr("Stop waiting for the store; the store shown stays"));
    connect(cancel, &QToolButton::clicked, this, &MainWindow::cancelConnect);
    layout->addWidget(busy);
    layout->addWidget(m_connectLabel);
    layout->addWidget(cancel);
    statusBar()->insertPermanentWidget(0, m_connectBox);
    m_connectBox->hide();
}

void MainWindow::setStoreOpener(StoreOpener* opener)
{
    m_session->setOpener(opener);
    m_connectAction->setEnabled(opener != nullptr);
    m_switchMenu->menuAction()->setEnabled(opener != nullptr);
}

void MainWindow::setLocalStore(TraceStore* store, const StoreConnection& connection)
{
    m_session->setLocalStore(store, connection);
}

bool MainWindow::isLocalStoreShown() const
{
    return m_session->isLocalStoreShown();
}

QList<StoreConnection> MainWindow::savedConnections()
{
    return StoreSession::savedConnections();
}

void MainWindow::saveConnections(const QList<StoreConnection>& connections)
{
    StoreSession::saveConnections(connections);
}

QString MainWindow::storeLabelText() const { return m_storeLabel->text(); }

void MainWindow::reload()
{
    if (!store())
        return;
    refreshServices();
    applyFilter();
}

void MainWindow::updateStoreTitle()
{
    const QString name = m_session->currentConnection().displayName();
    // The platform adds the application name after a title that does not end with it already.
    setWindowTitle(tr("%1 — Spanscope").arg(name));
    m_storeLabel->setText(tr("Store: %1").arg(name));
    m_storeLabel->setToolTip(store() ? store()->description() : tr("The store could not be opened"));
}

void MainWindow::rebuildSwitchMenu()
{
    m_switchMenu->clear();
    auto add = [this](const StoreConnection& connection, bool current) {
        QAction* action = m_switchMenu->addAction(
            connection.displayName(), this, [this, connection] { connectToStore(connection); });
        action->setCheckable(true);
        action->setChecked(current);
        action->setToolTip(targetText(connection));
        action->setStatusTip(targetText(connection));
    };
    const StoreConnection shown = m_session->currentConnection();
    const bool localShown = m_session->hasLocalStore() && isLocalStoreShown();
    bool currentListed = localShown;
    if (m_session->hasLocalStore())
        add(m_session->localConnection(), localShown);
    const QList<StoreConnection> saved = savedConnections();
    for (const StoreConnection& connection : saved) {
        const bool current = !localShown && connection.name == shown.name && connection.sameStore(shown);
        currentListed = currentListed || current;
        add(connection, current);
    }
    if (!currentListed && m_session->sharedStore())
        add(shown, true); // e.g. from --store, not saved
    if (saved.isEmpty())
        m_switchMenu->addAction(tr("(no saved connections)"))->setEnabled(false);
    m_switchMenu->addSeparator();
    m_switchMenu->addAction(m_connectAction);
}

void MainWindow::showConnectionDialog()
{
    m_session->showConnectionDialog();
}

void MainWindow::connectToStore(const StoreConnection& connection)
{
    if (m_files->isRunning()) {
        const QString message = tr("An import or export is running; switch stores when it has finished.");
        showError(message);
        Q_EMIT connectFinished(false, message);
        return;
    }
    m_session->connectToStore(connection);
}

void MainWindow::cancelConnect()
{
    m_session->cancelConnect();
}
