#pragma once

// Shared by the libFuzzer harnesses: quiet logging, the round-trip invariant the OTLP codecs must keep, and the
// body of the JSON trace file reader harnesses.

#include "ingest/codec/decoderesult.h"
#include "ingest/codec/otlpcodec_p.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "model/span.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace FuzzCommon {

/// Bad input is logged as a warning by design; at thousands of inputs a second that only slows the fuzzer.
inline void quietLogging() { QLoggingCategory::setFilterRules(QStringLiteral("spanscope.*=false\nqt.*=false")); }

/// Stops the run with a message; libFuzzer saves the input that got here as a crash.
[[noreturn]] inline void fail(const char* what, const QString& detail = QString())
{
    std::fprintf(stderr, "fuzz invariant broken: %s %s\n", what, qPrintable(detail));
    std::abort();
}

// Equality as spansEqual(), except that NaN equals NaN: a NaN double attribute survives a round trip but never
// compares equal to itself.
inline bool sameValue(const AnyValue& a, const AnyValue& b);
inline bool sameAttributes(const Attributes& a, const Attributes& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].key != b[i].key || !sameValue(a[i].value, b[i].value))
            return false;
    return true;
}
inline bool sameValue(const AnyValue& a, const AnyValue& b)
{
    if (a.type != b.type)
        return false;
    switch (a.type) {
    case AnyValue::Type::Double:
        return a.doubleValue == b.doubleValue || (std::isnan(a.doubleValue) && std::isnan(b.doubleValue));
    case AnyValue::Type::Array:
        if (a.arrayValue.size() != b.arrayValue.size())
            return false;
        for (std::size_t i = 0; i < a.arrayValue.size(); ++i)
            if (!sameValue(a.arrayValue[i], b.arrayValue[i]))
                return false;
        return true;
    case AnyValue::Type::Map:
        return sameAttributes(a.mapValue, b.mapValue);
    default:
        return a == b;
    }
}

inline bool sameSpan(const Span& a, const Span& b)
{
    static const Resource emptyResource;
    static const InstrumentationScope emptyScope;
    const Resource& ra = a.resource ? *a.resource : emptyResource;
    const Resource& rb = b.resource ? *b.resource : emptyResource;
    const InstrumentationScope& sa = a.scope ? *a.scope : emptyScope;
    const InstrumentationScope& sb = b.scope ? *b.scope : emptyScope;
    if (!sameAttributes(ra.attributes, rb.attributes) || ra.droppedAttributesCount != rb.droppedAttributesCount
        || ra.schemaUrl != rb.schemaUrl)
        return false;
    if (sa.name != sb.name || sa.version != sb.version || !sameAttributes(sa.attributes, sb.attributes)
        || sa.droppedAttributesCount != sb.droppedAttributesCount || sa.schemaUrl != sb.schemaUrl)
        return false;
    if (a.events.size() != b.events.size() || a.links.size() != b.links.size())
        return false;
    for (std::size_t i = 0; i < a.events.size(); ++i) {
        const SpanEvent& x = a.events[i];
        const SpanEvent& y = b.events[i];
        if (x.timeUnixNano != y.timeUnixNano || x.name != y.name || !sameAttributes(x.attributes, y.attributes)
            || x.droppedAttributesCount != y.droppedAttributesCount)
            return false;
    }
    for (std::size_t i = 0; i < a.links.size(); ++i) {
        const SpanLink& x = a.links[i];
        const SpanLink& y = b.links[i];
        if (x.traceId != y.traceId || x.spanId != y.spanId || x.traceState != y.traceState
            || !sameAttributes(x.attributes, y.attributes) || x.droppedAttributesCount != y.droppedAttributesCount
            || x.flags != y.flags)
            return false;
    }
    return a.traceId == b.traceId && a.spanId == b.spanId && a.parentSpanId == b.parentSpanId
        && a.traceState == b.traceState && a.flags == b.flags && a.name == b.name && a.kind == b.kind
        && a.startTimeUnixNano == b.startTimeUnixNano && a.endTimeUnixNano == b.endTimeUnixNano
        && sameAttributes(a.attributes, b.attributes) && a.droppedAttributesCount == b.droppedAttributesCount
        && a.droppedEventsCount == b.droppedEventsCount && a.droppedLinksCount == b.droppedLinksCount
        && a.statusCode == b.statusCode && a.statusMessage == b.statusMessage;
}

/// `spans` in the order an encoder writes them: grouped by resource, then scope, in order of first appearance.
inline std::vector<const Span*> encodedOrder(const std::vector<Span>& spans)
{
    std::vector<const Span*> order;
    order.reserve(spans.size());
    for (const auto& r : OtlpCodecPrivate::groupByResourceAndScope(spans))
        for (const auto& s : r.scopes)
            order.insert(order.end(), s.items.begin(), s.items.end());
    return order;
}

/**
 * Checks that `decode(encode(spans))` gives back every span unchanged (in encoded order) and rejects none;
 * `codec` names the encoding in the failure message.
 */
template <typename Encode, typename Decode>
void checkRoundTrip(const char* codec, const std::vector<Span>& spans, Encode encode, Decode decode)
{
    const DecodeResult again = decode(encode(spans));
    if (!again.ok)
        fail(codec, QStringLiteral("re-encoded spans do not decode: ") + again.error);
    if (again.batch.rejectedSpans != 0)
        fail(codec, QStringLiteral("re-encoded spans rejected: ") + again.batch.rejectionMessage);
    const std::vector<const Span*> expected = encodedOrder(spans);
    if (again.batch.spans.size() != expected.size())
        fail(codec,
            QStringLiteral("span count changed from %1 to %2").arg(expected.size()).arg(again.batch.spans.size()));
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (!sameSpan(*expected[i], again.batch.spans[i]))
            fail(codec, QStringLiteral("span %1 changed in the round trip").arg(i));
}

/**
 * The whole input of a JSON trace file reader harness (Jaeger, Zipkin): whatever JSON the bytes parse to is decoded,
 * recognized or not. A refusal must say why and keep no span; accepted spans must survive an OTLP protobuf round
 * trip unchanged. `name` prefixes failure messages.
 */
template <typename Reader>
void checkTraceFileReader(const char* name, const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), qsizetype(size));
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (doc.isNull())
        return;
    Reader::recognizes(doc);
    // Decoding a document of another shape must fail cleanly, so every document is decoded.
    const DecodeResult result = Reader::decode(doc);
    if (!result.ok) {
        if (result.error.isEmpty())
            fail(name, QStringLiteral("refused without an error message"));
        if (!result.batch.spans.empty())
            fail(name, QStringLiteral("refused document kept spans"));
        return;
    }
    checkRoundTrip((std::string(name) + "->protobuf").c_str(), result.batch.spans, OtlpProtobufCodec::encodeRequest,
        OtlpProtobufCodec::decodeRequest);
}

} // namespace FuzzCommon
