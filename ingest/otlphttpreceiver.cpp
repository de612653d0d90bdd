#include "otlphttpreceiver.h"

#include "gzip.h"
#include "ingestlogging.h"
#include "ingestpipeline.h"
#include "otlpjsoncodec.h"
#include "otlpprotobufcodec.h"
#include "queryapi.h"
#include "model/guardedjob.h"

#include <QAbstractHttpServer>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QUrlQuery>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

using HttpStatus = QHttpServerResponder::StatusCode;

namespace {

enum class Encoding { Protobuf, Json };

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

QByteArray contentTypeOf(Encoding encoding)
{
    return encoding == Encoding::Json ? QByteArrayLiteral("application/json")
                                      : QByteArrayLiteral("application/x-protobuf");
}

// Bytes a request may carry beyond its body limit: request line and headers.
constexpr qint64 HeaderAllowance = 64 * 1024;
const char* const BytesSinceRequestProperty = "spanscope_bytesSinceRequest";
const char* const RefusedProperty = "spanscope_refused";
// After a 413 the rest of the body is read and dropped for a while, so the client gets to read the answer.
constexpr qint64 MaxDrainBytes = qint64(1024) * 1024 * 1024;
constexpr int DrainTimeoutMs = 10000;
// Query API reads run here; two threads keep one slow read (a large trace) from queueing every other query.
constexpr int QueryThreads = 2;

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return QByteArrayLiteral("GET");
    case QHttpServerRequest::Method::Put:
        return QByteArrayLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QByteArrayLiteral("DELETE");
    case QHttpServerRequest::Method::Post:
        return QByteArrayLiteral("POST");
    case QHttpServerRequest::Method::Head:
        return QByteArrayLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QByteArrayLiteral("OPTIONS");
    case QHttpServerRequest::Method::Patch:
        return QByteArrayLiteral("PATCH");
    case QHttpServerRequest::Method::Connect:
        return QByteArrayLiteral("CONNECT");
    case QHttpServerRequest::Method::Trace:
        return QByteArrayLiteral("TRACE");
    default:
        return QByteArrayLiteral("UNKNOWN");
    }
}

/**
 * QtHttpServer buffers a whole request body before a handler sees it. This server sees every socket first and
 * counts the bytes that arrive since the connection's last complete request, so a body past the limit is
 * refused with 413 while it streams in, instead of being held in memory whole.
 */
class GuardedTcpServer : public QTcpServer {
public:
    GuardedTcpServer(qint64 maxRequestBytes, QObject* parent)
        : QTcpServer(parent)
        , m_maxRequestBytes(maxRequestBytes)
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto* socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        // Replies go out as several small writes (status line, headers, body): without TCP_NODELAY, Nagle's
        // algorithm holds the last one until the client's delayed ACK, ~40 ms per request on Linux.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // Connected before QtHttpServer's own handler, so this runs first on every readyRead.
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            if (socket->property(RefusedProperty).toBool()) {
                // Already answered 413: drain what the client still sends, so it can read the answer.
                const qint64 drained = socket->property(BytesSinceRequestProperty).toLongLong() + socket->bytesAvailable();
                socket->setProperty(BytesSinceRequestProperty, drained);
                socket->skip(socket->bytesAvailable());
                if (drained > MaxDrainBytes)
                    socket->abort();
                return;
            }
            const qint64 seen = socket->property(BytesSinceRequestProperty).toLongLong() + socket->bytesAvailable();
            socket->setProperty(BytesSinceRequestProperty, seen);
            if (seen <= m_maxRequestBytes + HeaderAllowance)
                return;
            qCWarning(lcIngest) << "refusing a request of more than" << m_maxRequestBytes << "bytes from"
                                << socket->peerAddress();
            const QByteArray body = QByteArrayLiteral("request body exceeds the limit of ")
                + QByteArray::number(m_maxRequestBytes) + QByteArrayLiteral(" bytes");
            socket->write(QByteArrayLiteral("HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\n"
                                            "Connection: close\r\nContent-Length: ")
                          + QByteArray::number(body.size()) + QByteArrayLiteral("\r\n\r\n") + body);
            socket->setProperty(RefusedProperty, true);
            socket->setProperty(BytesSinceRequestProperty, qint64(0));
            socket->skip(socket->bytesAvailable()); // never reaches QtHttpServer's parser
            QTimer::singleShot(DrainTimeoutMs, socket, [socket] { socket->disconnectFromHost(); });
        });
        addPendingConnection(socket);
    }

private:
    qint64 m_maxRequestBytes;
};

} // namespace

/// The QtHttpServer front end; lives on the receiver thread.
class ReceiverServer : public QAbstractHttpServer {
public:
    ReceiverServer(IngestPipeline* pipeline, TraceStore* queryStore, qint64 maxBodyBytes, const QByteArray& apiKey,
                   OtlpHttpReceiver* owner)
        : m_pipeline(pipeline)
        , m_maxBodyBytes(maxBodyBytes)
        , m_expectedAuthorization(apiKey.isEmpty() ? QByteArray() : QByteArray("Bearer ") + apiKey)
        , m_owner(owner)
    {
        setQueryStore(queryStore);
        m_queryPool.setMaxThreadCount(QueryThreads);
    }

    void setQueryStore(TraceStore* store)
    {
        m_queryStore = store;
        m_queryApi = std::make_shared<const QueryApi>(store);
    }

    bool listenOn(const QHostAddress& address, quint16 port, quint16* boundPort, QString* error)
    {
        auto* tcp = new GuardedTcpServer(m_maxBodyBytes, this);
        if (!tcp->listen(address, port)) {
            *error = tcp->errorString();
            delete tcp;
            return false;
        }
        *boundPort = tcp->serverPort();
        m_tcp = tcp;
        bind(tcp);
        return true;
    }

    void stopListening()
    {
        if (m_tcp)
            m_tcp->close();
    }

    int pendingReplies() const { return m_pendingReplies; }

    std::atomic<qint64> accepted { 0 };
    std::atomic<qint64> rejected { 0 };

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override
    {
        socket->setProperty(BytesSinceRequestProperty, qint64(0));
        const QString path = request.url().path();
        const bool guarded = path.startsWith(QLatin1String("/v1/")) || path.startsWith(QLatin1String("/api/v1/"))
            || path == QLatin1String("/api/v1");
        if (guarded && !authorized(request)) {
            auto responder = makeResponder(request, socket);
            fail(responder, HttpStatus::Unauthorized, "text/plain",
                 QStringLiteral("missing or wrong API key: send Authorization: Bearer KEY"),
                 { { "WWW-Authenticate", "Bearer" } });
            return true;
        }
        if (path == QLatin1String("/v1/traces")) {
            if (request.method() != QHttpServerRequest::Method::Post) {
                auto responder = makeResponder(request, socket);
                fail(responder, HttpStatus::MethodNotAllowed, "text/plain",
                     QStringLiteral("use POST for /v1/traces"), { { "Allow", "POST" } });
                return true;
            }
            handleTraces(request, socket);
            return true;
        }
        if (path == QLatin1String("/healthz")) {
            auto responder = makeResponder(request, socket);
            if (request.method() != QHttpServerRequest::Method::Get
                && request.method() != QHttpServerRequest::Method::Head) {
                fail(responder, HttpStatus::MethodNotAllowed, "text/plain",
                     QStringLiteral("use GET for /healthz"), { { "Allow", "GET" } });
                return true;
            }
            if (!m_expectedAuthorization.isEmpty() && !authorized(request)) {
                // Open to probes, but without a key it tells nothing about the store or the traffic.
                const QByteArray body = QByteArrayLiteral("{\"status\":\"ok\"}");
                responder.writeStatusLine(HttpStatus::Ok);
                responder.writeHeader("Content-Type", "application/json");
                responder.writeHeader("Content-Length", QByteArray::number(body.size()));
                responder.writeBody(request.method() == QHttpServerRequest::Method::Head ? QByteArray() : body);
                return true;
            }
            QJsonObject health { { QStringLiteral("status"), QStringLiteral("ok") },
                                 { QStringLiteral("store"), m_pipeline->store()->description() },
                                 { QStringLiteral("query_store"),
                                   m_queryStore ? QJsonValue(m_queryStore->description()) : QJsonValue() },
                                 { QStringLiteral("queue_bytes"), m_pipeline->queuedBytes() },
                                 { QStringLiteral("spans_written"), m_pipeline->spansWritten() },
                                 { QStringLiteral("requests_accepted"), accepted.load() },
                                 { QStringLiteral("requests_rejected"), rejected.load() },
                                 { QStringLiteral("replies_pending"), m_pendingReplies } };
            if (const QJsonObject worker = m_pipeline->status(); !worker.isEmpty()) // worker mode's coordinator
                health.insert(QStringLiteral("worker"), worker);
            const QByteArray body = QJsonDocument(health).toJson(QJsonDocument::Compact);
            responder.writeStatusLine(HttpStatus::Ok);
            responder.writeHeader("Content-Type", "application/json");
            responder.writeHeader("Content-Length", QByteArray::number(body.size()));
            // A HEAD reply has no body, or keep-alive breaks; writeBody also ends the header block.
            responder.writeBody(request.method() == QHttpServerRequest::Method::Head ? QByteArray() : body);
            return true;
        }
        if (QueryApi::handles(path)) {
            handleQuery(request, socket);
            return true;
        }
        return false; // -> missingHandler: 404
    }

    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override
    {
        socket->setProperty(BytesSinceRequestProperty, qint64(0));
        auto responder = makeResponder(request, socket);
        fail(responder, HttpStatus::NotFound, "text/plain",
             QStringLiteral("no such path: ") + request.url().path());
    }

private:
    /// True when no key is configured or the request's Authorization header carries it; constant time in the
    /// header's content (no early exit on the first differing byte).
    bool authorized(const QHttpServerRequest& request) const
    {
        if (m_expectedAuthorization.isEmpty())
            return true;
        const QByteArray given = request.value("authorization").trimmed();
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

    void fail(QHttpServerResponder& responder, HttpStatus status, const QByteArray& mime, const QString& message,
              QHttpServerResponder::HeaderList extraHeaders = {})
    {
        ++rejected;
        writeError(responder, status, mime, message.toUtf8(), message, extraHeaders);
    }
    void writeError(QHttpServerResponder& responder, HttpStatus status, const QByteArray& mime,
                    const QByteArray& body, const QString& reason, QHttpServerResponder::HeaderList extraHeaders)
    {
        qCDebug(lcIngest) << "answering" << int(status) << reason;
        responder.writeStatusLine(status);
        responder.writeHeader("Content-Type", mime);
        responder.writeHeader("Content-Length", QByteArray::number(body.size()));
        for (const auto& h : extraHeaders)
            responder.writeHeader(h.first, h.second);
        responder.writeBody(body);
        Q_EMIT m_owner->requestFailed(int(status), reason);
    }
    void failStatus(QHttpServerResponder& responder, Encoding enc, HttpStatus status, int rpcCode,
                    const QString& message, QHttpServerResponder::HeaderList extraHeaders = {})
    {
        ++rejected;
        writeError(responder, status, contentTypeOf(enc), statusBody(enc, rpcCode, message), message, extraHeaders);
    }

    // Store reads block: they run on m_queryPool and the reply is written from this thread when they finish, as
    // the POST path does after commit.
    void handleQuery(const QHttpServerRequest& request, QTcpSocket* socket)
    {
        auto held = std::make_shared<QHttpServerResponder>(makeResponder(request, socket));
        QPointer<QTcpSocket> guard(socket);
        const bool head = request.method() == QHttpServerRequest::Method::Head;
        QueryApi::Request query;
        query.method = methodName(request.method());
        query.path = request.url().path();
        const auto items = request.query().queryItems(QUrl::FullyDecoded);
        for (const auto& item : items)
            query.query.append({ item.first, item.second });
        ++m_pendingReplies;
        GuardedJob::deliver(
            GuardedJob::run(&m_queryPool, [api = m_queryApi, query] { return api->handle(query); }), this,
            [this, held, guard, head](const QueryApi::Response& response) {
                --m_pendingReplies;
                if (!guard)
                    return;
                held->writeStatusLine(HttpStatus(response.status));
                for (const auto& [name, value] : response.headers)
                    held->writeHeader(name, value);
                held->writeHeader("Content-Length", QByteArray::number(response.body.size()));
                held->writeBody(head ? QByteArray() : response.body);
                if (response.status >= 400) {
                    const QString reason = QJsonDocument::fromJson(response.body)
                                               .object()
                                               .value(QLatin1String("error"))
                                               .toString();
                    qCDebug(lcIngest) << "answering" << response.status << reason;
                    Q_EMIT m_owner->requestFailed(response.status, reason);
                }
            });
    }

    void handleTraces(const QHttpServerRequest& request, QTcpSocket* socket)
    {
        auto responder = makeResponder(request, socket);
        const QByteArray type = mediaType(request.value("content-type"));
        Encoding enc;
        if (type == "application/x-protobuf" || type == "application/protobuf")
            enc = Encoding::Protobuf;
        else if (type == "application/json")
            enc = Encoding::Json;
        else {
            fail(responder, HttpStatus::UnsupportedMediaType, "text/plain",
                 QStringLiteral("unsupported Content-Type \"%1\": use application/x-protobuf or application/json")
                     .arg(QString::fromLatin1(type)));
            return;
        }

        const QByteArray wire = request.body();
        if (wire.size() > m_maxBodyBytes) {
            failStatus(responder, enc, HttpStatus::PayloadTooLarge, RpcResourceExhausted,
                       QStringLiteral("request body of %1 bytes exceeds the limit of %2 bytes")
                           .arg(wire.size())
                           .arg(m_maxBodyBytes));
            return;
        }
        const QByteArray encoding = request.value("content-encoding").trimmed().toLower();
        if (!encoding.isEmpty() && encoding != "identity" && encoding != "gzip") {
            fail(responder, HttpStatus::UnsupportedMediaType, "text/plain",
                 QStringLiteral("unsupported Content-Encoding \"%1\": use gzip or none")
                     .arg(QString::fromLatin1(encoding)));
            return;
        }

        // Inflating, decoding and preparing take far longer than HTTP parsing: they run on the worker pool, so the
        // receiver thread keeps reading requests and sending replies, and both cores share that work.
        auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
        QPointer<QTcpSocket> guard(socket);
        ++m_pendingReplies;
        const QString peer = request.remoteAddress().toString();
        GuardedJob::start(&m_workers, this, [pipeline = m_pipeline, maxBody = m_maxBodyBytes, wire, encoding, enc, peer] {
            return decodeAndSubmit(pipeline, maxBody, wire, encoding, enc, peer);
        }, [this, held, guard, enc](Decision d) {
            if (d.status != HttpStatus::Ok || !d.write) {
                --m_pendingReplies;
                if (!guard)
                    return;
                if (d.status == HttpStatus::Ok) {
                    ++accepted; // nothing to store (e.g. every span invalid): answered at once
                    held->write(d.okBody, contentTypeOf(enc));
                } else if (d.status == HttpStatus::ServiceUnavailable) {
                    failStatus(*held, enc, d.status, d.rpcCode, d.message, { { "Retry-After", "1" } });
                } else {
                    failStatus(*held, enc, d.status, d.rpcCode, d.message);
                }
                return;
            }
            // Acknowledge only after commit: keep the responder until the writer has finished this item.
            GuardedJob::deliver(*d.write, this, [this, held, guard, enc, okBody = d.okBody](const WriteResult& result) {
                --m_pendingReplies;
                if (!guard)
                    return; // client went away; the data is committed (or not) regardless
                if (result.ok) {
                    ++accepted;
                    held->write(okBody, contentTypeOf(enc));
                } else {
                    failStatus(*held, enc, HttpStatus::ServiceUnavailable, RpcUnavailable,
                               QStringLiteral("store write failed: ") + result.error, { { "Retry-After", "5" } });
                }
            }, [this] { --m_pendingReplies; }); // the pipeline went away first: no reply can be owed any more
        });
    }

    /// What a worker decided about one request: an error to answer, or the future of its write.
    struct Decision {
        HttpStatus status = HttpStatus::Ok;
        int rpcCode = 0;
        QString message;
        QByteArray okBody;
        std::optional<QFuture<WriteResult>> write;
    };

    // Runs on the worker pool: touches no socket and no member of the server.
    static Decision decodeAndSubmit(IngestPipeline* pipeline, qint64 maxBodyBytes, const QByteArray& wire,
                                    const QByteArray& encoding, Encoding enc, const QString& peer)
    {
        Decision d;
        QByteArray body;
        if (encoding == "gzip") {
            QString error;
            switch (Gzip::inflate(wire, maxBodyBytes, &body, &error)) {
            case Gzip::Status::Ok:
                break;
            case Gzip::Status::TooLarge:
                d.status = HttpStatus::PayloadTooLarge;
                d.rpcCode = RpcResourceExhausted;
                d.message = QStringLiteral("inflated request body exceeds the limit of %1 bytes").arg(maxBodyBytes);
                return d;
            case Gzip::Status::Corrupt:
                d.status = HttpStatus::BadRequest;
                d.rpcCode = RpcInvalidArgument;
                d.message = QStringLiteral("Content-Encoding is gzip but the body is not valid gzip: ") + error;
                return d;
            }
        } else {
            body = wire;
        }

        DecodeResult decoded = enc == Encoding::Json ? OtlpJsonCodec::decodeRequest(body)
                                                     : OtlpProtobufCodec::decodeRequest(body);
        if (!decoded.ok) {
            d.status = HttpStatus::BadRequest;
            d.rpcCode = RpcInvalidArgument;
            d.message = QStringLiteral("malformed %1 ExportTraceServiceRequest: %2")
                            .arg(enc == Encoding::Json ? QStringLiteral("OTLP/JSON") : QStringLiteral("OTLP protobuf"),
                                 decoded.error);
            return d;
        }
        const qint64 rejectedSpans = decoded.batch.rejectedSpans;
        const QString rejectionMessage = decoded.batch.rejectionMessage;
        if (rejectedSpans > 0)
            qCWarning(lcIngest).noquote() << "rejected" << rejectedSpans << "spans from" << peer << rejectionMessage;
        d.okBody = enc == Encoding::Json ? OtlpJsonCodec::encodeResponse(rejectedSpans, rejectionMessage)
                                         : OtlpProtobufCodec::encodeResponse(rejectedSpans, rejectionMessage);
        if (decoded.batch.spans.empty())
            return d; // nothing is owed to the store

        IngestItem item;
        item.payload.body = body;
        item.payload.contentType = QString::fromLatin1(contentTypeOf(enc));
        item.payload.contentEncoding = QString::fromLatin1(encoding == "identity" ? QByteArray() : encoding);
        item.payload.wireSize = wire.size();
        item.payload.receivedAtUnixNano = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000000ULL;
        item.payload.peer = peer;
        item.payload.spanCount = static_cast<qint64>(decoded.batch.spans.size());
        item.batch = std::move(decoded.batch);
        d.write = pipeline->submit(std::move(item), wire.size() + body.size());
        if (!d.write) {
            d.status = HttpStatus::ServiceUnavailable;
            d.rpcCode = RpcUnavailable;
            d.message = QStringLiteral("ingest queue is full or shutting down; retry later");
        }
        return d;
    }

    IngestPipeline* m_pipeline;
    qint64 m_maxBodyBytes;
    QByteArray m_expectedAuthorization; ///< "Bearer KEY", empty without a key
    OtlpHttpReceiver* m_owner;
    QPointer<QTcpServer> m_tcp;
    int m_pendingReplies = 0;
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
    m_server = new ReceiverServer(m_pipeline, m_queryStore, m_options.maxBodyBytes, m_options.apiKey, this);
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
    // Let queued socket writes leave before the thread goes.
    QMetaObject::invokeMethod(
        m_server,
        [this] {
            for (QTcpSocket* s : m_server->findChildren<QTcpSocket*>())
                s->flush();
        },
        Qt::BlockingQueuedConnection);
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
