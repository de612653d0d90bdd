// libFuzzer harness: OtlpProtobufCodec::decodeRequest on arbitrary bytes. A body that decodes must re-encode (in
// both OTLP encodings) to the same spans.

#include "fuzzcommon.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    FuzzCommon::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const DecodeResult result = OtlpProtobufCodec::decodeRequest(body);
    if (!result.ok) {
        if (result.error.isEmpty())
            FuzzCommon::fail("protobuf", QStringLiteral("refused without an error message"));
        if (!result.batch.spans.empty())
            FuzzCommon::fail("protobuf", QStringLiteral("refused body kept spans"));
        return 0;
    }
    if ((result.batch.rejectedSpans > 0) == result.batch.rejectionMessage.isEmpty())
        FuzzCommon::fail("protobuf", QStringLiteral("rejected span count and message disagree"));
    const auto& spans = result.batch.spans;
    FuzzCommon::checkRoundTrip("protobuf", spans, OtlpProtobufCodec::encodeRequest, OtlpProtobufCodec::decodeRequest);
    FuzzCommon::checkRoundTrip(
        "protobuf->json", spans, [](const std::vector<Span>& s) { return OtlpJsonCodec::encodeRequest(s, false); },
        OtlpJsonCodec::decodeRequest);
    OtlpProtobufCodec::encodeResponse(result.batch.rejectedSpans, result.batch.rejectionMessage);
    return 0;
}
