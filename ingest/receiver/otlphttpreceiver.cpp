#include "ingest/receiver/otlphttpreceiver.h"

#include "ingest/api/queryapi.h"
#include "ingest/ingestlogging.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlpexport.h"
#include "model/guardedjob.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QThreadPool>
#include <QUrl>
#include <QUrlQuery>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>

namespace {

using OtlpExport::Encoding;
using OtlpExport::contentTypeOf;

enum class HttpStatus : int {
    Ok = 200,
    BadRequest = 400,
    Unauthorized = 401,
    NotFound = 404,
    MethodNotAllowed = 405,
    PayloadTooLarge = 413,
    UnsupportedMediaType = 415,
    ServiceUnavailable = 503,
};

// google.rpc.Code numbers used in the Status body of failed requests (OTLP spec, "Failures").
constexpr int RpcInvalidArgument = 3;
constexpr int RpcResourceExhausted = 8;
constexpr int RpcUnavailable = 14;

QByteArray mediaType(const QByteArray& contentType)
{
    const int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.left(semi)).trimmed().toLower();
}

// A google.rpc.Status {code = 1, message = 2} in the request's encoding.
QByteArray statusBody(Encoding encoding, int rpcCode, const QString& message)
{
    if (encoding == Encoding::Json) {
        QJsonObject o { { QStringLiteral("code"), rpcCode }, { QStringLiteral("message"), message } };
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    const QByteArray text = message.toUtf8();
    std::string out;
    {
        google::protobuf::io::StringOutputStream stream(&out);
        google::protobuf::io::CodedOutputStream coded(&stream);
        coded.WriteTag((1 << 3) | 0);
        coded.WriteVarint32SignExtended(rpcCode);
        coded.WriteTag((2 << 3) | 2);
        coded.WriteVarint32(static_cast<quint32>(text.size()));
        coded.WriteRaw(text.constData(), static_cast<int>(text.size()));
    }
    return QByteArray(out.data(), static_cast<qsizetype>(out.size()));
}

// The body of a request answered before it was read (e.g. 413) is read and dropped up to this much, so the client
// gets to read the answer; past it the connection is closed.
constexpr qint64 MaxDrainBytes = qint64(1024) * 1024 * 1024;
// Query API reads run here; two threads keep one slow read (a large trace) from queueing every other query.
constexpr int QueryThreads = 2;
// Connections waiting in the kernel for accept(); Linux caps it at net.core.somaxconn (4096 by default since 5.4).
constexpr int ListenBacklog = 4096;
// Per connection: the request line and headers must fit in it (else 431), the rest buffers reads and writes.
constexpr std::size_t ConnectionMemoryBytes = 128 * 1024;
// Descriptors kept free for the store, files and the GUI when the connection limit is derived from RLIMIT_NOFILE.
constexpr rlim_t ReservedDescriptors = 256;
// How long stop() lets libmicrohttpd send the replies it queued before it closes every connection.
constexpr int FlushWaitMs = 500;

using Headers = QList<std::pair<QByteArray, QByteArray>>;

/// An HTTP answer: status, headers (Content-Length is added by libmicrohttpd), body.
struct Reply {
    int status = 200;
    Headers headers;
    QByteArray body;
};

Reply textReply(HttpStatus status, const QString& message, Headers extra = {})
{
    Reply r { int(status), std::move(extra), message.toUtf8() };
    r.headers.prepend({ "Content-Type", "text/plain; charset=utf-8" });
    return r;
}

Reply statusReply(Encoding enc, HttpStatus status, int rpcCode, const QString& message, Headers extra = {})
{
    Reply r { int(status), std::move(extra), statusBody(enc, rpcCode, message) };
    r.headers.prepend({ "Content-Type", contentTypeOf(enc) });
    return r;
}

QString reasonOf(const Reply& reply)
{
    const QByteArray type = [&] {
        for (const auto& [name, value] : reply.headers)
            if (name.compare("Content-Type", Qt::CaseInsensitive) == 0)
                return value;
        return QByteArray();
    }();
    if (type.startsWith("application/json")) {
        const QJsonObject o = QJsonDocument::fromJson(reply.body).object();
        return o.contains(QLatin1String("error")) ? o.value(QLatin1String("error")).toString()
                                                   : o.value(QLatin1String("message")).toString();
    }
    if (type.startsWith("text/"))
        return QString::fromUtf8(reply.body);
    return QStringLiteral("HTTP %1").arg(reply.status);
}

enum class Route { Export, Health, Query };

/**
 * One HTTP request from its request line to libmicrohttpd's completion callback. libmicrohttpd's thread fills it
 * and reads its reply; the receiver thread computes the reply of a suspended request. Held by shared_ptr: by the
 * connection (until completion) and by the receiver while the request waits for its reply.
 */
struct Exchange {
    MHD_Connection* connection = nullptr;
    QByteArray rawUri; ///< as sent, with the query string
    QByteArray method;
    bool headersSeen = false; // libmicrohttpd's thread only, like the fields up to `suspended`
    Route route = Route::Health;
    bool authorized = false;
    OtlpExport::Signal signal = OtlpExport::Signal::Traces; ///< for Route::Export
    Encoding encoding = Encoding::Protobuf;
    QByteArray contentEncoding;
    QString peer;
    QByteArray body;
    qint64 droppedBytes = 0; ///< body bytes read and dropped after a refusal
    std::optional<Reply> refusal; ///< decided before the body was read; sent once it has been
    bool suspended = false;

    std::mutex mutex;
    std::optional<Reply> reply; ///< guarded by mutex; set once, then the connection is resumed
};
using ExchangePtr = std::shared_ptr<Exchange>;

/// A listening TCP socket bound to address:port, or -1 with *error set (strerror text, e.g. "Address already in use").
int openListenSocket(const QHostAddress& address, quint16 port, quint16* boundPort, bool* ipv6, QString* error)
{
    sockaddr_storage storage {};
    socklen_t length = 0;
    const bool any = address == QHostAddress::Any;
    *ipv6 = any || address.protocol() == QAbstractSocket::IPv6Protocol;
    if (*ipv6) {
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        if (any) {
            in6->sin6_addr = in6addr_any;
        } else {
            const Q_IPV6ADDR bytes = address.toIPv6Address();
            std::memcpy(&in6->sin6_addr, bytes.c, sizeof bytes.c);
            in6->sin6_scope_id = address.scopeId().toUInt();
        }
        length = sizeof(sockaddr_in6);
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int on = 1;
    const int off = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (*ipv6) // "::" (QHostAddress::Any) takes IPv4 too; a specific IPv6 address only itself
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, any ? &off : &on, sizeof on);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || ::listen(fd, ListenBacklog) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    sockaddr_storage bound {};
    socklen_t boundLength = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength);
    *boundPort = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    return fd;
}

/// Raises the soft descriptor limit to the hard one and returns how many connections may be open at once.
unsigned connectionLimitFromDescriptors()
{
    rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1000;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? std::max<rlim_t>(limit.rlim_cur, 65536) : limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            limit = raised;
    }
    const rlim_t usable = limit.rlim_cur > 2 * ReservedDescriptors ? limit.rlim_cur - ReservedDescriptors
                                                                   : limit.rlim_cur / 2;
    return unsigned(std::clamp<rlim_t>(usable, 16, 65536));
}

MHD_Result queueReply(MHD_Connection* connection, const Reply& reply)
{
    MHD_Response* response = MHD_create_response_from_buffer(
        std::size_t(reply.body.size()), const_cast<char*>(reply.body.constData()), MHD_RESPMEM_MUST_COPY);
    if (!response)
        return MHD_NO;
    for (const auto& [name, value] : reply.headers) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) != 0)
            MHD_add_response_header(response, name.constData(), value.constData());
    }
    const MHD_Result queued = MHD_queue_response(connection, unsigned(reply.status), response);
    MHD_destroy_response(response);
    return queued;
}

QByteArray headerOf(MHD_Connection* connection, const char* name)
{
    return QByteArray(MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name));
}

bool hasBody(MHD_Connection* connection)
{
    const QByteArray length = headerOf(connection, MHD_HTTP_HEADER_CONTENT_LENGTH).trimmed();
    return !headerOf(connection, MHD_HTTP_HEADER_TRANSFER_ENCODING).isEmpty() || (!length.isEmpty() && length != "0");
}

bool expectsContinue(MHD_Connection* connection)
{
    return headerOf(connection, MHD_HTTP_HEADER_EXPECT).trimmed().toLower() == "100-continue";
}

} // namespace

/**
 * The HTTP front end. libmicrohttpd parses HTTP/1.1 on its own thread (keep-alive, pipelining in order, chunked
 * bodies, `Expect: 100-continue`, timeouts, the connection limit); requests that need work are suspended there and
 * handed to this object, which lives on the receiver thread, computes their replies (on its thread pools for decoding
 * and store reads) and resumes them.
 */
class ReceiverServer : public QObject {
public:
    ReceiverServer(IngestPipeline* pipeline, TraceStore* queryStore, const OtlpHttpReceiver::Options& options,
                   OtlpHttpReceiver* owner)
        : m_pipeline(pipeline)
        , m_maxBodyBytes(options.maxBodyBytes)
        , m_idleTimeoutSeconds(options.idleTimeoutSeconds)
        , m_maxConnections(options.maxConnections)
        , m_expectedAuthorization(options.apiKey.isEmpty() ? QByteArray() : QByteArray("Bearer ") + options.apiKey)
        , m_owner(owner)
    {
        setQueryStore(queryStore);
        m_queryPool.setMaxThreadCount(QueryThreads);
    }
    ~ReceiverServer() override { shutdown(); }

    void setQueryStore(TraceStore* store)
    {
        m_queryStore = store;
        m_queryApi = std::make_shared<const QueryApi>(store);
    }

    QString grpcListenAddress; ///< named by /healthz; empty while the gRPC receiver is off
    QString m_listenAddress; ///< "127.0.0.1:4318", set by listenOn

    bool listenOn(const QHostAddress& address, quint16 port, quint16* boundPort, QString* error)
    {
        bool ipv6 = false;
        const int fd = openListenSocket(address, port, boundPort, &ipv6, error);
        if (fd < 0)
            return false;
        const unsigned limit = m_maxConnections > 0 ? m_maxConnections : connectionLimitFromDescriptors();
        unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
        if (ipv6)
            flags |= MHD_USE_IPv6;
        m_daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, &ReceiverServer::onAccess, this,
                                    MHD_OPTION_LISTEN_SOCKET, fd,
                                    MHD_OPTION_URI_LOG_CALLBACK, &ReceiverServer::onRequestLine, this,
                                    MHD_OPTION_NOTIFY_COMPLETED, &ReceiverServer::onCompleted, this,
                                    MHD_OPTION_CONNECTION_TIMEOUT, unsigned(std::max(1, m_idleTimeoutSeconds)),
                                    MHD_OPTION_CONNECTION_LIMIT, limit,
                                    MHD_OPTION_CONNECTION_MEMORY_LIMIT, ConnectionMemoryBytes,
                                    MHD_OPTION_EXTERNAL_LOGGER, &ReceiverServer::onLibraryMessage, this,
                                    MHD_OPTION_END);
        if (!m_daemon) {
            ::close(fd);
            *error = QStringLiteral("the HTTP server (libmicrohttpd) did not start");
            return false;
        }
        m_listenFd = fd;
        m_listenAddress = (ipv6 ? QLatin1Char('[') + address.toString() + QLatin1Char(']') : address.toString())
            + QLatin1Char(':') + QString::number(*boundPort);
        qCDebug(lcIngest) << "HTTP connections limited to" << limit << "idle timeout" << m_idleTimeoutSeconds << "s";
        return true;
    }

    /// Stops accepting connections; those open keep being served.
    void stopListening()
    {
        if (m_daemon && !m_quiesced) {
            MHD_quiesce_daemon(m_daemon);
            m_quiesced = true;
        }
    }

    /**
     * Answers every request still waiting with 503, lets libmicrohttpd send what it queued (at most FlushWaitMs),
     * then stops it (every connection closes). Idempotent.
     */
    void shutdown()
    {
        if (!m_daemon)
            return;
        stopListening();
        std::vector<ExchangePtr> waiting;
        {
            std::lock_guard lock(m_waitingMutex);
            m_closing = true; // requests completing from now on are answered 503 at once, never suspended
            waiting.assign(m_waiting.begin(), m_waiting.end());
        }
        for (const ExchangePtr& ex : waiting)
            answer(ex, textReply(HttpStatus::ServiceUnavailable, QStringLiteral("the receiver is shutting down"),
                                 { { "Retry-After", "1" } }));
        QElapsedTimer timer;
        timer.start();
        while (m_inFlight.load() > 0 && timer.elapsed() < FlushWaitMs)
            QThread::msleep(5);
        MHD_stop_daemon(m_daemon); // joins libmicrohttpd's thread: no callback runs after this
        m_daemon = nullptr;
        if (m_listenFd >= 0)
            ::close(m_listenFd);
        m_listenFd = -1;
    }

    int pendingReplies() const
    {
        std::lock_guard lock(m_waitingMutex);
        return int(m_waiting.size());
    }

    std::atomic<qint64> accepted { 0 };
    std::atomic<qint64> rejected { 0 };

private:
    // ---- libmicrohttpd's thread -------------------------------------------------------------------------------

    static void* onRequestLine(void* cls, const char* uri, MHD_Connection* connection)
    {
        auto* server = static_cast<ReceiverServer*>(cls);
        auto ex = std::make_shared<Exchange>();
        ex->rawUri = QByteArray(uri);
        ex->connection = connection;
        ++server->m_inFlight;
        return new ExchangePtr(std::move(ex));
    }

    static void onCompleted(void* cls, MHD_Connection*, void** context, MHD_RequestTerminationCode)
    {
        auto* server = static_cast<ReceiverServer*>(cls);
        if (auto* held = static_cast<ExchangePtr*>(*context)) {
            delete held;
            --server->m_inFlight;
        }
        *context = nullptr;
    }

    static void onLibraryMessage(void*, const char* format, va_list args)
    {
        char text[512];
        std::vsnprintf(text, sizeof text, format, args);
        qCDebug(lcIngest).noquote() << "libmicrohttpd:" << QByteArray(text).trimmed();
    }

    static MHD_Result onAccess(void* cls, MHD_Connection* connection, const char*, const char* method,
                               const char*, const char* uploadData, std::size_t* uploadSize, void** context)
    {
        auto* server = static_cast<ReceiverServer*>(cls);
        auto* held = static_cast<ExchangePtr*>(*context);
        if (!held) // no request-line callback (not expected): keep the bookkeeping whole anyway
            *context = held = static_cast<ExchangePtr*>(onRequestLine(cls, "/", connection));
        Exchange& ex = **held;

        if (ex.suspended) { // resumed: the receiver thread has set the reply
            ex.suspended = false;
            std::optional<Reply> reply;
            {
                std::lock_guard lock(ex.mutex);
                reply = std::move(ex.reply);
            }
            return reply ? queueReply(connection, *reply) : MHD_NO;
        }
        if (!ex.headersSeen) {
            ex.headersSeen = true;
            ex.method = QByteArray(method);
            if (std::optional<Reply> refusal = server->routeHeaders(ex, connection)) {
                server->countRefusal(*refusal);
                // Answered before the body: at once when there is none or the client waits for "100 Continue"
                // (it then sends none). A client already sending its body would see the connection reset under its
                // feet and never read the answer, so its body is read and dropped first.
                if (!hasBody(connection) || expectsContinue(connection))
                    return queueReply(connection, *refusal);
                ex.refusal = std::move(refusal);
                return MHD_YES;
            }
            return MHD_YES; // libmicrohttpd sends "100 Continue" now if the client asked for it
        }
        if (*uploadSize > 0) {
            const qint64 size = qint64(*uploadSize);
            *uploadSize = 0;
            if (ex.route == Route::Export && !ex.refusal && ex.body.size() + size <= server->m_maxBodyBytes) {
                ex.body.append(uploadData, size);
                return MHD_YES;
            }
            if (ex.route == Route::Export && !ex.refusal) { // chunked, past the limit: drop it, answer 413 at its end
                qCWarning(lcIngest) << "refusing a request body of more than" << server->m_maxBodyBytes
                                    << "bytes from" << ex.peer;
                ex.refusal = statusReply(ex.encoding, HttpStatus::PayloadTooLarge, RpcResourceExhausted,
                    QStringLiteral("request body exceeds the limit of %1 bytes").arg(server->m_maxBodyBytes));
                server->countRefusal(*ex.refusal);
                ex.body = QByteArray();
            }
            ex.droppedBytes += size;
            return ex.droppedBytes > MaxDrainBytes ? MHD_NO : MHD_YES; // MHD_NO closes the connection
        }
        // The whole request is here.
        if (ex.refusal)
            return queueReply(connection, *ex.refusal);
        ExchangePtr shared = *held;
        {
            // Under the lock: shutdown() either sees this request among the waiting ones (and answers it, which
            // resumes it only after this suspend), or has already begun, and then it is answered here, never
            // suspended (libmicrohttpd must not be stopped with a connection still suspended).
            std::lock_guard lock(server->m_waitingMutex);
            if (server->m_closing)
                return queueReply(connection, textReply(HttpStatus::ServiceUnavailable,
                                                        QStringLiteral("the receiver is shutting down"),
                                                        { { "Retry-After", "1" } }));
            ex.suspended = true;
            server->m_waiting.insert(shared);
            MHD_suspend_connection(connection);
        }
        QMetaObject::invokeMethod(server, [server, shared] { server->dispatch(shared); }, Qt::QueuedConnection);
        return MHD_YES;
    }

    /// Decides from the request line and headers alone: a reply for a request refused before its body is read,
    /// or nothing (the request goes on). Reads only what does not change while the server runs.
    std::optional<Reply> routeHeaders(Exchange& ex, MHD_Connection* connection) const
    {
        if (const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS))
            ex.peer = QHostAddress(info->client_addr).toString();
        const QString path = QUrl::fromEncoded(ex.rawUri).path();
        ex.authorized = authorized(headerOf(connection, MHD_HTTP_HEADER_AUTHORIZATION));
        const bool guarded = path.startsWith(QLatin1String("/v1/")) || path.startsWith(QLatin1String("/api/v1/"))
            || path == QLatin1String("/api/v1");
        if (guarded && !ex.authorized)
            return textReply(HttpStatus::Unauthorized, QStringLiteral("missing or wrong API key: send Authorization: Bearer KEY"),
                             { { "WWW-Authenticate", "Bearer" } });
        const bool get = ex.method == "GET" || ex.method == "HEAD";
        if (path == QLatin1String("/healthz")) {
            if (!get)
                return textReply(HttpStatus::MethodNotAllowed, QStringLiteral("use GET for /healthz"), { { "Allow", "GET" } });
            ex.route = Route::Health;
            return std::nullopt;
        }
        if (QueryApi::handles(path)) {
            ex.route = Route::Query;
            return std::nullopt;
        }
        if (path == QLatin1String("/v1/traces"))
            ex.signal = OtlpExport::Signal::Traces;
        else if (path == QLatin1String("/v1/logs"))
            ex.signal = OtlpExport::Signal::Logs;
        else if (path == QLatin1String("/v1/metrics")) // answered, not stored: see OtlpExport::decodeAndSubmit
            ex.signal = OtlpExport::Signal::Metrics;
        else
            return textReply(HttpStatus::NotFound, QStringLiteral("no such path: ") + path);
        if (ex.method != "POST")
            return textReply(HttpStatus::MethodNotAllowed, QStringLiteral("use POST for ") + path, { { "Allow", "POST" } });
        ex.route = Route::Export;
        const QByteArray type = mediaType(headerOf(connection, MHD_HTTP_HEADER_CONTENT_TYPE));
        if (type == "application/x-protobuf" || type == "application/protobuf")
            ex.encoding = Encoding::Protobuf;
        else if (type == "application/json")
            ex.encoding = Encoding::Json;
        else
            return textReply(HttpStatus::UnsupportedMediaType,
                QStringLiteral("unsupported Content-Type \"%1\": use application/x-protobuf or application/json")
                    .arg(QString::fromLatin1(type)));
        ex.contentEncoding = headerOf(connection, MHD_HTTP_HEADER_CONTENT_ENCODING).trimmed().toLower();
        if (!ex.contentEncoding.isEmpty() && ex.contentEncoding != "identity" && ex.contentEncoding != "gzip")
            return textReply(HttpStatus::UnsupportedMediaType,
                QStringLiteral("unsupported Content-Encoding \"%1\": use gzip or none").arg(QString::fromLatin1(ex.contentEncoding)));
        const QByteArray lengthHeader = headerOf(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);
        bool numeric = false;
        const qint64 length = lengthHeader.trimmed().toLongLong(&numeric);
        if (numeric && length > m_maxBodyBytes) {
            qCWarning(lcIngest) << "refusing a request body of" << length << "bytes from" << ex.peer;
            return statusReply(ex.encoding, HttpStatus::PayloadTooLarge, RpcResourceExhausted,
                QStringLiteral("request body of %1 bytes exceeds the limit of %2 bytes").arg(length).arg(m_maxBodyBytes));
        }
        if (numeric && length > 0)
            ex.body.reserve(length);
        return std::nullopt;
    }

    /// True when no key is configured or `given` (an Authorization header) carries it; constant time in the
    /// header's content (no early exit on the first differing byte).
    bool authorized(const QByteArray& header) const
    {
        if (m_expectedAuthorization.isEmpty())
            return true;
        const QByteArray given = header.trimmed();
        const QByteArray& expected = m_expectedAuthorization;
        unsigned char difference = given.size() == expected.size() ? 0 : 1;
        for (qsizetype i = 0; i < expected.size(); ++i) {
            const char g = i < given.size() ? given.at(i) : '\0';
            const char e = expected.at(i);
            // The scheme ("Bearer ") is case-insensitive (RFC 7235), the key is not.
            const bool scheme = i < 7;
            difference |= static_cast<unsigned char>(scheme ? (g | 0x20) ^ (e | 0x20) : g ^ e);
        }
        return difference == 0;
    }

    /// Counts and reports a reply sent without the receiver thread (any thread).
    void countRefusal(const Reply& reply)
    {
        ++rejected;
        const QString reason = reasonOf(reply);
        qCDebug(lcIngest) << "answering" << reply.status << reason;
        Q_EMIT m_owner->requestFailed(reply.status, reason);
    }

    // ---- the receiver thread --------------------------------------------------------------------------------

    void dispatch(const ExchangePtr& ex)
    {
        switch (ex->route) {
        case Route::Health:
            answer(ex, healthReply(*ex));
            return;
        case Route::Query:
            handleQuery(ex);
            return;
        case Route::Export:
            handleExport(ex);
            return;
        }
    }

    /// Sets the reply of a suspended request and resumes it; later calls for the same request do nothing.
    void answer(const ExchangePtr& ex, Reply reply)
    {
        const int status = reply.status;
        const QString reason = status >= 400 ? reasonOf(reply) : QString();
        {
            std::lock_guard lock(ex->mutex);
            if (ex->reply)
                return;
            ex->reply = std::move(reply);
        }
        {
            std::lock_guard lock(m_waitingMutex);
            if (m_waiting.erase(ex) == 0)
                return; // answered at shutdown already; the connection may be gone
        }
        MHD_resume_connection(ex->connection);
        if (status >= 400) {
            qCDebug(lcIngest) << "answering" << status << reason;
            Q_EMIT m_owner->requestFailed(status, reason);
        }
    }

    Reply healthReply(const Exchange& ex) const
    {
        Reply reply;
        reply.headers = { { "Content-Type", "application/json" } };
        // 503 while commits fail (e.g. the disk is full), so probes and load balancers see it too.
        const IngestPipeline::StoreProblem problem = m_pipeline->storeProblem();
        const QString status = problem.error.isEmpty() ? QStringLiteral("ok") : QStringLiteral("store_failing");
        reply.status = problem.error.isEmpty() ? 200 : 503;
        if (!ex.authorized) { // open to probes, but without the key it tells nothing about the store or the traffic
            reply.body = QJsonDocument(QJsonObject { { QStringLiteral("status"), status } }).toJson(QJsonDocument::Compact);
            return reply;
        }
        // The kind of store only ("sqlite", "postgresql"): no file paths, hosts or users.
        const auto kindOf = [](const TraceStore* store) -> QJsonValue {
            return store ? QJsonValue(store->kind()) : QJsonValue();
        };
        QJsonObject health { { QStringLiteral("status"), status },
                             { QStringLiteral("store"), kindOf(m_pipeline->store()) },
                             { QStringLiteral("query_store"), kindOf(m_queryStore) },
                             { QStringLiteral("queue_bytes"), m_pipeline->queuedBytes() },
                             { QStringLiteral("spans_written"), m_pipeline->spansWritten() },
                             { QStringLiteral("requests_accepted"), accepted.load() },
                             { QStringLiteral("requests_rejected"), rejected.load() },
                             { QStringLiteral("replies_pending"), pendingReplies() - 1 }, // not this one
                             { QStringLiteral("otlp_http"), m_listenAddress },
                             { QStringLiteral("otlp_grpc"),
                               grpcListenAddress.isEmpty() ? QJsonValue() : QJsonValue(grpcListenAddress) } };
        if (!problem.error.isEmpty()) {
            QString error = problem.error; // a PostgreSQL store's message names it by its description: not here
            if (const QString description = m_pipeline->store()->description(); !description.isEmpty())
                error.replace(description, kindOf(m_pipeline->store()).toString());
            health.insert(QStringLiteral("store_error"), error);
            health.insert(QStringLiteral("store_failing_since"),
                          QDateTime::fromMSecsSinceEpoch(problem.sinceUnixMs, Qt::UTC).toString(Qt::ISODateWithMs));
        }
        if (const QJsonObject worker = m_pipeline->status(); !worker.isEmpty()) // worker mode's coordinator
            health.insert(QStringLiteral("worker"), worker);
        reply.body = QJsonDocument(health).toJson(QJsonDocument::Compact);
        return reply;
    }

    // Store reads block: they run on m_queryPool and the reply is handed back to this thread when they finish.
    void handleQuery(const ExchangePtr& ex)
    {
        QueryApi::Request query;
        query.method = ex->method;
        const QUrl url = QUrl::fromEncoded(ex->rawUri);
        query.path = url.path();
        const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
        for (const auto& item : items)
            query.query.append({ item.first, item.second });
        GuardedJob::start(&m_queryPool, this, [api = m_queryApi, query] { return api->handle(query); },
            [this, ex](const QueryApi::Response& response) {
                answer(ex, Reply { response.status, response.headers, response.body });
            });
    }

    void handleExport(const ExchangePtr& ex)
    {
        // Inflating, decoding and preparing take far longer than HTTP parsing: they run on the worker pool, so the
        // receiver keeps reading requests and sending replies, and both cores share that work.
        OtlpExport::Request request;
        request.signal = ex->signal;
        request.encoding = ex->encoding;
        request.wire = std::exchange(ex->body, QByteArray());
        request.contentEncoding = ex->contentEncoding;
        request.peer = ex->peer;
        const Encoding enc = ex->encoding;
        GuardedJob::start(&m_workers, this,
            [pipeline = m_pipeline, maxBody = m_maxBodyBytes, request] {
                return OtlpExport::decodeAndSubmit(pipeline, request, maxBody);
            },
            [this, ex, enc](OtlpExport::Decision d) {
                using OtlpExport::Outcome;
                switch (d.outcome) {
                case Outcome::Ok:
                    break;
                case Outcome::BadRequest:
                    ++rejected;
                    answer(ex, statusReply(enc, HttpStatus::BadRequest, RpcInvalidArgument, d.message));
                    return;
                case Outcome::TooLarge:
                    ++rejected;
                    answer(ex, statusReply(enc, HttpStatus::PayloadTooLarge, RpcResourceExhausted, d.message));
                    return;
                case Outcome::Unavailable:
                    ++rejected;
                    answer(ex, statusReply(enc, HttpStatus::ServiceUnavailable, RpcUnavailable, d.message,
                                           { { "Retry-After", "1" } }));
                    return;
                }
                if (!d.write) {
                    ++accepted; // nothing to store (e.g. every span invalid, or metrics): answered at once
                    answer(ex, Reply { 200, { { "Content-Type", contentTypeOf(enc) } }, d.okBody });
                    return;
                }
                // Acknowledge only after commit: the request stays suspended until the writer has finished it.
                GuardedJob::deliver(*d.write, this, [this, ex, enc, okBody = d.okBody](const WriteResult& result) {
                    if (result.ok) {
                        ++accepted;
                        answer(ex, Reply { 200, { { "Content-Type", contentTypeOf(enc) } }, okBody });
                    } else {
                        ++rejected;
                        answer(ex, statusReply(enc, HttpStatus::ServiceUnavailable, RpcUnavailable,
                                               QStringLiteral("store write failed: ") + result.error,
                                               { { "Retry-After", "5" } }));
                    }
                }, [this, ex, enc] { // the pipeline went away first: the write's outcome is unknown
                    ++rejected;
                    answer(ex, statusReply(enc, HttpStatus::ServiceUnavailable, RpcUnavailable,
                                           QStringLiteral("the receiver is shutting down"), { { "Retry-After", "1" } }));
                });
            });
    }

    IngestPipeline* m_pipeline;
    qint64 m_maxBodyBytes;
    int m_idleTimeoutSeconds;
    unsigned m_maxConnections;
    QByteArray m_expectedAuthorization; ///< "Bearer KEY", empty without a key
    OtlpHttpReceiver* m_owner;
    MHD_Daemon* m_daemon = nullptr;
    int m_listenFd = -1;
    bool m_quiesced = false;
    std::atomic<int> m_inFlight { 0 }; ///< requests between their request line and their completion
    mutable std::mutex m_waitingMutex;
    std::set<ExchangePtr> m_waiting; ///< suspended requests whose reply is not set yet
    bool m_closing = false; ///< guarded by m_waitingMutex: shutdown() has begun, nothing is suspended any more
    TraceStore* m_queryStore = nullptr;
    std::shared_ptr<const QueryApi> m_queryApi; // replaced whole by setQueryStore; running reads keep theirs
    // Declared last so they are drained before the rest goes.
    QThreadPool m_workers; // inflate + decode + prepare
    QThreadPool m_queryPool; // query API store reads
};

OtlpHttpReceiver::OtlpHttpReceiver(IngestPipeline* pipeline, const Options& options, QObject* parent)
    : QObject(parent)
    , m_pipeline(pipeline)
    , m_queryStore(pipeline->store())
    , m_options(options)
{
}

void OtlpHttpReceiver::setQueryStore(TraceStore* store)
{
    m_queryStore = store;
    if (m_server)
        QMetaObject::invokeMethod(m_server, [server = m_server, store] { server->setQueryStore(store); },
                                  Qt::BlockingQueuedConnection);
}

void OtlpHttpReceiver::setGrpcListenAddress(const QString& hostPort)
{
    m_grpcListenAddress = hostPort;
    if (m_server)
        QMetaObject::invokeMethod(m_server, [server = m_server, hostPort] { server->grpcListenAddress = hostPort; },
                                  Qt::BlockingQueuedConnection);
}

OtlpHttpReceiver::~OtlpHttpReceiver()
{
    stop(0);
}

bool OtlpHttpReceiver::start(QString* error)
{
    if (m_thread)
        return true;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("otlp-receiver"));
    m_server = new ReceiverServer(m_pipeline, m_queryStore, m_options, this);
    m_server->grpcListenAddress = m_grpcListenAddress;
    m_server->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::finished, m_server, &QObject::deleteLater);
    m_thread->start();

    bool ok = false;
    QString why;
    quint16 port = 0;
    QMetaObject::invokeMethod(
        m_server, [&] { ok = m_server->listenOn(m_options.address, m_options.port, &port, &why); },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = tr("cannot listen on %1:%2: %3")
                         .arg(m_options.address.toString())
                         .arg(m_options.port)
                         .arg(why);
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        m_server = nullptr;
        return false;
    }
    m_port = port;
    qCInfo(lcIngest) << "OTLP/HTTP receiver listening on" << listenAddress();
    return true;
}

void OtlpHttpReceiver::stop(int replyGraceMs)
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(m_server, [this] { m_server->stopListening(); }, Qt::BlockingQueuedConnection);
    // Everything accepted gets committed; the replies it owes are then sent from the server thread.
    m_pipeline->stop();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < replyGraceMs) {
        int pending = 0;
        QMetaObject::invokeMethod(m_server, [&] { pending = m_server->pendingReplies(); },
                                  Qt::BlockingQueuedConnection);
        if (pending == 0)
            break;
        QThread::msleep(10);
    }
    // Requests still waiting get 503; replies already queued get a moment to leave; then every connection closes.
    QMetaObject::invokeMethod(m_server, [this] { m_server->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_server = nullptr;
}

QString OtlpHttpReceiver::listenAddress() const
{
    const QString host = m_options.address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + m_options.address.toString() + QLatin1Char(']')
        : m_options.address.toString();
    return host + QLatin1Char(':') + QString::number(m_port);
}

qint64 OtlpHttpReceiver::requestsAccepted() const
{
    return m_server ? m_server->accepted.load() : 0;
}

qint64 OtlpHttpReceiver::requestsRejected() const
{
    return m_server ? m_server->rejected.load() : 0;
}
