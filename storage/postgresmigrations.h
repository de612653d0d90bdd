#pragma once

#include <QString>

#include <string>

namespace pqxx {
class connection_base;
}

/**
 * Versioned schema migrations of the PostgreSQL store (docs/storage.md, "PostgreSQL"). The schema is named by the
 * caller (`--pg-schema`, default `otel`); every object lives in it, applied versions are rows of
 * `<schema>.schema_migrations(version int primary key, applied_at timestamptz)`.
 *
 * All missing migrations are applied in one transaction that first takes a transaction-level advisory lock for the
 * schema (`pg_advisory_xact_lock`), so two processes opening the same database at once apply them once, and a
 * failure leaves the schema as it was. A schema already at the latest version is only read (no DDL, no lock held
 * beyond that transaction), so users with read-only rights can open it.
 *
 * Internal to the store: called on a connection of the calling thread. Errors are returned, never thrown.
 */
namespace PostgresMigrations {

/**
 * The text that the trigram index `spans_attribute_strings_trgm` (migration 2) holds for a span row aliased `s`: the
 * span's string attribute values at any depth, as the text of a JSONB array (`["GET", "https://..."]`, escaped as
 * PostgreSQL prints JSON). A query must use exactly this expression for the index to apply.
 */
extern const char* const AttributeStringsText;

/// The newest schema version this build knows.
int latestVersion();

/// True for a name usable as the schema: an SQL identifier of at most 63 characters ([A-Za-z_][A-Za-z0-9_]*),
/// not starting with "pg_" (reserved by PostgreSQL).
bool isValidSchemaName(const QString& name);
/// `"name"`, for SQL text (only for names isValidSchemaName accepts).
std::string quotedSchema(const QString& name);

/**
 * Brings `schema` to latestVersion(), creating it when missing. *fromVersion is the version found (0: none),
 * *toVersion the version after (both may be null). Fails with *error set, leaving the schema untouched, when the
 * schema was migrated by a newer Spanscope, when a migration fails, or when the database is not UTF8.
 */
bool migrate(
    pqxx::connection_base& connection, const QString& schema, int* fromVersion, int* toVersion, QString* error);

/// The applied version of `schema` (0 when it has none), or -1 with *error set.
int currentVersion(pqxx::connection_base& connection, const QString& schema, QString* error);

} // namespace PostgresMigrations
