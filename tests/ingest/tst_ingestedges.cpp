#include "ingest/files/jaegerjsonreader.h"
#include "ingest/api/queryapi.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/files/zipkinjsonreader.h"
#include "model/tracelistmodel.h"
#include "storage/sqlitetracestore.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <limits>

// Edges that were acknowledged but could not be read back, or wrapped around (issue 8 §4): attributes nested
// deeper than the store reads, times at or past 2^63 ns, token sums past INT64_MAX.

namespace {

Span baseSpan(quint8 n)
{
    Span s;
    s.traceId = TraceId::fromBytes(QByteArray(16, char(0x40 + n)));
    s.spanId = SpanId::fromBytes(QByteArray(8, char(0x10 + n)));
    s.name = QStringLiteral("edge %1").arg(n);
    s.startTimeUnixNano = 1760000000000000000ULL;
    s.endTimeUnixNano = s.startTimeUnixNano + 1000;
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("edges")) });
    s.resource = resource;
    s.scope = std::make_shared<InstrumentationScope>();
    return s;
}

/// A value with `depth` arrays around a string (depth 0: the string itself).
AnyValue nested(int depth)
{
    AnyValue v = AnyValue::fromString(QStringLiteral("bottom"));
    for (int i = 0; i < depth; ++i) {
        AnyValue outer;
        outer.type = i % 2 ? AnyValue::Type::Array : AnyValue::Type::Map;
        if (outer.type == AnyValue::Type::Array)
            outer.arrayValue.push_back(std::move(v));
        else
            outer.mapValue.push_back({ QStringLiteral("k"), std::move(v) });
        v = std::move(outer);
    }
    return v;
}

/// One span accepted, one rejected for its end time 1.8e19 ns (start 9e18 ns + duration 9e18 ns).
void expectEndPastInt64Rejected(const DecodeResult& result)
{
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(result.batch.rejectedSpans, qint64(1));
    QCOMPARE(result.batch.spans.size(), std::size_t(1));
    QVERIFY2(result.batch.rejectionMessage.contains(
                 QStringLiteral("endTimeUnixNano 18000000000000000000 is at or past 2^63 ns")),
        qPrintable(result.batch.rejectionMessage));
}

DecodeResult decode(const QByteArray& format, const std::vector<Span>& spans)
{
    return format == "json" ? OtlpJsonCodec::decodeRequest(OtlpJsonCodec::encodeRequest(spans, false))
                            : OtlpProtobufCodec::decodeRequest(OtlpProtobufCodec::encodeRequest(spans));
}

} // namespace

class TestIngestEdges : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nestingLimit_data()
    {
        QTest::addColumn<QByteArray>("format");
        QTest::newRow("OTLP/JSON") << QByteArray("json");
        QTest::newRow("OTLP protobuf") << QByteArray("protobuf");
    }
    void nestingLimit()
    {
        // A span whose attributes are nested MaxDepth deep is stored and reads back whole; one level deeper is
        // rejected alone at decode with the reason, not acknowledged and then unreadable.
        QFETCH(QByteArray, format);
        Span deepest = baseSpan(1);
        deepest.attributes.push_back({ QStringLiteral("deep"), nested(AnyValue::MaxDepth) });
        Span tooDeep = baseSpan(2);
        tooDeep.attributes.push_back({ QStringLiteral("deep"), nested(AnyValue::MaxDepth + 1) });
        Span tooDeepEvent = baseSpan(3);
        SpanEvent event;
        event.name = QStringLiteral("e");
        event.timeUnixNano = tooDeepEvent.startTimeUnixNano;
        event.attributes.push_back({ QStringLiteral("deep"), nested(AnyValue::MaxDepth + 5) });
        tooDeepEvent.events.push_back(event);

        const DecodeResult result = decode(format, { deepest, tooDeep, tooDeepEvent });
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.batch.spans.size(), std::size_t(1));
        QCOMPARE(result.batch.rejectedSpans, qint64(2));
        QVERIFY2(result.batch.rejectionMessage.contains(QStringLiteral("attributes nested deeper than 64 levels")),
            qPrintable(result.batch.rejectionMessage));
        QVERIFY2(result.batch.rejectionMessage.contains(QStringLiteral("events[0].attributes")),
            qPrintable(result.batch.rejectionMessage));

        QTemporaryDir dir;
        SqliteTraceStore store(dir.filePath(QStringLiteral("edges.db")));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        IngestItem item;
        item.batch = result.batch;
        QVERIFY(store.write({ item }).ok);
        const std::vector<Span> back = store.traceSpans(deepest.traceId, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(back.size(), std::size_t(1));
        QCOMPARE(back.front().attributes, deepest.attributes);
    }

    void timesPastInt64Rejected_data() { nestingLimit_data(); }
    void timesPastInt64Rejected()
    {
        // 1.8e19 ns used to be stored as a negative number: the trace sorted as the oldest.
        QFETCH(QByteArray, format);
        Span late = baseSpan(4);
        late.startTimeUnixNano = 18000000000000000000ULL;
        late.endTimeUnixNano = late.startTimeUnixNano + 5;
        Span lateEnd = baseSpan(5);
        lateEnd.endTimeUnixNano = std::uint64_t(1) << 63;
        Span lateEvent = baseSpan(6);
        SpanEvent event;
        event.name = QStringLiteral("e");
        event.timeUnixNano = std::numeric_limits<std::uint64_t>::max();
        lateEvent.events.push_back(event);
        Span last = baseSpan(7); // the last representable time is fine
        last.startTimeUnixNano = std::uint64_t(std::numeric_limits<qint64>::max()) - 10;
        last.endTimeUnixNano = std::uint64_t(std::numeric_limits<qint64>::max());

        const DecodeResult result = decode(format, { late, lateEnd, lateEvent, last });
        QVERIFY2(result.ok, qPrintable(result.error));
        QCOMPARE(result.batch.rejectedSpans, qint64(3));
        QCOMPARE(result.batch.spans.size(), std::size_t(1));
        QCOMPARE(result.batch.spans.front().spanId, last.spanId);
        const QString& why = result.batch.rejectionMessage;
        QVERIFY2(why.contains(QStringLiteral("startTimeUnixNano 18000000000000000000 is at or past 2^63 ns")),
            qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("endTimeUnixNano 9223372036854775808")), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("events[0].timeUnixNano")), qPrintable(why));
    }

    void readerTimesPastInt64Rejected()
    {
        // Found by fuzz_zipkin_json: a start in range plus a duration put the end past 2^63 ns, and Zipkin's ×1000
        // wrapped timestamps past 1.8e16 µs; both were accepted and could not be read back.
        const QByteArray jaeger = R"({"data":[{"traceID":"5b8efff798038103d269b633813fc60c","processes":{},"spans":[
            {"traceID":"5b8efff798038103d269b633813fc60c","spanID":"a1","startTime":9000000000000000,
             "duration":9000000000000000},
            {"traceID":"5b8efff798038103d269b633813fc60c","spanID":"b2","startTime":1700000000000000,
             "duration":5}]}]})";
        DecodeResult result = JaegerJsonReader::decode(QJsonDocument::fromJson(jaeger));
        expectEndPastInt64Rejected(result);
        if (QTest::currentTestFailed())
            return;

        const QByteArray zipkin = R"([
            {"traceId":"5b8efff798038103d269b633813fc60c","id":"00000000000000a1","timestamp":9000000000000000,
             "duration":9000000000000000},
            {"traceId":"5b8efff798038103d269b633813fc60c","id":"00000000000000b2","timestamp":1700000000000000,
             "duration":5}])";
        result = ZipkinJsonReader::decode(QJsonDocument::fromJson(zipkin));
        expectEndPastInt64Rejected(result);
        if (QTest::currentTestFailed())
            return;

        const QByteArray wrapping = R"([{"traceId":"5b8efff798038103d269b633813fc60c","id":"00000000000000a1",
            "timestamp":17000900000000200,"duration":1}])";
        result = ZipkinJsonReader::decode(QJsonDocument::fromJson(wrapping));
        QVERIFY(!result.ok);
        QVERIFY2(result.error.contains(QStringLiteral("[0].timestamp")), qPrintable(result.error));
    }

    void queryTimesPastInt64Refused()
    {
        std::uint64_t ns = 0;
        QString error;
        QVERIFY(!QueryApi::parseTime(QStringLiteral("9300000000000000000"), &ns, &error));
        QVERIFY2(error.contains(QStringLiteral("2^63")), qPrintable(error));
        QVERIFY(QueryApi::parseTime(QStringLiteral("9223372036854775807"), &ns, &error));
        QCOMPARE(ns, std::uint64_t(std::numeric_limits<qint64>::max()));
        error.clear();
        QVERIFY(!QueryApi::parseTime(QStringLiteral("2263-01-01T00:00:00Z"), &ns, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(QueryApi::parseTime(QStringLiteral("2262-01-01T00:00:00Z"), &ns, &error));

        // Through the API: 400 naming the parameter, not every trace.
        QTemporaryDir dir;
        SqliteTraceStore store(dir.filePath(QStringLiteral("query.db")));
        QVERIFY2(store.open(&error), qPrintable(error));
        QueryApi api(&store);
        QueryApi::Request request;
        request.method = QByteArrayLiteral("GET");
        request.path = QStringLiteral("/api/v1/traces");
        request.query.append({ QStringLiteral("start_time_gte"), QStringLiteral("9300000000000000000") });
        const QueryApi::Response response = api.handle(request);
        QCOMPARE(response.status, 400);
        QVERIFY2(response.body.contains("start_time_gte"), response.body.constData());
    }

    void tokenSumsSaturate()
    {
        // input_tokens = INT64_MAX plus another span's tokens gave a negative trace total.
        QTemporaryDir dir;
        SqliteTraceStore store(dir.filePath(QStringLiteral("tokens.db")));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        Span a = baseSpan(8);
        a.attributes.push_back({ QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
        a.attributes.push_back(
            { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(std::numeric_limits<qint64>::max()) });
        a.attributes.push_back({ QStringLiteral("gen_ai.usage.output_tokens"),
            AnyValue::fromInt(std::numeric_limits<qint64>::max() - 1) });
        Span b = baseSpan(8);
        b.spanId = SpanId::fromBytes(QByteArray(8, char(0x77)));
        b.attributes.push_back({ QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
        b.attributes.push_back({ QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(1000) });
        b.attributes.push_back({ QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(1000) });
        // In one write (the incremental sum) and in two (the stored row plus a delta).
        IngestItem first;
        first.batch.spans = { a };
        QVERIFY(store.write({ first }).ok);
        IngestItem second;
        second.batch.spans = { b };
        QVERIFY(store.write({ second }).ok);
        const auto summary = store.traceSummary(a.traceId, &error);
        QVERIFY2(summary, qPrintable(error));
        QCOMPARE(summary->inputTokens, std::numeric_limits<qint64>::max());
        QCOMPARE(summary->outputTokens, std::numeric_limits<qint64>::max());
        QCOMPARE(summary->totalTokens(), std::numeric_limits<qint64>::max());
        QCOMPARE(summary->llmCalls, qint64(2));
        QCOMPARE(int(summary->modelUsage.size()), 1); // kept as JSON: the figures must survive it
        QCOMPARE(summary->modelUsage[0].inputTokens, std::numeric_limits<qint64>::max());
        QCOMPARE(summary->modelUsage[0].outputTokens, std::numeric_limits<qint64>::max());

        TraceListModel model;
        model.setStore(&store);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0, TraceListModel::InputTokensColumn), TraceListModel::SortRole).toLongLong(),
            std::numeric_limits<qint64>::max());
        QCOMPARE(model.data(model.index(0, TraceListModel::OutputTokensColumn), TraceListModel::SortRole).toLongLong(),
            std::numeric_limits<qint64>::max());
    }
};

QTEST_GUILESS_MAIN(TestIngestEdges)
#include "tst_ingestedges.moc"
