#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/files/traceimporter.h"
#include "ingest/files/zipkinjsonreader.h"
#include "storage/sqlitetracestore.h"

#include "../common/testdata.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

// Expected figures come from the files' descriptions (tests/data/README.md, the corpus README) and from counting
// the files with python's json module, never from running the importer.

namespace {

/// Every stored span, paging through listTraces.
std::vector<Span> allSpans(TraceStore* store)
{
    std::vector<Span> out;
    TraceQuery q;
    q.limit = 100;
    for (;;) {
        const std::vector<TraceSummary> page = store->listTraces(q);
        for (const TraceSummary& t : page)
            for (Span& s : store->traceSpans(t.traceId))
                out.push_back(std::move(s));
        if (static_cast<int>(page.size()) < q.limit)
            break;
        q.setCursor(page.back());
    }
    std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) {
        return std::tie(a.traceId, a.spanId) < std::tie(b.traceId, b.spanId);
    });
    return out;
}

/// Depth of the deepest span (a root is depth 1); a span whose parent is not in the set counts as a root.
/// `countLevel` decides whether a span adds a level.
int maxDepth(const std::vector<Span>& spans, const std::function<bool(const Span&)>& countLevel = nullptr)
{
    QHash<QPair<TraceId, SpanId>, const Span*> byId;
    for (const Span& s : spans)
        byId.insert({ s.traceId, s.spanId }, &s);
    int best = 0;
    for (const Span& s : spans) {
        int depth = 0;
        const Span* p = &s;
        for (int guard = 0; p && guard < 10000; ++guard) {
            if (!countLevel || countLevel(*p))
                ++depth;
            p = p->parentSpanId.isValid() ? byId.value({ p->traceId, p->parentSpanId }) : nullptr;
        }
        best = std::max(best, depth);
    }
    return best;
}

/// A store that can be told to fail its n-th write (1-based), for the rollback tests.
class FlakyStore final : public TraceStore {
public:
    explicit FlakyStore(TraceStore* inner)
        : m_inner(inner)
    {
    }
    int failWrite = 0;
    int writes = 0;
    bool open(QString* error) override { return m_inner->open(error); }
    QString description() const override { return m_inner->description(); }
    WriteResult write(const std::vector<IngestItem>& items) override
    {
        if (++writes == failWrite)
            return { false, QStringLiteral("disk full (simulated)"), 0, 0, {} };
        return m_inner->write(items);
    }
    std::vector<TraceSummary> listTraces(const TraceQuery& q, QString* e) override { return m_inner->listTraces(q, e); }
    std::optional<TraceSummary> traceSummary(const TraceId& id, QString* e) override { return m_inner->traceSummary(id, e); }
    std::vector<Span> traceSpans(const TraceId& id, QString* e) override { return m_inner->traceSpans(id, e); }
    std::vector<RawPayload> tracePayloads(const TraceId& id, QString* e) override { return m_inner->tracePayloads(id, e); }
    QStringList services(QString* e) override { return m_inner->services(e); }
    qint64 spanCount(QString* e) override { return m_inner->spanCount(e); }
    std::vector<LogRecord> traceLogs(const TraceId& id, QString* e) override { return m_inner->traceLogs(id, e); }
    qint64 logRecordCount(QString* e) override { return m_inner->logRecordCount(e); }

private:
    TraceStore* m_inner;
};

QByteArray otlpLine(int trace, int spans)
{
    QByteArray spansJson;
    for (int i = 0; i < spans; ++i) {
        if (i)
            spansJson += ',';
        spansJson += QStringLiteral(R"({"traceId":"%1","spanId":"%2","name":"s%3","startTimeUnixNano":"%4",)"
                                    R"("endTimeUnixNano":"%5","attributes":[{"key":"n","value":{"intValue":"%3"}}]})")
                         .arg(trace + 1, 32, 16, QLatin1Char('0'))
                         .arg(trace * 1000 + i + 1, 16, 16, QLatin1Char('0'))
                         .arg(i)
                         .arg(1700000000000000000LL + i)
                         .arg(1700000000000000000LL + i + 500)
                         .toUtf8();
    }
    return R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"gen"}}]},)"
           R"("scopeSpans":[{"scope":{"name":"t"},"spans":[)"
        + spansJson + "]}]}]}";
}

} // namespace

class TestTraceImport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteTraceStore> m_store;
    int m_storeSeq = 0;

    SqliteTraceStore* freshStore()
    {
        m_store = std::make_unique<SqliteTraceStore>(m_dir.filePath(QStringLiteral("s%1.db").arg(++m_storeSeq)));
        QString error;
        if (!m_store->open(&error))
            qFatal("cannot open store: %s", qPrintable(error));
        return m_store.get();
    }

    QString writeFile(const QString& name, const QByteArray& content)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void fixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<qint64>("spans");
        QTest::addColumn<qint64>("traces");
        QTest::addColumn<int>("roots"); // spans whose parent is absent or not in the file
        QTest::addColumn<int>("services");
        QTest::addColumn<int>("depth");

        QTest::newRow("checkout-single-span") << "otlp-json/checkout-single-span.json"
                                              << "otlp-json" << 1LL << 1LL << 1 << 1 << 1;
        QTest::newRow("payments-two-traces") << "otlp-json/payments-two-traces.json"
                                             << "otlp-json" << 4LL << 2LL << 2 << 1 << 2;
        QTest::newRow("storefront") << "otlp-json/storefront-multi-resource.json"
                                    << "otlp-json" << 4LL << 1LL << 1 << 1 << 3;
        QTest::newRow("checkout-fanout") << "otlp-json/checkout-fanout.json"
                                         << "otlp-json" << 22LL << 1LL << 1 << 6 << 4;
        QTest::newRow("trip-planner-agent") << "otlp-json/trip-planner-agent.json"
                                            << "otlp-json" << 8LL << 1LL << 1 << 1 << 3;
        QTest::newRow("protomapping-jsonl") << "otlp-json-protomapping/shop-grpc.jsonl"
                                            << "otlp-jsonl" << 16LL << 12LL << 12 << 6 << 2;
        QTest::newRow("protobuf") << "otlp-protobuf/shop-grpc.pb"
                                  << "otlp-proto" << 16LL << 12LL << 12 << 6 << 2;
        QTest::newRow("jaeger-storefront") << "jaeger-json/storefront-multi-resource.jaeger.json"
                                           << "jaeger-json" << 4LL << 1LL << 1 << 1 << 3;
        QTest::newRow("jaeger-helpdesk-agent") << "jaeger-json/helpdesk-agent.jaeger.json"
                                               << "jaeger-json" << 12LL << 1LL << 1 << 4 << 5;
        // 10 records: two fragments of one shared span id merge (9), of which 2 are split server halves.
        QTest::newRow("zipkin-gateway-login") << "zipkin-json/gateway-login.json"
                                              << "zipkin-json" << 9LL << 1LL << 1 << 3 << 6;
        QTest::newRow("zipkin-orders-messaging") << "zipkin-json/orders-messaging.json"
                                                 << "zipkin-json" << 8LL << 1LL << 1 << 2 << 7;

        QTest::newRow("conformance: spec-example")
            << TestData::conformanceFile("otlp-json/spec-example.json") << "otlp-json" << 1LL << 1LL << 1 << 1 << 1;
        QTest::newRow("conformance: jaeger-otel-01")
            << TestData::conformanceFile("otlp-json/jaeger-otel-traces-01.json") << "otlp-json" << 4LL << 2LL << 4 << 1
            << 1;
        QTest::newRow("conformance: node-sdk") << TestData::conformanceFile("otlp-json/node-sdk-multi-resource.json")
                                               << "otlp-json" << 4LL << 1LL << 1 << 1 << 3;
        QTest::newRow("conformance: hotrod") << TestData::conformanceFile("otlp-json/hotrod-n-plus-one-concurrent.json")
                                             << "otlp-json" << 40LL << 1LL << 1 << 6 << 4;
        QTest::newRow("conformance: genai") << TestData::conformanceFile("otlp-json/genai-agent-trace.json")
                                            << "otlp-json" << 8LL << 1LL << 1 << 1 << 3;
        QTest::newRow("conformance: protomapping-jsonl")
            << TestData::conformanceFile("otlp-json-protomapping/otlp2parquet-traces.jsonl") << "otlp-jsonl" << 19LL
            << 19LL << 19 << 8 << 1;
        QTest::newRow("conformance: protobuf") << TestData::conformanceFile("otlp-protobuf/otlp2parquet-traces.pb")
                                               << "otlp-proto" << 19LL << 19LL << 19 << 8 << 1;
        QTest::newRow("conformance: jaeger-node-sdk")
            << TestData::conformanceFile("jaeger-json/node-sdk-multi-resource.jaeger.json") << "jaeger-json" << 4LL
            << 1LL << 1 << 1 << 3;
        QTest::newRow("conformance: jaeger-genai")
            << TestData::conformanceFile("jaeger-json/genai-agent-trace.jaeger.json") << "jaeger-json" << 57LL << 1LL
            << 1 << 10 << 8;
        // 175 records: 4 fragments of one shared span id merge away (171), of which 41 are split server halves.
        QTest::newRow("conformance: zipkin-smartthings")
            << TestData::conformanceFile("zipkin-json/smartthings-oauth-authorization.json") << "zipkin-json" << 171LL
            << 1LL << 1 << 8 << 33;
        QTest::newRow("conformance: zipkin-kafka") << TestData::conformanceFile("zipkin-json/messaging-kafka.json")
                                                   << "zipkin-json" << 28LL << 1LL << 1 << 2 << 5;
    }

    void fixtures()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(qint64, spans);
        QFETCH(qint64, traces);
        QFETCH(int, roots);
        QFETCH(int, services);
        QFETCH(int, depth);

        SPANSCOPE_TEST_FILE(path, file);
        SqliteTraceStore* store = freshStore();
        TraceImporter importer(store);
        const ImportReport report = importer.importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(traceFileFormatName(report.format), format);
        QCOMPARE(report.spansImported, spans);
        QCOMPARE(report.tracesImported, traces);
        QCOMPARE(report.spansRejected, 0);
        QCOMPARE(store->spanCount(), spans);

        const std::vector<Span> stored = allSpans(store);
        QCOMPARE(static_cast<qint64>(stored.size()), spans);
        QSet<QPair<TraceId, SpanId>> ids;
        for (const Span& s : stored)
            ids.insert({ s.traceId, s.spanId });
        int rootCount = 0;
        QSet<QString> serviceNames;
        for (const Span& s : stored) {
            if (!ids.contains({ s.traceId, s.parentSpanId }))
                ++rootCount;
            serviceNames.insert(s.serviceName());
            QVERIFY(s.endTimeUnixNano >= s.startTimeUnixNano);
            QVERIFY(s.startTimeUnixNano > 1000000000ULL * 1000000000ULL); // after 2001
        }
        QCOMPARE(rootCount, roots);
        if (services >= 0)
            QCOMPARE(serviceNames.size(), services);
        if (depth >= 0)
            QCOMPARE(maxDepth(stored), depth);
    }

    void notTraceFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("manifest") << "otlp-json/checkout-fanout.manifest.json"
                                  << "not a known trace format: top-level keys \"";
        QTest::newRow("readme") << "README.md" << "not a trace file";
        QTest::newRow("invalid-ids") << "otlp-json/invalid-ids.json"
                                     << "no valid spans";
        QTest::newRow("conformance: manifest")
            << TestData::conformanceFile("otlp-json/hotrod-n-plus-one-concurrent.manifest.json")
            << "not a known trace format: top-level keys \"";
        QTest::newRow("conformance: readme") << TestData::conformanceFile("README.md") << "not a trace file";
        QTest::newRow("conformance: empty-ids")
            << TestData::conformanceFile("otlp-json/empty-ids.json") << "no valid spans";
    }

    void notTraceFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        SPANSCOPE_TEST_FILE(path, file);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.contains(expected), qPrintable(report.error));
        QVERIFY2(report.error.startsWith(path + QStringLiteral(": ")), qPrintable(report.error)); // named as given
        QCOMPARE(store->spanCount(), 0);
    }

    void emptyIdsRejectedOneByOne_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("invalid-ids") << QStringLiteral("otlp-json/invalid-ids.json");
        QTest::newRow("conformance: empty-ids") << TestData::conformanceFile("otlp-json/empty-ids.json");
    }

    void emptyIdsRejectedOneByOne()
    {
        QFETCH(QString, file);
        SPANSCOPE_TEST_FILE(path, file);
        const ImportReport report = TraceImporter::readFile(path, {}, [](auto&&) { return true; });
        QCOMPARE(report.spansRejected, 3);
        QCOMPARE(report.spansImported, 0);
    }

    void attributeTypes_data()
    {
        QTest::addColumn<QString>("otlpFile");
        QTest::addColumn<QString>("jaegerFile");
        QTest::addColumn<quint64>("rootDurationNanos");
        QTest::newRow("project") << QStringLiteral("otlp-json/payments-two-traces.json")
                                 << QStringLiteral("jaeger-json/helpdesk-agent.jaeger.json") << quint64(3150000) * 1000;
        QTest::newRow("conformance") << TestData::conformanceFile("otlp-json/jaeger-otel-traces-01.json")
                                     << TestData::conformanceFile("jaeger-json/genai-agent-trace.jaeger.json")
                                     << quint64(44000000) * 1000;
    }

    void attributeTypes()
    {
        QFETCH(QString, otlpFile);
        QFETCH(QString, jaegerFile);
        QFETCH(quint64, rootDurationNanos);
        SPANSCOPE_TEST_FILE(otlpPath, otlpFile);
        SPANSCOPE_TEST_FILE(jaegerPath, jaegerFile);
        SqliteTraceStore* store = freshStore();
        QVERIFY(TraceImporter(store).importFile(otlpPath).ok);
        QSet<QString> types;
        for (const Span& s : allSpans(store))
            for (const KeyValue& kv : s.attributes)
                types.insert(kv.value.typeName());
        QVERIFY2(types.contains(QStringLiteral("bytes")) && types.contains(QStringLiteral("double"))
                     && types.contains(QStringLiteral("int")),
                 qPrintable(QStringList(types.values()).join(u',')));

        store = freshStore();
        QVERIFY(TraceImporter(store).importFile(jaegerPath).ok);
        const std::vector<Span> spans = allSpans(store);
        int errors = 0;
        bool sawInt = false;
        for (const Span& s : spans) {
            errors += s.statusCode == StatusCode::Error;
            QVERIFY(!findAttribute(s.attributes, u"span.kind"));
            if (const AnyValue* v = findAttribute(s.attributes, u"http.response.status_code"))
                sawInt = sawInt || v->type == AnyValue::Type::Int;
            QVERIFY(!findAttribute(s.attributes, u"error")); // became the status
        }
        QCOMPARE(errors, 1);
        QVERIFY(sawInt);
        const auto root = std::find_if(spans.begin(), spans.end(), [](const Span& s) { return s.isRoot(); });
        QVERIFY(root != spans.end());
        QCOMPARE(root->kind, SpanKind::Server);
        QCOMPARE(root->durationNanos(), rootDurationNanos);
    }

    void jaegerMapping()
    {
        const QByteArray doc = R"({"traceID":"abc","spans":[
          {"traceID":"abc","spanID":"1","operationName":"op","startTime":1700000000000001,"duration":2,"flags":1,
           "references":[{"refType":"FOLLOWS_FROM","traceID":"abc","spanID":"5"},
                         {"refType":"CHILD_OF","traceID":"abc","spanID":"4"},
                         {"refType":"CHILD_OF","traceID":"def","spanID":"6"}],
           "tags":[{"key":"s","type":"string","value":"x"},{"key":"b","type":"bool","value":true},
                   {"key":"i","type":"int64","value":"9007199254740993"},{"key":"f","type":"float64","value":1.5},
                   {"key":"bin","type":"binary","value":"AAEC"},{"key":"span.kind","type":"string","value":"consumer"},
                   {"key":"otel.status_code","type":"string","value":"ERROR"},
                   {"key":"otel.status_description","type":"string","value":"boom"},
                   {"key":"w3c.tracestate","type":"string","value":"k=v"}],
           "logs":[{"timestamp":1700000000000002,"fields":[{"key":"event","type":"string","value":"retry"},
                                                            {"key":"n","type":"int64","value":3}]}],
           "processID":"p1"}],
          "processes":{"p1":{"serviceName":"svc","tags":[{"key":"host","type":"string","value":"h"}]}}})";
        const QString path = writeFile(QStringLiteral("one.jaeger.json"), doc);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        const std::vector<Span> spans = allSpans(store);
        QCOMPARE(spans.size(), std::size_t(1));
        const Span& s = spans.front();
        QCOMPARE(s.traceId.toHex(), QStringLiteral("00000000000000000000000000000abc"));
        QCOMPARE(s.parentSpanId.toHex(), QStringLiteral("0000000000000004"));
        QCOMPARE(s.startTimeUnixNano, 1700000000000001000ULL);
        QCOMPARE(s.endTimeUnixNano, 1700000000000003000ULL);
        QCOMPARE(s.kind, SpanKind::Consumer);
        QCOMPARE(s.statusCode, StatusCode::Error);
        QCOMPARE(s.statusMessage, QStringLiteral("boom"));
        QCOMPARE(s.traceState, QStringLiteral("k=v"));
        QCOMPARE(s.flags, 1u);
        QCOMPARE(s.attributes.size(), std::size_t(5));
        QCOMPARE(findAttribute(s.attributes, u"s")->type, AnyValue::Type::String);
        QCOMPARE(findAttribute(s.attributes, u"b")->type, AnyValue::Type::Bool);
        QCOMPARE(findAttribute(s.attributes, u"i")->intValue, 9007199254740993LL);
        QCOMPARE(findAttribute(s.attributes, u"f")->doubleValue, 1.5);
        QCOMPARE(findAttribute(s.attributes, u"bin")->bytesValue, QByteArray("\x00\x01\x02", 3));
        QCOMPARE(s.links.size(), std::size_t(2));
        QCOMPARE(s.links[0].spanId.toHex(), QStringLiteral("0000000000000005"));
        QCOMPARE(findAttribute(s.links[0].attributes, u"opentracing.ref_type")->stringValue,
                 QStringLiteral("follows_from"));
        QCOMPARE(s.links[1].traceId.toHex(), QStringLiteral("00000000000000000000000000000def"));
        QCOMPARE(s.events.size(), std::size_t(1));
        QCOMPARE(s.events[0].name, QStringLiteral("retry"));
        QCOMPARE(s.events[0].timeUnixNano, 1700000000000002000ULL);
        QCOMPARE(findAttribute(s.events[0].attributes, u"n")->intValue, 3);
        QCOMPARE(s.serviceName(), QStringLiteral("svc"));
        QCOMPARE(findAttribute(s.resource->attributes, u"host")->stringValue, QStringLiteral("h"));
    }

    void jaegerGoldenPair_data()
    {
        QTest::addColumn<QString>("otlpFile");
        QTest::addColumn<QString>("jaegerFile");
        QTest::addColumn<int>("spans");
        QTest::addColumn<int>("events");
        QTest::newRow("storefront") << QStringLiteral("otlp-json/storefront-multi-resource.json")
                                    << QStringLiteral("jaeger-json/storefront-multi-resource.jaeger.json") << 4 << 1;
        QTest::newRow("conformance: node-sdk")
            << TestData::conformanceFile("otlp-json/node-sdk-multi-resource.json")
            << TestData::conformanceFile("jaeger-json/node-sdk-multi-resource.jaeger.json") << 4 << 0;
    }

    void jaegerGoldenPair()
    {
        QFETCH(QString, otlpFile);
        QFETCH(QString, jaegerFile);
        QFETCH(int, spans);
        QFETCH(int, events);
        SPANSCOPE_TEST_FILE(otlpPath, otlpFile);
        SPANSCOPE_TEST_FILE(jaegerPath, jaegerFile);
        SqliteTraceStore* otlpStore = freshStore();
        QVERIFY(TraceImporter(otlpStore).importFile(otlpPath).ok);
        const std::vector<Span> otlp = allSpans(otlpStore);
        SqliteTraceStore* jaegerStore = freshStore();
        QVERIFY(TraceImporter(jaegerStore).importFile(jaegerPath).ok);
        const std::vector<Span> jaeger = allSpans(jaegerStore);
        QCOMPARE(int(otlp.size()), spans);
        QCOMPARE(jaeger.size(), otlp.size());
        int eventCount = 0;
        for (std::size_t i = 0; i < otlp.size(); ++i) {
            const Span& a = otlp[i];
            const Span& b = jaeger[i];
            QCOMPARE(b.traceId, a.traceId);
            QCOMPARE(b.spanId, a.spanId);
            QCOMPARE(b.parentSpanId, a.parentSpanId);
            QCOMPARE(b.name, a.name);
            QCOMPARE(b.kind, a.kind);
            QCOMPARE(b.statusCode, a.statusCode);
            // Jaeger keeps microseconds: the start is exact here, the end is the start plus a truncated duration.
            QCOMPARE(b.startTimeUnixNano, a.startTimeUnixNano / 1000 * 1000);
            QCOMPARE(b.durationNanos(), a.durationNanos() / 1000 * 1000);
            QCOMPARE(b.attributes, a.attributes);
            QVERIFY(b.resource && a.resource);
            QCOMPARE(b.resource->attributes, a.resource->attributes);
            QVERIFY(b.scope && a.scope);
            QCOMPARE(b.scope->name, a.scope->name);
            QCOMPARE(b.scope->version, a.scope->version);
            QCOMPARE(b.events.size(), a.events.size());
            for (std::size_t e = 0; e < a.events.size(); ++e) {
                QCOMPARE(b.events[e].name, a.events[e].name);
                QCOMPARE(b.events[e].timeUnixNano, a.events[e].timeUnixNano / 1000 * 1000);
                QCOMPARE(b.events[e].attributes, a.events[e].attributes);
            }
            eventCount += int(a.events.size());
            QCOMPARE(b.links.size(), a.links.size());
        }
        QCOMPARE(eventCount, events);
    }

    void zipkinSharedSpans_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("spans");
        QTest::addColumn<QString>("traceId");
        QTest::addColumn<int>("serverHalves");
        QTest::addColumn<int>("depthById");
        QTest::addColumn<int>("depthByHalf");
        QTest::addColumn<int>("missingDuration");
        QTest::addColumn<QString>("clientSpan"); // a CLIENT span with a remote endpoint and a tag
        QTest::addColumn<QString>("clientService");
        QTest::addColumn<QString>("keyspace");
        QTest::addColumn<QString>("peerAddress");
        QTest::addColumn<quint64>("clientDurationNanos");
        QTest::addColumn<QString>("errorMessage"); // of the one span with an error tag; empty: not checked

        // 10 records, 9 span ids of which 2 shared by a client and a server (one server in two fragments); the
        // accounts server's child hangs under the server half (same service): gateway > token client > token
        // server > accounts client > accounts server > select account. "select account" and "render page" have
        // no duration; the accounts server fragment without one merges with one that has it.
        QTest::newRow("gateway-login") << QStringLiteral("zipkin-json/gateway-login.json") << 9
                                       << QStringLiteral("00000000000000005af7183fb1d4cf5f") << 2 << 4 << 6 << 2
                                       << QStringLiteral("0c00000000000003") << QStringLiteral("auth")
                                       << QStringLiteral("sessions") << QStringLiteral("10.1.2.3") << quint64(2750000)
                                       << QStringLiteral("missing field email");
        // 175 records: 4 fragments of one shared span id merge away (171); 45 shared records, 5 of them fragments
        // of one id. The README's depth counts span ids: a client/server pair is one level. Records without
        // duration: 19, of which 4 merge into a fragment.
        QTest::newRow("conformance: smartthings")
            << TestData::conformanceFile("zipkin-json/smartthings-oauth-authorization.json") << 171
            << QStringLiteral("00000000000000008ce82b2e9ed820ba") << 41 << 24 << 33 << 15
            << QStringLiteral("c8a2bcb3011b9fcd") << QStringLiteral("auth") << QStringLiteral("auth")
            << QStringLiteral("10.0.0.3") << quint64(3816000) << QString();
    }

    void zipkinSharedSpans()
    {
        QFETCH(QString, file);
        QFETCH(int, spans);
        QFETCH(QString, traceId);
        QFETCH(int, serverHalves);
        QFETCH(int, depthById);
        QFETCH(int, depthByHalf);
        QFETCH(int, missingDuration);
        QFETCH(QString, clientSpan);
        QFETCH(QString, clientService);
        QFETCH(QString, keyspace);
        QFETCH(QString, peerAddress);
        QFETCH(quint64, clientDurationNanos);
        QFETCH(QString, errorMessage);
        SPANSCOPE_TEST_FILE(path, file);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        const std::vector<Span> stored = allSpans(store);
        QCOMPARE(int(stored.size()), spans);
        // 64-bit trace id padded with leading zeros.
        QCOMPARE(stored.front().traceId.toHex(), traceId);

        QHash<SpanId, const Span*> byId;
        for (const Span& s : stored)
            byId.insert(s.spanId, &s);
        int halves = 0;
        for (const Span& s : stored) {
            const AnyValue* original = findAttribute(s.attributes, u"zipkin.shared_span_id");
            if (!original)
                continue;
            ++halves;
            // The server half: a derived id, parented to the client half that carries the original id.
            QCOMPARE(s.kind, SpanKind::Server);
            const SpanId clientId = SpanId::fromHex(original->stringValue);
            QCOMPARE(s.spanId, ZipkinJsonReader::derivedServerSpanId(clientId));
            QCOMPARE(s.parentSpanId, clientId);
            QVERIFY(byId.contains(clientId));
            QCOMPARE(byId.value(clientId)->kind, SpanKind::Client);
        }
        QCOMPARE(halves, serverHalves);

        QCOMPARE(maxDepth(stored, [](const Span& s) { return !findAttribute(s.attributes, u"zipkin.shared_span_id"); }),
            depthById);
        QCOMPARE(maxDepth(stored), depthByHalf);

        // Records without duration that did not merge into a fragment with one keep a zero duration.
        int missing = 0;
        for (const Span& s : stored)
            if (findAttribute(s.attributes, u"zipkin.missing_duration")) {
                ++missing;
                QCOMPARE(s.durationNanos(), 0ULL);
            }
        QCOMPARE(missing, missingDuration);

        // Annotations became events; tags stayed strings; remote endpoints became peer attributes.
        int events = 0;
        for (const Span& s : stored)
            events += static_cast<int>(s.events.size());
        QVERIFY(events > 0);
        QVERIFY(byId.contains(SpanId::fromHex(clientSpan)));
        const Span& first = *byId.value(SpanId::fromHex(clientSpan));
        QCOMPARE(first.kind, SpanKind::Client);
        QCOMPARE(first.serviceName(), clientService);
        QCOMPARE(findAttribute(first.attributes, u"cassandra.keyspace")->stringValue, keyspace);
        QCOMPARE(findAttribute(first.attributes, u"network.peer.address")->stringValue, peerAddress);
        QCOMPARE(findAttribute(first.attributes, u"network.peer.port")->intValue, 9042);
        QCOMPARE(first.durationNanos(), clientDurationNanos);
        if (!errorMessage.isEmpty()) {
            const auto failed = std::find_if(
                stored.begin(), stored.end(), [](const Span& s) { return s.statusCode == StatusCode::Error; });
            QVERIFY(failed != stored.end());
            QCOMPARE(failed->statusMessage, errorMessage);
            QCOMPARE(findAttribute(failed->attributes, u"error")->stringValue, errorMessage); // the tag stays
        }
    }

    void gzipDetectedByContent()
    {
        // Gzipped under a name that says nothing.
        SPANSCOPE_READ_TEST_FILE(jsonlBytes, QStringLiteral("otlp-json-protomapping/shop-grpc.jsonl"));
        SPANSCOPE_READ_TEST_FILE(pbBytes, QStringLiteral("otlp-protobuf/shop-grpc.pb"));
        SPANSCOPE_READ_TEST_FILE(zipkinBytes, QStringLiteral("zipkin-json/orders-messaging.json"));
        const QString jsonl = writeFile(QStringLiteral("a.data"), Gzip::deflate(jsonlBytes));
        const QString pb = writeFile(QStringLiteral("b.data"), Gzip::deflate(pbBytes));
        const QString zipkin = writeFile(QStringLiteral("c.data"), Gzip::deflate(zipkinBytes));
        struct Row {
            QString path;
            TraceFileFormat format;
            qint64 spans;
        };
        for (const Row& row : { Row { jsonl, TraceFileFormat::OtlpJsonLines, 16 },
                 Row { pb, TraceFileFormat::OtlpProtobuf, 16 }, Row { zipkin, TraceFileFormat::ZipkinJson, 8 } }) {
            SqliteTraceStore* store = freshStore();
            const ImportReport report = TraceImporter(store).importFile(row.path);
            QVERIFY2(report.ok, qPrintable(report.error));
            QVERIFY(report.gzipped);
            QCOMPARE(report.format, row.format);
            QCOMPARE(store->spanCount(), row.spans);
        }
        // The protobuf twin and the JSON Lines file give the same spans, gzipped or not.
        SqliteTraceStore* a = freshStore();
        QVERIFY(TraceImporter(a).importFile(jsonl).ok);
        const std::vector<Span> fromJsonl = allSpans(a);
        SqliteTraceStore* b = freshStore();
        QVERIFY(TraceImporter(b).importFile(pb).ok);
        const std::vector<Span> fromPb = allSpans(b);
        QCOMPARE(fromJsonl.size(), fromPb.size());
        for (std::size_t i = 0; i < fromPb.size(); ++i)
            QVERIFY(spansEqual(fromJsonl[i], fromPb[i]));
    }

    void protobufStartingLikeText()
    {
        // Field 1 (resource_spans), length 123 = '{': the first bytes read "\n{".
        Span s;
        s.traceId = TraceId::fromHex(u"0123456789abcdef0123456789abcdef");
        s.spanId = SpanId::fromHex(u"0123456789abcdef");
        s.startTimeUnixNano = 1700000000000000000ULL;
        s.endTimeUnixNano = s.startTimeUnixNano + 1;
        for (int pad = 0; pad < 200; ++pad) {
            s.name = QString(pad, QLatin1Char('n'));
            const QByteArray pb = OtlpProtobufCodec::encodeRequest({ s });
            if (pb.size() > 1 && pb[1] == '{') {
                SqliteTraceStore* store = freshStore();
                const ImportReport report = TraceImporter(store).importFile(writeFile(QStringLiteral("brace.pb"), pb));
                QVERIFY2(report.ok, qPrintable(report.error));
                QCOMPARE(report.format, TraceFileFormat::OtlpProtobuf);
                return;
            }
        }
        QFAIL("no padding gave a length byte of '{'");
    }

    void jsonLinesWithBadLinesAndOtherSignals()
    {
        QByteArray content;
        content += otlpLine(0, 3) + '\n';
        content += "\n";
        content += R"({"resourceLogs":[{"scopeLogs":[]}]})" "\n";
        content += R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000abc",)"
                   "\n"; // line 4: truncated
        content += R"({"resourceMetrics":[]})" "\n";
        content += otlpLine(1, 2) + "\r\n";
        content += "garbage\n"; // line 7
        content += otlpLine(2, 1); // no final newline
        const QString path = writeFile(QStringLiteral("mixed.jsonl"), content);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.format, TraceFileFormat::OtlpJsonLines);
        QCOMPARE(report.spansImported, 6);
        QCOMPARE(report.tracesImported, 3);
        QCOMPARE(report.nonTraceLines, 1); // the metrics line; the (empty) logs line is read as logs
        QCOMPARE(report.logRecordsImported, 0);
        QCOMPARE(report.requestsSkipped, 2);
        QCOMPARE(store->spanCount(), 6);
        const QStringList problems = report.problemMessages();
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems[0].startsWith(path + QStringLiteral(": line 4: invalid JSON")), qPrintable(problems[0]));
        QVERIFY2(problems[1].startsWith(path + QStringLiteral(": line 7: invalid JSON")), qPrintable(problems[1]));
        QCOMPARE(report.problems[0].line, 4);

        // The first line broken: still JSON Lines, the rest imported.
        const QString brokenFirst = writeFile(QStringLiteral("broken-first.jsonl"),
                                              R"({"resourceSpans":[{"scopeSpans":[)" "\n" + otlpLine(5, 2) + "\n");
        store = freshStore();
        const ImportReport second = TraceImporter(store).importFile(brokenFirst);
        QVERIFY2(second.ok, qPrintable(second.error));
        QCOMPARE(second.spansImported, 2);
        QCOMPARE(second.problems.at(0).line, 1);
    }

    void onePerRejectedSpan_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("imported");
        QTest::addColumn<QStringList>("problems"); // what each problem says after the file name

        const QByteArray good = R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"})";
        QTest::newRow("otlp-json") << QStringLiteral("two-bad.json")
                                   << QByteArray(R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + good
                                          + R"(,{"traceId":"xyz","spanId":"b7ad6b7169203332"},{"spanId":"b7ad6b7169203333"}]}]}]})")
                                   << 1
                                   << QStringList { QStringLiteral("line 1: span resourceSpans[0].scopeSpans[0].spans[1]: "
                                                                   "traceId: expected 32 hex digits (or base64 of 16 bytes), "
                                                                   "got \"xyz\""),
                                          QStringLiteral("line 1: span resourceSpans[0].scopeSpans[0].spans[2]: traceId is "
                                                         "empty (must be 16 bytes)") };
        QTest::newRow("jaeger") << QStringLiteral("bad.jaeger.json")
                                << QByteArray(R"({"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[)"
                                              R"({"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"b7ad6b7169203331","startTime":1,"duration":1},)"
                                              R"({"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"zz","startTime":1,"duration":1}]}]})")
                                << 1 << QStringList { QStringLiteral("line 1: span data[0].spans[1]: invalid traceID or spanID") };
        QTest::newRow("zipkin") << QStringLiteral("bad.zipkin.json")
                                << QByteArray(R"([{"traceId":"0af7651916cd43dd","id":"b7ad6b7169203331","timestamp":1},)"
                                              R"({"traceId":"","id":"b7ad6b7169203332","timestamp":1}])")
                                << 1 << QStringList { QStringLiteral("line 1: span [1]: invalid traceId or id") };
        QTest::newRow("jsonl") << QStringLiteral("bad.jsonl")
                               << QByteArray(R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + good + "]}]}]}\n"
                                             + R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"x"}]}]}]})" + "\n")
                               << 1
                               << QStringList { QStringLiteral("line 2: span resourceSpans[0].scopeSpans[0].spans[0]: traceId: "
                                                               "expected 32 hex digits (or base64 of 16 bytes), got \"x\"") };
    }

    void onePerRejectedSpan()
    {
        // Each rejected span is one problem, said once: no "N span(s) rejected: N spans rejected:" summary around
        // it, and not repeated in the error when nothing was valid.
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(int, imported);
        QFETCH(QStringList, problems);
        const QString path = writeFile(name, content);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.spansImported, imported);
        QCOMPARE(report.spansRejected, problems.size());
        QCOMPARE(report.problemCount, problems.size());
        QStringList expected;
        for (const QString& problem : std::as_const(problems))
            expected << path + QStringLiteral(": ") + problem;
        QCOMPARE(report.problemMessages(), expected);
    }

    void lineOfEachRejectedSpan_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content"); // or, when empty, the fixture below
        QTest::addColumn<QString>("variant"); // of the fixture: as is, crlf, blank (2 blank lines first), gzip, flat
        QTest::addColumn<QList<qint64>>("lines"); // of each problem, in order

        // tests/data/otlp-json/pretty-bad-trace-id.json: the bad traceId on line 21; the third span has none, so
        // its own line (27) is named.
        const QByteArray none;
        QTest::newRow("otlp-json") << QStringLiteral("pretty.json") << none << QString() << QList<qint64> { 21, 27 };
        QTest::newRow("crlf") << QStringLiteral("crlf.json") << none << QStringLiteral("crlf") << QList<qint64> { 21, 27 };
        QTest::newRow("blank lines first") << QStringLiteral("blank.json") << none << QStringLiteral("blank")
                                           << QList<qint64> { 23, 29 };
        QTest::newRow("gzip") << QStringLiteral("pretty.json.gz") << none << QStringLiteral("gzip")
                              << QList<qint64> { 21, 27 };
        // The first line looks like the start of a JSON Lines request but is not one.
        QTest::newRow("first line a request key") << QStringLiteral("flat-start.json") << none << QStringLiteral("flat")
                                                  << QList<qint64> { 20, 26 };
        QTest::newRow("jaeger") << QStringLiteral("pretty.jaeger.json") << QByteArray(R"({
  "data": [
    {
      "traceID": "5b8efff798038103d269b633813fc60c",
      "spans": [
        {
          "traceID": "5b8efff798038103d269b633813fc60c",
          "spanID": "eee19b7ec3c1b174",
          "startTime": 1700000000000000,
          "duration": 5
        },
        {
          "traceID": "5b8efff798038103d269b633813fc60c",
          "spanID": "not hex",
          "startTime": 1700000000000000,
          "duration": 5
        }
      ]
    }
  ]
})") << QString() << QList<qint64> { 14 };
        QTest::newRow("zipkin") << QStringLiteral("pretty.zipkin.json") << QByteArray(R"([
  {
    "traceId": "5b8efff798038103",
    "id": "eee19b7ec3c1b174",
    "timestamp": 1700000000000000
  },
  {
    "traceId": "",
    "id": "eee19b7ec3c1b175",
    "timestamp": 1700000000000000
  }
])") << QString() << QList<qint64> { 8 };
        QTest::newRow("jsonl") << QStringLiteral("lines.jsonl")
                               << QByteArray(otlpLine(0, 1) + "\n\n"
                                      + R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"x","spanId":"eee19b7ec3c1b175"}]}]}]})"
                                      + "\n")
                               << QString() << QList<qint64> { 3 };
    }

    void lineOfEachRejectedSpan()
    {
        // The line of the value at fault, counted in the file as it is (pretty-printed, CRLF, gzipped); the byte
        // offset points at that value.
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(QString, variant);
        QFETCH(QList<qint64>, lines);
        if (content.isEmpty()) {
            SPANSCOPE_READ_TEST_FILE(fixture, QStringLiteral("otlp-json/pretty-bad-trace-id.json"));
            content = variant == QLatin1String("crlf") ? fixture.replace("\n", "\r\n")
                : variant == QLatin1String("blank")    ? "\n \n" + fixture
                : variant == QLatin1String("flat")     ? fixture.replace("{\n  \"resourceSpans\"", "{\"resourceSpans\"")
                                                       : fixture;
        }
        const QString path
            = writeFile(name, variant == QLatin1String("gzip") ? Gzip::deflate(content) : content);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.spansImported, 1);
        QList<qint64> found;
        for (const ImportProblem& problem : report.problems)
            found << problem.line;
        QCOMPARE(found, lines);
        const QStringList messages = report.problemMessages();
        for (qsizetype i = 0; i < lines.size(); ++i)
            QVERIFY2(messages[i].startsWith(path + QStringLiteral(": line %1: span ").arg(lines[i])), qPrintable(messages[i]));
        const qint64 offset = report.problems.front().offset;
        QVERIFY(offset >= 0);
        QCOMPARE(content.left(offset).count('\n') + 1, lines.front());
        for (const char* value : { "\"not-a-trace-id\"", "\"not hex\"", "\"\"", "\"x\"" })
            if (content.mid(offset).startsWith(value))
                return;
        QFAIL(qPrintable(QStringLiteral("offset %1 is not at the bad value: ").arg(offset) + QString::fromUtf8(content.mid(offset, 40))));
    }

    void lineOfInvalidJson()
    {
        // A document broken on line 4 says so, beside the byte offset.
        const QByteArray content = "{\n  \"resourceSpans\": [\n    {\n      \"scopeSpans\": [,]\n    }\n  ]\n}\n";
        const QString path = writeFile(QStringLiteral("broken.json"), content);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.contains(QStringLiteral(": line 4 (byte offset ")), qPrintable(report.error));
    }

    void fileNamedAsGiven()
    {
        // Messages name the file as the caller gave it (a relative path stays relative, "." and ".." stay), or by
        // ImportOptions::displayName.
        QDir(m_dir.path()).mkpath(QStringLiteral("sub"));
        writeFile(QStringLiteral("sub/named.json"),
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
            R"("spanId":"b7ad6b7169203331"},{"traceId":"x","spanId":"b7ad6b7169203332"}]}]}]})");
        const QString cwd = QDir::currentPath();
        QVERIFY(QDir::setCurrent(m_dir.path()));
        const QString given = QStringLiteral("./sub/../sub/named.json");
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(given);
        QVERIFY(QDir::setCurrent(cwd));
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.filePath, given);
        QCOMPARE(report.displayName, given);
        QCOMPARE(report.problemMessages().size(), 1);
        QVERIFY2(report.problemMessages().constFirst().startsWith(given + QStringLiteral(": line 1: span ")),
            qPrintable(report.problemMessages().constFirst()));
        // The stored raw payload keeps naming the file alone as its peer.
        const std::vector<RawPayload> payloads = store->tracePayloads(TraceId::fromHex(u"0af7651916cd43dd8448eb211c80319c"));
        QCOMPARE(payloads.size(), std::size_t(1));
        QCOMPARE(payloads.front().peer, QStringLiteral("named.json"));

        ImportOptions options;
        options.displayName = QStringLiteral("named");
        const ImportReport renamed = TraceImporter(freshStore()).importFile(m_dir.filePath(QStringLiteral("sub/named.json")), options);
        QVERIFY(renamed.problemMessages().constFirst().startsWith(QStringLiteral("named: line 1: ")));
        const ImportReport missing = TraceImporter(freshStore()).importFile(QStringLiteral("no/such.json"), options);
        QVERIFY2(missing.error.startsWith(QStringLiteral("named: cannot open")), qPrintable(missing.error));
    }

    void rejectedSpansPastTheList()
    {
        // 150 spans without ids beside a good one: 100 listed (ImportOptions::maxProblems), all counted.
        QByteArray spans = R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"})";
        for (int i = 0; i < 150; ++i)
            spans += R"(,{"name":"no ids"})";
        const QString path
            = writeFile(QStringLiteral("many-bad.json"), R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}");
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.spansImported, 1);
        QCOMPARE(report.spansRejected, 150);
        QCOMPARE(report.problemCount, 150);
        QCOMPARE(report.problems.size(), std::size_t(100));
        const QStringList messages = report.problemMessages();
        QCOMPARE(messages.size(), 101);
        QCOMPARE(messages.last(), path + QStringLiteral(": ... and 50 more"));

        // Nothing valid: the error says so once; the reasons are the problems.
        const QString none = writeFile(QStringLiteral("none-valid.json"),
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"},{"name":"b"}]}]}]})");
        const ImportReport failed = TraceImporter(store).importFile(none);
        QVERIFY(!failed.ok);
        QCOMPARE(failed.error, none + QStringLiteral(": no valid spans found"));
        QCOMPARE(failed.problemMessages().size(), 2);
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        // Rows made from a test file read it in badFiles() (a failure in a _data function would abort the run):
        // "file" names it and "cut" says what to keep.
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("cut");
        const QString spec = QStringLiteral("otlp-json/checkout-single-span.json");
        const QString none;
        QTest::newRow("truncated json") << QByteArray() << "byte offset" << spec << "half";
        QTest::newRow("garbage") << QByteArray("\x01\x02garbage") << "not a trace file" << none << none;
        QTest::newRow("empty") << QByteArray("  \n") << "empty" << none << none;
        QTest::newRow("truncated protobuf") << QByteArray() << "not a valid OTLP protobuf"
                                            << QStringLiteral("otlp-protobuf/shop-grpc.pb") << "first300";
        QTest::newRow("truncated gzip") << QByteArray() << "truncated" << spec << "gzip-first40";
        QTest::newRow("wrong json") << QByteArray(R"({"hello": 1})")
                                    << "not a known trace format: top-level key \"hello\"; expected OTLP (resourceSpans)"
                                    << none << none;
        QTest::newRow("unknown keys") << QByteArray(R"({"result": {}, "batches": []})")
                                      << "not a known trace format: top-level keys \"batches\", \"result\";" << none << none;
        QTest::newRow("many keys") << QByteArray(R"({"k01":1,"k02":1,"k03":1,"k04":1,"k05":1,"k06":1,"k07":1,"k08":1,)"
                                                 R"("k09":1,"k10":1,"k11":1,"k12":1})")
                                   << "\"k09\", \"k10\" and 2 more;" << none << none;
        QTest::newRow("empty object") << QByteArray("{}") << "not a known trace format: an empty JSON object" << none
                                      << none;
        QTest::newRow("array of objects") << QByteArray(R"([{"span": 1, "trace": 2}])")
                                          << "an array whose first element has keys \"span\", \"trace\"" << none << none;
        QTest::newRow("array of numbers") << QByteArray("[1, 2]") << "an array whose first element is a number" << none
                                          << none;
        QTest::newRow("otlp wrong type") << QByteArray(R"({"resourceSpans": [{"scopeSpans": 5}]})") << "scopeSpans"
                                         << none << none;
        QTest::newRow("jaeger wrong type")
            << QByteArray(R"({"data":[{"traceID":"1","spans":[{"spanID":"2","startTime":"x"}]}]})")
            << "data[0].spans[0].startTime" << none << none;
        QTest::newRow("only logs") << QByteArray(R"({"resourceLogs":[]})"
                                                 "\n"
                                                 R"({"resourceLogs":[]})"
                                                 "\n")
                                   << "no valid spans" << none << none;
    }

    void badFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QFETCH(QString, file);
        QFETCH(QString, cut);
        if (!file.isEmpty()) {
            SPANSCOPE_READ_TEST_FILE(input, file);
            content = cut == QLatin1String("half") ? input.left(input.size() / 2)
                : cut == QLatin1String("first300") ? input.left(300)
                                                   : Gzip::deflate(input).left(40);
        }
        const QString path = writeFile(QStringLiteral("bad.json"), content);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.startsWith(path + QStringLiteral(": ")), qPrintable(report.error));
        // The reason is in the error, or (for "no valid spans found") in the problems, never in both.
        const QString said = (QStringList { report.error } + report.problemMessages()).join(u'\n');
        QVERIFY2(said.contains(expected), qPrintable(said));
        QCOMPARE(said.count(expected), 1);
        QCOMPARE(store->spanCount(), 0);
    }

    void gzipErrors_data()
    {
        // The importer's own words for broken .gz files, pinned before it moved onto GzipInflater. The file is
        // several read blocks long, so offsets past the first block are covered.
        QTest::addColumn<QString>("cut");
        QTest::addColumn<qint64>("maxDocumentBytes");
        QTest::addColumn<QString>("expected"); // the error after "<path>: "; %1: the file size
        const qint64 big = qint64(1) << 30;
        QTest::newRow("two members") << "two members" << big << QString();
        QTest::newRow("truncated") << "half" << big << "line 1800: gzip data is truncated at byte offset %1";
        QTest::newRow("header only") << "first10" << big << "gzip data is truncated at byte offset %1";
        QTest::newRow("trailer cut") << "trailer cut" << big << "line 3601: gzip data is truncated at byte offset %1";
        QTest::newRow("bad block type") << "bad block" << big
                                        << "corrupt gzip data near byte offset 11 of the file: invalid block type";
        QTest::newRow("bad crc") << "bad crc" << big
                                 << "line 3318: corrupt gzip data near byte offset 2843934 of the file: "
                                    "incorrect data check";
        QTest::newRow("trailing garbage") << "garbage" << big
                                          << "line 3601: corrupt gzip data near byte offset 2843940 of the file: "
                                             "incorrect header check";
        QTest::newRow("trailing zeros") << "zeros" << big
                                        << "line 3601: corrupt gzip data near byte offset 2843940 of the file: "
                                           "incorrect header check";
        QTest::newRow("trailing 1f") << "1f" << big << "line 3601: gzip data is truncated at byte offset %1";
        QTest::newRow("line too long") << "as is" << qint64(100) << "line 332: line longer than 100 bytes";
        QTest::newRow("document too large")
            << "document" << qint64(1000) << "larger than 1000 bytes; this format is read whole";
    }

    void gzipErrors()
    {
        QFETCH(QString, cut);
        QFETCH(qint64, maxDocumentBytes);
        QFETCH(QString, expected);
        SPANSCOPE_READ_TEST_FILE(lines, QStringLiteral("otlp-json-protomapping/shop-grpc.jsonl"));
        SPANSCOPE_READ_TEST_FILE(document, QStringLiteral("otlp-protobuf/shop-grpc.pb"));
        QByteArray content;
        for (int i = 0; i < 300; ++i)
            content += cut == QLatin1String("document") ? document : lines; // protobuf messages concatenate
        QByteArray gz = Gzip::deflate(content, 0);
        QVERIFY(gz.size() > 3 * 256 * 1024);
        if (cut == QLatin1String("two members"))
            gz += gz;
        else if (cut == QLatin1String("half"))
            gz = gz.left(gz.size() / 2);
        else if (cut == QLatin1String("first10"))
            gz = gz.left(10);
        else if (cut == QLatin1String("trailer cut"))
            gz.chop(3);
        else if (cut == QLatin1String("bad block"))
            gz[10] = 0x06; // BTYPE 11, reserved
        else if (cut == QLatin1String("bad crc"))
            gz[gz.size() - 6] = char(gz[gz.size() - 6] ^ 1);
        else if (cut == QLatin1String("garbage"))
            gz += "garbage";
        else if (cut == QLatin1String("zeros"))
            gz += QByteArray(8, '\0');
        else if (cut == QLatin1String("1f"))
            gz += '\x1f';
        const QString path = writeFile(QStringLiteral("bad.jsonl.gz"), gz);
        ImportOptions options;
        options.maxDocumentBytes = maxDocumentBytes;
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path, options);
        QVERIFY(report.gzipped);
        if (expected.isEmpty()) {
            QVERIFY2(report.ok, qPrintable(report.error));
            QCOMPARE(report.spansImported, 2 * 300 * 16);
            return;
        }
        // A broken stream in JSON Lines keeps what came before it (report.ok), but the error is set all the same.
        QCOMPARE(report.error, path + QStringLiteral(": ") + expected.arg(gz.size()));
    }

    void chunkedImportAndRollback()
    {
        QByteArray content;
        for (int t = 0; t < 50; ++t)
            content += otlpLine(t, 10) + '\n';
        const QString path = writeFile(QStringLiteral("big.jsonl"), content);
        ImportOptions options;
        options.spansPerWrite = 100;

        // A store that fails its second write: the first pass validated everything, the first chunk is committed.
        {
            SqliteTraceStore* inner = freshStore();
            FlakyStore flaky(inner);
            flaky.failWrite = 2;
            const ImportReport report = TraceImporter(&flaky).importFile(path, options);
            QVERIFY(!report.ok);
            QVERIFY2(report.error.contains(QStringLiteral("disk full")), qPrintable(report.error));
            QCOMPARE(report.spansCommittedBeforeFailure, 100);
            // Importing again (idempotent upserts) completes it.
            flaky.failWrite = 0;
            const ImportReport again = TraceImporter(&flaky).importFile(path, options);
            QVERIFY(again.ok);
            QCOMPARE(inner->spanCount(), 500);
        }
        // Cancelled while reading: nothing stored.
        {
            SqliteTraceStore* store = freshStore();
            int polls = 0;
            options.cancelRequested = [&polls] { return ++polls > 3; };
            const ImportReport report = TraceImporter(store).importFile(path, options);
            QVERIFY(!report.ok);
            QVERIFY(report.cancelled);
            QCOMPARE(store->spanCount(), 0);
            options.cancelRequested = nullptr;
        }
        // A document format fails as one write: nothing stored.
        {
            SPANSCOPE_TEST_FILE(jaeger, QStringLiteral("jaeger-json/helpdesk-agent.jaeger.json"));
            SqliteTraceStore* inner = freshStore();
            FlakyStore flaky(inner);
            flaky.failWrite = 1;
            const ImportReport report = TraceImporter(&flaky).importFile(jaeger);
            QVERIFY(!report.ok);
            QCOMPARE(inner->spanCount(), 0);
        }
        // Chunked writes: 500 spans in 100-span chunks, progress reported, all stored.
        {
            SqliteTraceStore* inner = freshStore();
            FlakyStore counting(inner);
            qint64 lastProgress = -1;
            options.progress = [&](qint64 done, qint64 total) {
                QVERIFY(done <= total);
                lastProgress = done;
            };
            const ImportReport report = TraceImporter(&counting).importFile(path, options);
            QVERIFY(report.ok);
            QCOMPARE(report.spansImported, 500);
            QCOMPARE(report.tracesImported, 50);
            QCOMPARE(counting.writes, 5);
            QCOMPARE(inner->spanCount(), 500);
            QCOMPARE(lastProgress, QFileInfo(path).size());
            options.progress = nullptr; // it refers to lastProgress, which ends with this block
        }
        // The same file gzipped: streamed through inflate, same chunks.
        {
            const QString gz = writeFile(QStringLiteral("big.jsonl.gz"), Gzip::deflate(content));
            SqliteTraceStore* inner = freshStore();
            FlakyStore counting(inner);
            const ImportReport report = TraceImporter(&counting).importFile(gz, options);
            QVERIFY2(report.ok, qPrintable(report.error));
            QVERIFY(report.gzipped);
            QCOMPARE(report.spansImported, 500);
            QCOMPARE(counting.writes, 5);
            QCOMPARE(inner->spanCount(), 500);
        }
    }
};

QTEST_GUILESS_MAIN(TestTraceImport)
#include "tst_traceimport.moc"
