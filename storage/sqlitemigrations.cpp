#include "sqlitemigrations.h"

#include "sqliteconnection.h"
#include "tracetextindex.h"

#include <sqlite3.h>

namespace SqliteMigrations {

namespace {

struct Migration {
    int version;
    const char* sql;
    /// Runs after `sql`, in the same transaction (what SQL alone cannot do); null: nothing.
    bool (*after)(SqliteConnection& db, QString* error) = nullptr;
};

// Never edit a released migration; append a new one. (Version 1 was last edited before the first release, see
// docs/storage.md.) docs/storage.md explains the schema.
const Migration s_migrations[] = {
    { 1, R"sql(
CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    service_name TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE scopes (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    content BLOB NOT NULL
);
-- traces.seq is a local key assigned in first-seen order: spans, trace_services and payload_traces are keyed by
-- it, so a new trace's rows land at the right edge of their B-trees instead of at a random trace id.
CREATE TABLE traces (
    seq INTEGER PRIMARY KEY,
    trace_id BLOB NOT NULL UNIQUE,
    root_service TEXT NOT NULL,
    root_name TEXT NOT NULL,
    root_span_id BLOB NOT NULL,
    root_start_time INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    span_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    has_root INTEGER NOT NULL,
    services TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL
);
CREATE INDEX traces_start_time ON traces (start_time, trace_id);
CREATE TABLE spans (
    trace_seq INTEGER NOT NULL,
    span_id BLOB NOT NULL,
    parent_span_id BLOB,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    status_message TEXT NOT NULL,
    trace_state TEXT NOT NULL,
    flags INTEGER NOT NULL,
    resource_id INTEGER,
    scope_id INTEGER,
    service TEXT NOT NULL,
    attributes BLOB,
    events BLOB,
    links BLOB,
    dropped_attributes_count INTEGER NOT NULL,
    dropped_events_count INTEGER NOT NULL,
    dropped_links_count INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    PRIMARY KEY (trace_seq, span_id)
) WITHOUT ROWID;
CREATE TABLE trace_services (
    trace_seq INTEGER NOT NULL,
    service TEXT NOT NULL,
    trace_id BLOB NOT NULL,
    start_time INTEGER NOT NULL,
    PRIMARY KEY (trace_seq, service)
) WITHOUT ROWID;
CREATE INDEX trace_services_service_start_time ON trace_services (service, start_time, trace_id);
CREATE TABLE payloads (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    body BLOB NOT NULL,
    body_size INTEGER NOT NULL,
    compression TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_encoding TEXT NOT NULL,
    wire_size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    peer TEXT NOT NULL,
    span_count INTEGER NOT NULL
);
CREATE TABLE payload_traces (
    trace_seq INTEGER NOT NULL,
    payload_id INTEGER NOT NULL,
    PRIMARY KEY (trace_seq, payload_id)
) WITHOUT ROWID;
)sql" },
    { 2, R"sql(
-- The trace list sorted by duration, span count or error count (TraceQuery::order) walks these instead of sorting
-- every trace. The duration expression is the one SqliteTraceStore::listTraces orders by.
CREATE INDEX traces_duration ON traces (max(end_time - start_time, 0), trace_id);
CREATE INDEX traces_span_count ON traces (span_count, trace_id);
CREATE INDEX traces_error_count ON traces (error_count, trace_id);
)sql" },
    { 3, R"sql(
-- OTLP log records (issue 9). Keyed by the BLAKE2b-256 of the whole record (SpanCodec::logRecordHash), so a re-sent
-- record is stored once. trace_id/span_id are NULL when the record carries no trace context. Keyed by the trace id,
-- not traces.seq: a trace may have log records before (or without) any span.
CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,
    trace_id BLOB,
    span_id BLOB,
    time_unix_nano INTEGER NOT NULL,
    observed_time_unix_nano INTEGER NOT NULL,
    severity_number INTEGER NOT NULL,
    severity_text TEXT NOT NULL,
    body BLOB,
    attributes BLOB,
    event_name TEXT NOT NULL,
    flags INTEGER NOT NULL,
    dropped_attributes_count INTEGER NOT NULL,
    resource_id INTEGER,
    scope_id INTEGER
);
CREATE INDEX logs_trace_time ON logs (trace_id, time_unix_nano) WHERE trace_id IS NOT NULL;
)sql" },
    { 4, R"sql(
-- GenAI figures per trace (issue 10), counted as SpanGenAiFigures counts them: tokens only on LLM call spans, so an
-- agent span that repeats its children's sums no longer counts them twice. spans.input_tokens / output_tokens now
-- hold 0 on other spans. spans.genai_role is SpanGenAiFigures::Role; model is the priced model of an LLM call.
-- Rows already stored keep their old figures (tokens of every span, no call counts, no conversation): their
-- attributes are SpanCodec blobs that SQL cannot classify. A trace with a span re-sent later is recomputed from its
-- spans, where the old spans still count their old tokens.
ALTER TABLE spans ADD COLUMN genai_role INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN cached_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE spans ADD COLUMN conversation_id TEXT NOT NULL DEFAULT '';
ALTER TABLE traces ADD COLUMN llm_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE traces ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE traces ADD COLUMN cached_input_tokens INTEGER NOT NULL DEFAULT 0;
-- TraceSummary::modelUsageToJson
ALTER TABLE traces ADD COLUMN model_usage TEXT NOT NULL DEFAULT '';
ALTER TABLE traces ADD COLUMN conversation_id TEXT NOT NULL DEFAULT '';
-- The session filter (TraceQuery::conversationId), newest first.
CREATE INDEX traces_conversation ON traces (conversation_id, start_time, trace_id) WHERE conversation_id != '';
)sql" },
    { 5, R"sql(
-- The trace list's other orders walk an index too, as migration 2's do (a first page without sorting every trace;
-- TraceOrder::Cost depends on the prices and still sorts). The tokens expression is the one listTraces orders by.
CREATE INDEX traces_root_service ON traces (root_service, trace_id);
CREATE INDEX traces_root_name ON traces (root_name, trace_id);
CREATE INDEX traces_tokens ON traces (min(input_tokens + output_tokens, 9223372036854775807), trace_id);
CREATE INDEX traces_llm_calls ON traces (llm_calls, trace_id);
CREATE INDEX traces_tool_calls ON traces (tool_calls, trace_id);
CREATE INDEX traces_input_tokens ON traces (input_tokens, trace_id);
CREATE INDEX traces_output_tokens ON traces (output_tokens, trace_id);
-- The text filter's index (TraceQuery::text, storage/tracetextindex.h): per trace and write, the distinct
-- search-folded span names and string attribute values, one per line; rowid = traces.seq. Contentless and without
-- positions (detail=none): it only narrows a term down to the traces with all its trigrams, which the span scan then
-- checks; that halves the writer's cost of it against positions, and the text is in the spans already.
CREATE VIRTUAL TABLE trace_text USING fts5(text, tokenize = 'trigram case_sensitive 1', content = '', detail = none,
    columnsize = 0);
)sql",
        &TraceTextIndex::backfill },
    { 6, R"sql(
-- TraceOrder::Cost walks an index too: traces.cost is TraceOrdering::costKey of model_usage by the prices in
-- cost_prices (SqliteTraceStore::setCostPrices), kept by every write; until a first setCostPrices there is no row and
-- queries price each trace. repriced_to_seq: while a new table is being applied, traces up to this seq are repriced
-- (queries price each trace until it is NULL); the writer always writes costs by `prices`.
ALTER TABLE traces ADD COLUMN cost REAL NOT NULL DEFAULT 0;
CREATE INDEX traces_cost ON traces (cost, trace_id);
CREATE TABLE cost_prices (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    prices TEXT NOT NULL,
    repriced_to_seq INTEGER
);
)sql" },
};

} // namespace

int latestVersion()
{
    return s_migrations[std::size(s_migrations) - 1].version;
}

int currentVersion(SqliteConnection& db, QString* error)
{
    QString message;
    sqlite3_stmt* exists
        = db.statement("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", &message);
    if (!exists) {
        if (error)
            *error = message;
        return -1;
    }
    SqliteQuery existsQuery(exists);
    if (existsQuery.step() != SQLITE_ROW) {
        if (error)
            *error = db.errorMessage();
        return -1;
    }
    if (existsQuery.columnInt64(0) == 0)
        return 0;
    existsQuery.reset();

    sqlite3_stmt* max = db.statement("SELECT coalesce(max(version), 0) FROM schema_migrations", &message);
    if (!max) {
        if (error)
            *error = message;
        return -1;
    }
    SqliteQuery maxQuery(max);
    if (maxQuery.step() != SQLITE_ROW) {
        if (error)
            *error = db.errorMessage();
        return -1;
    }
    return int(maxQuery.columnInt64(0));
}

bool migrate(SqliteConnection& db, QString* error)
{
    const int current = currentVersion(db, error);
    if (current < 0)
        return false;
    if (current > latestVersion()) {
        if (error)
            *error = QStringLiteral("the database has schema version %1, newer than this Spanscope supports (%2); "
                                    "use a newer Spanscope or another store file")
                         .arg(current)
                         .arg(latestVersion());
        return false;
    }
    for (const Migration& m : s_migrations) {
        if (m.version <= current)
            continue;
        QString message;
        bool ok = db.exec("BEGIN IMMEDIATE", &message)
            && db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT "
                       "NOT NULL)",
                       &message)
            && db.exec(m.sql, &message) && (!m.after || m.after(db, &message));
        if (ok) {
            sqlite3_stmt* insert = db.statement("INSERT INTO schema_migrations (version, applied_at) "
                                                "VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                                                &message);
            ok = insert != nullptr;
            if (ok) {
                SqliteQuery q(insert);
                q.bindInt64(1, m.version);
                ok = q.exec();
                if (!ok)
                    message = db.errorMessage();
            }
        }
        ok = ok && db.exec("COMMIT", &message);
        if (!ok) {
            db.exec("ROLLBACK", nullptr);
            if (error)
                *error = QStringLiteral("schema migration to version %1 failed: %2").arg(m.version).arg(message);
            return false;
        }
    }
    return true;
}

} // namespace SqliteMigrations
