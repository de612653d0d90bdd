#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

/**
 * Streaming gzip compression with zlib into one gzip member (RFC 1952): what HTTP `Content-Encoding: gzip`, .gz
 * exports and stored raw objects are. Give it chunks with write(), end with finish(); compressed bytes are
 * appended to the caller's buffer as they come. On a failure errorString() says why and the instance stays
 * failed.
 *
 * Not thread-safe: an instance belongs to one thread at a time. Instances are independent.
 */
class GzipDeflater {
public:
    /// `level`: zlib's 0 (store) .. 9 (smallest), clamped; 6 is zlib's default.
    explicit GzipDeflater(int level = 6);
    ~GzipDeflater();
    GzipDeflater(const GzipDeflater&) = delete;
    GzipDeflater& operator=(const GzipDeflater&) = delete;

    /// Compresses `data`, appending what zlib emits so far to `*out` (often nothing for small chunks).
    bool write(QByteArrayView data, QByteArray* out);
    /// Flushes the rest and the gzip trailer into `*out`. No write() after it.
    bool finish(QByteArray* out);

    bool failed() const;
    /// Empty unless failed(): "zlib could not be initialised", "gzip compression failed".
    QString errorString() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};
