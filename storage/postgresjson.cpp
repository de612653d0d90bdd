#include "postgresjson.h"

#include "model/jsonstring.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <utility>

namespace PostgresJson {

namespace {

    constexpr int MaxDepth = 256; // deeper documents are refused (the recursion must not exhaust the stack)

    void appendUtf8Escaped(std::string& out, const char* data, std::size_t size)
    {
        appendJsonString(out, data, size, true); // PostgreSQL text (and JSONB strings) cannot hold U+0000
    }

    std::string utf8(QStringView s)
    {
        const QByteArray bytes = s.toUtf8();
        return std::string(bytes.constData(), std::size_t(bytes.size()));
    }

    // The UTF-8 PostgreSQL ends up holding: U+0000 replaced as appendUtf8Escaped does.
    std::string storedUtf8(QStringView s)
    {
        std::string bytes = utf8(s);
        for (std::size_t i = bytes.find('\0'); i != std::string::npos; i = bytes.find('\0', i + 3))
            bytes.replace(i, 1, "\xef\xbf\xbd");
        return bytes;
    }

    void appendUnsigned(std::string& out, std::uint64_t v)
    {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }

    void appendSigned(std::string& out, std::int64_t v)
    {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }

    // --- a small JSON reader for what PostgreSQL prints -------------------------------------------------------------

    struct Json {
        enum class Type : std::uint8_t { Null, Bool, Number, String, Array, Object };
        Type type = Type::Null;
        bool boolean = false;
        std::string text; // unescaped string, or the number as written
        std::vector<Json> items;
        std::vector<std::pair<std::string, Json>> members; // in document order

        const Json* member(std::string_view key) const
        {
            for (const auto& m : members)
                if (m.first == key)
                    return &m.second;
            return nullptr;
        }
    };

    class Reader {
    public:
        explicit Reader(std::string_view s)
            : m_s(s)
        {
        }

        bool document(Json* out)
        {
            if (!value(out, 0))
                return false;
            skipSpace();
            return m_pos == m_s.size();
        }

    private:
        void skipSpace()
        {
            while (m_pos < m_s.size()
                && (m_s[m_pos] == ' ' || m_s[m_pos] == '\n' || m_s[m_pos] == '\t' || m_s[m_pos] == '\r'))
                ++m_pos;
        }
        bool consume(char c)
        {
            skipSpace();
            if (m_pos < m_s.size() && m_s[m_pos] == c) {
                ++m_pos;
                return true;
            }
            return false;
        }
        bool literal(std::string_view word)
        {
            if (m_s.substr(m_pos, word.size()) != word)
                return false;
            m_pos += word.size();
            return true;
        }
        static int hexDigit(char c)
        {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            return -1;
        }
        bool hex4(unsigned* v)
        {
            if (m_pos + 4 > m_s.size())
                return false;
            *v = 0;
            for (int i = 0; i < 4; ++i) {
                const int d = hexDigit(m_s[m_pos++]);
                if (d < 0)
                    return false;
                *v = *v * 16 + unsigned(d);
            }
            return true;
        }
        static void appendCodePoint(std::string& out, unsigned cp)
        {
            if (cp < 0x80) {
                out += char(cp);
            } else if (cp < 0x800) {
                out += char(0xc0 | (cp >> 6));
                out += char(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                out += char(0xe0 | (cp >> 12));
                out += char(0x80 | ((cp >> 6) & 0x3f));
                out += char(0x80 | (cp & 0x3f));
            } else {
                out += char(0xf0 | (cp >> 18));
                out += char(0x80 | ((cp >> 12) & 0x3f));
                out += char(0x80 | ((cp >> 6) & 0x3f));
                out += char(0x80 | (cp & 0x3f));
            }
        }
        bool string(std::string* out)
        {
            if (!consume('"'))
                return false;
            out->clear();
            while (m_pos < m_s.size()) {
                const char c = m_s[m_pos++];
                if (c == '"')
                    return true;
                if (c != '\\') {
                    *out += c;
                    continue;
                }
                if (m_pos >= m_s.size())
                    return false;
                const char e = m_s[m_pos++];
                switch (e) {
                case '"':
                case '\\':
                case '/':
                    *out += e;
                    break;
                case 'b':
                    *out += '\b';
                    break;
                case 'f':
                    *out += '\f';
                    break;
                case 'n':
                    *out += '\n';
                    break;
                case 'r':
                    *out += '\r';
                    break;
                case 't':
                    *out += '\t';
                    break;
                case 'u': {
                    unsigned cp = 0;
                    if (!hex4(&cp))
                        return false;
                    if (cp >= 0xd800 && cp < 0xdc00) {
                        unsigned low = 0;
                        if (!literal("\\u") || !hex4(&low) || low < 0xdc00 || low >= 0xe000)
                            return false;
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                    } else if (cp >= 0xdc00 && cp < 0xe000) {
                        return false;
                    }
                    appendCodePoint(*out, cp);
                    break;
                }
                default:
                    return false;
                }
            }
            return false;
        }
        bool value(Json* out, int depth)
        {
            if (depth > MaxDepth)
                return false;
            skipSpace();
            if (m_pos >= m_s.size())
                return false;
            const char c = m_s[m_pos];
            if (c == '{') {
                ++m_pos;
                out->type = Json::Type::Object;
                if (consume('}'))
                    return true;
                do {
                    std::pair<std::string, Json> member;
                    if (!string(&member.first) || !consume(':') || !value(&member.second, depth + 1))
                        return false;
                    out->members.push_back(std::move(member));
                } while (consume(','));
                return consume('}');
            }
            if (c == '[') {
                ++m_pos;
                out->type = Json::Type::Array;
                if (consume(']'))
                    return true;
                do {
                    out->items.emplace_back();
                    if (!value(&out->items.back(), depth + 1))
                        return false;
                } while (consume(','));
                return consume(']');
            }
            if (c == '"') {
                out->type = Json::Type::String;
                return string(&out->text);
            }
            if (literal("true")) {
                out->type = Json::Type::Bool;
                out->boolean = true;
                return true;
            }
            if (literal("false")) {
                out->type = Json::Type::Bool;
                return true;
            }
            if (literal("null")) {
                out->type = Json::Type::Null;
                return true;
            }
            const std::size_t start = m_pos;
            while (m_pos < m_s.size()
                && ((m_s[m_pos] >= '0' && m_s[m_pos] <= '9') || m_s[m_pos] == '-' || m_s[m_pos] == '+'
                    || m_s[m_pos] == '.' || m_s[m_pos] == 'e' || m_s[m_pos] == 'E'))
                ++m_pos;
            if (m_pos == start)
                return false;
            out->type = Json::Type::Number;
            out->text.assign(m_s.substr(start, m_pos - start));
            return true;
        }

        std::string_view m_s;
        std::size_t m_pos = 0;
    };

    bool parse(std::string_view text, Json* out) { return Reader(text).document(out); }

    QString qstring(const std::string& s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

    bool toUnsigned(const Json& j, std::uint64_t* out)
    {
        if (j.type != Json::Type::Number)
            return false;
        const char* end = j.text.data() + j.text.size();
        const auto r = std::from_chars(j.text.data(), end, *out);
        return r.ec == std::errc() && r.ptr == end;
    }

    bool toUint32(const Json* j, std::uint32_t* out)
    {
        if (!j) {
            *out = 0;
            return true;
        }
        std::uint64_t v = 0;
        if (!toUnsigned(*j, &v) || v > 0xffffffffu)
            return false;
        *out = std::uint32_t(v);
        return true;
    }

    bool toValue(const Json& j, AnyValue* out);

    bool toMap(const Json& j, std::vector<KeyValue>* out)
    {
        out->clear();
        out->reserve(j.members.size());
        for (const auto& [key, value] : j.members) {
            KeyValue kv;
            kv.key = qstring(key);
            if (!toValue(value, &kv.value))
                return false;
            out->push_back(std::move(kv));
        }
        return true;
    }

    bool toValue(const Json& j, AnyValue* out)
    {
        *out = AnyValue();
        switch (j.type) {
        case Json::Type::Null:
            return true;
        case Json::Type::Bool:
            *out = AnyValue::fromBool(j.boolean);
            return true;
        case Json::Type::String:
            *out = AnyValue::fromString(qstring(j.text));
            return true;
        case Json::Type::Number: {
            const char* begin = j.text.data();
            const char* end = begin + j.text.size();
            if (j.text.find_first_of(".eE") == std::string::npos) {
                std::int64_t i = 0;
                const auto r = std::from_chars(begin, end, i);
                if (r.ec == std::errc() && r.ptr == end) {
                    *out = AnyValue::fromInt(i);
                    return true;
                }
            }
            double d = 0;
            const auto r = std::from_chars(begin, end, d);
            if (r.ec != std::errc() || r.ptr != end)
                return false;
            *out = AnyValue::fromDouble(d);
            return true;
        }
        case Json::Type::Array:
            out->type = AnyValue::Type::Array;
            out->arrayValue.resize(j.items.size());
            for (std::size_t i = 0; i < j.items.size(); ++i)
                if (!toValue(j.items[i], &out->arrayValue[i]))
                    return false;
            return true;
        case Json::Type::Object:
            out->type = AnyValue::Type::Map;
            if (!toMap(j, &out->mapValue))
                return false;
            // Nested maps keep no order of their own: sorted like JSONB, whatever order PostgreSQL printed.
            std::stable_sort(out->mapValue.begin(), out->mapValue.end(),
                [](const KeyValue& a, const KeyValue& b) { return sortedKeyLess(utf8(a.key), utf8(b.key)); });
            // As JSONB: of a key given twice the last value counts (PostgreSQL never prints duplicates).
            for (std::size_t i = 1; i < out->mapValue.size();) {
                if (out->mapValue[i - 1].key == out->mapValue[i].key)
                    out->mapValue.erase(out->mapValue.begin() + std::ptrdiff_t(i - 1));
                else
                    ++i;
            }
            return true;
        }
        return false;
    }

    bool toIntArray(const Json* j, std::vector<int>* out)
    {
        out->clear();
        if (!j)
            return true;
        if (j->type != Json::Type::Array)
            return false;
        for (const Json& item : j->items) {
            std::uint64_t v = 0;
            if (!toUnsigned(item, &v) || v > 0x7fffffff)
                return false;
            out->push_back(int(v));
        }
        return true;
    }

    // Object members sorted like JSONB, then put in `order` when it is a permutation of them.
    bool toAttributes(const Json& j, const std::vector<int>& order, Attributes* out)
    {
        if (j.type != Json::Type::Object)
            return false;
        std::vector<std::size_t> sorted(j.members.size());
        std::iota(sorted.begin(), sorted.end(), std::size_t(0));
        std::stable_sort(sorted.begin(), sorted.end(),
            [&j](std::size_t a, std::size_t b) { return sortedKeyLess(j.members[a].first, j.members[b].first); });
        // As JSONB: of a key given twice the last value counts (PostgreSQL never prints duplicates).
        for (std::size_t i = 1; i < sorted.size();) {
            if (j.members[sorted[i - 1]].first == j.members[sorted[i]].first)
                sorted.erase(sorted.begin() + std::ptrdiff_t(i - 1));
            else
                ++i;
        }
        bool usable = order.size() == sorted.size();
        if (usable) {
            std::vector<bool> seen(order.size(), false);
            for (const int i : order) {
                if (i < 0 || std::size_t(i) >= order.size() || seen[std::size_t(i)]) {
                    usable = false;
                    break;
                }
                seen[std::size_t(i)] = true;
            }
        }
        out->clear();
        out->reserve(sorted.size());
        for (std::size_t n = 0; n < sorted.size(); ++n) {
            const auto& member = j.members[sorted[usable ? std::size_t(order[n]) : n]];
            KeyValue kv;
            kv.key = qstring(member.first);
            if (!toValue(member.second, &kv.value))
                return false;
            out->push_back(std::move(kv));
        }
        return true;
    }

    bool toAttributesMember(const Json& object, Attributes* out)
    {
        std::vector<int> order;
        if (!toIntArray(object.member("attribute_order"), &order))
            return false;
        const Json* attributes = object.member("attributes");
        if (!attributes) {
            out->clear();
            return true;
        }
        return toAttributes(*attributes, order, out);
    }

    QString stringMember(const Json& object, std::string_view key, bool* ok)
    {
        const Json* j = object.member(key);
        if (!j)
            return QString();
        if (j->type != Json::Type::String)
            *ok = false;
        return qstring(j->text);
    }

    void appendAttributesAndOrder(std::string& out, const Attributes& attributes, std::uint32_t dropped)
    {
        if (!attributes.empty()) {
            out += ", \"attributes\": ";
            appendAttributes(out, attributes);
            const std::vector<int> order = keyOrder(attributes);
            if (!order.empty()) {
                out += ", \"attribute_order\": ";
                appendIntArray(out, order);
            }
        }
        if (dropped) {
            out += ", \"dropped_attributes_count\": ";
            appendUnsigned(out, dropped);
        }
    }

} // namespace

bool sortedKeyLess(const std::string& a, const std::string& b)
{
    if (a.size() != b.size())
        return a.size() < b.size();
    return a < b; // std::string compares as unsigned bytes (char_traits<char>::compare is memcmp)
}

void appendString(std::string& out, QStringView s)
{
    const std::string bytes = utf8(s);
    appendUtf8Escaped(out, bytes.data(), bytes.size());
}

void appendDouble(std::string& out, double value)
{
    if (std::isnan(value)) {
        out += "\"NaN\"";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        return;
    }
    if (value == 0) {
        out += "0.0"; // PostgreSQL numeric has no -0
        return;
    }
    // Fixed notation with the fewest digits that read back as the same double: PostgreSQL keeps a numeric's digits
    // after the point as written, but turns 1e+20 into 100000000000000000000, which would read back as an integer.
    char buf[400]; // DBL_MAX has 309 digits, the smallest subnormal 324 after the point
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    out.append(buf, r.ptr);
    if (std::find(buf, r.ptr, '.') == r.ptr)
        out += ".0";
}

void appendValue(std::string& out, const AnyValue& value)
{
    switch (value.type) {
    case AnyValue::Type::Empty:
        out += "null";
        break;
    case AnyValue::Type::String:
        appendString(out, value.stringValue);
        break;
    case AnyValue::Type::Bool:
        out += value.boolValue ? "true" : "false";
        break;
    case AnyValue::Type::Int:
        appendSigned(out, value.intValue);
        break;
    case AnyValue::Type::Double:
        appendDouble(out, value.doubleValue);
        break;
    case AnyValue::Type::Bytes: {
        const QByteArray b64 = value.bytesValue.toBase64();
        appendUtf8Escaped(out, b64.constData(), std::size_t(b64.size()));
        break;
    }
    case AnyValue::Type::Array:
        out += '[';
        for (std::size_t i = 0; i < value.arrayValue.size(); ++i) {
            if (i)
                out += ", ";
            appendValue(out, value.arrayValue[i]);
        }
        out += ']';
        break;
    case AnyValue::Type::Map:
        appendAttributes(out, value.mapValue);
        break;
    }
}

void appendAttributes(std::string& out, const Attributes& attributes)
{
    out += '{';
    bool first = true;
    for (const KeyValue& kv : attributes) {
        if (!first)
            out += ", ";
        first = false;
        appendString(out, kv.key);
        out += ": ";
        appendValue(out, kv.value);
    }
    out += '}';
}

std::vector<int> keyOrder(const Attributes& attributes)
{
    if (attributes.size() < 2)
        return {};
    std::vector<std::string> keys; // distinct, in order of first occurrence
    keys.reserve(attributes.size());
    for (const KeyValue& kv : attributes) {
        std::string key = storedUtf8(kv.key);
        // Attribute lists are short; a linear scan beats hashing here.
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            keys.push_back(std::move(key));
    }
    std::vector<int> sorted(keys.size());
    std::iota(sorted.begin(), sorted.end(), 0);
    std::sort(sorted.begin(), sorted.end(),
        [&keys](int a, int b) { return sortedKeyLess(keys[std::size_t(a)], keys[std::size_t(b)]); });
    // rank[k] = position of original key k in the sorted order
    std::vector<int> rank(keys.size());
    bool identity = true;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        rank[std::size_t(sorted[i])] = int(i);
        identity = identity && sorted[i] == int(i);
    }
    if (identity)
        return {};
    return rank;
}

void appendIntArray(std::string& out, const std::vector<int>& values)
{
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i)
            out += ", ";
        appendSigned(out, values[i]);
    }
    out += ']';
}

void appendEvents(std::string& out, const std::vector<SpanEvent>& events)
{
    out += '[';
    for (std::size_t i = 0; i < events.size(); ++i) {
        const SpanEvent& e = events[i];
        if (i)
            out += ", ";
        out += "{\"name\": ";
        appendString(out, e.name);
        out += ", \"time_unix_nano\": ";
        appendUnsigned(out, e.timeUnixNano);
        appendAttributesAndOrder(out, e.attributes, e.droppedAttributesCount);
        out += '}';
    }
    out += ']';
}

void appendLinks(std::string& out, const std::vector<SpanLink>& links)
{
    out += '[';
    for (std::size_t i = 0; i < links.size(); ++i) {
        const SpanLink& l = links[i];
        if (i)
            out += ", ";
        out += "{\"trace_id\": \"";
        out += l.traceId.toBytes().toHex().constData();
        out += "\", \"span_id\": \"";
        out += l.spanId.toBytes().toHex().constData();
        out += '"';
        if (!l.traceState.isEmpty()) {
            out += ", \"trace_state\": ";
            appendString(out, l.traceState);
        }
        if (l.flags) {
            out += ", \"flags\": ";
            appendUnsigned(out, l.flags);
        }
        appendAttributesAndOrder(out, l.attributes, l.droppedAttributesCount);
        out += '}';
    }
    out += ']';
}

bool parseAttributes(std::string_view json, const std::vector<int>& order, Attributes* out)
{
    Json j;
    return parse(json, &j) && toAttributes(j, order, out);
}

bool parseEvents(std::string_view json, std::vector<SpanEvent>* out)
{
    out->clear();
    Json j;
    if (!parse(json, &j) || j.type != Json::Type::Array)
        return false;
    out->reserve(j.items.size());
    for (const Json& item : j.items) {
        if (item.type != Json::Type::Object)
            return false;
        SpanEvent e;
        bool ok = true;
        e.name = stringMember(item, "name", &ok);
        const Json* time = item.member("time_unix_nano");
        ok = ok && (!time || toUnsigned(*time, &e.timeUnixNano));
        ok = ok && toUint32(item.member("dropped_attributes_count"), &e.droppedAttributesCount);
        ok = ok && toAttributesMember(item, &e.attributes);
        if (!ok)
            return false;
        out->push_back(std::move(e));
    }
    return true;
}

bool parseLinks(std::string_view json, std::vector<SpanLink>* out)
{
    out->clear();
    Json j;
    if (!parse(json, &j) || j.type != Json::Type::Array)
        return false;
    out->reserve(j.items.size());
    for (const Json& item : j.items) {
        if (item.type != Json::Type::Object)
            return false;
        SpanLink l;
        bool ok = true;
        bool idOk = true;
        l.traceId = TraceId::fromHex(stringMember(item, "trace_id", &ok), &idOk);
        ok = ok && idOk;
        l.spanId = SpanId::fromHex(stringMember(item, "span_id", &ok), &idOk);
        ok = ok && idOk;
        l.traceState = stringMember(item, "trace_state", &ok);
        ok = ok && toUint32(item.member("flags"), &l.flags);
        ok = ok && toUint32(item.member("dropped_attributes_count"), &l.droppedAttributesCount);
        ok = ok && toAttributesMember(item, &l.attributes);
        if (!ok)
            return false;
        out->push_back(std::move(l));
    }
    return true;
}

bool parseValue(std::string_view json, AnyValue* out)
{
    *out = AnyValue();
    Json j;
    return parse(json, &j) && toValue(j, out);
}

bool parseIntArray(std::string_view json, std::vector<int>* out)
{
    out->clear();
    if (json.empty())
        return true;
    Json j;
    return parse(json, &j) && toIntArray(&j, out);
}

std::string keyOrders(const std::vector<int>& span, const std::vector<int>& resource, const std::vector<int>& scope)
{
    std::string out;
    const auto add = [&out](const char* name, const std::vector<int>& order) {
        if (order.empty())
            return;
        out += out.empty() ? "{\"" : ", \"";
        out += name;
        out += "\": ";
        appendIntArray(out, order);
    };
    add("span", span);
    add("resource", resource);
    add("scope", scope);
    if (!out.empty())
        out += '}';
    return out;
}

bool parseKeyOrders(std::string_view json, std::vector<int>* span, std::vector<int>* resource, std::vector<int>* scope)
{
    span->clear();
    resource->clear();
    scope->clear();
    if (json.empty())
        return true;
    Json j;
    return parse(json, &j) && j.type == Json::Type::Object && toIntArray(j.member("span"), span)
        && toIntArray(j.member("resource"), resource) && toIntArray(j.member("scope"), scope);
}

} // namespace PostgresJson
