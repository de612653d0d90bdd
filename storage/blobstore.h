#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

/// What BlobStore::head reports about one stored object.
struct BlobInfo {
    qint64 size = 0; ///< bytes
    QString etag;
    QDateTime lastModified; ///< UTC
    QString contentType;
};

/**
 * Raw payload blobs by key (DESIGN.md "Storage", S3 / MinIO). The team store keeps one gzipped OTLP/JSON
 * object per trace; S3BlobStore is the real implementation, tests may use an in-memory one.
 *
 * Errors are returned through `error` (a message naming the key and what failed, e.g. the HTTP status and the
 * server's error code), never thrown. Implementations are safe to call from any thread; calls block until the
 * server answered or the configured timeout passed.
 */
class BlobStore {
public:
    virtual ~BlobStore() = default;

    /// e.g. "s3://otel-traces @ http://127.0.0.1:8080"
    virtual QString description() const = 0;
    /// Stores `data` at `key`, replacing any object there. Returns false with *error set on failure.
    virtual bool put(const QString& key, const QByteArray& data, const QString& contentType, QString* error) = 0;
    /// The object's bytes; nullopt with *error empty when there is no such key, nullopt with *error set on failure.
    virtual std::optional<QByteArray> get(const QString& key, QString* error) = 0;
    /// Metadata of the object; nullopt with *error empty when there is no such key.
    virtual std::optional<BlobInfo> head(const QString& key, QString* error) = 0;
    /// Every key starting with `prefix`, sorted; follows continuation pages. Returns false on failure.
    virtual bool list(const QString& prefix, QStringList* keys, QString* error) = 0;
    /// Deletes the object; a missing key is not an error (S3 DeleteObject is idempotent). Returns false with
    /// *error set on failure (e.g. access denied, missing bucket, no answer).
    virtual bool remove(const QString& key, QString* error) = 0;
};
