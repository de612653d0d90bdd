#include "tracesummary.h"

#include "genai.h"
#include "span.h"
#include "tracequery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

// Most spans have none of these keys, and the stores call this for every span they write, so one pass over the keys
// spares the classification's lookups.
bool SpanGenAiFigures::mayBeGenAi(const Attributes& attributes)
{
    for (const KeyValue& kv : attributes) {
        const QString& k = kv.key;
        if (k.startsWith(QLatin1String("gen_ai.")) || k.startsWith(QLatin1String("llm."))
            || k.startsWith(QLatin1String("openinference.")) || k.startsWith(QLatin1String("traceloop."))
            || k == QLatin1String("session.id"))
            return true;
    }
    return false;
}

SpanGenAiFigures SpanGenAiFigures::of(const Span& span)
{
    SpanGenAiFigures f;
    if (!mayBeGenAi(span.attributes))
        return f;
    f.conversationId = GenAi::conversationIdOf(span.attributes);
    switch (GenAi::classify(span)) {
    case GenAi::SpanRole::None:
        return f;
    case GenAi::SpanRole::ToolCall:
        f.role = ToolCall;
        return f;
    case GenAi::SpanRole::Agent:
        f.role = Agent; // its token attributes repeat its children's: not counted
        return f;
    case GenAi::SpanRole::LlmCall:
        break;
    }
    f.role = LlmCall;
    const GenAi::Usage usage = GenAi::usageOf(span);
    f.inputTokens = usage.inputTokens.value_or(0);
    f.outputTokens = usage.outputTokens.value_or(0);
    f.cachedInputTokens = usage.cachedInputTokens.value_or(0);
    f.model = usage.pricedModel();
    return f;
}

void TraceSummary::addModelUsage(std::vector<ModelUsage>* usage, const ModelUsage& add)
{
    auto it = std::lower_bound(usage->begin(), usage->end(), add.model,
        [](const ModelUsage& u, const QString& model) { return TraceOrdering::compareText(u.model, model) < 0; });
    if (it == usage->end() || it->model != add.model)
        it = usage->insert(it, ModelUsage { add.model, 0, 0, 0, 0 });
    it->calls = saturatingAdd(it->calls, add.calls);
    it->inputTokens = saturatingAdd(it->inputTokens, add.inputTokens);
    it->outputTokens = saturatingAdd(it->outputTokens, add.outputTokens);
    it->cachedInputTokens = saturatingAdd(it->cachedInputTokens, add.cachedInputTokens);
}

void TraceSummary::addGenAi(const SpanGenAiFigures& f)
{
    if (!f.conversationId.isEmpty()
        && (conversationId.isEmpty() || TraceOrdering::compareText(f.conversationId, conversationId) < 0))
        conversationId = f.conversationId;
    if (f.role == SpanGenAiFigures::ToolCall)
        ++toolCalls;
    if (f.role != SpanGenAiFigures::LlmCall)
        return;
    ++llmCalls;
    inputTokens = saturatingAdd(inputTokens, f.inputTokens);
    outputTokens = saturatingAdd(outputTokens, f.outputTokens);
    cachedInputTokens = saturatingAdd(cachedInputTokens, f.cachedInputTokens);
    addModelUsage(&modelUsage, ModelUsage { f.model, 1, f.inputTokens, f.outputTokens, f.cachedInputTokens });
}

void TraceSummary::mergeGenAi(const TraceSummary& o)
{
    if (!o.conversationId.isEmpty()
        && (conversationId.isEmpty() || TraceOrdering::compareText(o.conversationId, conversationId) < 0))
        conversationId = o.conversationId;
    llmCalls = saturatingAdd(llmCalls, o.llmCalls);
    toolCalls = saturatingAdd(toolCalls, o.toolCalls);
    inputTokens = saturatingAdd(inputTokens, o.inputTokens);
    outputTokens = saturatingAdd(outputTokens, o.outputTokens);
    cachedInputTokens = saturatingAdd(cachedInputTokens, o.cachedInputTokens);
    for (const ModelUsage& u : o.modelUsage)
        addModelUsage(&modelUsage, u);
}

std::optional<Cost> TraceSummary::costOf(const std::vector<ModelUsage>& usage, const PriceTable& prices)
{
    std::optional<Cost> total;
    for (const ModelUsage& u : usage) {
        const std::optional<Cost> c = prices.cost(u.model, u.inputTokens, u.outputTokens, u.cachedInputTokens);
        if (!c) {
            if (u.inputTokens > 0 || u.outputTokens > 0)
                return std::nullopt;
            continue;
        }
        if (!total)
            total = Cost { 0, c->currency };
        else if (total->currency != c->currency)
            return std::nullopt;
        total->amount += c->amount;
    }
    return total;
}

QByteArray TraceSummary::modelUsageToJson(const std::vector<ModelUsage>& usage)
{
    QJsonArray array;
    for (const ModelUsage& u : usage)
        array.append(QJsonObject { { QStringLiteral("model"), u.model }, { QStringLiteral("calls"), u.calls },
            { QStringLiteral("input"), u.inputTokens }, { QStringLiteral("output"), u.outputTokens },
            { QStringLiteral("cached"), u.cachedInputTokens } });
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

std::vector<ModelUsage> TraceSummary::modelUsageFromJson(const QByteArray& json)
{
    std::vector<ModelUsage> usage;
    if (json.isEmpty())
        return usage;
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    for (const QJsonValue& v : doc.array()) {
        const QJsonObject o = v.toObject();
        addModelUsage(&usage,
            ModelUsage { o.value(QLatin1String("model")).toString(), o.value(QLatin1String("calls")).toInteger(),
                o.value(QLatin1String("input")).toInteger(), o.value(QLatin1String("output")).toInteger(),
                o.value(QLatin1String("cached")).toInteger() });
    }
    return usage;
}
