#include "storeopener.h"

#include "storage/connectionstrings.h"
#include "storage/forwardingtracestore.h"
#include "storage/postgrestracestore.h"
#include "storage/s3blobstore.h"
#include "storage/sqlitetracestore.h"

#include <QCoreApplication>
#include <QLocale>

namespace {

QString trOpener(const char* text) { return QCoreApplication::translate("StoreOpener", text); }

/// The team store as one TraceStore that owns its BlobStore (destroyed after the store that reads it).
class TeamStore final : public ForwardingTraceStore {
public:
    TeamStore(const QString& connectionString, const QString& schema, std::unique_ptr<S3BlobStore> blobs)
        : m_blobs(std::move(blobs))
        , m_store(std::make_unique<PostgresTraceStore>(connectionString, schema, m_blobs.get()))
    {
        setInner(m_store.get());
    }
    ~TeamStore() override
    {
        m_store.reset(); // before the blob store it uses
    }

    PostgresTraceStore& postgres() { return *m_store; }
    S3BlobStore* blobs() { return m_blobs.get(); }

    QString description() const override
    {
        return m_blobs ? trOpener("%1, raw payloads in %2").arg(m_store->description(), m_blobs->description())
                       : m_store->description();
    }

private:
    std::unique_ptr<S3BlobStore> m_blobs;
    std::unique_ptr<PostgresTraceStore> m_store;
};

bool isUri(const QString& connection) { return PostgresTraceStore::isConnectionUri(connection); }

QString withParameter(const QString& connection, const QString& key, const QString& value)
{
    if (isUri(connection))
        return connection + (connection.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) + key
            + QLatin1Char('=') + value;
    const QString trimmed = connection.trimmed();
    return (trimmed.isEmpty() ? QString() : trimmed + QLatin1Char(' ')) + key + QLatin1Char('=') + value;
}

} // namespace

QString AppStoreOpener::libpqConnectionString(const StoreConnection& connection, const QString& password)
{
    QString text = connection.pgConnection.trimmed();
    if (!password.isEmpty())
        text = StoreConnection::withPassword(StoreConnection::withoutPassword(text), password);
    if (!text.contains(QLatin1String("connect_timeout")) && qEnvironmentVariableIsEmpty("PGCONNECT_TIMEOUT"))
        text = withParameter(text, QStringLiteral("connect_timeout"), QString::number(ConnectTimeoutSeconds));
    return text;
}

S3Config AppStoreOpener::s3Config(const StoreConnection& connection, const QString& secret)
{
    S3Config config = S3Config::fromEnvironment();
    config.endpoint = connection.s3Endpoint.trimmed();
    config.bucket = connection.s3Bucket.trimmed();
    if (!connection.s3Region.trimmed().isEmpty())
        config.region = connection.s3Region.trimmed();
    if (!connection.s3AccessKeyId.trimmed().isEmpty())
        config.accessKeyId = connection.s3AccessKeyId.trimmed();
    if (!secret.isEmpty())
        config.secretAccessKey = secret;
    return config;
}

std::unique_ptr<TraceStore> AppStoreOpener::open(
    const StoreConnection& connection, const QString& pgPassword, const QString& s3Secret, QString* error)
{
    std::unique_ptr<TraceStore> store;
    if (connection.kind == StoreConnection::Local) {
        store = std::make_unique<SqliteTraceStore>(
            connection.sqlitePath.isEmpty() ? SqliteTraceStore::defaultPath() : connection.sqlitePath);
    } else {
        std::unique_ptr<S3BlobStore> blobs;
        if (!connection.s3Endpoint.trimmed().isEmpty())
            blobs = std::make_unique<S3BlobStore>(s3Config(connection, s3Secret));
        const QString schema = connection.pgSchema.trimmed().isEmpty() ? PostgresTraceStore::defaultSchema()
                                                                       : connection.pgSchema.trimmed();
        store = std::make_unique<TeamStore>(libpqConnectionString(connection, pgPassword), schema, std::move(blobs));
    }
    QString message;
    if (!store->open(&message)) {
        if (error)
            *error = message;
        return nullptr;
    }
    return store;
}

bool AppStoreOpener::check(TraceStore& store, QString* summary)
{
    auto* team = dynamic_cast<TeamStore*>(&store);
    if (!team)
        return StoreOpener::check(store, summary);
    QString error;
    const int version = team->postgres().schemaVersion(&error);
    const qint64 spans = error.isEmpty() ? team->postgres().spanCount(&error) : 0;
    if (!error.isEmpty()) {
        *summary = error;
        return false;
    }
    QStringList lines;
    lines << trOpener("Connected: PostgreSQL schema %1, version %2, %3 spans stored.")
                 .arg(team->postgres().schema())
                 .arg(version)
                 .arg(QLocale().toString(spans));
    bool ok = true;
    if (S3BlobStore* blobs = team->blobs()) {
        S3BlobStore::Request head;
        head.method = QByteArrayLiteral("HEAD");
        const S3BlobStore::Response response = blobs->request(head);
        const QString where = blobs->description();
        if (response.status >= 200 && response.status < 300) {
            lines << trOpener("Raw payloads: %1 answers.").arg(where);
        } else {
            ok = false;
            if (response.status == 0)
                lines << trOpener("Raw payloads: %1 cannot be read: %2").arg(where, response.transportError);
            else if (response.status == 404)
                lines << trOpener("Raw payloads: the bucket of %1 does not exist (HTTP 404).").arg(where);
            else if (response.status == 403)
                lines << trOpener("Raw payloads: %1 refuses access (HTTP 403); check the access key and secret.")
                             .arg(where);
            else
                lines << trOpener("Raw payloads: %1 answers HTTP %2.").arg(where).arg(response.status);
        }
    } else {
        lines << trOpener("Raw payloads: no S3 endpoint set, the raw payload view stays empty.");
    }
    *summary = lines.join(QLatin1Char('\n'));
    return ok;
}

bool AppStoreOpener::needsS3Secret(const StoreConnection& connection, const QString& s3Secret) const
{
    if (connection.kind != StoreConnection::Postgres || connection.s3Endpoint.trimmed().isEmpty()
        || !s3Secret.isEmpty())
        return false;
    QString urlKeyId;
    QString urlSecret;
    ConnectionStrings::withoutUserInfo(connection.s3Endpoint.trimmed(), &urlKeyId, &urlSecret);
    if (!urlSecret.isEmpty())
        return false; // the endpoint URL brings its own
    const bool haveKeyId = !urlKeyId.isEmpty() || !connection.s3AccessKeyId.trimmed().isEmpty()
        || !qEnvironmentVariableIsEmpty("AWS_ACCESS_KEY_ID");
    return haveKeyId && qEnvironmentVariableIsEmpty("AWS_SECRET_ACCESS_KEY");
}
