#pragma once

#include <QString>

class SqliteConnection;

/**
 * Versioned schema migrations of the local SQLite store (docs/storage.md). Each migration runs in its own
 * transaction together with its `schema_migrations(version, applied_at)` row, so a crash mid-way leaves the file
 * at the previous version. Call on the writer connection only.
 */
namespace SqliteMigrations {

/// The newest schema version this build knows.
int latestVersion();

/// The highest applied version, 0 for a new (empty) file, or -1 with *error set.
int currentVersion(SqliteConnection& db, QString* error);

/**
 * Brings the schema to latestVersion(). Fails with *error set when a migration fails or the file was written by a
 * newer Spanscope (its schema version is higher than latestVersion()); the file is then left untouched.
 */
bool migrate(SqliteConnection& db, QString* error);

} // namespace SqliteMigrations
