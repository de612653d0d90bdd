// libFuzzer harness: OtlpJsonCodec::decodeRequest on arbitrary bytes. A body that decodes must re-encode (in both
// OTLP encodings) to the same spans; pretty-printing a body must not change what it decodes to.

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
    const DecodeResult result = OtlpJsonCodec::decodeRequest(body);

    const QByteArray pretty = OtlpJsonCodec::prettyPrint(body);
    if (pretty != body) {
        const DecodeResult again = OtlpJsonCodec::decodeRequest(pretty);
        if (again.ok != result.ok || again.batch.spans.size() != result.batch.spans.size()
            || again.batch.rejectedSpans != result.batch.rejectedSpans)
            FuzzCommon::fail("json", QStringLiteral("pretty-printed body decodes differently: ") + again.error);
        for (std::size_t i = 0; i < result.batch.spans.size(); ++i)
            if (!FuzzCommon::sameSpan(result.batch.spans[i], again.batch.spans[i]))
                FuzzCommon::fail("json", QStringLiteral("pretty-printing changed span %1").arg(i));
    }

    if (!result.ok) {
        if (result.error.isEmpty())
            FuzzCommon::fail("json", QStringLiteral("refused without an error message"));
        if (!result.batch.spans.empty())
            FuzzCommon::fail("json", QStringLiteral("refused body kept spans"));
        return 0;
    }
    if ((result.batch.rejectedSpans > 0) == result.batch.rejectionMessage.isEmpty())
        FuzzCommon::fail("json", QStringLiteral("rejected span count and message disagree"));
    const auto& spans = result.batch.spans;
    FuzzCommon::checkRoundTrip(
        "json", spans, [](const std::vector<Span>& s) { return OtlpJsonCodec::encodeRequest(s, false); },
        OtlpJsonCodec::decodeRequest);
    FuzzCommon::checkRoundTrip(
        "json->protobuf", spans, OtlpProtobufCodec::encodeRequest, OtlpProtobufCodec::decodeRequest);
    OtlpJsonCodec::encodeResponse(result.batch.rejectedSpans, result.batch.rejectionMessage);
    return 0;
}
