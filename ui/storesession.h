#pragma once

#include "ui/storeconnection.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

class QWidget;
class TraceStore;

/**
 * Which store a window shows and how it got there: a store set from outside (setStore, adoptStore), the app's local
 * store (setLocalStore) or one a StoreOpener opened for a StoreConnection (connectToStore: PostgreSQL + S3, or another
 * SQLite file).
 *
 * connectToStore opens the store on StoreOpener::threadPool() while the current one stays shown; a newer request or
 * cancelConnect makes a pending one stale (its store is closed on the pool when it arrives). A PostgreSQL password the
 * server asks for, and an S3 secret the opener needs, are asked once in a window-modal dialog on `dialogParent` and
 * kept in memory (sessionSecrets). Saved connections live in QSettings ("connections", never a password or secret).
 *
 * Errors: connectFailed(error) for what the user must see, then connectFinished(false, message); the store shown
 * does not change. Signals are emitted on the GUI thread, storeChanged while the previous store is still alive.
 * GUI thread only.
 */
class StoreSession : public QObject {
    Q_OBJECT
public:
    /// `dialogParent` gets the password and connection dialogs (and must outlive the session if it is not the parent).
    explicit StoreSession(QWidget* dialogParent, QObject* parent = nullptr);
    ~StoreSession() override;

    /// The store shown; nullptr when none (or the local one could not be opened).
    TraceStore* store() const { return m_store; }
    /// The store shown when connectToStore opened it (shared with the workers still reading it), else nullptr.
    std::shared_ptr<TraceStore> sharedStore() const { return m_connectedStore; }
    /// True when every read of store() must run off the GUI thread (a remote store).
    bool readsAsynchronously() const { return m_asyncReads; }
    /// True when the store shown was given with adoptStore (a file viewer's scratch store).
    bool ownsStore() const { return m_ownedStore != nullptr; }
    /// Changes with every store shown: results read from an older store carry an older value and are dropped.
    quint64 generation() const { return m_generation; }

    /// Shows `store` (not owned, may be nullptr); the previous one must stay alive until this returns.
    void setStore(TraceStore* store);
    /// Shows `store` and owns it (deleted with the session or when another store is set).
    void adoptStore(std::unique_ptr<TraceStore> store);
    /// Shows `store` (may be nullptr) as `connection`, the local store listed first under Switch Store. Not owned.
    void setLocalStore(TraceStore* store, const StoreConnection& connection);
    bool hasLocalStore() const { return m_hasLocalStore; }
    StoreConnection localConnection() const { return m_localConnection; }
    /// True while the local store is shown, also when none was set.
    bool isLocalStoreShown() const;
    /// The connection shown (empty name when the store came from setStore or adoptStore).
    StoreConnection currentConnection() const { return m_connection; }

    /// Enables connectToStore for other than the local store. Not owned; must outlive the session.
    void setOpener(StoreOpener* opener) { m_opener = opener; }
    StoreOpener* opener() const { return m_opener; }
    /// Shows the store `connection` names: the local store at once, any other once opened. Returns at once.
    void connectToStore(const StoreConnection& connection);
    /// Gives up waiting for a pending connectToStore (the current store stays).
    void cancelConnect();
    bool isConnecting() const { return m_connecting; }
    /// The connection dialog (window-modal on the dialog parent; returns at once); saves what it edits.
    void showConnectionDialog();
    SessionSecrets& sessionSecrets() { return m_secrets; }

    /// The saved connections (QSettings "connections"), without the local store.
    static QList<StoreConnection> savedConnections();
    static void saveConnections(const QList<StoreConnection>& connections);

Q_SIGNALS:
    /// Another store is shown (store(), readsAsynchronously()); what was read from the previous one is void.
    void storeChanged();
    /// `connection` is now the one shown (title and status bar).
    void connectionShown(const StoreConnection& connection);
    /// "Connecting to …" while a store opens, empty when no longer waiting.
    void connectingChanged(const QString& text);
    /// The connection dialog asks to show `connection`: the owner decides whether now is fine (connectToStore).
    void connectRequested(const StoreConnection& connection);
    /// Something to show in the status bar for `timeoutMs` ms.
    void statusMessage(const QString& text, int timeoutMs);
    /// A connectToStore failed in a way the user must be told about (a message box); connectFinished follows.
    void connectFailed(const QString& error);
    /// connectToStore finished: `ok` with the new store shown (message: its description), else why not.
    void connectFinished(bool ok, const QString& message);

private:
    void installStore(TraceStore* store, std::shared_ptr<TraceStore> keep, bool asynchronous);
    void showLocal();
    void startConnect(const StoreConnection& connection, bool passwordAsked, bool secretAsked);
    void askPassword(const StoreConnection& connection, const QString& error, bool secretAsked);
    void askS3Secret(const StoreConnection& connection);
    void fail(const QString& message);

    QPointer<QWidget> m_dialogParent;
    TraceStore* m_store = nullptr;
    std::unique_ptr<TraceStore> m_ownedStore;
    // A store opened by connectToStore; shared with the workers still reading it, so that it goes with the last.
    std::shared_ptr<TraceStore> m_connectedStore;
    bool m_asyncReads = false;
    quint64 m_generation = 0;
    StoreOpener* m_opener = nullptr;
    TraceStore* m_localStore = nullptr;
    bool m_hasLocalStore = false;
    StoreConnection m_localConnection;
    StoreConnection m_connection;
    SessionSecrets m_secrets;
    bool m_connecting = false;
    quint64 m_connectGeneration = 0;
};
