#include "ingest/files/jaegerjsonreader.h"

#include "ingest/codec/otlpcodec_p.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>

namespace {

struct Context {
    QString error;
    std::vector<SpanRejection> rejections; ///< the first DecodeResult::MaxListedRejections
    bool failed(const QString& path, const QString& what)
    {
        if (error.isEmpty())
            error = path % QStringLiteral(": ") % what;
        return false;
    }
    /// Counts a span rejected on its own; the first reason becomes the batch's message.
    void reject(SpanBatch* batch, const QString& path, const QString& field, const QString& reason)
    {
        ++batch->rejectedSpans;
        if (batch->rejectionMessage.isEmpty())
            batch->rejectionMessage = path % QStringLiteral(": ") % reason;
        if (rejections.size() < DecodeResult::MaxListedRejections)
            rejections.push_back({ path, field, reason });
    }
};

bool readMicros(const QJsonValue& v, std::uint64_t* nanos)
{
    double micros = 0;
    if (v.isDouble())
        micros = v.toDouble();
    else if (v.isString()) {
        bool ok = false;
        const qint64 i = v.toString().toLongLong(&ok);
        if (!ok)
            return false;
        micros = static_cast<double>(i);
    } else {
        return false;
    }
    if (!(micros >= 0) || micros > 9.2e15)
        return false;
    *nanos = static_cast<std::uint64_t>(std::llround(micros)) * 1000u;
    return true;
}

bool readTagValue(const QJsonObject& tag, const QString& path, AnyValue* out, Context* ctx)
{
    const QString type = tag.value(QLatin1String("type")).toString(QStringLiteral("string")).toLower();
    const QJsonValue v = tag.value(QLatin1String("value"));
    if (type == QLatin1String("string")) {
        *out = AnyValue::fromString(v.isString() ? v.toString() : v.toVariant().toString());
    } else if (type == QLatin1String("bool")) {
        if (v.isBool())
            *out = AnyValue::fromBool(v.toBool());
        else if (v.isString())
            *out = AnyValue::fromBool(v.toString() == QLatin1String("true"));
        else
            return ctx->failed(path, QStringLiteral("expected a bool value"));
    } else if (type == QLatin1String("int64")) {
        if (v.isDouble()) {
            // Qt keeps JSON integers that fit in 64 bits exactly; toDouble only for 1e3-style numbers.
            *out = AnyValue::fromInt(v.toInteger(static_cast<qint64>(v.toDouble())));
        } else {
            bool ok = false;
            const qint64 i = v.toString().toLongLong(&ok);
            if (!ok)
                return ctx->failed(path, QStringLiteral("expected an int64 value"));
            *out = AnyValue::fromInt(i);
        }
    } else if (type == QLatin1String("float64")) {
        if (v.isDouble()) {
            *out = AnyValue::fromDouble(v.toDouble());
        } else {
            bool ok = false;
            const double d = v.toString().toDouble(&ok);
            if (!ok)
                return ctx->failed(path, QStringLiteral("expected a float64 value"));
            *out = AnyValue::fromDouble(d);
        }
    } else if (type == QLatin1String("binary")) {
        // The query API writes binary tags as base64 text.
        *out = AnyValue::fromBytes(QByteArray::fromBase64(v.toString().toLatin1()));
    } else {
        return ctx->failed(path, QStringLiteral("unknown tag type \"%1\"").arg(type));
    }
    return true;
}

bool readTags(const QJsonValue& tagsValue, const QString& path, Attributes* out, Context* ctx)
{
    if (tagsValue.isUndefined() || tagsValue.isNull())
        return true;
    if (!tagsValue.isArray())
        return ctx->failed(path, QStringLiteral("expected an array of tags"));
    const QJsonArray tags = tagsValue.toArray();
    out->reserve(out->size() + static_cast<std::size_t>(tags.size()));
    for (qsizetype i = 0; i < tags.size(); ++i) {
        const QString tagPath = path % QStringLiteral("[%1]").arg(i);
        if (!tags[i].isObject())
            return ctx->failed(tagPath, QStringLiteral("expected a tag object"));
        const QJsonObject tag = tags[i].toObject();
        KeyValue kv;
        kv.key = tag.value(QLatin1String("key")).toString();
        if (!readTagValue(tag, tagPath, &kv.value, ctx))
            return false;
        out->push_back(std::move(kv));
    }
    return true;
}

/// Removes and returns the first attribute named `key`.
std::optional<AnyValue> take(Attributes* attributes, QLatin1String key)
{
    for (auto it = attributes->begin(); it != attributes->end(); ++it) {
        if (it->key == key) {
            AnyValue v = std::move(it->value);
            attributes->erase(it);
            return v;
        }
    }
    return std::nullopt;
}

SpanKind kindFromText(const QString& text)
{
    const QString k = text.toLower();
    if (k == QLatin1String("server"))
        return SpanKind::Server;
    if (k == QLatin1String("client"))
        return SpanKind::Client;
    if (k == QLatin1String("producer"))
        return SpanKind::Producer;
    if (k == QLatin1String("consumer"))
        return SpanKind::Consumer;
    if (k == QLatin1String("internal"))
        return SpanKind::Internal;
    return SpanKind::Unspecified;
}

std::shared_ptr<const Resource> readProcess(const QJsonObject& process, const QString& path, Context* ctx)
{
    auto resource = std::make_shared<Resource>();
    const QString service = process.value(QLatin1String("serviceName")).toString();
    resource->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(service) });
    if (!readTags(process.value(QLatin1String("tags")), path % QStringLiteral(".tags"), &resource->attributes, ctx))
        return nullptr;
    return resource;
}

struct ScopeCache {
    std::vector<std::shared_ptr<const InstrumentationScope>> scopes;
    std::shared_ptr<const InstrumentationScope> get(const QString& name, const QString& version)
    {
        for (const auto& s : scopes)
            if (s->name == name && s->version == version)
                return s;
        auto s = std::make_shared<InstrumentationScope>();
        s->name = name;
        s->version = version;
        scopes.push_back(s);
        return s;
    }
};

bool readSpan(const QJsonObject& o, const QString& path, const QHash<QString, std::shared_ptr<const Resource>>& processes,
              ScopeCache* scopes, SpanBatch* batch, Context* ctx)
{
    Span span;
    bool okTrace = false;
    bool okSpan = false;
    span.traceId = TraceId::fromShortHex(o.value(QLatin1String("traceID")).toString(), &okTrace);
    span.spanId = SpanId::fromShortHex(o.value(QLatin1String("spanID")).toString(), &okSpan);
    span.name = o.value(QLatin1String("operationName")).toString();
    std::uint64_t duration = 0;
    if (!readMicros(o.value(QLatin1String("startTime")), &span.startTimeUnixNano))
        return ctx->failed(path % QStringLiteral(".startTime"), QStringLiteral("expected microseconds since the epoch"));
    if (o.contains(QLatin1String("duration")) && !readMicros(o.value(QLatin1String("duration")), &duration))
        return ctx->failed(path % QStringLiteral(".duration"), QStringLiteral("expected microseconds"));
    span.endTimeUnixNano = span.startTimeUnixNano + duration;
    span.flags = static_cast<std::uint32_t>(o.value(QLatin1String("flags")).toInteger());

    if (!readTags(o.value(QLatin1String("tags")), path % QStringLiteral(".tags"), &span.attributes, ctx))
        return false;
    if (auto kind = take(&span.attributes, QLatin1String("span.kind")))
        span.kind = kindFromText(kind->stringValue);
    const auto statusCode = take(&span.attributes, QLatin1String("otel.status_code"));
    const auto statusText = take(&span.attributes, QLatin1String("otel.status_description"));
    if (statusCode) {
        const QString c = statusCode->toDisplayString().toUpper();
        span.statusCode = c == QLatin1String("ERROR") ? StatusCode::Error
            : c == QLatin1String("OK")                 ? StatusCode::Ok
                                                       : StatusCode::Unset;
    }
    if (statusText)
        span.statusMessage = statusText->toDisplayString();
    if (!statusCode) {
        const AnyValue* error = findAttribute(span.attributes, u"error");
        if (error
            && ((error->type == AnyValue::Type::Bool && error->boolValue)
                || (error->type == AnyValue::Type::String && error->stringValue == QLatin1String("true")))) {
            span.statusCode = StatusCode::Error;
            take(&span.attributes, QLatin1String("error"));
        }
    }
    if (auto state = take(&span.attributes, QLatin1String("w3c.tracestate")))
        span.traceState = state->toDisplayString();
    QString scopeName;
    QString scopeVersion;
    if (auto v = take(&span.attributes, QLatin1String("otel.scope.name")))
        scopeName = v->toDisplayString();
    if (auto v = take(&span.attributes, QLatin1String("otel.library.name")))
        scopeName = v->toDisplayString();
    if (auto v = take(&span.attributes, QLatin1String("otel.scope.version")))
        scopeVersion = v->toDisplayString();
    if (auto v = take(&span.attributes, QLatin1String("otel.library.version")))
        scopeVersion = v->toDisplayString();
    span.scope = scopes->get(scopeName, scopeVersion);

    const QJsonArray refs = o.value(QLatin1String("references")).toArray();
    bool haveParent = false;
    for (qsizetype i = 0; i < refs.size(); ++i) {
        const QJsonObject ref = refs[i].toObject();
        const QString refPath = path % QStringLiteral(".references[%1]").arg(i);
        bool okT = false;
        bool okS = false;
        const QString refTraceHex = ref.value(QLatin1String("traceID")).toString();
        const TraceId refTrace = refTraceHex.isEmpty() ? span.traceId : TraceId::fromShortHex(refTraceHex, &okT);
        const SpanId refSpan = SpanId::fromShortHex(ref.value(QLatin1String("spanID")).toString(), &okS);
        if (!okS || !refTrace.isValid())
            return ctx->failed(refPath, QStringLiteral("invalid traceID or spanID"));
        const QString type = ref.value(QLatin1String("refType")).toString(QStringLiteral("CHILD_OF")).toUpper();
        if (!haveParent && type == QLatin1String("CHILD_OF") && refTrace == span.traceId) {
            span.parentSpanId = refSpan;
            haveParent = true;
            continue;
        }
        SpanLink link;
        link.traceId = refTrace;
        link.spanId = refSpan;
        link.attributes.push_back({ QStringLiteral("opentracing.ref_type"),
                                    AnyValue::fromString(type == QLatin1String("FOLLOWS_FROM")
                                                             ? QStringLiteral("follows_from")
                                                             : QStringLiteral("child_of")) });
        span.links.push_back(std::move(link));
    }

    const QJsonArray logs = o.value(QLatin1String("logs")).toArray();
    for (qsizetype i = 0; i < logs.size(); ++i) {
        const QJsonObject log = logs[i].toObject();
        const QString logPath = path % QStringLiteral(".logs[%1]").arg(i);
        SpanEvent event;
        if (!readMicros(log.value(QLatin1String("timestamp")), &event.timeUnixNano))
            return ctx->failed(logPath % QStringLiteral(".timestamp"), QStringLiteral("expected microseconds"));
        if (!readTags(log.value(QLatin1String("fields")), logPath % QStringLiteral(".fields"), &event.attributes, ctx))
            return false;
        if (auto name = take(&event.attributes, QLatin1String("event")))
            event.name = name->toDisplayString();
        span.events.push_back(std::move(event));
    }

    const QString processId = o.value(QLatin1String("processID")).toString();
    if (processes.contains(processId)) {
        span.resource = processes.value(processId);
    } else if (o.value(QLatin1String("process")).isObject()) {
        span.resource = readProcess(o.value(QLatin1String("process")).toObject(), path % QStringLiteral(".process"), ctx);
        if (!span.resource)
            return false;
    } else {
        span.resource = std::make_shared<const Resource>();
    }

    if (!okTrace || !okSpan || !span.traceId.isValid() || !span.spanId.isValid()) {
        const bool traceBad = !okTrace || !span.traceId.isValid();
        ctx->reject(batch, path, traceBad ? QStringLiteral("traceID") : QStringLiteral("spanID"),
            QStringLiteral("invalid traceID or spanID"));
        return true;
    }
    // startTime + duration may land at or past 2^63 ns: refused like the OTLP decoders do.
    if (const QString problem = OtlpCodecPrivate::contentProblem(span); !problem.isEmpty()) {
        ctx->reject(batch, path, QString(), problem); // OTLP member names: no Jaeger key to point at
        return true;
    }
    batch->spans.push_back(std::move(span));
    return true;
}

bool readTrace(const QJsonObject& trace, const QString& path, ScopeCache* scopes, SpanBatch* batch, Context* ctx)
{
    QHash<QString, std::shared_ptr<const Resource>> processes;
    const QJsonObject processMap = trace.value(QLatin1String("processes")).toObject();
    for (auto it = processMap.begin(); it != processMap.end(); ++it) {
        auto resource = readProcess(it.value().toObject(), path % QStringLiteral(".processes.") % it.key(), ctx);
        if (!resource)
            return false;
        processes.insert(it.key(), std::move(resource));
    }
    const QJsonValue spans = trace.value(QLatin1String("spans"));
    if (!spans.isArray())
        return ctx->failed(path % QStringLiteral(".spans"), QStringLiteral("expected an array of spans"));
    const QJsonArray array = spans.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString spanPath = path % QStringLiteral(".spans[%1]").arg(i);
        if (!array[i].isObject())
            return ctx->failed(spanPath, QStringLiteral("expected a span object"));
        if (!readSpan(array[i].toObject(), spanPath, processes, scopes, batch, ctx))
            return false;
    }
    return true;
}

bool isTraceObject(const QJsonValue& v)
{
    return v.isObject() && v.toObject().contains(QLatin1String("spans"))
        && (v.toObject().contains(QLatin1String("traceID")) || v.toObject().contains(QLatin1String("processes")));
}

} // namespace

bool JaegerJsonReader::recognizes(const QJsonDocument& doc)
{
    if (doc.isObject()) {
        const QJsonObject o = doc.object();
        if (o.value(QLatin1String("data")).isArray()) {
            const QJsonArray data = o.value(QLatin1String("data")).toArray();
            return data.isEmpty() || isTraceObject(data.first());
        }
        return isTraceObject(o);
    }
    return doc.isArray() && !doc.array().isEmpty() && isTraceObject(doc.array().first());
}

DecodeResult JaegerJsonReader::decode(const QJsonDocument& doc)
{
    DecodeResult result;
    Context ctx;
    ScopeCache scopes;
    bool ok = true;
    if (doc.isObject() && doc.object().value(QLatin1String("data")).isArray()) {
        const QJsonArray data = doc.object().value(QLatin1String("data")).toArray();
        for (qsizetype i = 0; ok && i < data.size(); ++i)
            ok = readTrace(data[i].toObject(), QStringLiteral("data[%1]").arg(i), &scopes, &result.batch, &ctx);
    } else if (doc.isObject()) {
        ok = readTrace(doc.object(), QStringLiteral("$"), &scopes, &result.batch, &ctx);
    } else {
        const QJsonArray traces = doc.array();
        for (qsizetype i = 0; ok && i < traces.size(); ++i)
            ok = readTrace(traces[i].toObject(), QStringLiteral("[%1]").arg(i), &scopes, &result.batch, &ctx);
    }
    if (!ok) {
        result.error = ctx.error;
        result.batch = SpanBatch();
        return result;
    }
    result.rejections = std::move(ctx.rejections);
    result.ok = true;
    return result;
}
