#include "tracetimeseries.h"

#include <algorithm>
#include <limits>

namespace TraceTimeSeries {

const std::vector<std::uint64_t>& niceBucketSizes()
{
    constexpr std::uint64_t s = NanosPerSecond;
    static const std::vector<std::uint64_t> sizes { s, 5 * s, 10 * s, 30 * s, 60 * s, 300 * s, 900 * s, 3600 * s,
        6 * 3600 * s, 24 * 3600 * s };
    return sizes;
}

std::uint64_t niceBucketSize(std::uint64_t rangeNanos, int maxBuckets)
{
    const std::uint64_t most = std::uint64_t(std::max(1, maxBuckets));
    for (const std::uint64_t size : niceBucketSizes())
        if (rangeNanos / size < most || (rangeNanos / size == most && rangeNanos % size == 0))
            return size;
    return niceBucketSizes().back();
}

std::vector<TraceTimeBucket> filled(const std::vector<TraceTimeBucket>& sparse, std::uint64_t bucketNanos,
                                    std::uint64_t fromUnixNano, std::uint64_t toUnixNano)
{
    std::vector<TraceTimeBucket> out;
    if (bucketNanos == 0)
        return sparse;
    const std::uint64_t first = bucketStart(fromUnixNano, bucketNanos);
    const std::uint64_t last = bucketStart(std::max(fromUnixNano, toUnixNano), bucketNanos);
    std::size_t i = 0;
    for (; i < sparse.size() && sparse[i].startTimeUnixNano < first; ++i)
        out.push_back(sparse[i]);
    for (std::uint64_t at = first;; at += bucketNanos) {
        if (i < sparse.size() && sparse[i].startTimeUnixNano == at) {
            out.push_back(sparse[i++]);
        } else {
            TraceTimeBucket empty;
            empty.startTimeUnixNano = at;
            out.push_back(empty);
        }
        if (at >= last) // (at < last: at + bucketNanos <= last, no wrap)
            break;
    }
    for (; i < sparse.size(); ++i)
        if (sparse[i].startTimeUnixNano > last)
            out.push_back(sparse[i]);
    return out;
}

qint64 clampToInt64(__int128 value)
{
    if (value > std::numeric_limits<qint64>::max())
        return std::numeric_limits<qint64>::max();
    if (value < std::numeric_limits<qint64>::min())
        return std::numeric_limits<qint64>::min();
    return qint64(value);
}

} // namespace TraceTimeSeries
