// Ingest benchmark (DESIGN.md "Budgets"): N concurrent exporters send 512-span OTLP protobuf requests to a
// `spanscope serve` process over loopback, over OTLP/HTTP (POST /v1/traces) and over OTLP/gRPC (TraceService/Export),
// one fresh store each, in the same run; prints spans/s and request latency p50/p99 per protocol, the store's file
// sizes (the WAL's peak, sampled while the requests run, and main file and WAL after ingest and after exit), the time
// from SIGTERM to exit, and beside them a plain SQLite insert of the same rows measured in the same run. Prints
// figures; asserts nothing about speed.
//
// usage: bench_ingest [--protocol http|grpc|both] [--rounds K] [--exporters N] [--requests R] [--spans S] [--binary PATH]
//   --rounds K runs the protocols K times each, alternating (http, grpc, grpc, http, ...: each goes first half the
//   time), and prints every run, the median spans/s per protocol and the median of the rounds' gRPC/HTTP ratios
//   (the two runs of a round are back to back): one run on a shared 2-core machine varies by +-10%.

#include "ingest/codec/otlpprotobufcodec.h"
#include "storage/spancodec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

#include <curl/curl.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <cstdio>
#include <memory>
#include <random>

namespace {

/// `requests` batches of `spansPerRequest` spans: traces of 64 spans, ~10 attributes each, an event every 4th span.
std::vector<std::vector<Span>> generate(int requests, int spansPerRequest)
{
    std::mt19937_64 rng(42);
    auto resource = std::make_shared<Resource>();
    resource->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("bench-agent")) },
                             { QStringLiteral("service.version"), AnyValue::fromString(QStringLiteral("1.0.0")) },
                             { QStringLiteral("telemetry.sdk.language"), AnyValue::fromString(QStringLiteral("cpp")) } };
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("bench");
    scope->version = QStringLiteral("1");
    const std::uint64_t t0 = 1760000000000000000ULL;
    std::vector<std::vector<Span>> out(requests);
    for (int r = 0; r < requests; ++r) {
        out[r].reserve(spansPerRequest);
        TraceId trace;
        SpanId root;
        for (int i = 0; i < spansPerRequest; ++i) {
            if (i % 64 == 0) {
                std::uint64_t raw[2] = { rng(), rng() | 1 };
                trace = TraceId::fromRaw(raw);
                root = SpanId();
            }
            Span s;
            s.traceId = trace;
            const std::uint64_t sid = rng() | 1;
            s.spanId = SpanId::fromRaw(&sid);
            s.parentSpanId = root;
            if (!root.isValid())
                root = s.spanId;
            s.name = (i % 3 == 0) ? QStringLiteral("chat gpt-4o") : QStringLiteral("execute_tool search_%1").arg(i % 7);
            s.kind = i % 64 == 0 ? SpanKind::Server : SpanKind::Client;
            s.startTimeUnixNano = t0 + std::uint64_t(r) * 1000000000ULL + std::uint64_t(i) * 1000;
            s.endTimeUnixNano = s.startTimeUnixNano + 500000 + (rng() % 100000);
            s.statusCode = i % 50 == 7 ? StatusCode::Error : StatusCode::Unset;
            s.attributes = {
                { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
                { QStringLiteral("gen_ai.request.model"), AnyValue::fromString(QStringLiteral("gpt-4o")) },
                { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(qint64(rng() % 4000)) },
                { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(qint64(rng() % 800)) },
                { QStringLiteral("gen_ai.request.temperature"), AnyValue::fromDouble(0.2) },
                { QStringLiteral("http.request.method"), AnyValue::fromString(QStringLiteral("POST")) },
                { QStringLiteral("url.full"), AnyValue::fromString(QStringLiteral("https://api.example.com/v1/chat/completions")) },
                { QStringLiteral("server.port"), AnyValue::fromInt(443) },
                { QStringLiteral("gen_ai.request.stream"), AnyValue::fromBool(false) },
                { QStringLiteral("session.id"), AnyValue::fromString(QStringLiteral("session-%1").arg(r)) },
            };
            if (i % 4 == 0)
                s.events.push_back({ s.startTimeUnixNano + 10, QStringLiteral("gen_ai.choice"),
                                     { { QStringLiteral("index"), AnyValue::fromInt(0) } }, 0 });
            s.resource = resource;
            s.scope = scope;
            out[r].push_back(std::move(s));
        }
    }
    return out;
}

/// User + system CPU seconds of a process so far, from /proc/PID/stat (fields 14 and 15, in clock ticks).
double processCpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

double selfCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/// Size of a file in bytes, 0 when it does not exist (stat(2), uncached).
qint64 fileSize(const QString& path)
{
    struct stat st { };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? qint64(st.st_size) : 0;
}

double mib(qint64 bytes) { return double(bytes) / (1024.0 * 1024.0); }

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto idx = std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size() - 1) + 0.5));
    return v[idx];
}

/// The middle value, or the mean of the two middle ones for an even count.
double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool check(int rc, sqlite3* db)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        return false;
    }
    return true;
}

/// The same span rows inserted with a single prepared INSERT per row, one transaction per request.
double plainSqliteInsert(const QString& path, const std::vector<std::vector<Span>>& batches)
{
    sqlite3* db = nullptr;
    sqlite3_open(path.toUtf8().constData(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "CREATE TABLE spans(trace_id BLOB, span_id BLOB, parent_span_id BLOB, name TEXT, kind INT, "
                 "start_time INT, end_time INT, status_code INT, attributes BLOB, events BLOB, "
                 "PRIMARY KEY(trace_id, span_id)) WITHOUT ROWID",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO spans VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &insert, nullptr);
    QElapsedTimer timer;
    timer.start();
    std::size_t rows = 0;
    std::string attrs, events;
    for (const auto& batch : batches) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        for (const Span& s : batch) {
            attrs.clear();
            events.clear();
            SpanCodec::appendAttributes(attrs, s.attributes);
            SpanCodec::appendEvents(events, s.events);
            const QByteArray name = s.name.toUtf8();
            sqlite3_bind_blob(insert, 1, s.traceId.data(), 16, SQLITE_STATIC);
            sqlite3_bind_blob(insert, 2, s.spanId.data(), 8, SQLITE_STATIC);
            sqlite3_bind_blob(insert, 3, s.parentSpanId.data(), 8, SQLITE_STATIC);
            sqlite3_bind_text(insert, 4, name.constData(), int(name.size()), SQLITE_STATIC);
            sqlite3_bind_int(insert, 5, int(s.kind));
            sqlite3_bind_int64(insert, 6, sqlite3_int64(s.startTimeUnixNano));
            sqlite3_bind_int64(insert, 7, sqlite3_int64(s.endTimeUnixNano));
            sqlite3_bind_int(insert, 8, int(s.statusCode));
            sqlite3_bind_blob(insert, 9, attrs.data(), int(attrs.size()), SQLITE_STATIC);
            sqlite3_bind_blob(insert, 10, events.data(), int(events.size()), SQLITE_STATIC);
            if (!check(sqlite3_step(insert), db))
                return 0;
            sqlite3_reset(insert);
            ++rows;
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return double(rows) / seconds;
}

/// What one protocol's run measured.
struct Figures {
    double seconds = 0;
    std::size_t failed = 0;
    std::vector<double> latenciesMs;
    double serveCpu = 0, clientCpu = 0;
    qint64 peakWal = 0, mainAfterIngest = 0, walAfterIngest = 0, mainAfterExit = 0, walAfterExit = 0;
    double stopSeconds = 0;
    QByteArray exitLine;
    bool started = false;
};

/// The HTTP exporters: libcurl easy handles on one multi handle, each a keep-alive connection with one request in
/// flight, as an OTLP exporter's batch processor sends. (QNetworkAccessManager was tried first: its upload path added
/// ~40 ms to every request, so it measured itself, not the receiver.) Calls sample() at least every 100 ms.
void runHttpClients(const QByteArray& endpoint, const std::vector<QByteArray>& bodies, int exporters, Figures& f,
                    const std::function<void()>& sample)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM* multi = curl_multi_init();
    struct Exporter {
        CURL* easy = nullptr;
        curl_slist* headers = nullptr;
        QElapsedTimer started;
        std::string response;
    };
    std::vector<Exporter> exporterState(static_cast<std::size_t>(exporters));
    std::size_t next = 0, done = 0;
    auto startNext = [&](Exporter& e) {
        if (next >= bodies.size())
            return false;
        const QByteArray& body = bodies[next++];
        e.response.clear();
        curl_easy_setopt(e.easy, CURLOPT_POSTFIELDS, body.constData());
        curl_easy_setopt(e.easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        e.started.start();
        curl_multi_add_handle(multi, e.easy);
        return true;
    };
    for (Exporter& e : exporterState) {
        e.easy = curl_easy_init();
        e.headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
        e.headers = curl_slist_append(e.headers, "Expect:"); // no 100-continue round trip
        curl_easy_setopt(e.easy, CURLOPT_URL, endpoint.constData());
        curl_easy_setopt(e.easy, CURLOPT_HTTPHEADER, e.headers);
        curl_easy_setopt(e.easy, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* user) {
            static_cast<std::string*>(user)->append(data, n);
            return n;
        });
        curl_easy_setopt(e.easy, CURLOPT_WRITEDATA, &e.response);
        curl_easy_setopt(e.easy, CURLOPT_PRIVATE, &e);
    }
    for (Exporter& e : exporterState)
        startNext(e);
    while (done < bodies.size()) {
        int running = 0;
        curl_multi_perform(multi, &running);
        int queued = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Exporter* e = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &e);
            long status = 0;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            f.latenciesMs.push_back(double(e->started.nsecsElapsed()) / 1e6);
            if (msg->data.result != CURLE_OK || status != 200) {
                ++f.failed;
                std::fprintf(stderr, "request failed: %s, HTTP %ld %s\n", curl_easy_strerror(msg->data.result), status,
                             e->response.c_str());
            }
            curl_multi_remove_handle(multi, msg->easy_handle);
            ++done;
            startNext(*e);
        }
        if (done < bodies.size())
            curl_multi_poll(multi, nullptr, 0, 100, nullptr);
        sample();
    }
    for (Exporter& e : exporterState) {
        curl_easy_cleanup(e.easy);
        curl_slist_free_all(e.headers);
    }
    curl_multi_cleanup(multi);
    curl_global_cleanup();
}

/// The gRPC exporters: one channel each (as separate SDK processes have), one unary call in flight per exporter,
/// all on one completion queue. Calls sample() at least every 100 ms.
void runGrpcClients(const std::string& target, const std::vector<QByteArray>& bodies, int exporters, Figures& f,
                    const std::function<void()>& sample)
{
    struct Exporter {
        std::shared_ptr<grpc::Channel> channel;
        std::unique_ptr<grpc::GenericStub> stub;
        std::unique_ptr<grpc::ClientContext> context;
        std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
        grpc::ByteBuffer response;
        grpc::Status status;
        QElapsedTimer started;
        std::vector<char> sendBuffer;
    };
    grpc::CompletionQueue cq;
    std::vector<Exporter> exporterState(static_cast<std::size_t>(exporters));
    std::size_t next = 0, done = 0;
    auto startNext = [&](Exporter& e) {
        if (next >= bodies.size())
            return false;
        const QByteArray& body = bodies[next++];
        // Copied into the exporter's own send buffer first, as libcurl copies the HTTP body into its upload buffer and
        // an SDK serializes each request into memory it just touched. Sending the 240 MiB of pre-encoded bodies in
        // place made the kernel's copy from that cold memory cost this client ~0.4 us per span more than the HTTP
        // client (CPU the server then lacked); a fresh slice per request still cost it ~0.3 us per span more
        // (malloc and first-touch page faults of 200 KiB per request). One call is in flight per exporter, so the
        // buffer is free again when its call completes.
        e.sendBuffer.assign(body.constData(), body.constData() + body.size());
        grpc::Slice slice(e.sendBuffer.data(), e.sendBuffer.size(), grpc::Slice::STATIC_SLICE);
        grpc::ByteBuffer request(&slice, 1);
        e.context = std::make_unique<grpc::ClientContext>();
        e.context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        e.started.start();
        e.reader = e.stub->PrepareUnaryCall(e.context.get(), "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                                            request, &cq);
        e.reader->StartCall();
        e.reader->Finish(&e.response, &e.status, &e);
        return true;
    };
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 * 1024 * 1024);
    for (std::size_t i = 0; i < exporterState.size(); ++i) {
        Exporter& e = exporterState[i];
        args.SetInt("spanscope.bench.exporter", int(i)); // distinct arguments: a channel (connection) of its own
        e.channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
        e.stub = std::make_unique<grpc::GenericStub>(e.channel);
    }
    for (Exporter& e : exporterState)
        startNext(e);
    while (done < bodies.size()) {
        void* tag = nullptr;
        bool ok = false;
        const auto status = cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::milliseconds(100));
        if (status == grpc::CompletionQueue::SHUTDOWN)
            break;
        if (status == grpc::CompletionQueue::GOT_EVENT) {
            auto* e = static_cast<Exporter*>(tag);
            f.latenciesMs.push_back(double(e->started.nsecsElapsed()) / 1e6);
            if (!ok || !e->status.ok()) {
                ++f.failed;
                std::fprintf(stderr, "call failed: %d %s\n", int(e->status.error_code()), e->status.error_message().c_str());
            }
            ++done;
            startNext(*e);
        }
        sample();
    }
    cq.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
    }
}

/// Starts `spanscope serve` on a fresh store in `dir`, sends every body over `protocol`, stops it with SIGTERM.
Figures runProtocol(const QString& protocol, const QString& binary, const QString& dir,
                    const std::vector<QByteArray>& bodies, int exporters)
{
    Figures f;
    const QString dbPath = dir + QStringLiteral("/bench-") + protocol + QStringLiteral(".db");
    const QString walPath = dbPath + QStringLiteral("-wal");
    const bool grpc = protocol == QLatin1String("grpc");
    QProcess serve;
    serve.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    serve.start(binary, { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--grpc-listen"), grpc ? QStringLiteral("127.0.0.1:0") : QStringLiteral("off"),
                          QStringLiteral("--store"), QStringLiteral("sqlite:") + dbPath });
    QByteArray banner;
    const QByteArray ready = grpc ? "OTLP/gRPC on " : "/v1/traces";
    const auto complete = [&] { // the line naming the endpoint is there whole
        const int at = banner.indexOf(ready);
        return at >= 0 && banner.indexOf('\n', at) >= 0 && banner.contains("http://");
    };
    while (!complete() && serve.waitForReadyRead(10000))
        banner += serve.readAllStandardOutput();
    if (!complete()) {
        std::fprintf(stderr, "bench_ingest: spanscope serve did not start: %s\n", banner.constData());
        return f;
    }
    f.started = true;
    const auto sample = [&] { f.peakWal = std::max(f.peakWal, fileSize(walPath)); };
    const double serveCpuBefore = processCpuSeconds(serve.processId());
    const double clientCpuBefore = selfCpuSeconds();
    QElapsedTimer wall;
    wall.start();
    if (grpc) {
        const int at = banner.indexOf("OTLP/gRPC on ") + 13;
        const QByteArray target = banner.mid(at, banner.indexOf('\n', at) - at).trimmed();
        runGrpcClients(target.toStdString(), bodies, exporters, f, sample);
    } else {
        const int at = banner.indexOf("http://");
        runHttpClients(banner.mid(at, banner.indexOf("/v1/traces", at) + 10 - at), bodies, exporters, f, sample);
    }
    f.seconds = double(wall.nsecsElapsed()) / 1e9;
    f.serveCpu = processCpuSeconds(serve.processId()) - serveCpuBefore;
    f.clientCpu = selfCpuSeconds() - clientCpuBefore;
    f.mainAfterIngest = fileSize(dbPath);
    f.walAfterIngest = fileSize(walPath);
    QElapsedTimer stopping;
    stopping.start();
    serve.terminate();
    serve.waitForFinished(60000);
    f.stopSeconds = double(stopping.nsecsElapsed()) / 1e9;
    f.exitLine = serve.readAllStandardOutput();
    f.mainAfterExit = fileSize(dbPath);
    f.walAfterExit = fileSize(walPath);
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption protocolOpt(QStringLiteral("protocol"), QStringLiteral("http, grpc or both (one after the other)"),
                                   QStringLiteral("P"), QStringLiteral("both"));
    QCommandLineOption exportersOpt(QStringLiteral("exporters"), QStringLiteral("concurrent exporters"), QStringLiteral("N"), QStringLiteral("8"));
    QCommandLineOption requestsOpt(QStringLiteral("requests"), QStringLiteral("requests in all"), QStringLiteral("R"), QStringLiteral("400"));
    QCommandLineOption spansOpt(QStringLiteral("spans"), QStringLiteral("spans per request"), QStringLiteral("S"), QStringLiteral("512"));
    QCommandLineOption roundsOpt(QStringLiteral("rounds"), QStringLiteral("runs per protocol, alternating"),
                                 QStringLiteral("K"), QStringLiteral("1"));
    QCommandLineOption binaryOpt(QStringLiteral("binary"), QStringLiteral("spanscope executable"), QStringLiteral("PATH"),
                                 QStringLiteral(SPANSCOPE_BINARY));
    parser.addHelpOption();
    parser.addOptions({ protocolOpt, roundsOpt, exportersOpt, requestsOpt, spansOpt, binaryOpt });
    parser.process(app);
    const int exporters = std::max(1, parser.value(exportersOpt).toInt());
    const int requests = std::max(exporters, parser.value(requestsOpt).toInt());
    const int spansPerRequest = std::max(1, parser.value(spansOpt).toInt());
    const QString protocol = parser.value(protocolOpt);
    const int rounds = std::max(1, parser.value(roundsOpt).toInt());
    QStringList protocols;
    if (protocol == QLatin1String("both"))
        protocols = { QStringLiteral("http"), QStringLiteral("grpc") };
    else if (protocol == QLatin1String("http") || protocol == QLatin1String("grpc"))
        protocols = { protocol };
    else {
        std::fprintf(stderr, "bench_ingest: --protocol expects http, grpc or both\n");
        return 2;
    }

    const auto batches = generate(requests, spansPerRequest);
    std::vector<QByteArray> bodies;
    bodies.reserve(batches.size());
    for (const auto& b : batches)
        bodies.push_back(OtlpProtobufCodec::encodeRequest(b));

    QTemporaryDir dir;
    const double spans = double(requests) * spansPerRequest;
    std::printf("ingest: %d exporters, %d requests x %d spans (protobuf, %.0f KiB/request), one fresh store per "
                "protocol\n", exporters, requests, spansPerRequest, double(bodies[0].size()) / 1024.0);
    bool allOk = true;
    std::map<QString, std::vector<double>> rates; // spans/s of every run, per protocol
    QStringList runs;
    for (int round = 0; round < rounds; ++round) {
        QStringList order = protocols;
        if (round % 2 == 1)
            std::reverse(order.begin(), order.end());
        runs << order;
    }
    for (int run = 0; run < runs.size(); ++run) {
        const QString& p = runs[run];
        const Figures f = runProtocol(p, parser.value(binaryOpt), dir.path(), bodies, exporters);
        if (!f.started)
            return 1;
        QFile::remove(dir.filePath(QStringLiteral("bench-") + p + QStringLiteral(".db")));
        QFile::remove(dir.filePath(QStringLiteral("bench-") + p + QStringLiteral(".db-wal")));
        QFile::remove(dir.filePath(QStringLiteral("bench-") + p + QStringLiteral(".db-shm")));
        allOk = allOk && f.failed == 0;
        rates[p].push_back(spans / f.seconds);
        const char* name = p == QLatin1String("grpc") ? "OTLP/gRPC" : "OTLP/HTTP";
        if (rounds > 1)
            std::printf("%s (round %d)\n", name, run / int(protocols.size()) + 1);
        else
            std::printf("%s\n", name);
        std::printf("  spanscope serve  : %10.0f spans/s  (%.2f s, %zu failed requests)  protocol=%s spans_per_s=%.0f\n",
                    spans / f.seconds, f.seconds, f.failed, qPrintable(p), spans / f.seconds);
        std::printf("  request latency  : p50 %.1f ms, p99 %.1f ms\n", percentile(f.latenciesMs, 0.50),
                    percentile(f.latenciesMs, 0.99));
        std::printf("  CPU per span     : serve %.2f us (%.2f cores busy), this client %.2f us\n", f.serveCpu / spans * 1e6,
                    f.serveCpu / f.seconds, f.clientCpu / spans * 1e6);
        std::printf("  store files      : WAL peak %.1f MiB; after ingest main %.1f MiB, WAL %.1f MiB; after exit main "
                    "%.1f MiB, WAL %.1f MiB\n",
                    mib(f.peakWal), mib(f.mainAfterIngest), mib(f.walAfterIngest), mib(f.mainAfterExit), mib(f.walAfterExit));
        std::printf("  serve exit       : %.2f s after SIGTERM: %s", f.stopSeconds, f.exitLine.constData());
    }
    if (rounds > 1) {
        for (const QString& p : protocols) {
            std::printf("median of %d runs : %s %10.0f spans/s  protocol=%s median_spans_per_s=%.0f\n", rounds,
                        p == QLatin1String("grpc") ? "OTLP/gRPC" : "OTLP/HTTP", median(rates[p]), qPrintable(p), median(rates[p]));
        }
        if (rates.count(QStringLiteral("http")) && rates.count(QStringLiteral("grpc"))) {
            const std::vector<double>& http = rates[QStringLiteral("http")];
            const std::vector<double>& grpc = rates[QStringLiteral("grpc")];
            std::printf("gRPC / HTTP        : %.1f%% (medians)\n", 100.0 * median(grpc) / median(http));
            // The two runs of a round follow each other: their ratio is the least touched by the machine's drift
            // (a shared 2-core machine can be 20% slower for a minute).
            std::vector<double> ratios;
            int grpcAhead = 0;
            for (std::size_t i = 0; i < http.size() && i < grpc.size(); ++i) {
                ratios.push_back(grpc[i] / http[i]);
                grpcAhead += grpc[i] >= http[i] ? 1 : 0;
            }
            std::printf("gRPC / HTTP        : %.1f%% (median of the %zu rounds' ratios; gRPC ahead in %d)  "
                        "grpc_over_http_round_median=%.3f\n",
                        100.0 * median(ratios), ratios.size(), grpcAhead, median(ratios));
        }
    }
    const double plain = plainSqliteInsert(dir.filePath(QStringLiteral("plain.db")), batches);
    std::printf("plain SQLite       : %10.0f rows/s  (same rows, one INSERT per row, one transaction per request)\n", plain);
    return allOk ? 0 : 1;
}
