#include "ingest/codec/otlpjsoncodec.h"

#include "ingest/codec/otlpcodec_p.h"
#include "model/jsonstring.h"
#include "model/span.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLocale>

#include <cmath>
#include <limits>

using namespace OtlpCodecPrivate;

namespace {

// Keys are matched in both spellings protobuf's JSON parser accepts: lowerCamelCase (OTLP/JSON) and the
// original snake_case proto field name.
bool keyIs(const QString& key, const char* camel, const char* snake = nullptr)
{
    return key == QLatin1StringView(camel) || (snake && key == QLatin1StringView(snake));
}

const char* const SpanKindNames[] = { "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER" };
const char* const StatusCodeNames[] = { "STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR" };
const char* const SeverityNumberNames[] = { "SEVERITY_NUMBER_UNSPECIFIED", "SEVERITY_NUMBER_TRACE",
    "SEVERITY_NUMBER_TRACE2", "SEVERITY_NUMBER_TRACE3", "SEVERITY_NUMBER_TRACE4", "SEVERITY_NUMBER_DEBUG",
    "SEVERITY_NUMBER_DEBUG2", "SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4", "SEVERITY_NUMBER_INFO",
    "SEVERITY_NUMBER_INFO2", "SEVERITY_NUMBER_INFO3", "SEVERITY_NUMBER_INFO4", "SEVERITY_NUMBER_WARN",
    "SEVERITY_NUMBER_WARN2", "SEVERITY_NUMBER_WARN3", "SEVERITY_NUMBER_WARN4", "SEVERITY_NUMBER_ERROR",
    "SEVERITY_NUMBER_ERROR2", "SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4", "SEVERITY_NUMBER_FATAL",
    "SEVERITY_NUMBER_FATAL2", "SEVERITY_NUMBER_FATAL3", "SEVERITY_NUMBER_FATAL4" };

// Where an id is in its decoding: absent/empty string, decoded, or present but not an id at all.
enum class IdState { Empty, Valid, Malformed };

/**
 * Decodes one request from a QJsonDocument tree. Functions return false on a structural error, after which
 * m_error holds "<path>: <what>"; id problems are not structural (see readId).
 */
class JsonDecoder {
public:
    /// "<path>: <what>" after a failed decodeRequest.
    QString error() const { return m_error; }

    bool decodeRequest(const QJsonObject& root, DecodeResult& result) { return decodeSignal<SpanSignal>(root, result); }

    bool decodeLogsRequest(const QJsonObject& root, DecodeResult& result)
    {
        return decodeSignal<LogSignal>(root, result);
    }

private:
    QString m_error;

    struct PathElement {
        const char* name;
        qsizetype index;
    };
    std::vector<PathElement> m_path;

    struct PathGuard {
        PathGuard(JsonDecoder* decoder, const char* name, qsizetype index = -1)
            : m_decoder(decoder)
        {
            m_decoder->m_path.push_back(PathElement { name, index });
        }
        ~PathGuard() { m_decoder->m_path.pop_back(); }
        PathGuard(const PathGuard&) = delete;
        PathGuard& operator=(const PathGuard&) = delete;
        JsonDecoder* m_decoder;
    };

    QString path() const
    {
        QString out;
        for (const PathElement& element : m_path) {
            if (!out.isEmpty())
                out += QLatin1Char('.');
            out += QLatin1StringView(element.name);
            if (element.index >= 0)
                out += QLatin1Char('[') + QString::number(element.index) + QLatin1Char(']');
        }
        return out;
    }

    static QString quoted(const QString& s)
    {
        constexpr qsizetype MaxShown = 48;
        const QString shown = s.size() > MaxShown ? QString(s.left(MaxShown) + QStringLiteral("...")) : s;
        return QLatin1Char('"') + shown + QLatin1Char('"');
    }

    static QString describe(const QJsonValue& v)
    {
        switch (v.type()) {
        case QJsonValue::Null:
            return QStringLiteral("null");
        case QJsonValue::Bool:
            return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QJsonValue::Double:
            return QString::number(v.toDouble(), 'g', 17);
        case QJsonValue::String:
            return quoted(v.toString());
        case QJsonValue::Array:
            return QStringLiteral("an array");
        case QJsonValue::Object:
            return QStringLiteral("an object");
        case QJsonValue::Undefined:
            break;
        }
        return QStringLiteral("nothing");
    }

    bool fail(const QString& what)
    {
        const QString where = path();
        m_error = where.isEmpty() ? what : where + QStringLiteral(": ") + what;
        return false;
    }
    bool expected(const char* what, const QJsonValue& got)
    {
        return fail(QStringLiteral("expected ") + QLatin1StringView(what) + QStringLiteral(", got ") + describe(got));
    }

    // null means "default value" in protobuf's JSON mapping, for every field type.

    bool readObject(const QJsonValue& v, QJsonObject& out)
    {
        if (v.isObject())
            out = v.toObject();
        else if (!v.isNull())
            return expected("an object", v);
        return true;
    }
    bool readArray(const QJsonValue& v, QJsonArray& out)
    {
        if (v.isArray())
            out = v.toArray();
        else if (!v.isNull())
            return expected("an array", v);
        return true;
    }
    bool readString(const QJsonValue& v, QString& out)
    {
        if (v.isString())
            out = v.toString();
        else if (!v.isNull())
            return expected("a string", v);
        return true;
    }
    bool readBool(const QJsonValue& v, bool& out)
    {
        if (v.isBool())
            out = v.toBool();
        else if (!v.isNull())
            return expected("true or false", v);
        return true;
    }

    /// Strict decimal digits with an optional '-' (no spaces, no '+'), as protobuf writes 64-bit integers.
    static bool parseDecimal(const QString& s, bool allowNegative, quint64* magnitude, bool* negative)
    {
        qsizetype i = 0;
        *negative = allowNegative && s.startsWith(QLatin1Char('-'));
        if (*negative)
            ++i;
        if (i == s.size())
            return false;
        quint64 value = 0;
        for (; i < s.size(); ++i) {
            const char16_t c = s[i].unicode();
            if (c < u'0' || c > u'9')
                return false;
            const unsigned digit = c - u'0';
            if (value > (std::numeric_limits<quint64>::max() - digit) / 10)
                return false;
            value = value * 10 + digit;
        }
        *magnitude = value;
        return true;
    }

    bool readUInt64(const QJsonValue& v, quint64& out)
    {
        if (v.isNull())
            return true;
        if (v.isString()) {
            bool negative = false;
            if (!parseDecimal(v.toString(), false, &out, &negative))
                return expected("an unsigned 64-bit integer", v);
            return true;
        }
        if (!v.isDouble())
            return expected("an unsigned 64-bit integer", v);
        // QJsonDocument keeps integral JSON numbers that fit qint64 exactly; only larger ones are doubles.
        const double d = v.toDouble();
        const qint64 i = v.toInteger(0);
        if (double(i) == d && i >= 0) {
            out = quint64(i);
            return true;
        }
        if (d >= 9223372036854775808.0 && d < 18446744073709551616.0 && std::floor(d) == d) {
            out = quint64(d); // above 2^63 as a JSON number: precision already lost in the parser
            return true;
        }
        return expected("an unsigned 64-bit integer", v);
    }

    bool readInt64(const QJsonValue& v, qint64& out)
    {
        if (v.isNull())
            return true;
        if (v.isString()) {
            quint64 magnitude = 0;
            bool negative = false;
            if (!parseDecimal(v.toString(), true, &magnitude, &negative)
                || magnitude > quint64(std::numeric_limits<qint64>::max()) + (negative ? 1 : 0))
                return expected("a signed 64-bit integer", v);
            out = negative ? qint64(0 - magnitude) : qint64(magnitude);
            return true;
        }
        if (!v.isDouble())
            return expected("a signed 64-bit integer", v);
        const double d = v.toDouble();
        const qint64 i = v.toInteger(0);
        if (double(i) != d)
            return expected("a signed 64-bit integer", v);
        out = i;
        return true;
    }

    bool readUInt32(const QJsonValue& v, quint32& out)
    {
        quint64 wide = 0;
        if (!readUInt64(v, wide))
            return false;
        if (wide > std::numeric_limits<quint32>::max())
            return expected("an unsigned 32-bit integer", v);
        out = quint32(wide);
        return true;
    }

    bool readDouble(const QJsonValue& v, double& out)
    {
        if (v.isNull())
            return true;
        if (v.isDouble()) {
            out = v.toDouble();
            return true;
        }
        if (v.isString()) {
            // Protobuf's JSON mapping writes non-finite doubles as these strings, and accepts quoted numbers.
            const QString s = v.toString();
            if (s == QLatin1StringView("NaN")) {
                out = std::numeric_limits<double>::quiet_NaN();
                return true;
            }
            if (s == QLatin1StringView("Infinity") || s == QLatin1StringView("-Infinity")) {
                out = s.startsWith(QLatin1Char('-')) ? -std::numeric_limits<double>::infinity()
                                                      : std::numeric_limits<double>::infinity();
                return true;
            }
            bool ok = false;
            const double d = s.toDouble(&ok);
            if (ok && !s.isEmpty() && !s.front().isSpace() && !s.back().isSpace()) {
                out = d;
                return true;
            }
        }
        return expected("a number", v);
    }

    /// An enum as its number (OTLP/JSON) or its proto name (generic mapping). Unknown numbers are kept
    /// for the caller to map; unknown names are an error, as in protobuf's parser.
    bool readEnum(const QJsonValue& v, const char* const* names, int count, int& out)
    {
        if (v.isNull())
            return true;
        if (v.isString()) {
            const QString s = v.toString();
            for (int i = 0; i < count; ++i) {
                if (s == QLatin1StringView(names[i])) {
                    out = i;
                    return true;
                }
            }
            return fail(QStringLiteral("unknown enum value ") + quoted(s));
        }
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (std::floor(d) == d && d >= std::numeric_limits<int>::min() && d <= std::numeric_limits<int>::max()) {
                out = int(d);
                return true;
            }
        }
        return expected("an enum number or name", v);
    }

    bool readBytes(const QJsonValue& v, QByteArray& out)
    {
        if (v.isNull())
            return true;
        if (v.isString()) {
            const QByteArray latin1 = v.toString().toLatin1();
            // Protobuf's parser accepts both the standard and the URL-safe base64 alphabet.
            auto decoded = QByteArray::fromBase64Encoding(latin1, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                decoded = QByteArray::fromBase64Encoding(
                    latin1, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
            if (decoded) {
                out = std::move(decoded.decoded);
                return true;
            }
        }
        return expected("base64 bytes", v);
    }

    /**
     * A trace or span id: 2*N hex digits in either case (OTLP/JSON) or base64 of N bytes (protobuf's
     * generic mapping). A value of another JSON type is a structural error; a string that is neither gives
     * state Malformed and a reason in `problem`, so the caller rejects just that span.
     */
    template <std::size_t N>
    bool readId(const QJsonValue& v, const char* field, FixedId<N>& id, IdState& state, QString& problem)
    {
        state = IdState::Empty;
        if (v.isNull())
            return true;
        if (!v.isString())
            return expected("an id string", v);
        const QString s = v.toString();
        if (s.isEmpty())
            return true;
        bool ok = false;
        id = FixedId<N>::fromHex(s, &ok);
        if (!ok) {
            const QByteArray latin1 = s.toLatin1();
            auto decoded = QByteArray::fromBase64Encoding(latin1, QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                decoded = QByteArray::fromBase64Encoding(
                    latin1, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
            if (decoded)
                id = FixedId<N>::fromBytes(decoded.decoded, &ok);
        }
        if (ok) {
            state = IdState::Valid;
            return true;
        }
        state = IdState::Malformed;
        problem = QLatin1StringView(field) + QStringLiteral(": expected ") + QString::number(2 * N)
            + QStringLiteral(" hex digits (or base64 of ") + QString::number(N) + QStringLiteral(" bytes), got ")
            + quoted(s);
        return true;
    }

    bool decodeValue(const QJsonValue& v, AnyValue& out)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        out = AnyValue();
        int set = 0;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            const QJsonValue value = it.value();
            if (value.isNull())
                continue;
            bool known = true;
            bool ok = true;
            if (keyIs(key, "stringValue", "string_value")) {
                PathGuard guard(this, "stringValue");
                out.type = AnyValue::Type::String;
                ok = readString(value, out.stringValue);
            } else if (keyIs(key, "boolValue", "bool_value")) {
                PathGuard guard(this, "boolValue");
                out.type = AnyValue::Type::Bool;
                ok = readBool(value, out.boolValue);
            } else if (keyIs(key, "intValue", "int_value")) {
                PathGuard guard(this, "intValue");
                out.type = AnyValue::Type::Int;
                qint64 i = 0;
                ok = readInt64(value, i);
                out.intValue = i;
            } else if (keyIs(key, "doubleValue", "double_value")) {
                PathGuard guard(this, "doubleValue");
                out.type = AnyValue::Type::Double;
                ok = readDouble(value, out.doubleValue);
            } else if (keyIs(key, "bytesValue", "bytes_value")) {
                PathGuard guard(this, "bytesValue");
                out.type = AnyValue::Type::Bytes;
                ok = readBytes(value, out.bytesValue);
            } else if (keyIs(key, "arrayValue", "array_value")) {
                PathGuard guard(this, "arrayValue");
                out.type = AnyValue::Type::Array;
                ok = decodeArrayValue(value, out.arrayValue);
            } else if (keyIs(key, "kvlistValue", "kvlist_value")) {
                PathGuard guard(this, "kvlistValue");
                out.type = AnyValue::Type::Map;
                QJsonObject list;
                ok = readObject(value, list);
                PathGuard valuesGuard(this, "values");
                ok = ok && decodeAttributes(list.value(QLatin1StringView("values")), out.mapValue);
            } else {
                known = false;
            }
            if (!ok)
                return false;
            if (known && ++set > 1)
                return fail(QStringLiteral("more than one of the AnyValue fields is set"));
        }
        return true;
    }

    bool decodeArrayValue(const QJsonValue& v, std::vector<AnyValue>& out)
    {
        QJsonObject o;
        QJsonArray values;
        if (!readObject(v, o))
            return false;
        PathGuard guard(this, "values");
        if (!readArray(o.value(QLatin1StringView("values")), values))
            return false;
        out.resize(std::size_t(values.size()));
        for (qsizetype i = 0; i < values.size(); ++i) {
            m_path.back().index = i;
            if (!decodeValue(values.at(i), out[std::size_t(i)]))
                return false;
        }
        return true;
    }

    /// A JSON array of KeyValue objects (attributes, kvlistValue.values); the caller has pushed the path
    /// element of the array field, which gets the element index.
    bool decodeAttributes(const QJsonValue& v, Attributes& out)
    {
        QJsonArray array;
        if (!readArray(v, array))
            return false;
        out.resize(std::size_t(array.size()));
        for (qsizetype i = 0; i < array.size(); ++i) {
            m_path.back().index = i;
            QJsonObject kv;
            if (!readObject(array.at(i), kv))
                return false;
            KeyValue& target = out[std::size_t(i)];
            for (auto it = kv.constBegin(); it != kv.constEnd(); ++it) {
                if (keyIs(it.key(), "key")) {
                    PathGuard guard(this, "key");
                    if (!readString(it.value(), target.key))
                        return false;
                } else if (keyIs(it.key(), "value")) {
                    PathGuard guard(this, "value");
                    if (!decodeValue(it.value(), target.value))
                        return false;
                }
            }
        }
        return true;
    }

    bool decodeResource(const QJsonValue& v, Resource& out)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            if (keyIs(key, "attributes")) {
                PathGuard guard(this, "attributes");
                if (!decodeAttributes(it.value(), out.attributes))
                    return false;
            } else if (keyIs(key, "droppedAttributesCount", "dropped_attributes_count")) {
                PathGuard guard(this, "droppedAttributesCount");
                if (!readUInt32(it.value(), out.droppedAttributesCount))
                    return false;
            }
        }
        return true;
    }

    bool decodeScope(const QJsonValue& v, InstrumentationScope& out)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            bool ok = true;
            if (keyIs(key, "name")) {
                PathGuard guard(this, "name");
                ok = readString(it.value(), out.name);
            } else if (keyIs(key, "version")) {
                PathGuard guard(this, "version");
                ok = readString(it.value(), out.version);
            } else if (keyIs(key, "attributes")) {
                PathGuard guard(this, "attributes");
                ok = decodeAttributes(it.value(), out.attributes);
            } else if (keyIs(key, "droppedAttributesCount", "dropped_attributes_count")) {
                PathGuard guard(this, "droppedAttributesCount");
                ok = readUInt32(it.value(), out.droppedAttributesCount);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    /// One OTLP signal as the decoder walks it: its keys (camelCase, and snake_case where it differs), how one item
    /// decodes, the path that names an item in a rejection, the content check, and where accepted items go.
    struct SpanSignal {
        using Item = Span;
        static constexpr Rejections::Kind kind = Rejections::Kind::Spans;
        static constexpr const char* resources = "resourceSpans";
        static constexpr const char* resourcesSnake = "resource_spans";
        static constexpr const char* scopes = "scopeSpans";
        static constexpr const char* scopesSnake = "scope_spans";
        static constexpr const char* items = "spans";
        static constexpr const char* itemsSnake = nullptr;
        static bool decode(JsonDecoder& decoder, const QJsonValue& v, Span& out, QString& problem, QString& field)
        {
            return decoder.decodeSpan(v, out, problem, field);
        }
        static QString path(int r, int s, int i) { return spanPath(r, s, i); }
        static QString content(const Span& span, QString* field) { return contentProblem(span, field); }
        static std::vector<Span>& target(SpanBatch& batch) { return batch.spans; }
    };

    struct LogSignal {
        using Item = LogRecord;
        static constexpr Rejections::Kind kind = Rejections::Kind::LogRecords;
        static constexpr const char* resources = "resourceLogs";
        static constexpr const char* resourcesSnake = "resource_logs";
        static constexpr const char* scopes = "scopeLogs";
        static constexpr const char* scopesSnake = "scope_logs";
        static constexpr const char* items = "logRecords";
        static constexpr const char* itemsSnake = "log_records";
        static bool decode(JsonDecoder& decoder, const QJsonValue& v, LogRecord& out, QString& problem, QString& field)
        {
            return decoder.decodeLogRecord(v, out, problem, field);
        }
        static QString path(int r, int s, int i) { return logRecordPath(r, s, i); }
        static QString content(const LogRecord& record, QString* field) { return logContentProblem(record, field); }
        static std::vector<LogRecord>& target(SpanBatch& batch) { return batch.logs; }
    };

    /// An export request of one signal: every resources array in the root (both spellings), in order.
    template <typename Signal> bool decodeSignal(const QJsonObject& root, DecodeResult& result)
    {
        SpanBatch& batch = result.batch;
        Rejections rejections(Signal::kind);
        for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
            if (!keyIs(it.key(), Signal::resources, Signal::resourcesSnake))
                continue;
            PathGuard guard(this, Signal::resources);
            QJsonArray array;
            if (!readArray(it.value(), array))
                return false;
            for (qsizetype r = 0; r < array.size(); ++r) {
                m_path.back().index = r;
                if (!decodeResourceItems<Signal>(array.at(r), int(r), batch, rejections))
                    return false;
            }
        }
        rejections.writeTo(result);
        return true;
    }

    template <typename Signal>
    bool decodeResourceItems(const QJsonValue& v, int r, SpanBatch& batch, Rejections& rejections)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        auto resource = std::make_shared<Resource>();
        QJsonValue scopes;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            bool ok = true;
            if (keyIs(key, "resource")) {
                PathGuard guard(this, "resource");
                ok = decodeResource(it.value(), *resource);
            } else if (keyIs(key, "schemaUrl", "schema_url")) {
                PathGuard guard(this, "schemaUrl");
                ok = readString(it.value(), resource->schemaUrl);
            } else if (keyIs(key, Signal::scopes, Signal::scopesSnake)) {
                scopes = it.value(); // after the resource is complete, whatever the key order
            }
            if (!ok)
                return false;
        }
        const std::shared_ptr<const Resource> shared = std::move(resource);
        PathGuard guard(this, Signal::scopes);
        QJsonArray array;
        if (!readArray(scopes, array))
            return false;
        for (qsizetype s = 0; s < array.size(); ++s) {
            m_path.back().index = s;
            if (!decodeScopeItems<Signal>(array.at(s), shared, r, int(s), batch, rejections))
                return false;
        }
        return true;
    }

    template <typename Signal>
    bool decodeScopeItems(const QJsonValue& v, const std::shared_ptr<const Resource>& resource, int r, int s,
        SpanBatch& batch, Rejections& rejections)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        auto scope = std::make_shared<InstrumentationScope>();
        QJsonValue items;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            bool ok = true;
            if (keyIs(key, "scope")) {
                PathGuard guard(this, "scope");
                ok = decodeScope(it.value(), *scope);
            } else if (keyIs(key, "schemaUrl", "schema_url")) {
                PathGuard guard(this, "schemaUrl");
                ok = readString(it.value(), scope->schemaUrl);
            } else if (keyIs(key, Signal::items, Signal::itemsSnake)) {
                items = it.value();
            }
            if (!ok)
                return false;
        }
        const std::shared_ptr<const InstrumentationScope> shared = std::move(scope);
        PathGuard guard(this, Signal::items);
        QJsonArray array;
        if (!readArray(items, array))
            return false;
        auto& target = Signal::target(batch);
        target.reserve(target.size() + std::size_t(array.size()));
        for (qsizetype i = 0; i < array.size(); ++i) {
            m_path.back().index = i;
            typename Signal::Item item;
            QString problem;
            QString field;
            if (!Signal::decode(*this, array.at(i), item, problem, field))
                return false;
            if (!problem.isEmpty()) {
                rejections.add(Signal::path(r, s, int(i)), problem, field);
                continue;
            }
            item.resource = resource;
            item.scope = shared;
            if (const QString content = Signal::content(item, &field); !content.isEmpty()) {
                rejections.add(Signal::path(r, s, int(i)), content, field);
                continue;
            }
            target.push_back(std::move(item));
        }
        return true;
    }

    /// As decodeSpan: a structural error fails (false); ids that make just this record unusable give `problem` and
    /// `field`. Empty or all-zero ids are "no trace context" (kept as all-zero ids).
    bool decodeLogRecord(const QJsonValue& v, LogRecord& out, QString& problem, QString& field)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        IdState traceState = IdState::Empty, spanState = IdState::Empty;
        QString traceProblem, spanProblem;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            const QJsonValue value = it.value();
            bool ok = true;
            if (keyIs(key, "traceId", "trace_id")) {
                PathGuard guard(this, "traceId");
                ok = readId(value, "traceId", out.traceId, traceState, traceProblem);
            } else if (keyIs(key, "spanId", "span_id")) {
                PathGuard guard(this, "spanId");
                ok = readId(value, "spanId", out.spanId, spanState, spanProblem);
            } else if (keyIs(key, "timeUnixNano", "time_unix_nano")) {
                PathGuard guard(this, "timeUnixNano");
                quint64 t = 0;
                ok = readUInt64(value, t);
                out.timeUnixNano = t;
            } else if (keyIs(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
                PathGuard guard(this, "observedTimeUnixNano");
                quint64 t = 0;
                ok = readUInt64(value, t);
                out.observedTimeUnixNano = t;
            } else if (keyIs(key, "severityNumber", "severity_number")) {
                PathGuard guard(this, "severityNumber");
                // Open enum: numbers this build has no name for are kept as they are.
                ok = readEnum(value, SeverityNumberNames, int(std::size(SeverityNumberNames)), out.severityNumber);
            } else if (keyIs(key, "severityText", "severity_text")) {
                PathGuard guard(this, "severityText");
                ok = readString(value, out.severityText);
            } else if (keyIs(key, "body")) {
                PathGuard guard(this, "body");
                ok = value.isNull() || decodeValue(value, out.body);
            } else if (keyIs(key, "attributes")) {
                PathGuard guard(this, "attributes");
                ok = decodeAttributes(value, out.attributes);
            } else if (keyIs(key, "droppedAttributesCount", "dropped_attributes_count")) {
                PathGuard guard(this, "droppedAttributesCount");
                ok = readUInt32(value, out.droppedAttributesCount);
            } else if (keyIs(key, "flags")) {
                PathGuard guard(this, "flags");
                ok = readUInt32(value, out.flags);
            } else if (keyIs(key, "eventName", "event_name")) {
                PathGuard guard(this, "eventName");
                ok = readString(value, out.eventName);
            }
            if (!ok)
                return false;
        }
        if (traceState == IdState::Malformed) {
            problem = traceProblem;
            field = QStringLiteral("traceId");
        } else if (spanState == IdState::Malformed) {
            problem = spanProblem;
            field = QStringLiteral("spanId");
        } else {
            problem = logIdProblem(traceState == IdState::Valid ? 16 : 0, spanState == IdState::Valid ? 8 : 0,
                !out.traceId.isValid(), !out.spanId.isValid(), &field);
        }
        return true;
    }

    /// Why the ids make the span unusable, or an empty string; `what` is the id's field name.
    template <std::size_t N>
    static QString idStateProblem(IdState state, const FixedId<N>& id, const QString& formatProblem,
        const char* what, bool mayBeEmpty)
    {
        switch (state) {
        case IdState::Malformed:
            return formatProblem;
        case IdState::Empty:
            return idProblem(nullptr, 0, N, QLatin1StringView(what), mayBeEmpty);
        case IdState::Valid:
            return idProblem(reinterpret_cast<const char*>(id.data()), N, N, QLatin1StringView(what), mayBeEmpty);
        }
        return QString();
    }

    bool decodeEvent(const QJsonValue& v, SpanEvent& out)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            bool ok = true;
            if (keyIs(key, "timeUnixNano", "time_unix_nano")) {
                PathGuard guard(this, "timeUnixNano");
                quint64 t = 0;
                ok = readUInt64(it.value(), t);
                out.timeUnixNano = t;
            } else if (keyIs(key, "name")) {
                PathGuard guard(this, "name");
                ok = readString(it.value(), out.name);
            } else if (keyIs(key, "attributes")) {
                PathGuard guard(this, "attributes");
                ok = decodeAttributes(it.value(), out.attributes);
            } else if (keyIs(key, "droppedAttributesCount", "dropped_attributes_count")) {
                PathGuard guard(this, "droppedAttributesCount");
                ok = readUInt32(it.value(), out.droppedAttributesCount);
            }
            if (!ok)
                return false;
        }
        return true;
    }

    /// `problem` and `field` ("traceId" or "spanId") say why the link's ids make its span unusable.
    bool decodeLink(const QJsonValue& v, SpanLink& out, QString& problem, QString& field)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        IdState traceState = IdState::Empty;
        IdState spanState = IdState::Empty;
        QString traceProblem;
        QString spanProblem;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            bool ok = true;
            if (keyIs(key, "traceId", "trace_id")) {
                PathGuard guard(this, "traceId");
                ok = readId(it.value(), "traceId", out.traceId, traceState, traceProblem);
            } else if (keyIs(key, "spanId", "span_id")) {
                PathGuard guard(this, "spanId");
                ok = readId(it.value(), "spanId", out.spanId, spanState, spanProblem);
            } else if (keyIs(key, "traceState", "trace_state")) {
                PathGuard guard(this, "traceState");
                ok = readString(it.value(), out.traceState);
            } else if (keyIs(key, "attributes")) {
                PathGuard guard(this, "attributes");
                ok = decodeAttributes(it.value(), out.attributes);
            } else if (keyIs(key, "droppedAttributesCount", "dropped_attributes_count")) {
                PathGuard guard(this, "droppedAttributesCount");
                ok = readUInt32(it.value(), out.droppedAttributesCount);
            } else if (keyIs(key, "flags")) {
                PathGuard guard(this, "flags");
                ok = readUInt32(it.value(), out.flags);
            }
            if (!ok)
                return false;
        }
        // Same rule as the protobuf codec: a link's ids must have the right size; all zeros is tolerated.
        if (traceState != IdState::Valid) {
            problem = traceState == IdState::Malformed ? traceProblem : QStringLiteral("traceId is empty (must be 16 bytes)");
            field = QStringLiteral("traceId");
        } else if (spanState != IdState::Valid) {
            problem = spanState == IdState::Malformed ? spanProblem : QStringLiteral("spanId is empty (must be 8 bytes)");
            field = QStringLiteral("spanId");
        }
        return true;
    }

    bool decodeStatus(const QJsonValue& v, Span& out)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            bool ok = true;
            if (keyIs(key, "message")) {
                PathGuard guard(this, "message");
                ok = readString(it.value(), out.statusMessage);
            } else if (keyIs(key, "code")) {
                PathGuard guard(this, "code");
                int code = 0;
                ok = readEnum(it.value(), StatusCodeNames, 3, code);
                out.statusCode = code >= 0 && code <= 2 ? StatusCode(code) : StatusCode::Unset;
            }
            if (!ok)
                return false;
        }
        return true;
    }

    /// A structural error fails (false); ids that make just this span unusable give `problem` and the member at
    /// fault in `field` (`traceId`, `links[2].spanId`).
    bool decodeSpan(const QJsonValue& v, Span& out, QString& problem, QString& field)
    {
        QJsonObject o;
        if (!readObject(v, o))
            return false;
        IdState traceState = IdState::Empty, spanState = IdState::Empty, parentState = IdState::Empty;
        QString traceProblem, spanProblem, parentProblem, linkProblem, linkField;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            const QString key = it.key();
            const QJsonValue value = it.value();
            bool ok = true;
            if (keyIs(key, "traceId", "trace_id")) {
                PathGuard guard(this, "traceId");
                ok = readId(value, "traceId", out.traceId, traceState, traceProblem);
            } else if (keyIs(key, "spanId", "span_id")) {
                PathGuard guard(this, "spanId");
                ok = readId(value, "spanId", out.spanId, spanState, spanProblem);
            } else if (keyIs(key, "parentSpanId", "parent_span_id")) {
                PathGuard guard(this, "parentSpanId");
                ok = readId(value, "parentSpanId", out.parentSpanId, parentState, parentProblem);
            } else if (keyIs(key, "traceState", "trace_state")) {
                PathGuard guard(this, "traceState");
                ok = readString(value, out.traceState);
            } else if (keyIs(key, "flags")) {
                PathGuard guard(this, "flags");
                ok = readUInt32(value, out.flags);
            } else if (keyIs(key, "name")) {
                PathGuard guard(this, "name");
                ok = readString(value, out.name);
            } else if (keyIs(key, "kind")) {
                PathGuard guard(this, "kind");
                int kind = 0;
                ok = readEnum(value, SpanKindNames, 6, kind);
                // Open enum: a kind this build does not know is shown as unspecified.
                out.kind = kind >= 0 && kind <= 5 ? SpanKind(kind) : SpanKind::Unspecified;
            } else if (keyIs(key, "startTimeUnixNano", "start_time_unix_nano")) {
                PathGuard guard(this, "startTimeUnixNano");
                quint64 t = 0;
                ok = readUInt64(value, t);
                out.startTimeUnixNano = t;
            } else if (keyIs(key, "endTimeUnixNano", "end_time_unix_nano")) {
                PathGuard guard(this, "endTimeUnixNano");
                quint64 t = 0;
                ok = readUInt64(value, t);
                out.endTimeUnixNano = t;
            } else if (keyIs(key, "attributes")) {
                PathGuard guard(this, "attributes");
                ok = decodeAttributes(value, out.attributes);
            } else if (keyIs(key, "droppedAttributesCount", "dropped_attributes_count")) {
                PathGuard guard(this, "droppedAttributesCount");
                ok = readUInt32(value, out.droppedAttributesCount);
            } else if (keyIs(key, "events")) {
                PathGuard guard(this, "events");
                QJsonArray array;
                ok = readArray(value, array);
                out.events.resize(std::size_t(array.size()));
                for (qsizetype e = 0; ok && e < array.size(); ++e) {
                    m_path.back().index = e;
                    ok = decodeEvent(array.at(e), out.events[std::size_t(e)]);
                }
            } else if (keyIs(key, "droppedEventsCount", "dropped_events_count")) {
                PathGuard guard(this, "droppedEventsCount");
                ok = readUInt32(value, out.droppedEventsCount);
            } else if (keyIs(key, "links")) {
                PathGuard guard(this, "links");
                QJsonArray array;
                ok = readArray(value, array);
                out.links.resize(std::size_t(array.size()));
                for (qsizetype l = 0; ok && l < array.size(); ++l) {
                    m_path.back().index = l;
                    QString p;
                    QString f;
                    ok = decodeLink(array.at(l), out.links[std::size_t(l)], p, f);
                    if (!p.isEmpty() && linkProblem.isEmpty()) {
                        const QString link = QStringLiteral("links[") + QString::number(l) + QStringLiteral("].");
                        linkProblem = link + p;
                        linkField = link + f;
                    }
                }
            } else if (keyIs(key, "droppedLinksCount", "dropped_links_count")) {
                PathGuard guard(this, "droppedLinksCount");
                ok = readUInt32(value, out.droppedLinksCount);
            } else if (keyIs(key, "status")) {
                PathGuard guard(this, "status");
                ok = decodeStatus(value, out);
            }
            if (!ok)
                return false;
        }
        problem = idStateProblem(traceState, out.traceId, traceProblem, "traceId", false);
        field = QStringLiteral("traceId");
        if (problem.isEmpty()) {
            problem = idStateProblem(spanState, out.spanId, spanProblem, "spanId", false);
            field = QStringLiteral("spanId");
        }
        if (problem.isEmpty()) {
            problem = idStateProblem(parentState, out.parentSpanId, parentProblem, "parentSpanId", true);
            field = QStringLiteral("parentSpanId");
        }
        if (problem.isEmpty()) {
            problem = linkProblem;
            field = linkField;
        }
        return true;
    }
};

// --- Encoding: a small hand-written writer, so that key order follows the proto (readable in the raw
// payload view) and 64-bit integers are strings as OTLP/JSON requires.

void writeString(QByteArray& out, const QString& s)
{
    const QByteArray utf8 = s.toUtf8();
    appendJsonString(out, utf8.constData(), static_cast<std::size_t>(utf8.size()));
}

/// Writes `{...}` members with the commas in the right places.
class ObjectWriter {
public:
    explicit ObjectWriter(QByteArray& out)
        : m_out(out)
    {
        m_out += '{';
    }
    ~ObjectWriter() { m_out += '}'; }
    ObjectWriter(const ObjectWriter&) = delete;
    ObjectWriter& operator=(const ObjectWriter&) = delete;

    QByteArray& key(const char* name)
    {
        if (!m_first)
            m_out += ',';
        m_first = false;
        m_out += '"';
        m_out += name;
        m_out += "\":";
        return m_out;
    }
    void string(const char* name, const QString& value) { writeString(key(name), value); }
    void stringIfNotEmpty(const char* name, const QString& value)
    {
        if (!value.isEmpty())
            string(name, value);
    }
    /// 64-bit integers as strings (OTLP/JSON), so no JSON reader loses precision.
    void int64String(const char* name, qint64 value) { key(name) += '"' + QByteArray::number(value) + '"'; }
    void uint64String(const char* name, quint64 value) { key(name) += '"' + QByteArray::number(value) + '"'; }
    void uint32IfNotZero(const char* name, quint32 value)
    {
        if (value)
            key(name) += QByteArray::number(value);
    }

private:
    QByteArray& m_out;
    bool m_first = true;
};

void writeAttributes(QByteArray& out, const Attributes& attributes);

void writeValue(QByteArray& out, const AnyValue& value)
{
    ObjectWriter o(out);
    switch (value.type) {
    case AnyValue::Type::Empty:
        break;
    case AnyValue::Type::String:
        o.string("stringValue", value.stringValue);
        break;
    case AnyValue::Type::Bool:
        o.key("boolValue") += value.boolValue ? "true" : "false";
        break;
    case AnyValue::Type::Int:
        o.int64String("intValue", value.intValue);
        break;
    case AnyValue::Type::Double: {
        const double d = value.doubleValue;
        // JSON has no NaN/Infinity; protobuf's mapping spells them as strings, which our decoder reads back.
        if (std::isnan(d))
            o.key("doubleValue") += "\"NaN\"";
        else if (std::isinf(d))
            o.key("doubleValue") += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        else
            o.key("doubleValue") += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
        break;
    }
    case AnyValue::Type::Bytes:
        o.key("bytesValue") += '"' + value.bytesValue.toBase64() + '"';
        break;
    case AnyValue::Type::Array: {
        QByteArray& a = o.key("arrayValue");
        a += "{\"values\":[";
        for (std::size_t i = 0; i < value.arrayValue.size(); ++i) {
            if (i)
                a += ',';
            writeValue(a, value.arrayValue[i]);
        }
        a += "]}";
        break;
    }
    case AnyValue::Type::Map: {
        QByteArray& m = o.key("kvlistValue");
        m += "{\"values\":";
        writeAttributes(m, value.mapValue);
        m += '}';
        break;
    }
    }
}

void writeAttributes(QByteArray& out, const Attributes& attributes)
{
    out += '[';
    for (std::size_t i = 0; i < attributes.size(); ++i) {
        if (i)
            out += ',';
        ObjectWriter kv(out);
        kv.string("key", attributes[i].key);
        writeValue(kv.key("value"), attributes[i].value);
    }
    out += ']';
}

void writeSpan(QByteArray& out, const Span& span)
{
    ObjectWriter o(out);
    o.key("traceId") += '"' + span.traceId.toBytes().toHex() + '"';
    o.key("spanId") += '"' + span.spanId.toBytes().toHex() + '"';
    o.stringIfNotEmpty("traceState", span.traceState);
    if (span.parentSpanId.isValid())
        o.key("parentSpanId") += '"' + span.parentSpanId.toBytes().toHex() + '"';
    o.uint32IfNotZero("flags", span.flags);
    o.string("name", span.name);
    o.key("kind") += QByteArray::number(int(span.kind));
    o.uint64String("startTimeUnixNano", span.startTimeUnixNano);
    o.uint64String("endTimeUnixNano", span.endTimeUnixNano);
    if (!span.attributes.empty())
        writeAttributes(o.key("attributes"), span.attributes);
    o.uint32IfNotZero("droppedAttributesCount", span.droppedAttributesCount);
    if (!span.events.empty()) {
        QByteArray& a = o.key("events");
        a += '[';
        for (std::size_t i = 0; i < span.events.size(); ++i) {
            if (i)
                a += ',';
            const SpanEvent& event = span.events[i];
            ObjectWriter e(a);
            e.uint64String("timeUnixNano", event.timeUnixNano);
            e.string("name", event.name);
            if (!event.attributes.empty())
                writeAttributes(e.key("attributes"), event.attributes);
            e.uint32IfNotZero("droppedAttributesCount", event.droppedAttributesCount);
        }
        a += ']';
    }
    o.uint32IfNotZero("droppedEventsCount", span.droppedEventsCount);
    if (!span.links.empty()) {
        QByteArray& a = o.key("links");
        a += '[';
        for (std::size_t i = 0; i < span.links.size(); ++i) {
            if (i)
                a += ',';
            const SpanLink& link = span.links[i];
            ObjectWriter l(a);
            l.key("traceId") += '"' + link.traceId.toBytes().toHex() + '"';
            l.key("spanId") += '"' + link.spanId.toBytes().toHex() + '"';
            l.stringIfNotEmpty("traceState", link.traceState);
            if (!link.attributes.empty())
                writeAttributes(l.key("attributes"), link.attributes);
            l.uint32IfNotZero("droppedAttributesCount", link.droppedAttributesCount);
            l.uint32IfNotZero("flags", link.flags);
        }
        a += ']';
    }
    o.uint32IfNotZero("droppedLinksCount", span.droppedLinksCount);
    if (span.statusCode != StatusCode::Unset || !span.statusMessage.isEmpty()) {
        ObjectWriter s(o.key("status"));
        s.stringIfNotEmpty("message", span.statusMessage);
        if (span.statusCode != StatusCode::Unset)
            s.key("code") += QByteArray::number(int(span.statusCode));
    }
}

void writeLogRecord(QByteArray& out, const LogRecord& record)
{
    ObjectWriter o(out);
    o.uint64String("timeUnixNano", record.timeUnixNano);
    o.uint64String("observedTimeUnixNano", record.observedTimeUnixNano);
    if (record.severityNumber)
        o.key("severityNumber") += QByteArray::number(record.severityNumber);
    o.stringIfNotEmpty("severityText", record.severityText);
    if (record.body.type != AnyValue::Type::Empty)
        writeValue(o.key("body"), record.body);
    if (!record.attributes.empty())
        writeAttributes(o.key("attributes"), record.attributes);
    o.uint32IfNotZero("droppedAttributesCount", record.droppedAttributesCount);
    o.uint32IfNotZero("flags", record.flags);
    // No trace context: no ids at all (an empty id is the OTLP/JSON default).
    if (record.traceId.isValid())
        o.key("traceId") += '"' + record.traceId.toBytes().toHex() + '"';
    if (record.spanId.isValid())
        o.key("spanId") += '"' + record.spanId.toBytes().toHex() + '"';
    o.stringIfNotEmpty("eventName", record.eventName);
}

/// Re-indents JSON that is known to be valid; strings are copied byte for byte.
QByteArray reindent(const QByteArray& json)
{
    QByteArray out;
    out.reserve(json.size() * 2);
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    auto newline = [&out, &depth] {
        out += '\n';
        out.append(qsizetype(depth) * 2, ' ');
    };
    const qsizetype n = json.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = json[i];
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[': {
            out += c;
            qsizetype j = i + 1;
            while (j < n && (json[j] == ' ' || json[j] == '\n' || json[j] == '\r' || json[j] == '\t'))
                ++j;
            if (j < n && (json[j] == '}' || json[j] == ']')) {
                out += json[j]; // keep {} and [] on one line
                i = j;
            } else {
                ++depth;
                newline();
            }
            break;
        }
        case '}':
        case ']':
            --depth;
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += ": ";
            break;
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            break;
        default:
            out += c;
        }
    }
    out += '\n';
    return out;
}

} // namespace

namespace {

/// Parses `body` and lets `decode` (a JsonDecoder member) fill the result; `message` names the expected request.
DecodeResult decodeJson(
    const QByteArray& body, const char* message, bool (JsonDecoder::*decode)(const QJsonObject&, DecodeResult&))
{
    DecodeResult result;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = QStringLiteral("JSON parse error at byte offset ") + QString::number(parseError.offset)
            + QStringLiteral(": ") + parseError.errorString();
        return result;
    }
    if (!doc.isObject()) {
        result.error = QStringLiteral("expected a JSON object (") + QLatin1StringView(message)
            + QStringLiteral(") at the top level");
        return result;
    }
    JsonDecoder decoder;
    if (!(decoder.*decode)(doc.object(), result)) {
        result.error = decoder.error();
        result.batch = SpanBatch(); // nothing half-decoded leaves here
        result.rejections.clear();
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace

DecodeResult OtlpJsonCodec::decodeRequest(const QByteArray& body)
{
    return decodeJson(body, "ExportTraceServiceRequest", &JsonDecoder::decodeRequest);
}

DecodeResult OtlpJsonCodec::decodeLogsRequest(const QByteArray& body)
{
    return decodeJson(body, "ExportLogsServiceRequest", &JsonDecoder::decodeLogsRequest);
}

namespace {

/// Keys of one OTLP signal's request: resourceSpans/scopeSpans/spans or resourceLogs/scopeLogs/logRecords.
struct SignalKeys {
    const char* resources;
    const char* scopes;
    const char* items;
};

/**
 * An OTLP/JSON export request of `items` (spans or log records) grouped by resource and scope content, in order of
 * first appearance; writeItem(out, item) writes one item object. Shared by the span and log record encoders.
 */
template <typename Item, typename WriteItem>
QByteArray encodeGrouped(const std::vector<Item>& items, const SignalKeys& keys, qsizetype bytesPerItem,
                         WriteItem writeItem, bool pretty)
{
    QByteArray out;
    out.reserve(qsizetype(items.size()) * bytesPerItem + 64);
    {
        ObjectWriter root(out);
        QByteArray& resourceArray = root.key(keys.resources);
        resourceArray += '[';
        bool firstResource = true;
        for (const auto& group : groupByResourceAndScope(items)) {
            if (!firstResource)
                resourceArray += ',';
            firstResource = false;
            ObjectWriter rs(resourceArray);
            {
                ObjectWriter res(rs.key("resource"));
                if (!group.resource->attributes.empty())
                    writeAttributes(res.key("attributes"), group.resource->attributes);
                res.uint32IfNotZero("droppedAttributesCount", group.resource->droppedAttributesCount);
            }
            QByteArray& scopeArray = rs.key(keys.scopes);
            scopeArray += '[';
            bool firstScope = true;
            for (const auto& scopeGroup : group.scopes) {
                if (!firstScope)
                    scopeArray += ',';
                firstScope = false;
                ObjectWriter ss(scopeArray);
                const InstrumentationScope& scope = *scopeGroup.scope;
                {
                    ObjectWriter sc(ss.key("scope"));
                    sc.stringIfNotEmpty("name", scope.name);
                    sc.stringIfNotEmpty("version", scope.version);
                    if (!scope.attributes.empty())
                        writeAttributes(sc.key("attributes"), scope.attributes);
                    sc.uint32IfNotZero("droppedAttributesCount", scope.droppedAttributesCount);
                }
                QByteArray& itemArray = ss.key(keys.items);
                itemArray += '[';
                for (std::size_t i = 0; i < scopeGroup.items.size(); ++i) {
                    if (i)
                        itemArray += ',';
                    writeItem(itemArray, *scopeGroup.items[i]);
                }
                itemArray += ']';
                ss.stringIfNotEmpty("schemaUrl", scope.schemaUrl);
            }
            scopeArray += ']';
            rs.stringIfNotEmpty("schemaUrl", group.resource->schemaUrl);
        }
        resourceArray += ']';
    }
    return pretty ? reindent(out) : out;
}

/// An export response: `{}`, or a partialSuccess with `rejectedKey` (unless `rejected` is 0) and errorMessage.
QByteArray encodeExportResponse(const char* rejectedKey, qint64 rejected, const QString& errorMessage)
{
    QByteArray out;
    {
        ObjectWriter root(out);
        if (rejected > 0 || !errorMessage.isEmpty()) {
            ObjectWriter partial(root.key("partialSuccess"));
            if (rejected)
                partial.int64String(rejectedKey, rejected);
            partial.stringIfNotEmpty("errorMessage", errorMessage);
        }
    }
    return out;
}

} // namespace

QByteArray OtlpJsonCodec::encodeRequest(const std::vector<Span>& spans, bool pretty)
{
    return encodeGrouped(spans, SignalKeys { "resourceSpans", "scopeSpans", "spans" }, 600,
                         [](QByteArray& out, const Span& span) { writeSpan(out, span); }, pretty);
}

QByteArray OtlpJsonCodec::encodeResponse(qint64 rejectedSpans, const QString& errorMessage)
{
    return encodeExportResponse("rejectedSpans", rejectedSpans, errorMessage);
}

QByteArray OtlpJsonCodec::encodeLogsRequest(const std::vector<LogRecord>& logs, bool pretty)
{
    return encodeGrouped(logs, SignalKeys { "resourceLogs", "scopeLogs", "logRecords" }, 400,
                         [](QByteArray& out, const LogRecord& record) { writeLogRecord(out, record); }, pretty);
}

QByteArray OtlpJsonCodec::encodeLogsResponse(qint64 rejectedLogRecords, const QString& errorMessage)
{
    return encodeExportResponse("rejectedLogRecords", rejectedLogRecords, errorMessage);
}

QByteArray OtlpJsonCodec::prettyPrint(const QByteArray& json)
{
    QJsonParseError error;
    QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return json;
    return reindent(json);
}
