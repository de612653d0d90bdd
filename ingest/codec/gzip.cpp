#include "ingest/codec/gzip.h"

#include "model/gzipdeflater.h"
#include "model/gzipinflater.h"

#include <algorithm>

Gzip::Status Gzip::inflate(const QByteArray& in, qint64 maxOutputBytes, QByteArray* out, QString* error)
{
    out->clear();
    QString why;
    Status status = Status::Corrupt;
    if (in.isEmpty()) {
        why = QStringLiteral("compressed body is empty");
    } else {
        maxOutputBytes = std::max<qint64>(maxOutputBytes, 0);
        GzipInflater inflater(GzipInflater::Format::GzipOrZlib, maxOutputBytes);
        if (inflater.write(in, out) && inflater.finish())
            return Status::Ok;
        out->clear();
        // The receiver's words, older than GzipInflater's.
        switch (inflater.error()) {
        case GzipInflater::Error::TooLarge:
            status = Status::TooLarge;
            why = QStringLiteral("inflated body exceeds %1 bytes").arg(maxOutputBytes);
            break;
        case GzipInflater::Error::Truncated:
            why = QStringLiteral("compressed body is truncated");
            break;
        default:
            why = inflater.errorString();
            break;
        }
    }
    if (error)
        *error = why;
    return status;
}

QByteArray Gzip::deflate(const QByteArray& in, int level)
{
    GzipDeflater deflater(level);
    QByteArray out;
    if (!deflater.write(in, &out) || !deflater.finish(&out))
        return QByteArray();
    return out;
}

bool Gzip::looksGzipped(const QByteArray& data)
{
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b;
}
