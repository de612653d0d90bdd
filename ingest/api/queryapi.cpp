#include "ingest/api/queryapi.h"

#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/ingestlogging.h"
#include "model/criticalpath.h"
#include "model/genai.h"
#include "model/spantreemodel.h"
#include "storage/tracestore.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>
#include <limits>

namespace {

using Request = QueryApi::Request;
using Response = QueryApi::Response;

constexpr std::uint64_t NanosPerSecond = 1000000000ULL;
// User text echoed in an error message is cut here, so a huge parameter cannot make a huge answer.
constexpr qsizetype MaxEcho = 80;

QString echo(const QString& text)
{
    return QLatin1Char('"') + (text.size() > MaxEcho ? text.left(MaxEcho) + QStringLiteral("...") : text)
        + QLatin1Char('"');
}

Response jsonResponse(int status, const QJsonObject& object)
{
    Response r;
    r.status = status;
    r.headers = { { "Content-Type", "application/json" }, { "Cache-Control", "no-store" } };
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

Response errorResponse(int status, const QString& message)
{
    return jsonResponse(status, QJsonObject { { QStringLiteral("error"), message } });
}

Response storeFailure(const QString& what, const QString& storeError)
{
    qCWarning(lcIngest).noquote() << QStringLiteral("query API: %1: %2").arg(what, storeError);
    return errorResponse(500, what + QStringLiteral(": ") + storeError);
}

double nanosToMs(std::uint64_t nanos) { return double(nanos) / 1e6; }

QString nanoString(std::uint64_t nanos) { return QString::number(nanos); }

/// The query parameters of one route: each name at most once, none but the allowed ones; empty values are dropped.
class Params {
public:
    bool read(const Request& request, std::initializer_list<QLatin1StringView> allowed, QString* error)
    {
        for (const auto& [name, value] : request.query) {
            bool known = false;
            for (QLatin1StringView a : allowed)
                known = known || name == a;
            if (!known) {
                QStringList names;
                for (QLatin1StringView a : allowed)
                    names.append(a);
                *error = QStringLiteral("unknown parameter %1").arg(echo(name))
                    + (names.isEmpty() ? QStringLiteral(": this route takes no parameters")
                                       : QStringLiteral(" (this route accepts: ") + names.join(QStringLiteral(", "))
                                + QLatin1Char(')'));
                return false;
            }
            if (m_seen.contains(name)) {
                *error = QStringLiteral("parameter %1 is given more than once").arg(echo(name));
                return false;
            }
            m_seen.insert(name, value);
        }
        return true;
    }
    bool has(QLatin1StringView name) const { return !m_seen.value(name).isEmpty(); }
    QString value(QLatin1StringView name) const { return m_seen.value(name); }

    /// An integer in [min, max]; `fallback` when absent.
    bool integer(QLatin1StringView name, int min, int max, int fallback, int* out, QString* error) const
    {
        *out = fallback;
        if (!has(name))
            return true;
        const QString text = value(name);
        bool ok = false;
        const qlonglong v = text.toLongLong(&ok);
        if (!ok || v < min || v > max) {
            *error = QStringLiteral("%1 must be an integer between %2 and %3, not %4")
                         .arg(name)
                         .arg(min)
                         .arg(max)
                         .arg(echo(text));
            return false;
        }
        *out = int(v);
        return true;
    }

    /// The index of the value among `choices`; `fallback` when absent.
    bool choice(QLatin1StringView name, std::initializer_list<QLatin1StringView> choices, int fallback, int* out,
        QString* error) const
    {
        *out = fallback;
        if (!has(name))
            return true;
        const QString text = value(name);
        QStringList names;
        for (QLatin1StringView c : choices) {
            if (text == c) {
                *out = int(names.size());
                return true;
            }
            names.append(c);
        }
        *error = QStringLiteral("%1 must be one of %2, not %3").arg(name, names.join(QStringLiteral(", ")), echo(text));
        return false;
    }

    /// A duration in milliseconds (a decimal number >= 0, fractions allowed: "2.5") as ns; 0 when absent.
    bool milliseconds(QLatin1StringView name, std::uint64_t* outNanos, QString* error) const
    {
        *outNanos = 0;
        if (!has(name))
            return true;
        const QString text = value(name);
        bool ok = false;
        const double ms = text.toDouble(&ok);
        // Below 1.8e13 ms (about 570 years) the ns fit in 64 bits.
        if (!ok || !std::isfinite(ms) || ms < 0 || ms > 1.8e13 || text.trimmed() != text) {
            *error = QStringLiteral("%1 must be a number of milliseconds >= 0 (e.g. 250 or 0.5), not %2")
                         .arg(name, echo(text));
            return false;
        }
        *outNanos = std::uint64_t(std::llround(ms * 1e6));
        return true;
    }

    bool time(QLatin1StringView name, std::uint64_t* out, QString* error) const
    {
        QString why;
        if (!QueryApi::parseTime(value(name), out, &why)) {
            *error = QStringLiteral("%1: %2").arg(name, why);
            return false;
        }
        return true;
    }

private:
    QHash<QString, QString> m_seen;
};

bool parseTraceId(const QString& text, TraceId* id, QString* error)
{
    bool ok = false;
    *id = TraceId::fromHex(text, &ok);
    if (!ok) {
        *error = QStringLiteral("trace id must be 32 hex digits, not %1").arg(echo(text));
        return false;
    }
    if (!id->isValid()) {
        *error = QStringLiteral("trace id %1 is invalid (all zeros)").arg(text);
        return false;
    }
    return true;
}

QJsonObject summaryJson(const TraceSummary& s, const PriceTable& prices)
{
    const std::optional<Cost> cost = s.cost(prices);
    QJsonArray models;
    for (const ModelUsage& u : s.modelUsage)
        models.append(QJsonObject { { QStringLiteral("model"), u.model }, { QStringLiteral("llm_calls"), u.calls },
            { QStringLiteral("input_tokens"), u.inputTokens }, { QStringLiteral("output_tokens"), u.outputTokens },
            { QStringLiteral("cached_input_tokens"), u.cachedInputTokens } });
    return QJsonObject {
        { QStringLiteral("trace_id"), s.traceId.toHex() },
        { QStringLiteral("root_service_name"), s.rootServiceName },
        { QStringLiteral("root_span_name"), s.rootSpanName },
        { QStringLiteral("services"), QJsonArray::fromStringList(s.services) },
        { QStringLiteral("start_time"), QueryApi::formatTime(s.startTimeUnixNano) },
        { QStringLiteral("start_time_unix_nano"), nanoString(s.startTimeUnixNano) },
        { QStringLiteral("end_time"), QueryApi::formatTime(s.endTimeUnixNano) },
        { QStringLiteral("end_time_unix_nano"), nanoString(s.endTimeUnixNano) },
        { QStringLiteral("duration_ms"), nanosToMs(s.durationNanos()) },
        { QStringLiteral("span_count"), s.spanCount },
        { QStringLiteral("error_count"), s.errorCount },
        { QStringLiteral("has_root"), s.hasRoot },
        { QStringLiteral("llm_calls"), s.llmCalls },
        { QStringLiteral("tool_calls"), s.toolCalls },
        { QStringLiteral("input_tokens"), s.inputTokens },
        { QStringLiteral("output_tokens"), s.outputTokens },
        { QStringLiteral("cached_input_tokens"), s.cachedInputTokens },
        { QStringLiteral("models"), models },
        { QStringLiteral("cost"), cost ? QJsonValue(cost->amount) : QJsonValue() },
        { QStringLiteral("currency"), cost ? QJsonValue(cost->currency) : QJsonValue() },
        { QStringLiteral("conversation_id"), s.conversationId.isEmpty() ? QJsonValue() : QJsonValue(s.conversationId) },
    };
}

const Resource& resourceOf(const Span& span)
{
    static const Resource none;
    return span.resource ? *span.resource : none;
}

/**
 * Attribute lists in OTLP/JSON (`[{"key":..,"value":{"stringValue":..}}]`) come from OtlpJsonCodec's encoder, so
 * the API spells values exactly as /raw and exported files do (64-bit integers as strings, bytes as base64, NaN as
 * a string). The encoder groups spans by resource and scope; this walks its output back to each span.
 */
struct EncodedSpan {
    QJsonObject span; ///< the OTLP/JSON span object (camelCase keys)
    QJsonObject resource;
    QJsonObject scope;
};

QHash<SpanId, EncodedSpan> encodeSpans(const std::vector<Span>& spans)
{
    QHash<SpanId, EncodedSpan> out;
    out.reserve(qsizetype(spans.size()));
    const QJsonObject request = QJsonDocument::fromJson(OtlpJsonCodec::encodeRequest(spans, false)).object();
    for (const QJsonValue rs : request.value(QLatin1String("resourceSpans")).toArray()) {
        const QJsonObject resourceSpans = rs.toObject();
        QJsonObject resource = resourceSpans.value(QLatin1String("resource")).toObject();
        resource.insert(QStringLiteral("schemaUrl"), resourceSpans.value(QLatin1String("schemaUrl")));
        for (const QJsonValue ss : resourceSpans.value(QLatin1String("scopeSpans")).toArray()) {
            const QJsonObject scopeSpans = ss.toObject();
            QJsonObject scope = scopeSpans.value(QLatin1String("scope")).toObject();
            scope.insert(QStringLiteral("schemaUrl"), scopeSpans.value(QLatin1String("schemaUrl")));
            for (const QJsonValue sp : scopeSpans.value(QLatin1String("spans")).toArray()) {
                const QJsonObject span = sp.toObject();
                const SpanId id = SpanId::fromHex(span.value(QLatin1String("spanId")).toString());
                out.insert(id, EncodedSpan { span, resource, scope });
            }
        }
    }
    return out;
}

QJsonArray attributesOf(const QJsonObject& encoded) { return encoded.value(QLatin1String("attributes")).toArray(); }

QJsonObject resourceJson(const Resource& resource, const QJsonObject& encoded)
{
    return QJsonObject {
        { QStringLiteral("service_name"), resource.serviceName() },
        { QStringLiteral("attributes"), attributesOf(encoded) },
        { QStringLiteral("dropped_attributes_count"), qint64(resource.droppedAttributesCount) },
        { QStringLiteral("schema_url"), resource.schemaUrl },
    };
}

QJsonObject spanJson(const Span& span, const EncodedSpan& encoded)
{
    QJsonArray events;
    const QJsonArray encodedEvents = encoded.span.value(QLatin1String("events")).toArray();
    for (std::size_t i = 0; i < span.events.size(); ++i) {
        const SpanEvent& e = span.events[i];
        events.append(QJsonObject {
            { QStringLiteral("name"), e.name },
            { QStringLiteral("time"), QueryApi::formatTime(e.timeUnixNano) },
            { QStringLiteral("time_unix_nano"), nanoString(e.timeUnixNano) },
            { QStringLiteral("attributes"), attributesOf(encodedEvents.at(qsizetype(i)).toObject()) },
            { QStringLiteral("dropped_attributes_count"), qint64(e.droppedAttributesCount) },
        });
    }
    QJsonArray links;
    const QJsonArray encodedLinks = encoded.span.value(QLatin1String("links")).toArray();
    for (std::size_t i = 0; i < span.links.size(); ++i) {
        const SpanLink& l = span.links[i];
        links.append(QJsonObject {
            { QStringLiteral("trace_id"), l.traceId.toHex() },
            { QStringLiteral("span_id"), l.spanId.toHex() },
            { QStringLiteral("trace_state"), l.traceState },
            { QStringLiteral("flags"), qint64(l.flags) },
            { QStringLiteral("attributes"), attributesOf(encodedLinks.at(qsizetype(i)).toObject()) },
            { QStringLiteral("dropped_attributes_count"), qint64(l.droppedAttributesCount) },
        });
    }
    const InstrumentationScope* scope = span.scope.get();
    return QJsonObject {
        { QStringLiteral("trace_id"), span.traceId.toHex() },
        { QStringLiteral("span_id"), span.spanId.toHex() },
        { QStringLiteral("parent_span_id"), span.parentSpanId.isValid() ? span.parentSpanId.toHex() : QString() },
        { QStringLiteral("trace_state"), span.traceState },
        { QStringLiteral("flags"), qint64(span.flags) },
        { QStringLiteral("name"), span.name },
        { QStringLiteral("kind"), int(span.kind) },
        { QStringLiteral("kind_name"), spanKindName(span.kind) },
        { QStringLiteral("start_time"), QueryApi::formatTime(span.startTimeUnixNano) },
        { QStringLiteral("start_time_unix_nano"), nanoString(span.startTimeUnixNano) },
        { QStringLiteral("end_time"), QueryApi::formatTime(span.endTimeUnixNano) },
        { QStringLiteral("end_time_unix_nano"), nanoString(span.endTimeUnixNano) },
        { QStringLiteral("duration_ms"), nanosToMs(span.durationNanos()) },
        { QStringLiteral("status"),
            QJsonObject { { QStringLiteral("code"), int(span.statusCode) },
                { QStringLiteral("code_name"), statusCodeName(span.statusCode) },
                { QStringLiteral("message"), span.statusMessage } } },
        { QStringLiteral("attributes"), attributesOf(encoded.span) },
        { QStringLiteral("dropped_attributes_count"), qint64(span.droppedAttributesCount) },
        { QStringLiteral("events"), events },
        { QStringLiteral("dropped_events_count"), qint64(span.droppedEventsCount) },
        { QStringLiteral("links"), links },
        { QStringLiteral("dropped_links_count"), qint64(span.droppedLinksCount) },
        { QStringLiteral("service_name"), span.serviceName() },
        { QStringLiteral("resource"), resourceJson(resourceOf(span), encoded.resource) },
        { QStringLiteral("scope"),
            QJsonObject {
                { QStringLiteral("name"), scope ? scope->name : QString() },
                { QStringLiteral("version"), scope ? scope->version : QString() },
                { QStringLiteral("attributes"), attributesOf(encoded.scope) },
                { QStringLiteral("dropped_attributes_count"), qint64(scope ? scope->droppedAttributesCount : 0) },
                { QStringLiteral("schema_url"), scope ? scope->schemaUrl : QString() },
            } },
    };
}

Response methodNotAllowed(const Request& request)
{
    Response r = errorResponse(405,
        QStringLiteral("method %1 is not allowed on %2: the query API is read-only, use GET")
            .arg(QString::fromLatin1(request.method.left(MaxEcho)), request.path.left(MaxEcho)));
    r.headers.append(std::pair<QByteArray, QByteArray>("Allow", "GET"));
    return r;
}

/// The filters that /api/v1/traces, /api/v1/stats and /api/v1/timeseries share, into `query`: service_name,
/// conversation_id, text, errors_only, min_duration_ms, start_time_gte, start_time_lte. False with *error (a 400's
/// message) on a bad value.
bool readTraceFilter(const Params& params, TraceQuery* query, QString* error)
{
    query->serviceName = params.value(QLatin1StringView("service_name"));
    query->conversationId = params.value(QLatin1StringView("conversation_id"));
    query->text = params.value(QLatin1StringView("text"));
    int errorsOnly = 0;
    if (!params.choice(QLatin1StringView("errors_only"), { QLatin1StringView("false"), QLatin1StringView("true") }, 0,
            &errorsOnly, error))
        return false;
    query->errorsOnly = errorsOnly == 1;
    if (!params.milliseconds(QLatin1StringView("min_duration_ms"), &query->minDurationNanos, error))
        return false;
    const bool hasFrom = params.has(QLatin1StringView("start_time_gte"));
    const bool hasTo = params.has(QLatin1StringView("start_time_lte"));
    if (hasFrom && !params.time(QLatin1StringView("start_time_gte"), &query->startTimeFromUnixNano, error))
        return false;
    if (hasTo) {
        if (!params.time(QLatin1StringView("start_time_lte"), &query->startTimeToUnixNano, error))
            return false;
        // TraceQuery reads 0 as "no bound".
        if (query->startTimeToUnixNano == 0) {
            *error = QStringLiteral("start_time_lte must be later than the Unix epoch");
            return false;
        }
    }
    if (hasFrom && hasTo && query->startTimeFromUnixNano > query->startTimeToUnixNano) {
        *error = QStringLiteral("start_time_gte is later than start_time_lte");
        return false;
    }
    return true;
}

Response listTraces(TraceStore* store, const Request& request, const QString& pricesPath)
{
    Params params;
    QString error;
    if (!params.read(request,
            { QLatin1StringView("service_name"), QLatin1StringView("trace_id"), QLatin1StringView("start_time_gte"),
                QLatin1StringView("start_time_lte"), QLatin1StringView("limit"), QLatin1StringView("offset"),
                QLatin1StringView("order_by"), QLatin1StringView("order"), QLatin1StringView("conversation_id"),
                QLatin1StringView("min_duration_ms"), QLatin1StringView("text"), QLatin1StringView("errors_only") },
            &error))
        return errorResponse(400, error);
    int limit = 0;
    int offset = 0;
    int orderBy = 0;
    int order = 0;
    static constexpr TraceOrder orders[] = {
        TraceOrder::StartTime,
        TraceOrder::Duration,
        TraceOrder::SpanCount,
        TraceOrder::ErrorCount,
        TraceOrder::LlmCalls,
        TraceOrder::ToolCalls,
        TraceOrder::InputTokens,
        TraceOrder::OutputTokens,
        TraceOrder::Cost,
        TraceOrder::Service,
        TraceOrder::Name,
        TraceOrder::Tokens,
    };
    if (!params.integer(
            QLatin1StringView("limit"), 1, QueryApi::MaxTraceLimit, QueryApi::DefaultTraceLimit, &limit, &error)
        || !params.integer(QLatin1StringView("offset"), 0, std::numeric_limits<int>::max(), 0, &offset, &error)
        || !params.choice(QLatin1StringView("order_by"),
            { QLatin1StringView("start_time"), QLatin1StringView("duration"), QLatin1StringView("span_count"),
                QLatin1StringView("error_count"), QLatin1StringView("llm_calls"), QLatin1StringView("tool_calls"),
                QLatin1StringView("input_tokens"), QLatin1StringView("output_tokens"), QLatin1StringView("cost"),
                QLatin1StringView("root_service_name"), QLatin1StringView("root_span_name"),
                QLatin1StringView("total_tokens") },
            0, &orderBy, &error)
        || !params.choice(
            QLatin1StringView("order"), { QLatin1StringView("desc"), QLatin1StringView("asc") }, 0, &order, &error))
        return errorResponse(400, error);

    TraceQuery query;
    query.order = orders[orderBy];
    query.descending = order == 0;
    const auto prices = std::make_shared<const PriceTable>(PriceTable::load(nullptr, pricesPath));
    query.prices = prices;
    if (!readTraceFilter(params, &query, &error))
        return errorResponse(400, error);
    const bool hasFrom = params.has(QLatin1StringView("start_time_gte"));
    const bool hasTo = params.has(QLatin1StringView("start_time_lte"));

    std::vector<TraceSummary> rows;
    bool hasMore = false;
    if (params.has(QLatin1StringView("trace_id"))) {
        TraceId id;
        if (!parseTraceId(params.value(QLatin1StringView("trace_id")), &id, &error))
            return errorResponse(400, error);
        std::optional<TraceSummary> summary = store->traceSummary(id, &error);
        if (!error.isEmpty())
            return storeFailure(QStringLiteral("cannot read trace summary"), error);
        const bool matches = summary && offset == 0
            && (query.serviceName.isEmpty() || summary->services.contains(query.serviceName))
            && (query.conversationId.isEmpty() || summary->conversationId == query.conversationId)
            && summary->durationNanos() >= query.minDurationNanos
            && (!hasFrom || summary->startTimeUnixNano >= query.startTimeFromUnixNano)
            && (!hasTo || summary->startTimeUnixNano <= query.startTimeToUnixNano);
        if (matches)
            rows.push_back(std::move(*summary));
    } else {
        query.limit = limit + 1; // one more than asked tells whether there is a next page
        query.offset = offset;
        rows = store->listTraces(query, &error);
        if (!error.isEmpty())
            return storeFailure(QStringLiteral("cannot list traces"), error);
        if (int(rows.size()) > limit) {
            hasMore = true;
            rows.resize(std::size_t(limit));
        }
    }

    QJsonArray traces;
    for (const TraceSummary& s : rows)
        traces.append(summaryJson(s, *prices));
    return jsonResponse(200,
        QJsonObject {
            { QStringLiteral("traces"), traces },
            { QStringLiteral("count"), traces.size() },
            { QStringLiteral("limit"), limit },
            { QStringLiteral("offset"), offset },
            { QStringLiteral("has_more"), hasMore },
        });
}

Response traceNotFound(const TraceId& id)
{
    return errorResponse(404, QStringLiteral("trace %1 not found").arg(id.toHex()));
}

Response traceDetail(TraceStore* store, const Request& request, const TraceId& id, const QString& pricesPath)
{
    Params params;
    QString error;
    if (!params.read(request, {}, &error))
        return errorResponse(400, error);
    std::optional<TraceSummary> summary = store->traceSummary(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read trace summary"), error);
    if (!summary)
        return traceNotFound(id);
    const std::vector<Span> spans = store->traceSpans(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read spans"), error);

    // One stand-in span per distinct resource (by content, in order of first appearance): the encoder then writes
    // one resourceSpans entry per resource, in the same order.
    std::vector<Span> standIns;
    std::vector<qint64> spanCounts;
    std::size_t rootIndex = 0;
    bool rootFound = false;
    for (const Span& span : spans) {
        const Resource& resource = resourceOf(span);
        std::size_t i = 0;
        while (i < standIns.size() && !(resourceOf(standIns[i]) == resource))
            ++i;
        if (i == standIns.size()) {
            Span standIn;
            standIn.traceId = span.traceId;
            standIn.spanId = SpanId::fromRaw("\0\0\0\0\0\0\0\1");
            standIn.resource = span.resource;
            standIns.push_back(std::move(standIn));
            spanCounts.push_back(0);
        }
        ++spanCounts[i];
        if (!rootFound && span.isRoot()) {
            rootFound = true;
            rootIndex = i;
        }
    }
    const QJsonArray encoded = QJsonDocument::fromJson(OtlpJsonCodec::encodeRequest(standIns, false))
                                   .object()
                                   .value(QLatin1String("resourceSpans"))
                                   .toArray();
    QJsonArray resources;
    for (std::size_t i = 0; i < standIns.size(); ++i) {
        QJsonObject r = resourceJson(
            resourceOf(standIns[i]), encoded.at(qsizetype(i)).toObject().value(QLatin1String("resource")).toObject());
        r.insert(QStringLiteral("span_count"), spanCounts[i]);
        resources.append(r);
    }

    QJsonObject body = summaryJson(*summary, PriceTable::load(nullptr, pricesPath));
    // The root span's resource, or without a root the earliest span's (as root_service_name is chosen).
    body.insert(QStringLiteral("resource_attributes"),
        resources.isEmpty() ? QJsonValue(QJsonArray())
                            : resources.at(qsizetype(rootIndex)).toObject().value(QLatin1String("attributes")));
    body.insert(QStringLiteral("resources"), resources);
    return jsonResponse(200, body);
}

Response traceSpans(TraceStore* store, const Request& request, const TraceId& id)
{
    Params params;
    QString error;
    if (!params.read(request, { QLatin1StringView("limit"), QLatin1StringView("offset") }, &error))
        return errorResponse(400, error);
    int limit = 0;
    int offset = 0;
    if (!params.integer(
            QLatin1StringView("limit"), 1, QueryApi::MaxSpanLimit, QueryApi::DefaultSpanLimit, &limit, &error)
        || !params.integer(QLatin1StringView("offset"), 0, std::numeric_limits<int>::max(), 0, &offset, &error))
        return errorResponse(400, error);

    std::vector<Span> spans = store->traceSpans(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read spans"), error);
    if (spans.empty())
        return traceNotFound(id);

    const std::size_t total = spans.size();
    const std::size_t first = std::min(total, std::size_t(offset));
    const std::size_t last = std::min(total, first + std::size_t(limit));
    std::vector<Span> page(std::make_move_iterator(spans.begin() + std::ptrdiff_t(first)),
        std::make_move_iterator(spans.begin() + std::ptrdiff_t(last)));
    spans.clear();
    const QHash<SpanId, EncodedSpan> encoded = encodeSpans(page);
    QJsonArray out;
    for (const Span& span : page)
        out.append(spanJson(span, encoded.value(span.spanId)));
    return jsonResponse(200,
        QJsonObject {
            { QStringLiteral("trace_id"), id.toHex() },
            { QStringLiteral("spans"), out },
            { QStringLiteral("count"), out.size() },
            { QStringLiteral("total"), qint64(total) },
            { QStringLiteral("limit"), limit },
            { QStringLiteral("offset"), offset },
            { QStringLiteral("has_more"), last < total },
        });
}

/// A log record's body and attributes as OtlpJsonCodec writes them (the same spelling as span attributes).
QJsonObject logJson(const LogRecord& record)
{
    const QJsonObject encoded = QJsonDocument::fromJson(OtlpJsonCodec::encodeLogsRequest({ record }, false))
                                    .object()
                                    .value(QLatin1String("resourceLogs"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QLatin1String("scopeLogs"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QLatin1String("logRecords"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
    return QJsonObject {
        { QStringLiteral("trace_id"), record.traceId.toHex() },
        { QStringLiteral("span_id"), record.spanId.isValid() ? QJsonValue(record.spanId.toHex()) : QJsonValue() },
        { QStringLiteral("time_unix_nano"), nanoString(record.timeUnixNano) },
        { QStringLiteral("observed_time_unix_nano"), nanoString(record.observedTimeUnixNano) },
        { QStringLiteral("severity_number"), record.severityNumber },
        { QStringLiteral("severity_text"), record.severityText },
        { QStringLiteral("event_name"), record.eventName },
        // null when the record has no body
        { QStringLiteral("body"),
            encoded.value(QLatin1String("body")).isObject() ? encoded.value(QLatin1String("body")) : QJsonValue() },
        { QStringLiteral("attributes"), attributesOf(encoded) },
        { QStringLiteral("service_name"), record.serviceName() },
        { QStringLiteral("scope_name"), record.scope ? record.scope->name : QString() },
    };
}

Response traceLogs(TraceStore* store, const Request& request, const TraceId& id)
{
    Params params;
    QString error;
    if (!params.read(request, {}, &error))
        return errorResponse(400, error);
    const std::vector<LogRecord> logs = store->traceLogs(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read log records"), error);
    // A trace is known when it has spans or log records; one with neither is 404 like on the other routes.
    if (logs.empty()) {
        const std::optional<TraceSummary> summary = store->traceSummary(id, &error);
        if (!error.isEmpty())
            return storeFailure(QStringLiteral("cannot read trace summary"), error);
        if (!summary)
            return traceNotFound(id);
    }
    QJsonArray out;
    for (const LogRecord& record : logs)
        out.append(logJson(record));
    return jsonResponse(
        200, QJsonObject { { QStringLiteral("trace_id"), id.toHex() }, { QStringLiteral("logs"), out } });
}

/// The trace's agent run (model/genai.h), priced with the user's price table (read per request, so edits in
/// the GUI's Settings show at once).
Response traceGenAi(TraceStore* store, const Request& request, const TraceId& id, const QString& pricesPath)
{
    Params params;
    QString error;
    if (!params.read(request, {}, &error))
        return errorResponse(400, error);
    std::vector<Span> spans = store->traceSpans(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read spans"), error);
    std::vector<LogRecord> logs = store->traceLogs(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read log records"), error);
    if (spans.empty() && logs.empty())
        return traceNotFound(id);
    QString priceProblem;
    const PriceTable prices = PriceTable::load(&priceProblem, pricesPath);
    if (!priceProblem.isEmpty())
        qCWarning(lcIngest).noquote() << priceProblem;
    QJsonObject out = GenAi::toJson(GenAi::analyze(*SpanTree::build(std::move(spans), std::move(logs)), &prices));
    out.insert(QStringLiteral("trace_id"), id.toHex()); // also for a trace of log records alone
    return jsonResponse(200, out);
}

/// Statistics per operation (service, span name) over the spans of every trace matching the filter, computed by
/// the store (TraceStore::operationStats).
Response operationStats(TraceStore* store, const Request& request)
{
    Params params;
    QString error;
    if (!params.read(request,
            { QLatin1StringView("service_name"), QLatin1StringView("start_time_gte"),
                QLatin1StringView("start_time_lte"), QLatin1StringView("min_duration_ms"),
                QLatin1StringView("conversation_id"), QLatin1StringView("text"), QLatin1StringView("errors_only") },
            &error))
        return errorResponse(400, error);
    TraceQuery filter;
    if (!readTraceFilter(params, &filter, &error))
        return errorResponse(400, error);
    const std::vector<OperationStats> stats = store->operationStats(filter, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot compute statistics"), error);
    const auto ns = [](std::uint64_t v) { return qint64(std::min<std::uint64_t>(v, std::uint64_t(std::numeric_limits<qint64>::max()))); };
    QJsonArray operations;
    for (const OperationStats& s : stats)
        operations.append(QJsonObject { { QStringLiteral("service_name"), s.serviceName },
            { QStringLiteral("span_name"), s.spanName }, { QStringLiteral("count"), s.count },
            { QStringLiteral("errors"), s.errors }, { QStringLiteral("total_ns"), ns(s.totalNanos) },
            { QStringLiteral("self_ns"), ns(s.selfNanos) }, { QStringLiteral("min_ns"), ns(s.minNanos) },
            { QStringLiteral("p50_ns"), ns(s.p50Nanos) }, { QStringLiteral("p95_ns"), ns(s.p95Nanos) },
            { QStringLiteral("max_ns"), ns(s.maxNanos) } });
    return jsonResponse(200, QJsonObject { { QStringLiteral("operations"), operations } });
}

/// A bucket size: a positive integer and a unit (ns, us, ms, s, m or min, h, d), e.g. "60s", "5m", "1h", "500ms".
bool parseBucket(const QString& text, std::uint64_t* nanos, QString* error)
{
    static const QRegularExpression form(QStringLiteral("^([0-9]{1,19})(ns|us|ms|s|m|min|h|d)$"));
    const QRegularExpressionMatch m = form.match(text);
    const auto fail = [&] {
        *error = QStringLiteral("bucket must be a whole number and a unit (ns, us, ms, s, m, h, d) from 1ns to 106751d, "
                                "e.g. 60s or 5m, not %1")
                     .arg(echo(text));
        return false;
    };
    if (!m.hasMatch())
        return fail();
    bool ok = false;
    const qulonglong count = m.captured(1).toULongLong(&ok);
    const QString unit = m.captured(2);
    const std::uint64_t scale = unit == QLatin1String("ns") ? 1ULL
        : unit == QLatin1String("us")                       ? 1000ULL
        : unit == QLatin1String("ms")                       ? 1000000ULL
        : unit == QLatin1String("s")                        ? NanosPerSecond
        : unit == QLatin1String("h")                        ? 3600 * NanosPerSecond
        : unit == QLatin1String("d")                        ? 86400 * NanosPerSecond
                                                            : 60 * NanosPerSecond; // m, min
    std::uint64_t value = 0;
    if (!ok || count == 0 || __builtin_mul_overflow(std::uint64_t(count), scale, &value)
        || value > TraceTimeSeries::MaxBucketNanos)
        return fail();
    *nanos = value;
    return true;
}

/// Throughput, errors and tokens per bucket of start time of the traces matching the filter, computed by the store
/// (TraceStore::traceTimeSeries); buckets without traces are left out.
Response traceTimeSeries(TraceStore* store, const Request& request)
{
    Params params;
    QString error;
    if (!params.read(request,
            { QLatin1StringView("bucket"), QLatin1StringView("service_name"), QLatin1StringView("start_time_gte"),
                QLatin1StringView("start_time_lte"), QLatin1StringView("min_duration_ms"),
                QLatin1StringView("conversation_id"), QLatin1StringView("text"), QLatin1StringView("errors_only") },
            &error))
        return errorResponse(400, error);
    if (!params.has(QLatin1StringView("bucket")))
        return errorResponse(400, QStringLiteral("bucket is required, e.g. bucket=60s (units: ns, us, ms, s, m, h, d)"));
    std::uint64_t bucketNanos = 0;
    if (!parseBucket(params.value(QLatin1StringView("bucket")), &bucketNanos, &error))
        return errorResponse(400, error);
    TraceQuery filter;
    if (!readTraceFilter(params, &filter, &error))
        return errorResponse(400, error);
    const std::vector<TraceTimeBucket> series = store->traceTimeSeries(filter, bucketNanos, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot compute the time series"), error);
    QJsonArray buckets;
    for (const TraceTimeBucket& b : series)
        buckets.append(QJsonObject { { QStringLiteral("start_time_unix_nano"), nanoString(b.startTimeUnixNano) },
            { QStringLiteral("start_time"), QueryApi::formatTime(b.startTimeUnixNano) },
            { QStringLiteral("traces"), b.traces }, { QStringLiteral("spans"), b.spans },
            { QStringLiteral("error_traces"), b.errorTraces }, { QStringLiteral("error_spans"), b.errorSpans },
            { QStringLiteral("input_tokens"), b.inputTokens }, { QStringLiteral("output_tokens"), b.outputTokens } });
    return jsonResponse(200, QJsonObject { { QStringLiteral("bucket_ns"), nanoString(bucketNanos) },
        { QStringLiteral("buckets"), buckets } });
}

/// The trace's critical path (model/criticalpath.h): the spans on it, root first, with their self time on it.
Response traceCriticalPath(TraceStore* store, const Request& request, const TraceId& id)
{
    Params params;
    QString error;
    if (!params.read(request, {}, &error))
        return errorResponse(400, error);
    std::vector<Span> spans = store->traceSpans(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read spans"), error);
    if (spans.empty())
        return traceNotFound(id);
    const auto tree = SpanTree::build(std::move(spans));
    const CriticalPath::Result path = CriticalPath::compute(*tree);
    QJsonArray out;
    for (const CriticalPath::Step& step : path.steps) {
        const SpanTree::Record& span = tree->spans[std::size_t(step.span)];
        out.append(QJsonObject { { QStringLiteral("span_id"), span.spanId.toHex() },
            { QStringLiteral("name"), tree->nameOf(step.span) }, { QStringLiteral("service_name"), tree->serviceNameOf(step.span) },
            { QStringLiteral("start_time_unix_nano"), nanoString(span.startTimeUnixNano) },
            { QStringLiteral("end_time_unix_nano"), nanoString(span.endTimeUnixNano) },
            { QStringLiteral("self_time_ns"), qint64(step.selfTimeNanos) } });
    }
    return jsonResponse(200, QJsonObject { { QStringLiteral("trace_id"), id.toHex() }, { QStringLiteral("spans"), out },
        { QStringLiteral("duration_ns"), qint64(path.totalNanos) } });
}

Response traceRaw(TraceStore* store, const Request& request, const TraceId& id)
{
    Params params;
    QString error;
    if (!params.read(request, {}, &error))
        return errorResponse(400, error);
    QByteArray gzipped = store->traceBlob(id, &error);
    if (!error.isEmpty())
        return storeFailure(QStringLiteral("cannot read the trace's raw document"), error);
    if (gzipped.isEmpty()) {
        const std::vector<Span> spans = store->traceSpans(id, &error);
        if (!error.isEmpty())
            return storeFailure(QStringLiteral("cannot read spans"), error);
        if (spans.empty())
            return traceNotFound(id);
        gzipped = Gzip::deflate(OtlpJsonCodec::encodeRequest(spans, false));
    }
    Response r;
    r.headers
        = { { "Content-Type", "application/json" }, { "Content-Encoding", "gzip" }, { "Cache-Control", "no-store" } };
    r.body = std::move(gzipped);
    return r;
}

} // namespace

QByteArray QueryApi::Response::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return QByteArray();
}

QueryApi::QueryApi(TraceStore* store, QString pricesPath)
    : m_store(store)
    , m_pricesPath(std::move(pricesPath))
{
}

bool QueryApi::handles(const QString& path)
{
    return path == QLatin1String("/api") || path.startsWith(QLatin1String("/api/"));
}

QueryApi::Response QueryApi::handle(const Request& request) const
{
    static const QLatin1String tracesRoute("/api/v1/traces");
    static const QLatin1String statsRoute("/api/v1/stats");
    static const QLatin1String timeSeriesRoute("/api/v1/timeseries");
    const QString& path = request.path;

    enum class Route { List, Stats, TimeSeries, Detail, Spans, Logs, GenAi, CriticalPath, Raw, None } route = Route::None;
    QString idText;
    if (path == statsRoute) {
        route = Route::Stats;
    } else if (path == timeSeriesRoute) {
        route = Route::TimeSeries;
    } else if (path == tracesRoute) {
        route = Route::List;
    } else if (path.startsWith(tracesRoute + QLatin1Char('/'))) {
        const QStringList parts = path.mid(tracesRoute.size() + 1).split(QLatin1Char('/'));
        idText = parts.value(0);
        if (idText.isEmpty())
            route = Route::None;
        else if (parts.size() == 1)
            route = Route::Detail;
        else if (parts.size() == 2 && parts[1] == QLatin1String("spans"))
            route = Route::Spans;
        else if (parts.size() == 2 && parts[1] == QLatin1String("logs"))
            route = Route::Logs;
        else if (parts.size() == 2 && parts[1] == QLatin1String("raw"))
            route = Route::Raw;
        else if (parts.size() == 2 && parts[1] == QLatin1String("genai"))
            route = Route::GenAi;
        else if (parts.size() == 2 && parts[1] == QLatin1String("critical-path"))
            route = Route::CriticalPath;
    }
    if (route == Route::None)
        return errorResponse(404,
            QStringLiteral("no such route: %1 (routes: /api/v1/traces, /api/v1/stats, /api/v1/timeseries, "
                           "/api/v1/traces/{trace_id}, "
                           "/api/v1/traces/{trace_id}/spans, /api/v1/traces/{trace_id}/logs, "
                           "/api/v1/traces/{trace_id}/genai, /api/v1/traces/{trace_id}/critical-path, "
                           "/api/v1/traces/{trace_id}/raw)")
                .arg(echo(path)));
    if (request.method != "GET")
        return methodNotAllowed(request);
    if (!m_store)
        return errorResponse(404, QStringLiteral("the query API is turned off on this server (no trace store)"));
    if (route == Route::List)
        return listTraces(m_store, request, m_pricesPath);
    if (route == Route::Stats)
        return operationStats(m_store, request);
    if (route == Route::TimeSeries)
        return traceTimeSeries(m_store, request);

    TraceId id;
    QString error;
    if (!parseTraceId(idText, &id, &error))
        return errorResponse(400, error);
    switch (route) {
    case Route::Detail:
        return traceDetail(m_store, request, id, m_pricesPath);
    case Route::Spans:
        return traceSpans(m_store, request, id);
    case Route::Logs:
        return traceLogs(m_store, request, id);
    case Route::GenAi:
        return traceGenAi(m_store, request, id, m_pricesPath);
    case Route::CriticalPath:
        return traceCriticalPath(m_store, request, id);
    case Route::Raw:
        return traceRaw(m_store, request, id);
    case Route::List:
    case Route::Stats:
    case Route::TimeSeries:
    case Route::None:
        break;
    }
    return errorResponse(404, QStringLiteral("no such route"));
}

bool QueryApi::parseTime(const QString& text, std::uint64_t* unixNano, QString* error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("empty time");
        return false;
    }
    bool isInteger = true;
    for (QChar c : trimmed)
        isInteger = isInteger && c.isDigit() && c.unicode() < 128;
    if (isInteger) {
        bool ok = false;
        const std::uint64_t v = trimmed.toULongLong(&ok);
        // The stores keep signed 64-bit ns, and the decoders refuse spans at or past 2^63 ns.
        if (!ok || v > std::uint64_t(std::numeric_limits<qint64>::max())) {
            *error = QStringLiteral("%1 is at or past 2^63 Unix nanoseconds (after the year 2262)").arg(echo(trimmed));
            return false;
        }
        *unixNano = v;
        return true;
    }

    static const QRegularExpression rfc3339(
        QStringLiteral("^(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?"
                       "(?:([Zz])|([+-])(\\d{2}):(\\d{2}))$"));
    const QRegularExpressionMatch m = rfc3339.match(trimmed);
    const QString expected = QStringLiteral(
        "expected RFC 3339 (e.g. 2026-11-21T10:00:00Z or 2026-11-21T10:00:00.123456789+01:00) or integer Unix "
        "nanoseconds, not ");
    if (!m.hasMatch()) {
        *error = expected + echo(trimmed);
        return false;
    }
    const auto num = [&m](int group) { return m.captured(group).toInt(); };
    const QDate date(num(1), num(2), num(3));
    const QTime clock(num(4), num(5), num(6));
    const int offsetHours = m.hasCaptured(8) ? 0 : num(10);
    const int offsetMinutes = m.hasCaptured(8) ? 0 : num(11);
    if (!date.isValid() || !clock.isValid() || offsetHours > 23 || offsetMinutes > 59) {
        *error = QStringLiteral("not a valid date, time or UTC offset: ") + echo(trimmed);
        return false;
    }
    qint64 seconds = QDateTime(date, clock, Qt::UTC).toSecsSinceEpoch();
    const qint64 offsetSeconds = (qint64(offsetHours) * 60 + offsetMinutes) * 60;
    seconds += m.captured(9) == QLatin1String("-") ? offsetSeconds : -offsetSeconds;
    const QString fraction = m.captured(7);
    const std::uint64_t nanos
        = fraction.isEmpty() ? 0 : QString(fraction + QString(9 - fraction.size(), QLatin1Char('0'))).toULongLong();
    if (seconds < 0) {
        *error = QStringLiteral("%1 is before the Unix epoch").arg(echo(trimmed));
        return false;
    }
    if (std::uint64_t(seconds) > (std::uint64_t(std::numeric_limits<qint64>::max()) - nanos) / NanosPerSecond) {
        *error = QStringLiteral("%1 is too late for Unix nanoseconds").arg(echo(trimmed));
        return false;
    }
    *unixNano = std::uint64_t(seconds) * NanosPerSecond + nanos;
    return true;
}

QString QueryApi::formatTime(std::uint64_t unixNano)
{
    const qint64 seconds = qint64(unixNano / NanosPerSecond);
    const std::uint64_t nanos = unixNano % NanosPerSecond;
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"))
        + QLatin1Char('.') + QStringLiteral("%1").arg(nanos, 9, 10, QLatin1Char('0')) + QLatin1Char('Z');
}
