#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class IngestPipeline;
class QThread;
class ReceiverServer;
class TraceStore;

/**
 * The embedded OTLP/HTTP receiver (OTLP spec, "OTLP/HTTP"): `POST /v1/traces` and `POST /v1/logs` with
 * `application/x-protobuf` or `application/json` bodies, `Content-Length` or chunked, optionally
 * `Content-Encoding: gzip`; plus `GET /healthz` (JSON: status, store, query store, queued bytes, request counts) and
 * the read-only query API under `/api/v1/` (QueryApi, docs/query-api.md), whose store reads run on a small thread
 * pool of their own so they never hold up the receiver thread or the decoders.
 *
 * HTTP/1.1 is spoken by libmicrohttpd (docs/architecture.md says why not QtHttpServer): keep-alive with pipelined
 * requests answered in order, `Expect: 100-continue` answered at once (or with the refusal, before the body is sent),
 * a request whose body does not arrive whole is dropped unread (nothing of it is stored), connections idle or
 * half-sent for Options::idleTimeoutSeconds are closed, at most Options::maxConnections are open at once (more are
 * closed on accept), and the listen backlog is 4096 (capped by the kernel's net.core.somaxconn).
 *
 * `POST /v1/metrics` is answered 200 with every data point rejected (metrics are not stored; OtlpExport).
 * Replies: 200 with ExportTraceServiceResponse (ExportLogsServiceResponse) in the request's encoding (with
 * partial_success when spans or log records were rejected), sent only after they are committed by the IngestPipeline; 400 (malformed body, with a
 * google.rpc.Status naming what is wrong), 401 (Options::apiKey set and the request lacks it), 404, 405, 413 (body or inflated body over maxBodyBytes), 415
 * (other content type or encoding), 503 with Retry-After (queue full, store failing, shutting down).
 *
 * Threading: libmicrohttpd parses HTTP on its own thread; replies are computed on the receiver QThread (and its
 * decode and query pools); the object itself belongs to the thread that created it
 * and start()/stop() must be called from there.
 */
class OtlpHttpReceiver : public QObject {
    Q_OBJECT
public:
    struct Options {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 4318; ///< 0 picks a free port
        qint64 maxBodyBytes = qint64(16) * 1024 * 1024; ///< limit on the body and on its inflated size, bytes
        /// When set, every request to /v1/* and /api/v1/* must carry `Authorization: Bearer <apiKey>` (compared in
        /// constant time), else 401 with `WWW-Authenticate: Bearer`; /healthz then answers only its status.
        QByteArray apiKey;
        /// A connection that sends nothing for this long (idle keep-alive, half-sent headers or body) is closed,
        /// seconds. A request waiting for its commit is not affected.
        int idleTimeoutSeconds = 30;
        /// Connections open at once; 0 derives it from the descriptor limit (RLIMIT_NOFILE, raised to its hard
        /// limit, minus 256 kept for the store and files).
        unsigned maxConnections = 0;
    };

    explicit OtlpHttpReceiver(IngestPipeline* pipeline, const Options& options, QObject* parent = nullptr);
    ~OtlpHttpReceiver() override;

    /// Binds and starts serving. Returns false with *error set (e.g. "127.0.0.1:4318: address already in use").
    bool start(QString* error);
    /**
     * Stops accepting connections, lets the pipeline commit what was accepted, sends the replies still owed
     * (waiting at most `replyGraceMs`), then stops the server thread. Idempotent.
     */
    void stop(int replyGraceMs = 2000);

    /**
     * The store the query API reads (default: the pipeline's store). nullptr turns the API off (404). The store
     * must outlive the receiver. May be called before or after start(), from the receiver's owning thread.
     */
    void setQueryStore(TraceStore* store);
    TraceStore* queryStore() const { return m_queryStore; }

    /**
     * The OTLP/gRPC receiver's "host:port" that GET /healthz names beside this one's (`otlp_grpc`); empty (the
     * default) says it is off. Call from the owning thread, before or after start().
     */
    void setGrpcListenAddress(const QString& hostPort);

    quint16 port() const { return m_port; }
    /// "127.0.0.1:4318"
    QString listenAddress() const;
    /// OTLP export requests (POST /v1/traces) answered 200, and those answered with an error.
    qint64 requestsAccepted() const;
    qint64 requestsRejected() const;

Q_SIGNALS:
    /// A request (OTLP or query API) was answered with an error status (4xx/5xx); emitted from the receiver thread
    /// or libmicrohttpd's (connect with a queued connection).
    void requestFailed(int httpStatus, const QString& reason);

private:
    IngestPipeline* m_pipeline;
    TraceStore* m_queryStore;
    Options m_options;
    quint16 m_port = 0;
    QString m_grpcListenAddress;
    QThread* m_thread = nullptr;
    ReceiverServer* m_server = nullptr;
};
