#include "ingest/codec/otlpmetrics.h"

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <google/protobuf/arena.h>

namespace pbcollector = opentelemetry::proto::collector::metrics::v1;
namespace pbmetrics = opentelemetry::proto::metrics::v1;

namespace OtlpMetrics {

Count countProtobuf(const QByteArray& body)
{
    Count count;
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<pbcollector::ExportMetricsServiceRequest>(&arena);
    if (!request->ParseFromArray(body.constData(), static_cast<int>(body.size()))) {
        count.error = QStringLiteral("not a valid ExportMetricsServiceRequest message");
        return count;
    }
    for (const pbmetrics::ResourceMetrics& rm : request->resource_metrics())
        for (const pbmetrics::ScopeMetrics& sm : rm.scope_metrics())
            for (const pbmetrics::Metric& m : sm.metrics()) {
                switch (m.data_case()) {
                case pbmetrics::Metric::kGauge: count.dataPoints += m.gauge().data_points_size(); break;
                case pbmetrics::Metric::kSum: count.dataPoints += m.sum().data_points_size(); break;
                case pbmetrics::Metric::kHistogram: count.dataPoints += m.histogram().data_points_size(); break;
                case pbmetrics::Metric::kExponentialHistogram:
                    count.dataPoints += m.exponential_histogram().data_points_size();
                    break;
                case pbmetrics::Metric::kSummary: count.dataPoints += m.summary().data_points_size(); break;
                case pbmetrics::Metric::DATA_NOT_SET: break;
                }
            }
    count.ok = true;
    return count;
}

namespace {

/// The array at `object[key]` (absent or null: empty), or false with *error naming `path.key`.
bool arrayMember(const QJsonObject& object, const char* key, const QString& path, QJsonArray* out, QString* error)
{
    const QJsonValue value = object.value(QLatin1String(key));
    const QString here = path.isEmpty() ? QString::fromLatin1(key) : QString(path + QLatin1Char('.') + QLatin1String(key));
    if (value.isUndefined() || value.isNull()) {
        *out = {};
        return true;
    }
    if (!value.isArray()) {
        *error = here + QStringLiteral(": expected an array");
        return false;
    }
    *out = value.toArray();
    return true;
}

} // namespace

Count countJson(const QByteArray& body)
{
    Count count;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        count.error = QStringLiteral("invalid JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString());
        return count;
    }
    if (!doc.isObject()) {
        count.error = QStringLiteral("expected a JSON object (ExportMetricsServiceRequest)");
        return count;
    }
    static const char* const kinds[] = { "gauge", "sum", "histogram", "exponentialHistogram", "summary" };
    QJsonArray resources;
    if (!arrayMember(doc.object(), "resourceMetrics", QString(), &resources, &count.error))
        return count;
    for (int r = 0; r < resources.size(); ++r) {
        const QString rPath = QStringLiteral("resourceMetrics[%1]").arg(r);
        if (!resources.at(r).isObject()) {
            count.error = rPath + QStringLiteral(": expected an object");
            return count;
        }
        QJsonArray scopes;
        if (!arrayMember(resources.at(r).toObject(), "scopeMetrics", rPath, &scopes, &count.error))
            return count;
        for (int s = 0; s < scopes.size(); ++s) {
            const QString sPath = rPath + QStringLiteral(".scopeMetrics[%1]").arg(s);
            if (!scopes.at(s).isObject()) {
                count.error = sPath + QStringLiteral(": expected an object");
                return count;
            }
            QJsonArray metrics;
            if (!arrayMember(scopes.at(s).toObject(), "metrics", sPath, &metrics, &count.error))
                return count;
            for (int m = 0; m < metrics.size(); ++m) {
                const QString mPath = sPath + QStringLiteral(".metrics[%1]").arg(m);
                if (!metrics.at(m).isObject()) {
                    count.error = mPath + QStringLiteral(": expected an object");
                    return count;
                }
                const QJsonObject metric = metrics.at(m).toObject();
                for (const char* kind : kinds) {
                    const QJsonValue data = metric.value(QLatin1String(kind));
                    if (data.isUndefined() || data.isNull())
                        continue;
                    const QString kPath = mPath + QLatin1Char('.') + QLatin1String(kind);
                    if (!data.isObject()) {
                        count.error = kPath + QStringLiteral(": expected an object");
                        return count;
                    }
                    QJsonArray points;
                    if (!arrayMember(data.toObject(), "dataPoints", kPath, &points, &count.error))
                        return count;
                    count.dataPoints += points.size();
                }
            }
        }
    }
    count.ok = true;
    return count;
}

QByteArray encodeProtobufResponse(qint64 rejectedDataPoints, const QString& errorMessage)
{
    pbcollector::ExportMetricsServiceResponse response;
    if (rejectedDataPoints > 0 || !errorMessage.isEmpty()) {
        response.mutable_partial_success()->set_rejected_data_points(rejectedDataPoints);
        response.mutable_partial_success()->set_error_message(errorMessage.toStdString());
    }
    const std::string out = response.SerializeAsString();
    return QByteArray(out.data(), static_cast<qsizetype>(out.size()));
}

QByteArray encodeJsonResponse(qint64 rejectedDataPoints, const QString& errorMessage)
{
    QJsonObject o;
    if (rejectedDataPoints > 0 || !errorMessage.isEmpty()) {
        QJsonObject partial;
        if (rejectedDataPoints > 0)
            partial.insert(QStringLiteral("rejectedDataPoints"), QString::number(rejectedDataPoints));
        if (!errorMessage.isEmpty())
            partial.insert(QStringLiteral("errorMessage"), errorMessage);
        o.insert(QStringLiteral("partialSuccess"), partial);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace OtlpMetrics
