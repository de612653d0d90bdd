#pragma once

#include "span.h"

#include <QString>

#include <cstdint>
#include <memory>

/**
 * One normalized OTLP log record (opentelemetry/proto/logs/v1/logs.proto `LogRecord`, OTLP 1.x) with its resource
 * and scope attached, as sent to `POST /v1/logs` or the gRPC LogsService.
 *
 * Times are Unix epoch nanoseconds; 0 means unknown (the spec allows either time to be unset). traceId and spanId
 * are all-zero when the record carries no trace context (such records are stored too). severityNumber is the
 * OTLP SeverityNumber (0 unspecified, 1-4 TRACE .. 21-24 FATAL). Plain value type, any thread; resource and scope
 * are shared between the records of one request.
 */
struct LogRecord {
    TraceId traceId;
    SpanId spanId;
    std::uint32_t flags = 0; ///< W3C trace flags (LogRecordFlags)
    std::uint64_t timeUnixNano = 0; ///< when the event happened, ns; 0 = unknown
    std::uint64_t observedTimeUnixNano = 0; ///< when the collection system saw it, ns; 0 = unknown
    int severityNumber = 0;
    QString severityText;
    AnyValue body; ///< empty (AnyValue::Type::Empty) when the record has none
    Attributes attributes;
    std::uint32_t droppedAttributesCount = 0;
    QString eventName; ///< LogRecord.event_name (field 12), e.g. `gen_ai.user.message`; empty when unset
    std::shared_ptr<const Resource> resource;
    std::shared_ptr<const InstrumentationScope> scope;

    /// timeUnixNano, else observedTimeUnixNano (the spec's rule for ordering records without a time).
    std::uint64_t effectiveTimeUnixNano() const { return timeUnixNano ? timeUnixNano : observedTimeUnixNano; }
    /// The resource's service.name, or an empty string.
    QString serviceName() const { return resource ? resource->serviceName() : QString(); }
};

/// Field-by-field equality including resource and scope contents (not pointer identity).
bool logRecordsEqual(const LogRecord& a, const LogRecord& b);
