#pragma once

#include "ui/storeconnection.h"

struct S3Config;

/**
 * StoreOpener on the real stores: SqliteTraceStore for Local connections (the default file when no path is given),
 * PostgresTraceStore for Postgres ones, with an S3BlobStore for the raw payload objects when an S3 endpoint is set.
 * The returned store owns its BlobStore.
 *
 * Credentials: a PostgreSQL password given to open() goes into the connection string handed to libpq (never into the
 * process environment); without one libpq uses PGPASSWORD, ~/.pgpass and the rest of its environment. The S3 access
 * key id is the connection's, else AWS_ACCESS_KEY_ID; the secret is the one given, else AWS_SECRET_ACCESS_KEY;
 * credentials in the endpoint URL's user info win over both (S3Config::endpoint). Errors name no password or secret.
 * Without a connect_timeout in the connection string or PGCONNECT_TIMEOUT, connecting gives up after
 * ConnectTimeoutSeconds. Stateless; every function blocks and may be called from any thread.
 */
class AppStoreOpener : public StoreOpener {
public:
    static constexpr int ConnectTimeoutSeconds = 10;

    std::unique_ptr<TraceStore> open(
        const StoreConnection& connection, const QString& pgPassword, const QString& s3Secret, QString* error) override;
    /// SQLite: the span count. PostgreSQL: schema version and span count; with S3, whether the bucket answers
    /// (HeadBucket), which is the part that returns false when it does not.
    bool check(TraceStore& store, QString* summary) override;
    bool needsS3Secret(const StoreConnection& connection, const QString& s3Secret) const override;

    /// The string given to libpq: the connection's, plus `password` and connect_timeout as described above.
    static QString libpqConnectionString(const StoreConnection& connection, const QString& password);
    /// Where raw payload objects are read: the connection's S3 fields, completed from the environment.
    static S3Config s3Config(const StoreConnection& connection, const QString& secret);
};
