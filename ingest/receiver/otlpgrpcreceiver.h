#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

class IngestPipeline;

/**
 * The embedded OTLP/gRPC receiver (OTLP spec, "OTLP/gRPC"), on 127.0.0.1:4317 by default:
 * `opentelemetry.proto.collector.trace.v1.TraceService/Export` stores spans and `...logs.v1.LogsService/Export`
 * log records through the IngestPipeline, and
 * `...metrics.v1.MetricsService/Export` is answered OK with every data point rejected (partial success with a
 * message saying metrics are not stored), so SDKs that export metrics by default do not log failures forever.
 *
 * Served by gRPC C++ (Debian 12's libgrpc++, 1.51) with the callback API: a request waiting for its commit holds
 * no thread. Replies, by the specification's "Failures" rules:
 * - OK with Export*ServiceResponse (partial_success for rejected spans) only after the spans are committed
 *   (SQLite) or queued durably (worker mode), exactly like OTLP/HTTP's 200;
 * - INVALID_ARGUMENT with the reason for a message that does not decode;
 * - UNAVAILABLE with a google.rpc.RetryInfo detail (grpc-status-details-bin) when the ingest queue is full, the
 *   store fails or the receiver is shutting down: the SDK retries;
 * - UNAUTHENTICATED when Options::apiKey is set and the `authorization` metadata is not `Bearer <apiKey>`;
 * - RESOURCE_EXHAUSTED (from gRPC itself) for a message, or its inflated form, over Options::maxMessageBytes.
 * Request compression (`grpc-encoding: gzip`, deflate) is undone by gRPC.
 *
 * Threading: gRPC's threads take the calls and decode them (CPU work that never waits: a full ingest queue is
 * refused at once); a call with something to store is answered by its commit's continuation on the IngestPipeline's
 * writer thread, every other call on the gRPC thread that took it. Those threads touch no QObject but through a
 * shared, mutex-guarded outcome record that stop() detaches. The object belongs to the thread that created it;
 * start() and stop() must be called from there.
 */
class OtlpGrpcReceiver : public QObject {
    Q_OBJECT
public:
    struct Options {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 4317; ///< 0 picks a free port
        /// Largest request message, bytes, before and after gRPC inflates it (the HTTP receiver's body limit).
        qint64 maxMessageBytes = qint64(16) * 1024 * 1024;
        /// When set, every call must carry the metadata `authorization: Bearer <apiKey>` (compared in constant
        /// time), else UNAUTHENTICATED.
        QByteArray apiKey;
    };

    explicit OtlpGrpcReceiver(IngestPipeline* pipeline, const Options& options, QObject* parent = nullptr);
    ~OtlpGrpcReceiver() override; ///< stop()s

    /// Binds and starts serving. Returns false with *error set, e.g. "127.0.0.1:4317: Address already in use".
    bool start(QString* error);
    /**
     * Refuses new calls (UNAVAILABLE), lets the pipeline commit what was accepted, finishes the calls still owed
     * (waiting at most `replyGraceMs`; later ones get UNAVAILABLE), then shuts gRPC down. Idempotent.
     */
    void stop(int replyGraceMs = 2000);

    quint16 port() const { return m_port; }
    /// "127.0.0.1:4317" ("[::1]:4317" for IPv6).
    QString listenAddress() const;
    /// Export calls answered OK, and those answered with an error status. Any thread.
    qint64 requestsAccepted() const;
    qint64 requestsRejected() const;

Q_SIGNALS:
    /// A call was answered with an error status (gRPC status code, e.g. 3 INVALID_ARGUMENT); emitted from gRPC's
    /// threads or the pipeline's writer thread, never after stop() returned (connect with a queued connection).
    void requestFailed(int grpcStatus, const QString& reason);

private:
    struct Impl;
    IngestPipeline* m_pipeline;
    Options m_options;
    quint16 m_port = 0;
    qint64 m_stoppedAccepted = 0;
    qint64 m_stoppedRejected = 0;
    std::unique_ptr<Impl> d;
};
