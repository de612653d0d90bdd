#pragma once

#include <QtGlobal>

#include <cstdint>
#include <vector>

/**
 * The traces that started in one bucket of time (TraceStore::traceTimeSeries): counts of traces and spans, of
 * traces with an error span and of error spans, and the traces' token sums (TraceSummary::inputTokens,
 * outputTokens; saturated at INT64_MAX / INT64_MIN). A trace belongs to the bucket of its start time.
 */
struct TraceTimeBucket {
    std::uint64_t startTimeUnixNano = 0; ///< Unix ns, a multiple of the bucket size
    qint64 traces = 0;
    qint64 spans = 0;
    qint64 errorTraces = 0; ///< traces with errorCount > 0
    qint64 errorSpans = 0; ///< the sum of TraceSummary::errorCount
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;

    bool operator==(const TraceTimeBucket& o) const
    {
        return startTimeUnixNano == o.startTimeUnixNano && traces == o.traces && spans == o.spans
            && errorTraces == o.errorTraces && errorSpans == o.errorSpans && inputTokens == o.inputTokens
            && outputTokens == o.outputTokens;
    }
    bool operator!=(const TraceTimeBucket& o) const { return !(*this == o); }
};

namespace TraceTimeSeries {

constexpr std::uint64_t NanosPerSecond = 1'000'000'000ULL;
/// The largest bucket size the stores accept (ns): their times are signed 64-bit.
constexpr std::uint64_t MaxBucketNanos = std::uint64_t(INT64_MAX);

/// The start of the bucket holding `unixNano` (Unix ns): `unixNano` rounded down to a multiple of `bucketNanos` (> 0).
inline std::uint64_t bucketStart(std::uint64_t unixNano, std::uint64_t bucketNanos)
{
    return unixNano - unixNano % bucketNanos;
}

/// The bucket sizes the charts choose from (ns): 1 s, 5 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 day.
const std::vector<std::uint64_t>& niceBucketSizes();

/**
 * The smallest of niceBucketSizes() that cuts `rangeNanos` (ns) into at most `maxBuckets` buckets, which for the
 * default gives about 60 to 120 of them over most ranges (fewer over ranges below 1 min or more over ranges beyond
 * 120 days: 1 s and 1 day are the ends).
 */
std::uint64_t niceBucketSize(std::uint64_t rangeNanos, int maxBuckets = 120);

/// A sparse series (buckets in ascending start order) with the empty buckets from `fromUnixNano` to `toUnixNano`
/// (both rounded down to bucket starts) filled in as zeros; buckets outside that range are kept.
std::vector<TraceTimeBucket> filled(const std::vector<TraceTimeBucket>& sparse, std::uint64_t bucketNanos,
                                    std::uint64_t fromUnixNano, std::uint64_t toUnixNano);

/// `value` clamped to [INT64_MIN, INT64_MAX]: token sums are summed exactly, then clamped, so that the result does
/// not depend on the order the traces are read in.
qint64 clampToInt64(__int128 value);

} // namespace TraceTimeSeries
