#include "storesession.h"

#include "model/guardedjob.h"
#include "storage/connectionstrings.h"
#include "storage/tracestore.h"
#include "ui/connectiondialog.h"

#include <QInputDialog>
#include <QLabel>
#include <QSettings>
#include <QThreadPool>

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

} // namespace

StoreSession::StoreSession(QWidget* dialogParent, QObject* parent)
    : QObject(parent)
    , m_dialogParent(dialogParent)
{
}

StoreSession::~StoreSession() = default;

void StoreSession::setStore(TraceStore* store)
{
    cancelConnect();
    installStore(store, nullptr, false);
    m_connection = StoreConnection();
}

void StoreSession::adoptStore(std::unique_ptr<TraceStore> store)
{
    std::unique_ptr<TraceStore> previous = std::move(m_ownedStore);
    m_ownedStore = std::move(store);
    setStore(m_ownedStore.get());
}

void StoreSession::installStore(TraceStore* store, std::shared_ptr<TraceStore> keep, bool asynchronous)
{
    ++m_generation;
    const bool previousAsync = m_asyncReads;
    std::shared_ptr<TraceStore> previous = std::move(m_connectedStore);
    m_connectedStore = std::move(keep);
    m_asyncReads = asynchronous;
    m_store = store;
    Q_EMIT storeChanged();
    if (previous && previousAsync) {
        // Closing a remote store's connections may wait on the network.
        StoreOpener::threadPool()->start([previous]() mutable { previous.reset(); });
    }
}

void StoreSession::setLocalStore(TraceStore* store, const StoreConnection& connection)
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
    Q_EMIT connectionShown(m_connection);
}

bool StoreSession::isLocalStoreShown() const
{
    return !m_hasLocalStore || (m_store == m_localStore && !m_connectedStore);
}

QList<StoreConnection> StoreSession::savedConnections()
{
    QSettings settings;
    return StoreConnection::loadList(settings);
}

void StoreSession::saveConnections(const QList<StoreConnection>& connections)
{
    QSettings settings;
    StoreConnection::saveList(settings, connections);
}

void StoreSession::showConnectionDialog()
{
    if (!m_opener)
        return;
    auto* dialog = new ConnectionDialog(m_opener, &m_secrets, m_dialogParent);
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
            Q_EMIT connectRequested(dialog->currentConnection());
    });
    dialog->open();
}

void StoreSession::fail(const QString& message)
{
    Q_EMIT connectFailed(message);
    Q_EMIT connectFinished(false, message);
}

void StoreSession::connectToStore(const StoreConnection& connection)
{
    if (m_hasLocalStore && connection.kind == StoreConnection::Local
        && (connection.sqlitePath.isEmpty() || connection.sameStore(m_localConnection))) {
        cancelConnect();
        if (!isLocalStoreShown())
            installStore(m_localStore, nullptr, false);
        m_connection = m_localConnection;
        Q_EMIT connectionShown(m_connection);
        Q_EMIT statusMessage(tr("Showing %1").arg(m_connection.displayName()), 5000);
        Q_EMIT connectFinished(true, m_store ? m_store->description() : QString());
        return;
    }
    if (!m_opener) {
        fail(tr("This window cannot open other stores."));
        return;
    }
    startConnect(connection, false, false);
}

void StoreSession::startConnect(const StoreConnection& connection, bool passwordAsked, bool secretAsked)
{
    if (!secretAsked && m_opener->needsS3Secret(connection, m_secrets.s3Secret(connection))) {
        askS3Secret(connection);
        return;
    }
    const quint64 generation = ++m_connectGeneration;
    m_connecting = true;
    Q_EMIT connectingChanged(tr("Connecting to %1…").arg(connection.displayName()));

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
        Q_EMIT connectingChanged(QString());
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
            fail(tr("Cannot open %1: %2").arg(connection.displayName(), error));
            return;
        }
        TraceStore* raw = store.get();
        installStore(raw, std::move(store), connection.kind == StoreConnection::Postgres);
        m_connection = connection;
        Q_EMIT connectionShown(m_connection);
        Q_EMIT statusMessage(tr("Showing %1").arg(connection.displayName()), 5000);
        Q_EMIT connectFinished(true, m_store->description());
    });
}

void StoreSession::cancelConnect()
{
    if (!m_connecting)
        return;
    ++m_connectGeneration;
    m_connecting = false;
    Q_EMIT connectingChanged(QString());
    Q_EMIT statusMessage(tr("Stopped connecting; the store shown stays"), 5000);
    Q_EMIT connectFinished(false, tr("cancelled"));
}

void StoreSession::askPassword(const StoreConnection& connection, const QString& error, bool secretAsked)
{
    auto* dialog = new QInputDialog(m_dialogParent);
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
        Q_EMIT statusMessage(message, 10000);
        Q_EMIT connectFinished(false, message);
    });
    dialog->open();
}

void StoreSession::askS3Secret(const StoreConnection& connection)
{
    auto* dialog = new QInputDialog(m_dialogParent);
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
