#pragma once

#include "storage/tracestore.h"

#include <QByteArray>
#include <QFuture>
#include <QString>

#include <optional>

class IngestPipeline;

/**
 * The part of an OTLP export that does not depend on the transport: undo gzip, decode the request, answer
 * partial success for what was rejected, and hand the rest to the IngestPipeline. OtlpHttpReceiver (`POST
 * /v1/traces`, ...) and OtlpGrpcReceiver (`TraceService/Export`, ...) both call it and turn the Decision into an
 * HTTP status or a gRPC status (OTLP spec, "OTLP/HTTP Response" and "OTLP/gRPC Response").
 *
 * Thread safety: decodeAndSubmit() is stateless and may run on any thread (the receivers run it on a worker pool).
 */
namespace OtlpExport {

/// Which OTLP export service a request is for.
enum class Signal { Traces, Logs, Metrics };
/// The request's wire format: binary protobuf (OTLP/gRPC, `application/x-protobuf`) or OTLP/JSON.
enum class Encoding { Protobuf, Json };

/// How a request ends when it is not simply queued.
enum class Outcome {
    Ok, ///< decoded; `write` is the commit to wait for, or empty when nothing needs storing
    BadRequest, ///< undecodable (HTTP 400, gRPC INVALID_ARGUMENT); `message` says why
    TooLarge, ///< the inflated body is over the limit (HTTP 413, gRPC RESOURCE_EXHAUSTED)
    Unavailable, ///< the ingest queue is full or shutting down (HTTP 503, gRPC UNAVAILABLE + RetryInfo)
};

/// What decodeAndSubmit decided about one request.
struct Decision {
    Outcome outcome = Outcome::Ok;
    QString message; ///< why, for every outcome but Ok
    /// The export response to send once `write` succeeds (or at once without `write`), in the request's encoding:
    /// Export*ServiceResponse, with partial_success when spans, log records (or data points) were rejected.
    QByteArray okBody;
    std::optional<QFuture<WriteResult>> write; ///< the pipeline's commit of the accepted part
};

/// What arrived: the body as received, and how.
struct Request {
    Signal signal = Signal::Traces;
    Encoding encoding = Encoding::Protobuf;
    QByteArray wire; ///< the body as received (gRPC: the message after gRPC undid its own compression)
    QByteArray contentEncoding; ///< "gzip" (inflated here, at most maxBodyBytes), "identity" or empty
    QString peer; ///< "host:port" of the client, kept with the raw payload
};

/**
 * Inflates, decodes and submits one export request (ExportTraceServiceRequest or ExportLogsServiceRequest: its spans
 * or log records, with the raw body, as one IngestItem). `maxBodyBytes` bounds the inflated body, bytes. Metrics are
 * decoded only to count their data points: they are not stored, and the answer rejects every data point with a
 * message saying so (an SDK that exports metrics by default then stops logging failures).
 */
Decision decodeAndSubmit(IngestPipeline* pipeline, const Request& request, qint64 maxBodyBytes);

/// "application/x-protobuf" or "application/json".
QByteArray contentTypeOf(Encoding encoding);

/// The message answered for metrics: they are accepted on the wire and dropped.
QString metricsNotStoredMessage(qint64 dataPoints);

} // namespace OtlpExport
