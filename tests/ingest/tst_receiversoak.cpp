#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "storage/sqlitetracestore.h"

#include "../common/rawhttpclient.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <csignal>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

// Soak test of `spanscope serve` (issue 8 §3): 32 clients at once send a mix of valid protobuf and JSON requests,
// empty bodies, malformed bodies, requests closed halfway through their body, query API reads and health checks,
// over keep-alive and one-shot connections, for SPANSCOPE_SOAK_SECONDS (default 20 s). The server must stay up,
// answer every request it received completely, store every span it acknowledged and nothing of a request it did
// not receive whole. Prints request counts and the server's RSS before and after.

namespace {

constexpr int Clients = 32;

std::vector<Span> makeSpans(quint32 client, quint32 request, int count)
{
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("soak")) });
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("soak-client");
    QByteArray tid(16, '\0');
    tid[0] = char(0x50);
    qToBigEndian<quint32>(client, tid.data() + 4);
    qToBigEndian<quint32>(request, tid.data() + 12);
    std::vector<Span> spans;
    for (int i = 0; i < count; ++i) {
        Span s;
        s.traceId = TraceId::fromBytes(tid);
        QByteArray sid(8, '\0');
        sid[0] = char(0x11);
        qToBigEndian<quint32>(quint32(i + 1), sid.data() + 4);
        s.spanId = SpanId::fromBytes(sid);
        if (i > 0) {
            QByteArray parent(8, '\0');
            parent[0] = char(0x11);
            parent[7] = 1;
            s.parentSpanId = SpanId::fromBytes(parent);
        }
        s.name = QStringLiteral("soak-op-%1").arg(i);
        s.kind = i ? SpanKind::Client : SpanKind::Server;
        s.startTimeUnixNano = 1760000000000000000ULL + quint64(request) * 1000000ULL + quint64(i) * 1000ULL;
        s.endTimeUnixNano = s.startTimeUnixNano + 2500;
        s.attributes.push_back({ QStringLiteral("soak.client"), AnyValue::fromInt(client) });
        s.resource = resource;
        s.scope = scope;
        spans.push_back(std::move(s));
    }
    return spans;
}

qint64 rssKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

enum Kind { ValidProtobuf, ValidJson, EmptyBody, Malformed, HalfSent, Query, Health, KindCount };
const char* const KindNames[KindCount]
    = { "valid protobuf", "valid JSON", "empty body", "malformed", "closed mid-body", "query API", "healthz" };

struct Tally {
    std::mutex mutex;
    std::map<TraceId, int> acknowledged; ///< trace -> spans acknowledged (one request per trace)
    std::vector<TraceId> abandoned; ///< requests closed before their body was complete
    std::atomic<qint64> sent[KindCount] {};
    std::atomic<qint64> unanswered { 0 };
    std::atomic<qint64> unexpected { 0 };
    std::atomic<qint64> connectFailures { 0 };
    std::atomic<qint64> busy { 0 }; ///< 503: queue full (not acknowledged, so not required to be stored)
    QString firstProblem;

    void problem(const QString& what)
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (firstProblem.isEmpty())
            firstProblem = what;
    }
};

void runClient(quint16 port, quint32 client, std::chrono::steady_clock::time_point end, Tally* tally)
{
    std::mt19937 random(client * 7919U + 17U);
    quint32 request = 0;
    while (std::chrono::steady_clock::now() < end) {
        RawHttpConnection c(port);
        if (!c.ok()) {
            ++tally->connectFailures;
            tally->problem(QStringLiteral("client %1 could not connect").arg(client));
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        const bool keepAlive = random() % 2 == 0;
        const int requests = keepAlive ? int(random() % 20) + 1 : 1;
        for (int r = 0; r < requests && std::chrono::steady_clock::now() < end; ++r) {
            const int roll = int(random() % 100);
            const Kind kind = roll < 35 ? ValidProtobuf
                : roll < 50             ? ValidJson
                : roll < 60             ? EmptyBody
                : roll < 70             ? Malformed
                : roll < 75             ? HalfSent
                : roll < 92             ? Query
                                        : Health;
            const bool last = !keepAlive || r == requests - 1;
            ++tally->sent[kind];
            ++request;
            std::vector<Span> spans;
            QByteArray bytes;
            int expected = 200;
            switch (kind) {
            case ValidProtobuf:
                spans = makeSpans(client, request, int(random() % 50) + 1);
                bytes
                    = RawHttpConnection::post("application/x-protobuf", OtlpProtobufCodec::encodeRequest(spans), !last);
                break;
            case ValidJson:
                spans = makeSpans(client, request, int(random() % 20) + 1);
                bytes = RawHttpConnection::post("application/json", OtlpJsonCodec::encodeRequest(spans, false), !last);
                break;
            case EmptyBody:
                // An empty ExportTraceServiceRequest: no bytes in protobuf, {} in JSON.
                bytes = random() % 2 ? RawHttpConnection::post("application/x-protobuf", QByteArray(), !last)
                                     : RawHttpConnection::post("application/json", "{}", !last);
                break;
            case Malformed:
                bytes = random() % 2
                    ? RawHttpConnection::post("application/json", "{\"resourceSpans\": [ {\"scopeSpans\": ", !last)
                    : RawHttpConnection::post(
                        "application/x-protobuf", QByteArray("\x0a\xff\xff\xff\x0f garbage", 14), !last);
                expected = 400;
                break;
            case HalfSent: {
                spans = makeSpans(client, request, 10);
                const QByteArray whole
                    = RawHttpConnection::post("application/x-protobuf", OtlpProtobufCodec::encodeRequest(spans), true);
                bytes = whole.left(whole.size() - 20);
                break;
            }
            case Query:
                bytes = RawHttpConnection::get("/api/v1/traces?limit=1", !last);
                break;
            case Health:
                bytes = RawHttpConnection::get("/healthz", !last);
                break;
            case KindCount:
                break;
            }
            if (kind == HalfSent) {
                {
                    std::lock_guard<std::mutex> lock(tally->mutex);
                    tally->abandoned.push_back(spans.front().traceId);
                }
                c.send(bytes);
                break; // the connection closes with the request unfinished
            }
            if (!c.send(bytes)) {
                ++tally->unanswered;
                tally->problem(QStringLiteral("client %1: send of a %2 request failed")
                                   .arg(client)
                                   .arg(QLatin1String(KindNames[kind])));
                break;
            }
            bool serverClosed = false;
            const int status = c.readReply(&serverClosed);
            if (status == 0) {
                ++tally->unanswered;
                tally->problem(QStringLiteral("client %1: no reply to a %2 request")
                                   .arg(client)
                                   .arg(QLatin1String(KindNames[kind])));
                break;
            }
            if (status == 503) {
                ++tally->busy;
            } else if (status != expected) {
                ++tally->unexpected;
                tally->problem(QStringLiteral("client %1: %2 request answered %3, expected %4")
                                   .arg(client)
                                   .arg(QLatin1String(KindNames[kind]))
                                   .arg(status)
                                   .arg(expected));
            } else if (!spans.empty()) {
                std::lock_guard<std::mutex> lock(tally->mutex);
                tally->acknowledged[spans.front().traceId] = int(spans.size());
            }
            if (serverClosed)
                break;
        }
    }
}

} // namespace

class TestReceiverSoak : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void soak()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("soak.db"));
        const QString out = dir.filePath(QStringLiteral("serve.out"));
        QProcess server;
        server.setStandardOutputFile(out);
        server.setStandardErrorFile(dir.filePath(QStringLiteral("serve.err")));
        // SPANSCOPE_SOAK_BINARY runs the soak against another build (e.g. the TSan one).
        server.start(qEnvironmentVariable("SPANSCOPE_SOAK_BINARY", QStringLiteral(SPANSCOPE_BINARY)),
            { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"), QStringLiteral("off"),
                QStringLiteral("--store"), QStringLiteral("sqlite:") + db });
        QVERIFY2(server.waitForStarted(), qPrintable(server.errorString()));

        quint16 port = 0;
        const QRegularExpression listening(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)/v1/traces"));
        for (QDeadlineTimer deadline(30000); !port && !deadline.hasExpired() && server.state() == QProcess::Running;) {
            QFile f(out);
            if (f.open(QIODevice::ReadOnly)) {
                const auto m = listening.match(QString::fromUtf8(f.readAll()));
                if (m.hasMatch())
                    port = quint16(m.captured(1).toUInt());
            }
            if (!port)
                QTest::qWait(50);
        }
        QVERIFY2(port, "spanscope serve did not say where it listens");
        const qint64 pid = server.processId();
        const qint64 rssBefore = rssKiB(pid);

        const int seconds = qEnvironmentVariableIsSet("SPANSCOPE_SOAK_SECONDS")
            ? qEnvironmentVariableIntValue("SPANSCOPE_SOAK_SECONDS")
            : 20;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        Tally tally;
        std::vector<std::thread> clients;
        for (quint32 i = 0; i < Clients; ++i)
            clients.emplace_back(runClient, port, i + 1, end, &tally);
        for (auto& t : clients)
            t.join();

        // A dead child stays a zombie until QProcess reaps it in the event loop; a zombie has no VmRSS.
        QTest::qWait(200);
        const qint64 rssAfter = rssKiB(pid);
        const bool alive = server.state() == QProcess::Running && rssAfter >= 0;
        qint64 total = 0;
        for (int k = 0; k < KindCount; ++k) {
            qInfo("soak: %-16s %lld requests", KindNames[k], qlonglong(tally.sent[k].load()));
            total += tally.sent[k].load();
        }
        qint64 ackedSpans = 0;
        for (const auto& [trace, count] : tally.acknowledged)
            ackedSpans += count;
        qInfo("soak: %d clients, %d s: %lld requests, %lld spans acknowledged in %zu requests, %lld answered 503, "
              "server alive: %s (crashes: %d), RSS %lld KiB before, %lld KiB after",
            Clients, seconds, qlonglong(total), qlonglong(ackedSpans), tally.acknowledged.size(),
            qlonglong(tally.busy.load()), alive ? "yes" : "no", alive ? 0 : 1, qlonglong(rssBefore),
            qlonglong(rssAfter));
        if (!alive) {
            QFile err(dir.filePath(QStringLiteral("serve.err")));
            err.open(QIODevice::ReadOnly);
            qWarning("serve's stderr:\n%s", err.readAll().right(4000).constData());
        }
        QVERIFY2(alive, "spanscope serve died during the soak");
        QVERIFY2(tally.unanswered == 0 && tally.unexpected == 0 && tally.connectFailures == 0,
            qPrintable(QStringLiteral("%1 unanswered, %2 unexpected answers, %3 failed connects; first: %4")
                           .arg(tally.unanswered.load())
                           .arg(tally.unexpected.load())
                           .arg(tally.connectFailures.load())
                           .arg(tally.firstProblem)));
        QVERIFY(tally.sent[ValidProtobuf] > 0 && tally.sent[HalfSent] > 0);

        ::kill(pid_t(pid), SIGTERM);
        QVERIFY(server.waitForFinished(60000));
        QCOMPARE(server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.exitCode(), 0);

        SqliteTraceStore store(db);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        int missing = 0;
        for (const auto& [trace, count] : tally.acknowledged) {
            const auto spans = store.traceSpans(trace, &error);
            if (int(spans.size()) != count && missing++ < 5)
                qWarning("trace %s: %d spans acknowledged, %zu stored", qPrintable(trace.toHex()), count, spans.size());
        }
        QCOMPARE(missing, 0);
        int halfStored = 0;
        for (const TraceId& trace : tally.abandoned)
            if (store.traceSummary(trace, &error))
                ++halfStored;
        QCOMPARE(halfStored, 0);
    }
};

QTEST_GUILESS_MAIN(TestReceiverSoak)
#include "tst_receiversoak.moc"
