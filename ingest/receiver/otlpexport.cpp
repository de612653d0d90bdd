#include "ingest/receiver/otlpexport.h"

#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpmetrics.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/ingestlogging.h"
#include "ingest/receiver/ingestpipeline.h"

#include <QDateTime>

namespace OtlpExport {

QByteArray contentTypeOf(Encoding encoding)
{
    return encoding == Encoding::Json ? QByteArrayLiteral("application/json")
                                      : QByteArrayLiteral("application/x-protobuf");
}

QString metricsNotStoredMessage(qint64 dataPoints)
{
    return QStringLiteral("Spanscope does not store metrics: %1 data points dropped (it stores traces and logs)")
        .arg(dataPoints);
}

namespace {

QString formatName(Encoding encoding)
{
    return encoding == Encoding::Json ? QStringLiteral("OTLP/JSON") : QStringLiteral("OTLP protobuf");
}

Decision answerMetrics(const Request& request, const QByteArray& body)
{
    Decision d;
    const OtlpMetrics::Count count = request.encoding == Encoding::Json ? OtlpMetrics::countJson(body)
                                                                        : OtlpMetrics::countProtobuf(body);
    if (!count.ok) {
        d.outcome = Outcome::BadRequest;
        d.message = QStringLiteral("malformed %1 ExportMetricsServiceRequest: %2")
                        .arg(formatName(request.encoding), count.error);
        return d;
    }
    const QString message = metricsNotStoredMessage(count.dataPoints);
    d.okBody = request.encoding == Encoding::Json ? OtlpMetrics::encodeJsonResponse(count.dataPoints, message)
                                                  : OtlpMetrics::encodeProtobufResponse(count.dataPoints, message);
    return d;
}

} // namespace

Decision decodeAndSubmit(IngestPipeline* pipeline, const Request& request, qint64 maxBodyBytes)
{
    Decision d;
    QByteArray body;
    if (request.contentEncoding == "gzip") {
        QString error;
        switch (Gzip::inflate(request.wire, maxBodyBytes, &body, &error)) {
        case Gzip::Status::Ok:
            break;
        case Gzip::Status::TooLarge:
            d.outcome = Outcome::TooLarge;
            d.message = QStringLiteral("inflated request body exceeds the limit of %1 bytes").arg(maxBodyBytes);
            return d;
        case Gzip::Status::Corrupt:
            d.outcome = Outcome::BadRequest;
            d.message = QStringLiteral("Content-Encoding is gzip but the body is not valid gzip: ") + error;
            return d;
        }
    } else {
        body = request.wire;
    }

    if (request.signal == Signal::Metrics)
        return answerMetrics(request, body);

    const Encoding enc = request.encoding;
    const bool logs = request.signal == Signal::Logs;
    DecodeResult decoded = logs
        ? (enc == Encoding::Json ? OtlpJsonCodec::decodeLogsRequest(body) : OtlpProtobufCodec::decodeLogsRequest(body))
        : (enc == Encoding::Json ? OtlpJsonCodec::decodeRequest(body) : OtlpProtobufCodec::decodeRequest(body));
    if (!decoded.ok) {
        d.outcome = Outcome::BadRequest;
        d.message = QStringLiteral("malformed %1 %2: %3")
                        .arg(formatName(enc),
                             logs ? QStringLiteral("ExportLogsServiceRequest") : QStringLiteral("ExportTraceServiceRequest"),
                             decoded.error);
        return d;
    }
    const qint64 rejected = logs ? decoded.batch.rejectedLogRecords : decoded.batch.rejectedSpans;
    const QString rejectionMessage = decoded.batch.rejectionMessage;
    if (rejected > 0)
        qCWarning(lcIngest).noquote() << "rejected" << rejected << (logs ? "log records" : "spans") << "from"
                                      << request.peer << rejectionMessage;
    if (logs)
        d.okBody = enc == Encoding::Json ? OtlpJsonCodec::encodeLogsResponse(rejected, rejectionMessage)
                                         : OtlpProtobufCodec::encodeLogsResponse(rejected, rejectionMessage);
    else
        d.okBody = enc == Encoding::Json ? OtlpJsonCodec::encodeResponse(rejected, rejectionMessage)
                                         : OtlpProtobufCodec::encodeResponse(rejected, rejectionMessage);
    if (decoded.batch.spans.empty() && decoded.batch.logs.empty())
        return d; // nothing is owed to the store

    IngestItem item;
    item.payload.body = body;
    item.payload.signal = logs ? RawPayload::Signal::Logs : RawPayload::Signal::Traces;
    item.payload.contentType = QString::fromLatin1(contentTypeOf(enc));
    item.payload.contentEncoding
        = QString::fromLatin1(request.contentEncoding == "identity" ? QByteArray() : request.contentEncoding);
    item.payload.wireSize = request.wire.size();
    item.payload.receivedAtUnixNano = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000000ULL;
    item.payload.peer = request.peer;
    item.payload.spanCount = static_cast<qint64>(decoded.batch.spans.size());
    item.payload.logRecordCount = static_cast<qint64>(decoded.batch.logs.size());
    item.batch = std::move(decoded.batch);
    d.write = pipeline->submit(std::move(item), request.wire.size() + body.size());
    if (!d.write) {
        d.outcome = Outcome::Unavailable;
        d.message = QStringLiteral("ingest queue is full or shutting down; retry later");
    }
    return d;
}

} // namespace OtlpExport
