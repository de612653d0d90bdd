// The read-only query API: real HTTP against an OtlpHttpReceiver whose SQLite store was filled by posting OTLP (the
// files of tests/data/ plus generated traces), and QueryApi called directly over the in-memory store.

#include "ingest/api/queryapi.h"
#include "model/operationstats.h"
#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlphttpreceiver.h"
#include "storage/sqlitetracestore.h"

#include "../common/genaisummarycheck.h"
#include "../common/memorytracestore.h"
#include "../common/testdata.h"
#include "../common/testlogs.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <map>
#include <memory>

namespace {

constexpr std::uint64_t NanosPerSecond = 1000000000ULL;
// The generated small traces start one second apart from 2026-11-21T10:00:00Z.
constexpr std::uint64_t SmallT0 = 1795255200ULL * NanosPerSecond;
constexpr int SmallTraces = 230;
// The generated large trace starts at 2027-01-15T08:00:00Z, after everything else: the newest trace.
constexpr std::uint64_t BulkT0 = 1800000000ULL * NanosPerSecond;
constexpr int BulkSpans = 620;

// tests/data/otlp-json/checkout-fanout.json: 22 spans of 6 services, 3 errors, 19 events.
const char* const FanOutTraceId = "c7e1d2a9b8f34b5c9d0e1f2a3b4c5d6e";
// Traces in the OTLP files posted by initTestCase: 6 in the JSON requests, 12 in the protobuf one.
constexpr int FileTraces = 18;

TraceId smallTraceId(int k) { return TestSpans::traceId(quint64(0x5a000 + k)); }

TraceId bulkTraceId() { return TraceId::fromHex(u"b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"); }

std::vector<Span> smallTraces(int from, int to)
{
    std::vector<Span> spans;
    const auto a = TestSpans::resource(QStringLiteral("svc-a"));
    const auto b = TestSpans::resource(QStringLiteral("svc-b"));
    for (int k = from; k < to; ++k) {
        const std::uint64_t start = SmallT0 + std::uint64_t(k) * NanosPerSecond;
        spans.push_back(TestSpans::make(
            smallTraceId(k), 1, 0, QStringLiteral("small-%1").arg(k), k % 2 ? b : a, start, start + 2500000));
    }
    return spans;
}

AnyValue arrayValue(std::vector<AnyValue> values)
{
    AnyValue v;
    v.type = AnyValue::Type::Array;
    v.arrayValue = std::move(values);
    return v;
}

AnyValue mapValue(Attributes values)
{
    AnyValue v;
    v.type = AnyValue::Type::Map;
    v.mapValue = std::move(values);
    return v;
}

/// One trace of BulkSpans spans: a root and its children; span 1 carries every kind of value, an event and a link.
std::vector<Span> bulkTrace()
{
    auto resource = std::make_shared<Resource>();
    resource->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("bulk")) },
        { QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("box-1")) } };
    resource->schemaUrl = QStringLiteral("https://opentelemetry.io/schemas/1.24.0");
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("bulk-scope");
    scope->version = QStringLiteral("1.2.3");
    std::vector<Span> spans;
    for (int i = 0; i < BulkSpans; ++i) {
        Span s;
        s.traceId = bulkTraceId();
        s.spanId = TestSpans::spanId(quint64(0x1000 + i));
        if (i > 0)
            s.parentSpanId = TestSpans::spanId(0x1000);
        s.name = i ? QStringLiteral("child-%1").arg(i) : QStringLiteral("root");
        s.kind = i ? SpanKind::Client : SpanKind::Server;
        s.startTimeUnixNano = BulkT0 + std::uint64_t(i) * 1000;
        s.endTimeUnixNano = s.startTimeUnixNano + (i ? 1500000 : 900000000);
        s.resource = resource;
        s.scope = scope;
        if (i % 100 == 7) {
            s.statusCode = StatusCode::Error;
            s.statusMessage = QStringLiteral("boom %1").arg(i);
        }
        spans.push_back(std::move(s));
    }
    Span& rich = spans[1];
    rich.attributes = {
        { QStringLiteral("str"), AnyValue::fromString(QStringLiteral("héllo")) },
        { QStringLiteral("int"), AnyValue::fromInt(9007199254740993LL) },
        { QStringLiteral("double"), AnyValue::fromDouble(1.5) },
        { QStringLiteral("bool"), AnyValue::fromBool(true) },
        { QStringLiteral("bytes"), AnyValue::fromBytes(QByteArray("\x01\x02\x03", 3)) },
        { QStringLiteral("array"), arrayValue({ AnyValue::fromInt(1), AnyValue::fromString(QStringLiteral("two")) }) },
        { QStringLiteral("map"), mapValue({ { QStringLiteral("k"), AnyValue::fromString(QStringLiteral("v")) } }) },
    };
    rich.events = { SpanEvent {
        BulkT0 + 1500, QStringLiteral("retry"), { { QStringLiteral("attempt"), AnyValue::fromInt(2) } }, 0 } };
    rich.links = { SpanLink { smallTraceId(3), TestSpans::spanId(1), QStringLiteral("k=v"),
        { { QStringLiteral("why"), AnyValue::fromString(QStringLiteral("caused-by")) } }, 0, 1 } };
    rich.statusCode = StatusCode::Error;
    rich.statusMessage = QStringLiteral("upstream failed");
    return spans;
}

/// The span JSON of the bulk trace's span 1, as docs/query-api.md describes it.
QByteArray expectedRichSpan()
{
    // JSON with ' for ", to keep the literal readable.
    QByteArray json(
        "{ "
        "'trace_id': 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0', 'span_id': '0000000000001001', "
        "'parent_span_id': '0000000000001000', 'trace_state': '', 'flags': 0, "
        "'name': 'child-1', 'kind': 3, 'kind_name': 'client', "
        "'start_time': '2027-01-15T08:00:00.000001000Z', 'start_time_unix_nano': '1800000000000001000', "
        "'end_time': '2027-01-15T08:00:00.001501000Z', 'end_time_unix_nano': '1800000000001501000', "
        "'duration_ms': 1.5, "
        "'status': { 'code': 2, 'code_name': 'error', 'message': 'upstream failed' }, "
        "'attributes': [ "
        "{ 'key': 'str', 'value': { 'stringValue': 'héllo' } }, "
        "{ 'key': 'int', 'value': { 'intValue': '9007199254740993' } }, "
        "{ 'key': 'double', 'value': { 'doubleValue': 1.5 } }, "
        "{ 'key': 'bool', 'value': { 'boolValue': true } }, "
        "{ 'key': 'bytes', 'value': { 'bytesValue': 'AQID' } }, "
        "{ 'key': 'array', 'value': { 'arrayValue': { 'values': [ { 'intValue': '1' }, { 'stringValue': 'two' } ] } } "
        "}, "
        "{ 'key': 'map', 'value': { 'kvlistValue': { 'values': [ { 'key': 'k', 'value': { 'stringValue': 'v' } } ] } } "
        "} "
        "], "
        "'dropped_attributes_count': 0, "
        "'events': [ { 'name': 'retry', 'time': '2027-01-15T08:00:00.000001500Z', 'time_unix_nano': "
        "'1800000000000001500', "
        "'attributes': [ { 'key': 'attempt', 'value': { 'intValue': '2' } } ], 'dropped_attributes_count': 0 } ], "
        "'dropped_events_count': 0, "
        "'links': [ { 'trace_id': '7a00000000000000000000000005a003', 'span_id': '0000000000000001', 'trace_state': "
        "'k=v', "
        "'flags': 1, 'attributes': [ { 'key': 'why', 'value': { 'stringValue': 'caused-by' } } ], "
        "'dropped_attributes_count': 0 } ], "
        "'dropped_links_count': 0, "
        "'service_name': 'bulk', "
        "'resource': { 'service_name': 'bulk', 'schema_url': 'https://opentelemetry.io/schemas/1.24.0', "
        "'dropped_attributes_count': 0, "
        "'attributes': [ { 'key': 'service.name', 'value': { 'stringValue': 'bulk' } }, "
        "{ 'key': 'host.name', 'value': { 'stringValue': 'box-1' } } ] }, "
        "'scope': { 'name': 'bulk-scope', 'version': '1.2.3', 'attributes': [], 'dropped_attributes_count': 0, "
        "'schema_url': '' } "
        "} ");
    return json.replace('\'', '"');
}

std::vector<Span> sortedBySpanId(std::vector<Span> spans)
{
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.spanId < b.spanId; });
    return spans;
}

QStringList traceIdsOf(const QJsonArray& traces)
{
    QStringList ids;
    for (const QJsonValue t : traces)
        ids.append(t.toObject().value(QStringLiteral("trace_id")).toString());
    return ids;
}

QStringList traceIdsOf(const std::vector<TraceSummary>& traces)
{
    QStringList ids;
    for (const TraceSummary& t : traces)
        ids.append(t.traceId.toHex());
    return ids;
}

struct Reply {
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray contentType;
    QByteArray contentEncoding;
    QByteArray allow;
};

/// One parsed HTTP/1.1 response read from a socket (Content-Length bodies only, which is all the receiver sends).
struct RawResponse {
    int status = 0;
    QByteArray head;
    QByteArray body;
};

/// `headRequest`: the answer to a HEAD request, which has a Content-Length but no body.
bool readResponse(QTcpSocket& socket, QByteArray& buffer, RawResponse* out, bool headRequest = false)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QByteArray head = buffer.left(headEnd);
            qint64 length = 0;
            for (const QByteArray& line : head.split('\n')) {
                const QByteArray l = line.trimmed();
                if (l.toLower().startsWith("content-length:"))
                    length = l.mid(15).trimmed().toLongLong();
            }
            if (headRequest)
                length = 0;
            if (buffer.size() >= headEnd + 4 + length) {
                out->head = head;
                out->body = buffer.mid(headEnd + 4, length);
                out->status = head.split(' ').value(1).toInt();
                buffer.remove(0, headEnd + 4 + length);
                return true;
            }
        }
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            return false;
        if (socket.waitForReadyRead(200))
            buffer += socket.readAll();
    }
    return false;
}

/// A store whose every read fails, as a PostgreSQL store does when its server is down.
class FailingStore final : public MemoryTraceStore {
public:
    std::vector<TraceSummary> listTraces(const TraceQuery&, QString* error) override
    {
        if (error)
            *error = QStringLiteral("connection refused (database is down)");
        return {};
    }
    std::optional<TraceSummary> traceSummary(const TraceId&, QString* error) override
    {
        if (error)
            *error = QStringLiteral("connection refused (database is down)");
        return std::nullopt;
    }
    std::vector<Span> traceSpans(const TraceId&, QString* error) override
    {
        if (error)
            *error = QStringLiteral("connection refused (database is down)");
        return {};
    }
};

/// A store that keeps a ready-made raw document (as PostgreSQL with S3 does).
class BlobStore final : public MemoryTraceStore {
public:
    QByteArray traceBlob(const TraceId&, QString*) override { return blob; }
    QByteArray blob;
};

QueryApi::Request getRequest(const QString& path, QList<std::pair<QString, QString>> query = {})
{
    return QueryApi::Request { QByteArrayLiteral("GET"), path, std::move(query) };
}

QJsonObject jsonOf(const QueryApi::Response& r) { return QJsonDocument::fromJson(r.body).object(); }

} // namespace

class TestQueryApi : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteTraceStore> m_store;
    std::unique_ptr<IngestPipeline> m_pipeline;
    std::unique_ptr<OtlpHttpReceiver> m_receiver;
    QNetworkAccessManager m_nam;
    std::vector<TraceSummary> m_allTraces; // straight from the store, newest first

    QUrl url(const QString& pathAndQuery, quint16 port = 0) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port ? port : m_receiver->port()) + pathAndQuery);
    }

    Reply send(const QByteArray& verb, const QUrl& u, const QByteArray& body = {},
        const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        QNetworkRequest req(u);
        for (const auto& h : headers)
            req.setRawHeader(h.first, h.second);
        QNetworkReply* reply = m_nam.sendCustomRequest(req, verb, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            [&] { QVERIFY(done.wait(30000)); }();
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.json = QJsonDocument::fromJson(r.body).object();
        r.contentType = reply->rawHeader("Content-Type");
        r.contentEncoding = reply->rawHeader("Content-Encoding");
        r.allow = reply->rawHeader("Allow");
        reply->deleteLater();
        return r;
    }
    Reply get(const QString& pathAndQuery, quint16 port = 0) { return send("GET", url(pathAndQuery, port)); }
    bool post(const QByteArray& body, const QByteArray& contentType)
    {
        const Reply r = send("POST", url(QStringLiteral("/v1/traces")), body, { { "Content-Type", contentType } });
        if (r.status != 200)
            qWarning() << "POST answered" << r.status << r.body;
        return r.status == 200;
    }
    /// Every page of the list route for `query`, by offset.
    QStringList pageAll(const QString& query, int limit)
    {
        QStringList ids;
        for (int offset = 0; offset < 10000; offset += limit) {
            const Reply r
                = get(QStringLiteral("/api/v1/traces?limit=%1&offset=%2%3").arg(limit).arg(offset).arg(query));
            if (r.status != 200) {
                qWarning() << r.status << r.body;
                return {};
            }
            ids += traceIdsOf(r.json.value(QStringLiteral("traces")).toArray());
            if (!r.json.value(QStringLiteral("has_more")).toBool())
                break;
        }
        return ids;
    }
    std::vector<TraceSummary> storeList(TraceQuery q)
    {
        q.limit = 100000;
        return m_store->listTraces(q);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<SqliteTraceStore>(m_dir.filePath(QStringLiteral("query.db")));
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        m_pipeline = std::make_unique<IngestPipeline>(m_store.get());
        m_pipeline->start();
        OtlpHttpReceiver::Options options;
        options.port = 0;
        m_receiver = std::make_unique<OtlpHttpReceiver>(m_pipeline.get(), options);
        QVERIFY2(m_receiver->start(&error), qPrintable(error));

        // OTLP requests: the project's test files as they are, and generated traces.
        SPANSCOPE_TEST_FILE(jsonDirPath, QStringLiteral("otlp-json/checkout-fanout.json"));
        const QDir jsonDir = QFileInfo(jsonDirPath).dir();
        const QStringList files = jsonDir.entryList({ QStringLiteral("*.json") }, QDir::Files);
        int posted = 0;
        for (const QString& name : files) {
            if (name.contains(QLatin1String("manifest")) || name == QLatin1String("invalid-ids.json")
                || name == QLatin1String("pretty-bad-trace-id.json")) // import-message fixture, mostly invalid spans
                continue;
            QByteArray body;
            QVERIFY2(TestData::read(jsonDir.filePath(name), &body, &error), qPrintable(error));
            QVERIFY2(post(body, "application/json"), qPrintable(name));
            ++posted;
        }
        QCOMPARE(posted, 5);
        SPANSCOPE_READ_TEST_FILE(pb, QStringLiteral("otlp-protobuf/shop-grpc.pb"));
        QVERIFY(post(pb, "application/x-protobuf"));
        for (int from = 0; from < SmallTraces; from += 46)
            QVERIFY(post(OtlpJsonCodec::encodeRequest(smallTraces(from, std::min(from + 46, SmallTraces)), false),
                "application/json"));
        QVERIFY(post(OtlpProtobufCodec::encodeRequest(bulkTrace()), "application/x-protobuf"));

        m_allTraces = storeList(TraceQuery());
        QCOMPARE(m_allTraces.size(), std::size_t(FileTraces + SmallTraces + 1));
        QCOMPARE(m_allTraces.front().traceId, bulkTraceId());
    }

    void cleanupTestCase()
    {
        m_receiver.reset();
        m_pipeline.reset();
        m_store.reset();
    }

    void listsNewestFirstWithDefaults()
    {
        const Reply r = get(QStringLiteral("/api/v1/traces"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.contentType, QByteArray("application/json"));
        QCOMPARE(r.json.value(QStringLiteral("limit")).toInt(), QueryApi::DefaultTraceLimit);
        QCOMPARE(r.json.value(QStringLiteral("offset")).toInt(), 0);
        QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), 50);
        QCOMPARE(r.json.value(QStringLiteral("has_more")).toBool(), true);
        const QJsonArray traces = r.json.value(QStringLiteral("traces")).toArray();
        std::vector<TraceSummary> expected(m_allTraces.begin(), m_allTraces.begin() + 50);
        QCOMPARE(traceIdsOf(traces), traceIdsOf(expected));

        // The newest is the bulk trace; every field of its summary.
        const QJsonObject bulk = traces.at(0).toObject();
        QCOMPARE(bulk.value(QStringLiteral("trace_id")).toString(), bulkTraceId().toHex());
        QCOMPARE(bulk.value(QStringLiteral("root_service_name")).toString(), QStringLiteral("bulk"));
        QCOMPARE(bulk.value(QStringLiteral("root_span_name")).toString(), QStringLiteral("root"));
        QCOMPARE(bulk.value(QStringLiteral("services")).toArray(), QJsonArray { QStringLiteral("bulk") });
        QCOMPARE(bulk.value(QStringLiteral("start_time")).toString(), QStringLiteral("2027-01-15T08:00:00.000000000Z"));
        QCOMPARE(bulk.value(QStringLiteral("start_time_unix_nano")).toString(), QString::number(BulkT0));
        QCOMPARE(bulk.value(QStringLiteral("end_time")).toString(), QStringLiteral("2027-01-15T08:00:00.900000000Z"));
        QCOMPARE(bulk.value(QStringLiteral("end_time_unix_nano")).toString(), QString::number(BulkT0 + 900000000));
        QCOMPARE(bulk.value(QStringLiteral("duration_ms")).toDouble(), 900.0);
        QCOMPARE(bulk.value(QStringLiteral("span_count")).toInt(), BulkSpans);
        QCOMPARE(bulk.value(QStringLiteral("error_count")).toInt(), 8); // spans 1, 7, 107, ..., 607
        QCOMPARE(bulk.value(QStringLiteral("has_root")).toBool(), true);
        QCOMPARE(bulk.value(QStringLiteral("input_tokens")).toInt(), 0);
        QCOMPARE(bulk.value(QStringLiteral("output_tokens")).toInt(), 0);
        QCOMPARE(bulk.value(QStringLiteral("llm_calls")).toInt(), 0);
        QCOMPARE(bulk.value(QStringLiteral("tool_calls")).toInt(), 0);
        QCOMPARE(bulk.value(QStringLiteral("cached_input_tokens")).toInt(), 0);
        QCOMPARE(bulk.value(QStringLiteral("models")).toArray(), QJsonArray());
        QVERIFY(bulk.value(QStringLiteral("conversation_id")).isNull());

        // The agent fixture (trip-planner-agent.json): tokens of its two chat spans only, not of the agent span.
        const Reply agent = get(QStringLiteral("/api/v1/traces?trace_id=6a11e5c2b7d94f08a3c15e2d9b4f7a60"));
        QCOMPARE(agent.status, 200);
        const QJsonObject trip = agent.json.value(QStringLiteral("traces")).toArray().at(0).toObject();
        QCOMPARE(trip.value(QStringLiteral("llm_calls")).toInt(), 2);
        QCOMPARE(trip.value(QStringLiteral("tool_calls")).toInt(), 2);
        QCOMPARE(trip.value(QStringLiteral("input_tokens")).toInt(), 845 + 1210);
        QCOMPARE(trip.value(QStringLiteral("output_tokens")).toInt(), 96 + 402);
        const QJsonArray models = trip.value(QStringLiteral("models")).toArray();
        QCOMPARE(models.size(), 1);
        QCOMPARE(models.at(0).toObject().value(QStringLiteral("model")).toString(), QStringLiteral("gpt-4o-mini"));
        QCOMPARE(models.at(0).toObject().value(QStringLiteral("llm_calls")).toInt(), 2);
        // Priced by the server's table, as the trace list prices it.
        const std::optional<Cost> cost = PriceTable::load().cost(QStringLiteral("gpt-4o-mini"), 845 + 1210, 96 + 402,
            trip.value(QStringLiteral("cached_input_tokens")).toInt());
        QVERIFY(cost);
        QVERIFY(cost->amount > 0);
        QCOMPARE(trip.value(QStringLiteral("cost")).toDouble(), cost->amount);
        QCOMPARE(trip.value(QStringLiteral("currency")).toString(), cost->currency);
        const Reply bulkReply = get(QStringLiteral("/api/v1/traces?trace_id=") + bulkTraceId().toHex());
        const QJsonObject plain = bulkReply.json.value(QStringLiteral("traces")).toArray().at(0).toObject();
        QVERIFY(plain.contains(QStringLiteral("cost")));
        QVERIFY(plain.value(QStringLiteral("cost")).isNull()); // no LLM call: nothing priced, not 0
    }

    void listsGenAiFiguresAndSessions()
    {
        MemoryTraceStore store;
        GenAiSummaryCheck::write(store);
        if (QTest::currentTestFailed())
            return;
        QueryApi api(&store);
        QueryApi::Response r
            = api.handle(getRequest(QStringLiteral("/api/v1/traces"), { { QStringLiteral("conversation_id"), QStringLiteral("conv-a") } }));
        QCOMPARE(r.status, 200);
        QJsonArray traces = jsonOf(r).value(QStringLiteral("traces")).toArray();
        QCOMPARE(traces.size(), 1);
        const TraceSummary expected = *store.traceSummary(GenAiSummaryCheck::traceIdOf(1));
        const QJsonObject a = traces.at(0).toObject();
        QCOMPARE(a.value(QStringLiteral("trace_id")).toString(), expected.traceId.toHex());
        QCOMPARE(a.value(QStringLiteral("conversation_id")).toString(), QStringLiteral("conv-a"));
        QCOMPARE(a.value(QStringLiteral("llm_calls")).toInteger(), expected.llmCalls);
        QCOMPARE(a.value(QStringLiteral("tool_calls")).toInteger(), expected.toolCalls);
        QCOMPARE(a.value(QStringLiteral("input_tokens")).toInteger(), expected.inputTokens);
        QCOMPARE(a.value(QStringLiteral("output_tokens")).toInteger(), expected.outputTokens);
        QCOMPARE(a.value(QStringLiteral("cached_input_tokens")).toInteger(), expected.cachedInputTokens);
        const QJsonArray models = a.value(QStringLiteral("models")).toArray();
        QCOMPARE(models.size(), qsizetype(expected.modelUsage.size()));
        for (qsizetype i = 0; i < models.size(); ++i) {
            const QJsonObject m = models.at(i).toObject();
            const ModelUsage& u = expected.modelUsage[std::size_t(i)];
            QCOMPARE(m.value(QStringLiteral("model")).toString(), u.model);
            QCOMPARE(m.value(QStringLiteral("llm_calls")).toInteger(), u.calls);
            QCOMPARE(m.value(QStringLiteral("input_tokens")).toInteger(), u.inputTokens);
            QCOMPARE(m.value(QStringLiteral("output_tokens")).toInteger(), u.outputTokens);
            QCOMPARE(m.value(QStringLiteral("cached_input_tokens")).toInteger(), u.cachedInputTokens);
        }

        // The session filter with trace_id, and one that matches nothing.
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces"),
            { { QStringLiteral("conversation_id"), QStringLiteral("conv-b") },
                { QStringLiteral("trace_id"), GenAiSummaryCheck::traceIdOf(1).toHex() } }));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("count")).toInt(), 0);
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces"), { { QStringLiteral("conversation_id"), QStringLiteral("conv-") } }));
        QCOMPARE(jsonOf(r).value(QStringLiteral("count")).toInt(), 0);

        // Ordered by LLM calls, fewest first: the agent trace is last.
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces"),
            { { QStringLiteral("order_by"), QStringLiteral("llm_calls") }, { QStringLiteral("order"), QStringLiteral("asc") } }));
        QCOMPARE(r.status, 200);
        traces = jsonOf(r).value(QStringLiteral("traces")).toArray();
        QCOMPARE(traces.size(), 3);
        QCOMPARE(traces.at(2).toObject().value(QStringLiteral("trace_id")).toString(), expected.traceId.toHex());
        QVERIFY(traces.at(0).toObject().value(QStringLiteral("conversation_id")).isNull()); // trace 3
    }

    void limitBounds_data()
    {
        QTest::addColumn<QString>("limit");
        QTest::addColumn<int>("status");
        QTest::newRow("1") << QStringLiteral("1") << 200;
        QTest::newRow("200 (max)") << QStringLiteral("200") << 200;
        QTest::newRow("201") << QStringLiteral("201") << 400;
        QTest::newRow("0") << QStringLiteral("0") << 400;
        QTest::newRow("-5") << QStringLiteral("-5") << 400;
        QTest::newRow("abc") << QStringLiteral("abc") << 400;
        QTest::newRow("1.5") << QStringLiteral("1.5") << 400;
        QTest::newRow("huge") << QStringLiteral("99999999999999999999") << 400;
    }
    void limitBounds()
    {
        QFETCH(QString, limit);
        QFETCH(int, status);
        const Reply r = get(QStringLiteral("/api/v1/traces?limit=") + limit);
        QCOMPARE(r.status, status);
        if (status == 200) {
            QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), limit.toInt());
            QCOMPARE(r.json.value(QStringLiteral("limit")).toInt(), limit.toInt());
        } else {
            QCOMPARE(r.json.value(QStringLiteral("error")).toString(),
                QStringLiteral("limit must be an integer between 1 and 200, not \"%1\"").arg(limit));
        }
    }

    void offsetPagesAreDisjointAndCoverEverything_data()
    {
        QTest::addColumn<int>("limit");
        QTest::newRow("37") << 37;
        QTest::newRow("200") << 200;
    }
    void offsetPagesAreDisjointAndCoverEverything()
    {
        QFETCH(int, limit);
        const QStringList ids = pageAll(QString(), limit);
        QCOMPARE(ids, traceIdsOf(m_allTraces)); // same order, nothing missing, nothing twice
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());

        const Reply past = get(QStringLiteral("/api/v1/traces?offset=%1").arg(m_allTraces.size()));
        QCOMPARE(past.status, 200);
        QCOMPARE(past.json.value(QStringLiteral("count")).toInt(), 0);
        QCOMPARE(past.json.value(QStringLiteral("has_more")).toBool(), false);
    }

    void ordersByTheRequestedKey_data()
    {
        QTest::addColumn<QString>("orderBy");
        QTest::addColumn<QString>("order");
        QTest::addColumn<int>("storeOrder");
        const std::pair<const char*, TraceOrder> keys[]
            = { { "start_time", TraceOrder::StartTime }, { "duration", TraceOrder::Duration },
                  { "span_count", TraceOrder::SpanCount }, { "error_count", TraceOrder::ErrorCount },
                  { "llm_calls", TraceOrder::LlmCalls }, { "tool_calls", TraceOrder::ToolCalls },
                  { "input_tokens", TraceOrder::InputTokens }, { "output_tokens", TraceOrder::OutputTokens },
                  { "cost", TraceOrder::Cost }, { "root_service_name", TraceOrder::Service },
                  { "root_span_name", TraceOrder::Name }, { "total_tokens", TraceOrder::Tokens } };
        for (const auto& [name, order] : keys)
            for (const char* direction : { "desc", "asc" })
                QTest::addRow("%s %s", name, direction)
                    << QString::fromLatin1(name) << QString::fromLatin1(direction) << int(order);
    }
    void filtersByMinimumDuration()
    {
        // A threshold between the store's durations, in fractional ms, with and without an order; the store applies it
        // to every page.
        std::vector<std::uint64_t> durations;
        for (const TraceSummary& s : m_allTraces)
            durations.push_back(s.durationNanos());
        std::sort(durations.begin(), durations.end());
        durations.erase(std::unique(durations.begin(), durations.end()), durations.end());
        QVERIFY(durations.size() > 2);
        const std::uint64_t threshold = durations[durations.size() / 2];
        const QString ms = QString::number(double(threshold) / 1e6, 'f', 6);
        TraceQuery q;
        q.minDurationNanos = std::uint64_t(std::llround(ms.toDouble() * 1e6));
        QCOMPARE(q.minDurationNanos, threshold);
        const std::vector<TraceSummary> expected = storeList(q);
        QVERIFY(expected.size() > 1 && expected.size() < m_allTraces.size());
        for (const TraceSummary& s : expected)
            QVERIFY(s.durationNanos() >= threshold);
        QCOMPARE(pageAll(QStringLiteral("&min_duration_ms=") + ms, 7), traceIdsOf(expected));
        q.order = TraceOrder::Duration;
        q.descending = false;
        const QStringList shortestFirst = pageAll(QStringLiteral("&min_duration_ms=%1&order_by=duration&order=asc").arg(ms), 5);
        QCOMPARE(shortestFirst, traceIdsOf(storeList(q)));
        QCOMPARE(m_allTraces.size() > expected.size(), true);
        // With trace_id: the one trace when it is long enough, else none.
        const TraceSummary& longest = expected.front();
        const TraceSummary* shortest = &m_allTraces.front();
        for (const TraceSummary& s : m_allTraces)
            if (s.durationNanos() < shortest->durationNanos())
                shortest = &s;
        QCOMPARE(get(QStringLiteral("/api/v1/traces?trace_id=%1&min_duration_ms=%2").arg(longest.traceId.toHex(), ms))
                     .json.value(QStringLiteral("count")).toInt(), 1);
        QCOMPARE(get(QStringLiteral("/api/v1/traces?trace_id=%1&min_duration_ms=%2").arg(shortest->traceId.toHex(), ms))
                     .json.value(QStringLiteral("count")).toInt(), 0);
    }

    void filtersByTextAndErrors()
    {
        // Passed to the store's filter (TraceQuery::text, errorsOnly) for every page, alone, together and with an order.
        QString name;
        for (const TraceSummary& s : m_allTraces)
            if (s.rootSpanName.size() >= 6) {
                name = s.rootSpanName;
                break;
            }
        QVERIFY(!name.isEmpty());
        const QString term = name.mid(1, 4).toUpper(); // inside the name, in other case
        TraceQuery byText;
        byText.text = term;
        const std::vector<TraceSummary> withText = storeList(byText);
        QVERIFY(!withText.empty() && withText.size() < m_allTraces.size());
        QCOMPARE(pageAll(QStringLiteral("&text=") + QString::fromLatin1(QUrl::toPercentEncoding(term)), 3),
            traceIdsOf(withText));
        TraceQuery errors;
        errors.errorsOnly = true;
        const std::vector<TraceSummary> withErrors = storeList(errors);
        QVERIFY(!withErrors.empty() && withErrors.size() < m_allTraces.size());
        for (const TraceSummary& s : withErrors)
            QVERIFY(s.errorCount > 0);
        QCOMPARE(pageAll(QStringLiteral("&errors_only=true"), 4), traceIdsOf(withErrors));
        QCOMPARE(pageAll(QStringLiteral("&errors_only=false"), 200), traceIdsOf(m_allTraces));
        TraceQuery both = errors;
        both.text = term;
        both.order = TraceOrder::Duration;
        QCOMPARE(pageAll(QStringLiteral("&errors_only=true&order_by=duration&text=") + term.toLower(), 2),
            traceIdsOf(storeList(both)));
        QCOMPARE(get(QStringLiteral("/api/v1/traces?text=nowhere-in-any-trace")).json.value(QStringLiteral("count")).toInt(), 0);
        // The statistics and the time series take the same filter.
        const Reply stats = get(QStringLiteral("/api/v1/stats?errors_only=true"));
        QCOMPARE(stats.status, 200);
        qint64 errorSpans = 0;
        for (const QJsonValue& o : stats.json.value(QStringLiteral("operations")).toArray())
            errorSpans += o.toObject().value(QStringLiteral("errors")).toInteger();
        qint64 expectedErrors = 0;
        for (const TraceSummary& s : withErrors)
            expectedErrors += s.errorCount;
        QCOMPARE(errorSpans, expectedErrors);
        const Reply series = get(QStringLiteral("/api/v1/timeseries?bucket=1d&text=") + term);
        QCOMPARE(series.status, 200);
        qint64 traces = 0;
        for (const QJsonValue& b : series.json.value(QStringLiteral("buckets")).toArray())
            traces += b.toObject().value(QStringLiteral("traces")).toInteger();
        QCOMPARE(traces, qint64(withText.size()));
    }

    void ordersByTheRequestedKey()
    {
        QFETCH(QString, orderBy);
        QFETCH(QString, order);
        QFETCH(int, storeOrder);
        const bool descending = order == u"desc";
        const QString params = QStringLiteral("&order_by=%1&order=%2").arg(orderBy, order);
        const QStringList ids = pageAll(params, 37);
        TraceQuery q;
        q.order = TraceOrder(storeOrder);
        q.descending = descending;
        q.prices = std::make_shared<const PriceTable>(PriceTable::load()); // the server's (cost only)
        QCOMPARE(ids, traceIdsOf(storeList(q)));
        QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), int(m_allTraces.size()));

        // The order as the answer shows it, ties by trace id in the same direction.
        const QString key = orderBy == u"start_time" ? QStringLiteral("start_time_unix_nano")
            : orderBy == u"duration"                 ? QStringLiteral("duration_ms")
                                                     : orderBy;
        const Reply r = get(QStringLiteral("/api/v1/traces?limit=200") + params);
        QCOMPARE(r.status, 200);
        const QJsonArray traces = r.json.value(QStringLiteral("traces")).toArray();
        QCOMPARE(traces.size(), 200);
        for (qsizetype i = 1; i < traces.size(); ++i) {
            const QJsonObject a = traces.at(i - 1).toObject();
            const QJsonObject b = traces.at(i).toObject();
            if (key.startsWith(u"root_")) { // text: code point order
                const int c = TraceOrdering::compareText(a.value(key).toString(), b.value(key).toString());
                QVERIFY2(descending ? c >= 0 : c <= 0,
                    qPrintable(a.value(key).toString() + QStringLiteral(" then ") + b.value(key).toString()));
                continue;
            }
            if (key == u"total_tokens") {
                const auto total = [](const QJsonObject& o) {
                    return o.value(QStringLiteral("input_tokens")).toInteger() + o.value(QStringLiteral("output_tokens")).toInteger();
                };
                QVERIFY(descending ? total(a) >= total(b) : total(a) <= total(b));
                continue;
            }
            const QJsonValue va = a.value(key);
            const QJsonValue vb = b.value(key);
            const double ka = va.isString() ? va.toString().toDouble() : va.toDouble();
            const double kb = vb.isString() ? vb.toString().toDouble() : vb.toDouble();
            const bool inOrder = descending ? ka >= kb : ka <= kb;
            QVERIFY2(inOrder, qPrintable(QStringLiteral("%1: %2 then %3").arg(key).arg(ka).arg(kb)));
        }
        if (orderBy == u"duration" && descending) {
            std::uint64_t longest = 0;
            for (const TraceSummary& s : m_allTraces)
                longest = std::max(longest, s.durationNanos());
            QCOMPARE(traces.at(0).toObject().value(QStringLiteral("duration_ms")).toDouble(), longest / 1e6);
        }
    }

    void defaultOrderIsStartTimeDescending()
    {
        QCOMPARE(pageAll(QStringLiteral("&order_by=start_time&order=desc"), 200), traceIdsOf(m_allTraces));
        QCOMPARE(pageAll(QStringLiteral("&order=desc"), 200), traceIdsOf(m_allTraces));
        QStringList reversed = traceIdsOf(m_allTraces);
        std::reverse(reversed.begin(), reversed.end());
        QCOMPARE(pageAll(QStringLiteral("&order=asc"), 200), reversed);
    }

    void filtersByService()
    {
        QStringList ids = pageAll(QStringLiteral("&service_name=svc-a"), 40);
        QCOMPARE(ids.size(), SmallTraces / 2);
        TraceQuery q;
        q.serviceName = QStringLiteral("svc-a");
        QCOMPARE(ids, traceIdsOf(storeList(q)));

        // A service that is not the root's matches too (the fan-out trace's "checkout-db").
        ids = pageAll(QStringLiteral("&service_name=checkout-db"), 10);
        QCOMPARE(ids, QStringList { QLatin1String(FanOutTraceId) });
        const Reply r = get(QStringLiteral("/api/v1/traces?service_name=checkout-db"));
        QCOMPARE(r.json.value(QStringLiteral("traces"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("services"))
                     .toArray()
                     .size(),
            6);

        // Percent-encoded names, and names nobody uses.
        QCOMPARE(pageAll(QStringLiteral("&service_name=svc%2Db"), 200).size(), SmallTraces / 2);
        QCOMPARE(pageAll(QStringLiteral("&service_name=no%20such%20service"), 10), QStringList());
    }

    void filtersByStartTime_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("last");
        const QString gte10 = QString::number(SmallT0 + 10 * NanosPerSecond);
        const QString lte19 = QString::number(SmallT0 + 19 * NanosPerSecond);
        // Both bounds are inclusive.
        QTest::newRow("rfc3339 utc") << QStringLiteral(
            "&start_time_gte=2026-11-21T10:00:10Z&start_time_lte=2026-11-21T10:00:19Z")
                                     << 10 << 19;
        QTest::newRow("unix ns") << QStringLiteral("&start_time_gte=%1&start_time_lte=%2").arg(gte10, lte19) << 10
                                 << 19;
        QTest::newRow("mixed, offsets") << QStringLiteral(
            "&start_time_gte=2026-11-21T11:00:10%2B01:00&start_time_lte=2026-11-21T05:00:19-05:00")
                                        << 10 << 19;
        QTest::newRow("literal +") << QStringLiteral("&start_time_gte=2026-11-21T11:00:10+01:00&start_time_lte=")
                + lte19 << 10 << 19;
        QTest::newRow("fraction") << QStringLiteral(
            "&start_time_gte=2026-11-21T10:00:10.000000001Z&start_time_lte=2026-11-21T10:00:19.999Z")
                                  << 11 << 19;
        QTest::newRow("lowercase t z") << QStringLiteral("&start_time_gte=2026-11-21t10:03:40z") << 220
                                       << SmallTraces - 1;
        QTest::newRow("sub-second bound")
            << QStringLiteral("&start_time_gte=2026-11-21T09:00:00Z&start_time_lte=2026-11-21T10:00:02.5Z") << 0 << 2;
    }
    void filtersByStartTime()
    {
        QFETCH(QString, query);
        QFETCH(int, first);
        QFETCH(int, last);
        const QStringList ids = pageAll(query, 7);
        QStringList expected;
        for (int k = last; k >= first; --k)
            expected.append(smallTraceId(k).toHex());
        if (query.contains(QLatin1String("10:03:40")))
            expected.prepend(bulkTraceId().toHex()); // no upper bound: the bulk trace is newer
        QCOMPARE(ids, expected);
    }

    void combinesServiceAndTime()
    {
        const QStringList ids = pageAll(
            QStringLiteral(
                "&service_name=svc-b&start_time_gte=2026-11-21T10:00:10Z&start_time_lte=2026-11-21T10:00:19Z"),
            2);
        QCOMPARE(ids,
            (QStringList { smallTraceId(19).toHex(), smallTraceId(17).toHex(), smallTraceId(15).toHex(),
                smallTraceId(13).toHex(), smallTraceId(11).toHex() }));
    }

    void filtersByTraceId_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<bool>("found");
        const QString upper = QString::fromLatin1(FanOutTraceId).toUpper();
        QTest::newRow("upper case") << QStringLiteral("trace_id=") + upper << true;
        QTest::newRow("with its service") << QStringLiteral("trace_id=%1&service_name=checkout-db").arg(upper) << true;
        QTest::newRow("with another service") << QStringLiteral("trace_id=%1&service_name=svc-a").arg(upper) << false;
        QTest::newRow("inside the range")
            << QStringLiteral("trace_id=%1&start_time_gte=1&start_time_lte=%2").arg(upper).arg(SmallT0) << true;
        QTest::newRow("before the range")
            << QStringLiteral("trace_id=%1&start_time_gte=%2").arg(upper).arg(SmallT0) << false;
        QTest::newRow("offset 1") << QStringLiteral("trace_id=%1&offset=1").arg(upper) << false;
        QTest::newRow("unknown") << QStringLiteral("trace_id=0123456789abcdef0123456789abcdef") << false;
    }
    void filtersByTraceId()
    {
        QFETCH(QString, query);
        QFETCH(bool, found);
        const Reply r = get(QStringLiteral("/api/v1/traces?") + query);
        QCOMPARE(r.status, 200);
        const QJsonArray traces = r.json.value(QStringLiteral("traces")).toArray();
        QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), found ? 1 : 0);
        QCOMPARE(traces.size(), found ? 1 : 0);
        QCOMPARE(r.json.value(QStringLiteral("has_more")).toBool(), false);
        if (found)
            QCOMPARE(
                traces.at(0).toObject().value(QStringLiteral("trace_id")).toString(), QLatin1String(FanOutTraceId));
    }

    void badParametersAre400_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("reason");
        const QString traces = QStringLiteral("/api/v1/traces");
        const QString bulk = traces + QLatin1Char('/') + bulkTraceId().toHex();
        QTest::newRow("non-numeric limit") << traces + QStringLiteral("?limit=ten")
                                           << QStringLiteral("limit must be an integer between 1 and 200, not \"ten\"");
        QTest::newRow("negative offset") << traces + QStringLiteral("?offset=-1")
                                         << QStringLiteral("offset must be an integer between 0");
        QTest::newRow("non-numeric offset")
            << traces + QStringLiteral("?offset=x") << QStringLiteral("offset must be an integer");
        QTest::newRow("bad time") << traces + QStringLiteral("?start_time_gte=yesterday")
                                  << QStringLiteral("start_time_gte: expected RFC 3339");
        QTest::newRow("bad date") << traces + QStringLiteral("?start_time_lte=2026-13-01T00:00:00Z")
                                  << QStringLiteral("start_time_lte: not a valid date");
        QTest::newRow("no zone") << traces + QStringLiteral("?start_time_lte=2026-11-01T00:00:00")
                                 << QStringLiteral("start_time_lte: expected RFC 3339");
        QTest::newRow("ten fraction digits")
            << traces + QStringLiteral("?start_time_lte=2026-11-01T00:00:00.1234567891Z")
            << QStringLiteral("start_time_lte: expected RFC 3339");
        QTest::newRow("before epoch") << traces + QStringLiteral("?start_time_gte=1969-12-31T23:59:59Z")
                                      << QStringLiteral("before the Unix epoch");
        QTest::newRow("negative ns") << traces + QStringLiteral("?start_time_gte=-5")
                                     << QStringLiteral("start_time_gte: expected RFC 3339");
        QTest::newRow("lte at epoch") << traces + QStringLiteral("?start_time_lte=0")
                                      << QStringLiteral("start_time_lte must be later than the Unix epoch");
        QTest::newRow("gte after lte") << traces + QStringLiteral("?start_time_gte=2000&start_time_lte=1000")
                                       << QStringLiteral("start_time_gte is later than start_time_lte");
        QTest::newRow("short trace id") << traces + QStringLiteral("?trace_id=abc")
                                        << QStringLiteral("trace id must be 32 hex digits, not \"abc\"");
        QTest::newRow("non-hex trace id") << traces + QStringLiteral("?trace_id=zz4e4a7b270e9f2a0f716e3ee115218a")
                                          << QStringLiteral("trace id must be 32 hex digits");
        QTest::newRow("zero trace id") << traces + QStringLiteral("?trace_id=00000000000000000000000000000000")
                                       << QStringLiteral("invalid (all zeros)");
        QTest::newRow("unknown parameter")
            << traces + QStringLiteral("?service=x")
            << QStringLiteral("unknown parameter \"service\" (this route accepts: service_name, trace_id, "
                              "start_time_gte, start_time_lte, limit, offset, order_by, order, conversation_id, min_duration_ms, text, "
                              "errors_only)");
        QTest::newRow("unknown order_by")
            << traces + QStringLiteral("?order_by=tokens")
            << QStringLiteral("order_by must be one of start_time, duration, span_count, error_count, llm_calls, "
                              "tool_calls, input_tokens, output_tokens, cost, root_service_name, root_span_name, "
                              "total_tokens, not \"tokens\"");
        QTest::newRow("errors_only not a boolean")
            << traces + QStringLiteral("?errors_only=yes") << QStringLiteral("errors_only must be one of false, true, not \"yes\"");
        QTest::newRow("order_by in capitals")
            << traces + QStringLiteral("?order_by=DURATION") << QStringLiteral("order_by must be one of");
        for (const char* bad : { "-1", "abc", "inf", "nan", "1e30", " 5" })
            QTest::addRow("min_duration_ms=%s", bad)
                << traces + QStringLiteral("?min_duration_ms=") + QString::fromLatin1(bad)
                << (QStringLiteral("min_duration_ms must be a number of milliseconds >= 0 (e.g. 250 or 0.5), not \"")
                       + QString::fromLatin1(bad) + QLatin1Char('"'));
        QTest::newRow("unknown order") << traces + QStringLiteral("?order_by=duration&order=up")
                                       << QStringLiteral("order must be one of desc, asc, not \"up\"");
        QTest::newRow("twice") << traces + QStringLiteral("?limit=1&limit=2")
                               << QStringLiteral("parameter \"limit\" is given more than once");
        QTest::newRow("id in path") << traces + QStringLiteral("/not-a-trace-id")
                                    << QStringLiteral("trace id must be 32 hex digits");
        QTest::newRow("id in spans path")
            << traces + QStringLiteral("/1234/spans") << QStringLiteral("trace id must be 32 hex digits");
        QTest::newRow("id in raw path") << traces + QStringLiteral("/%20/raw")
                                        << QStringLiteral("trace id must be 32 hex digits");
        QTest::newRow("span limit 501") << bulk + QStringLiteral("/spans?limit=501")
                                        << QStringLiteral("limit must be an integer between 1 and 500, not \"501\"");
        QTest::newRow("span offset") << bulk + QStringLiteral("/spans?offset=-3")
                                     << QStringLiteral("offset must be an integer between 0");
        QTest::newRow("span parameter")
            << bulk + QStringLiteral("/spans?service_name=x")
            << QStringLiteral("unknown parameter \"service_name\" (this route accepts: limit, offset)");
        QTest::newRow("detail parameter")
            << bulk + QStringLiteral("?limit=1")
            << QStringLiteral("unknown parameter \"limit\": this route takes no parameters");
        QTest::newRow("raw parameter") << bulk + QStringLiteral("/raw?pretty=1")
                                       << QStringLiteral("unknown parameter \"pretty\"");
    }
    void badParametersAre400()
    {
        QFETCH(QString, path);
        QFETCH(QString, reason);
        const Reply r = get(path);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.contentType, QByteArray("application/json"));
        const QString error = r.json.value(QStringLiteral("error")).toString();
        QVERIFY2(error.startsWith(reason) || error.contains(reason), qPrintable(error));
    }

    void emptyValuesAreLikeAbsentOnes()
    {
        const Reply r = get(QStringLiteral("/api/v1/traces?service_name=&limit=&offset=&start_time_gte="));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("limit")).toInt(), QueryApi::DefaultTraceLimit);
        QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), QueryApi::DefaultTraceLimit);
    }

    void unknownTraceIs404()
    {
        const QString unknown = QStringLiteral("0123456789abcdef0123456789abcdef");
        for (const QString& suffix :
            { QString(), QStringLiteral("/spans"), QStringLiteral("/logs"), QStringLiteral("/genai"), QStringLiteral("/raw") }) {
            const Reply r = get(QStringLiteral("/api/v1/traces/") + unknown + suffix);
            QCOMPARE(r.status, 404);
            QCOMPARE(r.contentType, QByteArray("application/json"));
            QCOMPARE(
                r.json.value(QStringLiteral("error")).toString(), QStringLiteral("trace %1 not found").arg(unknown));
        }
    }

    void unknownRoutesAre404()
    {
        for (const QString& path : { QStringLiteral("/api"), QStringLiteral("/api/v1"), QStringLiteral("/api/v1/spans"),
                 QStringLiteral("/api/v2/traces"), QStringLiteral("/api/v1/traces/"),
                 QStringLiteral("/api/v1/traces/%1/other").arg(bulkTraceId().toHex()),
                 QStringLiteral("/api/v1/traces/%1/spans/1").arg(bulkTraceId().toHex()) }) {
            const Reply r = get(path);
            QCOMPARE(r.status, 404);
            QVERIFY2(r.json.value(QStringLiteral("error")).toString().startsWith(QLatin1String("no such route")),
                qPrintable(path));
        }
    }

    void otherMethodsAre405()
    {
        const QString bulk = QStringLiteral("/api/v1/traces/") + bulkTraceId().toHex();
        const QList<std::pair<QByteArray, QString>> cases {
            { "POST", QStringLiteral("/api/v1/traces") },
            { "PUT", bulk },
            { "DELETE", bulk },
            { "PATCH", bulk + QStringLiteral("/spans") },
            { "POST", bulk + QStringLiteral("/raw") },
        };
        for (const auto& [verb, path] : cases) {
            const Reply r = send(verb, url(path), "{}", { { "Content-Type", "application/json" } });
            QCOMPARE(r.status, 405);
            QCOMPARE(r.allow, QByteArray("GET"));
            QVERIFY2(r.json.value(QStringLiteral("error")).toString().contains(QLatin1String("read-only")),
                r.body.constData());
        }
        QCOMPARE(storeList(TraceQuery()).size(), m_allTraces.size()); // nothing was removed
    }

    void traceDetail()
    {
        const Reply r = get(QStringLiteral("/api/v1/traces/") + QString::fromLatin1(FanOutTraceId).toUpper());
        QCOMPARE(r.status, 200);
        const std::optional<TraceSummary> summary
            = m_store->traceSummary(TraceId::fromHex(QString::fromLatin1(FanOutTraceId)));
        QVERIFY(summary);
        QCOMPARE(r.json.value(QStringLiteral("trace_id")).toString(), QLatin1String(FanOutTraceId));
        QCOMPARE(r.json.value(QStringLiteral("root_service_name")).toString(), summary->rootServiceName);
        QCOMPARE(r.json.value(QStringLiteral("root_span_name")).toString(), summary->rootSpanName);
        QCOMPARE(r.json.value(QStringLiteral("span_count")).toInt(), 22);
        QCOMPARE(r.json.value(QStringLiteral("error_count")).toInt(), 3);
        QCOMPARE(r.json.value(QStringLiteral("start_time_unix_nano")).toString(),
            QString::number(summary->startTimeUnixNano));
        QCOMPARE(r.json.value(QStringLiteral("duration_ms")).toDouble(), double(summary->durationNanos()) / 1e6);

        // The root span's resource attributes, in OTLP/JSON's typed form.
        const QJsonArray rootAttributes = r.json.value(QStringLiteral("resource_attributes")).toArray();
        QVERIFY(!rootAttributes.isEmpty());
        const QJsonObject serviceName { { QStringLiteral("key"), QStringLiteral("service.name") },
            { QStringLiteral("value"), QJsonObject { { QStringLiteral("stringValue"), summary->rootServiceName } } } };
        QVERIFY(rootAttributes.contains(serviceName));

        // Each distinct resource once, with its spans counted.
        const QJsonArray resources = r.json.value(QStringLiteral("resources")).toArray();
        QSet<QString> services;
        qint64 spans = 0;
        for (const QJsonValue v : resources) {
            const QJsonObject res = v.toObject();
            services.insert(res.value(QStringLiteral("service_name")).toString());
            spans += res.value(QStringLiteral("span_count")).toInteger();
            QVERIFY(res.value(QStringLiteral("attributes"))
                        .toArray()
                        .contains(QJsonObject { { QStringLiteral("key"), QStringLiteral("service.name") },
                            { QStringLiteral("value"),
                                QJsonObject { { QStringLiteral("stringValue"),
                                    res.value(QStringLiteral("service_name")) } } } }));
        }
        QCOMPARE(spans, 22);
        QCOMPARE(services.size(), 6);
    }

    void spansOfATrace()
    {
        const TraceId fanOut = TraceId::fromHex(QString::fromLatin1(FanOutTraceId));
        const Reply r = get(QStringLiteral("/api/v1/traces/%1/spans").arg(QLatin1String(FanOutTraceId)));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("total")).toInt(), 22);
        QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), 22);
        QCOMPARE(r.json.value(QStringLiteral("limit")).toInt(), QueryApi::DefaultSpanLimit);
        QCOMPARE(r.json.value(QStringLiteral("has_more")).toBool(), false);
        const QJsonArray spans = r.json.value(QStringLiteral("spans")).toArray();
        const std::vector<Span> stored = m_store->traceSpans(fanOut);
        QCOMPARE(std::size_t(spans.size()), stored.size());
        int events = 0;
        for (std::size_t i = 0; i < stored.size(); ++i) {
            const QJsonObject s = spans.at(qsizetype(i)).toObject();
            QCOMPARE(s.value(QStringLiteral("span_id")).toString(), stored[i].spanId.toHex());
            QCOMPARE(s.value(QStringLiteral("parent_span_id")).toString(),
                stored[i].parentSpanId.isValid() ? stored[i].parentSpanId.toHex() : QString());
            QCOMPARE(s.value(QStringLiteral("name")).toString(), stored[i].name);
            QCOMPARE(s.value(QStringLiteral("start_time_unix_nano")).toString(),
                QString::number(stored[i].startTimeUnixNano));
            QCOMPARE(s.value(QStringLiteral("service_name")).toString(), stored[i].serviceName());
            QCOMPARE(s.value(QStringLiteral("attributes")).toArray().size(), qsizetype(stored[i].attributes.size()));
            QCOMPARE(s.value(QStringLiteral("status")).toObject().value(QStringLiteral("code")).toInt(),
                int(stored[i].statusCode));
            events += int(s.value(QStringLiteral("events")).toArray().size());
            if (i)
                QVERIFY(s.value(QStringLiteral("start_time_unix_nano")).toString().toULongLong()
                    >= spans.at(qsizetype(i) - 1)
                           .toObject()
                           .value(QStringLiteral("start_time_unix_nano"))
                           .toString()
                           .toULongLong());
        }
        QCOMPARE(events, 19);
    }

    void spanJsonShape()
    {
        const Reply r = get(QStringLiteral("/api/v1/traces/%1/spans?limit=1&offset=1").arg(bulkTraceId().toHex()));
        QCOMPARE(r.status, 200);
        const QJsonObject s = r.json.value(QStringLiteral("spans")).toArray().at(0).toObject();
        QJsonParseError error;
        const QJsonObject want = QJsonDocument::fromJson(expectedRichSpan(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(QJsonDocument(s).toJson(QJsonDocument::Indented), QJsonDocument(want).toJson(QJsonDocument::Indented));
        // 64-bit integers travel as strings: exact beyond 2^53.
        QVERIFY(r.body.contains("\"intValue\":\"9007199254740993\""));
    }

    void spanLimitAndPaging()
    {
        const QString path = QStringLiteral("/api/v1/traces/%1/spans").arg(bulkTraceId().toHex());
        Reply r = get(path);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), QueryApi::DefaultSpanLimit);
        QCOMPARE(r.json.value(QStringLiteral("total")).toInt(), BulkSpans);

        QStringList ids;
        for (int offset = 0;; offset += 500) {
            r = get(path + QStringLiteral("?limit=500&offset=%1").arg(offset));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json.value(QStringLiteral("total")).toInt(), BulkSpans);
            QCOMPARE(r.json.value(QStringLiteral("limit")).toInt(), 500);
            QCOMPARE(r.json.value(QStringLiteral("offset")).toInt(), offset);
            const QJsonArray spans = r.json.value(QStringLiteral("spans")).toArray();
            QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), spans.size());
            QCOMPARE(spans.size(), std::min<qsizetype>(500, BulkSpans - offset));
            for (const QJsonValue s : spans)
                ids.append(s.toObject().value(QStringLiteral("span_id")).toString());
            if (!r.json.value(QStringLiteral("has_more")).toBool())
                break;
        }
        QStringList expected;
        for (const Span& s : m_store->traceSpans(bulkTraceId()))
            expected.append(s.spanId.toHex());
        QCOMPARE(ids, expected); // start-time order, disjoint, complete
        QCOMPARE(ids.size(), BulkSpans);

        r = get(path + QStringLiteral("?offset=5000"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("count")).toInt(), 0);
        QCOMPARE(r.json.value(QStringLiteral("total")).toInt(), BulkSpans);
        QCOMPARE(get(path + QStringLiteral("?limit=501")).status, 400);
    }

    void rawIsGzippedOtlpJsonOfTheStoredSpans()
    {
        QVERIFY(m_allTraces.size() > 20);
        int checked = 0;
        for (const TraceSummary& t : m_allTraces) {
            // The fixture and bulk traces, and a few of the generated ones.
            if (t.rootSpanName.startsWith(QLatin1String("small-")) && !t.rootSpanName.endsWith(QLatin1Char('7')))
                continue;
            const Reply r = send("GET", url(QStringLiteral("/api/v1/traces/%1/raw").arg(t.traceId.toHex())), {},
                { { "Accept-Encoding", "gzip" } }); // set by hand: QNetworkAccessManager leaves the body as is
            QCOMPARE(r.status, 200);
            QCOMPARE(r.contentType, QByteArray("application/json"));
            QCOMPARE(r.contentEncoding, QByteArray("gzip"));
            QVERIFY(Gzip::looksGzipped(r.body));
            QByteArray json;
            QString error;
            QCOMPARE(Gzip::inflate(r.body, 256 * 1024 * 1024, &json, &error), Gzip::Status::Ok);
            const DecodeResult decoded = OtlpJsonCodec::decodeRequest(json);
            QVERIFY2(decoded.ok, qPrintable(decoded.error));
            QCOMPARE(decoded.batch.rejectedSpans, 0);
            const std::vector<Span> got = sortedBySpanId(decoded.batch.spans);
            const std::vector<Span> want = sortedBySpanId(m_store->traceSpans(t.traceId));
            QCOMPARE(got.size(), want.size());
            for (std::size_t i = 0; i < got.size(); ++i)
                QVERIFY2(spansEqual(got[i], want[i]), qPrintable(t.traceId.toHex() + QLatin1Char(' ') + want[i].name));
            ++checked;
        }
        QCOMPARE(checked, FileTraces + 1 + SmallTraces / 10); // small-7, small-17, ...
    }

    void keepAliveServesSeveralRequestsOnOneConnection()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray bulk = bulkTraceId().toHex().toLatin1();
        const QByteArray otlp = OtlpJsonCodec::encodeRequest(smallTraces(0, 1), false); // stored already: harmless
        const QList<std::pair<QByteArray, int>> requests {
            { "GET /api/v1/traces?limit=2 HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
            { "GET /api/v1/traces/" + bulk + " HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
            { "GET /api/v1/traces/" + bulk + "/spans?limit=3 HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
            { "GET /api/v1/traces/" + bulk + "/raw HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
            { "GET /api/v1/traces?limit=abc HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
            { "GET /api/v1/traces/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
            { "POST /api/v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 405 },
            { "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
            { "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
            { "HEAD /api/v1/traces HTTP/1.1\r\nHost: x\r\n\r\n", 405 },
            { "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(otlp.size()) + "\r\n\r\n" + otlp,
                200 },
            { "GET /api/v1/traces?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
        };
        QByteArray buffer;
        for (const auto& [request, status] : requests) {
            socket.write(request);
            RawResponse response;
            const bool head = request.startsWith("HEAD ");
            QVERIFY2(readResponse(socket, buffer, &response, head), request.constData());
            QCOMPARE(response.status, status);
            QVERIFY(!response.body.isEmpty() || head || request.startsWith("POST /v1/"));
            QVERIFY2(!response.head.toLower().contains("connection: close"), response.head.constData());
            QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        }
        QVERIFY(buffer.isEmpty());
    }

    void concurrentQueriesWhileIngesting()
    {
        std::vector<QNetworkReply*> replies;
        const QString bulk = bulkTraceId().toHex();
        for (int i = 0; i < 24; ++i) {
            const QString path = i % 3 == 0 ? QStringLiteral("/api/v1/traces?limit=200&offset=%1").arg(i)
                : i % 3 == 1                ? QStringLiteral("/api/v1/traces/%1/spans?limit=500").arg(bulk)
                                            : QStringLiteral("/api/v1/traces/%1").arg(bulk);
            replies.push_back(m_nam.get(QNetworkRequest(url(path))));
        }
        // Re-sending spans already stored is harmless (upsert) and keeps the writer busy meanwhile.
        QVERIFY(post(OtlpProtobufCodec::encodeRequest(bulkTrace()), "application/x-protobuf"));
        for (QNetworkReply* reply : replies) {
            if (!reply->isFinished()) {
                QSignalSpy done(reply, &QNetworkReply::finished);
                QVERIFY(done.wait(30000));
            }
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            QVERIFY(QJsonDocument::fromJson(reply->readAll()).isObject());
            delete reply;
        }
    }

    void healthReportsStoresAndQueue()
    {
        const Reply r = get(QStringLiteral("/healthz"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(r.json.value(QStringLiteral("store")).toString(), QStringLiteral("sqlite")); // the kind, never the path
        QCOMPARE(r.json.value(QStringLiteral("query_store")).toString(), QStringLiteral("sqlite"));
        QVERIFY(!r.body.contains(m_store->description().toUtf8()));
        QVERIFY(r.json.contains(QStringLiteral("queue_bytes")));
        QVERIFY(r.json.value(QStringLiteral("requests_accepted")).toInteger() >= 8);
    }

    void queryStoreCanBeSwitchedAndFailuresAre500()
    {
        // The app may point the API at another store than the pipeline writes.
        MemoryTraceStore other;
        const auto svc = TestSpans::resource(QStringLiteral("elsewhere"));
        QVERIFY(other.addSpans({ TestSpans::make(TestSpans::traceId(1), 1, 0, QStringLiteral("far"), svc, 5000, 9000) })
                    .ok);
        m_receiver->setQueryStore(&other);
        QCOMPARE(m_receiver->queryStore(), &other);
        Reply r = get(QStringLiteral("/api/v1/traces"));
        QCOMPARE(r.status, 200);
        QCOMPARE(traceIdsOf(r.json.value(QStringLiteral("traces")).toArray()),
            QStringList { TestSpans::traceId(1).toHex() });
        QCOMPARE(get(QStringLiteral("/healthz")).json.value(QStringLiteral("query_store")).toString(),
            QStringLiteral("memory"));

        // A failing store: 500 with its message, on every route, and the receiver keeps serving.
        FailingStore failing;
        m_receiver->setQueryStore(&failing);
        QSignalSpy failures(m_receiver.get(), &OtlpHttpReceiver::requestFailed);
        const QString id = TestSpans::traceId(1).toHex();
        for (const QString& path : QStringList { QStringLiteral("/api/v1/traces"),
                 QStringLiteral("/api/v1/traces?trace_id=") + id, QStringLiteral("/api/v1/traces/") + id,
                 QStringLiteral("/api/v1/traces/%1/spans").arg(id), QStringLiteral("/api/v1/traces/%1/raw").arg(id) }) {
            r = get(path);
            QCOMPARE(r.status, 500);
            QVERIFY2(r.json.value(QStringLiteral("error"))
                         .toString()
                         .endsWith(QLatin1String("connection refused (database is down)")),
                r.body.constData());
        }
        QTRY_COMPARE(failures.size(), 5);
        QCOMPARE(failures.at(0).at(0).toInt(), 500);
        QCOMPARE(get(QStringLiteral("/healthz")).status, 200);

        m_receiver->setQueryStore(nullptr);
        r = get(QStringLiteral("/api/v1/traces"));
        QCOMPARE(r.status, 404);
        QVERIFY(r.json.value(QStringLiteral("error")).toString().contains(QLatin1String("turned off")));

        m_receiver->setQueryStore(m_store.get());
        QCOMPARE(get(QStringLiteral("/api/v1/traces?limit=1"))
                     .json.value(QStringLiteral("traces"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("trace_id"))
                     .toString(),
            bulkTraceId().toHex());
    }

    // ---- QueryApi without HTTP, over the in-memory store

    void parseTime_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<quint64>("nanos");
        QTest::newRow("epoch") << QStringLiteral("1970-01-01T00:00:00Z") << true << quint64(0);
        QTest::newRow("ns integer") << QStringLiteral("1795255200000000001") << true << quint64(1795255200000000001ULL);
        QTest::newRow("zero") << QStringLiteral("0") << true << quint64(0);
        QTest::newRow("utc") << QStringLiteral("2026-11-21T10:00:00Z") << true << quint64(SmallT0);
        QTest::newRow("ms") << QStringLiteral("2026-11-21T10:00:00.123Z") << true << quint64(SmallT0 + 123000000);
        QTest::newRow("ns") << QStringLiteral("2026-11-21T10:00:00.123456789Z") << true << quint64(SmallT0 + 123456789);
        QTest::newRow("plus offset") << QStringLiteral("2026-11-21T12:30:00+02:30") << true << quint64(SmallT0);
        QTest::newRow("minus offset") << QStringLiteral("2026-11-21T00:00:00.5-10:00") << true
                                      << quint64(SmallT0 + 500000000);
        QTest::newRow("space separator") << QStringLiteral("2026-11-21 10:00:00z") << true << quint64(SmallT0);
        QTest::newRow("leap day") << QStringLiteral("2028-02-29T00:00:00Z") << true
                                  << quint64(1835395200ULL * NanosPerSecond);
        QTest::newRow("int64 max") << QStringLiteral("9223372036854775807") << true
                                   << quint64(9223372036854775807ULL);
        QTest::newRow("2^63") << QStringLiteral("9223372036854775808") << false << quint64(0);
        QTest::newRow("uint64 max") << QStringLiteral("18446744073709551615") << false << quint64(0);
        QTest::newRow("past uint64") << QStringLiteral("18446744073709551616") << false << quint64(0);
        QTest::newRow("year 2600") << QStringLiteral("2600-01-01T00:00:00Z") << false << quint64(0);
        QTest::newRow("not a leap day") << QStringLiteral("2027-02-29T00:00:00Z") << false << quint64(0);
        QTest::newRow("hour 24") << QStringLiteral("2026-11-21T24:00:00Z") << false << quint64(0);
        QTest::newRow("offset 24h") << QStringLiteral("2026-11-21T10:00:00+24:00") << false << quint64(0);
        QTest::newRow("no zone") << QStringLiteral("2026-11-21T10:00:00") << false << quint64(0);
        QTest::newRow("date only") << QStringLiteral("2026-11-21") << false << quint64(0);
        QTest::newRow("fraction without digits") << QStringLiteral("2026-11-21T10:00:00.Z") << false << quint64(0);
        QTest::newRow("seconds with fraction") << QStringLiteral("1795255200.5") << false << quint64(0);
        QTest::newRow("negative") << QStringLiteral("-1") << false << quint64(0);
        QTest::newRow("arabic digits") << QStringLiteral("\u0661\u0662") << false << quint64(0);
    }
    void parseTime()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(quint64, nanos);
        std::uint64_t got = 42;
        QString error;
        QCOMPARE(QueryApi::parseTime(text, &got, &error), ok);
        if (ok) {
            QCOMPARE(quint64(got), nanos);
            QVERIFY(error.isEmpty());
        } else {
            QVERIFY(!error.isEmpty());
        }
    }

    void formatTime()
    {
        QCOMPARE(QueryApi::formatTime(0), QStringLiteral("1970-01-01T00:00:00.000000000Z"));
        QCOMPARE(QueryApi::formatTime(SmallT0 + 123456789), QStringLiteral("2026-11-21T10:00:00.123456789Z"));
        QCOMPARE(QueryApi::formatTime(18446744073709551615ULL), QStringLiteral("2554-07-21T23:34:33.709551615Z"));
        std::uint64_t back = 0;
        QString error;
        QVERIFY(QueryApi::parseTime(QueryApi::formatTime(SmallT0 + 7), &back, &error));
        QCOMPARE(back, SmallT0 + 7);
    }

    void routesWithoutHttp()
    {
        QVERIFY(QueryApi::handles(QStringLiteral("/api")));
        QVERIFY(QueryApi::handles(QStringLiteral("/api/v1/traces")));
        QVERIFY(!QueryApi::handles(QStringLiteral("/apix")));
        QVERIFY(!QueryApi::handles(QStringLiteral("/v1/traces")));

        MemoryTraceStore store;
        const auto a = TestSpans::resource(QStringLiteral("a"));
        const auto b = TestSpans::resource(QStringLiteral("b"));
        std::vector<Span> spans;
        for (int t = 1; t <= 5; ++t)
            spans.push_back(TestSpans::make(TestSpans::traceId(quint64(t)), 1, 0, QStringLiteral("t%1").arg(t), a,
                quint64(t) * 1000, quint64(t) * 1000 + 10));
        QVERIFY(store.addSpans(spans).ok);
        QueryApi api(&store);

        QueryApi::Response r = api.handle(getRequest(QStringLiteral("/api/v1/traces"),
            { { QStringLiteral("limit"), QStringLiteral("2") }, { QStringLiteral("offset"), QStringLiteral("1") } }));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QCOMPARE(traceIdsOf(jsonOf(r).value(QStringLiteral("traces")).toArray()),
            (QStringList { TestSpans::traceId(4).toHex(), TestSpans::traceId(3).toHex() }));
        QCOMPARE(jsonOf(r).value(QStringLiteral("has_more")).toBool(), true);
        r = api.handle(
            getRequest(QStringLiteral("/api/v1/traces"), { { QStringLiteral("offset"), QStringLiteral("3") } }));
        QCOMPARE(traceIdsOf(jsonOf(r).value(QStringLiteral("traces")).toArray()),
            (QStringList { TestSpans::traceId(2).toHex(), TestSpans::traceId(1).toHex() }));
        QCOMPARE(jsonOf(r).value(QStringLiteral("has_more")).toBool(), false);

        QueryApi::Request del = getRequest(QStringLiteral("/api/v1/traces/") + TestSpans::traceId(1).toHex());
        del.method = "DELETE";
        r = api.handle(del);
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET"));
        QCOMPARE(store.traceSpans(TestSpans::traceId(1)).size(), std::size_t(1));

        // A trace without its root: the earliest span stands in, as in the summary.
        const TraceId orphan = TestSpans::traceId(99);
        QVERIFY(store
                    .addSpans({ TestSpans::make(orphan, 7, 3, QStringLiteral("late"), b, 9000, 9500),
                        TestSpans::make(orphan, 8, 3, QStringLiteral("early"), a, 8000, 9900),
                        TestSpans::make(orphan, 9, 3, QStringLiteral("later"), b, 9100, 9200) })
                    .ok);
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces/") + orphan.toHex()));
        QCOMPARE(r.status, 200);
        const QJsonObject detail = jsonOf(r);
        QCOMPARE(detail.value(QStringLiteral("has_root")).toBool(), false);
        QCOMPARE(detail.value(QStringLiteral("root_span_name")).toString(), QStringLiteral("early"));
        const QJsonArray expectedA { QJsonObject { { QStringLiteral("key"), QStringLiteral("service.name") },
            { QStringLiteral("value"), QJsonObject { { QStringLiteral("stringValue"), QStringLiteral("a") } } } } };
        QCOMPARE(detail.value(QStringLiteral("resource_attributes")).toArray(), expectedA);
        const QJsonArray resources = detail.value(QStringLiteral("resources")).toArray();
        QCOMPARE(resources.size(), 2);
        QCOMPARE(resources.at(0).toObject().value(QStringLiteral("service_name")).toString(), QStringLiteral("a"));
        QCOMPARE(resources.at(0).toObject().value(QStringLiteral("span_count")).toInt(), 1);
        QCOMPARE(resources.at(1).toObject().value(QStringLiteral("service_name")).toString(), QStringLiteral("b"));
        QCOMPARE(resources.at(1).toObject().value(QStringLiteral("span_count")).toInt(), 2);
    }

    void logsOfATrace()
    {
        MemoryTraceStore store;
        const TraceId trace = TestSpans::traceId(0x10c);
        QVERIFY(store
                    .addSpans({ TestSpans::make(
                        trace, 1, 0, QStringLiteral("op"), TestSpans::resource(QStringLiteral("a")), 1000, 2000) })
                    .ok);
        QueryApi api(&store);
        const QString path = QStringLiteral("/api/v1/traces/%1/logs").arg(trace.toHex());

        // A trace with spans and no log records: an empty list, not 404.
        QueryApi::Response r = api.handle(getRequest(path));
        QCOMPARE(r.status, 200);
        QCOMPARE(jsonOf(r).value(QStringLiteral("trace_id")).toString(), trace.toHex());
        QCOMPARE(jsonOf(r).value(QStringLiteral("logs")).toArray().size(), 0);

        IngestItem item;
        item.payload.signal = RawPayload::Signal::Logs;
        item.batch.logs = TestLogs::sample(trace, TestSpans::spanId(1));
        QVERIFY(store.write({ item }).ok);
        r = api.handle(getRequest(path));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        const QJsonArray logs = jsonOf(r).value(QStringLiteral("logs")).toArray();
        QCOMPARE(logs.size(), 3); // the record without trace context is no trace's
        // By effective time: the record without time (observed earlier) comes first.
        const QJsonObject first = QJsonDocument::fromJson(R"({"trace_id": "7a00000000000000000000000000010c",
            "span_id": null, "time_unix_nano": "0", "observed_time_unix_nano": "1700000000000000050",
            "severity_number": 5, "severity_text": "DEBUG", "event_name": "", "body": {"intValue": "7"},
            "attributes": [], "service_name": "checkout", "scope_name": "app.logger"})")
                                      .object();
        QVERIFY(!first.isEmpty());
        QCOMPARE(logs.at(0).toObject(), first);
        const QJsonObject second = QJsonDocument::fromJson(R"({"trace_id": "7a00000000000000000000000000010c",
            "span_id": "0000000000000001", "time_unix_nano": "1700000000000000100",
            "observed_time_unix_nano": "1700000000000000600", "severity_number": 17, "severity_text": "ERROR",
            "event_name": "gen_ai.user.message",
            "body": {"kvlistValue": {"values": [{"key": "role", "value": {"stringValue": "user"}},
                {"key": "content", "value": {"arrayValue": {"values": [{"stringValue": "hi"}, {"intValue": "-42"}]}}}]}},
            "attributes": [{"key": "retry", "value": {"boolValue": true}},
                {"key": "code.function", "value": {"stringValue": "pay"}}],
            "service_name": "checkout", "scope_name": "app.logger"})")
                                       .object();
        QVERIFY(!second.isEmpty());
        QCOMPARE(logs.at(1).toObject(), second);
        const QJsonObject third = logs.at(2).toObject();
        QVERIFY(third.value(QStringLiteral("body")).isNull()); // no body
        QCOMPARE(third.value(QStringLiteral("severity_number")).toInt(), 30);
        QCOMPARE(third.value(QStringLiteral("service_name")).toString(), QStringLiteral("billing"));

        // A trace known only by its log records.
        const TraceId logsOnly = TestSpans::traceId(0x10d);
        IngestItem alone;
        alone.batch.logs = { TestLogs::make(logsOnly, SpanId(), 5, QStringLiteral("x"), nullptr, nullptr) };
        QVERIFY(store.write({ alone }).ok);
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/logs").arg(logsOnly.toHex())));
        QCOMPARE(r.status, 200);
        const QJsonObject only = jsonOf(r).value(QStringLiteral("logs")).toArray().at(0).toObject();
        QCOMPARE(only.value(QStringLiteral("body")).toObject().value(QStringLiteral("stringValue")).toString(),
            QStringLiteral("x"));
        QCOMPARE(only.value(QStringLiteral("service_name")).toString(), QString());
        QCOMPARE(only.value(QStringLiteral("scope_name")).toString(), QString());

        // Neither spans nor log records: 404 as on the other routes; no parameters taken.
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/logs").arg(TestSpans::traceId(0x10e).toHex())));
        QCOMPARE(r.status, 404);
        QCOMPARE(jsonOf(r).value(QStringLiteral("error")).toString(),
            QStringLiteral("trace %1 not found").arg(TestSpans::traceId(0x10e).toHex()));
        r = api.handle(getRequest(path, { { QStringLiteral("limit"), QStringLiteral("2") } }));
        QCOMPARE(r.status, 400);
    }

    void statisticsPerOperation()
    {
        // Over the SQLite store of the receiver: the same figures as building them from every trace's spans.
        OperationStatsBuilder expectedAll, expectedService;
        std::uint64_t middle = 0;
        for (const TraceSummary& t : m_allTraces) {
            const auto tree = SpanTree::build(m_store->traceSpans(t.traceId));
            expectedAll.addTrace(*tree);
            if (t.services.contains(QStringLiteral("svc-a")))
                expectedService.addTrace(*tree);
        }
        const auto check = [&](const Reply& r, const std::vector<OperationStats>& expected) {
            QCOMPARE(r.status, 200);
            const QJsonArray ops = r.json.value(QStringLiteral("operations")).toArray();
            QCOMPARE(ops.size(), qsizetype(expected.size()));
            for (qsizetype i = 0; i < ops.size(); ++i) {
                const QJsonObject o = ops.at(i).toObject();
                const OperationStats& e = expected[std::size_t(i)];
                QCOMPARE(o.value(QStringLiteral("service_name")).toString(), e.serviceName);
                QCOMPARE(o.value(QStringLiteral("span_name")).toString(), e.spanName);
                QCOMPARE(o.value(QStringLiteral("count")).toInteger(), e.count);
                QCOMPARE(o.value(QStringLiteral("errors")).toInteger(), e.errors);
                QCOMPARE(o.value(QStringLiteral("total_ns")).toInteger(), qint64(e.totalNanos));
                QCOMPARE(o.value(QStringLiteral("self_ns")).toInteger(), qint64(e.selfNanos));
                QCOMPARE(o.value(QStringLiteral("min_ns")).toInteger(), qint64(e.minNanos));
                QCOMPARE(o.value(QStringLiteral("p50_ns")).toInteger(), qint64(e.p50Nanos));
                QCOMPARE(o.value(QStringLiteral("p95_ns")).toInteger(), qint64(e.p95Nanos));
                QCOMPARE(o.value(QStringLiteral("max_ns")).toInteger(), qint64(e.maxNanos));
            }
        };
        const std::vector<OperationStats> all = expectedAll.result();
        QVERIFY(all.size() > 5);
        check(get(QStringLiteral("/api/v1/stats")), all);
        if (QTest::currentTestFailed())
            return;
        const std::vector<OperationStats> frontend = expectedService.result();
        QVERIFY(!frontend.empty() && frontend.size() < all.size());
        check(get(QStringLiteral("/api/v1/stats?service_name=svc-a")), frontend);
        if (QTest::currentTestFailed())
            return;
        // A time range: only the traces that start in it.
        const TraceSummary& newest = m_allTraces.front();
        middle = newest.startTimeUnixNano;
        OperationStatsBuilder expectedNewest;
        for (const TraceSummary& t : m_allTraces)
            if (t.startTimeUnixNano >= middle)
                expectedNewest.addTrace(*SpanTree::build(m_store->traceSpans(t.traceId)));
        check(get(QStringLiteral("/api/v1/stats?start_time_gte=%1").arg(middle)), expectedNewest.result());
        const Reply bad = get(QStringLiteral("/api/v1/stats?start_time_gte=2026-01-02T00:00:00Z&start_time_lte=2026-01-01T00:00:00Z"));
        QCOMPARE(bad.status, 400);
        QCOMPARE(get(QStringLiteral("/api/v1/stats?limit=3")).status, 400);
    }

    void timeSeriesPerBucket()
    {
        // Computed here from the stored summaries: per bucket of start time, aligned to multiples of the bucket.
        const auto expected = [this](std::uint64_t bucket, const QString& service, std::uint64_t from) {
            std::map<std::uint64_t, TraceTimeBucket> out;
            for (const TraceSummary& t : m_allTraces) {
                if ((!service.isEmpty() && !t.services.contains(service)) || t.startTimeUnixNano < from)
                    continue;
                TraceTimeBucket& b = out[t.startTimeUnixNano / bucket * bucket];
                b.startTimeUnixNano = t.startTimeUnixNano / bucket * bucket;
                ++b.traces;
                b.spans += t.spanCount;
                b.errorTraces += t.errorCount > 0;
                b.errorSpans += t.errorCount;
                b.inputTokens += t.inputTokens;
                b.outputTokens += t.outputTokens;
            }
            return out;
        };
        const auto check = [](const Reply& r, std::uint64_t bucket, const std::map<std::uint64_t, TraceTimeBucket>& want) {
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json.value(QStringLiteral("bucket_ns")).toString(), QString::number(bucket));
            const QJsonArray buckets = r.json.value(QStringLiteral("buckets")).toArray();
            QCOMPARE(buckets.size(), qsizetype(want.size()));
            auto it = want.begin();
            for (qsizetype i = 0; i < buckets.size(); ++i, ++it) {
                const QJsonObject o = buckets.at(i).toObject();
                const TraceTimeBucket& e = it->second;
                QCOMPARE(o.value(QStringLiteral("start_time_unix_nano")).toString(), QString::number(e.startTimeUnixNano));
                QCOMPARE(o.value(QStringLiteral("start_time")).toString(), QueryApi::formatTime(e.startTimeUnixNano));
                QCOMPARE(o.value(QStringLiteral("traces")).toInteger(), e.traces);
                QCOMPARE(o.value(QStringLiteral("spans")).toInteger(), e.spans);
                QCOMPARE(o.value(QStringLiteral("error_traces")).toInteger(), e.errorTraces);
                QCOMPARE(o.value(QStringLiteral("error_spans")).toInteger(), e.errorSpans);
                QCOMPARE(o.value(QStringLiteral("input_tokens")).toInteger(), e.inputTokens);
                QCOMPARE(o.value(QStringLiteral("output_tokens")).toInteger(), e.outputTokens);
            }
        };
        constexpr std::uint64_t Minute = 60'000'000'000ULL;
        const auto all = expected(Minute, QString(), 0);
        QVERIFY(all.size() > 2);
        qint64 traces = 0, errors = 0, tokens = 0;
        for (const auto& [start, b] : all) {
            traces += b.traces;
            errors += b.errorTraces;
            tokens += b.inputTokens;
        }
        QCOMPARE(traces, qint64(m_allTraces.size()));
        QVERIFY(errors > 0 && tokens > 0); // the figures are not all zero
        check(get(QStringLiteral("/api/v1/timeseries?bucket=60s")), Minute, all);
        if (QTest::currentTestFailed())
            return;
        check(get(QStringLiteral("/api/v1/timeseries?bucket=1m")), Minute, all);
        check(get(QStringLiteral("/api/v1/timeseries?bucket=1min")), Minute, all);
        check(get(QStringLiteral("/api/v1/timeseries?bucket=1d")), 86400 * 1'000'000'000ULL, expected(86400 * 1'000'000'000ULL, QString(), 0));
        check(get(QStringLiteral("/api/v1/timeseries?bucket=250ms&service_name=svc-a")), 250'000'000ULL,
            expected(250'000'000ULL, QStringLiteral("svc-a"), 0));
        const std::uint64_t newest = m_allTraces.front().startTimeUnixNano;
        check(get(QStringLiteral("/api/v1/timeseries?bucket=1h&start_time_gte=%1").arg(newest)), 3600 * 1'000'000'000ULL,
            expected(3600 * 1'000'000'000ULL, QString(), newest));
        if (QTest::currentTestFailed())
            return;

        // A bad or missing bucket is 400 with a message that says what a bucket looks like.
        for (const char* bad : { "", "?bucket=", "?bucket=0s", "?bucket=60", "?bucket=1y", "?bucket=-5s", "?bucket=1.5s",
                 "?bucket=%2060s", "?bucket=99999999999999999999d", "?bucket=106752d", "?bucket=60s&bucket=1s" }) {
            const Reply r = get(QStringLiteral("/api/v1/timeseries") + QString::fromLatin1(bad));
            QVERIFY2(r.status == 400, bad);
            QVERIFY2(r.json.value(QStringLiteral("error")).toString().contains(QLatin1String("bucket")), bad);
        }
        QCOMPARE(get(QStringLiteral("/api/v1/timeseries?bucket=106751d")).status, 200);
        QCOMPARE(get(QStringLiteral("/api/v1/timeseries?bucket=1s&limit=3")).status, 400);
        QCOMPARE(get(QStringLiteral("/api/v1/timeseries?bucket=1s&start_time_gte=2026-01-02T00:00:00Z&start_time_lte=2026-01-01T00:00:00Z")).status, 400);
    }

    void criticalPathOfATrace()
    {
        // checkout (0-100 ms) calls cart (10-40), then payments (30-90) which calls the bank (50-85); an audit call
        // runs concurrently with payments and ends first, and a retry outlives the root (clipped).
        MemoryTraceStore store;
        const TraceId trace = TestSpans::traceId(0xc41);
        const std::uint64_t ms = 1'000'000, t0 = 1'795'255'200'000'000'000ULL;
        const auto shop = TestSpans::resource(QStringLiteral("frontend"));
        const auto pay = TestSpans::resource(QStringLiteral("payments"));
        QVERIFY(store.addSpans({ TestSpans::make(trace, 1, 0, QStringLiteral("GET /checkout"), shop, t0, t0 + 100 * ms),
                                 TestSpans::make(trace, 2, 1, QStringLiteral("cart"), shop, t0 + 10 * ms, t0 + 40 * ms),
                                 TestSpans::make(trace, 3, 1, QStringLiteral("charge"), pay, t0 + 30 * ms, t0 + 90 * ms),
                                 TestSpans::make(trace, 4, 3, QStringLiteral("bank"), pay, t0 + 50 * ms, t0 + 85 * ms),
                                 TestSpans::make(trace, 5, 1, QStringLiteral("audit"), shop, t0 + 35 * ms, t0 + 70 * ms),
                                 TestSpans::make(trace, 6, 3, QStringLiteral("retry"), pay, t0 + 88 * ms, t0 + 140 * ms) })
                    .ok);
        QueryApi api(&store);
        const QueryApi::Response r
            = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/critical-path").arg(trace.toHex())));
        QCOMPARE(r.status, 200);
        const QJsonObject json = jsonOf(r);
        QCOMPARE(json.value(QStringLiteral("trace_id")).toString(), trace.toHex());
        QCOMPARE(json.value(QStringLiteral("duration_ns")).toInteger(), qint64(100 * ms));
        const QJsonArray spans = json.value(QStringLiteral("spans")).toArray();
        // Root 0-30 and 90-100 itself (cart ends after charge starts: concurrent, not waited on); charge 30-50 and
        // 85-88; bank 50-85; the retry 88-90 (clipped to charge's end).
        const std::pair<const char*, std::uint64_t> expected[]
            = { { "GET /checkout", 40 * ms }, { "charge", 23 * ms }, { "bank", 35 * ms }, { "retry", 2 * ms } };
        QCOMPARE(spans.size(), qsizetype(std::size(expected)));
        for (qsizetype i = 0; i < spans.size(); ++i) {
            const QJsonObject s = spans.at(i).toObject();
            QCOMPARE(s.value(QStringLiteral("name")).toString(), QLatin1String(expected[i].first));
            QCOMPARE(s.value(QStringLiteral("self_time_ns")).toInteger(), qint64(expected[i].second));
            QCOMPARE(s.keys(), QStringList({ QStringLiteral("end_time_unix_nano"), QStringLiteral("name"),
                QStringLiteral("self_time_ns"), QStringLiteral("service_name"), QStringLiteral("span_id"),
                QStringLiteral("start_time_unix_nano") }));
        }
        QCOMPARE(spans.at(1).toObject().value(QStringLiteral("service_name")).toString(), QStringLiteral("payments"));
        QCOMPARE(spans.at(0).toObject().value(QStringLiteral("start_time_unix_nano")).toString(), QString::number(t0));
        QCOMPARE(spans.at(2).toObject().value(QStringLiteral("span_id")).toString(), TestSpans::spanId(4).toHex());

        QCOMPARE(api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/critical-path")
                                           .arg(TestSpans::traceId(0xdead).toHex()))).status, 404);
        QCOMPARE(api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/critical-path").arg(trace.toHex()),
                                       { { QStringLiteral("limit"), QStringLiteral("1") } })).status, 400);
    }

    void genAiOfATrace()
    {
        // An agent trace: a chat call whose messages are OTLP log records, a tool call, a chat call with attributes.
        MemoryTraceStore store;
        const TraceId trace = TestSpans::traceId(0x6a1);
        const auto res = TestSpans::resource(QStringLiteral("agent"));
        const auto attrs = [](std::initializer_list<std::pair<const char*, QString>> pairs) {
            Attributes a;
            for (const auto& [key, value] : pairs)
                a.push_back({ QLatin1String(key), AnyValue::fromString(value) });
            return a;
        };
        Span chat1 = TestSpans::make(trace, 2, 1, QStringLiteral("chat gpt-4o-mini"), res, 1000, 2000);
        chat1.attributes = attrs({ { "gen_ai.operation.name", QStringLiteral("chat") },
                                   { "gen_ai.request.model", QStringLiteral("gpt-4o-mini") },
                                   { "gen_ai.usage.input_tokens", QStringLiteral("1000000") },
                                   { "gen_ai.usage.output_tokens", QStringLiteral("0") } });
        Span tool = TestSpans::make(trace, 3, 1, QStringLiteral("execute_tool lookup"), res, 2100, 2200);
        tool.attributes = attrs({ { "gen_ai.operation.name", QStringLiteral("execute_tool") },
                                  { "gen_ai.tool.name", QStringLiteral("lookup") },
                                  { "gen_ai.tool.call.id", QStringLiteral("c1") },
                                  { "gen_ai.tool.call.result", QStringLiteral("{\"ok\":true}") } });
        Span agent = TestSpans::make(trace, 1, 0, QStringLiteral("invoke_agent"), res, 900, 3000);
        agent.attributes = attrs({ { "gen_ai.operation.name", QStringLiteral("invoke_agent") },
                                   { "gen_ai.usage.input_tokens", QStringLiteral("1000000") } });
        QVERIFY(store.addSpans({ agent, chat1, tool }).ok);
        const auto record = [&](const char* event, AnyValue body, std::uint64_t time) {
            LogRecord r = TestLogs::make(trace, TestSpans::spanId(2), 9, QString(), res, nullptr);
            r.eventName = QLatin1String(event);
            r.body = std::move(body);
            r.timeUnixNano = time;
            return r;
        };
        AnyValue user;
        user.type = AnyValue::Type::Map;
        user.mapValue = { { QStringLiteral("content"), AnyValue::fromString(QStringLiteral("look it up")) } };
        AnyValue function;
        function.type = AnyValue::Type::Map;
        function.mapValue = { { QStringLiteral("name"), AnyValue::fromString(QStringLiteral("lookup")) },
                              { QStringLiteral("arguments"), AnyValue::fromString(QStringLiteral("{\"q\":\"x\"}")) } };
        AnyValue call;
        call.type = AnyValue::Type::Map;
        call.mapValue = { { QStringLiteral("id"), AnyValue::fromString(QStringLiteral("c1")) }, { QStringLiteral("function"), function } };
        AnyValue calls;
        calls.type = AnyValue::Type::Array;
        calls.arrayValue = { call };
        AnyValue message;
        message.type = AnyValue::Type::Map;
        message.mapValue = { { QStringLiteral("tool_calls"), calls } };
        AnyValue choice;
        choice.type = AnyValue::Type::Map;
        choice.mapValue = { { QStringLiteral("finish_reason"), AnyValue::fromString(QStringLiteral("tool_calls")) },
                            { QStringLiteral("message"), message } };
        IngestItem item;
        item.payload.signal = RawPayload::Signal::Logs;
        item.batch.logs = { record("gen_ai.user.message", user, 1100), record("gen_ai.choice", choice, 1900) };
        QVERIFY(store.write({ item }).ok);

        QTemporaryDir dir;
        const QString pricesPath = dir.filePath(QStringLiteral("prices.json"));
        QFile prices(pricesPath);
        QVERIFY(prices.open(QIODevice::WriteOnly));
        prices.write(R"({"prices":[{"pattern":"gpt-4o-mini*","input_per_million":0.15,"output_per_million":0.6}]})");
        prices.close();
        QueryApi api(&store, pricesPath);
        QueryApi::Response r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/genai").arg(trace.toHex())));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        const QJsonObject json = jsonOf(r);
        QCOMPARE(json.value(QStringLiteral("trace_id")).toString(), trace.toHex());
        const QJsonObject totals = json.value(QStringLiteral("totals")).toObject();
        QCOMPARE(totals.value(QStringLiteral("llm_calls")).toInt(), 1);
        QCOMPARE(totals.value(QStringLiteral("tool_calls")).toInt(), 1);
        QCOMPARE(totals.value(QStringLiteral("input_tokens")).toInt(), 1000000); // not again for the agent span
        QCOMPARE(totals.value(QStringLiteral("cost")).toDouble(), 0.15);
        const QJsonObject first = json.value(QStringLiteral("calls")).toArray().at(0).toObject();
        QCOMPARE(first.value(QStringLiteral("input_messages")).toArray().at(0).toObject().value(QStringLiteral("parts")).toArray().at(0).toObject(),
                 (QJsonObject { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("content"), QStringLiteral("look it up") } }));
        const QJsonObject asked = first.value(QStringLiteral("output_messages")).toArray().at(0).toObject()
                                      .value(QStringLiteral("parts")).toArray().at(0).toObject();
        QCOMPARE(asked.value(QStringLiteral("arguments")).toObject().value(QStringLiteral("q")).toString(), QStringLiteral("x"));
        const QJsonObject toolJson = json.value(QStringLiteral("tool_calls")).toArray().at(0).toObject();
        QCOMPARE(toolJson.value(QStringLiteral("requested_by_span_id")).toString(), TestSpans::spanId(2).toHex());
        QCOMPARE(toolJson.value(QStringLiteral("result")).toObject().value(QStringLiteral("ok")).toBool(), true);
        QCOMPARE(toolJson.value(QStringLiteral("arguments")).toObject().value(QStringLiteral("q")).toString(), QStringLiteral("x"));

        // Without a price for the model: cost null, never 0.
        QVERIFY(prices.open(QIODevice::WriteOnly | QIODevice::Truncate));
        prices.write(R"({"prices":[]})");
        prices.close();
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/genai").arg(trace.toHex())));
        QVERIFY(jsonOf(r).value(QStringLiteral("totals")).toObject().value(QStringLiteral("cost")).isNull());
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/genai").arg(trace.toHex()), { { QStringLiteral("limit"), QStringLiteral("2") } }));
        QCOMPARE(r.status, 400);
    }

    void rawPrefersTheStoredDocument()
    {
        BlobStore store;
        const TraceId id = TestSpans::traceId(5);
        QVERIFY(store
                    .addSpans({ TestSpans::make(
                        id, 1, 0, QStringLiteral("x"), TestSpans::resource(QStringLiteral("s")), 10, 20) })
                    .ok);
        store.blob = Gzip::deflate(QByteArrayLiteral("{\"resourceSpans\":[]}"));
        QueryApi api(&store);
        QueryApi::Response r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/raw").arg(id.toHex())));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, store.blob); // as stored, not re-encoded
        QCOMPARE(r.header("Content-Encoding"), QByteArray("gzip"));

        store.blob.clear(); // no document: encoded from the spans
        r = api.handle(getRequest(QStringLiteral("/api/v1/traces/%1/raw").arg(id.toHex())));
        QCOMPARE(r.status, 200);
        QByteArray json;
        QCOMPARE(Gzip::inflate(r.body, 1 << 20, &json), Gzip::Status::Ok);
        QCOMPARE(json, OtlpJsonCodec::encodeRequest(store.traceSpans(id), false));
    }

    // Last: it adds the corpus's HotROD trace to the store the tests above count.
    void conformanceHotrodTrace()
    {
        SPANSCOPE_READ_TEST_FILE(body, TestData::conformanceFile("otlp-json/hotrod-n-plus-one-concurrent.json"));
        QVERIFY(post(body, "application/json"));
        const QString id = QStringLiteral("1a4e4a7b270e9f2a0f716e3ee115218a");
        QCOMPARE(pageAll(QStringLiteral("&service_name=mysql"), 10), QStringList { id }); // not the root's service
        const Reply detail = get(QStringLiteral("/api/v1/traces/") + id.toUpper());
        QCOMPARE(detail.status, 200);
        QCOMPARE(detail.json.value(QStringLiteral("span_count")).toInt(), 40);
        QCOMPARE(detail.json.value(QStringLiteral("error_count")).toInt(), 3);
        QSet<QString> services;
        for (const QJsonValue v : detail.json.value(QStringLiteral("resources")).toArray())
            services.insert(v.toObject().value(QStringLiteral("service_name")).toString());
        QCOMPARE(services.size(), 6);
        const Reply spans = get(QStringLiteral("/api/v1/traces/%1/spans").arg(id));
        QCOMPARE(spans.status, 200);
        QCOMPARE(spans.json.value(QStringLiteral("total")).toInt(), 40);
        int events = 0;
        for (const QJsonValue v : spans.json.value(QStringLiteral("spans")).toArray())
            events += int(v.toObject().value(QStringLiteral("events")).toArray().size());
        QCOMPARE(events, 52);
    }
};

QTEST_GUILESS_MAIN(TestQueryApi)
#include "tst_queryapi.moc"
