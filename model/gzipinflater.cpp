#include "model/gzipinflater.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace {

// zlib counts in uInt; hand it at most this much per call so huge buffers never overflow its counters.
constexpr qint64 MaxChunk = std::numeric_limits<uInt>::max() / 2;

GzipInflater::Error classify(int rc, const char* msg)
{
    if (rc == Z_MEM_ERROR)
        return GzipInflater::Error::ZlibFailure;
    if (rc != Z_DATA_ERROR || !msg)
        return GzipInflater::Error::BadData;
    for (const char* header : { "incorrect header check", "unknown compression method", "invalid window size",
             "unknown header flags set", "header crc mismatch" }) {
        if (std::strcmp(msg, header) == 0)
            return GzipInflater::Error::BadHeader;
    }
    if (std::strcmp(msg, "incorrect data check") == 0 || std::strcmp(msg, "incorrect length check") == 0)
        return GzipInflater::Error::BadChecksum;
    return GzipInflater::Error::BadData;
}

} // namespace

struct GzipInflater::Private {
    z_stream z {};
    bool initialised = false;
    Format format = Format::GzipOrZlib;
    qint64 limit = Unlimited;
    QByteArray input;
    qsizetype inputPos = 0;
    bool memberEnded = false;
    // The last call filled the output: zlib may hold more output (or an error) even with no input left.
    bool outputFull = false;
    Error error = Error::None;
    QString errorString;
    qint64 in = 0;
    qint64 out = 0;

    qsizetype pending() const { return input.size() - inputPos; }

    qsizetype fail(Error e, const QString& why)
    {
        error = e;
        errorString = why;
        input.clear();
        inputPos = 0;
        return -1;
    }

    qsizetype failZlib(int rc)
    {
        return fail(classify(rc, z.msg), QString::fromLatin1(z.msg ? z.msg : "corrupt compressed data"));
    }
};

GzipInflater::GzipInflater(Format format, qint64 maxOutputBytes)
    : d(std::make_unique<Private>())
{
    d->format = format;
    d->limit = maxOutputBytes < 0 ? Unlimited : maxOutputBytes;
    // 15: maximum window; +16: gzip only; +32: gzip or zlib, from the header.
    if (inflateInit2(&d->z, format == Format::Gzip ? 15 + 16 : 15 + 32) == Z_OK)
        d->initialised = true;
    else
        d->fail(Error::ZlibFailure, QStringLiteral("zlib could not be initialised"));
}

GzipInflater::~GzipInflater()
{
    if (d->initialised)
        inflateEnd(&d->z);
}

void GzipInflater::feed(const QByteArray& compressed)
{
    if (d->error != Error::None || compressed.isEmpty())
        return;
    if (d->pending() == 0) {
        d->input = compressed;
    } else {
        d->input.remove(0, d->inputPos);
        d->input.append(compressed);
    }
    d->inputPos = 0;
}

qsizetype GzipInflater::read(char* out, qsizetype maxBytes)
{
    if (d->error != Error::None)
        return -1;
    if (maxBytes <= 0)
        return 0;
    for (;;) {
        if (d->memberEnded) {
            if (d->pending() == 0)
                return 0;
            if (d->format == Format::GzipOrZlib) {
                // Concatenated gzip members (RFC 1952 2.2) form one stream, as gunzip treats them.
                if (d->pending() < 2)
                    return 0;
                const char* next = d->input.constData() + d->inputPos;
                if (next[0] != '\x1f' || next[1] != '\x8b')
                    return d->fail(Error::TrailingGarbage, QStringLiteral("trailing data after the compressed stream"));
            }
            if (inflateReset(&d->z) != Z_OK)
                return d->fail(Error::ZlibFailure, QStringLiteral("cannot continue after a gzip member"));
            d->memberEnded = false;
        }
        if (d->pending() == 0 && !d->outputFull)
            return 0;
        qint64 room = std::min<qint64>(maxBytes, MaxChunk);
        if (d->limit != Unlimited)
            room = std::min(room, d->limit - d->out);
        // Full to the limit: inflate into one spare byte; if the stream still has one, it is too large.
        const bool probing = room <= 0;
        Bytef probe;
        d->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(d->input.constData() + d->inputPos));
        d->z.avail_in = static_cast<uInt>(std::min<qint64>(d->pending(), MaxChunk));
        d->z.next_out = probing ? &probe : reinterpret_cast<Bytef*>(out);
        d->z.avail_out = probing ? 1 : static_cast<uInt>(room);
        const uInt availIn = d->z.avail_in;
        const uInt availOut = d->z.avail_out;
        const int rc = ::inflate(&d->z, Z_NO_FLUSH);
        const qsizetype consumed = availIn - d->z.avail_in;
        const qsizetype produced = availOut - d->z.avail_out;
        d->inputPos += consumed;
        d->in += consumed;
        d->outputFull = rc != Z_STREAM_END && d->z.avail_out == 0;
        if (probing && produced > 0)
            return d->fail(Error::TooLarge, QStringLiteral("inflated data exceeds %1 bytes").arg(d->limit));
        if (rc == Z_STREAM_END)
            d->memberEnded = true;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return d->failZlib(rc);
        if (!probing && produced > 0) {
            d->out += produced;
            return produced;
        }
        if (consumed == 0 && produced == 0 && rc != Z_STREAM_END)
            return 0; // no progress possible (Z_BUF_ERROR); more input may help
    }
}

bool GzipInflater::write(const QByteArray& compressed, QByteArray* out)
{
    feed(compressed);
    for (;;) {
        const qsizetype old = out->size();
        // Grow geometrically from a guess, never past the limit (plus the probe's byte).
        qint64 room = std::max<qint64>({ 4096, old, qint64(d->pending()) * 4 });
        if (d->limit != Unlimited)
            room = std::min(room, std::max<qint64>(d->limit - d->out, 1));
        room = std::min(room, MaxChunk);
        out->resize(old + room);
        const qsizetype n = read(out->data() + old, room);
        out->resize(old + std::max<qsizetype>(n, 0));
        if (n <= 0)
            return n == 0;
    }
}

bool GzipInflater::finish()
{
    if (d->error != Error::None)
        return false;
    if (!d->memberEnded)
        d->fail(Error::Truncated, QStringLiteral("compressed data is truncated"));
    else if (d->pending() > 0)
        d->fail(Error::TrailingGarbage, QStringLiteral("trailing data after the compressed stream"));
    return d->error == Error::None;
}

bool GzipInflater::failed() const { return d->error != Error::None; }

GzipInflater::Error GzipInflater::error() const { return d->error; }

QString GzipInflater::errorString() const { return d->errorString; }

qint64 GzipInflater::bytesIn() const { return d->in; }

qint64 GzipInflater::bytesOut() const { return d->out; }
