#include "ingest/codec/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace {

// zlib counts in uInt; feed it at most this much per call so huge buffers never overflow its counters.
constexpr qint64 MaxChunk = std::numeric_limits<uInt>::max() / 2;

Gzip::Status failed(Gzip::Status status, const QString& why, QByteArray* out, QString* error)
{
    out->clear();
    if (error)
        *error = why;
    return status;
}

} // namespace

Gzip::Status Gzip::inflate(const QByteArray& in, qint64 maxOutputBytes, QByteArray* out, QString* error)
{
    out->clear();
    if (in.isEmpty())
        return failed(Status::Corrupt, QStringLiteral("compressed body is empty"), out, error);
    maxOutputBytes = std::max<qint64>(maxOutputBytes, 0);

    z_stream stream {};
    // 15 + 32: maximum window, and detect a gzip or zlib header automatically.
    if (inflateInit2(&stream, 15 + 32) != Z_OK)
        return failed(Status::Corrupt, QStringLiteral("zlib could not be initialised"), out, error);

    const auto* input = reinterpret_cast<const Bytef*>(in.constData());
    qint64 inputLeft = in.size();
    // Grow the output geometrically from a guess, never beyond the limit: a bomb costs at most maxOutputBytes.
    qint64 capacity = std::min<qint64>(maxOutputBytes, std::max<qint64>(in.size() * 4, 4096));
    out->resize(capacity);
    qint64 produced = 0;
    Status status = Status::Ok;
    QString why;
    bool done = false;

    while (!done) {
        if (stream.avail_in == 0 && inputLeft > 0) {
            const qint64 n = std::min(inputLeft, MaxChunk);
            stream.next_in = const_cast<Bytef*>(input);
            stream.avail_in = static_cast<uInt>(n);
            input += n;
            inputLeft -= n;
        }
        if (produced == capacity) {
            if (capacity >= maxOutputBytes) {
                // Full to the limit: probe for one more byte; if the stream still has some, it is too large.
                Bytef probe;
                stream.next_out = &probe;
                stream.avail_out = 1;
                const int rc = ::inflate(&stream, Z_NO_FLUSH);
                if (stream.avail_out == 0) {
                    status = Status::TooLarge;
                    why = QStringLiteral("inflated body exceeds %1 bytes").arg(maxOutputBytes);
                    break;
                }
                if (rc == Z_STREAM_END) {
                    if (stream.avail_in == 0 && inputLeft == 0) {
                        done = true;
                        break;
                    }
                    if (inflateReset(&stream) != Z_OK) {
                        status = Status::Corrupt;
                        why = QStringLiteral("cannot continue after a gzip member");
                        break;
                    }
                    continue;
                }
                if (rc != Z_OK && rc != Z_BUF_ERROR) {
                    status = Status::Corrupt;
                    why = QString::fromLatin1(stream.msg ? stream.msg : "corrupt compressed data");
                    break;
                }
                if (rc == Z_BUF_ERROR && stream.avail_in == 0 && inputLeft == 0) {
                    status = Status::Corrupt;
                    why = QStringLiteral("compressed body is truncated");
                    break;
                }
                continue;
            }
            capacity = std::min(maxOutputBytes, capacity * 2);
            out->resize(capacity);
        }
        stream.next_out = reinterpret_cast<Bytef*>(out->data()) + produced;
        const qint64 room = std::min(capacity - produced, MaxChunk);
        stream.avail_out = static_cast<uInt>(room);
        const int rc = ::inflate(&stream, Z_NO_FLUSH);
        produced += room - stream.avail_out;
        if (rc == Z_STREAM_END) {
            if (stream.avail_in == 0 && inputLeft == 0) {
                done = true;
            } else if (stream.avail_in >= 2 && stream.next_in[0] == 0x1f && stream.next_in[1] == 0x8b) {
                // Concatenated gzip members (RFC 1952 2.2) form one stream, as gunzip treats them.
                if (inflateReset(&stream) != Z_OK) {
                    status = Status::Corrupt;
                    why = QStringLiteral("cannot continue after a gzip member");
                    break;
                }
            } else {
                status = Status::Corrupt;
                why = QStringLiteral("trailing data after the compressed stream");
                break;
            }
        } else if (rc == Z_BUF_ERROR) {
            if (stream.avail_in == 0 && inputLeft == 0) {
                status = Status::Corrupt;
                why = QStringLiteral("compressed body is truncated");
                break;
            }
        } else if (rc != Z_OK) {
            status = Status::Corrupt;
            why = QString::fromLatin1(stream.msg ? stream.msg : "corrupt compressed data");
            break;
        } else if (stream.avail_in == 0 && inputLeft == 0 && stream.avail_out > 0) {
            // All input consumed, room left, no stream end: the data stops in the middle.
            status = Status::Corrupt;
            why = QStringLiteral("compressed body is truncated");
            break;
        }
    }
    inflateEnd(&stream);
    if (status != Status::Ok)
        return failed(status, why, out, error);
    out->resize(produced);
    return Status::Ok;
}

QByteArray Gzip::deflate(const QByteArray& in, int level)
{
    z_stream stream {};
    // 15 + 16: gzip wrapper (what HTTP Content-Encoding: gzip and .gz files mean).
    if (deflateInit2(&stream, std::clamp(level, 0, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return QByteArray();
    QByteArray out;
    out.resize(static_cast<qsizetype>(deflateBound(&stream, static_cast<uLong>(in.size()))));
    const auto* input = reinterpret_cast<const Bytef*>(in.constData());
    qint64 inputLeft = in.size();
    qint64 produced = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (stream.avail_in == 0 && inputLeft > 0) {
            const qint64 n = std::min(inputLeft, MaxChunk);
            stream.next_in = const_cast<Bytef*>(input);
            stream.avail_in = static_cast<uInt>(n);
            input += n;
            inputLeft -= n;
        }
        if (produced == out.size())
            out.resize(out.size() + 64 * 1024); // deflateBound holds for one call; chunked input may need a bit more
        const qint64 room = std::min<qint64>(out.size() - produced, MaxChunk);
        stream.next_out = reinterpret_cast<Bytef*>(out.data()) + produced;
        stream.avail_out = static_cast<uInt>(room);
        rc = ::deflate(&stream, inputLeft > 0 ? Z_NO_FLUSH : Z_FINISH);
        produced += room - stream.avail_out;
        if (rc == Z_BUF_ERROR) // no progress possible with this buffer: grow it and go on
            rc = Z_OK;
    }
    deflateEnd(&stream);
    if (rc != Z_STREAM_END)
        return QByteArray();
    out.resize(produced);
    return out;
}

bool Gzip::looksGzipped(const QByteArray& data)
{
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b;
}
