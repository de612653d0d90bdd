// libFuzzer harness: Gzip::inflate with a bound. The first two bytes choose the bound (0..65535 bytes), the rest is
// the stream. Inflate must never return more than the bound, must agree with itself under a larger bound, and what
// it returns must survive deflate + inflate.

#include "fuzzcommon.h"
#include "ingest/codec/gzip.h"

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
    }
    return 0;
}
