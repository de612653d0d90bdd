#pragma once

#include <QByteArray>
#include <QString>

/**
 * gzip/zlib (de)compression with zlib, for HTTP `Content-Encoding: gzip` and `.gz` files.
 * Stateless and thread-safe.
 */
namespace Gzip {

enum class Status { Ok, Corrupt, TooLarge };

/**
 * Inflates a gzip (RFC 1952, also several concatenated members) or zlib (RFC 1950) stream, detected from its
 * header. Never produces or allocates more than `maxOutputBytes` of output: a stream that would inflate to
 * more returns TooLarge (a "gzip bomb" is stopped there). On Corrupt (bad header, bad data, bad checksum,
 * truncated, trailing garbage) or TooLarge, `*out` is cleared and `*error` (if given) says why.
 */
Status inflate(const QByteArray& in, qint64 maxOutputBytes, QByteArray* out, QString* error = nullptr);

/// Compresses `in` into one gzip member. `level` is zlib's 0 (store) .. 9 (smallest); 6 is zlib's default.
QByteArray deflate(const QByteArray& in, int level = 6);

/// True when `data` starts with the gzip magic bytes 1f 8b.
bool looksGzipped(const QByteArray& data);

} // namespace Gzip
