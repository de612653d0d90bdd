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
