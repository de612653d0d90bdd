#include "postgrestracestore.h"

#include "blobstore.h"
#include "connectionstrings.h"
#include "postgresjson.h"
#include "postgresmigrations.h"
#include "spancodec.h"
#include "storagelogging.h"

#include "model/gzipinflater.h"
#include "model/operationstatsrows.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace {

// Refuse to inflate a stored object past this (a corrupt or hostile object must not exhaust memory).
constexpr qint64 MaxInflatedBlobBytes = qint64(1) << 31;
// Writers lock trace ids in this many buckets (advisory locks live in a small shared table; see writeOnce).
constexpr int TraceLockBuckets = 128;
// timestamptz ends in 294276 AD; µs past this are clamped (only garbage times come near it).
constexpr std::uint64_t MaxTimestampMicros = 9'000'000'000'000'000ull;

std::string utf8(const QString& s) { return s.toStdString(); }

QString qstr(const pqxx::field& f) { return QString::fromUtf8(f.c_str(), qsizetype(f.size())); }

std::string_view view(const pqxx::field& f) { return std::string_view(f.c_str(), f.size()); }

/**
 * The resources and scopes of one read's rows, which hold them inline from column `column` on: resource attributes,
 * dropped attributes count and schema URL, then scope name, version, attributes, dropped attributes count and
 * schema URL. Rows of one request share them; each distinct one (content and key order) is parsed once.
 */
class InlineContentCache {
public:
    /// Sets item.resource (unless the resource attributes are NULL) and item.scope (unless the scope name is NULL);
    /// false when attributes cannot be parsed. NULL scope attributes are no attributes (for spans and log records
    /// alike: a row written by another tool may leave them NULL).
    template <typename Item>
    bool attach(const pqxx::row& r, int column, const std::vector<int>& resourceOrder,
        const std::vector<int>& scopeOrder, Item& item)
    {
        bool good = true;
        if (!r[column].is_null()) {
            QByteArray key(r[column].c_str(), qsizetype(r[column].size()));
            key += '\x1f' + QByteArray(r[column + 1].c_str()) + '\x1f' + QByteArray(r[column + 2].c_str()) + '\x1f';
            for (const int i : resourceOrder)
                key += QByteArray::number(i) + ',';
            auto it = m_resources.find(key);
            if (it == m_resources.end()) {
                auto resource = std::make_shared<Resource>();
                good = PostgresJson::parseAttributes(view(r[column]), resourceOrder, &resource->attributes);
                resource->droppedAttributesCount = std::uint32_t(r[column + 1].as<long long>());
                resource->schemaUrl = qstr(r[column + 2]);
                it = m_resources.insert(key, std::move(resource));
            }
            item.resource = *it;
        }
        const int scopeColumn = column + 3;
        if (good && !r[scopeColumn].is_null()) {
            QByteArray key(r[scopeColumn].c_str(), qsizetype(r[scopeColumn].size()));
            for (const int c : { scopeColumn + 1, scopeColumn + 2, scopeColumn + 3, scopeColumn + 4 })
                key += '\x1f' + QByteArray(r[c].c_str(), qsizetype(r[c].size()));
            key += '\x1f';
            for (const int i : scopeOrder)
                key += QByteArray::number(i) + ',';
            auto it = m_scopes.find(key);
            if (it == m_scopes.end()) {
                auto scope = std::make_shared<InstrumentationScope>();
                scope->name = qstr(r[scopeColumn]);
                scope->version = qstr(r[scopeColumn + 1]);
                if (!r[scopeColumn + 2].is_null())
                    good = PostgresJson::parseAttributes(view(r[scopeColumn + 2]), scopeOrder, &scope->attributes);
                scope->droppedAttributesCount = std::uint32_t(r[scopeColumn + 3].as<long long>());
                scope->schemaUrl = qstr(r[scopeColumn + 4]);
                it = m_scopes.insert(key, std::move(scope));
            }
            item.scope = *it;
        }
        return good;
    }

private:
    QHash<QByteArray, std::shared_ptr<const Resource>> m_resources;
    QHash<QByteArray, std::shared_ptr<const InstrumentationScope>> m_scopes;
};

QString whatOf(const std::exception& e)
{
    QString message = QString::fromUtf8(e.what()).trimmed();
    if (message.startsWith(QLatin1String("ERROR:")))
        message = message.mid(6).trimmed();
    return message;
}

std::int64_t toDb(std::uint64_t ns) { return static_cast<std::int64_t>(ns); }

std::uint64_t fromDb(const pqxx::field& f) { return static_cast<std::uint64_t>(f.as<long long>()); }

std::int64_t micros(std::uint64_t ns) { return std::int64_t(std::min(ns / 1000, MaxTimestampMicros)); }

std::string number(double d)
{
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

std::string hex(const TraceId& id) { return id.toBytes().toHex().toStdString(); }

std::string hex(const SpanId& id) { return id.toBytes().toHex().toStdString(); }

// A PostgreSQL array literal of strings: {"a","b"} with " and \ escaped.
std::string textArray(const std::vector<std::string>& items)
{
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += '"';
        for (const char c : items[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

std::string bigintArray(const std::vector<qint64>& items)
{
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += std::to_string(items[i]);
    }
    out += '}';
    return out;
}

// The connection string for libpq: the user's, plus UTF8 (COPY text and JSON are UTF-8) and a name for
// pg_stat_activity unless the user gave one.
std::string libpqString(const QString& connectionString)
{
    std::string s = utf8(connectionString);
    if (PostgresTraceStore::isConnectionUri(connectionString)) {
        s += s.find('?') == std::string::npos ? '?' : '&';
        s += "client_encoding=UTF8&fallback_application_name=spanscope";
    } else {
        s += " client_encoding=UTF8 fallback_application_name=spanscope";
    }
    return s;
}

// "postgresql://user@host:port/db", from the connection string and libpq's environment, never the password.
QString describe(const std::string& conninfo, const QString& schema)
{
    QString user, host, port, db;
    char* errmsg = nullptr;
    if (PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &errmsg)) {
        for (PQconninfoOption* o = options; o->keyword; ++o) {
            if (!o->val)
                continue;
            const QString value = QString::fromUtf8(o->val);
            if (qstrcmp(o->keyword, "user") == 0)
                user = value;
            else if (qstrcmp(o->keyword, "host") == 0)
                host = value;
            else if (qstrcmp(o->keyword, "port") == 0)
                port = value;
            else if (qstrcmp(o->keyword, "dbname") == 0)
                db = value;
        }
        PQconninfoFree(options);
    }
    if (errmsg)
        PQfreemem(errmsg);
    const auto fallback = [](QString* value, const char* env) {
        if (value->isEmpty())
            *value = qEnvironmentVariable(env);
    };
    fallback(&user, "PGUSER");
    fallback(&host, "PGHOST");
    fallback(&port, "PGPORT");
    fallback(&db, "PGDATABASE");
    QString text = QStringLiteral("postgresql://");
    if (!user.isEmpty())
        text += user + QLatin1Char('@');
    text += host.startsWith(QLatin1Char('/')) ? QString() : host;
    if (!port.isEmpty())
        text += QLatin1Char(':') + port;
    text += QLatin1Char('/') + db;
    if (host.startsWith(QLatin1Char('/')))
        text += QStringLiteral("?host=") + host;
    if (text == QLatin1String("postgresql:///"))
        text = QStringLiteral("postgresql:// (libpq defaults)");
    return text + QStringLiteral(" schema ") + schema;
}

// A pooled connection that failed this way is gone (server restarted, backend terminated): drop it and retry.
bool isConnectionFailure(const std::exception& e)
{
    if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e))
        return true;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        // 08: connection exception; 57P01..57P03: admin / crash shutdown, cannot connect now
        return state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0;
    }
    return false;
}

bool gunzip(const QByteArray& in, QByteArray* out)
{
    out->clear();
    GzipInflater inflater(GzipInflater::Format::Gzip, MaxInflatedBlobBytes);
    return inflater.write(in, out) && inflater.finish();
}

#define SUMMARY_COLUMNS                                                                                                \
    "t.trace_id, t.service_name, t.root_span_name, t.start_time_unix_nano, t.end_time_unix_nano, t.span_count, "       \
    "t.error_count, t.has_root, t.services, t.input_tokens, t.output_tokens, t.cached_input_tokens, t.llm_calls, "   \
    "t.tool_calls, t.model_usage, t.conversation_id"

TraceSummary readSummary(const pqxx::row& r)
{
    TraceSummary s;
    s.traceId = TraceId::fromHex(qstr(r[0]));
    s.rootServiceName = qstr(r[1]);
    s.rootSpanName = qstr(r[2]);
    s.startTimeUnixNano = fromDb(r[3]);
    s.endTimeUnixNano = fromDb(r[4]);
    s.spanCount = r[5].as<long long>();
    s.errorCount = r[6].as<long long>();
    s.hasRoot = r[7].as<bool>();
    auto parser = r[8].as_array();
    for (auto item = parser.get_next(); item.first != pqxx::array_parser::done; item = parser.get_next())
        if (item.first == pqxx::array_parser::string_value)
            s.services.append(QString::fromStdString(item.second));
    s.services.sort();
    s.inputTokens = r[9].as<long long>();
    s.outputTokens = r[10].as<long long>();
    s.cachedInputTokens = r[11].as<long long>();
    s.llmCalls = r[12].as<long long>();
    s.toolCalls = r[13].as<long long>();
    s.modelUsage = TraceSummary::modelUsageFromJson(QByteArray::fromStdString(r[14].as<std::string>()));
    s.conversationId = qstr(r[15]);
    return s;
}

// The spans columns written by write(), in staging and target order.
const char* const s_spanColumns[] = {
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "kind",
    "service_name",
    "start_time_unix_nano",
    "end_time_unix_nano",
    "start_time",
    "end_time",
    "duration_ms",
    "status_code",
    "status_message",
    "trace_state",
    "flags",
    "attributes",
    "events",
    "links",
    "dropped_attributes_count",
    "dropped_events_count",
    "dropped_links_count",
    "resource_attributes",
    "resource_dropped_attributes_count",
    "resource_schema_url",
    "scope_name",
    "scope_version",
    "scope_attributes",
    "scope_dropped_attributes_count",
    "scope_schema_url",
    "attribute_order",
    "input_tokens",
    "output_tokens",
    "genai_role",
    "cached_input_tokens",
    "model",
    "conversation_id",
};
const char* const s_jsonColumns[]
    = { "attributes", "events", "links", "resource_attributes", "scope_attributes", "attribute_order" };

bool isJsonColumn(const std::string& c)
{
    return std::find(std::begin(s_jsonColumns), std::end(s_jsonColumns), c) != std::end(s_jsonColumns);
}

std::string replaceSchema(std::string sql, const std::string& quoted)
{
    for (std::size_t i = sql.find("{s}"); i != std::string::npos; i = sql.find("{s}", i + quoted.size()))
        sql.replace(i, 3, quoted);
    return sql;
}

// What a span's resource / scope turn into; computed once per shared object per write.
struct ResourceColumns {
    std::optional<std::string> attributes; // null: the span has no resource
    std::vector<int> order;
    std::int64_t dropped = 0;
    std::string schemaUrl;
    std::string service;
};
struct ScopeColumns {
    std::optional<std::string> name; // null: the span has no scope
    std::optional<std::string> version;
    std::optional<std::string> attributes;
    std::vector<int> order;
    std::int64_t dropped = 0;
    std::string schemaUrl;
};

std::string jsonOf(const Attributes& attributes)
{
    std::string out;
    PostgresJson::appendAttributes(out, attributes);
    return out;
}

// PostgreSQL text cannot hold U+0000; it becomes U+FFFD (as in the JSON columns).
std::string textOf(const QString& s)
{
    std::string out = utf8(s);
    for (std::size_t i = out.find('\0'); i != std::string::npos; i = out.find('\0', i + 3))
        out.replace(i, 1, "\xef\xbf\xbd");
    return out;
}

// An ILIKE pattern for `term` inside JSONB's text output: escaped as PostgreSQL prints JSON strings (\" \\ \b \f
// \n \r \t, other controls as \u00xx), then LIKE's wildcards and escape character escaped, within %...%.
std::string jsonLike(const QString& term)
{
    std::string like = "%";
    const auto add = [&like](char c) {
        if (c == '%' || c == '_' || c == '\\')
            like += '\\';
        like += c;
    };
    // How PostgreSQL's escape_json writes them.
    static const std::pair<char, const char*> escapes[] = { { '"', "\\\"" }, { '\\', "\\\\" }, { '\b', "\\b" },
        { '\f', "\\f" }, { '\n', "\\n" }, { '\r', "\\r" }, { '\t', "\\t" } };
    for (const char c : textOf(term)) {
        const auto* escape = std::find_if(std::begin(escapes), std::end(escapes),
            [c](const std::pair<char, const char*>& e) { return e.first == c; });
        if (escape != std::end(escapes)) {
            for (const char* e = escape->second; *e; ++e)
                add(*e);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
            for (const char* e = buf; *e; ++e)
                add(*e);
        } else {
            add(c);
        }
    }
    like += '%';
    return like;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------

struct PostgresTraceStore::Connection {
    explicit Connection(const std::string& conninfo)
        : db(conninfo)
    {
    }
    pqxx::connection db;
    bool stagingReady = false; // this session has its staging table
};

/// The store's SQL with the schema filled in, built once.
struct PostgresTraceStore::Sql {
    explicit Sql(const std::string& q);

    std::string createStaging;
    std::string lockTraces;
    std::string upsertSpans;
    std::string upsertTraces;
    std::string summaryByTrace;
    std::string spansOfTrace;
    std::string services;
    std::string spanCount;
    std::string blobKey;
    std::string insertLog;
    std::string logsOfTrace;
    std::string logCount;
    std::string enqueue;
    std::string claim;
    std::string complete;
    std::string fail;
    std::string queueDepth;
    std::string objectInfo;
    std::string setBlobKeys;
    std::string traces; // "{s}.traces", for listTraces
    std::string spans;
};

PostgresTraceStore::Sql::Sql(const std::string& q)
{
    // Per session, emptied by every COMMIT: created once per connection instead of per write (a CREATE per
    // write would churn the system catalogs at the write rate).
    createStaging = "CREATE TEMP TABLE IF NOT EXISTS spanscope_staging ("
                    "seq integer, trace_id text COLLATE \"C\", span_id text COLLATE \"C\", "
                    "parent_span_id text COLLATE \"C\", name text, kind smallint, service_name text, start_ns bigint, "
                    "end_ns bigint, start_us bigint, end_us bigint, duration_ms float8, status_code smallint, "
                    "status_message text, trace_state text, flags bigint, attributes jsonb, events jsonb, links jsonb, "
                    "dropped_attributes_count bigint, dropped_events_count bigint, dropped_links_count bigint, "
                    "resource_attributes jsonb, resource_dropped_attributes_count bigint, resource_schema_url text, "
                    "scope_name text, scope_version text, scope_attributes jsonb, scope_dropped_attributes_count "
                    "bigint, scope_schema_url text, attribute_order jsonb, input_tokens bigint, output_tokens bigint, "
                    "genai_role smallint, cached_input_tokens bigint, model text, conversation_id text COLLATE \"C\""
                    ") ON COMMIT DELETE ROWS";

    // Sorted, so two writers never wait for each other in a cycle.
    lockTraces = "SELECT count(pg_advisory_xact_lock(hashtext($1), b)) FROM (SELECT DISTINCT hashtext(t) & "
        + std::to_string(TraceLockBuckets - 1) + " AS b FROM unnest($2::text[]) AS t ORDER BY b) AS buckets";

    std::string target, select, set, oldRow, newRow;
    for (const char* column : s_spanColumns) {
        const std::string c = column;
        const bool first = target.empty();
        target += (first ? "" : ", ") + c;
        std::string source = c;
        if (c == "start_time_unix_nano")
            source = "start_ns";
        else if (c == "end_time_unix_nano")
            source = "end_ns";
        else if (c == "start_time")
            source = "timestamptz '1970-01-01 00:00:00+00' + start_us * interval '1 microsecond'";
        else if (c == "end_time")
            source = "timestamptz '1970-01-01 00:00:00+00' + end_us * interval '1 microsecond'";
        select += (first ? "" : ", ") + source;
        if (c == "trace_id" || c == "span_id")
            continue;
        const auto add = [](std::string& list, std::initializer_list<std::string_view> parts) {
            if (!list.empty())
                list += ", ";
            for (const std::string_view part : parts)
                list += part;
        };
        add(set, { c, " = EXCLUDED.", c });
        // JSONB equality says 1 = 1.0; the text tells an int from a double.
        const std::string_view cast = isJsonColumn(c) ? "::text" : "";
        add(oldRow, { "s.", c, cast });
        add(newRow, { "EXCLUDED.", c, cast });
    }
    // Staging holds each span once (writeOnce keeps the last copy of a span sent twice in one call, since one
    // statement cannot update a row twice), so no DISTINCT ON and its sort of the wide rows.
    upsertSpans = "INSERT INTO " + q + ".spans AS s (" + target + ") SELECT " + select
        + " FROM spanscope_staging ON CONFLICT (trace_id, span_id) DO UPDATE SET " + set + " WHERE (" + oldRow
        + ") IS DISTINCT FROM (" + newRow + ")";

    // The same rules as the SQLite store: the root is a span without parent, then the earliest, then the smallest
    // span id; without a root span the earliest span names the trace. unnest + LATERAL: one primary key probe per
    // touched trace whatever the statistics estimate for `trace_id = ANY($1)` (about 9 ms for 205 traces).
    upsertTraces = replaceSchema(R"sql(
INSERT INTO {s}.traces AS t (trace_id, service_name, root_span_name, root_span_id, has_root, services,
    start_time_unix_nano, end_time_unix_nano, start_time, end_time, duration_ms, span_count, error_count,
    input_tokens, output_tokens, cached_input_tokens, llm_calls, tool_calls, model_usage, conversation_id, environment,
    updated_at)
SELECT u.trace_id, r.service_name, r.name, r.span_id, r.parent_span_id IS NULL, a.services, a.start_ns, a.end_ns,
    a.start_time, a.end_time,
    CASE WHEN a.end_ns > a.start_ns THEN ((a.end_ns::numeric - a.start_ns) / 1000000)::float8 ELSE 0 END,
    a.span_count, a.error_count, a.input_tokens, a.output_tokens, a.cached_input_tokens, a.llm_calls, a.tool_calls,
    m.model_usage, a.conversation_id,
    coalesce(nullif(r.resource_attributes ->> 'deployment.environment.name', ''),
             nullif(r.resource_attributes ->> 'deployment.environment', ''), 'default'),
    now()
FROM unnest($1::text[]) AS u(trace_id)
CROSS JOIN LATERAL (SELECT min(s.start_time_unix_nano) AS start_ns, max(s.end_time_unix_nano) AS end_ns,
             min(s.start_time) AS start_time, max(s.end_time) AS end_time, count(*) AS span_count,
             count(*) FILTER (WHERE s.status_code = 2) AS error_count,
             least(sum(s.input_tokens), 9223372036854775807)::bigint AS input_tokens,
             least(sum(s.output_tokens), 9223372036854775807)::bigint AS output_tokens,
             least(sum(s.cached_input_tokens), 9223372036854775807)::bigint AS cached_input_tokens,
             count(*) FILTER (WHERE s.genai_role = 1) AS llm_calls,
             count(*) FILTER (WHERE s.genai_role = 2) AS tool_calls,
             coalesce(min(s.conversation_id) FILTER (WHERE s.conversation_id <> ''), '') AS conversation_id,
             coalesce(array_agg(DISTINCT s.service_name) FILTER (WHERE s.service_name <> ''), '{}') AS services
      FROM {s}.spans s WHERE s.trace_id = u.trace_id) AS a
CROSS JOIN LATERAL (SELECT coalesce(jsonb_agg(jsonb_build_object('model', g.model, 'calls', g.calls, 'input', g.input,
                                     'output', g.output, 'cached', g.cached) ORDER BY g.model COLLATE "C"), '[]')
                        AS model_usage
                    FROM (SELECT s.model, count(*) AS calls,
                                 least(sum(s.input_tokens), 9223372036854775807)::bigint AS input,
                                 least(sum(s.output_tokens), 9223372036854775807)::bigint AS output,
                                 least(sum(s.cached_input_tokens), 9223372036854775807)::bigint AS cached
                          FROM {s}.spans s WHERE s.trace_id = u.trace_id AND s.genai_role = 1
                          GROUP BY s.model) AS g) AS m
CROSS JOIN LATERAL (SELECT p.span_id, p.parent_span_id, p.name, p.service_name, p.resource_attributes
                    FROM {s}.spans p WHERE p.trace_id = u.trace_id
                    ORDER BY p.parent_span_id IS NOT NULL, p.start_time_unix_nano, p.span_id LIMIT 1) AS r
ON CONFLICT (trace_id) DO UPDATE SET service_name = EXCLUDED.service_name, root_span_name = EXCLUDED.root_span_name,
    root_span_id = EXCLUDED.root_span_id, has_root = EXCLUDED.has_root, services = EXCLUDED.services,
    start_time_unix_nano = EXCLUDED.start_time_unix_nano, end_time_unix_nano = EXCLUDED.end_time_unix_nano,
    start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, duration_ms = EXCLUDED.duration_ms,
    span_count = EXCLUDED.span_count, error_count = EXCLUDED.error_count, input_tokens = EXCLUDED.input_tokens,
    output_tokens = EXCLUDED.output_tokens, cached_input_tokens = EXCLUDED.cached_input_tokens,
    llm_calls = EXCLUDED.llm_calls, tool_calls = EXCLUDED.tool_calls, model_usage = EXCLUDED.model_usage,
    conversation_id = EXCLUDED.conversation_id, environment = EXCLUDED.environment, updated_at = now()
WHERE (t.service_name, t.root_span_name, t.root_span_id, t.has_root, t.services, t.start_time_unix_nano,
       t.end_time_unix_nano, t.span_count, t.error_count, t.input_tokens, t.output_tokens, t.cached_input_tokens,
       t.llm_calls, t.tool_calls, t.model_usage, t.conversation_id, t.environment)
      IS DISTINCT FROM
      (EXCLUDED.service_name, EXCLUDED.root_span_name, EXCLUDED.root_span_id, EXCLUDED.has_root, EXCLUDED.services,
       EXCLUDED.start_time_unix_nano, EXCLUDED.end_time_unix_nano, EXCLUDED.span_count, EXCLUDED.error_count,
       EXCLUDED.input_tokens, EXCLUDED.output_tokens, EXCLUDED.cached_input_tokens, EXCLUDED.llm_calls,
       EXCLUDED.tool_calls, EXCLUDED.model_usage, EXCLUDED.conversation_id, EXCLUDED.environment)
)sql",
        q);

    summaryByTrace = "SELECT " SUMMARY_COLUMNS " FROM " + q + ".traces t WHERE t.trace_id = $1";
    spansOfTrace = "SELECT span_id, parent_span_id, name, kind, start_time_unix_nano, end_time_unix_nano, status_code, "
                   "status_message, trace_state, flags, attributes, events, links, dropped_attributes_count, "
                   "dropped_events_count, dropped_links_count, resource_attributes, "
                   "resource_dropped_attributes_count, resource_schema_url, scope_name, scope_version, "
                   "scope_attributes, scope_dropped_attributes_count, scope_schema_url, attribute_order FROM "
        + q + ".spans WHERE trace_id = $1 ORDER BY start_time_unix_nano, span_id";
    // A skip scan over spans_service_start: one index probe per distinct service instead of reading every span.
    services = replaceSchema("WITH RECURSIVE s AS ("
                             "(SELECT service_name FROM {s}.spans ORDER BY service_name LIMIT 1) UNION ALL "
                             "SELECT (SELECT p.service_name FROM {s}.spans p WHERE p.service_name > s.service_name "
                             "ORDER BY p.service_name LIMIT 1) FROM s WHERE s.service_name IS NOT NULL) "
                             "SELECT service_name FROM s WHERE service_name IS NOT NULL AND service_name <> ''",
        q);
    spanCount = "SELECT coalesce(sum(span_count), 0)::bigint FROM " + q + ".traces";
    blobKey = "SELECT raw_blob_key, span_count, (extract(epoch FROM updated_at) * 1000000000)::bigint FROM " + q
        + ".traces WHERE trace_id = $1";

    insertLog = "INSERT INTO " + q
        + ".logs (record_hash, trace_id, span_id, time_unix_nano, observed_time_unix_nano, time, severity_number, "
          "severity_text, body, attributes, event_name, flags, dropped_attributes_count, service_name, "
          "resource_attributes, resource_dropped_attributes_count, resource_schema_url, scope_name, scope_version, "
          "scope_attributes, scope_dropped_attributes_count, scope_schema_url, attribute_order) VALUES ($1, $2, $3, "
          "$4, $5, timestamptz '1970-01-01 00:00:00+00' + $6::bigint * interval '1 microsecond', $7, $8, $9, $10, "
          "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) ON CONFLICT (record_hash) DO NOTHING";
    logsOfTrace = "SELECT span_id, time_unix_nano, observed_time_unix_nano, severity_number, severity_text, body, "
                  "attributes, event_name, flags, dropped_attributes_count, resource_attributes, "
                  "resource_dropped_attributes_count, resource_schema_url, scope_name, scope_version, "
                  "scope_attributes, scope_dropped_attributes_count, scope_schema_url, attribute_order FROM "
        + q
        + ".logs WHERE trace_id = $1 ORDER BY CASE WHEN time_unix_nano <> 0 THEN time_unix_nano ELSE "
          "observed_time_unix_nano END, observed_time_unix_nano, seq";
    logCount = "SELECT count(*) FROM " + q + ".logs";

    enqueue = "INSERT INTO " + q
        + ".ingestion_queue (payload, payload_size, content_type, content_encoding, peer, wire_size, span_count, "
          "received_at, received_at_unix_nano, signal, log_record_count) VALUES ($1, $2, $3, $4, $5, $6, $7, "
          "timestamptz '1970-01-01 00:00:00+00' + $8::bigint * interval '1 microsecond', $9, $10, $11) RETURNING id";
    claim = replaceSchema(R"sql(
WITH due AS (
    SELECT id, payload_size, next_attempt_at FROM {s}.ingestion_queue
    WHERE next_attempt_at <= now()
    ORDER BY next_attempt_at, id LIMIT $1
    FOR UPDATE SKIP LOCKED
), picked AS (
    SELECT id FROM (SELECT id,
                           row_number() OVER w AS n,
                           sum(payload_size) OVER (w ROWS UNBOUNDED PRECEDING) AS running
                    FROM due WINDOW w AS (ORDER BY next_attempt_at, id)) AS d
    WHERE n = 1 OR running <= $2
)
UPDATE {s}.ingestion_queue q SET status = 'leased', leased_at = now(),
    next_attempt_at = now() + $3::bigint * interval '1 second'
FROM picked WHERE q.id = picked.id
RETURNING q.id, q.payload, q.content_type, q.content_encoding, q.peer, q.wire_size, q.span_count,
    q.received_at_unix_nano, q.attempts, q.last_error, q.signal, q.log_record_count
)sql",
        q);
    complete = "DELETE FROM " + q + ".ingestion_queue WHERE id = ANY($1::bigint[])";
    fail = "UPDATE " + q
        + ".ingestion_queue SET status = 'retry', attempts = attempts + 1, last_error = $2, leased_at = NULL, "
          "next_attempt_at = now() + $3::bigint * interval '1 millisecond' WHERE id = ANY($1::bigint[])";
    queueDepth = "SELECT count(*) FROM " + q + ".ingestion_queue";
    objectInfo = "SELECT trace_id, environment, service_name, start_time_unix_nano, raw_blob_key FROM " + q
        + ".traces WHERE trace_id = ANY($1::text[])";
    setBlobKeys = "UPDATE " + q
        + ".traces t SET raw_blob_key = nullif(v.k, '') FROM unnest($1::text[], $2::text[]) AS v(id, k) "
          "WHERE t.trace_id = v.id AND t.raw_blob_key IS DISTINCT FROM nullif(v.k, '')";
    traces = q + ".traces";
    spans = q + ".spans";
}

// ---------------------------------------------------------------------------------------------------------------

PostgresTraceStore::PostgresTraceStore(QString connectionString, QString schema, BlobStore* blobs)
    : m_connectionString(std::move(connectionString))
    , m_libpqString(libpqString(m_connectionString))
    , m_secrets(ConnectionStrings::secretsOf(m_connectionString))
    , m_schema(std::move(schema))
    , m_blobs(blobs)
    , m_sql(std::make_unique<Sql>(PostgresMigrations::quotedSchema(m_schema)))
    , m_description(describe(m_libpqString, m_schema))
{
}

PostgresTraceStore::~PostgresTraceStore() = default;

bool PostgresTraceStore::isConnectionUri(const QString& storeArgument)
{
    return ConnectionStrings::isPostgresUri(storeArgument);
}

bool PostgresTraceStore::isConnectionString(const QString& storeArgument)
{
    return ConnectionStrings::isPostgresConnectionString(storeArgument);
}

QString PostgresTraceStore::defaultSchema()
{
    const QString fromEnv = qEnvironmentVariable("OTEL_DB_SCHEMA");
    return fromEnv.isEmpty() ? QStringLiteral("otel") : fromEnv;
}

bool PostgresTraceStore::isValidSchemaName(const QString& name) { return PostgresMigrations::isValidSchemaName(name); }

int PostgresTraceStore::latestSchemaVersion() { return PostgresMigrations::latestVersion(); }

bool PostgresTraceStore::migrate(
    const QString& connectionString, const QString& schema, int* fromVersion, int* toVersion, QString* error)
{
    const std::string conninfo = libpqString(connectionString);
    try {
        pqxx::connection db(conninfo);
        return PostgresMigrations::migrate(db, schema, fromVersion, toVersion, error);
    } catch (const std::exception& e) {
        if (error)
            *error = QStringLiteral("cannot connect to PostgreSQL (%1): %2")
                         .arg(describe(conninfo, schema),
                             ConnectionStrings::redact(whatOf(e), ConnectionStrings::secretsOf(connectionString)));
        return false;
    }
}

QString PostgresTraceStore::description() const
{
    QMutexLocker lock(&m_mutex);
    return m_description;
}

QString PostgresTraceStore::kind() const { return QStringLiteral("postgresql"); }

std::unique_ptr<PostgresTraceStore::Connection> PostgresTraceStore::connect(QString* error) const
{
    try {
        return std::make_unique<Connection>(m_libpqString);
    } catch (const std::exception& e) {
        if (error)
            *error = QStringLiteral("cannot connect to PostgreSQL: %1")
                         .arg(ConnectionStrings::redact(whatOf(e), m_secrets));
        return nullptr;
    }
}

bool PostgresTraceStore::open(QString* error)
{
    QMutexLocker writeLock(&m_writeMutex);
    {
        QMutexLocker lock(&m_mutex);
        if (m_open)
            return true;
    }
    const auto failed = [&](const QString& why) {
        const QString message = QStringLiteral("cannot open trace store %1: %2").arg(description(), why);
        qCWarning(lcStorage).noquote() << message;
        if (error)
            *error = message;
        return false;
    };
    if (!isValidSchemaName(m_schema))
        return failed(QStringLiteral("\"%1\" is not a valid schema name (letters, digits and _, at most 63, not "
                                     "starting with a digit or pg_)")
                          .arg(m_schema));
    QString message;
    std::unique_ptr<Connection> writer = connect(&message);
    if (!writer)
        return failed(message);
    int from = 0;
    int to = 0;
    if (!PostgresMigrations::migrate(writer->db, m_schema, &from, &to, &message))
        return failed(message);
    if (from != to)
        qCInfo(lcStorage).noquote()
            << QStringLiteral("PostgreSQL schema %1 migrated from version %2 to %3").arg(m_schema).arg(from).arg(to);
    if (from == to) {
        // Migration 2 said so when it ran without pg_trgm; a schema migrated earlier says it at every open.
        try {
            pqxx::nontransaction tx(writer->db);
            const pqxx::row r = tx.exec_params1("SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname "
                                                "IN ('spans_name_trgm', 'spans_attribute_strings_trgm')",
                utf8(m_schema));
            if (r[0].as<int>() < 2)
                qCWarning(lcStorage).noquote()
                    << QStringLiteral("PostgreSQL schema %1 has no trigram indexes (pg_trgm was not available when it "
                                      "was migrated): the trace list's text filter scans all spans")
                           .arg(m_schema);
        } catch (const std::exception&) {
            // only a hint
        }
    }
    QString live;
    try {
        const QString host = QString::fromUtf8(writer->db.hostname() ? writer->db.hostname() : "");
        live = QStringLiteral("postgresql://%1@%2:%3/%4")
                   .arg(QString::fromUtf8(writer->db.username()), host.startsWith(QLatin1Char('/')) ? QString() : host,
                       QString::fromUtf8(writer->db.port()), QString::fromUtf8(writer->db.dbname()));
        if (host.startsWith(QLatin1Char('/')))
            live += QStringLiteral("?host=") + host;
        live += QStringLiteral(" schema ") + m_schema;
    } catch (const std::exception&) {
        // keep the description made from the connection string
    }
    m_writer = std::move(writer);
    QMutexLocker lock(&m_mutex);
    if (!live.isEmpty())
        m_description = live;
    m_open = true;
    return true;
}

std::unique_ptr<PostgresTraceStore::Connection> PostgresTraceStore::acquire(bool* pooled, QString* error)
{
    {
        QMutexLocker lock(&m_mutex);
        if (!m_open) {
            if (error)
                *error = QStringLiteral("trace store %1 is not open").arg(m_description);
            return nullptr;
        }
        if (!m_idle.empty()) {
            auto connection = std::move(m_idle.back());
            m_idle.pop_back();
            *pooled = true;
            return connection;
        }
    }
    *pooled = false;
    return connect(error); // outside the lock: connecting takes a round trip or more
}

void PostgresTraceStore::release(std::unique_ptr<Connection> connection)
{
    if (!connection || !connection->db.is_open())
        return;
    QMutexLocker lock(&m_mutex);
    if (int(m_idle.size()) < MaxIdleConnections)
        m_idle.push_back(std::move(connection));
}

template <typename Work> bool PostgresTraceStore::withConnection(const QString& what, QString* error, Work&& work)
{
    QString message;
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool pooled = false;
        std::unique_ptr<Connection> connection = acquire(&pooled, &message);
        if (!connection)
            break;
        try {
            work(*connection);
            release(std::move(connection));
            return true;
        } catch (const std::exception& e) {
            message = whatOf(e);
            const bool broken = isConnectionFailure(e) || !connection->db.is_open();
            if (!broken)
                release(std::move(connection));
            if (broken && pooled)
                continue; // a connection from before an outage: once more on a new one
            break;
        }
    }
    message = QStringLiteral("cannot %1: %2").arg(what, message);
    qCWarning(lcStorage).noquote() << message;
    if (error)
        *error = message;
    return false;
}

// ---------------------------------------------------------------------------------------------------------------
// write

WriteResult PostgresTraceStore::write(const std::vector<IngestItem>& items)
{
    WriteResult result;
    std::vector<TraceId> touched;
    std::unordered_set<TraceId> seen;
    bool hasLogs = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
        for (const Span& span : items[i].batch.spans) {
            if (!span.traceId.isValid() || !span.spanId.isValid()) {
                result.error = QStringLiteral("cannot write to trace store %1: item %2 holds a span with an invalid "
                                              "trace id or span id (%3/%4)")
                                   .arg(description())
                                   .arg(i)
                                   .arg(span.traceId.toHex(), span.spanId.toHex());
                qCWarning(lcStorage).noquote() << result.error;
                return result;
            }
            ++result.spansWritten;
            if (seen.insert(span.traceId).second)
                touched.push_back(span.traceId);
        }
        for (const LogRecord& record : items[i].batch.logs) {
            if (record.spanId.isValid() && !record.traceId.isValid()) {
                result.error = QStringLiteral("cannot write to trace store %1: item %2 holds a log record with span "
                                              "id %3 but no trace id")
                                   .arg(description())
                                   .arg(i)
                                   .arg(record.spanId.toHex());
                qCWarning(lcStorage).noquote() << result.error;
                return result;
            }
            hasLogs = true;
        }
    }

    QMutexLocker lock(&m_writeMutex);
    bool isOpen = false;
    {
        QMutexLocker stateLock(&m_mutex);
        isOpen = m_open;
    }
    if (!isOpen) {
        result.spansWritten = 0;
        result.error = QStringLiteral("trace store %1 is not open").arg(description());
        return result;
    }
    if (touched.empty() && !hasLogs) {
        result.ok = true;
        return result;
    }
    QString message;
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool fresh = false;
        if (!m_writer) {
            m_writer = connect(&message);
            if (!m_writer)
                break;
            fresh = true;
        }
        try {
            std::vector<TraceId> logTraces;
            result.logRecordsWritten = writeOnce(*m_writer, items, touched, &logTraces);
            result.ok = true;
            for (const TraceId& id : logTraces)
                if (seen.insert(id).second)
                    touched.push_back(id);
            result.changedTraces = std::move(touched);
            return result;
        } catch (const std::exception& e) {
            message = whatOf(e);
            const bool broken = isConnectionFailure(e) || !m_writer->db.is_open();
            if (!broken)
                break;
            // Lost (server restarted, backend terminated, or even during COMMIT): a new connection, and the write
            // once more: it is idempotent, so a commit that did happen is harmless to repeat.
            m_writer.reset();
            if (fresh)
                break;
        }
    }
    result.spansWritten = 0;
    result.error = QStringLiteral("cannot write to trace store %1: %2").arg(description(), message);
    qCWarning(lcStorage).noquote() << result.error;
    return result;
}

namespace {

/// Inserts the items' log records within `tx` with `insertSql` (Sql::insertLog); returns how many were new and puts
/// their trace ids (each once) into *logTraces.
qint64 writeLogRecords(
    pqxx::work& tx, const std::string& insertSql, const std::vector<IngestItem>& items, std::vector<TraceId>* logTraces)
{
    // One INSERT per record (log records come in far smaller numbers than spans here; a COPY path like the spans'
    // is the next step if they do not). ON CONFLICT DO NOTHING: a record already stored is left as it is.
    qint64 written = 0;
    std::unordered_set<TraceId> seen;
    std::unordered_map<const Resource*, ResourceColumns> resources;
    std::unordered_map<const InstrumentationScope*, ScopeColumns> scopes;
    const ResourceColumns noResource;
    const ScopeColumns noScope;
    std::string body, attributes;
    for (const IngestItem& item : items) {
        for (const LogRecord& record : item.batch.logs) {
            const ResourceColumns* resource = &noResource;
            if (record.resource) {
                auto [it, isNew] = resources.try_emplace(record.resource.get());
                if (isNew) {
                    it->second.attributes = jsonOf(record.resource->attributes);
                    it->second.order = PostgresJson::keyOrder(record.resource->attributes);
                    it->second.dropped = record.resource->droppedAttributesCount;
                    it->second.schemaUrl = textOf(record.resource->schemaUrl);
                    it->second.service = textOf(record.resource->serviceName());
                }
                resource = &it->second;
            }
            const ScopeColumns* scope = &noScope;
            if (record.scope) {
                auto [it, isNew] = scopes.try_emplace(record.scope.get());
                if (isNew) {
                    it->second.name = textOf(record.scope->name);
                    it->second.version = textOf(record.scope->version);
                    it->second.attributes = jsonOf(record.scope->attributes);
                    it->second.order = PostgresJson::keyOrder(record.scope->attributes);
                    it->second.dropped = record.scope->droppedAttributesCount;
                    it->second.schemaUrl = textOf(record.scope->schemaUrl);
                }
                scope = &it->second;
            }
            const QByteArray hash = SpanCodec::logRecordHash(record);
            body.clear();
            if (record.body.type != AnyValue::Type::Empty)
                PostgresJson::appendValue(body, record.body);
            attributes.clear();
            PostgresJson::appendAttributes(attributes, record.attributes);
            const std::string orders
                = PostgresJson::keyOrders(PostgresJson::keyOrder(record.attributes), resource->order, scope->order);
            const auto optional = [](bool present, std::string value) {
                return present ? std::optional<std::string>(std::move(value)) : std::nullopt;
            };
            const pqxx::result r
                = tx.exec_params(insertSql, pqxx::binarystring(hash.constData(), std::size_t(hash.size())),
                    optional(record.traceId.isValid(), hex(record.traceId)),
                    optional(record.spanId.isValid(), hex(record.spanId)), toDb(record.timeUnixNano),
                    toDb(record.observedTimeUnixNano), micros(record.effectiveTimeUnixNano()), record.severityNumber,
                    textOf(record.severityText), optional(!body.empty(), body), attributes, textOf(record.eventName),
                    std::int64_t(record.flags), std::int64_t(record.droppedAttributesCount), resource->service,
                    resource->attributes, resource->dropped, resource->schemaUrl, scope->name, scope->version,
                    scope->attributes, scope->dropped, scope->schemaUrl, optional(!orders.empty(), orders));
            if (r.affected_rows() == 0)
                continue;
            ++written;
            if (record.traceId.isValid() && seen.insert(record.traceId).second)
                logTraces->push_back(record.traceId);
        }
    }
    return written;
}

} // namespace

qint64 PostgresTraceStore::writeOnce(Connection& connection, const std::vector<IngestItem>& items,
    const std::vector<TraceId>& touched, std::vector<TraceId>* logTraces)
{
    logTraces->clear();
    std::vector<std::string> ids;
    ids.reserve(touched.size());
    for (const TraceId& id : touched)
        ids.push_back(hex(id));
    const std::string traceIds = textArray(ids);

    pqxx::work tx(connection.db);
    if (touched.empty()) { // log records only
        const qint64 written = writeLogRecords(tx, m_sql->insertLog, items, logTraces);
        tx.commit();
        return written;
    }
    if (!connection.stagingReady) {
        tx.exec0(m_sql->createStaging);
        // This session only runs the write statements. With statistics from when `spans` was smaller, the summary
        // upsert's estimate (20x too many spans per trace) passed jit_optimize_above_cost, and compiling it took
        // 0.4 s of each 0.5 s write (auto_explain) for minutes; JIT cannot pay off on these short statements.
        tx.exec0("SET jit = off");
    }

    std::unordered_map<const Resource*, ResourceColumns> resources;
    std::unordered_map<const InstrumentationScope*, ScopeColumns> scopes;
    const ResourceColumns noResource;
    const ScopeColumns noScope;
    {
        static const std::vector<std::string> columns = {
            "seq",
            "trace_id",
            "span_id",
            "parent_span_id",
            "name",
            "kind",
            "service_name",
            "start_ns",
            "end_ns",
            "start_us",
            "end_us",
            "duration_ms",
            "status_code",
            "status_message",
            "trace_state",
            "flags",
            "attributes",
            "events",
            "links",
            "dropped_attributes_count",
            "dropped_events_count",
            "dropped_links_count",
            "resource_attributes",
            "resource_dropped_attributes_count",
            "resource_schema_url",
            "scope_name",
            "scope_version",
            "scope_attributes",
            "scope_dropped_attributes_count",
            "scope_schema_url",
            "attribute_order",
            "input_tokens",
            "output_tokens",
            "genai_role",
            "cached_input_tokens",
            "model",
            "conversation_id",
        };
        // Of a span sent twice in one call the later copy wins: mark the earlier ones.
        struct Key {
            const TraceId* trace;
            const SpanId* span;
            bool operator==(const Key& o) const { return *trace == *o.trace && *span == *o.span; }
        };
        struct KeyHash {
            std::size_t operator()(const Key& k) const { return qHash(*k.trace) ^ (qHash(*k.span) * 31); }
        };
        std::size_t spanTotal = 0;
        for (const IngestItem& item : items)
            spanTotal += item.batch.spans.size();
        std::vector<bool> superseded(spanTotal, false);
        {
            std::unordered_map<Key, std::size_t, KeyHash> last;
            last.reserve(spanTotal);
            std::size_t i = 0;
            for (const IngestItem& item : items) {
                for (const Span& span : item.batch.spans) {
                    auto [it, isNew] = last.try_emplace(Key { &span.traceId, &span.spanId }, i);
                    if (!isNew) {
                        superseded[it->second] = true;
                        it->second = i;
                    }
                    ++i;
                }
            }
        }
        pqxx::stream_to copy(tx, "spanscope_staging", columns);
        int seq = 0;
        std::size_t index = 0;
        std::string attributes, events, links;
        for (const IngestItem& item : items) {
            for (const Span& span : item.batch.spans) {
                if (superseded[index++])
                    continue;
                const ResourceColumns* resource = &noResource;
                if (span.resource) {
                    auto [it, isNew] = resources.try_emplace(span.resource.get());
                    if (isNew) {
                        it->second.attributes = jsonOf(span.resource->attributes);
                        it->second.order = PostgresJson::keyOrder(span.resource->attributes);
                        it->second.dropped = span.resource->droppedAttributesCount;
                        it->second.schemaUrl = textOf(span.resource->schemaUrl);
                        it->second.service = textOf(span.resource->serviceName());
                    }
                    resource = &it->second;
                }
                const ScopeColumns* scope = &noScope;
                if (span.scope) {
                    auto [it, isNew] = scopes.try_emplace(span.scope.get());
                    if (isNew) {
                        it->second.name = textOf(span.scope->name);
                        it->second.version = textOf(span.scope->version);
                        it->second.attributes = jsonOf(span.scope->attributes);
                        it->second.order = PostgresJson::keyOrder(span.scope->attributes);
                        it->second.dropped = span.scope->droppedAttributesCount;
                        it->second.schemaUrl = textOf(span.scope->schemaUrl);
                    }
                    scope = &it->second;
                }
                attributes.clear();
                PostgresJson::appendAttributes(attributes, span.attributes);
                events.clear();
                PostgresJson::appendEvents(events, span.events);
                links.clear();
                PostgresJson::appendLinks(links, span.links);
                const std::string orders
                    = PostgresJson::keyOrders(PostgresJson::keyOrder(span.attributes), resource->order, scope->order);
                const SpanGenAiFigures genai = SpanGenAiFigures::of(span);
                copy << std::make_tuple(seq++, hex(span.traceId), hex(span.spanId),
                    span.parentSpanId.isValid() ? std::optional<std::string>(hex(span.parentSpanId)) : std::nullopt,
                    textOf(span.name), int(span.kind), resource->service, toDb(span.startTimeUnixNano),
                    toDb(span.endTimeUnixNano), micros(span.startTimeUnixNano), micros(span.endTimeUnixNano),
                    number(double(span.durationNanos()) / 1e6), int(span.statusCode), textOf(span.statusMessage),
                    textOf(span.traceState), std::int64_t(span.flags), attributes, events, links,
                    std::int64_t(span.droppedAttributesCount), std::int64_t(span.droppedEventsCount),
                    std::int64_t(span.droppedLinksCount), resource->attributes, resource->dropped, resource->schemaUrl,
                    scope->name, scope->version, scope->attributes, scope->dropped, scope->schemaUrl,
                    orders.empty() ? std::optional<std::string>() : std::optional<std::string>(orders),
                    std::int64_t(genai.inputTokens), std::int64_t(genai.outputTokens), int(genai.role),
                    std::int64_t(genai.cachedInputTokens), textOf(genai.model), textOf(genai.conversationId));
            }
        }
        copy.complete();
    }
    // Two writers (two worker processes) adding spans to one trace must not both compute its summary from a
    // snapshot without the other's spans: each locks the trace's bucket first, so the second one's summary
    // statement (a new snapshot, READ COMMITTED) sees the first one's committed spans. Buckets bound the number of
    // advisory locks a write holds (they live in a small shared table).
    tx.exec_params(m_sql->lockTraces, utf8(m_schema), traceIds);
    tx.exec0(m_sql->upsertSpans);
    // The touched traces as a parameter, not a join with the staging table: that has no statistics, and the
    // planner then scanned all spans for the aggregate.
    tx.exec_params0(m_sql->upsertTraces, traceIds);
    const qint64 written = writeLogRecords(tx, m_sql->insertLog, items, logTraces);
    tx.commit();
    connection.stagingReady = true;
    return written;
}

// ---------------------------------------------------------------------------------------------------------------
// reads

std::string PostgresTraceStore::filterSql(const TraceQuery& query,
                                          const std::function<std::string(std::string)>& param) const
{
    std::string sql;
    if (query.startTimeFromUnixNano)
        sql += " AND t.start_time_unix_nano >= " + param(std::to_string(toDb(query.startTimeFromUnixNano)))
            + "::bigint";
    if (query.startTimeToUnixNano)
        sql += " AND t.start_time_unix_nano <= " + param(std::to_string(toDb(query.startTimeToUnixNano))) + "::bigint";
    if (!query.serviceName.isEmpty())
        sql += " AND t.services @> ARRAY[" + param(textOf(query.serviceName)) + "::text]";
    if (query.errorsOnly)
        sql += " AND t.error_count > 0";
    // The <> term is the condition of the partial index traces_conversation (migration 6).
    if (!query.conversationId.isEmpty())
        sql += " AND t.conversation_id = " + param(textOf(query.conversationId)) + " AND t.conversation_id <> ''";
    if (query.minDurationNanos)
        sql += " AND t.end_time_unix_nano::numeric - t.start_time_unix_nano >= "
            + param(std::to_string(query.minDurationNanos)) + "::numeric";
    if (!query.text.isEmpty()) {
        // Span name: ILIKE with the term's wildcards escaped. String attribute values at any depth: a JSON path
        // with like_regex, flag q (the term is literal) and i (case-insensitive).
        std::string like = "%";
        for (const char c : textOf(query.text)) {
            if (c == '%' || c == '_' || c == '\\')
                like += '\\';
            like += c;
        }
        like += '%';
        std::string path = "strict $.** ? (@.type() == \"string\" && @ like_regex ";
        PostgresJson::appendString(path, query.text);
        path += " flag \"iq\")";
        // The attribute test runs only on spans whose string values, as one JSON text, contain the term as JSON
        // writes it: the expression of the trigram index spans_attribute_strings_trgm (migration 2), so that index
        // finds them. That text test can also match across two values or inside an escape, never miss one, and the
        // JSON path decides.
        sql += " AND EXISTS (SELECT 1 FROM " + m_sql->spans + " s WHERE s.trace_id = t.trace_id AND (s.name ILIKE "
            + param(like) + " OR (" + PostgresMigrations::AttributeStringsText + " ILIKE " + param(jsonLike(query.text))
            + " AND jsonb_path_exists(s.attributes, " + param(path) + "::jsonpath))))";
    }
    return sql;
}

std::vector<TraceSummary> PostgresTraceStore::listTraces(const TraceQuery& query, QString* error)
{
    std::vector<TraceSummary> result;
    std::vector<std::string> params;
    const auto param = [&params](std::string value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    // The key expressions of duration, span and error counts are those of their indexes (migration 3). Text keys
    // compare in "C" order, which is the order of Unicode code points in UTF-8.
    const TraceSummary& cursor = query.cursor;
    std::string key;
    std::string cursorKey; // the cursor row's key, as text
    const char* keyType = "::bigint";
    switch (query.order) {
    case TraceOrder::StartTime:
        key = "t.start_time_unix_nano";
        cursorKey = std::to_string(toDb(cursor.startTimeUnixNano));
        break;
    case TraceOrder::Duration:
        // numeric: a bigint difference of two unchecked times could overflow and fail the write of the row.
        key = "greatest(t.end_time_unix_nano::numeric - t.start_time_unix_nano, 0)";
        cursorKey = std::to_string(cursor.durationNanos());
        keyType = "::numeric";
        break;
    case TraceOrder::SpanCount:
        key = "t.span_count";
        cursorKey = std::to_string(cursor.spanCount);
        break;
    case TraceOrder::ErrorCount:
        key = "t.error_count";
        cursorKey = std::to_string(cursor.errorCount);
        break;
    case TraceOrder::Service:
        key = "(t.service_name COLLATE \"C\")";
        cursorKey = textOf(cursor.rootServiceName);
        keyType = "::text";
        break;
    case TraceOrder::Name:
        key = "(t.root_span_name COLLATE \"C\")";
        cursorKey = textOf(cursor.rootSpanName);
        keyType = "::text";
        break;
    case TraceOrder::Tokens:
        key = "least(t.input_tokens::numeric + t.output_tokens, 9223372036854775807)"; // as totalTokens()
        cursorKey = std::to_string(cursor.totalTokens());
        keyType = "::numeric";
        break;
    case TraceOrder::LlmCalls:
        key = "t.llm_calls";
        cursorKey = std::to_string(cursor.llmCalls);
        break;
    case TraceOrder::ToolCalls:
        key = "t.tool_calls";
        cursorKey = std::to_string(cursor.toolCalls);
        break;
    case TraceOrder::InputTokens:
        key = "t.input_tokens";
        cursorKey = std::to_string(cursor.inputTokens);
        break;
    case TraceOrder::OutputTokens:
        key = "t.output_tokens";
        cursorKey = std::to_string(cursor.outputTokens);
        break;
    case TraceOrder::Cost:
        break; // below
    }
    std::string sql;
    if (query.order == TraceOrder::Cost) {
        // TraceOrdering::costKey in SQL, over the prices as a JSON parameter: each model's price is the longest
        // (then first) pattern it matches with ILIKE (`*` -> %, `?` -> _, the rest escaped; case-insensitive like
        // PriceTable, which folds case per UTF-16 unit where PostgreSQL lower-cases per the database's collation:
        // the same for model names in ASCII). Floating-point sums may differ from C++ in the last bit, so the cursor's
        // key is not sent: the query recomputes it from the cursor's own row.
        QJsonArray prices;
        if (query.prices) {
            for (const PriceTable::Price& p : query.prices->prices) {
                if (p.pattern.isEmpty())
                    continue;
                QString like;
                for (const QChar c : p.pattern) {
                    if (c == QLatin1Char('*'))
                        like += QLatin1Char('%');
                    else if (c == QLatin1Char('?'))
                        like += QLatin1Char('_');
                    else {
                        if (c == QLatin1Char('%') || c == QLatin1Char('_') || c == QLatin1Char('\\'))
                            like += QLatin1Char('\\');
                        like += c;
                    }
                }
                prices.append(QJsonObject { { QStringLiteral("like"), like },
                    { QStringLiteral("length"), qint64(p.pattern.size()) },
                    { QStringLiteral("input"), p.inputPerMillion }, { QStringLiteral("output"), p.outputPerMillion },
                    { QStringLiteral("cached"), p.cachedInputPerMillion.value_or(p.inputPerMillion) },
                    { QStringLiteral("currency"), p.currency } });
            }
        }
        sql = "WITH prices AS MATERIALIZED (SELECT e.p->>'like' AS pattern, (e.p->>'length')::int AS length, e.ord, "
              "(e.p->>'input')::float8 AS input, (e.p->>'output')::float8 AS output, "
              "(e.p->>'cached')::float8 AS cached, e.p->>'currency' AS currency FROM jsonb_array_elements("
            + param(QJsonDocument(prices).toJson(QJsonDocument::Compact).toStdString()) + "::jsonb) WITH ORDINALITY "
            + "AS e(p, ord)) ";
        const auto costOf = [](const char* alias) {
            const std::string in = "greatest((u.v->>'input')::float8, 0)";
            const std::string cached = "least(" + in + ", greatest((u.v->>'cached')::float8, 0))";
            const std::string out = "greatest((u.v->>'output')::float8, 0)";
            return std::string("(SELECT CASE WHEN bool_or(p.pattern IS NULL AND ((u.v->>'input')::bigint > 0 OR "
                               "(u.v->>'output')::bigint > 0)) OR count(DISTINCT p.currency) > 1 THEN -1::float8 "
                               "ELSE coalesce(sum(((")
                + in + " - " + cached + ") * p.input + " + cached + " * p.cached + " + out
                + " * p.output) / 1e6::float8), 0::float8) END FROM jsonb_array_elements(" + alias
                + ".model_usage) AS u(v) LEFT JOIN LATERAL (SELECT * FROM prices pr WHERE (u.v->>'model') <> '' "
                  "AND (u.v->>'model') ILIKE pr.pattern ORDER BY pr.length DESC, pr.ord LIMIT 1) p ON true)";
        };
        key = costOf("t");
        keyType = "::float8";
        if (query.hasCursor) // (a parameter that the SQL does not use has no type: an error)
            cursorKey = "coalesce((SELECT " + costOf("c") + " FROM " + m_sql->traces + " c WHERE c.trace_id = "
            + param(hex(cursor.traceId)) + "), " + param(QByteArray::number(
                TraceOrdering::costKey(cursor.modelUsage, query.prices.get()), 'g', 17).toStdString())
            + "::float8)";
    }
    sql += "SELECT " SUMMARY_COLUMNS " FROM " + m_sql->traces + " t WHERE true";
    if (query.hasCursor && query.order == TraceOrder::Cost) {
        sql += " AND (" + key + ", t.trace_id) " + (query.descending ? "<" : ">") + " (" + cursorKey + ", "
            + param(hex(cursor.traceId)) + ")";
    } else if (query.hasCursor) {
        sql += " AND (" + key + ", t.trace_id) " + (query.descending ? "<" : ">") + " (" + param(cursorKey) + keyType
            + ", " + param(hex(cursor.traceId)) + ")";
    }
    sql += filterSql(query, param);
    const char* direction = query.descending ? " DESC" : " ASC";
    sql += " ORDER BY " + key + direction + ", t.trace_id" + direction + " LIMIT "
        + param(std::to_string(std::max(0, query.limit))) + "::bigint OFFSET "
        + param(std::to_string(std::max(0, query.offset))) + "::bigint";

    withConnection(QStringLiteral("list traces"), error, [&](Connection& c) {
        result.clear();
        pqxx::nontransaction tx(c.db);
        const pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
        result.reserve(std::size_t(rows.size()));
        for (const pqxx::row& row : rows)
            result.push_back(readSummary(row));
    });
    return result;
}

std::optional<TraceSummary> PostgresTraceStore::traceSummary(const TraceId& traceId, QString* error)
{
    std::optional<TraceSummary> result;
    withConnection(QStringLiteral("read trace summary"), error, [&](Connection& c) {
        pqxx::nontransaction tx(c.db);
        const pqxx::result rows = tx.exec_params(m_sql->summaryByTrace, hex(traceId));
        result.reset();
        if (!rows.empty())
            result = readSummary(rows[0]);
    });
    return result;
}

std::vector<LogRecord> PostgresTraceStore::traceLogs(const TraceId& traceId, QString* error)
{
    std::vector<LogRecord> logs;
    QString corrupt;
    const bool ok = withConnection(
        QStringLiteral("read the log records of trace %1").arg(traceId.toHex()), error, [&](Connection& c) {
            logs.clear();
            pqxx::nontransaction tx(c.db);
            const pqxx::result rows = tx.exec_params(m_sql->logsOfTrace, hex(traceId));
            logs.reserve(std::size_t(rows.size()));
            InlineContentCache contents;
            std::vector<int> recordOrder, resourceOrder, scopeOrder;
            for (const pqxx::row& r : rows) {
                LogRecord record;
                record.traceId = traceId;
                if (!r[0].is_null())
                    record.spanId = SpanId::fromHex(qstr(r[0]));
                record.timeUnixNano = fromDb(r[1]);
                record.observedTimeUnixNano = fromDb(r[2]);
                record.severityNumber = r[3].as<int>();
                record.severityText = qstr(r[4]);
                bool good = PostgresJson::parseKeyOrders(r[18].is_null() ? std::string_view() : view(r[18]),
                                &recordOrder, &resourceOrder, &scopeOrder)
                    && (r[5].is_null() || PostgresJson::parseValue(view(r[5]), &record.body))
                    && PostgresJson::parseAttributes(view(r[6]), recordOrder, &record.attributes);
                record.eventName = qstr(r[7]);
                record.flags = std::uint32_t(r[8].as<long long>());
                record.droppedAttributesCount = std::uint32_t(r[9].as<long long>());
                // NULL scope attributes of a log record do not parse (unlike a span's).
                good = good && contents.attach(r, 10, resourceOrder, scopeOrder, record);
                if (!good) {
                    corrupt = QStringLiteral("a stored log record of trace %1 is corrupt").arg(traceId.toHex());
                    logs.clear();
                    return;
                }
                logs.push_back(std::move(record));
            }
        });
    if (ok && !corrupt.isEmpty()) {
        qCWarning(lcStorage).noquote() << corrupt;
        if (error)
            *error = corrupt;
    }
    return logs;
}

qint64 PostgresTraceStore::logRecordCount(QString* error)
{
    qint64 count = 0;
    withConnection(QStringLiteral("count log records"), error, [&](Connection& c) {
        pqxx::nontransaction tx(c.db);
        count = tx.exec1(m_sql->logCount)[0].as<long long>();
    });
    return count;
}

std::vector<Span> PostgresTraceStore::traceSpans(const TraceId& traceId, QString* error)
{
    std::vector<Span> spans;
    QString corrupt;
    const bool ok = withConnection(QStringLiteral("read trace %1").arg(traceId.toHex()), error, [&](Connection& c) {
        spans.clear();
        pqxx::nontransaction tx(c.db);
        const pqxx::result rows = tx.exec_params(m_sql->spansOfTrace, hex(traceId));
        spans.reserve(std::size_t(rows.size()));
        // Spans of one request share their resource and scope; decode each distinct one once.
        InlineContentCache contents;
        std::vector<int> spanOrder, resourceOrder, scopeOrder;
        for (const pqxx::row& r : rows) {
            Span span;
            span.traceId = traceId;
            span.spanId = SpanId::fromHex(qstr(r[0]));
            if (!r[1].is_null())
                span.parentSpanId = SpanId::fromHex(qstr(r[1]));
            span.name = qstr(r[2]);
            span.kind = SpanKind(r[3].as<int>());
            span.startTimeUnixNano = fromDb(r[4]);
            span.endTimeUnixNano = fromDb(r[5]);
            span.statusCode = StatusCode(r[6].as<int>());
            span.statusMessage = qstr(r[7]);
            span.traceState = qstr(r[8]);
            span.flags = std::uint32_t(r[9].as<long long>());
            bool good = PostgresJson::parseKeyOrders(
                            r[24].is_null() ? std::string_view() : view(r[24]), &spanOrder, &resourceOrder, &scopeOrder)
                && PostgresJson::parseAttributes(view(r[10]), spanOrder, &span.attributes)
                && PostgresJson::parseEvents(view(r[11]), &span.events)
                && PostgresJson::parseLinks(view(r[12]), &span.links);
            span.droppedAttributesCount = std::uint32_t(r[13].as<long long>());
            span.droppedEventsCount = std::uint32_t(r[14].as<long long>());
            span.droppedLinksCount = std::uint32_t(r[15].as<long long>());
            good = good && contents.attach(r, 16, resourceOrder, scopeOrder, span);
            if (!good) {
                corrupt = QStringLiteral("the stored JSON of span %1 cannot be read").arg(span.spanId.toHex());
                spans.clear();
                return;
            }
            spans.push_back(std::move(span));
        }
    });
    if (ok && !corrupt.isEmpty()) {
        const QString message = QStringLiteral("cannot read trace %1: %2").arg(traceId.toHex(), corrupt);
        qCWarning(lcStorage).noquote() << message;
        if (error)
            *error = message;
    }
    return spans;
}

bool PostgresTraceStore::readBlob(
    const TraceId& traceId, QString* key, QByteArray* blob, RawPayload* meta, QString* error)
{
    key->clear();
    if (!withConnection(
            QStringLiteral("read the raw object key of trace %1").arg(traceId.toHex()), error, [&](Connection& c) {
                pqxx::nontransaction tx(c.db);
                const pqxx::result rows = tx.exec_params(m_sql->blobKey, hex(traceId));
                if (rows.empty() || rows[0][0].is_null())
                    return;
                *key = qstr(rows[0][0]);
                meta->spanCount = rows[0][1].as<long long>();
                meta->receivedAtUnixNano = fromDb(rows[0][2]);
            }))
        return false;
    if (key->isEmpty())
        return true;
    // The connection is back in the pool while the object store answers.
    QString message;
    std::optional<QByteArray> object = m_blobs->get(*key, &message);
    if (!object) {
        if (message.isEmpty())
            message = QStringLiteral("the object %1 in %2 is missing").arg(*key, m_blobs->description());
        message = QStringLiteral("cannot read the raw object of trace %1: %2").arg(traceId.toHex(), message);
        qCWarning(lcStorage).noquote() << message;
        if (error)
            *error = message;
        return false;
    }
    *blob = std::move(*object);
    return true;
}

QByteArray PostgresTraceStore::traceBlob(const TraceId& traceId, QString* error)
{
    if (error)
        error->clear();
    QString key;
    QByteArray blob;
    RawPayload meta;
    if (!m_blobs || !readBlob(traceId, &key, &blob, &meta, error))
        return {};
    return blob;
}

std::vector<RawPayload> PostgresTraceStore::tracePayloads(const TraceId& traceId, QString* error)
{
    if (error)
        error->clear();
    std::vector<RawPayload> payloads;
    QString key;
    QByteArray blob;
    RawPayload p;
    if (!m_blobs || !readBlob(traceId, &key, &blob, &p, error) || key.isEmpty())
        return payloads;
    if (!gunzip(blob, &p.body)) {
        const QString message
            = QStringLiteral("cannot read the raw payload of trace %1: the object %2 is not valid gzip")
                  .arg(traceId.toHex(), key);
        qCWarning(lcStorage).noquote() << message;
        if (error)
            *error = message;
        return payloads;
    }
    p.contentType = QStringLiteral("application/json");
    p.contentEncoding = QStringLiteral("gzip");
    p.wireSize = blob.size();
    // "s3://bucket @ endpoint" -> "s3://bucket/key @ endpoint"
    const QString where = m_blobs->description();
    const qsizetype space = where.indexOf(QLatin1Char(' '));
    p.peer
        = (space < 0 ? where : where.left(space)) + QLatin1Char('/') + key + (space < 0 ? QString() : where.mid(space));
    payloads.push_back(std::move(p));
    return payloads;
}

QStringList PostgresTraceStore::services(QString* error)
{
    QStringList result;
    withConnection(QStringLiteral("list services"), error, [&](Connection& c) {
        result.clear();
        pqxx::nontransaction tx(c.db);
        for (const pqxx::row& r : tx.exec(m_sql->services))
            result.append(qstr(r[0]));
    });
    result.sort();
    return result;
}

qint64 PostgresTraceStore::spanCount(QString* error)
{
    qint64 count = 0;
    withConnection(QStringLiteral("count spans"), error, [&](Connection& c) {
        pqxx::nontransaction tx(c.db);
        count = tx.exec1(m_sql->spanCount)[0].as<long long>();
    });
    return count;
}

int PostgresTraceStore::schemaVersion(QString* error)
{
    int version = -1;
    QString message;
    withConnection(QStringLiteral("read the schema version"), error, [&](Connection& c) {
        version = PostgresMigrations::currentVersion(c.db, m_schema, &message);
        if (version < 0)
            throw pqxx::failure(utf8(message));
    });
    return version;
}

// ---------------------------------------------------------------------------------------------------------------
// ingestion queue

bool PostgresTraceStore::enqueue(const std::vector<RawPayload>& payloads, QString* error, std::vector<qint64>* ids)
{
    std::vector<qint64> newIds;
    const std::uint64_t now = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000u;
    const bool ok = withConnection(QStringLiteral("queue %1 requests").arg(payloads.size()), error, [&](Connection& c) {
        newIds.clear();
        pqxx::work tx(c.db);
        for (const RawPayload& p : payloads) {
            const std::uint64_t received = p.receivedAtUnixNano ? p.receivedAtUnixNano : now;
            const pqxx::row r = tx.exec_params1(m_sql->enqueue,
                pqxx::binarystring(p.body.constData(), std::size_t(p.body.size())),
                static_cast<long long>(p.body.size()), textOf(p.contentType), textOf(p.contentEncoding), textOf(p.peer),
                static_cast<long long>(p.wireSize), static_cast<long long>(p.spanCount), micros(received),
                toDb(received), std::string(p.signal == RawPayload::Signal::Logs ? "logs" : "traces"),
                static_cast<long long>(p.logRecordCount));
            newIds.push_back(r[0].as<long long>());
        }
        tx.commit();
    });
    if (ok && ids)
        *ids = std::move(newIds);
    return ok;
}

std::vector<QueuedPayload> PostgresTraceStore::claimQueued(
    int maxItems, qint64 maxBytes, std::chrono::seconds lease, QString* error)
{
    std::vector<QueuedPayload> claimed;
    if (maxItems <= 0) {
        if (error)
            error->clear();
        return claimed;
    }
    withConnection(QStringLiteral("claim queued requests"), error, [&](Connection& c) {
        claimed.clear();
        pqxx::nontransaction tx(c.db); // one statement: atomic by itself
        const pqxx::result rows = tx.exec_params(m_sql->claim, maxItems,
            static_cast<long long>(std::max<qint64>(maxBytes, 0)), static_cast<long long>(lease.count()));
        for (const pqxx::row& r : rows) {
            QueuedPayload q;
            q.id = r[0].as<long long>();
            q.payload.id = q.id;
            const pqxx::binarystring body(r[1]);
            q.payload.body = QByteArray(body.get(), qsizetype(body.size()));
            q.payload.contentType = qstr(r[2]);
            q.payload.contentEncoding = qstr(r[3]);
            q.payload.peer = qstr(r[4]);
            q.payload.wireSize = r[5].as<long long>();
            q.payload.spanCount = r[6].as<long long>();
            q.payload.receivedAtUnixNano = fromDb(r[7]);
            q.attempts = r[8].as<int>();
            q.lastError = r[9].is_null() ? QString() : qstr(r[9]);
            q.payload.signal = view(r[10]) == "logs" ? RawPayload::Signal::Logs : RawPayload::Signal::Traces;
            q.payload.logRecordCount = r[11].as<long long>();
            claimed.push_back(std::move(q));
        }
    });
    std::sort(
        claimed.begin(), claimed.end(), [](const QueuedPayload& a, const QueuedPayload& b) { return a.id < b.id; });
    return claimed;
}

bool PostgresTraceStore::completeQueued(const std::vector<qint64>& ids, QString* error)
{
    if (ids.empty()) {
        if (error)
            error->clear();
        return true;
    }
    return withConnection(QStringLiteral("complete %1 queued requests").arg(ids.size()), error, [&](Connection& c) {
        pqxx::nontransaction tx(c.db);
        tx.exec_params0(m_sql->complete, bigintArray(ids));
    });
}

bool PostgresTraceStore::failQueued(
    const std::vector<qint64>& ids, const QString& reason, std::chrono::milliseconds retryAfter, QString* error)
{
    if (ids.empty()) {
        if (error)
            error->clear();
        return true;
    }
    return withConnection(QStringLiteral("release %1 queued requests").arg(ids.size()), error, [&](Connection& c) {
        pqxx::nontransaction tx(c.db);
        tx.exec_params0(m_sql->fail, bigintArray(ids), textOf(reason),
            static_cast<long long>(std::max<std::int64_t>(retryAfter.count(), 0)));
    });
}

qint64 PostgresTraceStore::queueDepth(QString* error)
{
    qint64 depth = -1;
    if (!withConnection(QStringLiteral("count queued requests"), error, [&](Connection& c) {
            pqxx::nontransaction tx(c.db);
            depth = tx.exec1(m_sql->queueDepth)[0].as<long long>();
        }))
        return -1;
    return depth;
}

std::vector<TraceObjectInfo> PostgresTraceStore::traceObjectInfo(const std::vector<TraceId>& traceIds, QString* error)
{
    std::vector<TraceObjectInfo> result;
    if (traceIds.empty()) {
        if (error)
            error->clear();
        return result;
    }
    std::vector<std::string> ids;
    ids.reserve(traceIds.size());
    for (const TraceId& id : traceIds)
        ids.push_back(hex(id));
    withConnection(QStringLiteral("read trace object info"), error, [&](Connection& c) {
        result.clear();
        pqxx::nontransaction tx(c.db);
        for (const pqxx::row& r : tx.exec_params(m_sql->objectInfo, textArray(ids))) {
            TraceObjectInfo info;
            info.traceId = TraceId::fromHex(qstr(r[0]));
            info.environment = qstr(r[1]);
            info.rootServiceName = qstr(r[2]);
            info.startTimeUnixNano = fromDb(r[3]);
            info.rawBlobKey = r[4].is_null() ? QString() : qstr(r[4]);
            result.push_back(std::move(info));
        }
    });
    return result;
}

bool PostgresTraceStore::setTraceBlobKeys(const std::vector<std::pair<TraceId, QString>>& keys, QString* error)
{
    if (keys.empty()) {
        if (error)
            error->clear();
        return true;
    }
    std::vector<std::string> ids, values;
    for (const auto& [id, key] : keys) {
        ids.push_back(hex(id));
        values.push_back(textOf(key));
    }
    return withConnection(QStringLiteral("set raw object keys"), error, [&](Connection& c) {
        pqxx::nontransaction tx(c.db);
        tx.exec_params0(m_sql->setBlobKeys, textArray(ids), textArray(values));
    });
}

std::vector<TraceTimeBucket> PostgresTraceStore::traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                                 QString* error)
{
    std::vector<TraceTimeBucket> result;
    if (error)
        error->clear();
    if (!checkBucketSize(bucketNanos, error))
        return result;
    std::vector<std::string> params;
    const auto param = [&params](std::string value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    // sum(bigint) is numeric: no overflow; clamped like the default implementation's exact sums.
    const std::string bucket = param(std::to_string(toDb(bucketNanos))) + "::bigint";
    std::string sql = "SELECT t.start_time_unix_nano - t.start_time_unix_nano % " + bucket
        + " AS bucket, count(*), coalesce(sum(t.span_count), 0)::bigint, count(*) FILTER (WHERE t.error_count > 0), "
          "coalesce(sum(t.error_count), 0)::bigint, "
          "greatest(least(coalesce(sum(t.input_tokens), 0), 9223372036854775807), -9223372036854775808)::bigint, "
          "greatest(least(coalesce(sum(t.output_tokens), 0), 9223372036854775807), -9223372036854775808)::bigint "
          "FROM "
        + m_sql->traces + " t WHERE true";
    sql += filterSql(filter, param);
    sql += " GROUP BY bucket ORDER BY bucket";
    withConnection(QStringLiteral("compute the time series"), error, [&](Connection& c) {
        result.clear();
        pqxx::nontransaction tx(c.db);
        const pqxx::result rows = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
        result.reserve(std::size_t(rows.size()));
        for (const pqxx::row& row : rows) {
            TraceTimeBucket b;
            b.startTimeUnixNano = std::uint64_t(row[0].as<std::int64_t>());
            b.traces = row[1].as<qint64>();
            b.spans = row[2].as<qint64>();
            b.errorTraces = row[3].as<qint64>();
            b.errorSpans = row[4].as<qint64>();
            b.inputTokens = row[5].as<qint64>();
            b.outputTokens = row[6].as<qint64>();
            result.push_back(b);
        }
    });
    return result;
}

std::vector<OperationStats> PostgresTraceStore::operationStats(
    const TraceQuery& filter, QString* error, const std::function<bool()>& cancelled, bool keepDurations)
{
    if (error)
        error->clear();
    std::vector<std::string> params;
    const auto param = [&params](std::string value) {
        params.push_back(std::move(value));
        return "$" + std::to_string(params.size());
    };
    // The matching traces (the list's filter) with their span counts, then their spans in chunks of about
    // m_statsChunkSpans rows (a trace is never split): only the columns statistics need, ordered by trace so that a
    // trace's rows come together. One read-only REPEATABLE READ transaction, so every chunk sees the snapshot the
    // trace list was taken from.
    const std::string traceSql = "SELECT t.trace_id, t.span_count FROM " + m_sql->traces + " t WHERE true"
        + filterSql(filter, param) + " ORDER BY t.trace_id";
    const std::string spanSql = "SELECT s.trace_id, s.span_id, s.parent_span_id, s.service_name, s.name, "
                                "s.start_time_unix_nano, s.end_time_unix_nano, s.status_code FROM "
        + m_sql->spans + " s WHERE s.trace_id = ANY($1::text[]) ORDER BY s.trace_id";
    constexpr std::size_t ChunkTraces = 5000;
    const qint64 chunkLimit = m_statsChunkSpans;

    std::optional<OperationStatsBuilder> builder;
    bool stopped = false;
    const bool ok = withConnection(QStringLiteral("compute the statistics"), error, [&](Connection& c) {
        builder.emplace();
        stopped = false;
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c.db);
        const pqxx::result traces = tx.exec_params(traceSql, pqxx::prepare::make_dynamic_params(params));
        OperationStatsRows rows(&*builder);
        QString service; // the previous row's, reused while it repeats
        std::string serviceUtf8;
        std::vector<std::string> chunk;
        qint64 chunkSpans = 0;
        const auto readChunk = [&] {
            const pqxx::result spans = tx.exec_params(spanSql, textArray(chunk));
            chunk.clear();
            chunkSpans = 0;
            std::string trace;
            for (const pqxx::row& r : spans) {
                if (view(r[0]) != trace) {
                    rows.endTrace();
                    if (cancelled && cancelled()) {
                        stopped = true;
                        return;
                    }
                    trace = view(r[0]);
                }
                if (view(r[3]) != serviceUtf8) {
                    serviceUtf8 = view(r[3]);
                    service = QString::fromStdString(serviceUtf8);
                }
                rows.add(SpanId::fromHex(qstr(r[1])), r[2].is_null() ? SpanId() : SpanId::fromHex(qstr(r[2])), service,
                    qstr(r[4]), fromDb(r[5]), fromDb(r[6]), StatusCode(r[7].as<int>()) == StatusCode::Error);
            }
            rows.endTrace();
        };
        for (const pqxx::row& t : traces) {
            chunk.emplace_back(view(t[0]));
            chunkSpans += t[1].as<qint64>();
            if (chunkSpans >= chunkLimit || chunk.size() >= ChunkTraces) {
                readChunk();
                if (stopped)
                    return;
            }
        }
        if (!chunk.empty())
            readChunk();
        tx.commit();
    });
    if (!ok || stopped)
        return {};
    return builder->result(keepDurations);
}
