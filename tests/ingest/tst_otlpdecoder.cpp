#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "model/span.h"

#include "../common/testdata.h"
#include "../common/testlogs.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>

// Expected figures come from the files' descriptions (tests/data/README.md, the corpus README) and from counting
// the files with an independent script (python's json module), never from running these codecs.

namespace {

/// Decodes a file's bytes by its extension: .pb protobuf, .jsonl one JSON request per line, else one JSON request.
DecodeResult decodeFile(const QByteArray& data, const QString& name)
{
    if (name.endsWith(QLatin1StringView(".pb")))
        return OtlpProtobufCodec::decodeRequest(data);
    if (!name.endsWith(QLatin1StringView(".jsonl")))
        return OtlpJsonCodec::decodeRequest(data);
    DecodeResult all;
    all.ok = true;
    for (const QByteArray& line : data.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        DecodeResult one = OtlpJsonCodec::decodeRequest(line);
        if (!one.ok)
            return one;
        for (Span& s : one.batch.spans)
            all.batch.spans.push_back(std::move(s));
        all.batch.rejectedSpans += one.batch.rejectedSpans;
    }
    return all;
}

} // namespace

/// Declares `const DecodeResult var`, the decoded test input `ref` (see testdata.h: skips or fails when absent).
#define DECODE_TEST_FILE(var, ref)                                                                                     \
    SPANSCOPE_READ_TEST_FILE(var##Bytes, ref);                                                                         \
    const DecodeResult var = decodeFile(var##Bytes, ref)

namespace {

std::vector<Span> sortedBySpanId(std::vector<Span> spans)
{
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.traceId < b.traceId || (a.traceId == b.traceId && a.spanId < b.spanId);
    });
    return spans;
}

void compareSpanLists(const std::vector<Span>& actual, const std::vector<Span>& expected)
{
    QCOMPARE(actual.size(), expected.size());
    const auto a = sortedBySpanId(actual);
    const auto e = sortedBySpanId(expected);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!spansEqual(a[i], e[i]))
            QFAIL(qPrintable(QStringLiteral("span %1 (%2 \"%3\") differs")
                                 .arg(i)
                                 .arg(e[i].spanId.toHex(), e[i].name)));
    }
}

struct ValueTypeCounts {
    int strings = 0, ints = 0, doubles = 0, bytes = 0, bools = 0, arrays = 0, maps = 0;
    void add(const AnyValue& v)
    {
        switch (v.type) {
        case AnyValue::Type::String:
            ++strings;
            break;
        case AnyValue::Type::Int:
            ++ints;
            break;
        case AnyValue::Type::Double:
            ++doubles;
            break;
        case AnyValue::Type::Bytes:
            ++bytes;
            break;
        case AnyValue::Type::Bool:
            ++bools;
            break;
        case AnyValue::Type::Array:
            ++arrays;
            for (const auto& e : v.arrayValue)
                add(e);
            break;
        case AnyValue::Type::Map:
            ++maps;
            for (const auto& kv : v.mapValue)
                add(kv.value);
            break;
        case AnyValue::Type::Empty:
            break;
        }
    }
};

/// Every OTLP file under `root` (the Zipkin/Jaeger formats are other codecs' business), relative to it.
QStringList otlpFiles(const QString& rootPath)
{
    QStringList files;
    const QDir root(rootPath);
    const struct {
        const char* dir;
        const char* pattern;
    } places[] = { { "otlp-json", "*.json" }, { "otlp-json-protomapping", "*.jsonl" }, { "otlp-protobuf", "*.pb" } };
    for (const auto& place : places) {
        const QDir dir(root.filePath(QLatin1StringView(place.dir)));
        for (const QString& name : dir.entryList({ QLatin1StringView(place.pattern) }, QDir::Files, QDir::Name)) {
            if (name.endsWith(QLatin1StringView(".manifest.json")))
                continue; // a label file beside its fixture, not OTLP
            files << QLatin1StringView(place.dir) + QLatin1Char('/') + name;
        }
    }
    return files;
}

AnyValue arrayOf(std::vector<AnyValue> values)
{
    AnyValue v;
    v.type = AnyValue::Type::Array;
    v.arrayValue = std::move(values);
    return v;
}

AnyValue mapOf(Attributes values)
{
    AnyValue v;
    v.type = AnyValue::Type::Map;
    v.mapValue = std::move(values);
    return v;
}

/// Spans that use every field and every value type, including the awkward values.
std::vector<Span> handMadeSpans()
{
    auto resource = std::make_shared<Resource>();
    resource->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("svc-ä")) } };
    resource->droppedAttributesCount = 7;
    resource->schemaUrl = QStringLiteral("https://opentelemetry.io/schemas/1.21.0");
    auto otherResource = std::make_shared<Resource>();
    otherResource->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("other")) } };
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("lib");
    scope->version = QStringLiteral("1.0");
    scope->attributes = { { QStringLiteral("s"), AnyValue::fromBool(true) } };
    scope->droppedAttributesCount = 2;
    scope->schemaUrl = QStringLiteral("https://example.com/scope");

    Span a;
    bool ok = false;
    a.traceId = TraceId::fromHex(u"0123456789abcdef0123456789ABCDEF", &ok);
    a.spanId = SpanId::fromHex(u"00000000000000ff", &ok);
    a.parentSpanId = SpanId::fromHex(u"ff00000000000000", &ok);
    a.traceState = QStringLiteral("k=v,x=y");
    a.flags = 0x301;
    a.name = QStringLiteral("quote \" backslash \\ newline \n tab \t ctrl \x01 emoji \U0001F600 日本");
    a.kind = SpanKind::Consumer;
    a.startTimeUnixNano = std::uint64_t(std::numeric_limits<std::int64_t>::max()); // the last time stored
    a.endTimeUnixNano = 1; // end before start is accepted as is
    a.attributes = {
        { QStringLiteral("str"), AnyValue::fromString(QString()) },
        { QStringLiteral("int.min"), AnyValue::fromInt(std::numeric_limits<std::int64_t>::min()) },
        { QStringLiteral("int.max"), AnyValue::fromInt(std::numeric_limits<std::int64_t>::max()) },
        { QStringLiteral("int.2^53+1"), AnyValue::fromInt(9007199254740993LL) },
        { QStringLiteral("dbl"), AnyValue::fromDouble(0.1) },
        { QStringLiteral("dbl.big"), AnyValue::fromDouble(1.7976931348623157e308) },
        { QStringLiteral("dbl.tiny"), AnyValue::fromDouble(4.9e-324) },
        { QStringLiteral("dbl.inf"), AnyValue::fromDouble(-std::numeric_limits<double>::infinity()) },
        { QStringLiteral("dbl.int"), AnyValue::fromDouble(3.0) },
        { QStringLiteral("bool"), AnyValue::fromBool(false) },
        { QStringLiteral("bytes"), AnyValue::fromBytes(QByteArray("\x00\xff\x10", 3)) },
        { QStringLiteral("empty"), AnyValue() },
        { QStringLiteral("arr"),
            arrayOf({ AnyValue::fromInt(1), AnyValue::fromString(QStringLiteral("two")), AnyValue(),
                arrayOf({}), mapOf({ { QStringLiteral("deep"), arrayOf({ AnyValue::fromDouble(-2.5) }) } }) }) },
        { QStringLiteral("map"), mapOf({ { QStringLiteral("a"), AnyValue::fromBytes(QByteArray()) } }) },
        { QStringLiteral("dup"), AnyValue::fromInt(1) },
        { QStringLiteral("dup"), AnyValue::fromInt(2) },
    };
    a.droppedAttributesCount = 4294967295u;
    SpanEvent event;
    event.timeUnixNano = 1700000000123456789ULL;
    event.name = QStringLiteral("exception");
    event.attributes = { { QStringLiteral("exception.message"), AnyValue::fromString(QStringLiteral("boom")) } };
    event.droppedAttributesCount = 1;
    a.events = { event, SpanEvent() };
    a.droppedEventsCount = 3;
    SpanLink link;
    link.traceId = TraceId::fromHex(u"ffffffffffffffffffffffffffffffff", &ok);
    link.spanId = SpanId::fromHex(u"0102030405060708", &ok);
    link.traceState = QStringLiteral("a=b");
    link.attributes = { { QStringLiteral("l"), AnyValue::fromInt(-1) } };
    link.droppedAttributesCount = 5;
    link.flags = 0x100;
    a.links = { link };
    a.droppedLinksCount = 9;
    a.statusCode = StatusCode::Error;
    a.statusMessage = QStringLiteral("it failed");
    a.resource = resource;
    a.scope = scope;

    Span b; // a root span with nothing but ids, in another resource and with no scope
    b.traceId = a.traceId;
    b.spanId = SpanId::fromHex(u"1111111111111111", &ok);
    b.resource = otherResource;

    Span c = b; // back in the first resource, same scope content through a different object
    c.spanId = SpanId::fromHex(u"2222222222222222", &ok);
    c.parentSpanId = a.spanId;
    c.statusCode = StatusCode::Ok;
    c.kind = SpanKind::Server;
    c.resource = std::make_shared<Resource>(*resource);
    c.scope = std::make_shared<InstrumentationScope>(*scope);
    return { a, b, c };
}

} // namespace

class TestOtlpDecoder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFileHasExpectations_data();
    void everyFileHasExpectations();
    void fileCounts_data();
    void fileCounts();
    void singleSpanUpperCaseIds();
    void attributeTypesAndSharing();
    void fanOut();
    void genaiIntegersAsNumbers();
    void protobufTwinMatchesGenericJson();
    void emptyIdsRejected_data();
    void emptyIdsRejected();
    void conformanceSpecExample();
    void conformanceJaegerAttributeTypesAndSharing();
    void conformanceHotrod();
    void conformanceGenaiIntegersAsNumbers();
    void conformanceProtobufTwinMatchesGenericJson();
    void idRejections_data();
    void idRejections();
    void rejectionsListedUpToALimit();
    void protobufIdRejections();
    void protobufLenientParsing();
    void protobufUnknownFieldsOddSizedBody();
    void genericMappingAndSnakeCase();
    void largeIntegers();
    void malformed_data();
    void malformed();
    void emptyBodies();
    void mutatedInputsNeverCrash();
    void roundTripFiles_data();
    void roundTripFiles();
    void roundTripHandMade();
    void encodedJsonIsSpecOtlpJson();
    void responses();
    void prettyPrint();
    void logsRoundTrip_data();
    void logsRoundTrip();
    void logsJsonSpelling();
    void logsJsonRejections_data();
    void logsJsonRejections();
    void logsProtobufRejections();
    void logsMalformed();
    void logsResponses();
};

// The OTLP files of tests/data/ and of the conformance corpus; a new one must get a row in fileCounts_data.
static const char* const ProjectOtlpFiles[] = {
    "otlp-json/checkout-fanout.json",
    "otlp-json/checkout-single-span.json",
    "otlp-json/invalid-ids.json",
    "otlp-json/payments-two-traces.json",
    "otlp-json/pretty-bad-trace-id.json",
    "otlp-json/storefront-multi-resource.json",
    "otlp-json/trip-planner-agent.json",
    "otlp-json-protomapping/shop-grpc.jsonl",
    "otlp-protobuf/shop-grpc.pb",
};

static const char* const ConformanceOtlpFiles[] = {
    "otlp-json/empty-ids.json",
    "otlp-json/genai-agent-trace.json",
    "otlp-json/hotrod-n-plus-one-concurrent.json",
    "otlp-json/jaeger-otel-traces-01.json",
    "otlp-json/node-sdk-multi-resource.json",
    "otlp-json/spec-example.json",
    "otlp-json-protomapping/otlp2parquet-traces.jsonl",
    "otlp-protobuf/otlp2parquet-traces.pb",
};

void TestOtlpDecoder::everyFileHasExpectations_data()
{
    QTest::addColumn<bool>("conformance");
    QTest::addColumn<QStringList>("known");
    QStringList project, corpus;
    for (const char* f : ProjectOtlpFiles)
        project << QLatin1StringView(f);
    for (const char* f : ConformanceOtlpFiles)
        corpus << QLatin1StringView(f);
    QTest::newRow("project") << false << project;
    QTest::newRow("conformance") << true << corpus;
}

void TestOtlpDecoder::everyFileHasExpectations()
{
    QFETCH(bool, conformance);
    QFETCH(QStringList, known);
    if (conformance)
        SPANSCOPE_REQUIRE_CONFORMANCE();
    QCOMPARE(otlpFiles(conformance ? TestData::conformanceDir() : TestData::dataDir()), known);
}

void TestOtlpDecoder::fileCounts_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("spans");
    QTest::addColumn<int>("rejected");
    QTest::addColumn<int>("traces");
    QTest::addColumn<int>("roots");
    QTest::addColumn<int>("dangling");
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("links");
    QTest::addColumn<int>("errors");
    QTest::addColumn<QList<int>>("kinds"); // unspecified, internal, server, client, producer, consumer
    QTest::addColumn<int>("withFlags");
    QTest::addColumn<QList<int>>("valueTypes"); // string, int, double, bytes (span + event attributes)

    using L = QList<int>;
    QTest::newRow("checkout-single-span") << QStringLiteral("otlp-json/checkout-single-span.json") << 1 << 0 << 1 << 0
                                          << 1 << 0 << 0 << 0 << L { 0, 0, 1, 0, 0, 0 } << 0 << L { 1, 0, 0, 0 };
    QTest::newRow("payments-two-traces") << QStringLiteral("otlp-json/payments-two-traces.json") << 4 << 0 << 2 << 2
                                         << 0 << 4 << 3 << 2 << L { 0, 0, 1, 1, 1, 1 } << 4 << L { 7, 5, 4, 3 };
    QTest::newRow("storefront-multi-resource")
        << QStringLiteral("otlp-json/storefront-multi-resource.json") << 4 << 0 << 1 << 1 << 0 << 1 << 0 << 0
        << L { 0, 4, 0, 0, 0, 0 } << 0 << L { 3, 2, 1, 0 };
    QTest::newRow("checkout-fanout") << QStringLiteral("otlp-json/checkout-fanout.json") << 22 << 0 << 1 << 1 << 0 << 19
                                     << 0 << 3 << L { 0, 1, 8, 13, 0, 0 } << 22 << L { 35, 14, 1, 0 };
    QTest::newRow("trip-planner-agent") << QStringLiteral("otlp-json/trip-planner-agent.json") << 8 << 0 << 1 << 1 << 0
                                        << 0 << 0 << 0 << L { 0, 6, 1, 1, 0, 0 } << 0 << L { 21, 8, 3, 0 };
    QTest::newRow("invalid-ids") << QStringLiteral("otlp-json/invalid-ids.json") << 0 << 3 << 0 << 0 << 0 << 0 << 0 << 0
                                 << L { 0, 0, 0, 0, 0, 0 } << 0 << L { 0, 0, 0, 0 };
    QTest::newRow("pretty-bad-trace-id") << QStringLiteral("otlp-json/pretty-bad-trace-id.json") << 1 << 2 << 1 << 1
                                         << 0 << 0 << 0 << 0 << L { 1, 0, 0, 0, 0, 0 } << 0 << L { 0, 0, 0, 0 };
    QTest::newRow("shop-grpc.jsonl") << QStringLiteral("otlp-json-protomapping/shop-grpc.jsonl") << 16 << 0 << 12 << 4
                                     << 8 << 3 << 0 << 0 << L { 0, 8, 4, 4, 0, 0 } << 0 << L { 15, 19, 0, 0 };
    QTest::newRow("shop-grpc.pb") << QStringLiteral("otlp-protobuf/shop-grpc.pb") << 16 << 0 << 12 << 4 << 8 << 3 << 0
                                  << 0 << L { 0, 8, 4, 4, 0, 0 } << 0 << L { 15, 19, 0, 0 };

    QTest::newRow("conformance: spec-example")
        << QStringLiteral("conformance/otlp-json/spec-example.json") << 1 << 0 << 1 << 0 << 1 << 0 << 0 << 0
        << L { 0, 0, 1, 0, 0, 0 } << 0 << L { 1, 0, 0, 0 };
    QTest::newRow("conformance: jaeger-otel-01")
        << QStringLiteral("conformance/otlp-json/jaeger-otel-traces-01.json") << 4 << 0 << 2 << 0 << 3 << 8 << 8 << 4
        << L { 0, 0, 1, 1, 1, 1 } << 4 << L { 12, 4, 4, 4 };
    QTest::newRow("conformance: node-sdk")
        << QStringLiteral("conformance/otlp-json/node-sdk-multi-resource.json") << 4 << 0 << 1 << 1 << 0 << 0 << 0 << 0
        << L { 0, 4, 0, 0, 0, 0 } << 0 << L { 0, 0, 0, 0 };
    QTest::newRow("conformance: hotrod") << QStringLiteral("conformance/otlp-json/hotrod-n-plus-one-concurrent.json")
                                         << 40 << 0 << 1 << 1 << 0 << 52 << 0 << 3 << L { 0, 0, 13, 27, 0, 0 } << 40
                                         << L { 332, 78, 0, 0 };
    QTest::newRow("conformance: genai") << QStringLiteral("conformance/otlp-json/genai-agent-trace.json") << 8 << 0 << 1
                                        << 1 << 0 << 0 << 0 << 0 << L { 0, 6, 1, 1, 0, 0 } << 0 << L { 34, 11, 3, 0 };
    QTest::newRow("conformance: empty-ids") << QStringLiteral("conformance/otlp-json/empty-ids.json") << 0 << 3 << 0
                                            << 0 << 0 << 0 << 0 << 0 << L { 0, 0, 0, 0, 0, 0 } << 0 << L { 0, 0, 0, 0 };
    QTest::newRow("conformance: otlp2parquet.jsonl")
        << QStringLiteral("conformance/otlp-json-protomapping/otlp2parquet-traces.jsonl") << 19 << 0 << 19 << 6 << 13
        << 6 << 0 << 0 << L { 0, 10, 3, 6, 0, 0 } << 0 << L { 55, 9, 0, 0 };
    QTest::newRow("conformance: otlp2parquet.pb")
        << QStringLiteral("conformance/otlp-protobuf/otlp2parquet-traces.pb") << 19 << 0 << 19 << 6 << 13 << 6 << 0 << 0
        << L { 0, 10, 3, 6, 0, 0 } << 0 << L { 55, 9, 0, 0 };
}

void TestOtlpDecoder::fileCounts()
{
    QFETCH(QString, file);
    QFETCH(int, spans);
    QFETCH(int, rejected);
    QFETCH(int, traces);
    QFETCH(int, roots);
    QFETCH(int, dangling);
    QFETCH(int, events);
    QFETCH(int, links);
    QFETCH(int, errors);
    QFETCH(QList<int>, kinds);
    QFETCH(int, withFlags);
    QFETCH(QList<int>, valueTypes);

    DECODE_TEST_FILE(r, file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(int(r.batch.spans.size()), spans);
    QCOMPARE(int(r.batch.rejectedSpans), rejected);

    QSet<TraceId> traceIds;
    QSet<SpanId> spanIds;
    for (const Span& s : r.batch.spans) {
        traceIds.insert(s.traceId);
        spanIds.insert(s.spanId);
        QVERIFY(s.traceId.isValid());
        QVERIFY(s.spanId.isValid());
        QVERIFY(s.resource);
        QVERIFY(s.scope);
    }
    QCOMPARE(int(traceIds.size()), traces);

    int rootCount = 0, danglingCount = 0, eventCount = 0, linkCount = 0, errorCount = 0, flagged = 0;
    QList<int> kindCounts(6, 0);
    ValueTypeCounts types;
    for (const Span& s : r.batch.spans) {
        if (s.isRoot())
            ++rootCount;
        else if (!spanIds.contains(s.parentSpanId))
            ++danglingCount;
        eventCount += int(s.events.size());
        linkCount += int(s.links.size());
        errorCount += s.statusCode == StatusCode::Error;
        flagged += s.flags != 0;
        ++kindCounts[int(s.kind)];
        for (const auto& kv : s.attributes)
            types.add(kv.value);
        for (const auto& e : s.events)
            for (const auto& kv : e.attributes)
                types.add(kv.value);
    }
    QCOMPARE(rootCount, roots);
    QCOMPARE(danglingCount, dangling);
    QCOMPARE(eventCount, events);
    QCOMPARE(linkCount, links);
    QCOMPARE(errorCount, errors);
    QCOMPARE(kindCounts, kinds);
    QCOMPARE(flagged, withFlags);
    QCOMPARE((QList<int> { types.strings, types.ints, types.doubles, types.bytes }), valueTypes);
}

void TestOtlpDecoder::singleSpanUpperCaseIds()
{
    DECODE_TEST_FILE(r, QStringLiteral("otlp-json/checkout-single-span.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(1));
    const Span& s = r.batch.spans[0];
    // "9F3C1A7E2B6D4E8FA0B1C2D3E4F5A6B7" in upper case must give these bytes.
    QCOMPARE(s.traceId.toBytes(), QByteArray("\x9f\x3c\x1a\x7e\x2b\x6d\x4e\x8f\xa0\xb1\xc2\xd3\xe4\xf5\xa6\xb7", 16));
    QCOMPARE(s.spanId.toBytes(), QByteArray("\xc4\xd5\xe6\xf7\x08\x19\x2a\x3b", 8));
    QCOMPARE(s.parentSpanId.toHex(), QStringLiteral("c4d5e6f708192a3a")); // not in the file
    QCOMPARE(s.name, QStringLiteral("POST /cart/checkout"));
    QCOMPARE(s.kind, SpanKind::Server); // "kind": 2
    QCOMPARE(s.startTimeUnixNano, 1772442900000000000ULL);
    QCOMPARE(s.endTimeUnixNano, 1772442900250000000ULL);
    QCOMPARE(s.serviceName(), QStringLiteral("checkout"));
    QCOMPARE(s.scope->name, QStringLiteral("checkout-http"));
    QCOMPARE(s.scope->version, QStringLiteral("4.2.0"));
    QCOMPARE(s.scope->attributes.size(), std::size_t(1));
    QCOMPARE(s.scope->attributes[0].key, QStringLiteral("checkout.scope.owner"));
    QCOMPARE(s.scope->attributes[0].value.stringValue, QStringLiteral("team-basket"));
    QCOMPARE(s.attributes.size(), std::size_t(1));
    QCOMPARE(s.attributes[0].value, AnyValue::fromString(QStringLiteral("cart-7731")));
    QCOMPARE(s.statusCode, StatusCode::Unset);
}

void TestOtlpDecoder::attributeTypesAndSharing()
{
    DECODE_TEST_FILE(r, QStringLiteral("otlp-json/payments-two-traces.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(4));
    const Span& s = r.batch.spans[0];
    QCOMPARE(s.name, QStringLiteral("POST /payments"));
    QCOMPARE(s.traceState, QStringLiteral("pay=1,vendor=acme"));
    QCOMPARE(s.flags, 1u);
    QCOMPARE(s.traceId.toHex(), QStringLiteral("7d3c9a1e5b2f4c6d8e0f1a2b3c4d5e6f"));
    const AnyValue* code = findAttribute(s.attributes, u"http.response.status_code");
    QVERIFY(code);
    QCOMPARE(*code, AnyValue::fromInt(402)); // intValue sent as the string "402"
    const AnyValue* fingerprint = findAttribute(s.attributes, u"payment.token.fingerprint");
    QVERIFY(fingerprint);
    QCOMPARE(*fingerprint, AnyValue::fromBytes(QByteArray("\xde\xad\xbe\xef", 4))); // "3q2+7w=="
    const AnyValue* amount = findAttribute(s.attributes, u"payment.amount");
    QVERIFY(amount);
    QCOMPARE(*amount, AnyValue::fromDouble(19.99));
    QCOMPARE(s.events.size(), std::size_t(2));
    QCOMPARE(s.events[0].name, QStringLiteral("card validated"));
    QCOMPARE(s.events[0].timeUnixNano, 1772442960005000000ULL);
    QCOMPARE(*findAttribute(s.events[0].attributes, u"card.checks"), AnyValue::fromInt(3));
    QCOMPARE(s.events[1].name, QString());
    QCOMPARE(s.links.size(), std::size_t(2));
    QCOMPARE(s.links[0].traceId, r.batch.spans[1].traceId); // the other trace of the file
    QCOMPARE(s.links[0].spanId, r.batch.spans[1].spanId);
    QCOMPARE(s.links[1].traceId.toHex(), QStringLiteral("0000000000000000000000000000abcd"));
    QCOMPARE(s.links[1].spanId.toHex(), QStringLiteral("00000000000000ef"));
    QCOMPARE(s.links[1].traceState, QStringLiteral("old=1"));
    QCOMPARE(s.statusCode, StatusCode::Error);
    QCOMPARE(s.statusMessage, QStringLiteral("card declined"));

    // One resource, two scopes, two traces interleaved: the resource object is shared by all four, each scope by
    // its two spans.
    const auto& spans = r.batch.spans;
    for (const Span& x : spans)
        QCOMPARE(x.resource.get(), spans[0].resource.get());
    QCOMPARE(spans[1].scope.get(), spans[0].scope.get());
    QCOMPARE(spans[3].scope.get(), spans[2].scope.get());
    QVERIFY(spans[2].scope.get() != spans[0].scope.get());
    QCOMPARE(spans[2].scope->name, QStringLiteral("payments-queue"));
    QCOMPARE(spans[2].scope->version, QStringLiteral("3.1.1"));
    QVERIFY(spans[0].traceId != spans[1].traceId);
    QCOMPARE(spans[2].traceId, spans[0].traceId);
    QCOMPARE(spans[1].kind, SpanKind::Producer);
    QCOMPARE(spans[2].kind, SpanKind::Client);
    QCOMPARE(spans[3].kind, SpanKind::Consumer);
    QCOMPARE(spans[3].statusCode, StatusCode::Ok);
}

void TestOtlpDecoder::fanOut()
{
    DECODE_TEST_FILE(r, QStringLiteral("otlp-json/checkout-fanout.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QSet<QString> services;
    for (const Span& s : r.batch.spans)
        services.insert(s.serviceName());
    QCOMPARE(services.size(), 6);
    // The manifest beside the file names the fan-out parent and its siblings.
    SPANSCOPE_READ_TEST_FILE(manifestJson, QStringLiteral("otlp-json/checkout-fanout.manifest.json"));
    const QJsonObject manifest = QJsonDocument::fromJson(manifestJson).object();
    const QString parentId = manifest.value(QLatin1StringView("fanOutParent")).toString();
    const auto parent = std::find_if(
        r.batch.spans.begin(), r.batch.spans.end(), [&](const Span& s) { return s.spanId.toHex() == parentId; });
    QVERIFY(parent != r.batch.spans.end());
    QCOMPARE(parent->serviceName(), QStringLiteral("web"));
    QCOMPARE(parent->name, QStringLiteral("GET /checkout"));
    QCOMPARE(parent->traceId.toHex(), manifest.value(QLatin1StringView("trace")).toString());
    int siblings = 0, errors = 0;
    for (const Span& s : r.batch.spans) {
        siblings += s.parentSpanId == parent->spanId
            && s.name == manifest.value(QLatin1StringView("fanOutChildName")).toString();
        errors += s.statusCode == StatusCode::Error;
    }
    QCOMPARE(siblings, manifest.value(QLatin1StringView("fanOutChildren")).toInt());
    QCOMPARE(errors, manifest.value(QLatin1StringView("errorSpans")).toInt());
}

void TestOtlpDecoder::genaiIntegersAsNumbers()
{
    DECODE_TEST_FILE(r, QStringLiteral("otlp-json/trip-planner-agent.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    // The file writes these as JSON numbers: { "intValue": 845 }.
    const auto llm = std::find_if(r.batch.spans.begin(), r.batch.spans.end(),
        [](const Span& s) { return findAttribute(s.attributes, u"gen_ai.usage.input_tokens") != nullptr; });
    QVERIFY(llm != r.batch.spans.end());
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.usage.input_tokens"), AnyValue::fromInt(845));
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.usage.output_tokens"), AnyValue::fromInt(96));
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.request.max_tokens"), AnyValue::fromInt(512));
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.request.temperature"), AnyValue::fromDouble(0.2));
    QCOMPARE(r.batch.spans[0].resource->schemaUrl, QStringLiteral("https://opentelemetry.io/schemas/1.27.0"));
    QCOMPARE(*findAttribute(r.batch.spans[0].attributes, u"user.request"),
        AnyValue::fromString(QStringLiteral("Plan a weekend in Z\u00fcrich \u2014 g\u00fcnstig, bitte")));
    bool nonAscii = false;
    for (const Span& s : r.batch.spans)
        for (const auto& kv : s.attributes)
            if (kv.value.type == AnyValue::Type::String)
                for (QChar c : kv.value.stringValue)
                    nonAscii = nonAscii || c.unicode() > 127;
    QVERIFY(nonAscii);
}

void TestOtlpDecoder::protobufTwinMatchesGenericJson()
{
    DECODE_TEST_FILE(pb, QStringLiteral("otlp-protobuf/shop-grpc.pb"));
    DECODE_TEST_FILE(js, QStringLiteral("otlp-json-protomapping/shop-grpc.jsonl"));
    QVERIFY2(pb.ok, qPrintable(pb.error));
    QVERIFY2(js.ok, qPrintable(js.error));
    QCOMPARE(pb.batch.spans.size(), std::size_t(16));
    compareSpanLists(js.batch.spans, pb.batch.spans);
    // The first line's spans, by hand: base64 ids and enum names.
    const Span& first = js.batch.spans[0];
    QCOMPARE(first.traceId.toBytes(), QByteArray::fromBase64("gaZle2I6lfN5SgGPDv5YYQ=="));
    QCOMPARE(first.spanId.toBytes(), QByteArray::fromBase64("xl2ppDwshfA="));
    QVERIFY(first.isRoot());
    QCOMPARE(first.kind, SpanKind::Server);
    QCOMPARE(first.statusCode, StatusCode::Ok);
    QCOMPARE(first.resource->schemaUrl, QStringLiteral("https://opentelemetry.io/schemas/1.24.0"));
    QCOMPARE(*findAttribute(first.attributes, u"rpc.grpc.status_code"), AnyValue::fromInt(0));
    const Span& child = js.batch.spans[1];
    QCOMPARE(child.spanId.toBytes(), QByteArray::fromBase64("aHNiJClm4Cc="));
    QCOMPARE(child.parentSpanId, first.spanId);
    QCOMPARE(child.kind, SpanKind::Internal);
    QCOMPARE(*findAttribute(child.attributes, u"items"), AnyValue::fromInt(1)); // a JSON number
    QCOMPARE(js.batch.spans[2].parentSpanId.toBytes(), QByteArray::fromBase64("FLfdPIP6HPE=")); // dangling
}

void TestOtlpDecoder::conformanceSpecExample()
{
    DECODE_TEST_FILE(r, QStringLiteral("conformance/otlp-json/spec-example.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(1));
    const Span& s = r.batch.spans[0];
    // "5B8EFFF798038103D269B633813FC60C" in upper case must give these bytes.
    QCOMPARE(s.traceId.toBytes(),
        QByteArray("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
    QCOMPARE(s.spanId.toBytes(), QByteArray("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
    QCOMPARE(s.parentSpanId.toHex(), QStringLiteral("eee19b7ec3c1b173"));
    QCOMPARE(s.name, QStringLiteral("I'm a server span"));
    QCOMPARE(s.kind, SpanKind::Server);
    QCOMPARE(s.startTimeUnixNano, 1544712660000000000ULL);
    QCOMPARE(s.endTimeUnixNano, 1544712661000000000ULL);
    QCOMPARE(s.serviceName(), QStringLiteral("my.service"));
    QCOMPARE(s.scope->name, QStringLiteral("my.library"));
    QCOMPARE(s.scope->version, QStringLiteral("1.0.0"));
    QCOMPARE(s.scope->attributes.size(), std::size_t(1));
    QCOMPARE(s.scope->attributes[0].key, QStringLiteral("my.scope.attribute"));
    QCOMPARE(s.scope->attributes[0].value.stringValue, QStringLiteral("some scope attribute"));
    QCOMPARE(s.attributes.size(), std::size_t(1));
    QCOMPARE(s.attributes[0].value, AnyValue::fromString(QStringLiteral("some value")));
    QCOMPARE(s.statusCode, StatusCode::Unset);
}

void TestOtlpDecoder::conformanceJaegerAttributeTypesAndSharing()
{
    DECODE_TEST_FILE(r, QStringLiteral("conformance/otlp-json/jaeger-otel-traces-01.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(4));
    const Span& s = r.batch.spans[0];
    QCOMPARE(s.name, QStringLiteral("test-general-conversion-2"));
    QCOMPARE(s.traceState, QStringLiteral("state.2"));
    QCOMPARE(s.flags, 1u);
    QCOMPARE(s.traceId.toHex(), QStringLiteral("00000000000000010000000000000000"));
    const AnyValue* ip = findAttribute(s.attributes, u"peer.ipv4");
    QVERIFY(ip);
    QCOMPARE(*ip, AnyValue::fromInt(23456)); // intValue sent as the string "23456"
    const AnyValue* blob = findAttribute(s.attributes, u"blob");
    QVERIFY(blob);
    QCOMPARE(*blob, AnyValue::fromBytes(QByteArray("\x00\x00\x30\x39", 4))); // "AAAwOQ=="
    const AnyValue* temp = findAttribute(s.attributes, u"temperature");
    QVERIFY(temp);
    QCOMPARE(*temp, AnyValue::fromDouble(72.5));
    QCOMPARE(s.events.size(), std::size_t(2));
    QCOMPARE(s.events[0].name, QStringLiteral("testing-event"));
    QCOMPARE(s.events[0].timeUnixNano, 1485467191639875000ULL);
    QCOMPARE(s.events[1].name, QString());
    QCOMPARE(s.links.size(), std::size_t(2));
    QCOMPARE(s.links[1].traceId.toHex(), QStringLiteral("00000000000000ff0000000000000000"));
    QCOMPARE(s.links[1].spanId.toHex(), QStringLiteral("00000000000000ff"));
    QCOMPARE(s.statusCode, StatusCode::Error);

    // One resource, two scopes: the resource object is shared by all four, each scope by its two spans.
    const auto& spans = r.batch.spans;
    for (const Span& x : spans)
        QCOMPARE(x.resource.get(), spans[0].resource.get());
    QCOMPARE(spans[1].scope.get(), spans[0].scope.get());
    QCOMPARE(spans[3].scope.get(), spans[2].scope.get());
    QVERIFY(spans[2].scope.get() != spans[0].scope.get());
    QCOMPARE(spans[2].scope->name, QStringLiteral("testing-library-3"));
    QCOMPARE(spans[2].scope->version, QStringLiteral("1.1.2"));
    QCOMPARE(spans[2].kind, SpanKind::Producer);
    QCOMPARE(spans[3].kind, SpanKind::Consumer);
}

void TestOtlpDecoder::conformanceHotrod()
{
    DECODE_TEST_FILE(r, QStringLiteral("conformance/otlp-json/hotrod-n-plus-one-concurrent.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    QSet<QString> services;
    for (const Span& s : r.batch.spans)
        services.insert(s.serviceName());
    QCOMPARE(services.size(), 6);
    // From the manifest: the fan-out parent is a frontend span (its name read from the file).
    const auto parent = std::find_if(r.batch.spans.begin(), r.batch.spans.end(),
        [](const Span& s) { return s.spanId.toHex() == QLatin1StringView("97e1247531a58678"); });
    QVERIFY(parent != r.batch.spans.end());
    QCOMPARE(parent->serviceName(), QStringLiteral("frontend"));
    QCOMPARE(parent->name, QStringLiteral("GET /dispatch"));
    QCOMPARE(parent->traceId.toHex(), QStringLiteral("1a4e4a7b270e9f2a0f716e3ee115218a"));
}

void TestOtlpDecoder::conformanceGenaiIntegersAsNumbers()
{
    DECODE_TEST_FILE(r, QStringLiteral("conformance/otlp-json/genai-agent-trace.json"));
    QVERIFY2(r.ok, qPrintable(r.error));
    // The file writes these as JSON numbers: { "intValue": 312 }.
    const auto llm = std::find_if(r.batch.spans.begin(), r.batch.spans.end(),
        [](const Span& s) { return findAttribute(s.attributes, u"gen_ai.usage.input_tokens") != nullptr; });
    QVERIFY(llm != r.batch.spans.end());
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.usage.input_tokens"), AnyValue::fromInt(312));
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.usage.output_tokens"), AnyValue::fromInt(128));
    QCOMPARE(*findAttribute(llm->attributes, u"gen_ai.request.temperature"), AnyValue::fromDouble(0.3));
    QCOMPARE(r.batch.spans[0].resource->schemaUrl, QStringLiteral("https://opentelemetry.io/schemas/1.26.0"));
    bool nonAscii = false;
    for (const Span& s : r.batch.spans)
        for (const auto& kv : s.attributes)
            if (kv.value.type == AnyValue::Type::String)
                for (QChar c : kv.value.stringValue)
                    nonAscii = nonAscii || c.unicode() > 127;
    QVERIFY(nonAscii);
}

void TestOtlpDecoder::conformanceProtobufTwinMatchesGenericJson()
{
    DECODE_TEST_FILE(pb, QStringLiteral("conformance/otlp-protobuf/otlp2parquet-traces.pb"));
    DECODE_TEST_FILE(js, QStringLiteral("conformance/otlp-json-protomapping/otlp2parquet-traces.jsonl"));
    QVERIFY2(pb.ok, qPrintable(pb.error));
    QVERIFY2(js.ok, qPrintable(js.error));
    QCOMPARE(pb.batch.spans.size(), std::size_t(19));
    compareSpanLists(js.batch.spans, pb.batch.spans);
    // The first line's first span, by hand: base64 ids and an enum name.
    const Span& first = js.batch.spans[0];
    QCOMPARE(first.traceId.toBytes(), QByteArray::fromBase64("aYQql5kRA2zz6CIIbsqgBw=="));
    QCOMPARE(first.spanId.toBytes(), QByteArray::fromBase64("Wmn8F4uo+Dc="));
    QCOMPARE(first.parentSpanId.toBytes(), QByteArray::fromBase64("ROYdmrMPywY="));
    QCOMPARE(first.kind, SpanKind::Internal);
    QCOMPARE(first.resource->schemaUrl, QStringLiteral("https://opentelemetry.io/schemas/1.6.1"));
    QCOMPARE(*findAttribute(first.attributes, u"rpc.grpc.status_code"), AnyValue::fromInt(0));
}

void TestOtlpDecoder::emptyIdsRejected_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("invalid-ids") << QStringLiteral("otlp-json/invalid-ids.json");
    QTest::newRow("conformance: empty-ids") << QStringLiteral("conformance/otlp-json/empty-ids.json");
}

void TestOtlpDecoder::emptyIdsRejected()
{
    QFETCH(QString, file);
    DECODE_TEST_FILE(r, file);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(0));
    QCOMPARE(r.batch.rejectedSpans, 3);
    QVERIFY2(r.batch.rejectionMessage.startsWith(QLatin1StringView("3 spans rejected: ")),
        qPrintable(r.batch.rejectionMessage));
    QVERIFY2(r.batch.rejectionMessage.contains(
                 QLatin1StringView("resourceSpans[0].scopeSpans[0].spans[0]: traceId is empty (must be 16 bytes)")),
        qPrintable(r.batch.rejectionMessage));
}

void TestOtlpDecoder::idRejections_data()
{
    QTest::addColumn<QByteArray>("spanJson");
    QTest::addColumn<QString>("reason"); // empty: accepted
    QTest::addColumn<QString>("field"); // the member named in DecodeResult::rejections

    const QByteArray t = "\"traceId\":\"0af7651916cd43dd8448eb211c80319c\"";
    const QByteArray s = "\"spanId\":\"b7ad6b7169203331\"";
    const QString traceId = QStringLiteral("traceId");
    const QString spanId = QStringLiteral("spanId");
    QTest::newRow("valid") << QByteArray("{" + t + "," + s + "}") << QString() << QString();
    QTest::newRow("valid, empty parent") << QByteArray("{" + t + "," + s + ",\"parentSpanId\":\"\"}") << QString()
                                         << QString();
    QTest::newRow("valid, null parent") << QByteArray("{" + t + "," + s + ",\"parentSpanId\":null}") << QString()
                                        << QString();
    QTest::newRow("missing traceId") << QByteArray("{" + s + "}") << QStringLiteral("traceId is empty (must be 16 bytes)")
                                     << traceId;
    QTest::newRow("zero traceId") << QByteArray("{\"traceId\":\"00000000000000000000000000000000\"," + s + "}")
                                  << QStringLiteral("traceId is all zeros (invalid)") << traceId;
    QTest::newRow("short hex traceId") << QByteArray("{\"traceId\":\"abc\"," + s + "}")
                                       << QStringLiteral("traceId: expected 32 hex digits (or base64 of 16 bytes), got \"abc\"")
                                       << traceId;
    QTest::newRow("non-hex traceId") << QByteArray("{\"traceId\":\"0af7651916cd43dd8448eb211c80319g\"," + s + "}")
                                     << QStringLiteral("traceId: expected 32 hex digits") << traceId;
    QTest::newRow("base64 of 8 bytes as traceId") << QByteArray("{\"traceId\":\"Wmn8F4uo+Dc=\"," + s + "}")
                                                  << QStringLiteral("traceId: expected 32 hex digits") << traceId;
    QTest::newRow("empty spanId") << QByteArray("{" + t + ",\"spanId\":\"\"}") << QStringLiteral("spanId is empty (must be 8 bytes)")
                                  << spanId;
    QTest::newRow("zero spanId") << QByteArray("{" + t + ",\"spanId\":\"0000000000000000\"}")
                                 << QStringLiteral("spanId is all zeros (invalid)") << spanId;
    QTest::newRow("long parent") << QByteArray("{" + t + "," + s + ",\"parentSpanId\":\"b7ad6b7169203331aa\"}")
                                 << QStringLiteral("parentSpanId: expected 16 hex digits") << QStringLiteral("parentSpanId");
    QTest::newRow("bad link") << QByteArray("{" + t + "," + s + ",\"links\":[{\"traceId\":\"\",\"spanId\":\"b7ad6b7169203331\"}]}")
                              << QStringLiteral("links[0].traceId is empty (must be 16 bytes)")
                              << QStringLiteral("links[0].traceId");
    QTest::newRow("bad second link")
        << QByteArray("{" + t + "," + s + ",\"links\":[{" + t + "," + s + "},{" + t + ",\"spanId\":\"x\"}]}")
        << QStringLiteral("links[1].spanId: expected 16 hex digits") << QStringLiteral("links[1].spanId");
    QTest::newRow("time past 2^63") << QByteArray("{" + t + "," + s + ",\"endTimeUnixNano\":\"9300000000000000000\"}")
                                    << QStringLiteral("endTimeUnixNano 9300000000000000000 is at or past 2^63 ns")
                                    << QStringLiteral("endTimeUnixNano");
}

void TestOtlpDecoder::idRejections()
{
    QFETCH(QByteArray, spanJson);
    QFETCH(QString, reason);
    QFETCH(QString, field);
    const QByteArray good = "{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"00f067aa0ba902b7\"}";
    const QByteArray body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + good + "," + spanJson + "]}]}]}";
    const DecodeResult r = OtlpJsonCodec::decodeRequest(body);
    QVERIFY2(r.ok, qPrintable(r.error));
    if (reason.isEmpty()) {
        QCOMPARE(r.batch.spans.size(), std::size_t(2));
        QCOMPARE(r.batch.rejectedSpans, 0);
        QVERIFY(r.batch.rejectionMessage.isEmpty());
        QVERIFY(r.rejections.empty());
        QVERIFY(r.batch.spans[1].isRoot());
        return;
    }
    QCOMPARE(r.batch.spans.size(), std::size_t(1)); // the good one survives
    QCOMPARE(r.batch.rejectedSpans, 1);
    const QString expectedStart = QStringLiteral("1 span rejected: resourceSpans[0].scopeSpans[0].spans[1]: ") + reason;
    QVERIFY2(r.batch.rejectionMessage.startsWith(expectedStart), qPrintable(r.batch.rejectionMessage));
    // Listed one by one: the span's place, the member at fault, the reason without the place.
    QCOMPARE(r.rejections.size(), std::size_t(1));
    QCOMPARE(r.rejections[0].span, QStringLiteral("resourceSpans[0].scopeSpans[0].spans[1]"));
    QCOMPARE(r.rejections[0].field, field);
    QVERIFY2(r.rejections[0].reason.startsWith(reason), qPrintable(r.rejections[0].reason));
}

void TestOtlpDecoder::rejectionsListedUpToALimit()
{
    // 150 spans without ids: all counted, 3 reasons in the partial-success message, the first 100 listed in order.
    QByteArray spans;
    for (int i = 0; i < 150; ++i)
        spans += QByteArray(i ? "," : "") + "{\"name\":\"s" + QByteArray::number(i) + "\"}";
    const DecodeResult r
        = OtlpJsonCodec::decodeRequest("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + spans + "]}]}]}");
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.rejectedSpans, 150);
    QCOMPARE(r.batch.rejectionMessage.count(QStringLiteral("traceId is empty")), 3);
    QCOMPARE(r.rejections.size(), DecodeResult::MaxListedRejections);
    for (std::size_t i = 0; i < r.rejections.size(); ++i)
        QCOMPARE(r.rejections[i].span, QStringLiteral("resourceSpans[0].scopeSpans[0].spans[%1]").arg(i));

    // A body refused as a whole lists nothing.
    const DecodeResult broken = OtlpJsonCodec::decodeRequest(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"no ids\"}]}]},{\"scopeSpans\":5}]}");
    QVERIFY(!broken.ok);
    QVERIFY(broken.rejections.empty());
}

void TestOtlpDecoder::protobufIdRejections()
{
    // Hand-assembled wire bytes: ExportTraceServiceRequest{resource_spans{scope_spans{spans...}}}.
    auto lengthDelimited = [](int tag, const QByteArray& payload) -> QByteArray {
        QByteArray out;
        out.append(char(tag));
        for (quint64 n = quint64(payload.size());; n >>= 7) { // base-128 varint length
            out.append(char((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
            if (n <= 0x7f)
                break;
        }
        out.append(payload);
        return out;
    };
    auto span = [&](const QByteArray& traceId, const QByteArray& spanId, const QByteArray& parent) -> QByteArray {
        QByteArray s = lengthDelimited(0x0a, traceId) + lengthDelimited(0x12, spanId); // fields 1, 2
        if (!parent.isNull())
            s += lengthDelimited(0x22, parent); // field 4
        return lengthDelimited(0x12, s); // ScopeSpans.spans = 2
    };
    const QByteArray tid(16, '\x01');
    const QByteArray sid(8, '\x02');
    const QByteArray scopeSpans = span(tid, sid, QByteArray()) + span(QByteArray(5, '\x01'), sid, QByteArray())
        + span(tid, QByteArray(8, '\0'), QByteArray()) + span(tid, sid, QByteArray(3, 'x'))
        + span(tid, sid, QByteArray(8, '\0'));
    const QByteArray request = lengthDelimited(0x0a, lengthDelimited(0x12, scopeSpans));

    const DecodeResult r = OtlpProtobufCodec::decodeRequest(request);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(2)); // the first, and the one with an all-zero parent (= root)
    QVERIFY(r.batch.spans[1].isRoot());
    QCOMPARE(r.batch.rejectedSpans, 3);
    QCOMPARE(r.batch.rejectionMessage,
        QStringLiteral("3 spans rejected: resourceSpans[0].scopeSpans[0].spans[1]: traceId is 5 bytes (must be 16); "
                       "resourceSpans[0].scopeSpans[0].spans[2]: spanId is all zeros (invalid); "
                       "resourceSpans[0].scopeSpans[0].spans[3]: parentSpanId is 3 bytes (must be 8 or empty)"));
    QCOMPARE(r.rejections.size(), std::size_t(3));
    QCOMPARE(r.rejections[0].span, QStringLiteral("resourceSpans[0].scopeSpans[0].spans[1]"));
    QCOMPARE(r.rejections[0].reason, QStringLiteral("traceId is 5 bytes (must be 16)"));
    QCOMPARE(r.rejections[2].span, QStringLiteral("resourceSpans[0].scopeSpans[0].spans[3]"));
}

void TestOtlpDecoder::protobufLenientParsing()
{
    // span { trace_id, span_id, name, field 99 varint (unknown),
    //        kind sent as length-delimited (wrong wire type: skipped like an unknown field), flags }
    auto request = [](const QByteArray& name) -> QByteArray { // explicit: a QStringBuilder would dangle
        QByteArray span;
        span += QByteArray("\x0a\x10", 2) + QByteArray(16, '\x01');
        span += QByteArray("\x12\x08", 2) + QByteArray(8, '\x02');
        span += QByteArray("\x2a", 1) + char(name.size()) + name;
        span += QByteArray("\x98\x06\x05", 3); // (99 << 3) | 0 = 792 = varint 98 06
        span += QByteArray("\x32\x01\x02", 3);
        span += QByteArray("\x85\x01\x01\x03\x00\x00", 6); // field 16, fixed32 = 0x301
        const QByteArray scopeSpans = QByteArray("\x12", 1) + char(span.size()) + span;
        const QByteArray resourceSpans = QByteArray("\x12", 1) + char(scopeSpans.size()) + scopeSpans;
        return QByteArray("\x0a", 1) + char(resourceSpans.size()) + resourceSpans;
    };
    DecodeResult r = OtlpProtobufCodec::decodeRequest(request(QByteArray("a\xc3\xa9z")));
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(1));
    const Span& s = r.batch.spans[0];
    QCOMPARE(s.name, QString(QStringLiteral("a") + QChar(0xe9) + QStringLiteral("z")));
    QCOMPARE(s.kind, SpanKind::Unspecified);
    QCOMPARE(s.flags, 0x301u);
    QCOMPARE(s.traceId.toBytes(), QByteArray(16, '\x01'));

    // A group (deprecated wire types 3/4) where a message is expected: skipped like an unknown field.
    r = OtlpProtobufCodec::decodeRequest(QByteArray("\x0b\x0c", 2));
    QVERIFY2(r.ok, qPrintable(r.error));
    QVERIFY(r.batch.spans.empty());

    // A proto3 string that is not UTF-8 fails the parse, as in libprotobuf (binary data belongs in bytes).
    r = OtlpProtobufCodec::decodeRequest(request(QByteArray("a\xff\xfe" "b", 4)));
    QVERIFY(!r.ok);
    QVERIFY(r.batch.spans.empty());
    QCOMPARE(r.error,
        QStringLiteral("protobuf parse error at byte offset 34 (resourceSpans[0].scopeSpans[0].spans[0].name): "
                       "string is not valid UTF-8"));
}

void TestOtlpDecoder::protobufUnknownFieldsOddSizedBody()
{
    // Found by fuzz_otlp_protobuf: the parse arena's first block was sized 5 x the body; for a body of odd size its end
    // was not 8-aligned, and the cleanup record libprotobuf puts there for unknown fields was misaligned
    // (UndefinedBehaviorSanitizer reports it; the asan preset runs this suite with halt_on_error).
    const std::vector<Span> spans = handMadeSpans();
    QByteArray body = OtlpProtobufCodec::encodeRequest(spans) + QByteArray("\xa0\x06\x01", 3); // field 100 = 1
    // Pad with unknown field 101 (2-byte length) to an odd size past the 4 KiB minimum block / 5.
    const qsizetype target = std::max<qsizetype>(body.size() + 4 + 128, 1001) | 1;
    const qsizetype padding = target - body.size() - 4;
    QVERIFY(padding >= 128 && padding < 16384);
    body += QByteArray("\xaa\x06", 2) + char(0x80 | (padding & 0x7f)) + char(padding >> 7) + QByteArray(padding, 'p');
    QCOMPARE(body.size(), target);
    for (int i = 0; i < 2; ++i) { // twice: the block is kept per thread between requests
        const DecodeResult r = OtlpProtobufCodec::decodeRequest(body);
        QVERIFY2(r.ok, qPrintable(r.error));
        compareSpanLists(r.batch.spans, spans);
    }
}

void TestOtlpDecoder::genericMappingAndSnakeCase()
{
    const QByteArray body = R"({
      "resource_spans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"string_value": "snake"}}],
                     "dropped_attributes_count": "2"},
        "schema_url": "https://s",
        "scope_spans": [{
          "scope": {"name": "sc", "dropped_attributes_count": 1},
          "spans": [{
            "trace_id": "W47/95gDgQPSabYzgT/GDA==",
            "span_id": "7uGbfsPBsXQ=",
            "parent_span_id": "7uGbfsPBsXM=",
            "kind": "SPAN_KIND_PRODUCER",
            "start_time_unix_nano": 1544712660000000000,
            "end_time_unix_nano": "1544712661000000000",
            "unknownField": {"ignored": [1, 2, 3]},
            "attributes": [
              {"key": "b", "value": {"bool_value": true}},
              {"key": "i", "value": {"int_value": -42}},
              {"key": "d", "value": {"double_value": "NaN"}},
              {"key": "raw", "value": {"bytes_value": "_-8="}},
              {"key": "list", "value": {"array_value": {"values": [{"int_value": "1"}, {}]}}},
              {"key": "kv", "value": {"kvlist_value": {"values": [{"key": "x", "value": {"stringValue": "y"}}]}}}
            ],
            "status": {"code": "STATUS_CODE_ERROR", "message": "bad"},
            "dropped_links_count": 4
          }]
        }]
      }]
    })";
    const DecodeResult r = OtlpJsonCodec::decodeRequest(body);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.spans.size(), std::size_t(1));
    const Span& s = r.batch.spans[0];
    // Same ids as the spec example, here in base64.
    QCOMPARE(s.traceId.toHex(), QStringLiteral("5b8efff798038103d269b633813fc60c"));
    QCOMPARE(s.spanId.toHex(), QStringLiteral("eee19b7ec3c1b174"));
    QCOMPARE(s.parentSpanId.toHex(), QStringLiteral("eee19b7ec3c1b173"));
    QCOMPARE(s.kind, SpanKind::Producer);
    QCOMPARE(s.startTimeUnixNano, 1544712660000000000ULL);
    QCOMPARE(s.endTimeUnixNano, 1544712661000000000ULL);
    QCOMPARE(s.statusCode, StatusCode::Error);
    QCOMPARE(s.statusMessage, QStringLiteral("bad"));
    QCOMPARE(s.droppedLinksCount, 4u);
    QCOMPARE(s.serviceName(), QStringLiteral("snake"));
    QCOMPARE(s.resource->droppedAttributesCount, 2u);
    QCOMPARE(s.resource->schemaUrl, QStringLiteral("https://s"));
    QCOMPARE(s.scope->name, QStringLiteral("sc"));
    QCOMPARE(s.scope->droppedAttributesCount, 1u);
    QCOMPARE(s.attributes.size(), std::size_t(6));
    QCOMPARE(s.attributes[0].value, AnyValue::fromBool(true));
    QCOMPARE(s.attributes[1].value, AnyValue::fromInt(-42));
    QCOMPARE(s.attributes[2].value.type, AnyValue::Type::Double);
    QVERIFY(std::isnan(s.attributes[2].value.doubleValue));
    QCOMPARE(s.attributes[3].value, AnyValue::fromBytes(QByteArray("\xff\xef", 2))); // URL-safe base64
    QCOMPARE(s.attributes[4].value, arrayOf({ AnyValue::fromInt(1), AnyValue() }));
    QCOMPARE(s.attributes[5].value, mapOf({ { QStringLiteral("x"), AnyValue::fromString(QStringLiteral("y")) } }));
}

void TestOtlpDecoder::largeIntegers()
{
    // Above 2^53 as JSON numbers: QJsonDocument keeps integers that fit qint64 exactly.
    const QByteArray body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{
        "traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
        "startTimeUnixNano": 1544712660000000001, "endTimeUnixNano": "9223372036854775807",
        "attributes":[{"key":"n","value":{"intValue":9007199254740993}},
                      {"key":"min","value":{"intValue":"-9223372036854775808"}},
                      {"key":"max","value":{"intValue":9223372036854775807}}]}]}]}]})";
    const DecodeResult r = OtlpJsonCodec::decodeRequest(body);
    QVERIFY2(r.ok, qPrintable(r.error));
    const Span& s = r.batch.spans.at(0);
    QCOMPARE(s.startTimeUnixNano, 1544712660000000001ULL);
    QCOMPARE(s.endTimeUnixNano, std::uint64_t(std::numeric_limits<std::int64_t>::max())); // the last time stored
    QCOMPARE(s.attributes[0].value.intValue, 9007199254740993LL);
    QCOMPARE(s.attributes[1].value.intValue, std::numeric_limits<std::int64_t>::min());
    QCOMPARE(s.attributes[2].value.intValue, std::numeric_limits<std::int64_t>::max());
}

void TestOtlpDecoder::malformed_data()
{
    QTest::addColumn<bool>("protobuf");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("errorContains");
    // Rows made from a test file read it in malformed() (a failure in a _data function would abort the run):
    // "file" names it and "cut" says what to keep ("half", "all", "drop7").
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("cut");

    const QString spec = QStringLiteral("otlp-json/checkout-single-span.json");
    const QString pb = QStringLiteral("otlp-protobuf/shop-grpc.pb");
    auto wrap = [](const QByteArray& span) -> QByteArray { // explicit: a QStringBuilder would dangle
        return QByteArray("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
                          "\"spanId\":\"b7ad6b7169203331\"},{\"traceId\":\"0af7651916cd43dd8448eb211c80319c\","
                          "\"spanId\":\"b7ad6b7169203332\",")
            + span + "}]}]}]}";
    };
    const QString at = QStringLiteral("resourceSpans[0].scopeSpans[0].spans[1].");

    QTest::newRow("truncated json") << false << QByteArray() << QStringLiteral("JSON parse error at byte offset")
                                    << spec << QStringLiteral("half");
    QTest::newRow("not json") << false << QByteArray("hello") << QStringLiteral("JSON parse error") << QString()
                              << QString();
    QTest::newRow("top-level array") << false << QByteArray("[]") << QStringLiteral("expected a JSON object")
                                     << QString() << QString();
    QTest::newRow("resourceSpans object")
        << false << QByteArray("{\"resourceSpans\":{}}")
        << QStringLiteral("resourceSpans: expected an array, got an object") << QString() << QString();
    QTest::newRow("spans not an array") << false
                                        << QByteArray("{\"resourceSpans\":[{\"scopeSpans\":[{},{\"spans\":\"x\"}]}]}")
                                        << QStringLiteral(
                                               "resourceSpans[0].scopeSpans[1].spans: expected an array, got \"x\"")
                                        << QString() << QString();
    QTest::newRow("time not a number") << false << wrap("\"startTimeUnixNano\":\"abc\"")
                                       << at
            + QStringLiteral("startTimeUnixNano: expected an unsigned 64-bit integer, got \"abc\"")
                                       << QString() << QString();
    QTest::newRow("time fractional") << false << wrap("\"endTimeUnixNano\":1.5")
                                     << at + QStringLiteral("endTimeUnixNano: expected an unsigned 64-bit integer")
                                     << QString() << QString();
    QTest::newRow("time negative") << false << wrap("\"endTimeUnixNano\":\"-1\"")
                                   << at + QStringLiteral("endTimeUnixNano") << QString() << QString();
    QTest::newRow("time bool") << false << wrap("\"endTimeUnixNano\":true") << at + QStringLiteral("endTimeUnixNano")
                               << QString() << QString();
    QTest::newRow("time overflow") << false << wrap("\"endTimeUnixNano\":\"18446744073709551616\"")
                                   << at + QStringLiteral("endTimeUnixNano") << QString() << QString();
    QTest::newRow("traceId number") << false << wrap("\"traceId\":12")
                                    << at + QStringLiteral("traceId: expected an id string") << QString() << QString();
    QTest::newRow("unknown kind name") << false << wrap("\"kind\":\"SPAN_KIND_BOGUS\"")
                                       << at + QStringLiteral("kind: unknown enum value \"SPAN_KIND_BOGUS\"")
                                       << QString() << QString();
    QTest::newRow("name object") << false << wrap("\"name\":{}") << at + QStringLiteral("name: expected a string")
                                 << QString() << QString();
    QTest::newRow("bad intValue") << false << wrap("\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"12x\"}}]")
                                  << at
            + QStringLiteral("attributes[0].value.intValue: expected a signed 64-bit integer")
                                  << QString() << QString();
    QTest::newRow("bad bytesValue") << false
                                    << wrap("\"attributes\":[{\"key\":\"k\",\"value\":{\"bytesValue\":\"!!\"}}]")
                                    << at + QStringLiteral("attributes[0].value.bytesValue: expected base64 bytes")
                                    << QString() << QString();
    QTest::newRow("two values in a oneof")
        << false << wrap("\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":1,\"stringValue\":\"x\"}}]")
        << at + QStringLiteral("attributes[0].value: more than one") << QString() << QString();
    QTest::newRow("deep array element") << false
                                        << wrap("\"events\":[{},{\"attributes\":[{\"key\":\"k\",\"value\":{"
                                                "\"arrayValue\":{\"values\":[{},{\"boolValue\":1}]}}}]}]")
                                        << at
            + QStringLiteral(
                "events[1].attributes[0].value.arrayValue.values[1].boolValue: expected true or false, got 1")
                                        << QString() << QString();
    QTest::newRow("status code wrong") << false << wrap("\"status\":{\"code\":[]}")
                                       << at + QStringLiteral("status.code") << QString() << QString();
    QTest::newRow("dropped count too big")
        << false << wrap("\"droppedEventsCount\":4294967296")
        << at + QStringLiteral("droppedEventsCount: expected an unsigned 32-bit integer") << QString() << QString();

    QTest::newRow("garbage protobuf") << true << QByteArray("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11)
                                      << QStringLiteral("protobuf parse error at byte offset 0") << QString()
                                      << QString();
    QTest::newRow("json sent as protobuf")
        << true << QByteArray() << QStringLiteral("protobuf parse error at byte offset") << spec
        << QStringLiteral("all");
    QTest::newRow("truncated protobuf") << true << QByteArray() << QStringLiteral("(resourceSpans[11]): length") << pb
                                        << QStringLiteral("drop7");
    QTest::newRow("protobuf length past end")
        << true << QByteArray("\x0a\x05\x12\x03", 4)
        << QStringLiteral("byte offset 0 (resourceSpans[0]): length 5 runs past the end") << QString() << QString();
    // libprotobuf skips a well-formed group (deprecated wire types 3/4) like any unknown field; see
    // protobufLenientParsing. One whose end tag does not match is refused.
    QTest::newRow("protobuf group wire type")
        << true << QByteArray("\x0b\x14", 2)
        << QStringLiteral("byte offset 0 (resourceSpans[0]): unsupported wire type 3") << QString() << QString();
    QTest::newRow("protobuf truncated varint")
        << true << QByteArray("\x0a\x0e\x12\x0c\x12\x0a\x30\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16)
        << QStringLiteral(
               "protobuf parse error at byte offset 6 (resourceSpans[0].scopeSpans[0].spans[0].kind): truncated varint")
        << QString() << QString();
}

void TestOtlpDecoder::malformed()
{
    QFETCH(bool, protobuf);
    QFETCH(QByteArray, body);
    QFETCH(QString, errorContains);
    QFETCH(QString, file);
    QFETCH(QString, cut);
    if (!file.isEmpty()) {
        SPANSCOPE_READ_TEST_FILE(content, file);
        body = cut == QLatin1StringView("half") ? content.left(content.size() / 2)
            : cut == QLatin1StringView("drop7") ? content.left(content.size() - 7)
                                                : content;
    }
    const DecodeResult r = protobuf ? OtlpProtobufCodec::decodeRequest(body) : OtlpJsonCodec::decodeRequest(body);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.contains(errorContains), qPrintable(QStringLiteral("error was: ") + r.error));
    QVERIFY(r.batch.spans.empty()); // nothing half-decoded
    QCOMPARE(r.batch.rejectedSpans, 0);
}

void TestOtlpDecoder::emptyBodies()
{
    // An empty protobuf message is a valid, empty request; so are {} and null fields in JSON.
    DecodeResult r = OtlpProtobufCodec::decodeRequest(QByteArray());
    QVERIFY(r.ok);
    QVERIFY(r.batch.spans.empty());
    r = OtlpJsonCodec::decodeRequest("{}");
    QVERIFY(r.ok);
    r = OtlpJsonCodec::decodeRequest("{\"resourceSpans\":null}");
    QVERIFY(r.ok);
    r = OtlpJsonCodec::decodeRequest("{\"resourceSpans\":[{\"resource\":null,\"scopeSpans\":[{\"spans\":[]}]}]}");
    QVERIFY(r.ok);
    r = OtlpJsonCodec::decodeRequest(QByteArray());
    QVERIFY(!r.ok);
}

void TestOtlpDecoder::mutatedInputsNeverCrash()
{
    // Every prefix and many single-byte corruptions of real bodies: each must give either a clean error or
    // a batch, never a crash (run under ASan/UBSan this also checks the wire reader's bounds).
    SPANSCOPE_READ_TEST_FILE(pb, QStringLiteral("otlp-protobuf/shop-grpc.pb"));
    SPANSCOPE_READ_TEST_FILE(json, QStringLiteral("otlp-json/payments-two-traces.json"));
    int refused = 0;
    for (qsizetype n = 0; n < pb.size(); n += 5) {
        const DecodeResult r = OtlpProtobufCodec::decodeRequest(pb.left(n));
        if (!r.ok) {
            ++refused;
            QVERIFY(!r.error.isEmpty());
            QVERIFY(r.batch.spans.empty());
        }
    }
    QVERIFY(refused > pb.size() / 10); // most cuts land inside a field
    quint32 seed = 12345;
    auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
    for (int i = 0; i < 1000; ++i) {
        QByteArray mutated = pb;
        mutated[qsizetype(next() % quint32(pb.size()))] = char(next() >> 24);
        const DecodeResult r = OtlpProtobufCodec::decodeRequest(mutated);
        QVERIFY(r.ok || !r.error.isEmpty());
    }
    for (qsizetype n = 0; n < json.size(); n += 7) {
        const DecodeResult r = OtlpJsonCodec::decodeRequest(json.left(n));
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
    }
}

void TestOtlpDecoder::roundTripFiles_data()
{
    QTest::addColumn<QString>("file");
    for (const char* f : ProjectOtlpFiles)
        QTest::newRow(f) << QString::fromLatin1(f);
    for (const char* f : ConformanceOtlpFiles)
        QTest::newRow(qPrintable(QString(QStringLiteral("conformance: ") + QLatin1StringView(f))))
            << TestData::conformanceFile(f);
}

void TestOtlpDecoder::roundTripFiles()
{
    QFETCH(QString, file);
    DECODE_TEST_FILE(original, file);
    QVERIFY2(original.ok, qPrintable(original.error));
    const auto& spans = original.batch.spans;

    for (bool pretty : { false, true }) {
        const QByteArray json = OtlpJsonCodec::encodeRequest(spans, pretty);
        const DecodeResult back = OtlpJsonCodec::decodeRequest(json);
        QVERIFY2(back.ok, qPrintable(back.error));
        QCOMPARE(back.batch.rejectedSpans, 0);
        compareSpanLists(back.batch.spans, spans);
    }
    const QByteArray pb = OtlpProtobufCodec::encodeRequest(spans);
    const DecodeResult back = OtlpProtobufCodec::decodeRequest(pb);
    QVERIFY2(back.ok, qPrintable(back.error));
    compareSpanLists(back.batch.spans, spans);
    // Same content in different ResourceSpans (storefront: four times the same resource) is merged.
    QSet<const Resource*> before, after;
    for (const Span& s : spans)
        before.insert(s.resource.get());
    for (const Span& s : back.batch.spans)
        after.insert(s.resource.get());
    QVERIFY(after.size() <= before.size());
}

void TestOtlpDecoder::roundTripHandMade()
{
    const std::vector<Span> spans = handMadeSpans();
    const DecodeResult viaJson = OtlpJsonCodec::decodeRequest(OtlpJsonCodec::encodeRequest(spans, false));
    QVERIFY2(viaJson.ok, qPrintable(viaJson.error));
    compareSpanLists(viaJson.batch.spans, spans);
    const DecodeResult viaPretty = OtlpJsonCodec::decodeRequest(OtlpJsonCodec::encodeRequest(spans, true));
    QVERIFY2(viaPretty.ok, qPrintable(viaPretty.error));
    compareSpanLists(viaPretty.batch.spans, spans);
    const DecodeResult viaPb = OtlpProtobufCodec::decodeRequest(OtlpProtobufCodec::encodeRequest(spans));
    QVERIFY2(viaPb.ok, qPrintable(viaPb.error));
    compareSpanLists(viaPb.batch.spans, spans);

    // Grouping: a and c have equal resource/scope content (different objects), b another resource.
    QCOMPARE(viaPb.batch.spans.size(), std::size_t(3));
    QCOMPARE(viaPb.batch.spans[0].spanId, spans[0].spanId);
    QCOMPARE(viaPb.batch.spans[1].spanId, spans[2].spanId);
    QCOMPARE(viaPb.batch.spans[1].resource.get(), viaPb.batch.spans[0].resource.get());
    QCOMPARE(viaPb.batch.spans[1].scope.get(), viaPb.batch.spans[0].scope.get());
    QVERIFY(viaPb.batch.spans[2].resource.get() != viaPb.batch.spans[0].resource.get());
}

void TestOtlpDecoder::encodedJsonIsSpecOtlpJson()
{
    const std::vector<Span> spans = handMadeSpans();
    const QJsonDocument doc = QJsonDocument::fromJson(OtlpJsonCodec::encodeRequest(spans, false));
    QVERIFY(doc.isObject());
    const QJsonObject rs = doc.object().value(QLatin1StringView("resourceSpans")).toArray().at(0).toObject();
    QCOMPARE(rs.value(QLatin1StringView("schemaUrl")).toString(), QStringLiteral("https://opentelemetry.io/schemas/1.21.0"));
    const QJsonObject span = rs.value(QLatin1StringView("scopeSpans")).toArray().at(0).toObject()
                                 .value(QLatin1StringView("spans")).toArray().at(0).toObject();
    QCOMPARE(span.value(QLatin1StringView("traceId")).toString(), QStringLiteral("0123456789abcdef0123456789abcdef"));
    QCOMPARE(span.value(QLatin1StringView("parentSpanId")).toString(), QStringLiteral("ff00000000000000"));
    QCOMPARE(span.value(QLatin1StringView("kind")).toInt(), 5);
    QCOMPARE(span.value(QLatin1StringView("flags")).toInt(), 0x301);
    QCOMPARE(span.value(QLatin1StringView("startTimeUnixNano")).toString(), QStringLiteral("9223372036854775807"));
    QCOMPARE(span.value(QLatin1StringView("status")).toObject().value(QLatin1StringView("code")).toInt(), 2);
    const QJsonArray attrs = span.value(QLatin1StringView("attributes")).toArray();
    QCOMPARE(attrs.at(1).toObject().value(QLatin1StringView("value")).toObject().value(QLatin1StringView("intValue")).toString(),
        QStringLiteral("-9223372036854775808"));
    QCOMPARE(attrs.at(10).toObject().value(QLatin1StringView("value")).toObject().value(QLatin1StringView("bytesValue")).toString(),
        QStringLiteral("AP8Q"));
    // A root span has no parentSpanId key; zero flags are left out.
    const QJsonObject root = doc.object().value(QLatin1StringView("resourceSpans")).toArray().at(1).toObject()
                                 .value(QLatin1StringView("scopeSpans")).toArray().at(0).toObject()
                                 .value(QLatin1StringView("spans")).toArray().at(0).toObject();
    QCOMPARE(root.value(QLatin1StringView("spanId")).toString(), QStringLiteral("1111111111111111"));
    QVERIFY(!root.contains(QLatin1StringView("parentSpanId")));
    QVERIFY(!root.contains(QLatin1StringView("flags")));
}

void TestOtlpDecoder::responses()
{
    QCOMPARE(OtlpJsonCodec::encodeResponse(0, QString()), QByteArray("{}"));
    QCOMPARE(OtlpJsonCodec::encodeResponse(3, QStringLiteral("bad \"ids\"")),
        QByteArray("{\"partialSuccess\":{\"rejectedSpans\":\"3\",\"errorMessage\":\"bad \\\"ids\\\"\"}}"));
    QCOMPARE(OtlpProtobufCodec::encodeResponse(0, QString()), QByteArray());
    // partial_success (1, len 5) { rejected_spans (1, varint 3), error_message (2, "x") }
    QCOMPARE(OtlpProtobufCodec::encodeResponse(3, QStringLiteral("x")), QByteArray("\x0a\x05\x08\x03\x12\x01x", 7));
}

void TestOtlpDecoder::prettyPrint()
{
    // Raw string literals with backslashes trip moc's preprocessor; spelled out instead.
    const QByteArray compact = "{\"b\":[1,2,{}],\"a\":{\"s\":\"x:, {y} [z] \\\"q\\\"\"},\"e\":[]}";
    const QByteArray pretty = OtlpJsonCodec::prettyPrint(compact);
    const QByteArray expected = "{\n  \"b\": [\n    1,\n    2,\n    {}\n  ],\n  \"a\": {\n    \"s\": \"x:, {y} [z] \\\"q\\\"\"\n  },\n  \"e\": []\n}\n";
    QCOMPARE(pretty, expected);
    QCOMPARE(OtlpJsonCodec::prettyPrint("{not json"), QByteArray("{not json"));
    // Pretty-printing the pretty output changes nothing.
    QCOMPARE(OtlpJsonCodec::prettyPrint(pretty), pretty);
}

namespace {
const TraceId LogTrace = TraceId::fromHex(u"5b8efff798038103d269b633813fc60c");
const SpanId LogSpan = SpanId::fromHex(u"eee19b7ec3c1b174");

void compareLogLists(const std::vector<LogRecord>& actual, const std::vector<LogRecord>& expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(logRecordsEqual(actual[i], expected[i]), qPrintable(QStringLiteral("log record %1 differs").arg(i)));
}
}

void TestOtlpDecoder::logsRoundTrip_data()
{
    QTest::addColumn<bool>("json");
    QTest::newRow("protobuf") << false;
    QTest::newRow("json") << true;
}

void TestOtlpDecoder::logsRoundTrip()
{
    QFETCH(bool, json);
    const std::vector<LogRecord> logs = TestLogs::sample(LogTrace, LogSpan);
    const QByteArray body
        = json ? OtlpJsonCodec::encodeLogsRequest(logs, true) : OtlpProtobufCodec::encodeLogsRequest(logs);
    const DecodeResult r = json ? OtlpJsonCodec::decodeLogsRequest(body) : OtlpProtobufCodec::decodeLogsRequest(body);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.rejectedLogRecords, 0);
    QVERIFY(r.batch.spans.empty());
    // Encoded order: grouped by resource, then scope (the third record has its own scope, the fourth its own resource).
    compareLogLists(r.batch.logs, { logs[0], logs[1], logs[2], logs[3] });
    // Without trace context: all-zero ids, kept.
    QVERIFY(!r.batch.logs[2].traceId.isValid());
    QVERIFY(!r.batch.logs[2].spanId.isValid());
    QVERIFY(r.batch.logs[1].traceId.isValid());
    QVERIFY(!r.batch.logs[1].spanId.isValid());
    // Records of one ScopeLogs share their resource and scope.
    QCOMPARE(r.batch.logs[1].scope.get(), r.batch.logs[0].scope.get());
    QCOMPARE(r.batch.logs[2].resource.get(), r.batch.logs[0].resource.get());
    QVERIFY(r.batch.logs[2].scope.get() != r.batch.logs[0].scope.get());
    QCOMPARE(r.batch.logs[3].severityNumber, 30); // open enum: kept as sent
    QCOMPARE(r.batch.logs[3].body.type, AnyValue::Type::Empty);
    // The other codec reads the same records.
    const DecodeResult other = json
        ? OtlpProtobufCodec::decodeLogsRequest(OtlpProtobufCodec::encodeLogsRequest(r.batch.logs))
        : OtlpJsonCodec::decodeLogsRequest(OtlpJsonCodec::encodeLogsRequest(r.batch.logs, false));
    QVERIFY2(other.ok, qPrintable(other.error));
    compareLogLists(other.batch.logs, r.batch.logs);
}

void TestOtlpDecoder::logsJsonSpelling()
{
    // Enum names, snake_case keys, base64 ids, number times, all-zero ids, empty ids.
    const QByteArray body = QByteArrayLiteral(
        R"({"resource_logs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
        "scopeLogs":[{"scope":{"name":"s"},"log_records":[
          {"timeUnixNano":"1700000000000000001","observed_time_unix_nano":1700000000000,"severityNumber":"SEVERITY_NUMBER_INFO",
           "severity_text":"INFO","body":{"stringValue":"hello"},"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=",
           "flags":1,"event_name":"e","droppedAttributesCount":3},
          {"severityNumber":"SEVERITY_NUMBER_FATAL4","traceId":"00000000000000000000000000000000","spanId":"0000000000000000"},
          {"severityNumber":13,"traceId":"","spanId":"","body":null}]}]}]})");
    const DecodeResult r = OtlpJsonCodec::decodeLogsRequest(body);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.logs.size(), std::size_t(3));
    const LogRecord& a = r.batch.logs[0];
    QCOMPARE(a.traceId, LogTrace);
    QCOMPARE(a.spanId, LogSpan);
    QCOMPARE(a.timeUnixNano, 1700000000000000001ULL);
    QCOMPARE(a.observedTimeUnixNano, 1700000000000ULL);
    QCOMPARE(a.severityNumber, 9);
    QCOMPARE(a.severityText, QStringLiteral("INFO"));
    QCOMPARE(a.body, AnyValue::fromString(QStringLiteral("hello")));
    QCOMPARE(a.flags, 1u);
    QCOMPARE(a.eventName, QStringLiteral("e"));
    QCOMPARE(a.droppedAttributesCount, 3u);
    QCOMPARE(a.serviceName(), QStringLiteral("svc"));
    QCOMPARE(a.scope->name, QStringLiteral("s"));
    QCOMPARE(r.batch.logs[1].severityNumber, 24);
    QVERIFY(!r.batch.logs[1].traceId.isValid());
    QCOMPARE(r.batch.logs[2].severityNumber, 13);
    QVERIFY(!r.batch.logs[2].traceId.isValid());
    QCOMPARE(r.batch.logs[2].body.type, AnyValue::Type::Empty);
    QCOMPARE(r.batch.logs[2].effectiveTimeUnixNano(), 0ULL);

    // The encoder writes severity as a number, 64-bit times as strings, hex ids, and no ids without trace context.
    const QJsonObject doc = QJsonDocument::fromJson(OtlpJsonCodec::encodeLogsRequest(r.batch.logs, false)).object();
    const QJsonArray records = doc.value(QLatin1StringView("resourceLogs"))
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value(QLatin1StringView("scopeLogs"))
                                   .toArray()
                                   .at(0)
                                   .toObject()
                                   .value(QLatin1StringView("logRecords"))
                                   .toArray();
    QCOMPARE(records.size(), 3);
    const QJsonObject first = records.at(0).toObject();
    QCOMPARE(first.value(QLatin1StringView("severityNumber")).toInt(), 9);
    QCOMPARE(first.value(QLatin1StringView("timeUnixNano")).toString(), QStringLiteral("1700000000000000001"));
    QCOMPARE(first.value(QLatin1StringView("traceId")).toString(), QStringLiteral("5b8efff798038103d269b633813fc60c"));
    QCOMPARE(first.value(QLatin1StringView("spanId")).toString(), QStringLiteral("eee19b7ec3c1b174"));
    QCOMPARE(first.value(QLatin1StringView("eventName")).toString(), QStringLiteral("e"));
    QVERIFY(!records.at(1).toObject().contains(QLatin1StringView("traceId")));
    QVERIFY(!records.at(1).toObject().contains(QLatin1StringView("spanId")));
}

void TestOtlpDecoder::logsJsonRejections_data()
{
    QTest::addColumn<QString>("record");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("field");
    QTest::newRow("short trace id") << QStringLiteral(R"({"traceId":"abcd"})")
                                    << QStringLiteral(
                                           "traceId: expected 32 hex digits (or base64 of 16 bytes), got \"abcd\"")
                                    << QStringLiteral("traceId");
    QTest::newRow("long span id")
        << QStringLiteral(R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b17400"})")
        << QStringLiteral("spanId: expected 16 hex digits (or base64 of 8 bytes), got \"eee19b7ec3c1b17400\"")
        << QStringLiteral("spanId");
    QTest::newRow("span id without trace id")
        << QStringLiteral(R"({"spanId":"eee19b7ec3c1b174"})")
        << QStringLiteral("spanId is set but traceId is empty (a span id needs its trace id)")
        << QStringLiteral("spanId");
    QTest::newRow("span id with zero trace id")
        << QStringLiteral(R"({"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"})")
        << QStringLiteral("spanId is set but traceId is empty (a span id needs its trace id)")
        << QStringLiteral("spanId");
    QTest::newRow("time past 2^63")
        << QStringLiteral(R"({"timeUnixNano":"9223372036854775808"})")
        << QStringLiteral(
               "timeUnixNano 9223372036854775808 is at or past 2^63 ns (after the year 2262): not a valid time")
        << QStringLiteral("timeUnixNano");
    QString deep = QStringLiteral(R"({"stringValue":"x"})");
    for (int i = 0; i < AnyValue::MaxDepth + 1; ++i)
        deep = QStringLiteral(R"({"arrayValue":{"values":[)") + deep + QStringLiteral("]}}");
    QTest::newRow("body too deep") << QStringLiteral(R"({"body":)") + deep + QLatin1Char('}')
                                   << QStringLiteral("body nested deeper than 64 levels") << QStringLiteral("body");
}

void TestOtlpDecoder::logsJsonRejections()
{
    QFETCH(QString, record);
    QFETCH(QString, reason);
    QFETCH(QString, field);
    const QString body
        = QStringLiteral(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"ok"}},)") + record
        + QStringLiteral("]}]}]}");
    const DecodeResult r = OtlpJsonCodec::decodeLogsRequest(body.toUtf8());
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.logs.size(), std::size_t(1)); // the good one stays
    QCOMPARE(r.batch.rejectedLogRecords, 1);
    QCOMPARE(r.batch.rejectedSpans, 0);
    QCOMPARE(r.batch.rejectionMessage,
        QStringLiteral("1 log record rejected: resourceLogs[0].scopeLogs[0].logRecords[1]: ") + reason);
    QCOMPARE(r.rejections.size(), std::size_t(1));
    QCOMPARE(r.rejections[0].span, QStringLiteral("resourceLogs[0].scopeLogs[0].logRecords[1]"));
    QCOMPARE(r.rejections[0].reason, reason);
    QCOMPARE(r.rejections[0].field, field);
}

void TestOtlpDecoder::logsProtobufRejections()
{
    auto lengthDelimited = [](int tag, const QByteArray& payload) -> QByteArray {
        QByteArray out;
        out.append(char(tag));
        for (quint64 n = quint64(payload.size());; n >>= 7) {
            out.append(char((n & 0x7f) | (n > 0x7f ? 0x80 : 0)));
            if (n <= 0x7f)
                break;
        }
        out.append(payload);
        return out;
    };
    // LogRecord: trace_id = 9 (tag 0x4a), span_id = 10 (tag 0x52); ScopeLogs.log_records = 2 (0x12).
    auto record = [&](const QByteArray& traceId, const QByteArray& spanId) -> QByteArray {
        QByteArray r;
        if (!traceId.isNull())
            r += lengthDelimited(0x4a, traceId);
        if (!spanId.isNull())
            r += lengthDelimited(0x52, spanId);
        return lengthDelimited(0x12, r);
    };
    const QByteArray tid(16, '\x01');
    const QByteArray sid(8, '\x02');
    const QByteArray scopeLogs = record(tid, sid) + record(QByteArray(5, '\x01'), sid) + record(tid, QByteArray(3, 'x'))
        + record(QByteArray(), sid) + record(QByteArray(), QByteArray())
        + record(QByteArray(16, '\0'), QByteArray(8, '\0')) + record(tid, QByteArray());
    // ExportLogsServiceRequest.resource_logs = 1 (0x0a) > ResourceLogs.scope_logs = 2 (0x12)
    const QByteArray request = lengthDelimited(0x0a, lengthDelimited(0x12, scopeLogs));
    const DecodeResult r = OtlpProtobufCodec::decodeLogsRequest(request);
    QVERIFY2(r.ok, qPrintable(r.error));
    QCOMPARE(r.batch.logs.size(), std::size_t(4));
    QCOMPARE(r.batch.logs[0].traceId, TraceId::fromBytes(tid));
    QCOMPARE(r.batch.logs[0].spanId, SpanId::fromBytes(sid));
    QVERIFY(!r.batch.logs[1].traceId.isValid()); // no ids at all
    QVERIFY(!r.batch.logs[2].traceId.isValid()); // all-zero ids
    QVERIFY(!r.batch.logs[2].spanId.isValid());
    QVERIFY(!r.batch.logs[3].spanId.isValid()); // trace without span
    QCOMPARE(r.batch.rejectedLogRecords, 3);
    QCOMPARE(r.batch.rejectionMessage,
        QStringLiteral(
            "3 log records rejected: resourceLogs[0].scopeLogs[0].logRecords[1]: traceId is 5 bytes (must be "
            "16 or empty); resourceLogs[0].scopeLogs[0].logRecords[2]: spanId is 3 bytes (must be 8 or "
            "empty); resourceLogs[0].scopeLogs[0].logRecords[3]: spanId is set but traceId is empty (a span "
            "id needs its trace id)"));
    QCOMPARE(r.rejections.size(), std::size_t(3));
    QCOMPARE(r.rejections[1].field, QStringLiteral("spanId"));
}

void TestOtlpDecoder::logsMalformed()
{
    DecodeResult r = OtlpJsonCodec::decodeLogsRequest(
        QByteArrayLiteral(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]})"));
    QVERIFY(!r.ok);
    QCOMPARE(r.error,
        QStringLiteral("resourceLogs[0].scopeLogs[0].logRecords[0].severityNumber: unknown enum value \"LOUD\""));
    QVERIFY(r.batch.logs.empty());
    r = OtlpJsonCodec::decodeLogsRequest(
        QByteArrayLiteral(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"x"}]}]}]})"));
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QStringLiteral("resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: ")),
        qPrintable(r.error));
    r = OtlpJsonCodec::decodeLogsRequest(QByteArrayLiteral("[1]"));
    QVERIFY(!r.ok);
    QCOMPARE(r.error, QStringLiteral("expected a JSON object (ExportLogsServiceRequest) at the top level"));
    // Truncated protobuf: the error names the place in the logs message.
    QByteArray pb = OtlpProtobufCodec::encodeLogsRequest(TestLogs::sample(LogTrace, LogSpan));
    pb.chop(3);
    r = OtlpProtobufCodec::decodeLogsRequest(pb);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.startsWith(QStringLiteral("protobuf parse error at byte offset ")), qPrintable(r.error));
    QVERIFY2(r.error.contains(QStringLiteral("resourceLogs[")), qPrintable(r.error));
    // An empty request is a valid one, with no records.
    r = OtlpJsonCodec::decodeLogsRequest(QByteArrayLiteral("{}"));
    QVERIFY(r.ok);
    QVERIFY(r.batch.logs.empty());
}

void TestOtlpDecoder::logsResponses()
{
    QCOMPARE(OtlpJsonCodec::encodeLogsResponse(0, QString()), QByteArray("{}"));
    QCOMPARE(OtlpJsonCodec::encodeLogsResponse(3, QStringLiteral("bad")),
        QByteArray("{\"partialSuccess\":{\"rejectedLogRecords\":\"3\",\"errorMessage\":\"bad\"}}"));
    QCOMPARE(OtlpProtobufCodec::encodeLogsResponse(0, QString()), QByteArray());
    // partial_success (1, len 5) { rejected_log_records (1, varint 3), error_message (2, "x") }
    QCOMPARE(OtlpProtobufCodec::encodeLogsResponse(3, QStringLiteral("x")), QByteArray("\x0a\x05\x08\x03\x12\x01x", 7));
}

QTEST_GUILESS_MAIN(TestOtlpDecoder)
#include "tst_otlpdecoder.moc"
