#pragma once

#include "ids.h"
#include "tracesummary.h"

#include <QString>

#include <cstdint>

/// The sort key of TraceStore::listTraces; ties on the key are broken by the trace id (its bytes).
enum class TraceOrder {
    StartTime, ///< TraceSummary::startTimeUnixNano (Unix ns)
    Duration, ///< TraceSummary::durationNanos() (ns, 0 when the end is not after the start)
    SpanCount, ///< TraceSummary::spanCount
    ErrorCount, ///< TraceSummary::errorCount
    Service, ///< TraceSummary::rootServiceName, by Unicode code point (the byte order of its UTF-8)
    Name, ///< TraceSummary::rootSpanName, by Unicode code point
    Tokens, ///< TraceSummary::inputTokens + outputTokens
    LlmCalls, ///< TraceSummary::llmCalls
    ToolCalls, ///< TraceSummary::toolCalls
    InputTokens, ///< TraceSummary::inputTokens
    OutputTokens, ///< TraceSummary::outputTokens
    // No cost order: cost is priced on the client by the user's PriceTable, so the trace list sorts it itself.
};

/**
 * Filter, order and keyset page for TraceStore::listTraces. Results are ordered by (key of `order`, traceId),
 * descending or ascending as a whole; the default is newest first: (startTimeUnixNano, traceId) descending. To get the
 * next page, setCursor() to the last row of the previous page: the page then starts strictly after that row's
 * (key, traceId) in this order. Times in Unix ns, durations in ns; 0 means "no bound".
 */
struct TraceQuery {
    QString serviceName; ///< exact match on any service of the trace; empty: all
    QString text; ///< case-insensitive substring of any span name or string attribute value; empty: all
    QString conversationId; ///< exact match on TraceSummary::conversationId; empty: all
    bool errorsOnly = false;
    std::uint64_t minDurationNanos = 0;
    std::uint64_t startTimeFromUnixNano = 0;
    std::uint64_t startTimeToUnixNano = 0;
    int limit = 200;
    int offset = 0; ///< rows to skip before the first one returned (the query API's `offset`); applied after the cursor

    TraceOrder order = TraceOrder::StartTime;
    bool descending = true;

    bool hasCursor = false;
    /// The last row of the previous page; stores read its trace id and the key of `order` only.
    TraceSummary cursor;

    void setCursor(const TraceSummary& last)
    {
        hasCursor = true;
        cursor = last;
    }
};

namespace TraceOrdering {
/// The key of `order` compared in ascending order, then the trace id: negative, 0 or positive.
int compare(const TraceSummary& a, const TraceSummary& b, TraceOrder order);
/// True when `a` is listed before `b` by a query with this order and direction.
bool before(const TraceSummary& a, const TraceSummary& b, TraceOrder order, bool descending);
/// Code point order of UTF-16 text (QString's operator< compares code units, which differs for surrogates).
int compareText(QStringView a, QStringView b);
}
