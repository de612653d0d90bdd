// GenAI model benchmark (issue 10 §5): builds the agent run (GenAi::analyze) of a generated agent trace of N spans
// (default 10,000): an invoke_agent root, then turns of one chat call and one tool call. Every chat call resends
// the conversation so far (up to 20 messages, as agents do), half of them as semantic-convention attributes, half
// as OTLP log records (one per message, the 1.28-1.36 events). Prints the time to build the span tree, to build the
// GenAI model and to serialize it as the query API does (median of the runs), and the model's totals. Asserts
// nothing.
//
// usage: bench_genai [--spans N] [--runs R]

#include "model/genai.h"
#include "model/pricetable.h"
#include "model/spantreemodel.h"

#include <QCoreApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>

namespace {

struct Trace {
    std::vector<Span> spans;
    std::vector<LogRecord> logs;
};

KeyValue attr(const char* key, const QString& value)
{
    return { QLatin1String(key), AnyValue::fromString(value) };
}

KeyValue attr(const char* key, std::int64_t value)
{
    return { QLatin1String(key), AnyValue::fromInt(value) };
}

Trace generate(int count)
{
    Trace t;
    const std::uint64_t traceRaw[2] = { 0x1234567890abcdefULL, 0x0fedcba987654321ULL };
    const TraceId traceId = TraceId::fromRaw(traceRaw);
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back(attr("service.name", QStringLiteral("agent")));
    const std::uint64_t t0 = 1760000000000000000ULL;
    std::uint64_t nextId = 1;
    const auto makeSpan = [&](const QString& name, const SpanId& parent, std::uint64_t start, std::uint64_t ns) {
        Span s;
        s.traceId = traceId;
        const std::uint64_t id = nextId++;
        s.spanId = SpanId::fromRaw(&id);
        s.parentSpanId = parent;
        s.name = name;
        s.startTimeUnixNano = start;
        s.endTimeUnixNano = start + ns;
        s.resource = resource;
        return s;
    };
    Span root = makeSpan(QStringLiteral("invoke_agent planner"), SpanId(), t0, std::uint64_t(count) * 1000000ULL);
    root.attributes = { attr("gen_ai.operation.name", QStringLiteral("invoke_agent")), attr("gen_ai.agent.name", QStringLiteral("planner")) };
    t.spans.push_back(root);
    std::vector<QString> history; // semantic-convention messages as JSON text
    std::uint64_t now = t0 + 1000;
    for (int turn = 0; int(t.spans.size()) < count; ++turn) {
        const QString callId = QStringLiteral("call_%1").arg(turn);
        const QString user = QStringLiteral(R"({"role":"user","parts":[{"type":"text","content":"Step %1: find the cheapest )"
                                            R"(flight to city %1 and a hotel near the centre for three nights."}]})")
                                 .arg(turn);
        history.push_back(user);
        if (history.size() > 20)
            history.erase(history.begin(), history.begin() + qsizetype(history.size() - 20));
        const QString ask = QStringLiteral(R"({"role":"assistant","parts":[{"type":"tool_call","id":"%1","name":"search",)"
                                           R"("arguments":{"query":"flights to city %2","max_results":10}}],"finish_reason":"tool_call"})")
                                .arg(callId)
                                .arg(turn);
        Span chat = makeSpan(QStringLiteral("chat gpt-4o"), root.spanId, now, 800000);
        chat.attributes = { attr("gen_ai.operation.name", QStringLiteral("chat")), attr("gen_ai.provider.name", QStringLiteral("openai")),
                            attr("gen_ai.request.model", QStringLiteral("gpt-4o")),
                            attr("gen_ai.usage.input_tokens", 400 + turn % 300), attr("gen_ai.usage.output_tokens", 40 + turn % 30) };
        if (turn % 2 == 0) {
            QStringList list(history.begin(), history.end());
            chat.attributes.push_back(attr("gen_ai.input.messages", QLatin1Char('[') + list.join(QLatin1Char(',')) + QLatin1Char(']')));
            chat.attributes.push_back(attr("gen_ai.output.messages", QLatin1Char('[') + ask + QLatin1Char(']')));
        } else {
            for (const QString& message : history) {
                LogRecord r;
                r.traceId = traceId;
                r.spanId = chat.spanId;
                r.timeUnixNano = now;
                r.eventName = QStringLiteral("gen_ai.user.message");
                AnyValue body;
                body.type = AnyValue::Type::Map;
                body.mapValue = { { QStringLiteral("content"), AnyValue::fromString(message) } };
                r.body = body;
                r.resource = resource;
                t.logs.push_back(r);
            }
        }
        t.spans.push_back(chat);
        history.push_back(ask);
        Span tool = makeSpan(QStringLiteral("execute_tool search"), root.spanId, now + 900000, 50000);
        tool.attributes = { attr("gen_ai.operation.name", QStringLiteral("execute_tool")), attr("gen_ai.tool.name", QStringLiteral("search")),
                            attr("gen_ai.tool.call.id", callId),
                            attr("gen_ai.tool.call.result", QStringLiteral(R"({"flights":[{"price":120},{"price":180}]})")) };
        t.spans.push_back(tool);
        history.push_back(QStringLiteral(R"({"role":"tool","parts":[{"type":"tool_call_response","id":"%1","response":{"flights":2}}]})").arg(callId));
        now += 1000000;
    }
    t.spans.resize(size_t(count));
    return t;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption spansOpt(QStringLiteral("spans"), QStringLiteral("spans in the trace"), QStringLiteral("N"), QStringLiteral("10000"));
    QCommandLineOption runsOpt(QStringLiteral("runs"), QStringLiteral("runs (the median is printed)"), QStringLiteral("R"), QStringLiteral("5"));
    parser.addHelpOption();
    parser.addOptions({ spansOpt, runsOpt });
    parser.process(app);
    const int count = std::max(2, parser.value(spansOpt).toInt());
    const int runs = std::max(1, parser.value(runsOpt).toInt());

    const Trace trace = generate(count);
    const PriceTable prices = PriceTable::defaults();
    std::vector<double> treeMs, modelMs, jsonMs;
    GenAi::Run run;
    qsizetype jsonBytes = 0;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        const auto tree = SpanTree::build(trace.spans, trace.logs);
        treeMs.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        run = GenAi::analyze(*tree, &prices);
        modelMs.push_back(double(timer.nsecsElapsed()) / 1e6);
        timer.restart();
        jsonBytes = QJsonDocument(GenAi::toJson(run)).toJson(QJsonDocument::Compact).size();
        jsonMs.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    const std::optional<Cost> cost = run.totalCost();
    std::printf("genai: %d spans, %zu log records; %zu LLM calls, %zu tool calls, %lld input / %lld output tokens, cost %s\n",
                count, trace.logs.size(), run.calls.size(), run.toolCalls.size(), static_cast<long long>(run.inputTokens()),
                static_cast<long long>(run.outputTokens()),
                cost ? qPrintable(QStringLiteral("%1 %2").arg(cost->amount, 0, 'f', 4).arg(cost->currency)) : "none");
    std::printf("  span tree        : %8.1f ms  tree_ms=%.1f\n", median(treeMs), median(treeMs));
    std::printf("  GenAI model      : %8.1f ms  genai_model_ms=%.1f\n", median(modelMs), median(modelMs));
    std::printf("  as JSON          : %8.1f ms  (%.1f MiB)  genai_json_ms=%.1f\n", median(jsonMs), double(jsonBytes) / 1048576.0,
                median(jsonMs));
    return 0;
}
