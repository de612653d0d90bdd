#include "tracequery.h"

#include <algorithm>

namespace TraceOrdering {

namespace {
    template <typename T> int compareValues(T a, T b) { return a < b ? -1 : (b < a ? 1 : 0); }
}

int compareText(QStringView a, QStringView b)
{
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t ca = a[i].unicode();
        const char16_t cb = b[i].unicode();
        if (ca == cb)
            continue;
        // A surrogate stands for a code point above U+FFFF, above every other UTF-16 unit.
        const bool sa = QChar::isSurrogate(ca);
        const bool sb = QChar::isSurrogate(cb);
        if (sa != sb)
            return sa ? 1 : -1;
        return ca < cb ? -1 : 1;
    }
    return compareValues(a.size(), b.size());
}

double costKey(const std::vector<ModelUsage>& usage, const PriceTable* prices)
{
    // The PostgreSQL store has this in SQL (PostgresTraceStore::listTraces): keep the two alike.
    double total = 0;
    const QString* currency = nullptr;
    for (const ModelUsage& u : usage) {
        const PriceTable::Price* price = prices ? prices->find(u.model) : nullptr;
        if (!price) {
            if (u.inputTokens > 0 || u.outputTokens > 0)
                return -1;
            continue;
        }
        if (!currency)
            currency = &price->currency;
        else if (*currency != price->currency)
            return -1;
        total += prices->cost(u.model, u.inputTokens, u.outputTokens, u.cachedInputTokens)->amount;
    }
    return total;
}

int compare(const TraceSummary& a, const TraceSummary& b, TraceOrder order, const PriceTable* prices)
{
    int c = 0;
    switch (order) {
    case TraceOrder::StartTime:
        c = compareValues(a.startTimeUnixNano, b.startTimeUnixNano);
        break;
    case TraceOrder::Duration:
        c = compareValues(a.durationNanos(), b.durationNanos());
        break;
    case TraceOrder::SpanCount:
        c = compareValues(a.spanCount, b.spanCount);
        break;
    case TraceOrder::ErrorCount:
        c = compareValues(a.errorCount, b.errorCount);
        break;
    case TraceOrder::Service:
        c = compareText(a.rootServiceName, b.rootServiceName);
        break;
    case TraceOrder::Name:
        c = compareText(a.rootSpanName, b.rootSpanName);
        break;
    case TraceOrder::Tokens:
        c = compareValues(a.totalTokens(), b.totalTokens());
        break;
    case TraceOrder::LlmCalls:
        c = compareValues(a.llmCalls, b.llmCalls);
        break;
    case TraceOrder::ToolCalls:
        c = compareValues(a.toolCalls, b.toolCalls);
        break;
    case TraceOrder::InputTokens:
        c = compareValues(a.inputTokens, b.inputTokens);
        break;
    case TraceOrder::OutputTokens:
        c = compareValues(a.outputTokens, b.outputTokens);
        break;
    case TraceOrder::Cost:
        c = compareValues(costKey(a.modelUsage, prices), costKey(b.modelUsage, prices));
        break;
    }
    if (c != 0)
        return c;
    return compareValues(a.traceId, b.traceId);
}

bool before(const TraceSummary& a, const TraceSummary& b, TraceOrder order, bool descending, const PriceTable* prices)
{
    const int c = compare(a, b, order, prices);
    return descending ? c > 0 : c < 0;
}

} // namespace TraceOrdering
