#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include <memory>

class QSettings;
class QThreadPool;
class TraceStore;

/**
 * One store the window can show: the local SQLite store (or another SQLite file), or a PostgreSQL team store with
 * its raw payload objects in S3 / MinIO (DESIGN.md "Storage"). Plain value.
 *
 * Saved in QSettings (group "connections") without any password or secret: PostgreSQL passwords come from libpq's
 * usual sources (PGPASSWORD, ~/.pgpass, ...) or are asked once per session (SessionSecrets); the S3 secret comes from
 * the connection dialog (kept in memory) or AWS_SECRET_ACCESS_KEY.
 */
struct StoreConnection {
    enum Kind { Local, Postgres };

    QString name; ///< unique among the saved connections; shown in the title bar, status bar and menus
    Kind kind = Local;
    QString sqlitePath; ///< Local: the SQLite file; empty means the default local store
    /// Postgres: a libpq connection URI (postgresql://user@host:5432/db?sslmode=require) or key=value pairs
    /// (host=... dbname=...), never with a password; empty means "everything from libpq's environment".
    QString pgConnection;
    QString pgSchema = QStringLiteral("otel");
    /// empty: no raw payload objects (the raw payload view stays empty). Credentials in its user info
    /// (http://KEY:SECRET@host:9000) are used (S3BlobStore), never saved or shown.
    QString s3Endpoint;
    QString s3Bucket = QStringLiteral("otel-traces");
    QString s3Region = QStringLiteral("us-east-1");
    QString s3AccessKeyId; ///< empty: AWS_ACCESS_KEY_ID

    /// name, else something derived from the target ("Local store", "db.example.com/traces", a file name).
    QString displayName() const;
    /// True when both name the same store (kind and file, or connection string, schema and S3 endpoint/bucket);
    /// the names may differ.
    bool sameStore(const StoreConnection& other) const;
    bool operator==(const StoreConnection& other) const;
    bool operator!=(const StoreConnection& other) const { return !(*this == other); }

    /// Writes the fields into the current group of `settings`, without secrets: a password in pgConnection is left
    /// out, and so are credentials in s3Endpoint's user info (its user becomes s3AccessKeyId when that is empty).
    void toSettings(QSettings& settings) const;
    /// Reads what toSettings wrote from the current group of `settings`; missing keys keep their defaults.
    static StoreConnection fromSettings(const QSettings& settings);
    /// The saved connections: the array "connections" of `settings`.
    static QList<StoreConnection> loadList(QSettings& settings);
    /// Replaces the array "connections" of `settings` with `connections`.
    static void saveList(QSettings& settings, const QList<StoreConnection>& connections);

    /**
     * `connection` without its password: the password of a URI's user info (postgresql://user:secret@host), a
     * `password` URI query parameter, or a `password=...` key=value pair (libpq's quoting rules). *password, when
     * given, gets the removed password (percent-decoded for URIs), else is cleared.
     */
    static QString withoutPassword(const QString& connection, QString* password = nullptr);
    /// `connection` with `password` added the way libpq reads it: `password=...` (URI query parameter or a quoted
    /// key=value pair). An empty password returns `connection` as it is.
    static QString withPassword(const QString& connection, const QString& password);
    /// True for libpq's "a password is needed or was wrong" errors (fe_sendauth: no password supplied, password
    /// authentication failed ...): asking the user for a password may help.
    static bool isPasswordError(const QString& error);
};

/**
 * Passwords and S3 secrets typed during this session: kept in memory only, never written anywhere. A PostgreSQL
 * password is keyed by the connection string (so it follows the server and user, not the connection's name), an S3
 * secret by endpoint and access key id. GUI thread.
 */
class SessionSecrets {
public:
    QString pgPassword(const StoreConnection& connection) const;
    void setPgPassword(const StoreConnection& connection, const QString& password);
    QString s3Secret(const StoreConnection& connection) const;
    void setS3Secret(const StoreConnection& connection, const QString& secret);

private:
    QHash<QString, QString> m_pg;
    QHash<QString, QString> m_s3;
};

/**
 * Opens the store a StoreConnection names. The UI does not link the store implementations; the app provides this
 * (app/storeopener.h). Every function may block (network) and is called on a worker thread, never on the GUI thread,
 * possibly on several threads at once.
 */
class StoreOpener {
public:
    virtual ~StoreOpener();

    /**
     * Opens (connects, migrates) the store `connection` names, with `pgPassword` (empty: libpq's own sources) and
     * `s3Secret` (empty: the environment's). Returns nullptr with *error set when it cannot; the returned store owns
     * everything it uses (e.g. its BlobStore) and may be destroyed on any thread.
     */
    virtual std::unique_ptr<TraceStore> open(
        const StoreConnection& connection, const QString& pgPassword, const QString& s3Secret, QString* error)
        = 0;
    /**
     * "Test connection": what an opened `store` holds and whether its parts answer, one or two short lines
     * (e.g. "Connected: PostgreSQL schema otel, version 3, 1,204 spans."). False when a part failed (the message
     * then says which). The default reports the span count.
     */
    virtual bool check(TraceStore& store, QString* summary);
    /// True when `connection` reads S3 with an access key whose secret is neither `s3Secret` nor known otherwise
    /// (the environment): the window then asks for it once. The default says false.
    virtual bool needsS3Secret(const StoreConnection& connection, const QString& s3Secret) const;

    /// The process-wide pool the UI opens stores and reads remote ones on: up to 8 threads, since the work waits on
    /// the network, not on the CPU (the global pool has one thread per core).
    static QThreadPool* threadPool();
};
