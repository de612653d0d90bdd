#include "ingest/gzip.h"
#include "ingest/otlpprotobufcodec.h"
#include "ingest/traceimporter.h"
#include "ingest/zipkinjsonreader.h"
#include "storage/sqlitetracestore.h"

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

// Expected figures come from the fixtures README and from counting the files with python's json module,
// never from running the importer.

namespace {

QString fixture(const QString& relative)
{
    return QStringLiteral(SPANSCOPE_FIXTURES_DIR "/") + relative;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(path));
    return f.readAll();
}

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
            return { false, QStringLiteral("disk full (simulated)"), 0, {} };
        return m_inner->write(items);
    }
    std::vector<TraceSummary> listTraces(const TraceQuery& q, QString* e) override { return m_inner->listTraces(q, e); }
    std::optional<TraceSummary> traceSummary(const TraceId& id, QString* e) override { return m_inner->traceSummary(id, e); }
    std::vector<Span> traceSpans(const TraceId& id, QString* e) override { return m_inner->traceSpans(id, e); }
    std::vector<RawPayload> tracePayloads(const TraceId& id, QString* e) override { return m_inner->tracePayloads(id, e); }
    QStringList services(QString* e) override { return m_inner->services(e); }
    qint64 spanCount(QString* e) override { return m_inner->spanCount(e); }

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

        QTest::newRow("spec-example") << "otlp-json/spec-example.json" << "otlp-json" << 1LL << 1LL << 1 << 1 << 1;
        QTest::newRow("jaeger-otel-01") << "otlp-json/jaeger-otel-traces-01.json" << "otlp-json" << 4LL << 2LL << 4 << 1 << 1;
        QTest::newRow("node-sdk") << "otlp-json/node-sdk-multi-resource.json" << "otlp-json" << 4LL << 1LL << 1 << 1 << 3;
        QTest::newRow("hotrod") << "otlp-json/hotrod-n-plus-one-concurrent.json" << "otlp-json" << 40LL << 1LL << 1 << 6 << 4;
        QTest::newRow("genai") << "otlp-json/genai-agent-trace.json" << "otlp-json" << 8LL << 1LL << 1 << 1 << 3;
        QTest::newRow("protomapping-jsonl") << "otlp-json-protomapping/otlp2parquet-traces.jsonl" << "otlp-jsonl" << 19LL
                                            << 19LL << 19 << 8 << 1;
        QTest::newRow("protobuf") << "otlp-protobuf/otlp2parquet-traces.pb" << "otlp-proto" << 19LL << 19LL << 19 << 8 << 1;
        QTest::newRow("jaeger-node-sdk") << "jaeger-json/node-sdk-multi-resource.jaeger.json" << "jaeger-json" << 4LL << 1LL
                                         << 1 << 1 << 3;
        QTest::newRow("jaeger-genai") << "jaeger-json/genai-agent-trace.jaeger.json" << "jaeger-json" << 57LL << 1LL << 1
                                      << 10 << 8;
        // 175 records: 4 fragments of one shared span id merge away (171), of which 41 are split server halves.
        QTest::newRow("zipkin-smartthings") << "zipkin-json/smartthings-oauth-authorization.json" << "zipkin-json" << 171LL
                                            << 1LL << 1 << 8 << 33;
        QTest::newRow("zipkin-kafka") << "zipkin-json/messaging-kafka.json" << "zipkin-json" << 28LL << 1LL << 1 << 2 << 5;
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

        SqliteTraceStore* store = freshStore();
        TraceImporter importer(store);
        const ImportReport report = importer.importFile(fixture(file));
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
        QTest::newRow("manifest") << "otlp-json/hotrod-n-plus-one-concurrent.manifest.json" << "neither OTLP";
        QTest::newRow("readme") << "README.md" << "not a trace file";
        QTest::newRow("empty-ids") << "otlp-json/empty-ids.json" << "no valid spans";
    }

    void notTraceFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(fixture(file));
        QVERIFY(!report.ok);
        QVERIFY2(report.error.contains(expected), qPrintable(report.error));
        QVERIFY2(report.error.startsWith(QFileInfo(file).fileName()), qPrintable(report.error));
        QCOMPARE(store->spanCount(), 0);
    }

    void emptyIdsRejectedOneByOne()
    {
        const ImportReport report
            = TraceImporter::readFile(fixture(QStringLiteral("otlp-json/empty-ids.json")), {}, [](auto&&) { return true; });
        QCOMPARE(report.spansRejected, 3);
        QCOMPARE(report.spansImported, 0);
    }

    void attributeTypes()
    {
        SqliteTraceStore* store = freshStore();
        QVERIFY(TraceImporter(store).importFile(fixture(QStringLiteral("otlp-json/jaeger-otel-traces-01.json"))).ok);
        QSet<QString> types;
        for (const Span& s : allSpans(store))
            for (const KeyValue& kv : s.attributes)
                types.insert(kv.value.typeName());
        QVERIFY2(types.contains(QStringLiteral("bytes")) && types.contains(QStringLiteral("double"))
                     && types.contains(QStringLiteral("int")),
                 qPrintable(QStringList(types.values()).join(u',')));

        store = freshStore();
        QVERIFY(TraceImporter(store).importFile(fixture(QStringLiteral("jaeger-json/genai-agent-trace.jaeger.json"))).ok);
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
        QCOMPARE(root->durationNanos(), 44000000ULL * 1000ULL);
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

    void jaegerGoldenPair()
    {
        SqliteTraceStore* otlpStore = freshStore();
        QVERIFY(TraceImporter(otlpStore).importFile(fixture(QStringLiteral("otlp-json/node-sdk-multi-resource.json"))).ok);
        const std::vector<Span> otlp = allSpans(otlpStore);
        SqliteTraceStore* jaegerStore = freshStore();
        QVERIFY(TraceImporter(jaegerStore)
                    .importFile(fixture(QStringLiteral("jaeger-json/node-sdk-multi-resource.jaeger.json")))
                    .ok);
        const std::vector<Span> jaeger = allSpans(jaegerStore);
        QCOMPARE(jaeger.size(), otlp.size());
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
            QCOMPARE(b.links.size(), a.links.size());
        }
    }

    void zipkinSharedSpans()
    {
        SqliteTraceStore* store = freshStore();
        const ImportReport report
            = TraceImporter(store).importFile(fixture(QStringLiteral("zipkin-json/smartthings-oauth-authorization.json")));
        QVERIFY2(report.ok, qPrintable(report.error));
        const std::vector<Span> spans = allSpans(store);
        QCOMPARE(spans.size(), std::size_t(171));
        // 64-bit trace id padded with leading zeros.
        QCOMPARE(spans.front().traceId.toHex(), QStringLiteral("00000000000000008ce82b2e9ed820ba"));

        QHash<SpanId, const Span*> byId;
        for (const Span& s : spans)
            byId.insert(s.spanId, &s);
        int serverHalves = 0;
        for (const Span& s : spans) {
            const AnyValue* original = findAttribute(s.attributes, u"zipkin.shared_span_id");
            if (!original)
                continue;
            ++serverHalves;
            // The server half: a derived id, parented to the client half that carries the original id.
            QCOMPARE(s.kind, SpanKind::Server);
            const SpanId clientId = SpanId::fromHex(original->stringValue);
            QCOMPARE(s.spanId, ZipkinJsonReader::derivedServerSpanId(clientId));
            QCOMPARE(s.parentSpanId, clientId);
            QVERIFY(byId.contains(clientId));
            QCOMPARE(byId.value(clientId)->kind, SpanKind::Client);
        }
        QCOMPARE(serverHalves, 41); // 45 shared records, 5 of them fragments of one id

        // The README's depth counts span ids: a client/server pair is one level.
        QCOMPARE(maxDepth(spans, [](const Span& s) { return !findAttribute(s.attributes, u"zipkin.shared_span_id"); }),
                 24);
        QCOMPARE(maxDepth(spans), 33);

        // Records without duration: 19, of which 4 merge into a fragment; the others keep a zero duration.
        int missing = 0;
        for (const Span& s : spans)
            if (findAttribute(s.attributes, u"zipkin.missing_duration")) {
                ++missing;
                QCOMPARE(s.durationNanos(), 0ULL);
            }
        QCOMPARE(missing, 15);

        // Annotations became events; tags stayed strings; remote endpoints became peer attributes.
        int events = 0;
        for (const Span& s : spans)
            events += static_cast<int>(s.events.size());
        QVERIFY(events > 0);
        const Span& first = *byId.value(SpanId::fromHex(u"c8a2bcb3011b9fcd"));
        QCOMPARE(first.kind, SpanKind::Client);
        QCOMPARE(first.serviceName(), QStringLiteral("auth"));
        QCOMPARE(findAttribute(first.attributes, u"cassandra.keyspace")->stringValue, QStringLiteral("auth"));
        QCOMPARE(findAttribute(first.attributes, u"network.peer.address")->stringValue, QStringLiteral("10.0.0.3"));
        QCOMPARE(findAttribute(first.attributes, u"network.peer.port")->intValue, 9042);
        QCOMPARE(first.durationNanos(), 3816000ULL);
    }

    void gzipDetectedByContent()
    {
        // Gzipped under a name that says nothing.
        const QString jsonl = writeFile(QStringLiteral("a.data"),
                                        Gzip::deflate(readAll(fixture(QStringLiteral(
                                            "otlp-json-protomapping/otlp2parquet-traces.jsonl")))));
        const QString pb = writeFile(QStringLiteral("b.data"),
                                     Gzip::deflate(readAll(fixture(QStringLiteral("otlp-protobuf/otlp2parquet-traces.pb")))));
        const QString zipkin = writeFile(
            QStringLiteral("c.data"),
            Gzip::deflate(readAll(fixture(QStringLiteral("zipkin-json/messaging-kafka.json")))));
        struct Row {
            QString path;
            TraceFileFormat format;
            qint64 spans;
        };
        for (const Row& row : { Row { jsonl, TraceFileFormat::OtlpJsonLines, 19 },
                                Row { pb, TraceFileFormat::OtlpProtobuf, 19 },
                                Row { zipkin, TraceFileFormat::ZipkinJson, 28 } }) {
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
        QCOMPARE(report.nonTraceLines, 2);
        QCOMPARE(report.requestsSkipped, 2);
        QCOMPARE(store->spanCount(), 6);
        const QStringList problems = report.problemMessages();
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems[0].startsWith(QStringLiteral("mixed.jsonl: line 4: invalid JSON")), qPrintable(problems[0]));
        QVERIFY2(problems[1].startsWith(QStringLiteral("mixed.jsonl: line 7: invalid JSON")), qPrintable(problems[1]));
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

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        const QByteArray spec = readAll(fixture(QStringLiteral("otlp-json/spec-example.json")));
        QTest::newRow("truncated json") << spec.left(spec.size() / 2) << "byte offset";
        QTest::newRow("garbage") << QByteArray("\x01\x02garbage") << "not a trace file";
        QTest::newRow("empty") << QByteArray("  \n") << "empty";
        QTest::newRow("truncated protobuf") << readAll(fixture(QStringLiteral("otlp-protobuf/otlp2parquet-traces.pb"))).left(300)
                                            << "not a valid OTLP protobuf";
        QTest::newRow("truncated gzip") << Gzip::deflate(spec).left(40) << "truncated";
        QTest::newRow("wrong json") << QByteArray(R"({"hello": 1})") << "neither OTLP";
        QTest::newRow("otlp wrong type") << QByteArray(R"({"resourceSpans": [{"scopeSpans": 5}]})") << "scopeSpans";
        QTest::newRow("jaeger wrong type") << QByteArray(R"({"data":[{"traceID":"1","spans":[{"spanID":"2","startTime":"x"}]}]})")
                                           << "data[0].spans[0].startTime";
        QTest::newRow("only logs") << QByteArray(R"({"resourceLogs":[]})" "\n" R"({"resourceLogs":[]})" "\n")
                                   << "no valid spans";
    }

    void badFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        const QString path = writeFile(QStringLiteral("bad.json"), content);
        SqliteTraceStore* store = freshStore();
        const ImportReport report = TraceImporter(store).importFile(path);
        QVERIFY(!report.ok);
        QVERIFY2(report.error.startsWith(QStringLiteral("bad.json: ")), qPrintable(report.error));
        QVERIFY2(report.error.contains(expected), qPrintable(report.error));
        QCOMPARE(store->spanCount(), 0);
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
            SqliteTraceStore* inner = freshStore();
            FlakyStore flaky(inner);
            flaky.failWrite = 1;
            const ImportReport report
                = TraceImporter(&flaky).importFile(fixture(QStringLiteral("jaeger-json/genai-agent-trace.jaeger.json")));
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
