#include "span.h"
#include "logrecord.h"

QString spanKindName(SpanKind kind)
{
    switch (kind) {
    case SpanKind::Unspecified:
        return QStringLiteral("unspecified");
    case SpanKind::Internal:
        return QStringLiteral("internal");
    case SpanKind::Server:
        return QStringLiteral("server");
    case SpanKind::Client:
        return QStringLiteral("client");
    case SpanKind::Producer:
        return QStringLiteral("producer");
    case SpanKind::Consumer:
        return QStringLiteral("consumer");
    }
    return QStringLiteral("unspecified");
}

QString statusCodeName(StatusCode code)
{
    switch (code) {
    case StatusCode::Unset:
        return QStringLiteral("unset");
    case StatusCode::Ok:
        return QStringLiteral("ok");
    case StatusCode::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("unset");
}

QString Resource::serviceName() const
{
    const AnyValue* v = findAttribute(attributes, u"service.name");
    return v && v->type == AnyValue::Type::String ? v->stringValue : QString();
}

template <typename T>
static bool sharedEqual(const std::shared_ptr<const T>& a, const std::shared_ptr<const T>& b)
{
    if (a == b)
        return true;
    const T empty;
    return (a ? *a : empty) == (b ? *b : empty);
}

bool spansEqual(const Span& a, const Span& b)
{
    return a.traceId == b.traceId && a.spanId == b.spanId && a.parentSpanId == b.parentSpanId
        && a.traceState == b.traceState && a.flags == b.flags && a.name == b.name && a.kind == b.kind
        && a.startTimeUnixNano == b.startTimeUnixNano && a.endTimeUnixNano == b.endTimeUnixNano
        && a.attributes == b.attributes && a.droppedAttributesCount == b.droppedAttributesCount
        && a.events == b.events && a.droppedEventsCount == b.droppedEventsCount && a.links == b.links
        && a.droppedLinksCount == b.droppedLinksCount && a.statusCode == b.statusCode
        && a.statusMessage == b.statusMessage && sharedEqual(a.resource, b.resource) && sharedEqual(a.scope, b.scope);
}

bool logRecordsEqual(const LogRecord& a, const LogRecord& b)
{
    return a.traceId == b.traceId && a.spanId == b.spanId && a.flags == b.flags && a.timeUnixNano == b.timeUnixNano
        && a.observedTimeUnixNano == b.observedTimeUnixNano && a.severityNumber == b.severityNumber
        && a.severityText == b.severityText && a.body == b.body && a.attributes == b.attributes
        && a.droppedAttributesCount == b.droppedAttributesCount && a.eventName == b.eventName
        && sharedEqual(a.resource, b.resource) && sharedEqual(a.scope, b.scope);
}
