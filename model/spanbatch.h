#pragma once

#include "span.h"

#include <QString>

#include <vector>

/**
 * The normalized content of one OTLP ExportTraceServiceRequest (or one imported file chunk):
 * the accepted spans plus how many were rejected and why (reported to the client as
 * ExportTracePartialSuccess, OTLP spec "Partial Success").
 */
struct SpanBatch {
    std::vector<Span> spans;
    qint64 rejectedSpans = 0;
    QString rejectionMessage; ///< empty when nothing was rejected
};
