#include "storeconnection.h"

#include "storage/connectionstrings.h"
#include "storage/tracestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QSettings>
#include <QThreadPool>
#include <QUrl>

namespace {

bool isUri(const QString& connection) { return ConnectionStrings::isPostgresUri(connection); }

/// Index just past the authority's user info in a URI ("postgresql://user:pw@"), or -1 when there is none.
int userInfoEnd(const QString& uri, int authorityStart)
{
    for (int i = authorityStart; i < uri.size(); ++i) {
        const QChar c = uri[i];
        if (c == QLatin1Char('@'))
            return i;
        if (c == QLatin1Char('/') || c == QLatin1Char('?'))
            return -1;
    }
    return -1;
}

QString uriWithoutPassword(const QString& uri, QString* password)
{
    QString out = uri;
    const int authority = static_cast<int>(uri.indexOf(QLatin1String("://"))) + 3;
    const int at = userInfoEnd(uri, authority);
    if (at >= 0) {
        const int colon = static_cast<int>(uri.indexOf(QLatin1Char(':'), authority));
        if (colon >= 0 && colon < at) {
            if (password)
                *password = QUrl::fromPercentEncoding(uri.mid(colon + 1, at - colon - 1).toUtf8());
            out = uri.left(colon) + uri.mid(at);
        }
    }
    const int query = static_cast<int>(out.indexOf(QLatin1Char('?')));
    if (query < 0)
        return out;
    QStringList kept;
    const QStringList params = out.mid(query + 1).split(QLatin1Char('&'));
    for (const QString& param : params) {
        if (param.startsWith(QLatin1String("password="))) {
            if (password)
                *password = QUrl::fromPercentEncoding(param.mid(9).toUtf8());
            continue;
        }
        if (!param.isEmpty())
            kept << param;
    }
    return kept.isEmpty() ? out.left(query) : out.left(query + 1) + kept.join(QLatin1Char('&'));
}

QString pairsWithoutPassword(const QString& text, QString* password)
{
    QString out = text;
    const QList<ConnectionStrings::KeywordPair> pairs = ConnectionStrings::keywordPairs(text);
    for (auto it = pairs.crbegin(); it != pairs.crend(); ++it) {
        if (it->keyword != QLatin1String("password"))
            continue;
        if (password && password->isEmpty())
            *password = it->value; // the last one is what libpq uses; we walk backwards
        qsizetype end = it->end;
        while (end < out.size() && out[end].isSpace())
            ++end;
        out.remove(it->begin, end - it->begin);
    }
    return out.trimmed();
}

/// "host/db" of a connection string, for names; empty when it names neither.
QString targetOf(const QString& connection)
{
    QString host;
    QString db;
    if (isUri(connection)) {
        const QString uri = uriWithoutPassword(connection, nullptr);
        const int authority = static_cast<int>(uri.indexOf(QLatin1String("://"))) + 3;
        const int at = userInfoEnd(uri, authority);
        const int hostStart = at >= 0 ? at + 1 : authority;
        int i = hostStart;
        while (i < uri.size() && uri[i] != QLatin1Char('/') && uri[i] != QLatin1Char('?'))
            ++i;
        host = QUrl::fromPercentEncoding(uri.mid(hostStart, i - hostStart).toUtf8());
        if (i < uri.size() && uri[i] == QLatin1Char('/')) {
            const int dbStart = i + 1;
            while (i < uri.size() && uri[i] != QLatin1Char('?'))
                ++i;
            db = QUrl::fromPercentEncoding(uri.mid(dbStart, i - dbStart).toUtf8());
        }
    } else {
        for (const ConnectionStrings::KeywordPair& pair : ConnectionStrings::keywordPairs(connection)) {
            if (pair.keyword == QLatin1String("host") || (pair.keyword == QLatin1String("hostaddr") && host.isEmpty()))
                host = pair.value;
            else if (pair.keyword == QLatin1String("dbname"))
                db = pair.value;
        }
    }
    if (host.isEmpty() && db.isEmpty())
        return {};
    return db.isEmpty() ? host : (host.isEmpty() ? QStringLiteral("localhost") : host) + QLatin1Char('/') + db;
}

QString normalizedPath(const QString& path)
{
    return path.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

} // namespace

QString StoreConnection::displayName() const
{
    if (!name.trimmed().isEmpty())
        return name.trimmed();
    if (kind == Local)
        return sqlitePath.isEmpty() ? QCoreApplication::translate("StoreConnection", "Local store")
                                    : QFileInfo(sqlitePath).fileName();
    const QString target = targetOf(pgConnection);
    return target.isEmpty() ? QCoreApplication::translate("StoreConnection", "PostgreSQL") : target;
}

bool StoreConnection::sameStore(const StoreConnection& other) const
{
    if (kind != other.kind)
        return false;
    if (kind == Local)
        return normalizedPath(sqlitePath) == normalizedPath(other.sqlitePath);
    return withoutPassword(pgConnection).trimmed() == withoutPassword(other.pgConnection).trimmed()
        && pgSchema == other.pgSchema && s3Endpoint.trimmed() == other.s3Endpoint.trimmed()
        && s3Bucket == other.s3Bucket;
}

bool StoreConnection::operator==(const StoreConnection& other) const
{
    return name == other.name && kind == other.kind && sqlitePath == other.sqlitePath
        && pgConnection == other.pgConnection && pgSchema == other.pgSchema && s3Endpoint == other.s3Endpoint
        && s3Bucket == other.s3Bucket && s3Region == other.s3Region && s3AccessKeyId == other.s3AccessKeyId;
}

void StoreConnection::toSettings(QSettings& settings) const
{
    settings.setValue(QStringLiteral("name"), name);
    settings.setValue(
        QStringLiteral("kind"), kind == Postgres ? QStringLiteral("postgresql") : QStringLiteral("sqlite"));
    if (kind == Local) {
        settings.setValue(QStringLiteral("sqlitePath"), sqlitePath);
        return;
    }
    settings.setValue(QStringLiteral("pgConnection"), withoutPassword(pgConnection));
    settings.setValue(QStringLiteral("pgSchema"), pgSchema);
    // Credentials in the endpoint URL: its user is the access key id (kept when none is set), its secret is dropped.
    QString accessKeyId;
    settings.setValue(QStringLiteral("s3Endpoint"), ConnectionStrings::withoutUserInfo(s3Endpoint, &accessKeyId));
    settings.setValue(QStringLiteral("s3Bucket"), s3Bucket);
    settings.setValue(QStringLiteral("s3Region"), s3Region);
    settings.setValue(QStringLiteral("s3AccessKeyId"), s3AccessKeyId.trimmed().isEmpty() ? accessKeyId : s3AccessKeyId);
}

StoreConnection StoreConnection::fromSettings(const QSettings& settings)
{
    StoreConnection c;
    c.name = settings.value(QStringLiteral("name")).toString();
    c.kind = settings.value(QStringLiteral("kind")).toString() == QLatin1String("postgresql") ? Postgres : Local;
    c.sqlitePath = settings.value(QStringLiteral("sqlitePath")).toString();
    c.pgConnection = withoutPassword(settings.value(QStringLiteral("pgConnection")).toString());
    c.pgSchema = settings.value(QStringLiteral("pgSchema"), c.pgSchema).toString();
    c.s3Endpoint = ConnectionStrings::withoutUserInfo(settings.value(QStringLiteral("s3Endpoint")).toString());
    c.s3Bucket = settings.value(QStringLiteral("s3Bucket"), c.s3Bucket).toString();
    c.s3Region = settings.value(QStringLiteral("s3Region"), c.s3Region).toString();
    c.s3AccessKeyId = settings.value(QStringLiteral("s3AccessKeyId")).toString();
    return c;
}

QList<StoreConnection> StoreConnection::loadList(QSettings& settings)
{
    QList<StoreConnection> list;
    const int size = settings.beginReadArray(QStringLiteral("connections"));
    for (int i = 0; i < size; ++i) {
        settings.setArrayIndex(i);
        list << fromSettings(settings);
    }
    settings.endArray();
    return list;
}

void StoreConnection::saveList(QSettings& settings, const QList<StoreConnection>& connections)
{
    settings.remove(QStringLiteral("connections"));
    settings.beginWriteArray(QStringLiteral("connections"), static_cast<int>(connections.size()));
    for (int i = 0; i < connections.size(); ++i) {
        settings.setArrayIndex(i);
        connections[i].toSettings(settings);
    }
    settings.endArray();
}

QString StoreConnection::withoutPassword(const QString& connection, QString* password)
{
    if (password)
        password->clear();
    return isUri(connection) ? uriWithoutPassword(connection, password) : pairsWithoutPassword(connection, password);
}

QString StoreConnection::withPassword(const QString& connection, const QString& password)
{
    if (password.isEmpty())
        return connection;
    if (isUri(connection))
        return connection + (connection.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?'))
            + QStringLiteral("password=") + QString::fromLatin1(QUrl::toPercentEncoding(password));
    QString quoted = password;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    quoted.replace(QLatin1Char('\''), QStringLiteral("\\'"));
    const QString pair = QStringLiteral("password='") + quoted + QLatin1Char('\'');
    return connection.trimmed().isEmpty() ? pair : connection.trimmed() + QLatin1Char(' ') + pair;
}

bool StoreConnection::isPasswordError(const QString& error)
{
    return error.contains(QLatin1String("no password supplied"), Qt::CaseInsensitive)
        || error.contains(QLatin1String("password authentication failed"), Qt::CaseInsensitive);
}

QString SessionSecrets::pgPassword(const StoreConnection& connection) const
{
    return m_pg.value(StoreConnection::withoutPassword(connection.pgConnection).trimmed());
}

void SessionSecrets::setPgPassword(const StoreConnection& connection, const QString& password)
{
    const QString key = StoreConnection::withoutPassword(connection.pgConnection).trimmed();
    if (password.isEmpty())
        m_pg.remove(key);
    else
        m_pg.insert(key, password);
}

QString SessionSecrets::s3Secret(const StoreConnection& connection) const
{
    return m_s3.value(connection.s3Endpoint.trimmed() + QLatin1Char('\n') + connection.s3AccessKeyId.trimmed());
}

void SessionSecrets::setS3Secret(const StoreConnection& connection, const QString& secret)
{
    const QString key = connection.s3Endpoint.trimmed() + QLatin1Char('\n') + connection.s3AccessKeyId.trimmed();
    if (secret.isEmpty())
        m_s3.remove(key);
    else
        m_s3.insert(key, secret);
}

StoreOpener::~StoreOpener() = default;

namespace {
struct StorePool : QThreadPool {
    StorePool()
    {
        setMaxThreadCount(8);
        setObjectName(QStringLiteral("store-io"));
    }
};
Q_GLOBAL_STATIC(StorePool, s_storePool)
}

QThreadPool* StoreOpener::threadPool() { return s_storePool(); }

bool StoreOpener::check(TraceStore& store, QString* summary)
{
    QString error;
    const qint64 spans = store.spanCount(&error);
    if (!error.isEmpty()) {
        *summary = error;
        return false;
    }
    *summary = QCoreApplication::translate("StoreOpener", "Connected: %1, %2 spans stored.")
                   .arg(store.description(), QLocale().toString(spans));
    return true;
}

bool StoreOpener::needsS3Secret(const StoreConnection&, const QString&) const { return false; }
