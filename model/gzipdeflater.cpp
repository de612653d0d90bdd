#include "model/gzipdeflater.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace {

// zlib counts in uInt; hand it at most this much per call so huge buffers never overflow its counters.
constexpr qint64 MaxChunk = std::numeric_limits<uInt>::max() / 2;

} // namespace

struct GzipDeflater::Private {
    z_stream z {};
    bool initialised = false;
    bool finished = false;
    QString error;

    bool run(QByteArrayView data, int mode, QByteArray* out)
    {
        if (!error.isEmpty())
            return false;
        if (finished) {
            error = QStringLiteral("gzip compression failed");
            return false;
        }
        const char* input = data.data();
        qint64 inputLeft = data.size();
        z.avail_in = 0;
        for (;;) {
            if (z.avail_in == 0 && inputLeft > 0) {
                const qint64 n = std::min(inputLeft, MaxChunk);
                z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input));
                z.avail_in = static_cast<uInt>(n);
                input += n;
                inputLeft -= n;
            }
            const int flush = inputLeft > 0 ? Z_NO_FLUSH : mode;
            // deflateBound: room for all of this input in one call; at least 16 KiB for what zlib holds back.
            const qint64 room = std::min<qint64>(std::max<qint64>(deflateBound(&z, z.avail_in), 16 * 1024), MaxChunk);
            const qsizetype old = out->size();
            out->resize(old + room);
            z.next_out = reinterpret_cast<Bytef*>(out->data() + old);
            z.avail_out = static_cast<uInt>(room);
            const int rc = ::deflate(&z, flush);
            out->resize(old + (room - z.avail_out));
            if (rc == Z_STREAM_ERROR) {
                error = QStringLiteral("gzip compression failed");
                return false;
            }
            if (flush == Z_FINISH) {
                if (rc == Z_STREAM_END) {
                    finished = true;
                    return true;
                }
            } else if (z.avail_in == 0 && inputLeft == 0 && z.avail_out != 0) {
                return true;
            }
        }
    }
};

GzipDeflater::GzipDeflater(int level)
    : d(std::make_unique<Private>())
{
    // 15 + 16: maximum window, gzip wrapper.
    if (deflateInit2(&d->z, std::clamp(level, 0, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK)
        d->initialised = true;
    else
        d->error = QStringLiteral("zlib could not be initialised");
}

GzipDeflater::~GzipDeflater()
{
    if (d->initialised)
        deflateEnd(&d->z);
}

bool GzipDeflater::write(QByteArrayView data, QByteArray* out) { return d->run(data, Z_NO_FLUSH, out); }

bool GzipDeflater::finish(QByteArray* out) { return d->run(QByteArrayView(), Z_FINISH, out); }

bool GzipDeflater::failed() const { return !d->error.isEmpty(); }

QString GzipDeflater::errorString() const { return d->error; }
