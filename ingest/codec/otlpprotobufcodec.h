#pragma once

#include "ingest/codec/decoderesult.h"

#include <QByteArray>
#include <QString>

#include <vector>

struct Span;

/**
 * OTLP protobuf encoding (opentelemetry/proto/collector/trace/v1/trace_service.proto) to and from Spanscope's
 * normalized spans. Stateless; every function is thread-safe.
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
};
