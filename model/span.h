#pragma once

#include "anyvalue.h"
#include "ids.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

/// OTLP Span.SpanKind numbers (trace.proto); 0 means unspecified.
enum class SpanKind : std::uint8_t { Unspecified = 0, Internal = 1, Server = 2, Client = 3, Producer = 4, Consumer = 5 };
/// OTLP Status.StatusCode numbers (trace.proto).
enum class StatusCode : std::uint8_t { Unset = 0, Ok = 1, Error = 2 };

QString spanKindName(SpanKind kind); ///< "internal", "server", ... ("unspecified" for 0)
QString statusCodeName(StatusCode code); ///< "unset", "ok", "error"

/// OTLP Resource plus the schema_url of its ResourceSpans. Shared, immutable once decoded.
struct Resource {
    Attributes attributes;
    std::uint32_t droppedAttributesCount = 0;
    QString schemaUrl;

    /// The `service.name` attribute (semantic conventions, resource), or an empty string.
    QString serviceName() const;
    friend bool operator==(const Resource& a, const Resource& b)
    {
        return a.attributes == b.attributes && a.droppedAttributesCount == b.droppedAttributesCount
            && a.schemaUrl == b.schemaUrl;
    }
};

/// OTLP InstrumentationScope plus the schema_url of its ScopeSpans. Shared, immutable once decoded.
struct InstrumentationScope {
    QString name;
    QString version;
    Attributes attributes;
    std::uint32_t droppedAttributesCount = 0;
    QString schemaUrl;

    friend bool operator==(const InstrumentationScope& a, const InstrumentationScope& b)
    {
        return a.name == b.name && a.version == b.version && a.attributes == b.attributes
            && a.droppedAttributesCount == b.droppedAttributesCount && a.schemaUrl == b.schemaUrl;
    }
};

/// OTLP Span.Event; time in Unix nanoseconds.
struct SpanEvent {
    std::uint64_t timeUnixNano = 0;
    QString name;
    Attributes attributes;
    std::uint32_t droppedAttributesCount = 0;

    friend bool operator==(const SpanEvent& a, const SpanEvent& b)
    {
        return a.timeUnixNano == b.timeUnixNano && a.name == b.name && a.attributes == b.attributes
            && a.droppedAttributesCount == b.droppedAttributesCount;
    }
};

/// OTLP Span.Link to another span, possibly in another trace.
struct SpanLink {
    TraceId traceId;
    SpanId spanId;
    QString traceState;
    Attributes attributes;
    std::uint32_t droppedAttributesCount = 0;
    std::uint32_t flags = 0;

    friend bool operator==(const SpanLink& a, const SpanLink& b)
    {
        return a.traceId == b.traceId && a.spanId == b.spanId && a.traceState == b.traceState
            && a.attributes == b.attributes && a.droppedAttributesCount == b.droppedAttributesCount
            && a.flags == b.flags;
    }
};

/**
 * One normalized span (OTLP trace.proto `Span` with its resource and scope attached).
 * Times are Unix epoch nanoseconds. An invalid (all-zero) parentSpanId means "no parent" (a root span).
 * Plain value type, any thread; resource and scope are shared between the spans of one request.
 */
struct Span {
    // The 4-byte fields sit together: a million open spans then hold no padding (248 bytes a Span, was 264).
    TraceId traceId;
    SpanId spanId;
    SpanId parentSpanId;
    QString traceState;
    QString name;
    std::uint64_t startTimeUnixNano = 0;
    std::uint64_t endTimeUnixNano = 0;
    Attributes attributes;
    std::vector<SpanEvent> events;
    std::vector<SpanLink> links;
    QString statusMessage;
    std::shared_ptr<const Resource> resource;
    std::shared_ptr<const InstrumentationScope> scope;
    std::uint32_t flags = 0;
    SpanKind kind = SpanKind::Unspecified;
    StatusCode statusCode = StatusCode::Unset;
    std::uint32_t droppedAttributesCount = 0;
    std::uint32_t droppedEventsCount = 0;
    std::uint32_t droppedLinksCount = 0;

    /// endTimeUnixNano - startTimeUnixNano, or 0 when the end lies before the start.
    std::uint64_t durationNanos() const
    {
        return endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0;
    }
    bool isRoot() const { return !parentSpanId.isValid(); }
    /// The resource's service.name, or an empty string.
    QString serviceName() const { return resource ? resource->serviceName() : QString(); }
};

/// Field-by-field equality including resource and scope contents (not pointer identity).
bool spansEqual(const Span& a, const Span& b);
