// libFuzzer harness: Gzip::inflate with a bound. The first two bytes choose the bound (0..65535 bytes), the rest is
// the stream. Inflate must never return more than the bound, must agree with itself under a larger bound, and what
// it returns must survive deflate + inflate. GzipInflater fed the same stream in chunks of pseudo-random size (seeded
// from the input) and read in small pieces must give the same output and error as one write(), in both formats.

#include "fuzzcommon.h"
#include "ingest/codec/gzip.h"
#include "model/gzipdeflater.h"
#include "model/gzipinflater.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace {
constexpr qint64 LargeBound = qint64(4) * 1024 * 1024;

const char* statusName(Gzip::Status s)
{
    switch (s) {
    case Gzip::Status::Ok:
        return "ok";
    case Gzip::Status::Corrupt:
        return "corrupt";
    case Gzip::Status::TooLarge:
        return "too large";
    }
    return "?";
}

struct Inflated {
    bool ok = false;
    GzipInflater::Error error = GzipInflater::Error::None;
    QString errorString;
    QByteArray out;
};

Inflated oneShot(const QByteArray& in, GzipInflater::Format format, qint64 bound)
{
    GzipInflater inflater(format, bound);
    Inflated r;
    r.ok = inflater.write(in, &r.out) && inflater.finish();
    r.error = inflater.error();
    r.errorString = inflater.errorString();
    return r;
}

Inflated chunked(const QByteArray& in, GzipInflater::Format format, qint64 bound, std::uint32_t seed)
{
    GzipInflater inflater(format, bound);
    Inflated r;
    r.ok = true;
    qsizetype pos = 0;
    while (r.ok && pos < in.size()) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype n = std::min<qsizetype>(in.size() - pos, 1 + (seed >> 16) % 300);
        inflater.feed(in.mid(pos, n));
        pos += n;
        char buffer[97];
        qsizetype got;
        while ((got = inflater.read(buffer, 1 + qsizetype(seed % sizeof buffer))) > 0)
            r.out.append(buffer, got);
        r.ok = got == 0;
    }
    r.ok = r.ok && inflater.finish();
    r.error = inflater.error();
    r.errorString = inflater.errorString();
    return r;
}

void checkStreaming(const QByteArray& in, qint64 bound, std::uint32_t seed)
{
    for (const auto format : { GzipInflater::Format::GzipOrZlib, GzipInflater::Format::Gzip }) {
        const Inflated whole = oneShot(in, format, bound);
        const Inflated pieces = chunked(in, format, bound, seed);
        if (whole.ok != pieces.ok || whole.error != pieces.error || whole.errorString != pieces.errorString)
            FuzzCommon::fail("gzip",
                QStringLiteral("chunked input ends differently: ") + pieces.errorString + QStringLiteral(" vs ")
                    + whole.errorString);
        if (whole.ok && whole.out != pieces.out)
            FuzzCommon::fail("gzip", QStringLiteral("chunked input inflates to other bytes"));
        if (whole.out.size() > bound || pieces.out.size() > bound)
            FuzzCommon::fail("gzip", QStringLiteral("GzipInflater went past the bound"));
        if (whole.ok != whole.errorString.isEmpty())
            FuzzCommon::fail("gzip", QStringLiteral("success with an error, or failure without one"));
    }
}

Gzip::Status checkedInflate(const QByteArray& in, qint64 bound, QByteArray* out)
{
    QString error;
    const Gzip::Status status = Gzip::inflate(in, bound, out, &error);
    if (out->size() > bound)
        FuzzCommon::fail("gzip", QStringLiteral("inflated %1 bytes past the bound of %2").arg(out->size()).arg(bound));
    if (status != Gzip::Status::Ok && (!out->isEmpty() || error.isEmpty()))
        FuzzCommon::fail(
            "gzip", QStringLiteral("failure left output or no error: ") + QLatin1String(statusName(status)));
    return status;
}
}

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    FuzzCommon::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    const qint64 bound = qint64(data[0]) << 8 | data[1];
    const QByteArray in = QByteArray::fromRawData(reinterpret_cast<const char*>(data + 2), qsizetype(size - 2));
    Gzip::looksGzipped(in);

    QByteArray out;
    const Gzip::Status status = checkedInflate(in, bound, &out);
    QByteArray large;
    const Gzip::Status largeStatus = checkedInflate(in, LargeBound, &large);

    // A larger bound can only turn TooLarge into something else.
    if (status == Gzip::Status::Ok && (largeStatus != Gzip::Status::Ok || large != out))
        FuzzCommon::fail("gzip", QStringLiteral("inflates under the bound but not under a larger one"));
    if (status == Gzip::Status::Corrupt && largeStatus != Gzip::Status::Corrupt)
        FuzzCommon::fail("gzip", QStringLiteral("corrupt under the bound but not under a larger one"));
    if (largeStatus == Gzip::Status::Ok && large.size() <= bound && status != Gzip::Status::Ok)
        FuzzCommon::fail("gzip", QStringLiteral("fits the bound but is refused: ") + QLatin1String(statusName(status)));

    if (status == Gzip::Status::Ok) {
        QByteArray back;
        if (checkedInflate(Gzip::deflate(out, 1), bound, &back) != Gzip::Status::Ok || back != out)
            FuzzCommon::fail("gzip", QStringLiteral("deflate + inflate changed the data"));
        // Deflating in pieces gives a stream that reads back the same.
        GzipDeflater deflater(6);
        QByteArray gz;
        for (qsizetype pos = 0; pos < out.size(); pos += 1 + data[0] % 64)
            deflater.write(
                QByteArrayView(out.constData() + pos, std::min<qsizetype>(1 + data[0] % 64, out.size() - pos)), &gz);
        if (!deflater.finish(&gz) || checkedInflate(gz, bound, &back) != Gzip::Status::Ok || back != out)
            FuzzCommon::fail("gzip", QStringLiteral("chunked deflate + inflate changed the data"));
    }
    if (!in.isEmpty())
        checkStreaming(in, bound, std::uint32_t(data[1]) << 8 | data[0]);
    return 0;
}
