#include "s3blobstore.h"

#include "connectionstrings.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QMutexLocker>
#include <QUrl>
#include <QXmlStreamReader>

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace {

constexpr std::size_t MaxIdleHandles = 8;

QString envFirst(const char* a, const char* b = nullptr)
{
    QString value = qEnvironmentVariable(a);
    if (value.isEmpty() && b)
        value = qEnvironmentVariable(b);
    return value;
}

struct Upload {
    const QByteArray* data;
    qsizetype offset = 0;
};

size_t readBody(char* buffer, size_t size, size_t count, void* userdata)
{
    auto* upload = static_cast<Upload*>(userdata);
    const qsizetype n = std::min<qsizetype>(qsizetype(size * count), upload->data->size() - upload->offset);
    std::memcpy(buffer, upload->data->constData() + upload->offset, size_t(n));
    upload->offset += n;
    return size_t(n);
}

// libcurl rewinds the body when it resends a request on a fresh connection (the kept-alive one was closed).
int seekBody(void* userdata, curl_off_t offset, int origin)
{
    auto* upload = static_cast<Upload*>(userdata);
    if (origin != SEEK_SET || offset < 0 || offset > upload->data->size())
        return CURL_SEEKFUNC_FAIL;
    upload->offset = qsizetype(offset);
    return CURL_SEEKFUNC_OK;
}

size_t writeBody(char* data, size_t size, size_t count, void* userdata)
{
    const size_t bytes = size * count;
    static_cast<QByteArray*>(userdata)->append(data, static_cast<qsizetype>(bytes));
    return bytes;
}

size_t writeHeader(char* data, size_t size, size_t count, void* userdata)
{
    auto* headers = static_cast<QList<QPair<QByteArray, QByteArray>>*>(userdata);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    if (line.startsWith("HTTP/")) // a new response (after "100 Continue" or a resend): keep only the final one's
        headers->clear();
    else if (const qsizetype colon = line.indexOf(':'); colon > 0)
        headers->append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
    return size * count;
}

struct S3Error {
    QString code;
    QString message;
};

// The <Error><Code/><Message/></Error> document S3 answers failures with.
S3Error parseError(const QByteArray& body)
{
    S3Error error;
    QXmlStreamReader xml(body);
    while (xml.readNextStartElement()) {
        if (xml.name() != QLatin1String("Error")) {
            xml.skipCurrentElement();
            continue;
        }
        while (xml.readNextStartElement()) {
            if (xml.name() == QLatin1String("Code"))
                error.code = xml.readElementText();
            else if (xml.name() == QLatin1String("Message"))
                error.message = xml.readElementText();
            else
                xml.skipCurrentElement();
        }
    }
    return error;
}

// encoding-type=url keys: AWS encodes a space as '+' (and '+' as %2B), Swift as %20; this reads both.
QString urlDecodeKey(const QString& text)
{
    QByteArray bytes = text.toUtf8();
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

QString sanitizeSegment(const QString& name, const QString& fallback)
{
    if (name.isEmpty())
        return fallback;
    if (name == QLatin1String("."))
        return QStringLiteral("_");
    if (name == QLatin1String(".."))
        return QStringLiteral("__");
    QString out = name;
    out.replace(QLatin1Char('/'), QLatin1Char('_'));
    return out;
}

bool hasHeader(const QList<QByteArray>& headers, const QByteArray& name)
{
    return std::any_of(headers.begin(), headers.end(), [&](const QByteArray& line) {
        const qsizetype colon = line.indexOf(':');
        return colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0;
    });
}

} // namespace

struct S3BlobStore::Handle {
    CURL* easy = nullptr;
    char errorBuffer[CURL_ERROR_SIZE];
};

S3Config S3Config::fromEnvironment()
{
    S3Config config;
    config.endpoint = envFirst("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
    config.accessKeyId = qEnvironmentVariable("AWS_ACCESS_KEY_ID");
    config.secretAccessKey = qEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
    const QString region = envFirst("AWS_REGION", "AWS_DEFAULT_REGION");
    if (!region.isEmpty())
        config.region = region;
    return config;
}

S3BlobStore::S3BlobStore(S3Config config)
    : m_config(std::move(config))
    , m_secrets(ConnectionStrings::secretsOf(m_config.endpoint))
{
    QString user;
    QString password;
    m_config.endpoint = ConnectionStrings::withoutUserInfo(m_config.endpoint, &user, &password);
    if (!user.isEmpty())
        m_config.accessKeyId = user;
    if (!password.isEmpty())
        m_config.secretAccessKey = password;
    if (!m_config.secretAccessKey.isEmpty())
        m_secrets << m_config.secretAccessKey;

    // curl_global_init is not thread-safe on every build; do it once, before any handle exists.
    static std::once_flag curlInit;
    std::call_once(curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

    QString base = m_config.endpoint.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    m_baseUrl = base.toUtf8();
    if (!m_config.bucket.isEmpty())
        m_baseUrl += '/' + uriEncode(m_config.bucket, false);
}

S3BlobStore::~S3BlobStore()
{
    for (Handle* handle : m_idleHandles) {
        curl_easy_cleanup(handle->easy);
        delete handle;
    }
}

QString S3BlobStore::description() const
{
    return QStringLiteral("s3://%1 @ %2").arg(m_config.bucket, ConnectionStrings::redact(m_config.endpoint));
}

void S3BlobStore::setListPageSize(int maxKeys) { m_listPageSize = std::clamp(maxKeys, 1, 1000); }

QByteArray S3BlobStore::uriEncode(const QString& text, bool keepSlash)
{
    static const char hex[] = "0123456789ABCDEF";
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() * 3);
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == '.' || c == '_' || c == '~';
        if (unreserved || (keepSlash && c == '/')) {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

QString S3BlobStore::traceObjectKey(
    const QString& environment, const QString& serviceName, std::uint64_t traceStartUnixNano, const TraceId& traceId)
{
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(traceStartUnixNano / 1000000u), Qt::UTC);
    return sanitizeSegment(environment, QStringLiteral("default")) + QLatin1Char('/')
        + sanitizeSegment(serviceName, QStringLiteral("unknown_service")) + QLatin1Char('/')
        + start.toString(QStringLiteral("yyyy-MM-dd")) + QLatin1Char('/') + traceId.toHex() + QLatin1String(".json.gz");
}

QByteArray S3BlobStore::Response::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

S3BlobStore::Handle* S3BlobStore::takeHandle() const
{
    {
        QMutexLocker lock(&m_handlesMutex);
        if (!m_idleHandles.empty()) {
            Handle* handle = m_idleHandles.back();
            m_idleHandles.pop_back();
            return handle;
        }
    }
    auto* handle = new Handle;
    handle->easy = curl_easy_init();
    if (!handle->easy) {
        delete handle;
        return nullptr;
    }
    return handle;
}

void S3BlobStore::returnHandle(Handle* handle) const
{
    // curl_easy_reset keeps the handle's connection cache, so the next request can reuse the connection.
    curl_easy_reset(handle->easy);
    {
        QMutexLocker lock(&m_handlesMutex);
        if (m_idleHandles.size() < MaxIdleHandles) {
            m_idleHandles.push_back(handle);
            return;
        }
    }
    curl_easy_cleanup(handle->easy);
    delete handle;
}

S3BlobStore::Response S3BlobStore::request(const Request& request) const
{
    Response response;
    if (m_config.endpoint.trimmed().isEmpty()) {
        response.transportError = QStringLiteral("no S3 endpoint configured (AWS_ENDPOINT_URL_S3)");
        return response;
    }
    if (m_config.accessKeyId.isEmpty() || m_config.secretAccessKey.isEmpty()) {
        response.transportError = QStringLiteral("no S3 credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
        return response;
    }

    QByteArray url = m_baseUrl;
    if (!request.key.isEmpty() || m_config.bucket.isEmpty())
        url += '/' + uriEncode(request.key, true);
    if (!request.query.isEmpty()) {
        // libcurl 7.88 signs the query string as written, so write it canonically: encoded, sorted by name.
        QList<QPair<QByteArray, QByteArray>> query;
        for (const auto& [name, value] : request.query)
            query.append({ uriEncode(name, false), uriEncode(value, false) });
        std::sort(query.begin(), query.end());
        QByteArray joined;
        for (const auto& [name, value] : query)
            joined += (joined.isEmpty() ? "" : "&") + name + '=' + value;
        url += '?' + joined;
    }

    Handle* handle = takeHandle();
    if (!handle) {
        response.transportError = QStringLiteral("curl_easy_init failed");
        return response;
    }
    CURL* easy = handle->easy;
    handle->errorBuffer[0] = '\0';

    curl_slist* headers = nullptr;
    for (const QByteArray& line : request.headers)
        headers = curl_slist_append(headers, line.constData());
    if (!hasHeader(request.headers, "x-amz-content-sha256")) {
        const QByteArray sha = QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex();
        headers = curl_slist_append(headers, QByteArray("x-amz-content-sha256: " + sha).constData());
    }

    const QByteArray sigv4 = "aws:amz:" + m_config.region.toUtf8() + ":s3";
    const QByteArray user = m_config.accessKeyId.toUtf8();
    const QByteArray secret = m_config.secretAccessKey.toUtf8();
    Upload upload { &request.body };

    curl_easy_setopt(easy, CURLOPT_URL, url.constData());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L); // keys may contain "." and ".." segments
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle->errorBuffer);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(m_config.connectTimeoutMs));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(m_config.requestTimeoutMs));
    curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, sigv4.constData());
    // User and secret separately: a "user:secret" string splits at the first colon, and Swift keys contain one.
    curl_easy_setopt(easy, CURLOPT_USERNAME, user.constData());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, secret.constData());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, writeHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &response.headers);

    if (request.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (request.method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "PUT" || request.method == "POST") {
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, readBody);
        curl_easy_setopt(easy, CURLOPT_READDATA, &upload);
        curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, seekBody);
        curl_easy_setopt(easy, CURLOPT_SEEKDATA, &upload);
        if (request.method != "PUT")
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.constData());
    } else {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.constData());
    }

    const CURLcode rc = curl_easy_perform(easy);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
        if (response.status == 0)
            response.transportError = QStringLiteral("no HTTP response");
    } else {
        response.transportError = QString::fromUtf8(curl_easy_strerror(rc));
        const QString detail = QString::fromUtf8(handle->errorBuffer).trimmed();
        if (!detail.isEmpty() && detail != response.transportError)
            response.transportError += QStringLiteral(": ") + detail;
        response.transportError = ConnectionStrings::redact(response.transportError, m_secrets);
        response.body.clear();
        response.headers.clear();
    }
    curl_slist_free_all(headers);
    returnHandle(handle);
    return response;
}

QString S3BlobStore::objectName(const QString& key) const
{
    if (m_config.bucket.isEmpty())
        return key;
    return key.isEmpty() ? m_config.bucket : m_config.bucket + QLatin1Char('/') + key;
}

QString S3BlobStore::describeFailure(const Request& request, const Response& response) const
{
    QString what = QString::fromLatin1(request.method) + QLatin1Char(' ') + objectName(request.key);
    for (const auto& [name, value] : request.query)
        if (name == QLatin1String("prefix"))
            what += QStringLiteral(" (prefix \"%1\")").arg(value);
    if (response.status == 0)
        return what + QStringLiteral(" @ ") + ConnectionStrings::redact(m_config.endpoint) + QStringLiteral(": ")
            + response.transportError;

    QString text = what + QStringLiteral(": HTTP ") + QString::number(response.status);
    const S3Error error = parseError(response.body);
    if (!error.code.isEmpty()) {
        text += QLatin1Char(' ') + error.code;
        if (!error.message.isEmpty())
            text += QStringLiteral(": ") + error.message;
    } else if (!response.body.isEmpty() && !response.body.trimmed().startsWith('<')) {
        // Not S3's XML (a proxy or a non-S3 server answered): its first words are the best hint.
        text += QStringLiteral(": ") + QString::fromUtf8(response.body.left(200)).simplified();
    }
    return text;
}

bool S3BlobStore::put(const QString& key, const QByteArray& data, const QString& contentType, QString* error)
{
    const QString type = contentType.isEmpty() ? QStringLiteral("application/octet-stream") : contentType;
    Request req;
    req.method = "PUT";
    req.key = key;
    req.body = data;
    if (key.isEmpty() || type.contains(QLatin1Char('\r')) || type.contains(QLatin1Char('\n'))) {
        if (error)
            *error = key.isEmpty() ? QStringLiteral("PUT %1: empty object key").arg(objectName(key))
                                   : QStringLiteral("PUT %1: invalid content type").arg(objectName(key));
        return false;
    }
    req.headers.append("Content-Type: " + type.toUtf8());
    const Response response = request(req);
    if (response.status == 200)
        return true;
    if (error)
        *error = describeFailure(req, response);
    return false;
}

std::optional<QByteArray> S3BlobStore::get(const QString& key, QString* error)
{
    if (error)
        error->clear();
    Request req;
    req.method = "GET";
    req.key = key;
    if (key.isEmpty()) {
        if (error)
            *error = QStringLiteral("GET %1: empty object key").arg(objectName(key));
        return std::nullopt;
    }
    Response response = request(req);
    if (response.status == 200)
        return std::move(response.body);
    // 404 means "no such key" only when S3 says so; a missing bucket is a configuration error.
    if (response.status == 404 && parseError(response.body).code != QLatin1String("NoSuchBucket"))
        return std::nullopt;
    if (error)
        *error = describeFailure(req, response);
    return std::nullopt;
}

std::optional<BlobInfo> S3BlobStore::head(const QString& key, QString* error)
{
    if (error)
        error->clear();
    Request req;
    req.method = "HEAD";
    req.key = key;
    if (key.isEmpty()) {
        if (error)
            *error = QStringLiteral("HEAD %1: empty object key").arg(objectName(key));
        return std::nullopt;
    }
    const Response response = request(req);
    if (response.status == 200) {
        BlobInfo info;
        info.size = response.header("Content-Length").toLongLong();
        info.etag = QString::fromUtf8(response.header("ETag"));
        if (info.etag.size() >= 2 && info.etag.startsWith(QLatin1Char('"')) && info.etag.endsWith(QLatin1Char('"')))
            info.etag = info.etag.mid(1, info.etag.size() - 2);
        const QByteArray modified = response.header("Last-Modified");
        if (const time_t t = curl_getdate(modified.constData(), nullptr); !modified.isEmpty() && t != -1)
            info.lastModified = QDateTime::fromSecsSinceEpoch(qint64(t), Qt::UTC);
        info.contentType = QString::fromUtf8(response.header("Content-Type"));
        return info;
    }
    if (response.status == 404) {
        // A HEAD answer has no body to tell NoSuchKey from NoSuchBucket: ask about the bucket (only on a miss).
        Request bucketReq;
        bucketReq.method = "HEAD";
        if (m_config.bucket.isEmpty() || request(bucketReq).status != 404)
            return std::nullopt;
        if (error)
            *error = QStringLiteral("HEAD %1: HTTP 404 NoSuchBucket: the bucket does not exist").arg(objectName(key));
        return std::nullopt;
    }
    if (error)
        *error = describeFailure(req, response);
    return std::nullopt;
}

bool S3BlobStore::remove(const QString& key, QString* error)
{
    Request req;
    req.method = "DELETE";
    req.key = key;
    if (key.isEmpty()) {
        if (error)
            *error = QStringLiteral("DELETE %1: empty object key").arg(objectName(key));
        return false;
    }
    const Response response = request(req);
    if (response.status == 204 || response.status == 200)
        return true;
    // AWS answers 204 for a missing key too; others say 404 NoSuchKey, which means the same. A missing bucket does not.
    if (response.status == 404 && parseError(response.body).code != QLatin1String("NoSuchBucket"))
        return true;
    if (error)
        *error = describeFailure(req, response);
    return false;
}

bool S3BlobStore::list(const QString& prefix, QStringList* keys, QString* error)
{
    QStringList found;
    QString token;
    for (;;) {
        Request req;
        req.method = "GET";
        req.query = { { QStringLiteral("list-type"), QStringLiteral("2") },
            { QStringLiteral("encoding-type"), QStringLiteral("url") },
            { QStringLiteral("max-keys"), QString::number(m_listPageSize) } };
        if (!prefix.isEmpty())
            req.query.append({ QStringLiteral("prefix"), prefix });
        if (!token.isEmpty())
            req.query.append({ QStringLiteral("continuation-token"), token });
        const Response response = request(req);
        if (response.status != 200) {
            if (error)
                *error = describeFailure(req, response);
            return false;
        }

        bool truncated = false;
        bool urlEncoded = false;
        QString nextToken;
        QStringList page;
        QXmlStreamReader xml(response.body);
        if (xml.readNextStartElement() && xml.name() == QLatin1String("ListBucketResult")) {
            while (xml.readNextStartElement()) {
                if (xml.name() == QLatin1String("IsTruncated")) {
                    truncated = xml.readElementText().trimmed() == QLatin1String("true");
                } else if (xml.name() == QLatin1String("NextContinuationToken")) {
                    nextToken = xml.readElementText();
                } else if (xml.name() == QLatin1String("EncodingType")) {
                    urlEncoded = xml.readElementText().trimmed() == QLatin1String("url");
                } else if (xml.name() == QLatin1String("Contents")) {
                    while (xml.readNextStartElement()) {
                        if (xml.name() == QLatin1String("Key"))
                            page.append(xml.readElementText());
                        else
                            xml.skipCurrentElement();
                    }
                } else {
                    xml.skipCurrentElement();
                }
            }
        } else if (!xml.hasError()) {
            xml.raiseError(QStringLiteral("no ListBucketResult element"));
        }
        if (xml.hasError()) {
            if (error)
                *error = describeFailure(req, response) + QStringLiteral(": unreadable ListObjectsV2 answer: ")
                    + xml.errorString();
            return false;
        }
        for (const QString& key : std::as_const(page))
            found.append(urlEncoded ? urlDecodeKey(key) : key);
        if (!truncated)
            break;
        if (nextToken.isEmpty() || nextToken == token) {
            if (error)
                *error = describeFailure(req, response)
                    + QStringLiteral(": truncated ListObjectsV2 answer without a new NextContinuationToken");
            return false;
        }
        token = nextToken;
    }
    if (keys)
        *keys = std::move(found);
    return true;
}

bool S3BlobStore::ensureBucket(QString* error)
{
    if (m_config.bucket.isEmpty()) {
        if (error)
            *error = QStringLiteral("no bucket configured");
        return false;
    }
    Request headReq;
    headReq.method = "HEAD";
    const Response headResponse = request(headReq);
    if (headResponse.status == 200)
        return true;
    if (headResponse.status != 404) {
        if (error)
            *error = describeFailure(headReq, headResponse);
        return false;
    }

    Request createReq;
    createReq.method = "PUT";
    if (m_config.region != QLatin1String("us-east-1")) {
        createReq.body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                         "<LocationConstraint>"
            + m_config.region.toHtmlEscaped().toUtf8() + "</LocationConstraint></CreateBucketConfiguration>";
        createReq.headers.append("Content-Type: application/xml");
    }
    const Response createResponse = request(createReq);
    if (createResponse.status == 200)
        return true;
    // Created by someone else between our HEAD and PUT (or by us, earlier): it exists, which is what we want.
    if (createResponse.status == 409
        && parseError(createResponse.body).code == QLatin1String("BucketAlreadyOwnedByYou"))
        return true;
    if (error)
        *error = describeFailure(createReq, createResponse);
    return false;
}
