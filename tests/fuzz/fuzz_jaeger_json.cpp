// libFuzzer harness: JaegerJsonReader on whatever JSON the bytes parse to (recognized as Jaeger or not). Spans it
// accepts must survive an OTLP protobuf round trip unchanged.

#include "fuzzcommon.h"
#include "ingest/jaegerjsonreader.h"
#include "ingest/otlpprotobufcodec.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    FuzzCommon::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (doc.isNull())
        return 0;
    JaegerJsonReader::recognizes(doc);
    // Decoding a document of another shape must fail cleanly, so every document is decoded.
    const DecodeResult result = JaegerJsonReader::decode(doc);
    if (!result.ok) {
        if (result.error.isEmpty())
            FuzzCommon::fail("jaeger", QStringLiteral("refused without an error message"));
        if (!result.batch.spans.empty())
            FuzzCommon::fail("jaeger", QStringLiteral("refused document kept spans"));
        return 0;
    }
    FuzzCommon::checkRoundTrip(
        "jaeger->protobuf", result.batch.spans, OtlpProtobufCodec::encodeRequest, OtlpProtobufCodec::decodeRequest);
    return 0;
}
