#pragma once

#include "ids.h"

#include <QString>

#include <cstdint>

/**
 * Filter and keyset page for TraceStore::listTraces. Results are ordered newest first by
 * (startTimeUnixNano, traceId) descending. To get the next page, set `hasCursor` and the cursor fields to
 * the last row of the previous page. Times in Unix ns, durations in ns; 0 means "no bound".
 */
struct TraceQuery {
    QString serviceName; ///< exact match on any service of the trace; empty: all
    QString text; ///< case-insensitive substring of any span name or string attribute value; empty: all
    bool errorsOnly = false;
    std::uint64_t minDurationNanos = 0;
    std::uint64_t startTimeFromUnixNano = 0;
    std::uint64_t startTimeToUnixNano = 0;
    int limit = 200;
    int offset = 0; ///< rows to skip before the first one returned (the query API's `offset`); applied after the cursor

    bool hasCursor = false;
    std::uint64_t cursorStartTimeUnixNano = 0;
    TraceId cursorTraceId;
};
