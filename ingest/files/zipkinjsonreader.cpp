#include "ingest/files/zipkinjsonreader.h"

#include "ingest/codec/otlpcodec_p.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

namespace {

struct Endpoint {
    QString serviceName;
    QString address; // ipv4, else ipv6
    int port = 0;
    void fillFrom(const Endpoint& o)
    {
        if (serviceName.isEmpty())
            serviceName = o.serviceName;
        if (address.isEmpty())
            address = o.address;
        if (!port)
            port = o.port;
    }
};

struct Annotation {
    std::uint64_t micros = 0;
    QString value;
    friend bool operator==(const Annotation& a, const Annotation& b) { return a.micros == b.micros && a.value == b.value; }
};

/// One Zipkin span after fragments with the same (traceId, id, shared) were merged.
struct ZSpan {
    TraceId traceId;
    SpanId id;
    SpanId parentId;
    bool shared = false;
    QString name;
    QString kind;
    std::uint64_t timestamp = 0; // µs, 0 = absent
    std::uint64_t end = 0; // µs (timestamp + duration), 0 = no duration
    Endpoint local;
    Endpoint remote;
    bool hasRemote = false;
    std::vector<Annotation> annotations;
    std::vector<std::pair<QString, QString>> tags;
    bool debug = false;
    bool idValid = true;
    bool traceIdValid = true;
    QString path; // of the first fragment, for messages
};

bool readMicros(const QJsonValue& v, std::uint64_t* out)
{
    if (v.isUndefined() || v.isNull()) {
        *out = 0;
        return true;
    }
    // Past 9.2e15 µs the time in ns would not fit the stores' signed 64 bits (and llround would overflow).
    if (!v.isDouble() || !(v.toDouble() >= 0) || v.toDouble() > 9.2e15)
        return false;
    *out = static_cast<std::uint64_t>(std::llround(v.toDouble()));
    return true;
}

Endpoint readEndpoint(const QJsonObject& o)
{
    Endpoint e;
    e.serviceName = o.value(QLatin1String("serviceName")).toString();
    e.address = o.value(QLatin1String("ipv4")).toString();
    if (e.address.isEmpty())
        e.address = o.value(QLatin1String("ipv6")).toString();
    e.port = o.value(QLatin1String("port")).toInt();
    return e;
}

bool readSpan(const QJsonValue& value, const QString& path, ZSpan* out, QString* error)
{
    if (!value.isObject()) {
        *error = path % QStringLiteral(": expected a span object");
        return false;
    }
    const QJsonObject o = value.toObject();
    bool okTrace = false;
    bool okId = false;
    out->path = path;
    out->traceId = TraceId::fromShortHex(o.value(QLatin1String("traceId")).toString(), &okTrace);
    out->id = SpanId::fromShortHex(o.value(QLatin1String("id")).toString(), &okId);
    out->traceIdValid = okTrace && out->traceId.isValid();
    out->idValid = out->traceIdValid && okId && out->id.isValid();
    const QString parent = o.value(QLatin1String("parentId")).toString();
    if (!parent.isEmpty()) {
        bool okParent = false;
        out->parentId = SpanId::fromShortHex(parent, &okParent);
        if (!okParent) {
            *error = path % QStringLiteral(".parentId: expected up to 16 hex digits, got \"%1\"").arg(parent);
            return false;
        }
    }
    out->shared = o.value(QLatin1String("shared")).toBool();
    out->debug = o.value(QLatin1String("debug")).toBool();
    out->name = o.value(QLatin1String("name")).toString();
    out->kind = o.value(QLatin1String("kind")).toString().toUpper();
    std::uint64_t duration = 0;
    if (!readMicros(o.value(QLatin1String("timestamp")), &out->timestamp)) {
        *error = path % QStringLiteral(".timestamp: expected microseconds since the epoch");
        return false;
    }
    if (!readMicros(o.value(QLatin1String("duration")), &duration)) {
        *error = path % QStringLiteral(".duration: expected microseconds");
        return false;
    }
    out->end = out->timestamp && o.contains(QLatin1String("duration")) ? out->timestamp + duration : 0;
    out->local = readEndpoint(o.value(QLatin1String("localEndpoint")).toObject());
    out->hasRemote = o.value(QLatin1String("remoteEndpoint")).isObject();
    out->remote = readEndpoint(o.value(QLatin1String("remoteEndpoint")).toObject());
    const QJsonArray annotations = o.value(QLatin1String("annotations")).toArray();
    for (const QJsonValue& a : annotations) {
        Annotation an;
        readMicros(a.toObject().value(QLatin1String("timestamp")), &an.micros);
        an.value = a.toObject().value(QLatin1String("value")).toString();
        out->annotations.push_back(std::move(an));
    }
    const QJsonObject tags = o.value(QLatin1String("tags")).toObject();
    for (auto it = tags.begin(); it != tags.end(); ++it)
        out->tags.emplace_back(it.key(), it.value().isString() ? it.value().toString() : it.value().toVariant().toString());
    return true;
}

/// Zipkin's merge of two fragments of one span (zipkin2 Span.Builder.merge).
void merge(ZSpan* into, ZSpan&& from)
{
    if (into->name.isEmpty() || into->name == QLatin1String("unknown"))
        into->name = from.name;
    if (into->kind.isEmpty())
        into->kind = from.kind;
    if (!into->parentId.isValid())
        into->parentId = from.parentId;
    // Keep the widest interval known: the earliest start, and the latest end when some fragment knows one.
    if (from.timestamp && (!into->timestamp || from.timestamp < into->timestamp))
        into->timestamp = from.timestamp;
    into->end = std::max(into->end, from.end);
    into->local.fillFrom(from.local);
    into->remote.fillFrom(from.remote);
    into->hasRemote = into->hasRemote || from.hasRemote;
    for (Annotation& a : from.annotations)
        if (std::find(into->annotations.begin(), into->annotations.end(), a) == into->annotations.end())
            into->annotations.push_back(std::move(a));
    for (auto& tag : from.tags) {
        auto it = std::find_if(into->tags.begin(), into->tags.end(), [&](const auto& t) { return t.first == tag.first; });
        if (it == into->tags.end())
            into->tags.push_back(std::move(tag));
    }
    into->debug = into->debug || from.debug;
}

SpanKind kindOf(const QString& kind)
{
    if (kind == QLatin1String("CLIENT"))
        return SpanKind::Client;
    if (kind == QLatin1String("SERVER"))
        return SpanKind::Server;
    if (kind == QLatin1String("PRODUCER"))
        return SpanKind::Producer;
    if (kind == QLatin1String("CONSUMER"))
        return SpanKind::Consumer;
    return SpanKind::Internal;
}

using Key = std::tuple<TraceId, SpanId, bool>;

/// Counts a span rejected on its own and lists it; the first `message` becomes the batch's message.
void reject(DecodeResult* result, SpanRejection rejection, const QString& message)
{
    ++result->batch.rejectedSpans;
    if (result->batch.rejectionMessage.isEmpty())
        result->batch.rejectionMessage = message;
    if (result->rejections.size() < DecodeResult::MaxListedRejections)
        result->rejections.push_back(std::move(rejection));
}

} // namespace

SpanId ZipkinJsonReader::derivedServerSpanId(const SpanId& id)
{
    QByteArray bytes = id.toBytes();
    for (char& c : bytes)
        c = static_cast<char>(~static_cast<unsigned char>(c));
    return SpanId::fromBytes(bytes);
}

bool ZipkinJsonReader::recognizes(const QJsonDocument& doc)
{
    const auto isSpan = [](const QJsonValue& v) {
        return v.isObject() && v.toObject().contains(QLatin1String("traceId")) && v.toObject().contains(QLatin1String("id"));
    };
    if (doc.isObject())
        return isSpan(doc.object());
    return doc.isArray() && !doc.array().isEmpty() && isSpan(doc.array().first());
}

DecodeResult ZipkinJsonReader::decode(const QJsonDocument& doc)
{
    DecodeResult result;
    QJsonArray array;
    if (doc.isObject())
        array.append(doc.object());
    else
        array = doc.array();

    // 1. Read and merge fragments by (traceId, id, shared), keeping the order of first appearance.
    std::vector<ZSpan> spans;
    std::map<Key, std::size_t> index;
    for (qsizetype i = 0; i < array.size(); ++i) {
        ZSpan z;
        const QString path = doc.isObject() ? QStringLiteral("$") : QStringLiteral("[%1]").arg(i);
        if (!readSpan(array[i], path, &z, &result.error))
            return result;
        if (!z.idValid) {
            const QString reason = QStringLiteral("invalid traceId or id");
            reject(&result, { path, z.traceIdValid ? QStringLiteral("id") : QStringLiteral("traceId"), reason },
                path % QStringLiteral(": ") % reason);
            continue;
        }
        const Key key { z.traceId, z.id, z.shared };
        auto it = index.find(key);
        if (it == index.end()) {
            index.emplace(key, spans.size());
            spans.push_back(std::move(z));
        } else {
            merge(&spans[it->second], std::move(z));
        }
    }

    // 2. Split shared ids: the server half gets a derived id and the client half as its parent.
    std::map<Key, SpanId> serverIdOf; // (trace, original id, true) -> span id used for the server half
    QSet<QPair<TraceId, SpanId>> usedIds;
    for (const ZSpan& z : spans)
        usedIds.insert({ z.traceId, z.id });
    std::vector<SpanId> finalIds(spans.size());
    std::vector<SpanId> finalParents(spans.size());
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const ZSpan& z = spans[i];
        finalIds[i] = z.id;
        finalParents[i] = z.parentId;
        if (z.shared && index.count({ z.traceId, z.id, false })) {
            SpanId derived = derivedServerSpanId(z.id);
            while (usedIds.contains({ z.traceId, derived })) {
                QByteArray b = derived.toBytes();
                b[7] = static_cast<char>(b[7] + 1);
                derived = SpanId::fromBytes(b);
            }
            usedIds.insert({ z.traceId, derived });
            finalIds[i] = derived;
            finalParents[i] = z.id;
            serverIdOf.emplace(Key { z.traceId, z.id, true }, derived);
        }
    }
    // 3. A child of a split id hangs under the server half (the side that did the work) when that half runs in the
    //    child's service, else under the client half (zipkin2 SpanNode.Builder does the same by endpoint).
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const ZSpan& z = spans[i];
        if (!z.parentId.isValid() || finalParents[i] != z.parentId)
            continue;
        const auto server = serverIdOf.find({ z.traceId, z.parentId, true });
        if (server == serverIdOf.end())
            continue;
        const ZSpan& serverSpan = spans[index.at({ z.traceId, z.parentId, true })];
        const ZSpan& clientSpan = spans[index.at({ z.traceId, z.parentId, false })];
        if (serverSpan.local.serviceName == z.local.serviceName || clientSpan.local.serviceName != z.local.serviceName)
            finalParents[i] = server->second;
    }

    // 4. Convert.
    QHash<QString, std::shared_ptr<const Resource>> resources;
    const auto scope = std::make_shared<const InstrumentationScope>();
    result.batch.spans.reserve(spans.size());
    for (std::size_t i = 0; i < spans.size(); ++i) {
        ZSpan& z = spans[i];
        Span s;
        s.traceId = z.traceId;
        s.spanId = finalIds[i];
        s.parentSpanId = finalParents[i];
        s.name = z.name;
        s.kind = kindOf(z.kind);
        s.startTimeUnixNano = z.timestamp * 1000u;
        s.endTimeUnixNano = z.end > z.timestamp ? z.end * 1000u : s.startTimeUnixNano;
        for (auto& tag : z.tags) {
            if (tag.first == QLatin1String("otel.status_code")) {
                s.statusCode = tag.second.toUpper() == QLatin1String("ERROR") ? StatusCode::Error
                    : tag.second.toUpper() == QLatin1String("OK")           ? StatusCode::Ok
                                                                            : StatusCode::Unset;
                continue;
            }
            if (tag.first == QLatin1String("otel.status_description")) {
                s.statusMessage = tag.second;
                continue;
            }
            if (tag.first == QLatin1String("error") && s.statusCode == StatusCode::Unset) {
                s.statusCode = StatusCode::Error;
                if (tag.second != QLatin1String("true"))
                    s.statusMessage = tag.second;
            }
            s.attributes.push_back({ tag.first, AnyValue::fromString(tag.second) });
        }
        if (!z.local.address.isEmpty())
            s.attributes.push_back({ QStringLiteral("network.local.address"), AnyValue::fromString(z.local.address) });
        if (z.local.port)
            s.attributes.push_back({ QStringLiteral("network.local.port"), AnyValue::fromInt(z.local.port) });
        if (z.hasRemote) {
            if (!z.remote.serviceName.isEmpty())
                s.attributes.push_back({ QStringLiteral("peer.service"), AnyValue::fromString(z.remote.serviceName) });
            if (!z.remote.address.isEmpty())
                s.attributes.push_back(
                    { QStringLiteral("network.peer.address"), AnyValue::fromString(z.remote.address) });
            if (z.remote.port)
                s.attributes.push_back({ QStringLiteral("network.peer.port"), AnyValue::fromInt(z.remote.port) });
        }
        if (s.spanId != z.id)
            s.attributes.push_back({ QStringLiteral("zipkin.shared_span_id"), AnyValue::fromString(z.id.toHex()) });
        if (!z.end)
            s.attributes.push_back({ QStringLiteral("zipkin.missing_duration"), AnyValue::fromBool(true) });
        if (z.debug)
            s.attributes.push_back({ QStringLiteral("zipkin.debug"), AnyValue::fromBool(true) });
        std::stable_sort(z.annotations.begin(), z.annotations.end(),
                         [](const Annotation& a, const Annotation& b) { return a.micros < b.micros; });
        for (const Annotation& a : z.annotations) {
            SpanEvent e;
            e.timeUnixNano = a.micros * 1000u;
            e.name = a.value;
            s.events.push_back(std::move(e));
        }
        auto& resource = resources[z.local.serviceName];
        if (!resource) {
            auto r = std::make_shared<Resource>();
            if (!z.local.serviceName.isEmpty())
                r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(z.local.serviceName) });
            resource = std::move(r);
        }
        s.resource = resource;
        s.scope = scope;
        // The end (timestamp + duration) may still land at or past 2^63 ns: refused like the OTLP decoders do.
        if (const QString problem = OtlpCodecPrivate::contentProblem(s); !problem.isEmpty()) {
            // Named by its ids in the batch's message (its fragments were merged), listed at its first fragment.
            reject(&result, { z.path, QString(), problem },
                QStringLiteral("span ") % s.traceId.toHex() % QLatin1Char('/') % z.id.toHex() % QStringLiteral(": ")
                    % problem);
            continue;
        }
        result.batch.spans.push_back(std::move(s));
    }
    result.ok = true;
    return result;
}
