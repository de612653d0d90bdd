// libFuzzer harness: OTLP logs requests (issue 9 §3), the same bytes decoded as protobuf and as OTLP/JSON
// (OtlpProtobufCodec::decodeLogsRequest, OtlpJsonCodec::decodeLogsRequest). A refusal must say why and keep no log
// record; rejections must be counted and explained; accepted records must survive a round trip through both
// encodings unchanged (compared as a multiset: the encoders group records by resource and scope).

#include "fuzzcommon.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "model/logrecord.h"

#include <cstddef>
#include <cstdint>

namespace {

bool sameRecord(const LogRecord& a, const LogRecord& b)
{
    static const Resource emptyResource;
    static const InstrumentationScope emptyScope;
    const Resource& ra = a.resource ? *a.resource : emptyResource;
    const Resource& rb = b.resource ? *b.resource : emptyResource;
    const InstrumentationScope& sa = a.scope ? *a.scope : emptyScope;
    const InstrumentationScope& sb = b.scope ? *b.scope : emptyScope;
    return a.traceId == b.traceId && a.spanId == b.spanId && a.flags == b.flags && a.timeUnixNano == b.timeUnixNano
        && a.observedTimeUnixNano == b.observedTimeUnixNano && a.severityNumber == b.severityNumber
        && a.severityText == b.severityText && FuzzCommon::sameValue(a.body, b.body)
        && FuzzCommon::sameAttributes(a.attributes, b.attributes) && a.droppedAttributesCount == b.droppedAttributesCount
        && a.eventName == b.eventName && FuzzCommon::sameAttributes(ra.attributes, rb.attributes)
        && ra.droppedAttributesCount == rb.droppedAttributesCount && ra.schemaUrl == rb.schemaUrl && sa.name == sb.name
        && sa.version == sb.version && FuzzCommon::sameAttributes(sa.attributes, sb.attributes)
        && sa.droppedAttributesCount == sb.droppedAttributesCount && sa.schemaUrl == sb.schemaUrl;
}

template <typename Encode, typename Decode>
void checkRoundTrip(const char* codec, const std::vector<LogRecord>& logs, Encode encode, Decode decode)
{
    const DecodeResult again = decode(encode(logs));
    if (!again.ok)
        FuzzCommon::fail(codec, QStringLiteral("re-encoded log records do not decode: ") + again.error);
    if (again.batch.rejectedLogRecords != 0)
        FuzzCommon::fail(codec, QStringLiteral("re-encoded log records rejected: ") + again.batch.rejectionMessage);
    if (again.batch.logs.size() != logs.size())
        FuzzCommon::fail(codec, QStringLiteral("log record count changed from %1 to %2")
                                    .arg(logs.size())
                                    .arg(again.batch.logs.size()));
    std::vector<bool> used(logs.size(), false);
    for (std::size_t i = 0; i < logs.size(); ++i) {
        bool found = false;
        for (std::size_t j = 0; j < again.batch.logs.size() && !found; ++j)
            if (!used[j] && sameRecord(logs[i], again.batch.logs[j]))
                used[j] = found = true;
        if (!found)
            FuzzCommon::fail(codec, QStringLiteral("log record %1 changed in the round trip").arg(i));
    }
}

void check(const char* codec, const DecodeResult& result)
{
    if (!result.ok) {
        if (result.error.isEmpty())
            FuzzCommon::fail(codec, QStringLiteral("refused without an error message"));
        if (!result.batch.logs.empty() || !result.batch.spans.empty())
            FuzzCommon::fail(codec, QStringLiteral("refused body kept log records"));
        return;
    }
    if (!result.batch.spans.empty())
        FuzzCommon::fail(codec, QStringLiteral("a logs request produced spans"));
    if ((result.batch.rejectedLogRecords > 0) == result.batch.rejectionMessage.isEmpty())
        FuzzCommon::fail(codec, QStringLiteral("rejected log record count and message disagree"));
    if (result.batch.logs.size() > 200)
        return; // the quadratic comparison would only slow the fuzzer down
    checkRoundTrip((std::string(codec) + "->protobuf").c_str(), result.batch.logs, OtlpProtobufCodec::encodeLogsRequest,
                   OtlpProtobufCodec::decodeLogsRequest);
    checkRoundTrip(
        (std::string(codec) + "->json").c_str(), result.batch.logs,
        [](const std::vector<LogRecord>& l) { return OtlpJsonCodec::encodeLogsRequest(l, false); },
        OtlpJsonCodec::decodeLogsRequest);
    OtlpProtobufCodec::encodeLogsResponse(result.batch.rejectedLogRecords, result.batch.rejectionMessage);
    OtlpJsonCodec::encodeLogsResponse(result.batch.rejectedLogRecords, result.batch.rejectionMessage);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    FuzzCommon::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    check("logs protobuf", OtlpProtobufCodec::decodeLogsRequest(body));
    check("logs json", OtlpJsonCodec::decodeLogsRequest(body));
    return 0;
}
