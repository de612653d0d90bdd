#pragma once

#include "ingest/codec/decoderesult.h"

#include <QByteArray>
#include <QString>

#include <vector>

struct LogRecord;
struct Span;

/**
 * OTLP protobuf encoding (opentelemetry/proto/collector/trace/v1/trace_service.proto and
 * collector/logs/v1/logs_service.proto) to and from Spanscope's normalized spans and log records. Stateless; every
 * function is thread-safe.
 */
class OtlpProtobufCodec {
public:
    /**
     * Decodes an ExportTraceServiceRequest (or a TracesData file: same wire format). Spans of one ResourceSpans
     * share one Resource and spans of one ScopeSpans one InstrumentationScope. Spans with invalid ids are
     * rejected one by one (see SpanBatch); a body that is not a valid message fails as a whole.
     */
    static DecodeResult decodeRequest(const QByteArray& body);

    /// Encodes spans as one ExportTraceServiceRequest, grouped into ResourceSpans/ScopeSpans by resource and
    /// scope content (in order of first appearance).
    static QByteArray encodeRequest(const std::vector<Span>& spans);

    /// ExportTraceServiceResponse; partial_success is set only when rejectedSpans > 0 or errorMessage is not empty.
    static QByteArray encodeResponse(qint64 rejectedSpans, const QString& errorMessage);

    /**
     * Decodes an ExportLogsServiceRequest (or a LogsData file: same wire format) into result.batch.logs. Records of
     * one ResourceLogs share one Resource, records of one ScopeLogs one InstrumentationScope. A record whose
     * trace_id is neither empty nor 16 bytes, whose span_id is neither empty nor 8 bytes, or that has a span id but
     * no trace id, is rejected alone (batch.rejectedLogRecords, reasons naming
     * `resourceLogs[i].scopeLogs[j].logRecords[k]`); so is one past the time or nesting limits of spans. Empty or
     * all-zero ids mean "no trace context" and are kept (as all-zero ids). A body that is not a valid message fails
     * as a whole.
     */
    static DecodeResult decodeLogsRequest(const QByteArray& body);

    /// Encodes log records as one ExportLogsServiceRequest, grouped into ResourceLogs/ScopeLogs by resource and scope
    /// content (in order of first appearance); records without trace context carry no ids.
    static QByteArray encodeLogsRequest(const std::vector<LogRecord>& logs);

    /// ExportLogsServiceResponse; partial_success is set only when rejectedLogRecords > 0 or errorMessage is not
    /// empty.
    static QByteArray encodeLogsResponse(qint64 rejectedLogRecords, const QString& errorMessage);
};
