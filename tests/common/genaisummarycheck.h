#pragma once

#include "model/pricetable.h"
#include "storage/tracestore.h"

#include <QTest>

/**
 * The GenAI half of the trace summary contract (issue 10), shared by the SQLite, PostgreSQL and in-memory store
 * tests: tokens count on LLM call spans only (an invoke_agent span that reports its children's sums adds nothing),
 * every token convention and string counts count, LLM and tool calls are counted, model usage is kept per model, the
 * conversation id is kept and filters the list, and re-sent spans change nothing. QVERIFY inside: callers check
 * QTest::currentTestFailed() afterwards.
 */
namespace GenAiSummaryCheck {

inline TraceId traceIdOf(int n)
{
    return TraceId::fromHex(QStringLiteral("%1").arg(n + 0x6a00, 32, 16, QLatin1Char('0')));
}

inline Span spanOf(int trace, int id, int parent, const QString& name, std::uint64_t start, Attributes attributes)
{
    static const auto resource = [] {
        auto r = std::make_shared<Resource>();
        r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("agent-svc")) } };
        return std::shared_ptr<const Resource>(r);
    }();
    Span s;
    s.traceId = traceIdOf(trace);
    s.spanId = SpanId::fromHex(QStringLiteral("%1").arg(trace * 100 + id, 16, 16, QLatin1Char('0')));
    if (parent)
        s.parentSpanId = SpanId::fromHex(QStringLiteral("%1").arg(trace * 100 + parent, 16, 16, QLatin1Char('0')));
    s.name = name;
    s.kind = SpanKind::Internal;
    s.startTimeUnixNano = 1'760'000'000'000'000'000ull + std::uint64_t(trace) * 1'000'000'000ull + start * 1000;
    s.endTimeUnixNano = s.startTimeUnixNano + 500'000;
    s.resource = resource;
    s.attributes = std::move(attributes);
    return s;
}

inline KeyValue str(const char* key, const QString& value)
{
    return { QString::fromLatin1(key), AnyValue::fromString(value) };
}
inline KeyValue num(const char* key, qint64 value) { return { QString::fromLatin1(key), AnyValue::fromInt(value) }; }

// The figures agentTrace() carries, for the checks below.
constexpr qint64 ChatInput = 1200, ChatOutput = 80, ChatCached = 1000; // semantic conventions, gpt-4o
constexpr qint64 OiInput = 345, OiOutput = 67; // OpenInference, string counts, gpt-4o-mini
constexpr qint64 LegacyInput = 11, LegacyOutput = 7; // gen_ai.usage.prompt/completion_tokens, gpt-4o

/// Trace 1: an agent run in conversation "conv-a" whose invoke_agent span reports its children's sums.
inline std::vector<Span> agentTrace()
{
    std::vector<Span> spans;
    spans.push_back(spanOf(1, 1, 0, QStringLiteral("invoke_agent planner"), 0,
        { str("gen_ai.operation.name", QStringLiteral("invoke_agent")),
            str("gen_ai.agent.name", QStringLiteral("planner")),
            str("gen_ai.conversation.id", QStringLiteral("conv-a")),
            num("gen_ai.usage.input_tokens", ChatInput + OiInput + LegacyInput),
            num("gen_ai.usage.output_tokens", ChatOutput + OiOutput + LegacyOutput) }));
    spans.push_back(spanOf(1, 2, 1, QStringLiteral("chat gpt-4o"), 1,
        { str("gen_ai.operation.name", QStringLiteral("chat")), str("gen_ai.request.model", QStringLiteral("gpt-4o")),
            str("gen_ai.response.model", QStringLiteral("gpt-4o-2024-08-06")),
            num("gen_ai.usage.input_tokens", ChatInput), num("gen_ai.usage.output_tokens", ChatOutput),
            num("gen_ai.usage.cache_read.input_tokens", ChatCached),
            str("gen_ai.conversation.id", QStringLiteral("conv-a")) }));
    spans.push_back(spanOf(1, 3, 1, QStringLiteral("execute_tool get_weather"), 2,
        { str("gen_ai.operation.name", QStringLiteral("execute_tool")),
            str("gen_ai.tool.name", QStringLiteral("get_weather")) }));
    spans.push_back(spanOf(1, 4, 1, QStringLiteral("ChatOpenAI"), 3,
        { str("openinference.span.kind", QStringLiteral("LLM")), str("llm.model_name", QStringLiteral("gpt-4o-mini")),
            str("llm.token_count.prompt", QString::number(OiInput)),
            str("llm.token_count.completion", QString::number(OiOutput)),
            str("llm.token_count.total", QString::number(OiInput + OiOutput)) }));
    spans.push_back(spanOf(1, 5, 1, QStringLiteral("lookup"), 4,
        { str("openinference.span.kind", QStringLiteral("TOOL")), str("tool.name", QStringLiteral("lookup")) }));
    spans.push_back(spanOf(1, 6, 1, QStringLiteral("openai.chat"), 5,
        { str("gen_ai.request.model", QStringLiteral("gpt-4o")), str("llm.request.type", QStringLiteral("chat")),
            num("gen_ai.usage.prompt_tokens", LegacyInput), num("gen_ai.usage.completion_tokens", LegacyOutput) }));
    // A chain span repeating the sums, and a plain span with a stray count: neither is an LLM call.
    spans.push_back(spanOf(1, 7, 1, QStringLiteral("RunnableSequence"), 6,
        { str("openinference.span.kind", QStringLiteral("CHAIN")),
            str("llm.token_count.prompt", QStringLiteral("999")) }));
    spans.push_back(spanOf(1, 8, 1, QStringLiteral("db query"), 7, { num("gen_ai.usage.input_tokens", 5000) }));
    return spans;
}

/// Trace 2: one call in OpenInference's session "conv-b"; trace 3: no GenAI at all.
inline std::vector<Span> otherTraces()
{
    return { spanOf(2, 1, 0, QStringLiteral("chat"), 0,
                 { str("gen_ai.operation.name", QStringLiteral("chat")),
                     str("gen_ai.request.model", QStringLiteral("unpriced-model")),
                     num("gen_ai.usage.input_tokens", 10), num("gen_ai.usage.output_tokens", 2),
                     str("session.id", QStringLiteral("conv-b")) }),
        spanOf(3, 1, 0, QStringLiteral("GET /"), 0, { str("http.request.method", QStringLiteral("GET")) }) };
}

inline std::vector<IngestItem> itemsOf(std::vector<Span> spans)
{
    IngestItem it;
    it.batch.spans = std::move(spans);
    it.payload.contentType = QStringLiteral("application/json");
    it.payload.peer = QStringLiteral("127.0.0.1:1");
    std::vector<IngestItem> v;
    v.push_back(std::move(it));
    return v;
}

/// Writes the traces in several writes, re-sending some spans; the store must start without them.
inline void write(TraceStore& store)
{
    const std::vector<Span> agent = agentTrace();
    QVERIFY(store.write(itemsOf({ agent[1], agent[2], agent[3] })).ok);
    QVERIFY(store.write(itemsOf(std::vector<Span>(agent.begin() + 3, agent.end()))).ok); // agent[3] again
    QVERIFY(store.write(itemsOf({ agent[0] })).ok);
    QVERIFY(store.write(itemsOf(otherTraces())).ok);
    QVERIFY(store.write(itemsOf(agent)).ok); // the whole trace again: nothing may double
}

/// What write() stored: checks summaries, the conversation filter, the new orders and the cost.
inline void check(TraceStore& store)
{
    QString error;
    const std::optional<TraceSummary> a = store.traceSummary(traceIdOf(1), &error);
    QVERIFY2(a, qPrintable(error));
    QCOMPARE(a->spanCount, qint64(8));
    QCOMPARE(a->llmCalls, qint64(3));
    QCOMPARE(a->toolCalls, qint64(2));
    QCOMPARE(a->inputTokens, ChatInput + OiInput + LegacyInput); // once: not again for the agent span
    QCOMPARE(a->outputTokens, ChatOutput + OiOutput + LegacyOutput);
    QCOMPARE(a->cachedInputTokens, ChatCached);
    QCOMPARE(a->conversationId, QStringLiteral("conv-a"));
    // By priced model (the response model when there is one), sorted.
    QCOMPARE(int(a->modelUsage.size()), 3);
    QCOMPARE(a->modelUsage[0], (ModelUsage { QStringLiteral("gpt-4o"), 1, LegacyInput, LegacyOutput, 0 }));
    QCOMPARE(
        a->modelUsage[1], (ModelUsage { QStringLiteral("gpt-4o-2024-08-06"), 1, ChatInput, ChatOutput, ChatCached }));
    QCOMPARE(a->modelUsage[2], (ModelUsage { QStringLiteral("gpt-4o-mini"), 1, OiInput, OiOutput, 0 }));

    const std::optional<TraceSummary> b = store.traceSummary(traceIdOf(2), &error);
    QVERIFY(b);
    QCOMPARE(b->llmCalls, qint64(1));
    QCOMPARE(b->toolCalls, qint64(0));
    QCOMPARE(b->inputTokens, qint64(10));
    QCOMPARE(b->conversationId, QStringLiteral("conv-b"));
    const std::optional<TraceSummary> c = store.traceSummary(traceIdOf(3), &error);
    QVERIFY(c);
    QCOMPARE(c->llmCalls, qint64(0));
    QCOMPARE(c->inputTokens, qint64(0));
    QVERIFY(c->modelUsage.empty());
    QVERIFY(c->conversationId.isEmpty());

    // The list returns the same figures as traceSummary.
    TraceQuery byConversation;
    byConversation.conversationId = QStringLiteral("conv-a");
    const std::vector<TraceSummary> inA = store.listTraces(byConversation, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(int(inA.size()), 1);
    QCOMPARE(inA[0].traceId, traceIdOf(1));
    QCOMPARE(inA[0].modelUsage, a->modelUsage);
    QCOMPARE(inA[0].cachedInputTokens, a->cachedInputTokens);
    byConversation.conversationId = QStringLiteral("conv-b");
    const std::vector<TraceSummary> inB = store.listTraces(byConversation);
    QCOMPARE(int(inB.size()), 1);
    QCOMPARE(inB[0].traceId, traceIdOf(2));
    byConversation.conversationId = QStringLiteral("conv"); // exact, not a prefix
    QVERIFY(store.listTraces(byConversation).empty());

    TraceQuery byCalls;
    byCalls.order = TraceOrder::LlmCalls;
    const std::vector<TraceSummary> most = store.listTraces(byCalls);
    QVERIFY(!most.empty());
    QCOMPARE(most.front().traceId, traceIdOf(1));
    byCalls.order = TraceOrder::ToolCalls;
    byCalls.descending = false;
    byCalls.limit = 1000;
    const std::vector<TraceSummary> fewest = store.listTraces(byCalls);
    QVERIFY(!fewest.empty());
    QCOMPARE(fewest.back().traceId, traceIdOf(1));

    // Cost: the per-model usage priced by the table, as GenAi prices calls; "no price" (empty) for an unknown model.
    PriceTable prices;
    prices.prices.push_back({ QStringLiteral("gpt-4o*"), 2.5, 10, 1.25, QStringLiteral("USD") });
    prices.prices.push_back({ QStringLiteral("gpt-4o-mini*"), 0.15, 0.6, std::nullopt, QStringLiteral("USD") });
    const std::optional<Cost> cost = a->cost(prices);
    QVERIFY(cost);
    QCOMPARE(cost->currency, QStringLiteral("USD"));
    const double expected = prices.cost(QStringLiteral("gpt-4o"), LegacyInput, LegacyOutput, 0)->amount
        + prices.cost(QStringLiteral("gpt-4o-2024-08-06"), ChatInput, ChatOutput, ChatCached)->amount
        + prices.cost(QStringLiteral("gpt-4o-mini"), OiInput, OiOutput, 0)->amount;
    QVERIFY(expected > 0);
    QVERIFY(qAbs(cost->amount - expected) < 1e-12);
    QVERIFY(!b->cost(prices));
    QVERIFY(!c->cost(prices));
}

} // namespace GenAiSummaryCheck
