#include "spancodec.h"

#include <QChar>
#include <QCryptographicHash>

#include <cstring>

namespace SpanCodec {

namespace {

enum Tag : char { TagEmpty = 0, TagString, TagBoolFalse, TagBoolTrue, TagInt, TagDouble, TagBytes, TagArray, TagMap };

constexpr int MaxDepth = AnyValue::MaxDepth; // the decoders reject deeper values, so what was stored reads back

void appendVarint(std::string& out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(char(v | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

} // namespace

namespace {

// UTF-8 size of `s` as appendUtf8 writes it (a lone surrogate becomes U+FFFD, 3 bytes).
std::size_t utf8Size(const char16_t* p, qsizetype n)
{
    // Nearly every string is ASCII: OR the units together four at a time and settle it without per-unit branches.
    std::uint64_t bits = 0;
    qsizetype i = 0;
    for (; i + 4 <= n; i += 4) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        bits |= w;
    }
    for (; i < n; ++i)
        bits |= p[i];
    if (!(bits & 0xFF80FF80FF80FF80u))
        return std::size_t(n);
    std::size_t size = std::size_t(n);
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = p[i];
        if (c < 0x80)
            continue;
        if (c < 0x800) {
            size += 1;
        } else if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(p[i + 1])) {
            size += 2; // 2 units in, 4 bytes out
            ++i;
        } else {
            size += 2;
        }
    }
    return size;
}

// Writes exactly `size` = utf8Size(p, n) bytes at `o`.
void writeUtf8(char* o, std::size_t size, const char16_t* p, qsizetype n)
{
    if (size == std::size_t(n)) { // ASCII (anything else takes more bytes than units): narrow four at a time
        qsizetype i = 0;
        for (; i + 4 <= n; i += 4) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            const auto narrow = std::uint32_t((w & 0xFF) | ((w >> 8) & 0xFF00) | ((w >> 16) & 0xFF0000)
                                              | ((w >> 24) & 0xFF000000));
            std::memcpy(o + i, &narrow, 4); // little and big endian alike: units and bytes keep their order
        }
        for (; i < n; ++i)
            o[i] = char(p[i]);
        return;
    }
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = p[i];
        if (c < 0x80) {
            *o++ = char(c);
            continue;
        }
        if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(p[i + 1])) {
            c = QChar::surrogateToUcs4(char16_t(c), p[i + 1]);
            ++i;
        } else if (QChar::isSurrogate(c)) {
            c = 0xFFFD; // lone surrogate: what QString::toUtf8 produces too
        }
        if (c < 0x800) {
            *o++ = char(0xC0 | (c >> 6));
            *o++ = char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *o++ = char(0xE0 | (c >> 12));
            *o++ = char(0x80 | ((c >> 6) & 0x3F));
            *o++ = char(0x80 | (c & 0x3F));
        } else {
            *o++ = char(0xF0 | (c >> 18));
            *o++ = char(0x80 | ((c >> 12) & 0x3F));
            *o++ = char(0x80 | ((c >> 6) & 0x3F));
            *o++ = char(0x80 | (c & 0x3F));
        }
    }
}

} // namespace

namespace {

void appendUtf8Sized(std::string& out, std::size_t size, QStringView s)
{
    // Short strings go through a stack buffer: append() copies, where resize() would zero-fill first.
    char buffer[256];
    if (size <= sizeof buffer) {
        writeUtf8(buffer, size, s.utf16(), s.size());
        out.append(buffer, size);
        return;
    }
    const std::size_t start = out.size();
    out.resize(start + size);
    writeUtf8(out.data() + start, size, s.utf16(), s.size());
}

} // namespace

void appendUtf8(std::string& out, QStringView s)
{
    // Exact size first, then one resize and a write through a pointer: per-char push_back, or sizing for the worst
    // case (zero-filling 3 bytes per unit), were the largest costs of encoding a span.
    appendUtf8Sized(out, utf8Size(s.utf16(), s.size()), s);
}

namespace {

void appendString(std::string& out, QStringView s)
{
    const std::size_t size = utf8Size(s.utf16(), s.size());
    appendVarint(out, size);
    appendUtf8Sized(out, size, s);
}

void appendBytes(std::string& out, const QByteArray& b)
{
    appendVarint(out, std::uint64_t(b.size()));
    out.append(b.constData(), std::size_t(b.size()));
}

void appendValue(std::string& out, const AnyValue& v);

void appendKeyValues(std::string& out, const std::vector<KeyValue>& kvs)
{
    appendVarint(out, kvs.size());
    for (const KeyValue& kv : kvs) {
        appendString(out, kv.key);
        appendValue(out, kv.value);
    }
}

void appendValue(std::string& out, const AnyValue& v)
{
    switch (v.type) {
    case AnyValue::Type::Empty:
        out.push_back(TagEmpty);
        return;
    case AnyValue::Type::String:
        out.push_back(TagString);
        appendString(out, v.stringValue);
        return;
    case AnyValue::Type::Bool:
        out.push_back(v.boolValue ? TagBoolTrue : TagBoolFalse);
        return;
    case AnyValue::Type::Int:
        out.push_back(TagInt);
        appendVarint(out, (std::uint64_t(v.intValue) << 1) ^ std::uint64_t(v.intValue >> 63));
        return;
    case AnyValue::Type::Double: {
        out.push_back(TagDouble);
        std::uint64_t bits;
        std::memcpy(&bits, &v.doubleValue, 8);
        for (int i = 0; i < 8; ++i)
            out.push_back(char(bits >> (8 * i)));
        return;
    }
    case AnyValue::Type::Bytes:
        out.push_back(TagBytes);
        appendBytes(out, v.bytesValue);
        return;
    case AnyValue::Type::Array:
        out.push_back(TagArray);
        appendVarint(out, v.arrayValue.size());
        for (const AnyValue& e : v.arrayValue)
            appendValue(out, e);
        return;
    case AnyValue::Type::Map:
        out.push_back(TagMap);
        appendKeyValues(out, v.mapValue);
        return;
    }
    out.push_back(TagEmpty);
}

class Reader {
public:
    Reader(const char* data, qsizetype size)
        : m_p(reinterpret_cast<const unsigned char*>(data))
        , m_end(m_p + (data ? size : 0))
    {
    }

    bool atEnd() const { return m_p == m_end; }

    bool varint(std::uint64_t* v)
    {
        std::uint64_t result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end)
                return false;
            const unsigned char b = *m_p++;
            result |= std::uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80)) {
                *v = result;
                return true;
            }
        }
        return false;
    }
    bool u32(std::uint32_t* v)
    {
        std::uint64_t x;
        if (!varint(&x) || x > 0xFFFFFFFFu)
            return false;
        *v = std::uint32_t(x);
        return true;
    }
    bool count(std::size_t* n)
    {
        // Every element takes at least one byte, so a larger count is corrupt (and must not drive a reserve()).
        std::uint64_t x;
        if (!varint(&x) || x > std::uint64_t(m_end - m_p))
            return false;
        *n = std::size_t(x);
        return true;
    }
    bool raw(const char** data, std::size_t n)
    {
        if (std::size_t(m_end - m_p) < n)
            return false;
        *data = reinterpret_cast<const char*>(m_p);
        m_p += n;
        return true;
    }
    bool string(QString* s)
    {
        std::size_t n;
        const char* data;
        if (!count(&n) || !raw(&data, n))
            return false;
        *s = QString::fromUtf8(data, qsizetype(n));
        return true;
    }
    bool bytes(QByteArray* b)
    {
        std::size_t n;
        const char* data;
        if (!count(&n) || !raw(&data, n))
            return false;
        *b = QByteArray(data, qsizetype(n));
        return true;
    }
    bool byte(unsigned char* c)
    {
        if (m_p == m_end)
            return false;
        *c = *m_p++;
        return true;
    }

    bool keyValues(std::vector<KeyValue>* out, int depth)
    {
        std::size_t n;
        if (!count(&n))
            return false;
        out->clear();
        out->resize(n);
        for (KeyValue& kv : *out)
            if (!string(&kv.key) || !value(&kv.value, depth))
                return false;
        return true;
    }

    bool value(AnyValue* v, int depth)
    {
        if (depth > MaxDepth)
            return false;
        unsigned char tag;
        if (!byte(&tag))
            return false;
        switch (tag) {
        case TagEmpty:
            v->type = AnyValue::Type::Empty;
            return true;
        case TagString:
            v->type = AnyValue::Type::String;
            return string(&v->stringValue);
        case TagBoolFalse:
        case TagBoolTrue:
            v->type = AnyValue::Type::Bool;
            v->boolValue = tag == TagBoolTrue;
            return true;
        case TagInt: {
            std::uint64_t z;
            if (!varint(&z))
                return false;
            v->type = AnyValue::Type::Int;
            v->intValue = std::int64_t((z >> 1) ^ (~(z & 1) + 1));
            return true;
        }
        case TagDouble: {
            const char* data;
            if (!raw(&data, 8))
                return false;
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)
                bits |= std::uint64_t(static_cast<unsigned char>(data[i])) << (8 * i);
            v->type = AnyValue::Type::Double;
            std::memcpy(&v->doubleValue, &bits, 8);
            return true;
        }
        case TagBytes:
            v->type = AnyValue::Type::Bytes;
            return bytes(&v->bytesValue);
        case TagArray: {
            std::size_t n;
            if (!count(&n))
                return false;
            v->type = AnyValue::Type::Array;
            v->arrayValue.resize(n);
            for (AnyValue& e : v->arrayValue)
                if (!value(&e, depth + 1))
                    return false;
            return true;
        }
        case TagMap:
            v->type = AnyValue::Type::Map;
            return keyValues(&v->mapValue, depth + 1);
        default:
            return false;
        }
    }

private:
    const unsigned char* m_p;
    const unsigned char* m_end;
};

// Walks encoded attributes and hands every string value (also inside arrays and maps; not keys, not bytes) to
// `visit(utf8, size)`, which returns true to stop. keyValues() is true when the visitor stopped the walk.
template <typename Visit> class StringWalker {
public:
    StringWalker(const char* data, qsizetype size, Visit visit)
        : m_reader(data, size)
        , m_visit(visit)
    {
    }

    bool keyValues(int depth)
    {
        std::size_t n;
        if (!m_reader.count(&n))
            return false;
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t keyLength;
            const char* key;
            if (!m_reader.count(&keyLength) || !m_reader.raw(&key, keyLength) || value(depth))
                return m_stopped;
        }
        return false;
    }

private:
    // Returns true to stop: when the visitor says so (m_stopped) or on corrupt input.
    bool value(int depth)
    {
        unsigned char tag;
        if (depth > MaxDepth || !m_reader.byte(&tag))
            return true;
        std::size_t n;
        const char* data;
        switch (tag) {
        case TagEmpty:
        case TagBoolFalse:
        case TagBoolTrue:
            return false;
        case TagInt: {
            std::uint64_t v;
            return !m_reader.varint(&v);
        }
        case TagDouble:
            return !m_reader.raw(&data, 8);
        case TagBytes:
            return !m_reader.count(&n) || !m_reader.raw(&data, n);
        case TagString:
            if (!m_reader.count(&n) || !m_reader.raw(&data, n))
                return true;
            m_stopped = m_visit(data, qsizetype(n));
            return m_stopped;
        case TagArray:
            if (!m_reader.count(&n))
                return true;
            for (std::size_t i = 0; i < n; ++i)
                if (value(depth + 1))
                    return true;
            return false;
        case TagMap:
            if (!m_reader.count(&n))
                return true;
            for (std::size_t i = 0; i < n; ++i) {
                std::size_t keyLength;
                if (!m_reader.count(&keyLength) || !m_reader.raw(&data, keyLength) || value(depth + 1))
                    return true;
            }
            return false;
        default:
            return true;
        }
    }

    Reader m_reader;
    Visit m_visit;
    bool m_stopped = false;
};

} // namespace

void appendAttributes(std::string& out, const Attributes& attributes)
{
    appendKeyValues(out, attributes);
}

void appendEvents(std::string& out, const std::vector<SpanEvent>& events)
{
    appendVarint(out, events.size());
    for (const SpanEvent& e : events) {
        appendVarint(out, e.timeUnixNano);
        appendString(out, e.name);
        appendKeyValues(out, e.attributes);
        appendVarint(out, e.droppedAttributesCount);
    }
}

void appendLinks(std::string& out, const std::vector<SpanLink>& links)
{
    appendVarint(out, links.size());
    for (const SpanLink& l : links) {
        out.append(reinterpret_cast<const char*>(l.traceId.data()), TraceId::Size);
        out.append(reinterpret_cast<const char*>(l.spanId.data()), SpanId::Size);
        appendString(out, l.traceState);
        appendKeyValues(out, l.attributes);
        appendVarint(out, l.droppedAttributesCount);
        appendVarint(out, l.flags);
    }
}

void appendResource(std::string& out, const Resource& resource)
{
    appendKeyValues(out, resource.attributes);
    appendVarint(out, resource.droppedAttributesCount);
    appendString(out, resource.schemaUrl);
}

void appendScope(std::string& out, const InstrumentationScope& scope)
{
    appendString(out, scope.name);
    appendString(out, scope.version);
    appendKeyValues(out, scope.attributes);
    appendVarint(out, scope.droppedAttributesCount);
    appendString(out, scope.schemaUrl);
}

void appendAnyValue(std::string& out, const AnyValue& value)
{
    appendValue(out, value);
}

bool decodeAnyValue(const char* data, qsizetype size, AnyValue* out)
{
    *out = AnyValue();
    if (size == 0)
        return true; // an empty body is stored as NULL
    Reader r(data, size);
    return r.value(out, 0) && r.atEnd();
}

QByteArray logRecordHash(const LogRecord& record)
{
    std::string key;
    key.reserve(256);
    key.append(reinterpret_cast<const char*>(record.traceId.data()), TraceId::Size);
    key.append(reinterpret_cast<const char*>(record.spanId.data()), SpanId::Size);
    appendVarint(key, record.flags);
    appendVarint(key, record.timeUnixNano);
    appendVarint(key, record.observedTimeUnixNano);
    appendVarint(key, std::uint64_t(std::int64_t(record.severityNumber)));
    appendString(key, record.severityText);
    appendValue(key, record.body);
    appendKeyValues(key, record.attributes);
    appendVarint(key, record.droppedAttributesCount);
    appendString(key, record.eventName);
    // Presence flags, so that "no resource" and "an empty resource" stay apart.
    key.push_back(record.resource ? 1 : 0);
    if (record.resource)
        appendResource(key, *record.resource);
    key.push_back(record.scope ? 1 : 0);
    if (record.scope)
        appendScope(key, *record.scope);
    return QCryptographicHash::hash(QByteArrayView(key.data(), qsizetype(key.size())), QCryptographicHash::Blake2b_256);
}

bool decodeAttributes(const char* data, qsizetype size, Attributes* out)
{
    out->clear();
    if (size == 0)
        return true; // stored as NULL/empty when there are none
    Reader r(data, size);
    return r.keyValues(out, 0) && r.atEnd();
}

bool decodeEvents(const char* data, qsizetype size, std::vector<SpanEvent>* out)
{
    out->clear();
    if (size == 0)
        return true;
    Reader r(data, size);
    std::size_t n;
    if (!r.count(&n))
        return false;
    out->resize(n);
    for (SpanEvent& e : *out) {
        if (!r.varint(&e.timeUnixNano) || !r.string(&e.name) || !r.keyValues(&e.attributes, 0)
            || !r.u32(&e.droppedAttributesCount))
            return false;
    }
    return r.atEnd();
}

bool decodeLinks(const char* data, qsizetype size, std::vector<SpanLink>* out)
{
    out->clear();
    if (size == 0)
        return true;
    Reader r(data, size);
    std::size_t n;
    if (!r.count(&n))
        return false;
    out->resize(n);
    for (SpanLink& l : *out) {
        const char* traceId;
        const char* spanId;
        if (!r.raw(&traceId, TraceId::Size) || !r.raw(&spanId, SpanId::Size) || !r.string(&l.traceState)
            || !r.keyValues(&l.attributes, 0) || !r.u32(&l.droppedAttributesCount) || !r.u32(&l.flags))
            return false;
        l.traceId = TraceId::fromRaw(traceId);
        l.spanId = SpanId::fromRaw(spanId);
    }
    return r.atEnd();
}

bool decodeResource(const char* data, qsizetype size, Resource* out)
{
    Reader r(data, size);
    return r.keyValues(&out->attributes, 0) && r.u32(&out->droppedAttributesCount) && r.string(&out->schemaUrl)
        && r.atEnd();
}

bool decodeScope(const char* data, qsizetype size, InstrumentationScope* out)
{
    Reader r(data, size);
    return r.string(&out->name) && r.string(&out->version) && r.keyValues(&out->attributes, 0)
        && r.u32(&out->droppedAttributesCount) && r.string(&out->schemaUrl) && r.atEnd();
}

void appendSearchFolded(std::string& out, QStringView text)
{
    const qsizetype n = text.size();
    const char16_t* p = text.utf16();
    qsizetype i = 0;
    // ASCII fast path; the rest goes through QChar's simple lower-case mapping.
    while (i < n && p[i] < 0x80) {
        const char16_t c = p[i++];
        out.push_back(char(c >= u'A' && c <= u'Z' ? c + 32 : c));
    }
    if (i == n)
        return;
    QString rest = text.mid(i).toString();
    for (qsizetype j = 0; j < rest.size(); ++j) {
        const char16_t c = rest.at(j).unicode();
        if (QChar::isHighSurrogate(c) && j + 1 < rest.size() && rest.at(j + 1).isLowSurrogate()) {
            const char32_t lower = QChar::toLower(QChar::surrogateToUcs4(c, rest.at(j + 1).unicode()));
            rest[j] = QChar(QChar::highSurrogate(lower));
            rest[j + 1] = QChar(QChar::lowSurrogate(lower));
            ++j;
        } else {
            rest[j] = QChar(char16_t(QChar::toLower(char32_t(c))));
        }
    }
    appendUtf8(out, rest);
}

std::string searchFolded(QStringView text)
{
    std::string out;
    appendSearchFolded(out, text);
    return out;
}

void appendSearchFoldedUtf8(std::string& out, const char* utf8, qsizetype size)
{
    // ASCII folds in place; only text with other characters goes through QString.
    const std::size_t start = out.size();
    for (qsizetype i = 0; i < size; ++i) {
        const unsigned char c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x80) {
            out.resize(start);
            appendSearchFolded(out, QString::fromUtf8(utf8, size));
            return;
        }
        out.push_back(char(c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
}

bool textContains(const char* utf8, qsizetype size, std::string_view foldedNeedle)
{
    if (foldedNeedle.empty())
        return true;
    thread_local std::string folded;
    folded.clear();
    appendSearchFoldedUtf8(folded, utf8, size);
    return std::string_view(folded).find(foldedNeedle) != std::string_view::npos;
}

bool attributesContain(const char* data, qsizetype size, std::string_view foldedNeedle)
{
    if (size == 0)
        return false;
    StringWalker walker(data, size,
        [foldedNeedle](const char* text, qsizetype length) { return textContains(text, length, foldedNeedle); });
    return walker.keyValues(0);
}

void forEachAttributeString(const char* data, qsizetype size, const std::function<void(const char*, qsizetype)>& visit)
{
    if (size == 0)
        return;
    StringWalker walker(data, size, [&visit](const char* text, qsizetype length) {
        visit(text, length);
        return false;
    });
    walker.keyValues(0);
}

} // namespace SpanCodec
