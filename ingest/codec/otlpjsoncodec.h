#pragma once

#include "ingest/codec/decoderesult.h"

#include <QByteArray>
#include <QString>

#include <vector>

struct LogRecord;
struct Span;

/**
 * OTLP/JSON (OTLP spec, "JSON Protobuf Encoding") to and from Spanscope's normalized spans; see
 * docs/otlp-json.md for exactly what is accepted. Stateless; every function is thread-safe.
 */
class OtlpJsonCodec {
public:
    /**
     * Decodes an ExportTraceServiceRequest (or TracesData) in OTLP/JSON or in protobuf's generic JSON mapping
     * (base64 ids, enum names). Spans of one ResourceSpans share one Resource, spans of one ScopeSpans one
     * InstrumentationScope. Spans with invalid ids are rejected one by one (see SpanBatch); malformed JSON or
     * a value of the wrong type fails the whole body with an error naming its path.
     * 64-bit integers sent as JSON numbers are exact up to 2^63-1; uint64 times above that only as strings.
     */
    static DecodeResult decodeRequest(const QByteArray& body);

    /**
     * Encodes spans as one OTLP/JSON ExportTraceServiceRequest, grouped into resourceSpans/scopeSpans by
     * resource and scope content: lowerCamelCase keys, lowercase hex ids, integer enums, 64-bit integers as
     * strings, bytes as base64, default values left out. `pretty` indents with 2 spaces, else compact.
     */
    static QByteArray encodeRequest(const std::vector<Span>& spans, bool pretty);

    /// `{}` or `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"..."}}`.
    static QByteArray encodeResponse(qint64 rejectedSpans, const QString& errorMessage);

    /**
     * Decodes an ExportLogsServiceRequest (or LogsData) in OTLP/JSON or protobuf's generic JSON mapping into
     * result.batch.logs: resourceLogs/scopeLogs/logRecords with timeUnixNano, observedTimeUnixNano, severityNumber
     * (number or name such as "SEVERITY_NUMBER_INFO"), severityText, body, attributes, droppedAttributesCount, flags,
     * traceId, spanId (hex, or base64 of the right length), eventName. Id rules and rejections as
     * OtlpProtobufCodec::decodeLogsRequest; structural errors as decodeRequest.
     */
    static DecodeResult decodeLogsRequest(const QByteArray& body);

    /// Encodes log records as one OTLP/JSON ExportLogsServiceRequest, in the same conventions as encodeRequest;
    /// records without trace context carry no traceId/spanId.
    static QByteArray encodeLogsRequest(const std::vector<LogRecord>& logs, bool pretty);

    /// `{}` or `{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"..."}}`.
    static QByteArray encodeLogsResponse(qint64 rejectedLogRecords, const QString& errorMessage);

    /**
     * Re-indents JSON text (2 spaces) keeping key order, numbers and string escapes exactly as they were.
     * Input that is not valid JSON is returned unchanged.
     */
    static QByteArray prettyPrint(const QByteArray& json);
};
