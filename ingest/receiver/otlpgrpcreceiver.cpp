#include "ingest/receiver/otlpgrpcreceiver.h"

#include "ingest/ingestlogging.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlpexport.h"
#include "model/guardedjob.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QThread>
#include <QThreadPool>
#include <QUrl>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <grpc/support/log.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <vector>

// gRPC C++'s own log lines (gpr_log), e.g. the details of a failed bind that start() already reports in one line.
// Off by default; QT_LOGGING_RULES="spanscope.grpc.debug=true" shows them.
Q_LOGGING_CATEGORY(lcGrpc, "spanscope.grpc", QtWarningMsg)

namespace {

void grpcLog(gpr_log_func_args* args)
{
    qCDebug(lcGrpc).noquote() << gpr_log_severity_string(args->severity) << args->file << args->line << args->message;
}

namespace pbtrace = opentelemetry::proto::collector::trace::v1;
namespace pbmetrics = opentelemetry::proto::collector::metrics::v1;
namespace pblogs = opentelemetry::proto::collector::logs::v1;

// How long an UNAVAILABLE answer asks the SDK to wait before it retries (google.rpc.RetryInfo.retry_delay), s.
constexpr int RetryDelaySeconds = 1;
constexpr int StoreFailureRetryDelaySeconds = 5;

/// A length-delimited field of a protobuf message: tag, length, bytes.
void writeBytesField(google::protobuf::io::CodedOutputStream& out, int field, const std::string& bytes)
{
    out.WriteTag(static_cast<quint32>((field << 3) | 2));
    out.WriteVarint32(static_cast<quint32>(bytes.size()));
    out.WriteString(bytes);
}

template <typename Write> std::string encodeMessage(Write write)
{
    std::string out;
    {
        google::protobuf::io::StringOutputStream stream(&out);
        google::protobuf::io::CodedOutputStream coded(&stream);
        write(coded);
    }
    return out;
}

/**
 * The serialized google.rpc.Status {code, message, details: [Any(google.rpc.RetryInfo {retry_delay: seconds})]}
 * that gRPC sends as `grpc-status-details-bin`: the OTLP spec's way of telling the client when to retry.
 */
std::string retryStatusDetails(grpc::StatusCode code, const std::string& message, int retrySeconds)
{
    const std::string duration = encodeMessage([&](auto& out) { // google.protobuf.Duration {seconds = 1}
        out.WriteTag((1 << 3) | 0);
        out.WriteVarint64(static_cast<quint64>(retrySeconds));
    });
    const std::string retryInfo = encodeMessage([&](auto& out) { writeBytesField(out, 1, duration); });
    const std::string any = encodeMessage([&](auto& out) {
        writeBytesField(out, 1, "type.googleapis.com/google.rpc.RetryInfo");
        writeBytesField(out, 2, retryInfo);
    });
    return encodeMessage([&](auto& out) {
        out.WriteTag((1 << 3) | 0);
        out.WriteVarint32SignExtended(static_cast<int>(code));
        writeBytesField(out, 2, message);
        writeBytesField(out, 3, any);
    });
}

grpc::Status unavailable(const QString& message, int retrySeconds)
{
    const std::string text = message.toStdString();
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, text,
                        retryStatusDetails(grpc::StatusCode::UNAVAILABLE, text, retrySeconds));
}

QByteArray toByteArray(const grpc::ByteBuffer& buffer)
{
    std::vector<grpc::Slice> slices;
    QByteArray out;
    if (!buffer.Dump(&slices).ok())
        return out;
    out.reserve(static_cast<qsizetype>(buffer.Length()));
    for (const grpc::Slice& slice : slices)
        out.append(reinterpret_cast<const char*>(slice.begin()), static_cast<qsizetype>(slice.size()));
    return out;
}

/// gRPC's peer URI ("ipv4:127.0.0.1:5555", "ipv6:%5B::1%5D:5555") as "host:port".
QString peerOf(const grpc::CallbackServerContext* context)
{
    QString peer = QUrl::fromPercentEncoding(QByteArray::fromStdString(context->peer()));
    for (const char* scheme : { "ipv4:", "ipv6:" })
        if (peer.startsWith(QLatin1String(scheme)))
            return peer.mid(int(std::strlen(scheme)));
    return peer;
}

/// Why binding `address:port` fails, as the kernel says it ("Address already in use"), or empty when it would not.
QString bindProblem(const QHostAddress& address, quint16 port)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return QString::fromLocal8Bit(std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc;
    if (v6) {
        sockaddr_in6 sa {};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sa.sin6_addr, a.c, sizeof a.c);
        rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else {
        sockaddr_in sa {};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(address.toIPv4Address());
        rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    const int bindErrno = errno;
    ::close(fd);
    return rc == 0 ? QString() : QString::fromLocal8Bit(std::strerror(bindErrno));
}

class CallRegistry;

/**
 * One export call from its arrival to Finish. Finished exactly once: by the answer, by stop() (UNAVAILABLE), or,
 * when the last holder lets go without an answer (the receiver thread went away with the delivery), by the
 * destructor, so gRPC never waits for a call nobody will answer.
 */
class Call {
public:
    Call(grpc::ServerUnaryReactor* reactor, grpc::ByteBuffer* response, std::shared_ptr<CallRegistry> registry);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    /// Sets the response message (when OK) and finishes; later calls do nothing. Any thread.
    void finish(const grpc::Status& status, const QByteArray& responseMessage = {});

    OtlpExport::Request request; ///< all but `wire`, which the worker copies out of `message`
    grpc::ByteBuffer message; ///< the request message: a reference to gRPC's slices, copied on a worker

private:
    friend class CallRegistry;
    grpc::ServerUnaryReactor* m_reactor;
    grpc::ByteBuffer* m_response;
    std::shared_ptr<CallRegistry> m_registry;
    std::atomic<bool> m_finished { false };
};
using CallPtr = std::shared_ptr<Call>;

/// The calls not finished yet, so that stop() can wait for them and answer the rest. Thread-safe.
class CallRegistry {
public:
    void add(Call* call)
    {
        std::lock_guard lock(m_mutex);
        m_calls.insert(call);
    }
    void remove(Call* call)
    {
        std::lock_guard lock(m_mutex);
        m_calls.erase(call);
    }
    int pending() const
    {
        std::lock_guard lock(m_mutex);
        return int(m_calls.size());
    }
    /// Finishes every pending call with `status`. The reactors stay valid until finished, the Call objects may not.
    void finishAll(const grpc::Status& status)
    {
        std::vector<grpc::ServerUnaryReactor*> reactors;
        {
            std::lock_guard lock(m_mutex);
            for (Call* call : m_calls)
                if (!call->m_finished.exchange(true))
                    reactors.push_back(call->m_reactor);
            m_calls.clear();
        }
        for (grpc::ServerUnaryReactor* reactor : reactors)
            reactor->Finish(status);
    }

private:
    mutable std::mutex m_mutex;
    std::set<Call*> m_calls;
};

Call::Call(grpc::ServerUnaryReactor* reactor, grpc::ByteBuffer* response, std::shared_ptr<CallRegistry> registry)
    : m_reactor(reactor)
    , m_response(response)
    , m_registry(std::move(registry))
{
    m_registry->add(this);
}

Call::~Call()
{
    finish(unavailable(QStringLiteral("the receiver is shutting down"), RetryDelaySeconds));
}

void Call::finish(const grpc::Status& status, const QByteArray& responseMessage)
{
    if (m_finished.exchange(true))
        return;
    m_registry->remove(this);
    if (status.ok()) {
        grpc::Slice slice(responseMessage.constData(), static_cast<size_t>(responseMessage.size()));
        *m_response = grpc::ByteBuffer(&slice, 1);
    }
    m_reactor->Finish(status);
}

} // namespace

/// Lives on the receiver thread: takes calls from gRPC's threads, decodes on the worker pool, answers after commit.
class GrpcReceiverCore : public QObject {
public:
    GrpcReceiverCore(IngestPipeline* pipeline, qint64 maxMessageBytes, OtlpGrpcReceiver* owner)
        : m_pipeline(pipeline)
        , m_maxMessageBytes(maxMessageBytes)
        , m_owner(owner)
    {
        m_workers.setObjectName(QStringLiteral("otlp-grpc-decode"));
        m_workers.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
    }
    ~GrpcReceiverCore() override { m_workers.waitForDone(); }

    void handle(const CallPtr& call)
    {
        GuardedJob::start(&m_workers, this,
            [pipeline = m_pipeline, maxBytes = m_maxMessageBytes, request = call->request,
             message = call->message]() mutable {
                request.wire = toByteArray(message); // here, not on gRPC's I/O thread
                message.Clear();
                return OtlpExport::decodeAndSubmit(pipeline, request, maxBytes);
            },
            [this, call](OtlpExport::Decision d) {
                using OtlpExport::Outcome;
                switch (d.outcome) {
                case Outcome::Ok:
                    break;
                case Outcome::BadRequest:
                    fail(call, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, d.message.toStdString()), d.message);
                    return;
                case Outcome::TooLarge:
                    fail(call, grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, d.message.toStdString()), d.message);
                    return;
                case Outcome::Unavailable:
                    fail(call, unavailable(d.message, RetryDelaySeconds), d.message);
                    return;
                }
                if (!d.write) {
                    ++accepted;
                    call->finish(grpc::Status::OK, d.okBody);
                    return;
                }
                // Acknowledge only after commit, like OTLP/HTTP; the call holds no thread meanwhile.
                GuardedJob::deliver(*d.write, this, [this, call, okBody = d.okBody](const WriteResult& result) {
                    if (result.ok) {
                        ++accepted;
                        call->finish(grpc::Status::OK, okBody);
                        return;
                    }
                    const QString why = QStringLiteral("store write failed: ") + result.error;
                    fail(call, unavailable(why, StoreFailureRetryDelaySeconds), why);
                }, [this, call] {
                    const QString why = QStringLiteral("the receiver is shutting down");
                    fail(call, unavailable(why, RetryDelaySeconds), why);
                });
            });
    }

    void fail(const CallPtr& call, const grpc::Status& status, const QString& why)
    {
        ++rejected;
        call->finish(status);
        Q_EMIT m_owner->requestFailed(int(status.error_code()), why);
    }

    std::atomic<qint64> accepted { 0 };
    std::atomic<qint64> rejected { 0 };

private:
    IngestPipeline* m_pipeline;
    qint64 m_maxMessageBytes;
    OtlpGrpcReceiver* m_owner;
    QThreadPool m_workers; // decode + prepare; declared last so it drains first
};

namespace {

/// What every export service does with a call: check, then hand it to the core on the receiver thread.
class CallIntake {
public:
    CallIntake(QByteArray expectedAuthorization, std::shared_ptr<CallRegistry> registry)
        : m_expectedAuthorization(std::move(expectedAuthorization))
        , m_registry(std::move(registry))
    {
    }

    void setCore(GrpcReceiverCore* core) { m_core = core; }
    void quiesce() { m_quiesced = true; }

    grpc::ServerUnaryReactor* take(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response, OtlpExport::Signal signal)
    {
        grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
        auto call = std::make_shared<Call>(reactor, response, m_registry);
        if (!authorized(*context)) {
            ++m_core->rejected;
            call->finish(grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                                      "missing or wrong API key: send the metadata authorization: Bearer KEY"));
            return reactor;
        }
        if (m_quiesced) {
            ++m_core->rejected;
            call->finish(unavailable(QStringLiteral("the receiver is shutting down"), RetryDelaySeconds));
            return reactor;
        }
        call->request.signal = signal;
        call->request.encoding = OtlpExport::Encoding::Protobuf;
        call->message = *request; // takes references to the slices, copies no bytes
        call->request.peer = peerOf(context);
        // The core outlives every call gRPC hands us: stop() shuts gRPC down before the core goes.
        QMetaObject::invokeMethod(m_core, [core = m_core, call] { core->handle(call); }, Qt::QueuedConnection);
        return reactor;
    }

private:
    /// True when no key is configured or the `authorization` metadata carries it; constant time in its content.
    bool authorized(const grpc::CallbackServerContext& context) const
    {
        if (m_expectedAuthorization.isEmpty())
            return true;
        const auto& metadata = context.client_metadata();
        const auto it = metadata.find("authorization");
        if (it == metadata.end())
            return false;
        const QByteArray given(it->second.data(), static_cast<qsizetype>(it->second.size()));
        if (given.size() != m_expectedAuthorization.size())
            return false;
        unsigned char diff = 0;
        for (qsizetype i = 0; i < given.size(); ++i)
            diff |= static_cast<unsigned char>(given[i] ^ m_expectedAuthorization[i]);
        return diff == 0;
    }

    const QByteArray m_expectedAuthorization;
    std::shared_ptr<CallRegistry> m_registry;
    GrpcReceiverCore* m_core = nullptr;
    std::atomic<bool> m_quiesced { false };
};

class TraceService final : public pbtrace::TraceService::WithRawCallbackMethod_Export<pbtrace::TraceService::Service> {
public:
    explicit TraceService(CallIntake* intake) : m_intake(intake) { }
    grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override
    {
        return m_intake->take(context, request, response, OtlpExport::Signal::Traces);
    }

private:
    CallIntake* m_intake;
};

class LogsService final : public pblogs::LogsService::WithRawCallbackMethod_Export<pblogs::LogsService::Service> {
public:
    explicit LogsService(CallIntake* intake) : m_intake(intake) { }
    grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override
    {
        return m_intake->take(context, request, response, OtlpExport::Signal::Logs);
    }

private:
    CallIntake* m_intake;
};

class MetricsService final
    : public pbmetrics::MetricsService::WithRawCallbackMethod_Export<pbmetrics::MetricsService::Service> {
public:
    explicit MetricsService(CallIntake* intake) : m_intake(intake) { }
    grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override
    {
        return m_intake->take(context, request, response, OtlpExport::Signal::Metrics);
    }

private:
    CallIntake* m_intake;
};

} // namespace

struct OtlpGrpcReceiver::Impl {
    std::shared_ptr<CallRegistry> registry = std::make_shared<CallRegistry>();
    std::unique_ptr<CallIntake> intake;
    std::unique_ptr<TraceService> traces;
    std::unique_ptr<LogsService> logs;
    std::unique_ptr<MetricsService> metrics;
    std::unique_ptr<grpc::Server> server;
    QThread* thread = nullptr;
    GrpcReceiverCore* core = nullptr;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(IngestPipeline* pipeline, const Options& options, QObject* parent)
    : QObject(parent)
    , m_pipeline(pipeline)
    , m_options(options)
{
}

OtlpGrpcReceiver::~OtlpGrpcReceiver()
{
    stop();
}

bool OtlpGrpcReceiver::start(QString* error)
{
    if (d)
        return true;
    static std::once_flag logOnce;
    std::call_once(logOnce, [] { gpr_set_log_function(grpcLog); });
    auto impl = std::make_unique<Impl>();
    const QByteArray expected = m_options.apiKey.isEmpty() ? QByteArray() : "Bearer " + m_options.apiKey;
    impl->intake = std::make_unique<CallIntake>(expected, impl->registry);
    impl->traces = std::make_unique<TraceService>(impl->intake.get());
    impl->logs = std::make_unique<LogsService>(impl->intake.get());
    impl->metrics = std::make_unique<MetricsService>(impl->intake.get());

    impl->thread = new QThread;
    impl->thread->setObjectName(QStringLiteral("otlp-grpc-receiver"));
    impl->core = new GrpcReceiverCore(m_pipeline, m_options.maxMessageBytes, this);
    impl->core->moveToThread(impl->thread);
    QObject::connect(impl->thread, &QThread::finished, impl->core, &QObject::deleteLater);
    impl->intake->setCore(impl->core);
    impl->thread->start();

    const bool v6 = m_options.address.protocol() == QAbstractSocket::IPv6Protocol;
    const QString host = v6 ? QLatin1Char('[') + m_options.address.toString() + QLatin1Char(']')
                            : m_options.address.toString();
    const std::string address = QString(host + QLatin1Char(':') + QString::number(m_options.port)).toStdString();
    const int limit = int(std::min<qint64>(m_options.maxMessageBytes, std::numeric_limits<int>::max()));
    int selectedPort = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selectedPort);
    builder.SetMaxReceiveMessageSize(limit);
    // Two Spanscopes must not share a port silently (gRPC sets SO_REUSEPORT by default).
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    // An OTLP request is large (a 512-span batch is ~200 KiB): a stream window that holds one whole lets the client
    // send it without waiting for window updates (gRPC starts at 64 KiB and grows it only by probing, with pings that
    // then cost a round trip each: off).
    builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024 * 1024);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    builder.RegisterService(impl->traces.get());
    builder.RegisterService(impl->logs.get());
    builder.RegisterService(impl->metrics.get());
    impl->server = builder.BuildAndStart();
    if (!impl->server || selectedPort == 0) {
        QString why = bindProblem(m_options.address, m_options.port);
        if (why.isEmpty())
            why = QStringLiteral("gRPC could not listen there");
        *error = host + QLatin1Char(':') + QString::number(m_options.port) + QStringLiteral(": ") + why;
        if (impl->server)
            impl->server->Shutdown();
        impl->server.reset();
        impl->thread->quit();
        impl->thread->wait();
        delete impl->thread;
        return false;
    }
    m_port = static_cast<quint16>(selectedPort);
    d = std::move(impl);
    qCInfo(lcIngest) << "OTLP/gRPC receiver listening on" << listenAddress();
    return true;
}

void OtlpGrpcReceiver::stop(int replyGraceMs)
{
    if (!d)
        return;
    d->intake->quiesce(); // new calls: UNAVAILABLE
    m_pipeline->stop(); // commits everything accepted; the owed answers then come through the core's thread
    QElapsedTimer timer;
    timer.start();
    while (d->registry->pending() > 0 && timer.elapsed() < replyGraceMs)
        QThread::msleep(5);
    d->registry->finishAll(unavailable(QStringLiteral("the receiver is shutting down"), RetryDelaySeconds));
    d->server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    d->server->Wait();
    m_stoppedAccepted = d->core->accepted.load();
    m_stoppedRejected = d->core->rejected.load();
    d->thread->quit(); // deletes the core on its thread: deliveries still queued go with it
    d->thread->wait();
    delete d->thread;
    d.reset();
}

QString OtlpGrpcReceiver::listenAddress() const
{
    const QString host = m_options.address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + m_options.address.toString() + QLatin1Char(']')
        : m_options.address.toString();
    return host + QLatin1Char(':') + QString::number(m_port ? m_port : m_options.port);
}

qint64 OtlpGrpcReceiver::requestsAccepted() const
{
    return d ? d->core->accepted.load() : m_stoppedAccepted;
}

qint64 OtlpGrpcReceiver::requestsRejected() const
{
    return d ? d->core->rejected.load() : m_stoppedRejected;
}
