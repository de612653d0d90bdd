#include "postgresmigrations.h"

#include "storagelogging.h"

#include <QRegularExpression>

#include <pqxx/pqxx>

namespace PostgresMigrations {

namespace {

    struct Migration {
        int version;
        const char* sql; // {s} stands for the quoted schema name
    };

    // Never edit a released migration; append a new one. docs/storage.md ("PostgreSQL") explains the schema.
    const Migration s_migrations[] = {
        { 1, R"sql(
-- One row per trace: the summary the trace list shows, recomputed from `spans` by every write that touches it.
-- Ids are lowercase hex; times in Unix ns (exact) and as timestamptz (microseconds, for people and indexes).
CREATE TABLE {s}.traces (
    trace_id text COLLATE "C" PRIMARY KEY,
    service_name text NOT NULL,
    root_span_name text NOT NULL,
    root_span_id text COLLATE "C" NOT NULL,
    has_root boolean NOT NULL,
    services text[] NOT NULL,
    start_time_unix_nano bigint NOT NULL,
    end_time_unix_nano bigint NOT NULL,
    start_time timestamptz NOT NULL,
    end_time timestamptz NOT NULL,
    duration_ms double precision NOT NULL,
    span_count bigint NOT NULL,
    error_count bigint NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    environment text NOT NULL,
    raw_blob_key text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX traces_start ON {s}.traces (start_time_unix_nano DESC, trace_id DESC);
CREATE INDEX traces_service_start ON {s}.traces (service_name, start_time);
CREATE INDEX traces_services ON {s}.traces USING gin (services);

CREATE TABLE {s}.spans (
    trace_id text COLLATE "C" NOT NULL,
    span_id text COLLATE "C" NOT NULL,
    parent_span_id text COLLATE "C",
    name text NOT NULL,
    kind smallint NOT NULL,
    service_name text NOT NULL,
    start_time_unix_nano bigint NOT NULL,
    end_time_unix_nano bigint NOT NULL,
    start_time timestamptz NOT NULL,
    end_time timestamptz NOT NULL,
    duration_ms double precision NOT NULL,
    status_code smallint NOT NULL,
    status_message text NOT NULL,
    trace_state text NOT NULL,
    flags bigint NOT NULL,
    attributes jsonb NOT NULL,
    events jsonb NOT NULL,
    links jsonb NOT NULL,
    dropped_attributes_count bigint NOT NULL,
    dropped_events_count bigint NOT NULL,
    dropped_links_count bigint NOT NULL,
    resource_attributes jsonb,
    resource_dropped_attributes_count bigint NOT NULL,
    resource_schema_url text NOT NULL,
    scope_name text,
    scope_version text,
    scope_attributes jsonb,
    scope_dropped_attributes_count bigint NOT NULL,
    scope_schema_url text NOT NULL,
    attribute_order jsonb,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX spans_service_start ON {s}.spans (service_name, start_time);

-- Worker mode: received requests, durable before they are acknowledged; drained by the ingestion coordinator.
CREATE TABLE {s}.ingestion_queue (
    id bigserial PRIMARY KEY,
    payload bytea NOT NULL,
    payload_size bigint NOT NULL,
    content_type text NOT NULL,
    content_encoding text NOT NULL,
    peer text NOT NULL,
    wire_size bigint NOT NULL,
    span_count bigint NOT NULL,
    received_at timestamptz NOT NULL,
    received_at_unix_nano bigint NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'leased', 'retry')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_at timestamptz
);
CREATE INDEX ingestion_queue_due ON {s}.ingestion_queue (next_attempt_at, id);
)sql" },
        { 2, R"sql(
-- The trace list's text filter (case-insensitive substring of a span name or of a string attribute value at any
-- depth) through trigram GIN indexes, when pg_trgm is installed (migrate() tries to install it first). Without it
-- this migration creates nothing and the filter scans. The second index's expression is the text form of the
-- array of the attributes' string values; PostgresTraceStore::listTraces uses the same expression.
DO $migration$
DECLARE
    ops text;
BEGIN
    SELECT format('%I.%I', n.nspname, c.opcname) INTO ops
    FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod
    WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
    LIMIT 1;
    IF ops IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE INDEX spans_name_trgm ON {s}.spans USING gin (name %s)', ops);
    EXECUTE format('CREATE INDEX spans_attribute_strings_trgm ON {s}.spans USING gin ('
        '(jsonb_path_query_array(attributes, ''strict $.** ? (@.type() == "string")'')::text) %s)', ops);
END
$migration$;
)sql" },
        { 3, R"sql(
-- The trace list sorted by duration, span count or error count (TraceQuery::order) walks these instead of sorting
-- every trace. The duration expression is the one PostgresTraceStore::listTraces orders by (numeric, so that no
-- pair of times can overflow it).
CREATE INDEX traces_duration ON {s}.traces ((greatest(end_time_unix_nano::numeric - start_time_unix_nano, 0)) DESC,
    trace_id DESC);
CREATE INDEX traces_span_count ON {s}.traces (span_count DESC, trace_id DESC);
CREATE INDEX traces_error_count ON {s}.traces (error_count DESC, trace_id DESC);
)sql" },
        { 4, R"sql(
-- OTLP log records (issue 9). record_hash is the BLAKE2b-256 of the whole record (SpanCodec::logRecordHash): a
-- re-sent record is stored once. trace_id/span_id are lowercase hex like in spans, NULL without trace context.
-- body is the AnyValue as JSON (NULL when the record has none), attributes as spans' attributes; attribute_order
-- keeps the key orders of the record's, resource's and scope's attributes as spans.attribute_order does.
CREATE TABLE {s}.logs (
    record_hash bytea PRIMARY KEY,
    trace_id text COLLATE "C",
    span_id text COLLATE "C",
    time_unix_nano bigint NOT NULL,
    observed_time_unix_nano bigint NOT NULL,
    time timestamptz NOT NULL,
    severity_number integer NOT NULL,
    severity_text text NOT NULL,
    body jsonb,
    attributes jsonb NOT NULL,
    event_name text NOT NULL,
    flags bigint NOT NULL,
    dropped_attributes_count bigint NOT NULL,
    service_name text NOT NULL,
    resource_attributes jsonb,
    resource_dropped_attributes_count bigint NOT NULL,
    resource_schema_url text NOT NULL,
    scope_name text,
    scope_version text,
    scope_attributes jsonb,
    scope_dropped_attributes_count bigint NOT NULL,
    scope_schema_url text NOT NULL,
    attribute_order jsonb
);
CREATE INDEX logs_trace_time ON {s}.logs (trace_id, time_unix_nano) WHERE trace_id IS NOT NULL;

-- Which export request a queued body is, so that the coordinator decodes it with the right message type.
ALTER TABLE {s}.ingestion_queue ADD COLUMN signal text NOT NULL DEFAULT 'traces' CHECK (signal IN ('traces', 'logs'));
ALTER TABLE {s}.ingestion_queue ADD COLUMN log_record_count bigint NOT NULL DEFAULT 0;
)sql" },
        { 5, R"sql(
-- The order log records arrived in, for records of the same time: SDKs stamp in milliseconds, so the messages of one
-- LLM call (gen_ai.system.message, gen_ai.user.message, ...) often share a time and only their order tells the
-- conversation's order. Rows already there are numbered in no particular order.
ALTER TABLE {s}.logs ADD COLUMN seq bigint GENERATED BY DEFAULT AS IDENTITY;
)sql" },
        { 6, R"sql(
-- GenAI figures per trace (issue 10), counted as SpanGenAiFigures counts them: tokens only on LLM call spans, so an
-- agent span that repeats its children's sums no longer counts them twice; spans.input_tokens / output_tokens now
-- hold 0 on other spans. spans.genai_role is SpanGenAiFigures::Role, spans.model the priced model of an LLM call.
-- Rows already stored keep their old figures (tokens of every span, no call counts, no conversation): classifying
-- a span (GenAi::classify) is C++, not SQL. A trace that gets a span later is summed again from its spans, where
-- the old spans still count their old tokens.
ALTER TABLE {s}.spans ADD COLUMN genai_role smallint NOT NULL DEFAULT 0;
ALTER TABLE {s}.spans ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE {s}.spans ADD COLUMN model text NOT NULL DEFAULT '';
ALTER TABLE {s}.spans ADD COLUMN conversation_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE {s}.traces ADD COLUMN llm_calls bigint NOT NULL DEFAULT 0;
ALTER TABLE {s}.traces ADD COLUMN tool_calls bigint NOT NULL DEFAULT 0;
ALTER TABLE {s}.traces ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0;
-- [{"model", "calls", "input", "output", "cached"}] by model (TraceSummary::modelUsageFromJson reads it)
ALTER TABLE {s}.traces ADD COLUMN model_usage jsonb NOT NULL DEFAULT '[]';
ALTER TABLE {s}.traces ADD COLUMN conversation_id text COLLATE "C" NOT NULL DEFAULT '';
-- The session filter (TraceQuery::conversationId), newest first.
CREATE INDEX traces_conversation ON {s}.traces (conversation_id, start_time_unix_nano DESC, trace_id DESC)
    WHERE conversation_id <> '';
)sql" },
    };

    std::string withSchema(const char* sql, const std::string& quoted)
    {
        std::string out(sql);
        for (std::size_t i = out.find("{s}"); i != std::string::npos; i = out.find("{s}", i + quoted.size()))
            out.replace(i, 3, quoted);
        return out;
    }

    std::string utf8(const QString& s) { return s.toStdString(); }

    QString message(const std::exception& e)
    {
        QString text = QString::fromUtf8(e.what()).trimmed();
        if (text.startsWith(QLatin1String("ERROR:")))
            text = text.mid(6).trimmed();
        return text;
    }

    constexpr int TrigramMigration = 2;

    // pg_trgm for migration 2, unless the database has it: a trusted extension since PostgreSQL 13, so the
    // database's owner (anyone with CREATE on it) may install it. When that fails (no contrib package, no right) the
    // migration goes on without the indexes; that is said here, once, and the text filter scans.
    void installTrigramExtension(pqxx::work& tx, const QString& schema)
    {
        if (tx.exec1("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")[0].as<int>() > 0)
            return;
        // Per database, not per schema: two schemas migrating at once must not both try to create it.
        tx.exec("SELECT pg_advisory_xact_lock(hashtextextended('spanscope create extension pg_trgm', 0))");
        try {
            pqxx::subtransaction sub(tx, "pg_trgm");
            sub.exec0("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public");
            sub.commit();
        } catch (const std::exception& e) {
            qCWarning(lcStorage).noquote()
                << QStringLiteral("PostgreSQL schema %1: the extension pg_trgm cannot be installed (%2); the trace "
                                  "list's text filter will scan all spans. To index it later, see docs/storage.md "
                                  "(\"Text filter\").")
                       .arg(schema, message(e).section(QLatin1Char('\n'), 0, 0));
        }
    }

    int readVersion(pqxx::transaction_base& tx, const QString& schema)
    {
        const std::string quoted = quotedSchema(schema);
        const pqxx::row exists = tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", quoted + ".schema_migrations");
        if (!exists[0].as<bool>())
            return 0;
        return tx.exec1("SELECT coalesce(max(version), 0) FROM " + quoted + ".schema_migrations")[0].as<int>();
    }

} // namespace

const char* const AttributeStringsText
    = "(jsonb_path_query_array(s.attributes, 'strict $.** ? (@.type() == \"string\")'::jsonpath))::text";

int latestVersion() { return s_migrations[std::size(s_migrations) - 1].version; }

bool isValidSchemaName(const QString& name)
{
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,62}$"));
    return identifier.match(name).hasMatch() && !name.startsWith(QLatin1String("pg_"), Qt::CaseInsensitive);
}

std::string quotedSchema(const QString& name) { return '"' + utf8(name) + '"'; }

int currentVersion(pqxx::connection_base& connection, const QString& schema, QString* error)
{
    if (!isValidSchemaName(schema)) {
        if (error)
            *error = QStringLiteral("\"%1\" is not a valid schema name").arg(schema);
        return -1;
    }
    try {
        pqxx::read_transaction tx(connection);
        const int version = readVersion(tx, schema);
        tx.commit();
        return version;
    } catch (const std::exception& e) {
        if (error)
            *error = message(e);
        return -1;
    }
}

bool migrate(pqxx::connection_base& connection, const QString& schema, int* fromVersion, int* toVersion, QString* error)
{
    if (!isValidSchemaName(schema)) {
        if (error)
            *error = QStringLiteral("\"%1\" is not a valid schema name (letters, digits and _, at most 63, not "
                                    "starting with a digit or pg_)")
                         .arg(schema);
        return false;
    }
    const std::string quoted = quotedSchema(schema);
    try {
        pqxx::work tx(connection);
        const std::string encoding = tx.exec1("SHOW server_encoding")[0].as<std::string>();
        if (encoding != "UTF8") {
            if (error)
                *error = QStringLiteral("the database encoding is %1; Spanscope needs a UTF8 database")
                             .arg(QString::fromStdString(encoding));
            return false;
        }
        // Held until COMMIT: a second process opening the same schema waits here, then finds it migrated.
        tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "spanscope migrate " + quoted);
        const int from = readVersion(tx, schema);
        if (fromVersion)
            *fromVersion = from;
        if (from > latestVersion()) {
            if (error)
                *error = QStringLiteral("schema %1 is at version %2, newer than this Spanscope knows (%3); "
                                        "use a newer Spanscope")
                             .arg(schema)
                             .arg(from)
                             .arg(latestVersion());
            return false;
        }
        if (from < latestVersion()) {
            // CREATE SCHEMA IF NOT EXISTS needs the CREATE right on the database even when the schema exists.
            const pqxx::row exists
                = tx.exec_params1("SELECT count(*) FROM pg_namespace WHERE nspname = $1", utf8(schema));
            if (exists[0].as<int>() == 0)
                tx.exec0("CREATE SCHEMA " + quoted);
            tx.exec0("CREATE TABLE IF NOT EXISTS " + quoted
                + ".schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT "
                  "now())");
            for (const Migration& m : s_migrations) {
                if (m.version <= from)
                    continue;
                if (m.version == TrigramMigration)
                    installTrigramExtension(tx, schema);
                tx.exec(withSchema(m.sql, quoted));
                tx.exec_params0(
                    "INSERT INTO " + quoted + ".schema_migrations (version, applied_at) VALUES ($1, now())", m.version);
            }
        }
        tx.commit();
        if (toVersion)
            *toVersion = latestVersion();
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QStringLiteral("cannot migrate schema %1: %2").arg(schema, message(e));
        return false;
    }
}

} // namespace PostgresMigrations
