#pragma once

#include "ids.h"
#include "pricetable.h"
#include "tracesummary.h"

#include <QString>

#include <cstdint>
#include <memory>

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
    /// TraceOrdering::costKey by TraceQuery::prices: what the trace's LLM calls cost (amount in the table's currency),
    /// 0 when nothing was priced, -1 when a model that used tokens has no price or the currencies differ. A store
    /// that keeps costs by these very prices (TraceStore::setCostPrices; SQLite) walks an index; otherwise the store
    /// computes it from TraceSummary::modelUsage for every matching trace, then sorts.
    Cost,
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
    /// The prices of TraceOrder::Cost (read by no other order); null prices nothing (every key 0 or -1).
    std::shared_ptr<const PriceTable> prices;

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
/// The key of `order` compared in ascending order, then the trace id: negative, 0 or positive. `prices` is
/// TraceQuery::prices (TraceOrder::Cost only).
int compare(const TraceSummary& a, const TraceSummary& b, TraceOrder order, const PriceTable* prices = nullptr);
/// True when `a` is listed before `b` by a query with this order and direction.
bool before(const TraceSummary& a, const TraceSummary& b, TraceOrder order, bool descending,
            const PriceTable* prices = nullptr);
/// The key of TraceOrder::Cost for a trace's model usage: TraceSummary::costOf's amount, 0 when it priced nothing
/// (no usage, or only models without tokens), -1 when it is empty because a model that used tokens has no price or
/// the currencies differ. `prices` null: an empty table. The SQLite store calls this very function per row.
double costKey(const std::vector<ModelUsage>& usage, const PriceTable* prices);
/// Code point order of UTF-16 text (QString's operator< compares code units, which differs for surrogates).
int compareText(QStringView a, QStringView b);
}
