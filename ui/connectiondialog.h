#pragma once

#include "ui/storeconnection.h"

#include <QDialog>

#include <vector>

class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QStackedWidget;

/**
 * File > Connect to Store: the saved connections (add, duplicate, remove; edits apply to the selected one), the
 * selected connection's fields (a SQLite file, or a PostgreSQL connection string, schema and password with optional
 * S3 / MinIO for raw payloads), and Test Connection, which opens the store on a worker thread (busy indicator, the
 * dialog stays responsive; an edit abandons a pending test) and shows what StoreOpener::check says or the error.
 *
 * Passwords and S3 secrets typed here are never saved: on Connect or Save they go to the SessionSecrets (memory
 * only). A password typed into the connection string is moved into the password field. Connect and Save both accept
 * the dialog (connectRequested() tells them apart); the caller saves savedConnections(). GUI thread only.
 */
class ConnectionDialog : public QDialog {
    Q_OBJECT
public:
    /// `opener` (for Test Connection) and `secrets` may be nullptr; both must outlive the dialog.
    ConnectionDialog(StoreOpener* opener, SessionSecrets* secrets, QWidget* parent = nullptr);
    ~ConnectionDialog() override;

    /// Lists `local` first (fixed: not editable, not removable; left out when `hasLocal` is false), then `saved`.
    void setConnections(const StoreConnection& local, bool hasLocal, const QList<StoreConnection>& saved);
    /// The editable connections, in list order, with the edits made.
    QList<StoreConnection> savedConnections() const;
    /// Selects the first connection naming the same store as `connection` (by name first), else the first row.
    void selectConnection(const StoreConnection& connection);
    int currentRow() const;
    void setCurrentRow(int row);
    int rowCount() const { return static_cast<int>(m_rows.size()); }
    /// The selected connection with the edits made so far.
    StoreConnection currentConnection() const;
    /// Typed for the selected connection (empty: none typed; the session's or libpq's are used).
    QString pgPassword() const;
    QString s3Secret() const;

    /// Adds a new PostgreSQL connection (named "PostgreSQL", "PostgreSQL 2", ...) and selects it.
    void addConnection();
    /// Adds a copy of the selected connection ("<name> (copy)") and selects it.
    void duplicateConnection();
    /// Removes the selected connection (not the fixed local one).
    void removeConnection();

    /// Opens the selected connection on a worker thread and reports through testFinished. Returns at once.
    void testConnection();
    bool isTesting() const { return m_testing; }
    /// The last test's message (or the validation problem Connect found).
    QString message() const;

    /// True when the dialog was accepted with Connect, false for Save.
    bool connectRequested() const { return m_connectRequested; }
    /// Connect: accepts when every connection has a unique, non-empty name.
    void accept() override;

Q_SIGNALS:
    void testFinished(bool ok, const QString& message);

private:
    struct Row {
        StoreConnection connection;
        QString pgPassword;
        QString s3Secret;
        bool fixed = false;
    };
    void save();
    bool validate();
    void showRow(int row);
    void fieldsEdited();
    void connectionStringEdited();
    void s3EndpointEdited();
    void browseSqlite();
    void abandonTest();
    void showMessage(bool ok, const QString& text);
    void updateButtons();
    void updatePlaceholders();
    QString uniqueName(const QString& base) const;

    StoreOpener* m_opener;
    SessionSecrets* m_secrets;
    std::vector<Row> m_rows;
    bool m_updating = false;
    bool m_connectRequested = true;
    bool m_testing = false;
    quint64 m_testGeneration = 0;

    QListWidget* m_list;
    QPushButton* m_add;
    QPushButton* m_duplicate;
    QPushButton* m_remove;
    QLineEdit* m_name;
    QComboBox* m_kind;
    QStackedWidget* m_pages;
    QLineEdit* m_sqlitePath;
    QPushButton* m_browse;
    QLabel* m_sqliteHint = nullptr;
    QLineEdit* m_pgConnection;
    QLineEdit* m_pgSchema;
    QLineEdit* m_pgPassword;
    QGroupBox* m_s3Group;
    QLineEdit* m_s3Endpoint;
    QLineEdit* m_s3Bucket;
    QLineEdit* m_s3Region;
    QLineEdit* m_s3AccessKeyId;
    QLineEdit* m_s3Secret;
    QPushButton* m_test;
    QProgressBar* m_busy;
    QLabel* m_icon;
    QLabel* m_message;
    QDialogButtonBox* m_buttons;
};
