// OtlpGrpcReceiver against a real gRPC C++ client (issue 9 §2 and §4): what is stored, and the status of every kind
// of bad or unlucky call, with the server still answering afterwards.
#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlpgrpcreceiver.h"
#include "tests/common/memorytracestore.h"
#include "tests/common/testlogs.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

namespace pbtrace = opentelemetry::proto::collector::trace::v1;
namespace pbmetrics = opentelemetry::proto::collector::metrics::v1;

const char* const TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const char* const MetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
const char* const LogsExport = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

std::vector<Span> makeSpans(int count, quint8 traceSeed = 1)
{
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("grpc-svc")) });
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("grpc-test");
    std::vector<Span> spans;
    for (int i = 0; i < count; ++i) {
        Span s;
        s.traceId = TraceId::fromBytes(QByteArray(16, char(traceSeed)));
        QByteArray sid(8, 0);
        sid[0] = char(traceSeed);
        sid[6] = char(i >> 8);
        sid[7] = char((i & 0xff) + 1);
        s.spanId = SpanId::fromBytes(sid);
        s.name = QStringLiteral("op-%1").arg(i);
        s.startTimeUnixNano = 1700000000000000000ULL + quint64(i) * 1000;
        s.endTimeUnixNano = s.startTimeUnixNano + 5000;
        s.resource = resource;
        s.scope = scope;
        spans.push_back(s);
    }
    return spans;
}

/// A memory store whose writes wait at a gate (released by the test), or fail.
class GatedStore final : public MemoryTraceStore {
public:
    WriteResult write(const std::vector<IngestItem>& items) override
    {
        ++entered;
        if (gated)
            gate.acquire();
        if (failing) {
            WriteResult r;
            r.error = QStringLiteral("disk full");
            return r;
        }
        return MemoryTraceStore::write(items);
    }
    std::atomic<bool> gated { false };
    std::atomic<bool> failing { false };
    std::atomic<int> entered { 0 }; ///< write calls so far, counted before the gate
    QSemaphore gate;
};

struct CallResult {
    grpc::Status status;
    QByteArray response;
};

struct CallOptions {
    std::vector<std::pair<std::string, std::string>> metadata;
    std::chrono::milliseconds deadline { 20000 };
    bool gzip = false;
};

/// One unary call with raw request bytes, as any OTLP exporter makes it.
CallResult rawCall(const std::shared_ptr<grpc::Channel>& channel, const char* method, const QByteArray& request,
                   const CallOptions& options = {})
{
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + options.deadline);
    for (const auto& [key, value] : options.metadata)
        context.AddMetadata(key, value);
    if (options.gzip)
        context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    grpc::Slice slice(request.constData(), size_t(request.size()));
    grpc::ByteBuffer requestBuffer(&slice, 1);
    grpc::ByteBuffer responseBuffer;
    grpc::CompletionQueue cq;
    CallResult result;
    auto reader = stub.PrepareUnaryCall(&context, method, requestBuffer, &cq);
    reader->StartCall();
    reader->Finish(&responseBuffer, &result.status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    std::vector<grpc::Slice> slices;
    if (result.status.ok() && responseBuffer.Dump(&slices).ok())
        for (const grpc::Slice& s : slices)
            result.response.append(reinterpret_cast<const char*>(s.begin()), qsizetype(s.size()));
    return result;
}

/// The type URLs of the google.rpc.Status details in a status's grpc-status-details-bin.
QByteArray detailsOf(const grpc::Status& status)
{
    return QByteArray::fromStdString(status.error_details());
}

} // namespace

class TestOtlpGrpcReceiver : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<GatedStore> m_store;
    std::unique_ptr<IngestPipeline> m_pipeline;
    std::unique_ptr<OtlpGrpcReceiver> m_receiver;
    std::shared_ptr<grpc::Channel> m_channel;

    bool restart(OtlpGrpcReceiver::Options options = {}, qint64 maxQueueBytes = IngestPipeline::DefaultMaxQueueBytes)
    {
        m_receiver.reset();
        m_pipeline = std::make_unique<IngestPipeline>(m_store.get(), maxQueueBytes);
        m_pipeline->start();
        options.port = 0;
        m_receiver = std::make_unique<OtlpGrpcReceiver>(m_pipeline.get(), options);
        QString error;
        if (!m_receiver->start(&error)) {
            qWarning("cannot start the gRPC receiver: %s", qPrintable(error));
            return false;
        }
        grpc::ChannelArguments args;
        args.SetMaxSendMessageSize(64 * 1024 * 1024);
        m_channel = grpc::CreateCustomChannel(m_receiver->listenAddress().toStdString(),
                                              grpc::InsecureChannelCredentials(), args);
        return true;
    }

    /// A valid call still succeeds: the server is up.
    void verifyStillServing(quint8 seed)
    {
        const CallResult r = rawCall(m_channel, TraceExport, OtlpProtobufCodec::encodeRequest(makeSpans(1, seed)));
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
    }

private Q_SLOTS:
    void init()
    {
        m_store = std::make_unique<GatedStore>();
        QString error;
        QVERIFY(m_store->open(&error));
        QVERIFY(restart());
    }

    void cleanup()
    {
        m_store->gated = false;
        m_store->gate.release(1000);
        m_receiver.reset();
        m_pipeline.reset();
        m_store.reset();
    }

    void spansAreCommittedBeforeOk_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("identity") << false;
        QTest::newRow("gzip") << true;
    }
    void spansAreCommittedBeforeOk()
    {
        QFETCH(bool, gzip);
        const std::vector<Span> spans = makeSpans(20, 7);
        CallOptions options;
        options.gzip = gzip;
        const CallResult r = rawCall(m_channel, TraceExport, OtlpProtobufCodec::encodeRequest(spans), options);
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        pbtrace::ExportTraceServiceResponse response;
        QVERIFY(response.ParseFromArray(r.response.constData(), int(r.response.size())));
        QVERIFY(!response.has_partial_success());
        // OK came after the commit: everything is readable now, without waiting.
        const std::vector<Span> stored = m_store->traceSpans(spans[0].traceId);
        QCOMPARE(stored.size(), spans.size());
        for (std::size_t i = 0; i < spans.size(); ++i)
            QVERIFY(spansEqual(stored[i], spans[i]));
        const std::vector<RawPayload> payloads = m_store->tracePayloads(spans[0].traceId);
        QCOMPARE(payloads.size(), std::size_t(1));
        QCOMPARE(payloads[0].contentType, QStringLiteral("application/x-protobuf"));
        QVERIFY2(payloads[0].peer.startsWith(QLatin1String("127.0.0.1:")), qPrintable(payloads[0].peer));
        QCOMPARE(m_receiver->requestsAccepted(), qint64(1));
    }

    void invalidIdsArePartialSuccess()
    {
        pbtrace::ExportTraceServiceRequest request;
        auto* scopeSpans = request.add_resource_spans()->add_scope_spans();
        auto* good = scopeSpans->add_spans();
        good->set_trace_id(std::string(16, '\x05'));
        good->set_span_id(std::string(8, '\x01'));
        good->set_name("good");
        auto* bad = scopeSpans->add_spans();
        bad->set_trace_id("abc");
        bad->set_span_id(std::string(8, '\x02'));
        bad->set_name("bad");
        const CallResult r = rawCall(m_channel, TraceExport, QByteArray::fromStdString(request.SerializeAsString()));
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        pbtrace::ExportTraceServiceResponse response;
        QVERIFY(response.ParseFromArray(r.response.constData(), int(r.response.size())));
        QCOMPARE(response.partial_success().rejected_spans(), qint64(1));
        QVERIFY2(QString::fromStdString(response.partial_success().error_message()).contains(QLatin1String("traceId")),
                 response.partial_success().error_message().c_str());
        QCOMPARE(m_store->spanCount(), qint64(1));
    }

    void undecodableIsInvalidArgument_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::newRow("garbage") << QByteArray("\xff\xff\xff\xff\x0f garbage", 13) << QStringLiteral("malformed");
        // OTLP/JSON where protobuf belongs: not an ExportTraceServiceRequest message at all.
        QTest::newRow("wrong message type (JSON)") << QByteArray(R"({"resourceSpans":[{"scopeSpans":[]}]})")
                                                   << QStringLiteral("malformed");
        QTest::newRow("truncated") << OtlpProtobufCodec::encodeRequest(makeSpans(3)).chopped(5)
                                   << QStringLiteral("malformed");
    }
    void undecodableIsInvalidArgument()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const CallResult r = rawCall(m_channel, TraceExport, bytes);
        QCOMPARE(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(QString::fromStdString(r.status.error_message()).contains(reason), r.status.error_message().c_str());
        QCOMPARE(m_store->spanCount(), qint64(0));
        QCOMPARE(m_receiver->requestsRejected(), qint64(1));
        verifyStillServing(9);
    }

    void oversizeIsResourceExhausted_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("identity") << false;
        QTest::newRow("gzip (inflates past the limit)") << true;
    }
    void oversizeIsResourceExhausted()
    {
        QFETCH(bool, gzip);
        OtlpGrpcReceiver::Options options;
        options.maxMessageBytes = 64 * 1024;
        QVERIFY(restart(options));
        // 300 spans with a long attribute: well over 64 KiB, and compressing to far less than that.
        std::vector<Span> spans = makeSpans(300, 3);
        for (Span& s : spans)
            s.attributes.push_back({ QStringLiteral("padding"), AnyValue::fromString(QString(400, QLatin1Char('x'))) });
        const QByteArray body = OtlpProtobufCodec::encodeRequest(spans);
        QVERIFY(body.size() > options.maxMessageBytes);
        CallOptions call;
        call.gzip = gzip;
        const CallResult r = rawCall(m_channel, TraceExport, body, call);
        QCOMPARE(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        QCOMPARE(m_store->spanCount(), qint64(0));
        verifyStillServing(10);
    }

    void apiKeyIsRequired()
    {
        OtlpGrpcReceiver::Options options;
        options.apiKey = "s3cret";
        QVERIFY(restart(options));
        const QByteArray body = OtlpProtobufCodec::encodeRequest(makeSpans(2, 4));
        CallResult r = rawCall(m_channel, TraceExport, body);
        QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        CallOptions wrong;
        wrong.metadata = { { "authorization", "Bearer s3creT" } };
        r = rawCall(m_channel, TraceExport, body, wrong);
        QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
        QCOMPARE(m_store->spanCount(), qint64(0));
        CallOptions right;
        right.metadata = { { "authorization", "Bearer s3cret" } };
        r = rawCall(m_channel, TraceExport, body, right);
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        QCOMPARE(m_store->spanCount(), qint64(2));
    }

    void queueFullIsUnavailableWithRetryInfo()
    {
        QVERIFY(restart({}, 1)); // every request is over one byte: the second in the queue is refused
        m_store->gated = true;
        const QByteArray body = OtlpProtobufCodec::encodeRequest(makeSpans(5, 6));
        CallResult first;
        std::thread waiting([&] { first = rawCall(m_channel, TraceExport, body); });
        QTRY_COMPARE(m_store->entered.load(), 1);
        // The first request is with the writer (held at the gate); the next ones find the queue full.
        CallResult r;
        for (int i = 0; i < 200; ++i) {
            r = rawCall(m_channel, TraceExport, OtlpProtobufCodec::encodeRequest(makeSpans(1, 20)));
            if (r.status.error_code() == grpc::StatusCode::UNAVAILABLE)
                break;
            QThread::msleep(10);
        }
        QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
        QVERIFY2(detailsOf(r.status).contains("type.googleapis.com/google.rpc.RetryInfo"),
                 detailsOf(r.status).toHex().constData());
        m_store->gate.release(100);
        waiting.join();
        QVERIFY2(first.status.ok(), first.status.error_message().c_str());
        QCOMPARE(m_store->traceSpans(makeSpans(1, 6)[0].traceId).size(), std::size_t(5));
    }

    void storeFailureIsUnavailable()
    {
        // The failed commit is answered from the writer thread; requestFailed comes from there too, before the answer.
        std::mutex failuresMutex;
        std::vector<std::pair<int, QString>> failures;
        connect(m_receiver.get(), &OtlpGrpcReceiver::requestFailed, m_receiver.get(),
                [&](int status, const QString& why) {
                    std::lock_guard lock(failuresMutex);
                    failures.emplace_back(status, why);
                }, Qt::DirectConnection);
        m_store->failing = true;
        const CallResult r = rawCall(m_channel, TraceExport, OtlpProtobufCodec::encodeRequest(makeSpans(2, 8)));
        QCOMPARE(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
        QVERIFY2(QString::fromStdString(r.status.error_message()).contains(QLatin1String("disk full")),
                 r.status.error_message().c_str());
        QVERIFY(detailsOf(r.status).contains("google.rpc.RetryInfo"));
        QCOMPARE(m_receiver->requestsRejected(), qint64(1));
        QCOMPARE(m_receiver->requestsAccepted(), qint64(0));
        {
            std::lock_guard lock(failuresMutex);
            QCOMPARE(failures.size(), std::size_t(1));
            QCOMPARE(failures[0].first, int(grpc::StatusCode::UNAVAILABLE));
            QVERIFY2(failures[0].second.contains(QLatin1String("disk full")), qPrintable(failures[0].second));
        }
        m_store->failing = false;
        verifyStillServing(11);
    }

    void deadlineExceededLeavesTheServerUp()
    {
        m_store->gated = true;
        CallOptions shortDeadline;
        shortDeadline.deadline = std::chrono::milliseconds(200);
        const CallResult r
            = rawCall(m_channel, TraceExport, OtlpProtobufCodec::encodeRequest(makeSpans(3, 12)), shortDeadline);
        QCOMPARE(r.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
        // The commit goes on after the client gave up (it will retry; the store is idempotent).
        m_store->gated = false;
        m_store->gate.release(100);
        verifyStillServing(13);
        QCOMPARE(m_store->traceSpans(makeSpans(1, 12)[0].traceId).size(), std::size_t(3));
    }

    // LogsService/Export: records committed before OK, with and without trace context; bad ids rejected alone.
    void logRecordsAreCommittedBeforeOk()
    {
        const TraceId trace = makeSpans(1, 21)[0].traceId;
        const std::vector<LogRecord> logs = TestLogs::sample(trace, makeSpans(1, 21)[0].spanId);
        CallOptions gzip;
        gzip.gzip = true;
        CallResult r = rawCall(m_channel, LogsExport, OtlpProtobufCodec::encodeLogsRequest(logs), gzip);
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse response;
        QVERIFY(response.ParseFromArray(r.response.constData(), int(r.response.size())));
        QVERIFY(!response.has_partial_success());
        const std::vector<LogRecord> stored = m_store->traceLogs(trace);
        qint64 ofTrace = 0;
        for (const LogRecord& l : logs)
            ofTrace += l.traceId == trace ? 1 : 0;
        QCOMPARE(qint64(stored.size()), ofTrace);
        QCOMPARE(m_store->logRecordCount(), qint64(logs.size())); // records without trace context are stored too
        QCOMPARE(m_store->spanCount(), qint64(0));

        opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest bad;
        auto* records = bad.add_resource_logs()->add_scope_logs();
        auto* good = records->add_log_records();
        good->set_trace_id(std::string(16, '\x31'));
        good->set_span_id(std::string(8, '\x01'));
        good->mutable_body()->set_string_value("kept");
        auto* wrong = records->add_log_records();
        wrong->set_trace_id("short");
        wrong->mutable_body()->set_string_value("rejected");
        r = rawCall(m_channel, LogsExport, QByteArray::fromStdString(bad.SerializeAsString()));
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        QVERIFY(response.ParseFromArray(r.response.constData(), int(r.response.size())));
        QCOMPARE(response.partial_success().rejected_log_records(), qint64(1));
        QVERIFY2(QString::fromStdString(response.partial_success().error_message()).contains(QLatin1String("logRecords[1]")),
                 response.partial_success().error_message().c_str());
        QCOMPARE(m_store->logRecordCount(), qint64(logs.size()) + 1);

        r = rawCall(m_channel, LogsExport, QByteArray(R"({"resourceLogs":[]})"));
        QCOMPARE(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        QVERIFY2(QString::fromStdString(r.status.error_message()).contains(QLatin1String("ExportLogsServiceRequest")),
                 r.status.error_message().c_str());
    }

    void metricsAreAnsweredWithPartialSuccess()
    {
        pbmetrics::ExportMetricsServiceRequest request;
        auto* metrics = request.add_resource_metrics()->add_scope_metrics();
        auto* sum = metrics->add_metrics();
        sum->set_name("requests");
        sum->mutable_sum()->add_data_points();
        sum->mutable_sum()->add_data_points();
        metrics->add_metrics()->mutable_histogram()->add_data_points();
        const CallResult r = rawCall(m_channel, MetricsExport, QByteArray::fromStdString(request.SerializeAsString()));
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        pbmetrics::ExportMetricsServiceResponse response;
        QVERIFY(response.ParseFromArray(r.response.constData(), int(r.response.size())));
        QCOMPARE(response.partial_success().rejected_data_points(), qint64(3));
        QVERIFY(QString::fromStdString(response.partial_success().error_message()).contains(QLatin1String("does not store metrics")));
        QCOMPARE(m_store->spanCount(), qint64(0));
        QCOMPARE(rawCall(m_channel, MetricsExport, QByteArray(R"({"resourceMetrics":[]})")).status.error_code(),
                 grpc::StatusCode::INVALID_ARGUMENT);
    }

    void portInUseIsAClearError()
    {
        IngestPipeline pipeline(m_store.get());
        OtlpGrpcReceiver::Options options;
        options.port = m_receiver->port();
        OtlpGrpcReceiver second(&pipeline, options);
        QString error;
        QVERIFY(!second.start(&error));
        QVERIFY2(error.contains(QStringLiteral("127.0.0.1:%1").arg(options.port)) && error.contains(QLatin1String("in use")),
                 qPrintable(error));
        verifyStillServing(14);
    }

    void stopAnswersCallsItAccepted()
    {
        m_store->gated = true;
        const std::vector<Span> spans = makeSpans(4, 15);
        CallResult r;
        std::thread client([&] { r = rawCall(m_channel, TraceExport, OtlpProtobufCodec::encodeRequest(spans)); });
        QTRY_COMPARE(m_store->entered.load(), 1); // the call is waiting for its commit
        std::thread release([&] {
            QThread::msleep(300);
            m_store->gate.release(100);
        });
        m_receiver->stop(); // commits what was accepted, then answers it
        client.join();
        release.join();
        QVERIFY2(r.status.ok(), r.status.error_message().c_str());
        QCOMPARE(m_store->traceSpans(spans[0].traceId).size(), spans.size());
    }
};

QTEST_GUILESS_MAIN(TestOtlpGrpcReceiver)
#include "tst_otlpgrpcreceiver.moc"
