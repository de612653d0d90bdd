#include "ingest/codec/payloadformatter.h"

#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"

QString formatPayloadAsOtlpJson(const RawPayload& payload)
{
    if (payload.contentType.contains(QLatin1String("json"))) {
        const QByteArray pretty = OtlpJsonCodec::prettyPrint(payload.body);
        return QString::fromUtf8(pretty.isEmpty() ? payload.body : pretty);
    }
    const DecodeResult decoded = OtlpProtobufCodec::decodeRequest(payload.body);
    if (!decoded.ok)
        return QStringLiteral("// cannot decode this protobuf payload: ") + decoded.error;
    return QString::fromUtf8(OtlpJsonCodec::encodeRequest(decoded.batch.spans, true));
}
