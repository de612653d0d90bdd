#pragma once

#include <QByteArray>
#include <QString>

/**
 * OTLP metrics, read only far enough to answer them: Spanscope stores traces and logs, not metrics. An SDK that
 * exports metrics by default (most do) gets an OK answer whose partial_success rejects every data point with a
 * message saying so (OTLP spec, "Partial Success"), instead of an error it would log and retry forever.
 * Stateless; every function is thread-safe.
 */
namespace OtlpMetrics {

/// The number of data points in a request, or why it is not a request.
struct Count {
    bool ok = false;
    QString error; ///< what is malformed, when !ok
    qint64 dataPoints = 0; ///< over every gauge, sum, histogram, exponential histogram and summary
};

/// Counts the data points of an ExportMetricsServiceRequest (or MetricsData) in protobuf.
Count countProtobuf(const QByteArray& body);
/// Counts the data points of an ExportMetricsServiceRequest in OTLP/JSON (`resourceMetrics[].scopeMetrics[]
/// .metrics[].{gauge,sum,histogram,exponentialHistogram,summary}.dataPoints[]`).
Count countJson(const QByteArray& body);

/// ExportMetricsServiceResponse with partial_success {rejected_data_points, error_message} (none when 0 and empty).
QByteArray encodeProtobufResponse(qint64 rejectedDataPoints, const QString& errorMessage);
/// `{}` or `{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"..."}}`.
QByteArray encodeJsonResponse(qint64 rejectedDataPoints, const QString& errorMessage);

} // namespace OtlpMetrics
