// libFuzzer harness: ZipkinJsonReader on whatever JSON the bytes parse to (recognized as Zipkin or not). Spans it
// accepts must survive an OTLP protobuf round trip unchanged.

#include "fuzzcommon.h"
#include "ingest/zipkinjsonreader.h"
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
    ZipkinJsonReader::recognizes(doc);
    // Decoding a document of another shape must fail cleanly, so every document is decoded.
    const DecodeResult result = ZipkinJsonReader::decode(doc);
    if (!result.ok) {
        if (result.error.isEmpty())
            FuzzCommon::fail("zipkin", QStringLiteral("refused without an error message"));
        if (!result.batch.spans.empty())
            FuzzCommon::fail("zipkin", QStringLiteral("refused document kept spans"));
        return 0;
    }
    FuzzCommon::checkRoundTrip(
        "zipkin->protobuf", result.batch.spans, OtlpProtobufCodec::encodeRequest, OtlpProtobufCodec::decodeRequest);
    return 0;
}
