#pragma once

#include "ids.h"

#include <QStringList>

#include <cstdint>
#include <limits>

/**
 * One row of the trace list: the per-trace summary the store keeps up to date as spans arrive.
 * Times in Unix nanoseconds, durations in nanoseconds. When the trace has no root span (yet),
 * `hasRoot` is false and rootServiceName/rootSpanName come from its earliest span.
 */
struct TraceSummary {
    TraceId traceId;
    QString rootServiceName;
    QString rootSpanName;
    std::uint64_t startTimeUnixNano = 0;
    std::uint64_t endTimeUnixNano = 0;
    qint64 spanCount = 0;
    qint64 errorCount = 0;
    bool hasRoot = false;
    QStringList services; ///< distinct service.name values, sorted
    qint64 inputTokens = 0; ///< sum of gen_ai.usage.input_tokens, saturated at INT64_MAX
    qint64 outputTokens = 0; ///< sum of gen_ai.usage.output_tokens, saturated at INT64_MAX

    /// a + b, held at INT64_MAX / INT64_MIN instead of overflowing (token sums; counts come from exporters).
    static qint64 saturatingAdd(qint64 a, qint64 b)
    {
        qint64 sum = 0;
        if (__builtin_add_overflow(a, b, &sum))
            return b > 0 ? std::numeric_limits<qint64>::max() : std::numeric_limits<qint64>::min();
        return sum;
    }
    /// inputTokens + outputTokens, saturated.
    qint64 totalTokens() const { return saturatingAdd(inputTokens, outputTokens); }

    std::uint64_t durationNanos() const
    {
        return endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0;
    }
};
