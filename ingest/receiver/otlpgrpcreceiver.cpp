#include "ingest/receiver/otlpgrpcreceiver.h"

#include "ingest/ingestlogging.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlpexport.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QThread>
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
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <functional>
#include <set>
#include <thread>
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
 * Answers calls on a thread of its own. The commit's continuation runs on the pipeline's writer thread, the serial
 * part of ingest; gRPC's Finish (the response's framing, often its socket write) took about 1% of that thread's time
 * (perf of serve under bench_ingest --protocol grpc), so the continuation only queues the answer here. post() may be
 * called from any thread; after stop() it runs the task on the caller's thread.
 */
class Responder {
public:
    Responder() : m_thread([this] { run(); }) { }
    ~Responder() { stop(); }
    Responder(const Responder&) = delete;
    Responder& operator=(const Responder&) = delete;

    void post(std::function<void()> task)
    {
        {
            std::lock_guard lock(m_mutex);
            if (!m_stopped) {
                m_tasks.push_back(std::move(task));
                m_wake.notify_one();
                return;
            }
        }
        task();
    }

    /// Runs what is queued, then ends the thread. Idempotent.
    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopped = true;
        }
        m_wake.notify_one();
        if (m_thread.joinable())
            m_thread.join();
    }

private:
    void run()
    {
        pthread_setname_np(pthread_self(), "grpc-responder");
        std::unique_lock lock(m_mutex);
        std::vector<std::function<void()>> batch;
        for (;;) {
            m_wake.wait(lock, [this] { return m_stopped || !m_tasks.empty(); });
            if (m_tasks.empty())
                return; // stopped, and nothing left
            batch.swap(m_tasks);
            lock.unlock();
            for (std::function<void()>& task : batch)
                task();
            batch.clear();
            lock.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<std::function<void()>> m_tasks;
    bool m_stopped = false;
    std::thread m_thread; // last: starts once the rest is built
};

/**
 * One export call from its arrival to Finish. Finished exactly once: by the answer, by stop() (UNAVAILABLE), or,
 * when the last holder lets go without an answer (the commit's continuation was dropped unrun), by the destructor,
 * so gRPC never waits for a call nobody will answer.
 */
class Call {
public:
    Call(grpc::ServerUnaryReactor* reactor, grpc::ByteBuffer* response, std::shared_ptr<CallRegistry> registry);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

    /// Sets the response message (when OK) and finishes; later calls do nothing. Any thread.
    void finish(const grpc::Status& status, const QByteArray& responseMessage = {});

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

namespace {

/**
 * What the answered calls add up to, shared by the calls in flight (gRPC's threads, the pipeline's writer thread)
 * and the receiver. Reports failures through the receiver's requestFailed until stop() detaches it; no thread
 * touches the receiver through a pointer that may be gone.
 */
class Outcomes {
public:
    explicit Outcomes(OtlpGrpcReceiver* owner) : m_owner(owner) { }

    void accept() { ++m_accepted; }
    void reject(int grpcStatus, const QString& why)
    {
        ++m_rejected;
        std::lock_guard lock(m_mutex);
        if (m_owner)
            Q_EMIT m_owner->requestFailed(grpcStatus, why);
    }
    /// After this, reject() only counts. Called by stop() once no call can be answered any more.
    void detach()
    {
        std::lock_guard lock(m_mutex);
        m_owner = nullptr;
    }
    qint64 accepted() const { return m_accepted.load(); }
    qint64 rejected() const { return m_rejected.load(); }

private:
    std::atomic<qint64> m_accepted { 0 };
    std::atomic<qint64> m_rejected { 0 };
    std::mutex m_mutex;
    OtlpGrpcReceiver* m_owner;
};

/**
 * What every export service does with a call, on the gRPC thread that took it: check it, decode it and submit it to
 * the pipeline, all CPU work that never waits (a full queue is refused at once). A call with something to store is
 * answered by the commit's continuation on the pipeline's writer thread; every other call is answered here.
 *
 * Deciding on the gRPC thread and answering on the committing one, instead of handing each call to a thread of ours
 * and decoding on a pool, halves the futex calls per request (strace -c of serve, 400 requests: 10,317 -> 3,765;
 * OTLP/HTTP's path makes 4,409): on two cores every hand-off is CPU the writer lacks (bench_ingest).
 */
class CallIntake {
public:
    CallIntake(IngestPipeline* pipeline, qint64 maxMessageBytes, QByteArray expectedAuthorization,
               std::shared_ptr<CallRegistry> registry, std::shared_ptr<Outcomes> outcomes,
               std::shared_ptr<Responder> responder)
        : m_pipeline(pipeline)
        , m_maxMessageBytes(maxMessageBytes)
        , m_expectedAuthorization(std::move(expectedAuthorization))
        , m_registry(std::move(registry))
        , m_outcomes(std::move(outcomes))
        , m_responder(std::move(responder))
    {
    }

    void quiesce() { m_quiesced = true; }

    grpc::ServerUnaryReactor* take(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response, OtlpExport::Signal signal)
    {
        grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
        auto call = std::make_shared<Call>(reactor, response, m_registry);
        if (!authorized(*context)) {
            fail(*call, m_outcomes.get(),
                 grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                              "missing or wrong API key: send the metadata authorization: Bearer KEY"),
                 QStringLiteral("missing or wrong API key"));
            return reactor;
        }
        if (m_quiesced) {
            const QString why = QStringLiteral("the receiver is shutting down");
            fail(*call, m_outcomes.get(), unavailable(why, RetryDelaySeconds), why);
            return reactor;
        }
        OtlpExport::Request exportRequest;
        exportRequest.signal = signal;
        exportRequest.encoding = OtlpExport::Encoding::Protobuf;
        exportRequest.wire = toByteArray(*request);
        exportRequest.peer = peerOf(context);
        OtlpExport::Decision d = OtlpExport::decodeAndSubmit(m_pipeline, exportRequest, m_maxMessageBytes);
        using OtlpExport::Outcome;
        switch (d.outcome) {
        case Outcome::Ok:
            break;
        case Outcome::BadRequest:
            fail(*call, m_outcomes.get(), grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, d.message.toStdString()),
                 d.message);
            return reactor;
        case Outcome::TooLarge:
            fail(*call, m_outcomes.get(), grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, d.message.toStdString()),
                 d.message);
            return reactor;
        case Outcome::Unavailable:
            fail(*call, m_outcomes.get(), unavailable(d.message, RetryDelaySeconds), d.message);
            return reactor;
        }
        if (!d.write) {
            m_outcomes->accept();
            call->finish(grpc::Status::OK, d.okBody);
            return reactor;
        }
        // Acknowledged only after the commit, like OTLP/HTTP; the call holds no thread meanwhile. The continuation
        // runs on the writer thread once the group is committed (here at once when it already is) and touches only
        // what it holds: the call and the shared outcomes. IngestPipeline::stop(), which stop() calls before gRPC
        // shuts down, commits every accepted item, so each continuation has run by then. Should the promise go
        // unfinished, the continuation is dropped, and with it the last reference to the call: ~Call answers
        // UNAVAILABLE.
        d.write->then([call, outcomes = m_outcomes, okBody = d.okBody, responder = m_responder](const WriteResult& result) {
            responder->post([call, outcomes, okBody, ok = result.ok, error = result.error] {
                if (ok) {
                    outcomes->accept();
                    call->finish(grpc::Status::OK, okBody);
                    return;
                }
                const QString why = QStringLiteral("store write failed: ") + error;
                fail(*call, outcomes.get(), unavailable(why, StoreFailureRetryDelaySeconds), why);
            });
        });
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

    /// Counts and reports the failure, then answers it: whoever sees the answer sees the count and the signal.
    static void fail(Call& call, Outcomes* outcomes, const grpc::Status& status, const QString& why)
    {
        outcomes->reject(int(status.error_code()), why);
        call.finish(status);
    }

    IngestPipeline* m_pipeline;
    const qint64 m_maxMessageBytes;
    const QByteArray m_expectedAuthorization;
    std::shared_ptr<CallRegistry> m_registry;
    std::shared_ptr<Outcomes> m_outcomes;
    std::shared_ptr<Responder> m_responder;
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
    std::shared_ptr<Outcomes> outcomes;
    std::shared_ptr<Responder> responder = std::make_shared<Responder>();
    std::unique_ptr<CallIntake> intake;
    std::unique_ptr<TraceService> traces;
    std::unique_ptr<LogsService> logs;
    std::unique_ptr<MetricsService> metrics;
    std::unique_ptr<grpc::Server> server;
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
    impl->outcomes = std::make_shared<Outcomes>(this);
    impl->intake = std::make_unique<CallIntake>(m_pipeline, m_options.maxMessageBytes, expected, impl->registry,
                                                impl->outcomes, impl->responder);
    impl->traces = std::make_unique<TraceService>(impl->intake.get());
    impl->logs = std::make_unique<LogsService>(impl->intake.get());
    impl->metrics = std::make_unique<MetricsService>(impl->intake.get());


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
    m_pipeline->stop(); // commits everything accepted: the continuations answer the calls owed
    d->responder->stop(); // through the responder: its queue is run before it ends
    QElapsedTimer timer;
    timer.start();
    while (d->registry->pending() > 0 && timer.elapsed() < replyGraceMs)
        QThread::msleep(5);
    d->registry->finishAll(unavailable(QStringLiteral("the receiver is shutting down"), RetryDelaySeconds));
    d->server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    d->server->Wait();
    d->outcomes->detach(); // gRPC has returned from every handler: nothing reports any more
    m_stoppedAccepted = d->outcomes->accepted();
    m_stoppedRejected = d->outcomes->rejected();
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
    return d ? d->outcomes->accepted() : m_stoppedAccepted;
}

qint64 OtlpGrpcReceiver::requestsRejected() const
{
    return d ? d->outcomes->rejected() : m_stoppedRejected;
}
