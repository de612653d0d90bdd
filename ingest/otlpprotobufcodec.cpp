#include "otlpprotobufcodec.h"

#include "ingest/otlpcodec_p.h"
#include "model/span.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QHash>

#include <google/protobuf/arena.h>
#include <google/protobuf/descriptor.h>

#include <cstring>
#include <string_view>
#include <unordered_map>

namespace pbcollector = opentelemetry::proto::collector::trace::v1;
namespace pbtrace = opentelemetry::proto::trace::v1;
namespace pbcommon = opentelemetry::proto::common::v1;
using google::protobuf::RepeatedPtrField;
using namespace OtlpCodecPrivate;

namespace {

// --- Decoding. The request is read straight from the wire format into Spans instead of through the
// generated messages: parsing into messages first and converting after costs about twice as much
// (every string allocated twice), and this is the receiver's hot path. Field numbers are those of the
// .proto files in ingest/proto; the generated code is still used for encoding and to locate errors.
// Like protobuf's own parser: unknown fields and fields with an unexpected wire type are skipped, the
// last value of a singular field wins, and nesting is limited to 100 messages.

enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

constexpr int MaxDepth = 100;

/// A bounded view on one message's bytes.
struct Wire {
    const quint8* p;
    const quint8* end;

    bool atEnd() const { return p >= end; }

    bool varint(quint64& value)
    {
        if (p < end && *p < 0x80) { // most varints are one byte
            value = *p++;
            return true;
        }
        quint64 result = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7) {
            const quint8 byte = *p++;
            result |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80)) {
                value = result;
                return true;
            }
        }
        return false;
    }
    bool tag(int& field, int& wireType)
    {
        quint64 t = 0;
        if (!varint(t) || (t >> 3) == 0 || (t >> 3) > 0x1fffffff)
            return false;
        field = int(t >> 3);
        wireType = int(t & 7);
        return true;
    }
    bool fixed64(std::uint64_t& value)
    {
        if (end - p < 8)
            return false;
        std::memcpy(&value, p, 8); // little-endian on the wire and on every platform we build for
        p += 8;
        return true;
    }
    bool fixed32(quint32& value)
    {
        if (end - p < 4)
            return false;
        std::memcpy(&value, p, 4);
        p += 4;
        return true;
    }
    bool bytes(Wire& inner)
    {
        quint64 length = 0;
        if (!varint(length) || length > quint64(end - p))
            return false;
        inner = Wire { p, p + length };
        p += length;
        return true;
    }
    bool skip(int wireType)
    {
        quint64 ignored = 0;
        std::uint64_t ignored64 = 0;
        quint32 ignored32 = 0;
        Wire inner {};
        switch (wireType) {
        case Varint:
            return varint(ignored);
        case Fixed64:
            return fixed64(ignored64);
        case LengthDelimited:
            return bytes(inner);
        case Fixed32:
            return fixed32(ignored32);
        default:
            return false; // groups (deprecated) and invalid wire types
        }
    }
    qsizetype size() const { return end - p; }
    const char* data() const { return reinterpret_cast<const char*>(p); }
};

/// Number of length-delimited occurrences of `field` in a message, to size vectors before filling them.
int countRepeated(Wire w, int wantedField)
{
    int count = 0;
    int field = 0, wireType = 0;
    while (!w.atEnd() && w.tag(field, wireType)) {
        if (field == wantedField && wireType == LengthDelimited)
            ++count;
        if (!w.skip(wireType))
            break; // the real pass reports it
    }
    return count;
}

/// Decodes one request. Functions return false on malformed input; the caller then locates the error.
class WireDecoder {
public:
    bool decodeRequest(Wire w, SpanBatch& batch)
    {
        batch.spans.reserve(std::size_t(countSpans(w)));
        int field = 0, wireType = 0, r = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            if (field == 1 && wireType == LengthDelimited) {
                Wire rs {};
                if (!w.bytes(rs) || !decodeResourceSpans(rs, r++, batch))
                    return false;
            } else if (!w.skip(wireType)) {
                return false;
            }
        }
        m_rejections.writeTo(batch);
        return true;
    }

private:
    Rejections m_rejections;
    // Attribute keys, and many short values (methods, status codes, host names), repeat in nearly every
    // span; sharing one QString per distinct text saves an allocation and a UTF-8 conversion each time
    // (about 20% of the decode) and memory while the batch lives. Views point into the request body.
    // (std::hash here: QHash<QByteArrayView> measured several times slower with Qt 6.4.)
    std::unordered_map<std::string_view, QString> m_shared;
    static constexpr qsizetype MaxSharedLength = 32; // longer values (URLs, SQL, messages) are rarely equal
    static constexpr std::size_t MaxSharedCount = 4096; // bounds the table for hostile input
    std::vector<Wire> m_scratch;

    static int countSpans(Wire w)
    {
        int count = 0;
        int field = 0, wireType = 0;
        while (!w.atEnd() && w.tag(field, wireType)) {
            Wire rs {};
            if (field != 1 || wireType != LengthDelimited) {
                if (!w.skip(wireType))
                    break;
                continue;
            }
            if (!w.bytes(rs))
                break;
            while (!rs.atEnd() && rs.tag(field, wireType)) {
                Wire ss {};
                if (field != 2 || wireType != LengthDelimited) {
                    if (!rs.skip(wireType))
                        break;
                    continue;
                }
                if (!rs.bytes(ss))
                    break;
                count += countRepeated(ss, 2);
            }
        }
        return count;
    }

    static bool string(Wire& w, QString& out)
    {
        Wire s {};
        if (!w.bytes(s))
            return false;
        // Invalid UTF-8 becomes U+FFFD instead of failing the request (protobuf's C++ parser would refuse
        // it; the collector's Go decoder does not check), one bad byte should not lose a whole batch.
        out = QString::fromUtf8(s.data(), s.size());
        return true;
    }

    /// A string likely to repeat within the request: attribute keys and short values.
    bool sharedString(Wire& w, QString& out)
    {
        Wire s {};
        if (!w.bytes(s))
            return false;
        if (s.size() > MaxSharedLength) {
            out = QString::fromUtf8(s.data(), s.size());
            return true;
        }
        const std::string_view view(s.data(), std::size_t(s.size()));
        const auto it = m_shared.find(view);
        if (it != m_shared.end()) {
            out = it->second;
            return true;
        }
        out = QString::fromUtf8(s.data(), s.size());
        if (m_shared.size() < MaxSharedCount)
            m_shared.emplace(view, out);
        return true;
    }

    template <typename T>
    static bool uint32Varint(Wire& w, T& out)
    {
        quint64 v = 0;
        if (!w.varint(v))
            return false;
        out = static_cast<T>(static_cast<quint32>(v)); // protobuf keeps the low 32 bits
        return true;
    }

    bool decodeAttributes(Wire w, int wantedField, Attributes& out, int depth)
    {
        if (depth > MaxDepth)
            return false;
        out.reserve(out.size() + std::size_t(countRepeated(w, wantedField)));
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            if (field == wantedField && wireType == LengthDelimited) {
                Wire kv {};
                if (!w.bytes(kv) || !decodeKeyValue(kv, out.emplace_back(), depth + 1))
                    return false;
            } else if (!w.skip(wireType)) {
                return false;
            }
        }
        return true;
    }

    bool decodeKeyValue(Wire w, KeyValue& out, int depth)
    {
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 1 && wireType == LengthDelimited) {
                ok = sharedString(w, out.key);
            } else if (field == 2 && wireType == LengthDelimited) {
                Wire v {};
                ok = w.bytes(v) && decodeValue(v, out.value, depth + 1);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    bool decodeValue(Wire w, AnyValue& out, int depth)
    {
        if (depth > MaxDepth)
            return false;
        int field = 0, wireType = 0;
        quint64 v = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 1 && wireType == LengthDelimited) {
                out.type = AnyValue::Type::String;
                ok = sharedString(w, out.stringValue);
            } else if (field == 2 && wireType == Varint) {
                out.type = AnyValue::Type::Bool;
                ok = w.varint(v);
                out.boolValue = v != 0;
            } else if (field == 3 && wireType == Varint) {
                out.type = AnyValue::Type::Int;
                ok = w.varint(v);
                out.intValue = static_cast<std::int64_t>(v);
            } else if (field == 4 && wireType == Fixed64) {
                out.type = AnyValue::Type::Double;
                std::uint64_t bits = 0;
                ok = w.fixed64(bits);
                std::memcpy(&out.doubleValue, &bits, sizeof(double));
            } else if (field == 5 && wireType == LengthDelimited) {
                out.type = AnyValue::Type::Array;
                Wire array {};
                ok = w.bytes(array) && decodeArray(array, out.arrayValue, depth + 1);
            } else if (field == 6 && wireType == LengthDelimited) {
                out.type = AnyValue::Type::Map;
                Wire list {};
                ok = w.bytes(list) && decodeAttributes(list, 1, out.mapValue, depth + 1);
            } else if (field == 7 && wireType == LengthDelimited) {
                out.type = AnyValue::Type::Bytes;
                Wire b {};
                ok = w.bytes(b);
                out.bytesValue = QByteArray(b.data(), b.size());
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    bool decodeArray(Wire w, std::vector<AnyValue>& out, int depth)
    {
        if (depth > MaxDepth)
            return false;
        out.reserve(out.size() + std::size_t(countRepeated(w, 1)));
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            if (field == 1 && wireType == LengthDelimited) {
                Wire v {};
                if (!w.bytes(v) || !decodeValue(v, out.emplace_back(), depth + 1))
                    return false;
            } else if (!w.skip(wireType)) {
                return false;
            }
        }
        return true;
    }

    bool decodeResource(Wire w, Resource& out)
    {
        out.attributes.reserve(std::size_t(countRepeated(w, 1)));
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 1 && wireType == LengthDelimited) {
                Wire kv {};
                ok = w.bytes(kv) && decodeKeyValue(kv, out.attributes.emplace_back(), 4);
            } else if (field == 2 && wireType == Varint) {
                ok = uint32Varint(w, out.droppedAttributesCount);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    bool decodeResourceSpans(Wire w, int r, SpanBatch& batch)
    {
        auto resource = std::make_shared<Resource>();
        const std::size_t firstScope = m_scratch.size();
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            Wire inner {};
            if (field == 1 && wireType == LengthDelimited) {
                ok = w.bytes(inner) && decodeResource(inner, *resource);
            } else if (field == 2 && wireType == LengthDelimited) {
                ok = w.bytes(inner);
                m_scratch.push_back(inner); // decoded once the resource is complete, whatever the order
            } else if (field == 3 && wireType == LengthDelimited) {
                ok = string(w, resource->schemaUrl);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        const std::shared_ptr<const Resource> shared = std::move(resource);
        const std::vector<Wire> scopes(m_scratch.begin() + std::ptrdiff_t(firstScope), m_scratch.end());
        m_scratch.resize(firstScope);
        for (std::size_t s = 0; s < scopes.size(); ++s)
            if (!decodeScopeSpans(scopes[s], shared, r, int(s), batch))
                return false;
        return true;
    }

    bool decodeScope(Wire w, InstrumentationScope& out)
    {
        out.attributes.reserve(std::size_t(countRepeated(w, 3)));
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 1 && wireType == LengthDelimited) {
                ok = string(w, out.name);
            } else if (field == 2 && wireType == LengthDelimited) {
                ok = string(w, out.version);
            } else if (field == 3 && wireType == LengthDelimited) {
                Wire kv {};
                ok = w.bytes(kv) && decodeKeyValue(kv, out.attributes.emplace_back(), 5);
            } else if (field == 4 && wireType == Varint) {
                ok = uint32Varint(w, out.droppedAttributesCount);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    bool decodeScopeSpans(Wire w, const std::shared_ptr<const Resource>& resource, int r, int s, SpanBatch& batch)
    {
        auto scope = std::make_shared<InstrumentationScope>();
        const std::size_t firstSpan = m_scratch.size();
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            Wire inner {};
            if (field == 1 && wireType == LengthDelimited) {
                ok = w.bytes(inner) && decodeScope(inner, *scope);
            } else if (field == 2 && wireType == LengthDelimited) {
                ok = w.bytes(inner);
                m_scratch.push_back(inner);
            } else if (field == 3 && wireType == LengthDelimited) {
                ok = string(w, scope->schemaUrl);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        const std::shared_ptr<const InstrumentationScope> shared = std::move(scope);
        for (std::size_t i = firstSpan; i < m_scratch.size(); ++i) {
            const int index = int(i - firstSpan);
            Span& span = batch.spans.emplace_back();
            QString problem;
            if (!decodeSpan(m_scratch[i], span, problem))
                return false;
            if (!problem.isEmpty()) {
                batch.spans.pop_back();
                m_rejections.add(spanPath(r, s, index), problem);
                continue;
            }
            span.resource = resource;
            span.scope = shared;
        }
        m_scratch.resize(firstSpan);
        return true;
    }

    bool decodeEvent(Wire w, SpanEvent& out)
    {
        out.attributes.reserve(std::size_t(countRepeated(w, 3)));
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 1 && wireType == Fixed64) {
                ok = w.fixed64(out.timeUnixNano);
            } else if (field == 2 && wireType == LengthDelimited) {
                ok = string(w, out.name);
            } else if (field == 3 && wireType == LengthDelimited) {
                Wire kv {};
                ok = w.bytes(kv) && decodeKeyValue(kv, out.attributes.emplace_back(), 6);
            } else if (field == 4 && wireType == Varint) {
                ok = uint32Varint(w, out.droppedAttributesCount);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    bool decodeLink(Wire w, SpanLink& out, QString& problem)
    {
        out.attributes.reserve(std::size_t(countRepeated(w, 4)));
        Wire traceId {}, spanId {};
        int field = 0, wireType = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 1 && wireType == LengthDelimited) {
                ok = w.bytes(traceId);
            } else if (field == 2 && wireType == LengthDelimited) {
                ok = w.bytes(spanId);
            } else if (field == 3 && wireType == LengthDelimited) {
                ok = string(w, out.traceState);
            } else if (field == 4 && wireType == LengthDelimited) {
                Wire kv {};
                ok = w.bytes(kv) && decodeKeyValue(kv, out.attributes.emplace_back(), 6);
            } else if (field == 5 && wireType == Varint) {
                ok = uint32Varint(w, out.droppedAttributesCount);
            } else if (field == 6 && wireType == Fixed32) {
                ok = w.fixed32(out.flags);
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        // A link to an unknown span may carry all-zero ids, but never ids of the wrong size.
        if (traceId.size() != 16)
            problem = QStringLiteral("traceId is ") + QString::number(traceId.size()) + QStringLiteral(" bytes (must be 16)");
        else if (spanId.size() != 8)
            problem = QStringLiteral("spanId is ") + QString::number(spanId.size()) + QStringLiteral(" bytes (must be 8)");
        else {
            out.traceId = TraceId::fromRaw(traceId.p);
            out.spanId = SpanId::fromRaw(spanId.p);
        }
        return true;
    }

    bool decodeStatus(Wire w, Span& out)
    {
        int field = 0, wireType = 0;
        quint64 v = 0;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            if (field == 2 && wireType == LengthDelimited) {
                ok = string(w, out.statusMessage);
            } else if (field == 3 && wireType == Varint) {
                ok = w.varint(v);
                const int code = static_cast<int>(static_cast<qint32>(v));
                out.statusCode = code >= 0 && code <= int(StatusCode::Error) ? StatusCode(code) : StatusCode::Unset;
            } else {
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    /// Decodes one span; `problem` gets the reason when its ids make it unusable (structure still checked).
    bool decodeSpan(Wire w, Span& out, QString& problem)
    {
        {
            // Size the vectors once: one cheap pass over the tags beats regrowing them.
            int attributes = 0, events = 0, links = 0;
            Wire scan = w;
            int field = 0, wireType = 0;
            while (!scan.atEnd() && scan.tag(field, wireType)) {
                if (wireType == LengthDelimited)
                    attributes += field == 9, events += field == 11, links += field == 13;
                if (!scan.skip(wireType))
                    break;
            }
            out.attributes.reserve(std::size_t(attributes));
            out.events.reserve(std::size_t(events));
            out.links.reserve(std::size_t(links));
        }
        Wire traceId {}, spanId {}, parentSpanId {};
        int field = 0, wireType = 0;
        quint64 v = 0;
        QString linkProblem;
        while (!w.atEnd()) {
            if (!w.tag(field, wireType))
                return false;
            bool ok = true;
            Wire inner {};
            switch (field) {
            case 1:
                ok = wireType == LengthDelimited ? w.bytes(traceId) : w.skip(wireType);
                break;
            case 2:
                ok = wireType == LengthDelimited ? w.bytes(spanId) : w.skip(wireType);
                break;
            case 3:
                ok = wireType == LengthDelimited ? string(w, out.traceState) : w.skip(wireType);
                break;
            case 4:
                ok = wireType == LengthDelimited ? w.bytes(parentSpanId) : w.skip(wireType);
                break;
            case 5:
                ok = wireType == LengthDelimited ? string(w, out.name) : w.skip(wireType);
                break;
            case 6:
                if (wireType == Varint) {
                    ok = w.varint(v);
                    const int kind = static_cast<int>(static_cast<qint32>(v));
                    // Open enum: a kind this build does not know is shown as unspecified.
                    out.kind = kind >= 0 && kind <= int(SpanKind::Consumer) ? SpanKind(kind) : SpanKind::Unspecified;
                } else {
                    ok = w.skip(wireType);
                }
                break;
            case 7:
                ok = wireType == Fixed64 ? w.fixed64(out.startTimeUnixNano) : w.skip(wireType);
                break;
            case 8:
                ok = wireType == Fixed64 ? w.fixed64(out.endTimeUnixNano) : w.skip(wireType);
                break;
            case 9:
                ok = wireType == LengthDelimited
                    ? w.bytes(inner) && decodeKeyValue(inner, out.attributes.emplace_back(), 5)
                    : w.skip(wireType);
                break;
            case 10:
                ok = wireType == Varint ? uint32Varint(w, out.droppedAttributesCount) : w.skip(wireType);
                break;
            case 11:
                ok = wireType == LengthDelimited ? w.bytes(inner) && decodeEvent(inner, out.events.emplace_back())
                                                 : w.skip(wireType);
                break;
            case 12:
                ok = wireType == Varint ? uint32Varint(w, out.droppedEventsCount) : w.skip(wireType);
                break;
            case 13:
                if (wireType == LengthDelimited) {
                    QString p;
                    ok = w.bytes(inner) && decodeLink(inner, out.links.emplace_back(), p);
                    if (!p.isEmpty() && linkProblem.isEmpty())
                        linkProblem = QStringLiteral("links[") + QString::number(out.links.size() - 1)
                            + QStringLiteral("].") + p;
                } else {
                    ok = w.skip(wireType);
                }
                break;
            case 14:
                ok = wireType == Varint ? uint32Varint(w, out.droppedLinksCount) : w.skip(wireType);
                break;
            case 15:
                ok = wireType == LengthDelimited ? w.bytes(inner) && decodeStatus(inner, out) : w.skip(wireType);
                break;
            case 16:
                ok = wireType == Fixed32 ? w.fixed32(out.flags) : w.skip(wireType);
                break;
            default:
                ok = w.skip(wireType);
            }
            if (!ok)
                return false;
        }
        problem = idProblem(traceId.data(), traceId.size(), 16, QLatin1StringView("traceId"));
        if (problem.isEmpty())
            problem = idProblem(spanId.data(), spanId.size(), 8, QLatin1StringView("spanId"));
        if (problem.isEmpty())
            problem = idProblem(parentSpanId.data(), parentSpanId.size(), 8, QLatin1StringView("parentSpanId"), true);
        if (problem.isEmpty())
            problem = linkProblem;
        if (!problem.isEmpty())
            return true;
        out.traceId = TraceId::fromRaw(traceId.p);
        out.spanId = SpanId::fromRaw(spanId.p);
        if (parentSpanId.size() == 8)
            out.parentSpanId = SpanId::fromRaw(parentSpanId.p);
        return true;
    }
};

// --- Locating a parse error. Protobuf only says "failed"; on that (rare) path we walk the wire format again
// along the message descriptors to name the byte offset and the field where it breaks.

struct WireScanner {
    const unsigned char* begin = nullptr;
    QString problem;
    qsizetype problemOffset = -1;
    QString problemPath;

    bool fail(const unsigned char* at, const QString& what, const QString& path)
    {
        problem = what;
        problemOffset = at - begin;
        problemPath = path;
        return false;
    }

    static bool readVarint(const unsigned char*& p, const unsigned char* end, quint64* value)
    {
        quint64 result = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7) {
            const unsigned char byte = *p++;
            result |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80)) {
                *value = result;
                return true;
            }
        }
        return false;
    }

    static QString jsonName(const google::protobuf::FieldDescriptor* field)
    {
        return QString::fromStdString(field->json_name());
    }

    bool scan(const unsigned char* p, const unsigned char* end, const google::protobuf::Descriptor* type,
        const QString& path, int depth)
    {
        if (depth > 100)
            return fail(p, QStringLiteral("messages nested too deeply"), path);
        QHash<int, int> repeatCounts;
        while (p < end) {
            const unsigned char* fieldStart = p;
            quint64 tag = 0;
            if (!readVarint(p, end, &tag))
                return fail(fieldStart, QStringLiteral("truncated field tag"), path);
            const int number = int(tag >> 3);
            const int wireType = int(tag & 7);
            if (number == 0)
                return fail(fieldStart, QStringLiteral("invalid field number 0"), path);
            const auto* field = type ? type->FindFieldByNumber(number) : nullptr;
            QString fieldPath = path;
            if (field) {
                fieldPath += (path.isEmpty() ? QString() : QStringLiteral(".")) + jsonName(field);
                if (field->is_repeated())
                    fieldPath += QLatin1Char('[') + QString::number(repeatCounts[number]++) + QLatin1Char(']');
            }
            quint64 value = 0;
            switch (wireType) {
            case 0:
                if (!readVarint(p, end, &value))
                    return fail(fieldStart, QStringLiteral("truncated varint"), fieldPath);
                break;
            case 1:
                if (end - p < 8)
                    return fail(fieldStart, QStringLiteral("truncated 64-bit value"), fieldPath);
                p += 8;
                break;
            case 5:
                if (end - p < 4)
                    return fail(fieldStart, QStringLiteral("truncated 32-bit value"), fieldPath);
                p += 4;
                break;
            case 2: {
                if (!readVarint(p, end, &value))
                    return fail(fieldStart, QStringLiteral("truncated length"), fieldPath);
                if (value > quint64(end - p))
                    return fail(fieldStart,
                        QStringLiteral("length %1 runs past the end of the data").arg(value), fieldPath);
                const unsigned char* inner = p;
                p += value;
                if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
                    if (!scan(inner, p, field->message_type(), fieldPath, depth + 1))
                        return false;
                }
                break;
            }
            default:
                return fail(fieldStart, QStringLiteral("unsupported wire type %1").arg(wireType), fieldPath);
            }
        }
        return true;
    }
};

QString describeParseError(const QByteArray& body)
{
    WireScanner scanner;
    scanner.begin = reinterpret_cast<const unsigned char*>(body.constData());
    if (scanner.scan(scanner.begin, scanner.begin + body.size(), pbcollector::ExportTraceServiceRequest::descriptor(),
            QString(), 0))
        return QStringLiteral("body is not a valid ExportTraceServiceRequest");
    QString msg = QStringLiteral("protobuf parse error at byte offset ") + QString::number(scanner.problemOffset);
    if (!scanner.problemPath.isEmpty())
        msg += QStringLiteral(" (") + scanner.problemPath + QLatin1Char(')');
    return msg + QStringLiteral(": ") + scanner.problem;
}

// --- Encoding

void setValue(pbcommon::AnyValue* out, const AnyValue& in);

void setAttributes(RepeatedPtrField<pbcommon::KeyValue>* out, const Attributes& in)
{
    out->Reserve(static_cast<int>(in.size()));
    for (const KeyValue& kv : in) {
        auto* target = out->Add();
        target->set_key(kv.key.toStdString());
        setValue(target->mutable_value(), kv.value);
    }
}

void setValue(pbcommon::AnyValue* out, const AnyValue& in)
{
    switch (in.type) {
    case AnyValue::Type::Empty:
        break;
    case AnyValue::Type::String:
        out->set_string_value(in.stringValue.toStdString());
        break;
    case AnyValue::Type::Bool:
        out->set_bool_value(in.boolValue);
        break;
    case AnyValue::Type::Int:
        out->set_int_value(in.intValue);
        break;
    case AnyValue::Type::Double:
        out->set_double_value(in.doubleValue);
        break;
    case AnyValue::Type::Bytes:
        out->set_bytes_value(in.bytesValue.constData(), static_cast<std::size_t>(in.bytesValue.size()));
        break;
    case AnyValue::Type::Array: {
        auto* values = out->mutable_array_value()->mutable_values();
        values->Reserve(static_cast<int>(in.arrayValue.size()));
        for (const AnyValue& element : in.arrayValue)
            setValue(values->Add(), element);
        break;
    }
    case AnyValue::Type::Map:
        setAttributes(out->mutable_kvlist_value()->mutable_values(), in.mapValue);
        break;
    }
}

template <std::size_t N>
void setId(std::string* out, const FixedId<N>& id)
{
    out->assign(reinterpret_cast<const char*>(id.data()), N);
}

void setSpan(pbtrace::Span* out, const Span& in)
{
    setId(out->mutable_trace_id(), in.traceId);
    setId(out->mutable_span_id(), in.spanId);
    // A root span has no parent id on the wire, not eight zero bytes.
    if (in.parentSpanId.isValid())
        setId(out->mutable_parent_span_id(), in.parentSpanId);
    out->set_trace_state(in.traceState.toStdString());
    out->set_flags(in.flags);
    out->set_name(in.name.toStdString());
    out->set_kind(static_cast<pbtrace::Span::SpanKind>(in.kind));
    out->set_start_time_unix_nano(in.startTimeUnixNano);
    out->set_end_time_unix_nano(in.endTimeUnixNano);
    setAttributes(out->mutable_attributes(), in.attributes);
    out->set_dropped_attributes_count(in.droppedAttributesCount);
    for (const SpanEvent& event : in.events) {
        auto* target = out->add_events();
        target->set_time_unix_nano(event.timeUnixNano);
        target->set_name(event.name.toStdString());
        setAttributes(target->mutable_attributes(), event.attributes);
        target->set_dropped_attributes_count(event.droppedAttributesCount);
    }
    out->set_dropped_events_count(in.droppedEventsCount);
    for (const SpanLink& link : in.links) {
        auto* target = out->add_links();
        setId(target->mutable_trace_id(), link.traceId);
        setId(target->mutable_span_id(), link.spanId);
        target->set_trace_state(link.traceState.toStdString());
        setAttributes(target->mutable_attributes(), link.attributes);
        target->set_dropped_attributes_count(link.droppedAttributesCount);
        target->set_flags(link.flags);
    }
    out->set_dropped_links_count(in.droppedLinksCount);
    if (in.statusCode != StatusCode::Unset || !in.statusMessage.isEmpty()) {
        out->mutable_status()->set_code(static_cast<pbtrace::Status::StatusCode>(in.statusCode));
        out->mutable_status()->set_message(in.statusMessage.toStdString());
    }
}

QByteArray serialize(const google::protobuf::MessageLite& message)
{
    QByteArray out(static_cast<qsizetype>(message.ByteSizeLong()), Qt::Uninitialized);
    message.SerializeWithCachedSizesToArray(reinterpret_cast<quint8*>(out.data()));
    return out;
}

} // namespace

DecodeResult OtlpProtobufCodec::decodeRequest(const QByteArray& body)
{
    DecodeResult result;
    const auto* data = reinterpret_cast<const quint8*>(body.constData());
    WireDecoder decoder;
    if (!decoder.decodeRequest(Wire { data, data + body.size() }, result.batch)) {
        result.batch = SpanBatch(); // nothing half-decoded leaves here
        result.error = describeParseError(body);
        return result;
    }
    result.ok = true;
    return result;
}

QByteArray OtlpProtobufCodec::encodeRequest(const std::vector<Span>& spans)
{
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<pbcollector::ExportTraceServiceRequest>(&arena);
    for (const ResourceGroup& group : groupSpans(spans)) {
        auto* rs = request->add_resource_spans();
        setAttributes(rs->mutable_resource()->mutable_attributes(), group.resource->attributes);
        rs->mutable_resource()->set_dropped_attributes_count(group.resource->droppedAttributesCount);
        rs->set_schema_url(group.resource->schemaUrl.toStdString());
        for (const ScopeGroup& scopeGroup : group.scopes) {
            auto* ss = rs->add_scope_spans();
            const InstrumentationScope& scope = *scopeGroup.scope;
            ss->mutable_scope()->set_name(scope.name.toStdString());
            ss->mutable_scope()->set_version(scope.version.toStdString());
            setAttributes(ss->mutable_scope()->mutable_attributes(), scope.attributes);
            ss->mutable_scope()->set_dropped_attributes_count(scope.droppedAttributesCount);
            ss->set_schema_url(scope.schemaUrl.toStdString());
            ss->mutable_spans()->Reserve(static_cast<int>(scopeGroup.spans.size()));
            for (const Span* span : scopeGroup.spans)
                setSpan(ss->add_spans(), *span);
        }
    }
    return serialize(*request);
}

QByteArray OtlpProtobufCodec::encodeResponse(qint64 rejectedSpans, const QString& errorMessage)
{
    pbcollector::ExportTraceServiceResponse response;
    if (rejectedSpans > 0 || !errorMessage.isEmpty()) {
        response.mutable_partial_success()->set_rejected_spans(rejectedSpans);
        response.mutable_partial_success()->set_error_message(errorMessage.toStdString());
    }
    return serialize(response);
}
