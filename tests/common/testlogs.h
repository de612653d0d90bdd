#pragma once

// Hand-made OTLP log records for the codec, store and API tests (header only: any suite may include it).

#include "model/logrecord.h"

#include <memory>
#include <vector>

namespace TestLogs {

inline std::shared_ptr<const Resource> resource(const QString& serviceName)
{
    auto r = std::make_shared<Resource>();
    r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(serviceName) });
    r->attributes.push_back({ QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("box-1")) });
    r->schemaUrl = QStringLiteral("https://opentelemetry.io/schemas/1.26.0");
    return r;
}

inline std::shared_ptr<const InstrumentationScope> scope(const QString& name)
{
    auto s = std::make_shared<InstrumentationScope>();
    s->name = name;
    s->version = QStringLiteral("1.2.3");
    return s;
}

/// A record of `trace` (all-zero = no trace context) and `span` at `timeNs`, with a string body.
inline LogRecord make(const TraceId& trace, const SpanId& span, std::uint64_t timeNs, const QString& body,
    const std::shared_ptr<const Resource>& res, const std::shared_ptr<const InstrumentationScope>& sc)
{
    LogRecord r;
    r.traceId = trace;
    r.spanId = span;
    r.timeUnixNano = timeNs;
    r.observedTimeUnixNano = timeNs + 500;
    r.severityNumber = 9;
    r.severityText = QStringLiteral("INFO");
    r.body = AnyValue::fromString(body);
    r.resource = res;
    r.scope = sc;
    return r;
}

/**
 * Four records that use every LogRecord member: two of `trace` (one with a span id, flags, a map body with nested
 * values and an event name; one without span id, no time, an int body), one without trace context, one with an
 * unknown severity number 30 and an empty body.
 */
inline std::vector<LogRecord> sample(const TraceId& trace, const SpanId& span)
{
    const auto res = resource(QStringLiteral("checkout"));
    const auto sc = scope(QStringLiteral("app.logger"));
    std::vector<LogRecord> logs;

    LogRecord a = make(trace, span, 1700000000000000100ULL, QString(), res, sc);
    AnyValue map;
    map.type = AnyValue::Type::Map;
    map.mapValue.push_back({ QStringLiteral("role"), AnyValue::fromString(QStringLiteral("user")) });
    AnyValue list;
    list.type = AnyValue::Type::Array;
    list.arrayValue.push_back(AnyValue::fromString(QStringLiteral("hi")));
    AnyValue number;
    number.type = AnyValue::Type::Int;
    number.intValue = -42;
    list.arrayValue.push_back(number);
    map.mapValue.push_back({ QStringLiteral("content"), list });
    a.body = map;
    a.flags = 1;
    a.severityNumber = 17;
    a.severityText = QStringLiteral("ERROR");
    a.eventName = QStringLiteral("gen_ai.user.message");
    AnyValue flag;
    flag.type = AnyValue::Type::Bool;
    flag.boolValue = true;
    a.attributes.push_back({ QStringLiteral("retry"), flag });
    a.attributes.push_back({ QStringLiteral("code.function"), AnyValue::fromString(QStringLiteral("pay")) });
    a.droppedAttributesCount = 2;
    logs.push_back(a);

    LogRecord b = make(trace, SpanId(), 0, QString(), res, sc);
    b.observedTimeUnixNano = 1700000000000000050ULL; // no time: ordered by observed time, so before `a`
    AnyValue count;
    count.type = AnyValue::Type::Int;
    count.intValue = 7;
    b.body = count;
    b.severityNumber = 5;
    b.severityText = QStringLiteral("DEBUG");
    logs.push_back(b);

    logs.push_back(make(TraceId(), SpanId(), 1700000000000000200ULL, QStringLiteral("no trace here"), res,
        scope(QStringLiteral("other.logger"))));

    LogRecord d = make(trace, span, 1700000000000000300ULL, QString(), resource(QStringLiteral("billing")), sc);
    d.body = AnyValue();
    d.severityNumber = 30;
    d.severityText.clear();
    logs.push_back(d);
    return logs;
}

} // namespace TestLogs

#include "storage/tracestore.h"

#include <QTest>

namespace TestLogs {

/**
 * The logs contract of TraceStore::write / traceLogs / logRecordCount, for any store that starts empty. `span` is a
 * valid span (of any trace but `trace`/`logsOnly`) used as the "spans beside logs" of one item. QVERIFY inside:
 * callers check QTest::currentTestFailed() afterwards.
 */
inline void checkStoreContract(TraceStore& store, const Span& span)
{
    const TraceId trace = span.traceId;
    const std::vector<LogRecord> logs = sample(trace, span.spanId);
    IngestItem withSpans;
    withSpans.batch.spans = { span };
    withSpans.batch.logs = logs;
    withSpans.payload.contentType = QStringLiteral("application/json");
    withSpans.payload.peer = QStringLiteral("127.0.0.1:1");

    // All or nothing: a bad span in the same call keeps the log records out too.
    {
        IngestItem bad = withSpans;
        Span invalid = span;
        invalid.spanId = SpanId();
        bad.batch.spans.push_back(invalid);
        const WriteResult w = store.write({ bad });
        QVERIFY(!w.ok);
        QCOMPARE(w.logRecordsWritten, 0);
        QCOMPARE(store.logRecordCount(), 0);
        QVERIFY(store.traceLogs(trace).empty());
    }
    // ... and so does a log record with a span id but no trace id.
    {
        IngestItem bad = withSpans;
        LogRecord orphan = logs[0];
        orphan.traceId = TraceId();
        bad.batch.logs.push_back(orphan);
        const WriteResult w = store.write({ bad });
        QVERIFY(!w.ok);
        QCOMPARE(store.logRecordCount(), 0);
        QCOMPARE(store.spanCount(), 0);
    }

    WriteResult w = store.write({ withSpans });
    QVERIFY2(w.ok, qPrintable(w.error));
    QCOMPARE(w.spansWritten, 1);
    QCOMPARE(w.logRecordsWritten, 4);
    QCOMPARE(w.changedTraces, std::vector<TraceId> { trace });
    QCOMPARE(store.logRecordCount(), 4);
    QString error;
    std::vector<LogRecord> stored = store.traceLogs(trace, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // By effective time: b (no time, observed earlier) first; the record without trace context is not the trace's.
    QCOMPARE(stored.size(), std::size_t(3));
    const LogRecord* expected[] = { &logs[1], &logs[0], &logs[3] };
    for (std::size_t i = 0; i < stored.size(); ++i)
        QVERIFY2(logRecordsEqual(stored[i], *expected[i]),
            qPrintable(QStringLiteral("stored log record %1 differs").arg(i)));
    QVERIFY(!stored[0].spanId.isValid());
    QCOMPARE(stored[1].spanId, span.spanId);
    QVERIFY(store.traceLogs(TraceId::fromHex(u"0000000000000000000000000000abcd")).empty());

    // Idempotent: the same item again stores no record twice.
    w = store.write({ withSpans });
    QVERIFY2(w.ok, qPrintable(w.error));
    QCOMPARE(w.logRecordsWritten, 0);
    QCOMPARE(store.logRecordCount(), 4);
    QCOMPARE(store.traceLogs(trace).size(), std::size_t(3));

    // A record that differs in one member only is another record.
    IngestItem changed;
    changed.payload.signal = RawPayload::Signal::Logs;
    LogRecord louder = logs[0];
    louder.severityNumber = 18;
    changed.batch.logs = { louder };
    w = store.write({ changed });
    QVERIFY2(w.ok, qPrintable(w.error));
    QCOMPARE(w.logRecordsWritten, 1);
    QCOMPARE(w.changedTraces, std::vector<TraceId> { trace }); // new log records: the trace's views refresh
    QCOMPARE(store.logRecordCount(), 5);

    // Log records of a trace without spans: stored and readable, the trace has no summary.
    const TraceId logsOnly = TraceId::fromHex(u"00000000000000000000000000000f00");
    IngestItem onlyLogs;
    onlyLogs.payload.signal = RawPayload::Signal::Logs;
    onlyLogs.batch.logs = { make(
        logsOnly, SpanId(), 5, QStringLiteral("alone"), resource(QStringLiteral("solo")), scope(QStringLiteral("s"))) };
    w = store.write({ onlyLogs });
    QVERIFY2(w.ok, qPrintable(w.error));
    QCOMPARE(w.spansWritten, 0);
    QCOMPARE(w.logRecordsWritten, 1);
    QCOMPARE(w.changedTraces, std::vector<TraceId> { logsOnly });
    QVERIFY(!store.traceSummary(logsOnly));
    stored = store.traceLogs(logsOnly);
    QCOMPARE(stored.size(), std::size_t(1));
    QVERIFY(logRecordsEqual(stored[0], onlyLogs.batch.logs[0]));
    w = store.write({ onlyLogs });
    QVERIFY(w.ok);
    QCOMPARE(w.logRecordsWritten, 0);
    QVERIFY(w.changedTraces.empty());
    QCOMPARE(store.logRecordCount(), 6);
    QCOMPARE(store.spanCount(), 1);

    // Records of the same time come back in the order they arrived (SDKs stamp in milliseconds: the messages of one
    // LLM call share a time, and only their order tells the conversation's order).
    const TraceId sameTime = TraceId::fromHex(u"00000000000000000000000000000f01");
    IngestItem conversation;
    conversation.payload.signal = RawPayload::Signal::Logs;
    for (int i = 0; i < 8; ++i) {
        LogRecord r = make(sameTime, SpanId(), 7000, QStringLiteral("message %1").arg(i), resource(QStringLiteral("agent")), nullptr);
        r.observedTimeUnixNano = 7000;
        conversation.batch.logs.push_back(r);
    }
    w = store.write({ conversation });
    QVERIFY2(w.ok, qPrintable(w.error));
    stored = store.traceLogs(sameTime);
    QCOMPARE(stored.size(), std::size_t(8));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(stored[std::size_t(i)].body.stringValue, QStringLiteral("message %1").arg(i));
}

} // namespace TestLogs
