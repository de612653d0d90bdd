// MainWindow: which store is shown (local, PostgreSQL + S3, another SQLite file), connecting and switching.

#include "mainwindow.h"

#include "model/guardedjob.h"
#include "model/tracelistmodel.h"
#include "storage/connectionstrings.h"
#include "storage/tracestore.h"
#include "ui/connectiondialog.h"
#include "ui/uilogging.h"

#include <QAction>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QThreadPool>
#include <QToolButton>

#include <algorithm>

namespace {

/// What libpq says went wrong, without the store and server prefixes ("fe_sendauth: no password supplied").
QString reasonOf(const QString& error)
{
    QString reason = error.trimmed().split(QLatin1Char('\n')).value(0).trimmed();
    const qsizetype failed = reason.lastIndexOf(QLatin1String(" failed: "));
    if (failed >= 0)
        reason = reason.mid(failed + 9);
    return reason.simplified();
}

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
    m_opener = opener;
    m_connectAction->setEnabled(opener != nullptr);
    m_switchMenu->menuAction()->setEnabled(opener != nullptr);
}

void MainWindow::setLocalStore(TraceStore* store, const StoreConnection& connection)
{
    cancelConnect();
    m_localStore = store;
    m_hasLocalStore = true;
    m_localConnection = connection;
    m_localConnection.kind = StoreConnection::Local;
    if (m_localConnection.name.isEmpty())
        m_localConnection.name = tr("Local store");
    installStore(store, nullptr, false);
    m_connection = m_localConnection;
    updateStoreTitle();
}

bool MainWindow::isLocalStoreShown() const
{
    return !m_hasLocalStore || (m_store == m_localStore && !m_connectedStore);
}

QList<StoreConnection> MainWindow::savedConnections()
{
    QSettings settings;
    return StoreConnection::loadList(settings);
}

void MainWindow::saveConnections(const QList<StoreConnection>& connections)
{
    QSettings settings;
    StoreConnection::saveList(settings, connections);
}

QString MainWindow::storeLabelText() const { return m_storeLabel->text(); }

void MainWindow::reload()
{
    if (!m_store)
        return;
    refreshServices();
    applyFilter();
}

void MainWindow::updateStoreTitle()
{
    const QString name = m_connection.displayName();
    // The platform adds the application name after a title that does not end with it already.
    setWindowTitle(tr("%1 — Spanscope").arg(name));
    m_storeLabel->setText(tr("Store: %1").arg(name));
    m_storeLabel->setToolTip(m_store ? m_store->description() : tr("The store could not be opened"));
}

void MainWindow::setConnectBusy(const QString& text)
{
    m_connectLabel->setText(text);
    m_connectBox->setVisible(!text.isEmpty());
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
    const bool localShown = m_hasLocalStore && isLocalStoreShown();
    bool currentListed = localShown;
    if (m_hasLocalStore)
        add(m_localConnection, localShown);
    const QList<StoreConnection> saved = savedConnections();
    for (const StoreConnection& connection : saved) {
        const bool current = !localShown && connection.name == m_connection.name && connection.sameStore(m_connection);
        currentListed = currentListed || current;
        add(connection, current);
    }
    if (!currentListed && m_connectedStore)
        add(m_connection, true); // e.g. from --store, not saved
    if (saved.isEmpty())
        m_switchMenu->addAction(tr("(no saved connections)"))->setEnabled(false);
    m_switchMenu->addSeparator();
    m_switchMenu->addAction(m_connectAction);
}

void MainWindow::showConnectionDialog()
{
    if (!m_opener)
        return;
    auto* dialog = new ConnectionDialog(m_opener, &m_secrets, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QList<StoreConnection> saved = savedConnections();
    StoreConnection current = m_connection;
    const bool listed = std::any_of(saved.cbegin(), saved.cend(),
        [&](const StoreConnection& c) { return c.name == current.name && c.sameStore(current); });
    if (!isLocalStoreShown() && m_connectedStore && !listed) {
        // Shown but not saved (e.g. from --store): offered for saving.
        current.name = current.displayName();
        saved << current;
    }
    dialog->setConnections(m_localConnection, m_hasLocalStore, saved);
    dialog->selectConnection(current);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        saveConnections(dialog->savedConnections());
        if (dialog->connectRequested())
            connectToStore(dialog->currentConnection());
    });
    dialog->open();
}

void MainWindow::connectToStore(const StoreConnection& connection)
{
    if (m_fileJobRunning) {
        const QString message = tr("An import or export is running; switch stores when it has finished.");
        showError(message);
        Q_EMIT connectFinished(false, message);
        return;
    }
    if (m_hasLocalStore && connection.kind == StoreConnection::Local
        && (connection.sqlitePath.isEmpty() || connection.sameStore(m_localConnection))) {
        cancelConnect();
        if (!isLocalStoreShown())
            installStore(m_localStore, nullptr, false);
        m_connection = m_localConnection;
        updateStoreTitle();
        statusBar()->showMessage(tr("Showing %1").arg(m_connection.displayName()), 5000);
        Q_EMIT connectFinished(true, m_store ? m_store->description() : QString());
        return;
    }
    if (!m_opener) {
        const QString message = tr("This window cannot open other stores.");
        showError(message);
        Q_EMIT connectFinished(false, message);
        return;
    }
    startConnect(connection, false, false);
}

void MainWindow::startConnect(const StoreConnection& connection, bool passwordAsked, bool secretAsked)
{
    if (!secretAsked && m_opener->needsS3Secret(connection, m_secrets.s3Secret(connection))) {
        askS3Secret(connection);
        return;
    }
    const quint64 generation = ++m_connectGeneration;
    m_connecting = true;
    setConnectBusy(tr("Connecting to %1…").arg(connection.displayName()));

    // The store comes back in a box the continuation empties, so that the future's copy of the result does not
    // keep it alive (and decide on which thread it is closed).
    struct Box {
        std::unique_ptr<TraceStore> store;
    };
    struct Opened {
        std::shared_ptr<Box> box;
        QString error;
    };
    StoreOpener* opener = m_opener;
    const QString password = m_secrets.pgPassword(connection);
    const QString secret = m_secrets.s3Secret(connection);
    GuardedJob::start(StoreOpener::threadPool(), this, [opener, connection, password, secret] {
        Opened opened;
        opened.box = std::make_shared<Box>();
        opened.box->store = opener->open(connection, password, secret, &opened.error);
        return opened;
    }, [this, generation, connection, passwordAsked, secretAsked](const Opened& opened) {
        std::shared_ptr<TraceStore> store(opened.box ? std::move(opened.box->store) : nullptr);
        if (generation != m_connectGeneration) {
            // Cancelled or replaced by a newer request.
            if (store)
                StoreOpener::threadPool()->start([store]() mutable { store.reset(); });
            return;
        }
        m_connecting = false;
        setConnectBusy(QString());
        if (!store) {
            const QString error = opened.error.isEmpty() ? tr("the store could not be opened") : opened.error;
            const bool passwordError
                = connection.kind == StoreConnection::Postgres && StoreConnection::isPasswordError(error);
            if (passwordError)
                m_secrets.setPgPassword(connection, QString()); // whatever was remembered did not work
            if (passwordError && !passwordAsked) {
                askPassword(connection, error, secretAsked);
                return;
            }
            const QString message = tr("Cannot open %1: %2").arg(connection.displayName(), error);
            showError(message);
            Q_EMIT connectFinished(false, message);
            return;
        }
        showConnection(std::move(store), connection);
        statusBar()->showMessage(tr("Showing %1").arg(connection.displayName()), 5000);
        Q_EMIT connectFinished(true, m_store->description());
    });
}

void MainWindow::showConnection(std::shared_ptr<TraceStore> store, const StoreConnection& connection)
{
    TraceStore* raw = store.get();
    installStore(raw, std::move(store), connection.kind == StoreConnection::Postgres);
    m_connection = connection;
    updateStoreTitle();
}

void MainWindow::cancelConnect()
{
    if (!m_connecting)
        return;
    ++m_connectGeneration;
    m_connecting = false;
    setConnectBusy(QString());
    statusBar()->showMessage(tr("Stopped connecting; the store shown stays"), 5000);
    Q_EMIT connectFinished(false, tr("cancelled"));
}

void MainWindow::askPassword(const StoreConnection& connection, const QString& error, bool secretAsked)
{
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("passwordDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setWindowTitle(tr("PostgreSQL Password"));
    dialog->setLabelText(tr("%1 needs a password (%2).\n\nIt is kept in memory until Spanscope quits, never saved.")
                             .arg(connection.displayName(), reasonOf(error)));
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setOkButtonText(tr("Connect"));
    if (auto* label = dialog->findChild<QLabel*>())
        label->setWordWrap(true);
    dialog->setMinimumWidth(420);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, connection, secretAsked](const QString& password) {
        m_secrets.setPgPassword(connection, password);
        startConnect(connection, true, secretAsked);
    });
    connect(dialog, &QDialog::rejected, this, [this, connection, error] {
        const QString message = tr("Cannot open %1: %2").arg(connection.displayName(), reasonOf(error));
        statusBar()->showMessage(message, 10000);
        Q_EMIT connectFinished(false, message);
    });
    dialog->open();
}

void MainWindow::askS3Secret(const StoreConnection& connection)
{
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("s3SecretDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setWindowTitle(tr("S3 Secret for %1").arg(connection.displayName()));
    dialog->setLabelText(
        tr("The secret access key of %1 at %2, for the raw payloads.\n\nIt is kept in memory until "
           "Spanscope quits, never saved. Without it the raw payload view stays empty.")
            .arg(connection.s3AccessKeyId.isEmpty() ? tr("AWS_ACCESS_KEY_ID") : connection.s3AccessKeyId,
                ConnectionStrings::redact(connection.s3Endpoint)));
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setOkButtonText(tr("Connect"));
    if (auto* label = dialog->findChild<QLabel*>())
        label->setWordWrap(true);
    dialog->setMinimumWidth(420);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, connection](const QString& secret) {
        m_secrets.setS3Secret(connection, secret);
        startConnect(connection, false, true);
    });
    connect(dialog, &QDialog::rejected, this, [this, connection] { startConnect(connection, false, true); });
    dialog->open();
}
