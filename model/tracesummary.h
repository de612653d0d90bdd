#pragma once

#include "anyvalue.h"
#include "ids.h"
#include "pricetable.h"

#include <QByteArray>
#include <QStringList>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

struct Span;

/// The tokens one model used in one trace (its LLM call spans), for pricing. Counts in tokens.
struct ModelUsage {
    QString model; ///< the priced model (GenAi::Usage::pricedModel()); empty when the calls named none
    qint64 calls = 0;
    qint64 inputTokens = 0; ///< includes the cached ones (semantic conventions)
    qint64 outputTokens = 0;
    qint64 cachedInputTokens = 0;

    bool operator==(const ModelUsage& o) const
    {
        return model == o.model && calls == o.calls && inputTokens == o.inputTokens && outputTokens == o.outputTokens
            && cachedInputTokens == o.cachedInputTokens;
    }
    bool operator!=(const ModelUsage& o) const { return !(*this == o); }
};

/**
 * What one span adds to its trace's GenAI figures, as every store counts it (GenAi::classify, GenAi::usageOf,
 * GenAi::conversationIdOf on the span's own attributes). Tokens and the model are set only on LLM call spans: an
 * agent or chain span that repeats its children's sums adds nothing. Missing counts are 0.
 */
struct SpanGenAiFigures {
    enum Role { None = 0, LlmCall = 1, ToolCall = 2, Agent = 3 }; ///< GenAi::SpanRole, as stored (spans.genai_role)
    Role role = None;
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cachedInputTokens = 0;
    QString model;
    QString conversationId;

    static SpanGenAiFigures of(const Span& span);
    /// Whether any attribute could make a span a GenAI step or name a conversation (a `gen_ai.*`, `llm.*`,
    /// `openinference.*` or `traceloop.*` key, or `session.id`): spans without one are never classified as such.
    static bool mayBeGenAi(const Attributes& attributes);
};

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
    // GenAI figures (SpanGenAiFigures): tokens are summed over LLM call spans only, saturated at INT64_MAX.
    qint64 inputTokens = 0; ///< gen_ai.usage.input_tokens (or prompt_tokens, llm.token_count.prompt); includes cached
    qint64 outputTokens = 0; ///< gen_ai.usage.output_tokens (or completion_tokens, llm.token_count.completion)
    qint64 cachedInputTokens = 0; ///< gen_ai.usage.cache_read.input_tokens and its older names
    qint64 llmCalls = 0; ///< spans GenAi::classify calls LlmCall
    qint64 toolCalls = 0; ///< spans GenAi::classify calls ToolCall
    std::vector<ModelUsage> modelUsage; ///< per priced model, sorted by model (code point order)
    /// gen_ai.conversation.id, else session.id, of the trace's spans (span attributes only, not the resource's);
    /// when its spans name several, the smallest in code point order, so that the figure does not depend on the
    /// order spans arrive in. Empty when none.
    QString conversationId;

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

    /// Adds one span's figures (a span added to the trace for the first time).
    void addGenAi(const SpanGenAiFigures& figures);
    /// Adds another part of the same trace's GenAI figures (the spans one write added).
    void mergeGenAi(const TraceSummary& other);
    /// Adds one model's usage into modelUsage, keeping it sorted.
    static void addModelUsage(std::vector<ModelUsage>* usage, const ModelUsage& add);

    /**
     * What the trace's LLM calls cost by `prices`: the sum over modelUsage. Empty when a model that used tokens has
     * no price, when the currencies differ, or when no call was priced (as GenAi::Run::totalCost).
     */
    std::optional<Cost> cost(const PriceTable& prices) const { return costOf(modelUsage, prices); }
    /// cost() of any model usage.
    static std::optional<Cost> costOf(const std::vector<ModelUsage>& usage, const PriceTable& prices);

    /// modelUsage as the stores keep it: a JSON array of {"model", "calls", "input", "output", "cached"}.
    static QByteArray modelUsageToJson(const std::vector<ModelUsage>& usage);
    /// The inverse of modelUsageToJson (also reads PostgreSQL's jsonb text); empty on bad input, sorted by model.
    static std::vector<ModelUsage> modelUsageFromJson(const QByteArray& json);

    std::uint64_t durationNanos() const
    {
        return endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0;
    }
};

/**
 * One session (conversation) of an agent: the traces that share a TraceSummary::conversationId
 * (gen_ai.conversation.id, else session.id, also OpenInference's). Times in Unix ns; tokens, calls and model usage
 * summed over its traces (saturated).
 */
struct SessionSummary {
    QString conversationId;
    qint64 traceCount = 0;
    std::uint64_t startTimeUnixNano = 0; ///< the earliest trace start
    std::uint64_t endTimeUnixNano = 0; ///< the latest trace end
    qint64 llmCalls = 0;
    qint64 toolCalls = 0;
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    /// Per model over its traces (TraceSummary::addModelUsage), sorted by model: what prices it (TraceSummary::costOf).
    std::vector<ModelUsage> modelUsage;
};
