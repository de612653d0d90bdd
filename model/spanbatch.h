#pragma once

#include "logrecord.h"
#include "span.h"

#include <QString>

#include <vector>

/**
 * The normalized content of one OTLP ExportTraceServiceRequest or ExportLogsServiceRequest (or one imported file
 * chunk): the accepted spans and log records plus how many were rejected and why (reported to the client as
 * ExportTracePartialSuccess / ExportLogsPartialSuccess, OTLP spec "Partial Success"). A traces request fills only
 * the span members, a logs request only the log members.
 */
struct SpanBatch {
    std::vector<Span> spans;
    std::vector<LogRecord> logs;
    qint64 rejectedSpans = 0;
    qint64 rejectedLogRecords = 0;
    QString rejectionMessage; ///< empty when nothing was rejected; describes the rejected spans or log records
};
