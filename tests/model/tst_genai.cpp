// The GenAI model of a trace (model/genai.h): every message format in use, tokens counted once, tool calls
// linked to the LLM call that asked for them, prices, and the JSON served by the query API and `spanscope genai`.

#include "model/genai.h"
#include "model/pricetable.h"
#include "model/spantreemodel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

namespace {

TraceId traceId()
{
    return TraceId::fromHex(QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
}

SpanId spanId(int n)
{
    return SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0')));
}

KeyValue kv(const QString& key, const QString& value)
{
    return { key, AnyValue::fromString(value) };
}

KeyValue kv(const QString& key, std::int64_t value)
{
    return { key, AnyValue::fromInt(value) };
}

/// A span of the test trace: id n, parent p (0 = root), starting at `start` ms, lasting `ms`.
Span span(int n, int parent, const QString& name, Attributes attributes, int start = 0, int ms = 10)
{
    Span s;
    s.traceId = traceId();
    s.spanId = spanId(n);
    if (parent)
        s.parentSpanId = spanId(parent);
    s.name = name;
    s.startTimeUnixNano = 1'700'000'000'000'000'000ULL + std::uint64_t(start) * 1'000'000ULL;
    s.endTimeUnixNano = s.startTimeUnixNano + std::uint64_t(ms) * 1'000'000ULL;
    s.attributes = std::move(attributes);
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back(kv(QStringLiteral("service.name"), QStringLiteral("agent")));
    s.resource = resource;
    return s;
}

LogRecord logRecord(int spanN, const QString& eventName, const AnyValue& body, int atMs)
{
    LogRecord r;
    r.traceId = traceId();
    r.spanId = spanId(spanN);
    r.eventName = eventName;
    r.body = body;
    r.timeUnixNano = 1'700'000'000'000'000'000ULL + std::uint64_t(atMs) * 1'000'000ULL;
    r.attributes.push_back(kv(QStringLiteral("gen_ai.system"), QStringLiteral("openai")));
    return r;
}

AnyValue map(std::vector<KeyValue> entries)
{
    AnyValue v;
    v.type = AnyValue::Type::Map;
    v.mapValue = std::move(entries);
    return v;
}

AnyValue array(std::vector<AnyValue> items)
{
    AnyValue v;
    v.type = AnyValue::Type::Array;
    v.arrayValue = std::move(items);
    return v;
}

QJsonValue json(const char* text)
{
    return GenAi::parseLenient(QString::fromUtf8(text));
}

const char* toolArgs = R"({"city":"Paris","unit":"celsius"})";
const char* toolResult = R"({"temperature":18,"unit":"celsius"})";

/// The conversation every format below describes: system + user -> assistant asks get_weather(Paris) ->
/// tool result -> final answer. Checks call 1 and call 2 of `run` against it.
void checkWeatherConversation(const GenAi::Run& run)
{
    QCOMPARE(run.calls.size(), size_t(2));
    const GenAi::LlmCall& first = run.calls[0];
    QCOMPARE(first.systemInstructions.size(), size_t(1));
    QCOMPARE(first.systemInstructions[0].content, QStringLiteral("You are a weather agent."));
    QCOMPARE(first.inputMessages.size(), size_t(1));
    QCOMPARE(first.inputMessages[0].role, QStringLiteral("user"));
    QCOMPARE(first.inputMessages[0].parts.size(), size_t(1));
    QCOMPARE(first.inputMessages[0].parts[0].content, QStringLiteral("What is the weather in Paris?\nAnd tomorrow?"));
    QCOMPARE(first.outputMessages.size(), size_t(1));
    const GenAi::Message& ask = first.outputMessages[0];
    QCOMPARE(ask.role, QStringLiteral("assistant"));
    QCOMPARE(ask.parts.size(), size_t(1));
    QCOMPARE(ask.parts[0].type, GenAi::Part::Type::ToolCall);
    QCOMPARE(ask.parts[0].id, QStringLiteral("call_1"));
    QCOMPARE(ask.parts[0].name, QStringLiteral("get_weather"));
    QCOMPARE(ask.parts[0].arguments, json(toolArgs)); // an object, not the string it was sent as
    QCOMPARE(first.finishReasons, QStringList { QStringLiteral("tool_calls") });

    const GenAi::LlmCall& second = run.calls[1];
    QCOMPARE(second.inputMessages.size(), size_t(3));
    QCOMPARE(second.inputMessages[1].role, QStringLiteral("assistant"));
    QCOMPARE(second.inputMessages[2].role, QStringLiteral("tool"));
    QCOMPARE(second.inputMessages[2].parts.size(), size_t(1));
    QCOMPARE(second.inputMessages[2].parts[0].type, GenAi::Part::Type::ToolCallResponse);
    QCOMPARE(second.inputMessages[2].parts[0].id, QStringLiteral("call_1"));
    QCOMPARE(second.inputMessages[2].parts[0].response, json(toolResult));
    QCOMPARE(second.outputMessages.size(), size_t(1));
    QCOMPARE(second.outputMessages[0].parts.size(), size_t(1));
    QCOMPARE(second.outputMessages[0].parts[0].content, QStringLiteral("It is 18 °C in Paris."));
    QCOMPARE(second.finishReasons, QStringList { QStringLiteral("stop") });
}

} // namespace

class TestGenAi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void semconvAttributes_data();
    void semconvAttributes();
    void operationDetailsEvent();
    void eventsAsLogRecords();
    void eventsAsSpanEvents();
    void contentEvents126();
    void openLlmetry();
    void openInference();
    void tokensCountedOnceAndStringsAccepted();
    void missingContentIsMarked();
    void toolCallsLinkedByIdThenByName();
    void costAndPriceTable();
    void priceTableFile();
    void jsonShape();
    void parseLenient();
    void notAnAgentTrace();
};

void TestGenAi::semconvAttributes_data()
{
    QTest::addColumn<bool>("structured");
    QTest::newRow("JSON strings") << false;
    QTest::newRow("structured AnyValue") << true;
}

void TestGenAi::semconvAttributes()
{
    QFETCH(bool, structured);
    const QString system = QStringLiteral(R"([{"type":"text","content":"You are a weather agent."}])");
    const QString input1 = QStringLiteral(
        R"([{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?\nAnd tomorrow?"}]}])");
    const QString output1 = QStringLiteral(R"([{"role":"assistant","parts":[{"type":"tool_call","id":"call_1",)"
                                           R"("name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}],)"
                                           R"("finish_reason":"tool_calls"}])");
    const QString input2 = QStringLiteral(
        R"([{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?\nAnd tomorrow?"}]},)"
        R"({"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}]},)"
        R"({"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"{\"temperature\":18,\"unit\":\"celsius\"}"}]}])");
    const QString output2 = QStringLiteral(
        R"([{"role":"assistant","parts":[{"type":"text","content":"It is 18 °C in Paris."}],"finish_reason":"stop"}])");
    // Structured attributes: the same JSON as OTLP AnyValue arrays and maps.
    const std::function<AnyValue(const QJsonValue&)> toAny = [&](const QJsonValue& v) -> AnyValue {
        if (v.isArray()) {
            std::vector<AnyValue> items;
            for (const QJsonValue& e : v.toArray())
                items.push_back(toAny(e));
            return array(items);
        }
        if (v.isObject()) {
            std::vector<KeyValue> entries;
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                entries.push_back({ it.key(), toAny(it.value()) });
            return map(entries);
        }
        if (v.isDouble())
            return AnyValue::fromInt(std::int64_t(v.toDouble()));
        return AnyValue::fromString(v.toString());
    };
    const auto attr = [&](const char* key, const QString& jsonText) {
        if (!structured)
            return kv(QLatin1String(key), jsonText);
        return KeyValue { QLatin1String(key), toAny(QJsonDocument::fromJson(jsonText.toUtf8()).array()) };
    };
    std::vector<Span> spans;
    spans.push_back(span(1, 0, QStringLiteral("invoke_agent weather"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("invoke_agent")),
                           kv(QStringLiteral("gen_ai.agent.name"), QStringLiteral("weather")) },
                         0, 100));
    spans.push_back(span(2, 1, QStringLiteral("chat gpt-4o-mini"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.provider.name"), QStringLiteral("openai")),
                           kv(QStringLiteral("gen_ai.request.model"), QStringLiteral("gpt-4o-mini")),
                           kv(QStringLiteral("gen_ai.response.model"), QStringLiteral("gpt-4o-mini-2024-07-18")),
                           { QStringLiteral("gen_ai.request.temperature"), AnyValue::fromDouble(0.2) },
                           attr("gen_ai.system_instructions", system), attr("gen_ai.input.messages", input1),
                           attr("gen_ai.output.messages", output1) },
                         1, 20));
    spans.push_back(span(3, 1, QStringLiteral("execute_tool get_weather"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("execute_tool")),
                           kv(QStringLiteral("gen_ai.tool.name"), QStringLiteral("get_weather")),
                           kv(QStringLiteral("gen_ai.tool.call.id"), QStringLiteral("call_1")) },
                         22, 5));
    spans.push_back(span(4, 1, QStringLiteral("chat gpt-4o-mini"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.system"), QStringLiteral("openai")),
                           kv(QStringLiteral("gen_ai.request.model"), QStringLiteral("gpt-4o-mini")),
                           attr("gen_ai.system_instructions", system), attr("gen_ai.input.messages", input2),
                           attr("gen_ai.output.messages", output2) },
                         30, 20));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build(spans));
    checkWeatherConversation(run);
    const GenAi::LlmCall& first = run.calls[0];
    QCOMPARE(first.source, GenAi::Source::SemconvAttributes);
    QCOMPARE(first.operation, QStringLiteral("chat"));
    QCOMPARE(first.provider, QStringLiteral("openai"));
    QCOMPARE(run.calls[1].provider, QStringLiteral("openai")); // legacy gen_ai.system
    QCOMPARE(first.requestModel, QStringLiteral("gpt-4o-mini"));
    QCOMPARE(first.responseModel, QStringLiteral("gpt-4o-mini-2024-07-18"));
    QCOMPARE(first.parameters.value(QLatin1String("temperature")).toDouble(), 0.2);
    QCOMPARE(first.durationNanos, 20'000'000ULL);
    QCOMPARE(run.agents.size(), size_t(1));
    QCOMPARE(run.agents[0].agentName, QStringLiteral("weather"));
    QCOMPARE(run.toolCalls.size(), size_t(1));
    // The tool span carries neither arguments nor result: both come from the conversation.
    QCOMPARE(run.toolCalls[0].requestedBySpanId, spanId(2));
    QCOMPARE(run.toolCalls[0].arguments, json(toolArgs));
    QCOMPARE(run.toolCalls[0].result, json(toolResult));
    QCOMPARE(run.roles, (std::vector<GenAi::SpanRole> { GenAi::SpanRole::Agent, GenAi::SpanRole::LlmCall,
                                                        GenAi::SpanRole::ToolCall, GenAi::SpanRole::LlmCall }));
}

void TestGenAi::operationDetailsEvent()
{
    Span s = span(1, 0, QStringLiteral("chat"), { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")) });
    SpanEvent e;
    e.name = QStringLiteral("gen_ai.client.inference.operation.details");
    e.attributes = { kv(QStringLiteral("gen_ai.input.messages"),
                        QStringLiteral(R"([{"role":"user","parts":[{"type":"text","content":"hi"}]}])")),
                     kv(QStringLiteral("gen_ai.output.messages"),
                        QStringLiteral(R"([{"role":"assistant","parts":[{"type":"text","content":"hello"}],"finish_reason":"stop"}])")) };
    s.events.push_back(e);
    // The same event as an OTLP log record of another span.
    Span t = span(2, 0, QStringLiteral("chat"), { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")) }, 20);
    LogRecord r = logRecord(2, e.name, AnyValue(), 21);
    r.attributes = e.attributes;
    const GenAi::Run run = GenAi::analyze(*SpanTree::build({ s, t }, { r }));
    QCOMPARE(run.calls.size(), size_t(2));
    for (const GenAi::LlmCall& call : run.calls) {
        QCOMPARE(call.source, GenAi::Source::SemconvEvents);
        QCOMPARE(call.inputMessages.size(), size_t(1));
        QCOMPARE(call.inputMessages[0].parts[0].content, QStringLiteral("hi"));
        QCOMPARE(call.outputMessages[0].parts[0].content, QStringLiteral("hello"));
        QCOMPARE(call.finishReasons, QStringList { QStringLiteral("stop") });
    }
}

void TestGenAi::eventsAsLogRecords()
{
    // Semantic conventions 1.28-1.36, as @opentelemetry/instrumentation-openai and the Python instrumentations send
    // them: one log record per message, bodies as OTLP maps, several within the same millisecond.
    const auto chatSpan = [](int n, int start, std::int64_t in, std::int64_t out) {
        return span(n, 0, QStringLiteral("chat gpt-4o-mini"),
                    { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                      kv(QStringLiteral("gen_ai.system"), QStringLiteral("openai")),
                      kv(QStringLiteral("gen_ai.request.model"), QStringLiteral("gpt-4o-mini")),
                      kv(QStringLiteral("gen_ai.usage.input_tokens"), in), kv(QStringLiteral("gen_ai.usage.output_tokens"), out),
                      { QStringLiteral("gen_ai.response.finish_reasons"),
                        array({ AnyValue::fromString(n == 1 ? QStringLiteral("tool_calls") : QStringLiteral("stop")) }) } },
                    start, 20);
    };
    const AnyValue toolCalls = array({ map({ kv(QStringLiteral("id"), QStringLiteral("call_1")),
                                             kv(QStringLiteral("type"), QStringLiteral("function")),
                                             { QStringLiteral("function"),
                                               map({ kv(QStringLiteral("name"), QStringLiteral("get_weather")),
                                                     kv(QStringLiteral("arguments"), QLatin1String(toolArgs)) }) } }) });
    const AnyValue user = map({ kv(QStringLiteral("content"), QStringLiteral("What is the weather in Paris?\nAnd tomorrow?")) });
    const AnyValue system = map({ kv(QStringLiteral("content"), QStringLiteral("You are a weather agent.")) });
    std::vector<LogRecord> logs {
        logRecord(1, QStringLiteral("gen_ai.system.message"), system, 1),
        logRecord(1, QStringLiteral("gen_ai.user.message"), user, 1),
        logRecord(1, QStringLiteral("gen_ai.choice"),
                  map({ kv(QStringLiteral("index"), 0), kv(QStringLiteral("finish_reason"), QStringLiteral("tool_calls")),
                        { QStringLiteral("message"), map({ { QStringLiteral("tool_calls"), toolCalls } }) } }),
                  20),
        logRecord(2, QStringLiteral("gen_ai.system.message"), system, 30),
        logRecord(2, QStringLiteral("gen_ai.user.message"), user, 30),
        logRecord(2, QStringLiteral("gen_ai.assistant.message"), map({ { QStringLiteral("tool_calls"), toolCalls } }), 30),
        logRecord(2, QStringLiteral("gen_ai.tool.message"),
                  map({ kv(QStringLiteral("content"), QLatin1String(toolResult)), kv(QStringLiteral("id"), QStringLiteral("call_1")) }),
                  30),
        logRecord(2, QStringLiteral("gen_ai.choice"),
                  map({ kv(QStringLiteral("index"), 0), kv(QStringLiteral("finish_reason"), QStringLiteral("stop")),
                        { QStringLiteral("message"), map({ kv(QStringLiteral("content"), QStringLiteral("It is 18 °C in Paris.")) }) } }),
                  50),
    };
    // The event name may also come as the `event.name` attribute (SDKs before LogRecord.event_name).
    logs[1].eventName.clear();
    logs[1].attributes.push_back(kv(QStringLiteral("event.name"), QStringLiteral("gen_ai.user.message")));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build({ chatSpan(1, 0, 50, 12), chatSpan(2, 30, 90, 9) }, logs));
    checkWeatherConversation(run);
    QCOMPARE(run.calls[0].source, GenAi::Source::SemconvEvents);
    QCOMPARE(run.inputTokens(), 140);
    QCOMPARE(run.outputTokens(), 21);
}

void TestGenAi::eventsAsSpanEvents()
{
    // The same events as span events: fields as attributes, or the whole body in gen_ai.event.content.
    Span s = span(1, 0, QStringLiteral("chat"), { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")) });
    SpanEvent user;
    user.name = QStringLiteral("gen_ai.user.message");
    user.attributes = { kv(QStringLiteral("gen_ai.system"), QStringLiteral("openai")),
                        kv(QStringLiteral("content"), QStringLiteral("hi there")) };
    SpanEvent choice;
    choice.name = QStringLiteral("gen_ai.choice");
    choice.timeUnixNano = s.endTimeUnixNano;
    choice.attributes = { kv(QStringLiteral("gen_ai.event.content"),
                             QStringLiteral(R"({"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hello"}})")) };
    s.events = { user, choice };
    const GenAi::Run run = GenAi::analyze(*SpanTree::build({ s }));
    QCOMPARE(run.calls.size(), size_t(1));
    QCOMPARE(run.calls[0].inputMessages.size(), size_t(1));
    QCOMPARE(run.calls[0].inputMessages[0].role, QStringLiteral("user"));
    QCOMPARE(run.calls[0].inputMessages[0].parts[0].content, QStringLiteral("hi there"));
    QCOMPARE(run.calls[0].outputMessages[0].parts[0].content, QStringLiteral("hello"));
    QCOMPARE(run.calls[0].finishReasons, QStringList { QStringLiteral("stop") });
}

void TestGenAi::contentEvents126()
{
    Span s = span(1, 0, QStringLiteral("chat gpt-4"),
                  { kv(QStringLiteral("gen_ai.system"), QStringLiteral("openai")),
                    kv(QStringLiteral("gen_ai.request.model"), QStringLiteral("gpt-4")),
                    kv(QStringLiteral("gen_ai.usage.prompt_tokens"), 7) });
    SpanEvent prompt;
    prompt.name = QStringLiteral("gen_ai.content.prompt");
    prompt.attributes = { kv(QStringLiteral("gen_ai.prompt"),
                             QStringLiteral(R"([{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"hi"}]}])")) };
    SpanEvent completion;
    completion.name = QStringLiteral("gen_ai.content.completion");
    completion.attributes = { kv(QStringLiteral("gen_ai.completion"),
                                 QStringLiteral(R"([{"role":"assistant","content":"hello","finish_reason":"stop"}])")) };
    s.events = { prompt, completion };
    const GenAi::Run run = GenAi::analyze(*SpanTree::build({ s }));
    QCOMPARE(run.calls.size(), size_t(1)); // no operation name: known as a model call by its model and usage
    QCOMPARE(run.calls[0].operation, QStringLiteral("chat"));
    QCOMPARE(run.calls[0].systemInstructions.size(), size_t(1));
    QCOMPARE(run.calls[0].systemInstructions[0].content, QStringLiteral("Be brief."));
    QCOMPARE(run.calls[0].inputMessages[0].parts[0].content, QStringLiteral("hi"));
    QCOMPARE(run.calls[0].outputMessages[0].parts[0].content, QStringLiteral("hello"));
    QCOMPARE(run.calls[0].finishReasons, QStringList { QStringLiteral("stop") });
    QCOMPARE(run.calls[0].inputTokens, std::optional<qint64>(7));
}

void TestGenAi::openLlmetry()
{
    const auto llm = [](int n, int start, Attributes extra) {
        Attributes a { kv(QStringLiteral("llm.request.type"), QStringLiteral("chat")),
                       kv(QStringLiteral("gen_ai.system"), QStringLiteral("openai")),
                       kv(QStringLiteral("gen_ai.request.model"), QStringLiteral("gpt-4o-mini")),
                       kv(QStringLiteral("gen_ai.usage.prompt_tokens"), QStringLiteral("50")),
                       kv(QStringLiteral("gen_ai.usage.completion_tokens"), 12),
                       kv(QStringLiteral("gen_ai.prompt.0.role"), QStringLiteral("system")),
                       kv(QStringLiteral("gen_ai.prompt.0.content"), QStringLiteral("You are a weather agent.")),
                       kv(QStringLiteral("gen_ai.prompt.1.role"), QStringLiteral("user")),
                       kv(QStringLiteral("gen_ai.prompt.1.content"), QStringLiteral("What is the weather in Paris?\nAnd tomorrow?")) };
        a.insert(a.end(), extra.begin(), extra.end());
        return span(n, 0, QStringLiteral("openai.chat"), a, start, 20);
    };
    std::vector<Span> spans;
    spans.push_back(llm(1, 0,
                        { kv(QStringLiteral("gen_ai.completion.0.role"), QStringLiteral("assistant")),
                          kv(QStringLiteral("gen_ai.completion.0.finish_reason"), QStringLiteral("tool_calls")),
                          kv(QStringLiteral("gen_ai.completion.0.tool_calls.0.id"), QStringLiteral("call_1")),
                          kv(QStringLiteral("gen_ai.completion.0.tool_calls.0.name"), QStringLiteral("get_weather")),
                          kv(QStringLiteral("gen_ai.completion.0.tool_calls.0.arguments"), QLatin1String(toolArgs)) }));
    spans.push_back(llm(2, 30,
                        { kv(QStringLiteral("gen_ai.prompt.2.role"), QStringLiteral("assistant")),
                          kv(QStringLiteral("gen_ai.prompt.2.tool_calls.0.id"), QStringLiteral("call_1")),
                          kv(QStringLiteral("gen_ai.prompt.2.tool_calls.0.name"), QStringLiteral("get_weather")),
                          kv(QStringLiteral("gen_ai.prompt.2.tool_calls.0.arguments"), QLatin1String(toolArgs)),
                          kv(QStringLiteral("gen_ai.prompt.3.role"), QStringLiteral("tool")),
                          kv(QStringLiteral("gen_ai.prompt.3.content"), QLatin1String(toolResult)),
                          kv(QStringLiteral("gen_ai.prompt.3.tool_call_id"), QStringLiteral("call_1")),
                          kv(QStringLiteral("gen_ai.completion.0.role"), QStringLiteral("assistant")),
                          kv(QStringLiteral("gen_ai.completion.0.content"), QStringLiteral("It is 18 °C in Paris.")),
                          kv(QStringLiteral("gen_ai.completion.0.finish_reason"), QStringLiteral("stop")) }));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build(spans));
    checkWeatherConversation(run);
    QCOMPARE(run.calls[0].source, GenAi::Source::OpenLlmetry);
    QCOMPARE(run.calls[0].inputTokens, std::optional<qint64>(50)); // sent as a string
    QCOMPARE(run.inputTokens(), 100);
}

void TestGenAi::openInference()
{
    const auto llm = [](int n, int start, Attributes extra) {
        Attributes a { kv(QStringLiteral("openinference.span.kind"), QStringLiteral("LLM")),
                       kv(QStringLiteral("llm.system"), QStringLiteral("openai")),
                       kv(QStringLiteral("llm.model_name"), QStringLiteral("gpt-4o-mini-2024-07-18")),
                       kv(QStringLiteral("llm.invocation_parameters"), QStringLiteral(R"({"model":"gpt-4o-mini","temperature":0})")),
                       kv(QStringLiteral("llm.token_count.prompt"), 50), kv(QStringLiteral("llm.token_count.completion"), 12),
                       kv(QStringLiteral("llm.token_count.prompt_details.cache_read"), 10),
                       kv(QStringLiteral("llm.input_messages.0.message.role"), QStringLiteral("system")),
                       kv(QStringLiteral("llm.input_messages.0.message.content"), QStringLiteral("You are a weather agent.")),
                       kv(QStringLiteral("llm.input_messages.1.message.role"), QStringLiteral("user")),
                       kv(QStringLiteral("llm.input_messages.1.message.contents.0.message_content.type"), QStringLiteral("text")),
                       kv(QStringLiteral("llm.input_messages.1.message.contents.0.message_content.text"),
                          QStringLiteral("What is the weather in Paris?\nAnd tomorrow?")) };
        a.insert(a.end(), extra.begin(), extra.end());
        return span(n, 0, QStringLiteral("ChatCompletion"), a, start, 20);
    };
    std::vector<Span> spans;
    spans.push_back(llm(1, 0,
                        { kv(QStringLiteral("llm.output_messages.0.message.role"), QStringLiteral("assistant")),
                          kv(QStringLiteral("llm.output_messages.0.message.tool_calls.0.tool_call.id"), QStringLiteral("call_1")),
                          kv(QStringLiteral("llm.output_messages.0.message.tool_calls.0.tool_call.function.name"), QStringLiteral("get_weather")),
                          kv(QStringLiteral("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"),
                             QLatin1String(toolArgs)),
                          kv(QStringLiteral("llm.finish_reason"), QStringLiteral("tool_calls")) }));
    spans.push_back(span(3, 0, QStringLiteral("get_weather"),
                         { kv(QStringLiteral("openinference.span.kind"), QStringLiteral("TOOL")),
                           kv(QStringLiteral("tool.name"), QStringLiteral("get_weather")),
                           kv(QStringLiteral("input.value"), QLatin1String(toolArgs)),
                           kv(QStringLiteral("output.value"), QLatin1String(toolResult)) },
                         22, 5));
    spans.push_back(llm(2, 30,
                        { kv(QStringLiteral("llm.input_messages.2.message.role"), QStringLiteral("assistant")),
                          kv(QStringLiteral("llm.input_messages.2.message.tool_calls.0.tool_call.id"), QStringLiteral("call_1")),
                          kv(QStringLiteral("llm.input_messages.2.message.tool_calls.0.tool_call.function.name"), QStringLiteral("get_weather")),
                          kv(QStringLiteral("llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments"),
                             QLatin1String(toolArgs)),
                          kv(QStringLiteral("llm.input_messages.3.message.role"), QStringLiteral("tool")),
                          kv(QStringLiteral("llm.input_messages.3.message.tool_call_id"), QStringLiteral("call_1")),
                          kv(QStringLiteral("llm.input_messages.3.message.content"), QLatin1String(toolResult)),
                          kv(QStringLiteral("llm.output_messages.0.message.role"), QStringLiteral("assistant")),
                          kv(QStringLiteral("llm.output_messages.0.message.content"), QStringLiteral("It is 18 °C in Paris.")),
                          kv(QStringLiteral("llm.finish_reason"), QStringLiteral("stop")) }));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build(spans));
    checkWeatherConversation(run);
    QCOMPARE(run.calls[0].source, GenAi::Source::OpenInference);
    QCOMPARE(run.calls[0].provider, QStringLiteral("openai"));
    QCOMPARE(run.calls[0].requestModel, QStringLiteral("gpt-4o-mini")); // from llm.invocation_parameters
    QCOMPARE(run.calls[0].responseModel, QStringLiteral("gpt-4o-mini-2024-07-18")); // llm.model_name
    QCOMPARE(run.calls[0].parameters.value(QLatin1String("temperature")).toInt(), 0);
    QVERIFY(!run.calls[0].parameters.contains(QLatin1String("model")));
    QCOMPARE(run.calls[0].cachedInputTokens, std::optional<qint64>(10));
    QCOMPARE(run.toolCalls.size(), size_t(1));
    // Without a call id on the tool span, the tool is matched by name to the call that asked for it.
    QCOMPARE(run.toolCalls[0].requestedBySpanId, spanId(1));
    QCOMPARE(run.toolCalls[0].callId, QStringLiteral("call_1"));
    QCOMPARE(run.toolCalls[0].arguments, json(toolArgs));
    QCOMPARE(run.toolCalls[0].result, json(toolResult));
}

void TestGenAi::tokensCountedOnceAndStringsAccepted()
{
    std::vector<Span> spans;
    // The agent span reports its children's sum: not counted again.
    spans.push_back(span(1, 0, QStringLiteral("invoke_agent"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("invoke_agent")),
                           kv(QStringLiteral("gen_ai.usage.input_tokens"), 300), kv(QStringLiteral("gen_ai.usage.output_tokens"), 30) },
                         0, 100));
    spans.push_back(span(2, 1, QStringLiteral("chat"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.usage.input_tokens"), QStringLiteral(" 100 ")),
                           kv(QStringLiteral("gen_ai.usage.output_tokens"), 10) },
                         1, 10));
    // A framework's model span around the provider instrumentation's: only the inner one counts.
    spans.push_back(span(3, 1, QStringLiteral("chat (framework)"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.usage.input_tokens"), 200), kv(QStringLiteral("gen_ai.usage.output_tokens"), 20) },
                         20, 30));
    spans.push_back(span(4, 3, QStringLiteral("chat (provider)"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.usage.input_tokens"), 200),
                           { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromDouble(20.0) } },
                         21, 25));
    // Not a number: ignored, not zero and not a failure.
    spans.push_back(span(5, 1, QStringLiteral("embeddings"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("embeddings")),
                           kv(QStringLiteral("gen_ai.usage.input_tokens"), QStringLiteral("many")) },
                         60, 5));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build(spans));
    QCOMPARE(run.calls.size(), size_t(4));
    QCOMPARE(run.inputTokens(), 300);
    QCOMPARE(run.outputTokens(), 30);
    QVERIFY(!run.calls[1].inputTokens); // the framework span
    QCOMPARE(run.calls[2].outputTokens, std::optional<qint64>(20));
    QVERIFY(!run.calls[3].inputTokens);
}

void TestGenAi::missingContentIsMarked()
{
    // Capture turned off: the events are there, their content is not.
    Span s = span(1, 0, QStringLiteral("chat"), { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")) });
    const std::vector<LogRecord> logs {
        logRecord(1, QStringLiteral("gen_ai.user.message"), map({}), 1),
        logRecord(1, QStringLiteral("gen_ai.choice"),
                  map({ kv(QStringLiteral("index"), 0), kv(QStringLiteral("finish_reason"), QStringLiteral("stop")),
                        { QStringLiteral("message"), map({}) } }),
                  5),
    };
    Span bare = span(2, 0, QStringLiteral("chat"), { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")) }, 20);
    const GenAi::Run run = GenAi::analyze(*SpanTree::build({ s, bare }, logs));
    QCOMPARE(run.calls.size(), size_t(2));
    QCOMPARE(run.calls[0].inputMessages.size(), size_t(1));
    QVERIFY(run.calls[0].inputMessages[0].contentMissing);
    QVERIFY(run.calls[0].outputMessages[0].contentMissing);
    QCOMPARE(run.calls[0].outputMessages[0].toJson().value(QLatin1String("content_missing")).toBool(), true);
    QVERIFY(!run.calls[1].hasContent());
    QCOMPARE(GenAi::toJson(run).value(QLatin1String("calls")).toArray().at(1).toObject().value(QLatin1String("content_captured")),
             QJsonValue(false));
}

void TestGenAi::toolCallsLinkedByIdThenByName()
{
    const QString output = QStringLiteral(
        R"([{"role":"assistant","parts":[{"type":"tool_call","id":"a","name":"search","arguments":"{\"q\":1}"},)"
        R"({"type":"tool_call","id":"b","name":"search","arguments":"{\"q\":2}"}]}])");
    std::vector<Span> spans;
    spans.push_back(span(1, 0, QStringLiteral("chat"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.output.messages"), output) },
                         0, 10));
    // Executed in the other order; the second one has no id and gets the request not taken yet.
    spans.push_back(span(2, 0, QStringLiteral("execute_tool search"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("execute_tool")),
                           kv(QStringLiteral("gen_ai.tool.name"), QStringLiteral("search")),
                           kv(QStringLiteral("gen_ai.tool.call.id"), QStringLiteral("b")),
                           kv(QStringLiteral("gen_ai.tool.call.result"), QStringLiteral("not json")) },
                         11, 2));
    spans.push_back(span(3, 0, QStringLiteral("execute_tool search"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("execute_tool")),
                           kv(QStringLiteral("gen_ai.tool.name"), QStringLiteral("search")) },
                         14, 2));
    // A tool nobody asked for.
    spans.push_back(span(4, 0, QStringLiteral("execute_tool other"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("execute_tool")),
                           kv(QStringLiteral("gen_ai.tool.name"), QStringLiteral("other")) },
                         17, 2));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build(spans));
    QCOMPARE(run.toolCalls.size(), size_t(3));
    QCOMPARE(run.toolCalls[0].requestedBySpanId, spanId(1));
    QCOMPARE(run.toolCalls[0].arguments, json(R"({"q":2})"));
    QCOMPARE(run.toolCalls[0].result, QJsonValue(QStringLiteral("not json")));
    QCOMPARE(run.toolCalls[1].callId, QStringLiteral("a"));
    QCOMPARE(run.toolCalls[1].arguments, json(R"({"q":1})"));
    QVERIFY(!run.toolCalls[2].requestedBySpanId.isValid());
    QCOMPARE(GenAi::toJson(run).value(QLatin1String("tool_calls")).toArray().at(2).toObject().value(QLatin1String("requested_by_span_id")),
             QJsonValue());
}

void TestGenAi::costAndPriceTable()
{
    PriceTable table;
    table.prices = { { QStringLiteral("gpt-4o*"), 2.5, 10.0, 1.25, QStringLiteral("USD") },
                     { QStringLiteral("gpt-4o-mini*"), 0.15, 0.6, std::nullopt, QStringLiteral("USD") } };
    // The longest matching pattern wins whatever the order; matching ignores case and covers the whole name.
    QCOMPARE(table.find(QStringLiteral("GPT-4o-mini-2024-07-18"))->pattern, QStringLiteral("gpt-4o-mini*"));
    QCOMPARE(table.find(QStringLiteral("gpt-4o-2024-08-06"))->pattern, QStringLiteral("gpt-4o*"));
    QVERIFY(!table.find(QStringLiteral("my-gpt-4o")));
    PriceTable wild;
    wild.prices = { { QStringLiteral("claude-*-sonnet-?"), 3, 15, std::nullopt, QStringLiteral("USD") },
                    { QStringLiteral("a.b+c"), 1, 1, std::nullopt, QStringLiteral("USD") } };
    QVERIFY(wild.find(QStringLiteral("claude-3-5-sonnet-x")));
    QVERIFY(wild.find(QStringLiteral("Claude--Sonnet-1")));
    QVERIFY(!wild.find(QStringLiteral("claude-3-5-sonnet-xy")));
    QVERIFY(!wild.find(QStringLiteral("claude-3-5-haiku-x")));
    QVERIFY(wild.find(QStringLiteral("a.b+c"))); // no regular expression: '.' and '+' are literal
    QVERIFY(!wild.find(QStringLiteral("axb+c")));
    QVERIFY(!table.find(QString()));
    // 1M input of which 200k cached, 100k output at gpt-4o prices: 0.8 * 2.5 + 0.2 * 1.25 + 0.1 * 10.
    QCOMPARE(table.cost(QStringLiteral("gpt-4o"), 1'000'000, 100'000, 200'000)->amount, 3.25);
    // Without a cached price, cached tokens cost the input price.
    QCOMPARE(table.cost(QStringLiteral("gpt-4o-mini"), 1'000'000, 0, 500'000)->amount, 0.15);
    QVERIFY(!table.cost(QStringLiteral("llama3"), 10, 10, 0));
    // Display: two decimals from 1, four from a cent, up to six below (agent calls cost fractions of a cent).
    QCOMPARE((Cost { 12.345, QStringLiteral("USD") }).toString(), QStringLiteral("$12.35"));
    QCOMPARE((Cost { 0.0123, QStringLiteral("USD") }).toString(), QStringLiteral("$0.0123"));
    QCOMPARE((Cost { 0.0035, QStringLiteral("USD") }).toString(), QStringLiteral("$0.0035"));
    QCOMPARE((Cost { 0.0000209, QStringLiteral("USD") }).toString(), QStringLiteral("$0.000021"));
    QCOMPARE((Cost { 0.5, QStringLiteral("EUR") }).toString(), QStringLiteral("0.5000 EUR"));

    const auto call = [](int n, const char* model, std::int64_t in) {
        return span(n, 0, QStringLiteral("chat"),
                    { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                      kv(QStringLiteral("gen_ai.request.model"), QLatin1String(model)),
                      kv(QStringLiteral("gen_ai.usage.input_tokens"), in), kv(QStringLiteral("gen_ai.usage.output_tokens"), 0) },
                    n * 10);
    };
    const GenAi::Run priced = GenAi::analyze(*SpanTree::build({ call(1, "gpt-4o", 1'000'000), call(2, "gpt-4o-mini", 1'000'000) }), &table);
    QCOMPARE(priced.calls[0].cost->amount, 2.5);
    QCOMPARE(priced.totalCost()->amount, 2.65);
    QCOMPARE(GenAi::toJson(priced).value(QLatin1String("totals")).toObject().value(QLatin1String("cost")).toDouble(), 2.65);
    // One call with an unknown model: no total (never a partial sum shown as the cost), and null in JSON.
    const GenAi::Run unknown = GenAi::analyze(*SpanTree::build({ call(1, "gpt-4o", 1000), call(2, "llama3", 1000) }), &table);
    QVERIFY(!unknown.calls[1].cost);
    QVERIFY(!unknown.totalCost());
    const QJsonObject json = GenAi::toJson(unknown);
    QVERIFY(json.value(QLatin1String("totals")).toObject().value(QLatin1String("cost")).isNull());
    QVERIFY(json.value(QLatin1String("calls")).toArray().at(1).toObject().value(QLatin1String("cost")).isNull());
    // No table: nothing is priced.
    QVERIFY(!GenAi::analyze(*SpanTree::build({ call(1, "gpt-4o", 1000) })).calls[0].cost);
}

void TestGenAi::priceTableFile()
{
    const PriceTable defaults = PriceTable::defaults();
    QVERIFY(defaults.prices.size() >= 10);
    QVERIFY(!defaults.source.isEmpty());
    QVERIFY(!defaults.asOf.isEmpty());
    QVERIFY(defaults.find(QStringLiteral("gpt-4o-mini-2024-07-18")));
    QVERIFY(defaults.find(QStringLiteral("claude-sonnet-4-20250514")));

    QString error;
    const std::optional<PriceTable> back = PriceTable::fromJson(defaults.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->prices.size(), defaults.prices.size());
    QCOMPARE(back->prices[0].pattern, defaults.prices[0].pattern);
    QCOMPARE(back->prices[0].cachedInputPerMillion, defaults.prices[0].cachedInputPerMillion);

    QVERIFY(!PriceTable::fromJson("{", &error));
    QVERIFY(error.startsWith(QLatin1String("not JSON")));
    QVERIFY(!PriceTable::fromJson(R"({"prices":[{"pattern":"x","input_per_million":-1,"output_per_million":1}]})", &error));
    QCOMPARE(error, QStringLiteral("prices[0]: \"input_per_million\" must be a number >= 0"));
    QVERIFY(!PriceTable::fromJson(R"({"prices":[{"input_per_million":1,"output_per_million":1}]})", &error));
    QCOMPARE(error, QStringLiteral("prices[0]: \"pattern\" is missing or empty"));

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config/prices.json"));
    PriceTable mine;
    mine.prices = { { QStringLiteral("my-model"), 1, 2, std::nullopt, QStringLiteral("eur") } };
    QVERIFY2(mine.save(&error, path), qPrintable(error));
    error.clear();
    const PriceTable loaded = PriceTable::load(&error, path);
    QVERIFY(error.isEmpty());
    QCOMPARE(loaded.prices.size(), size_t(1));
    QCOMPARE(loaded.prices[0].currency, QStringLiteral("EUR"));
    // A broken file gives the defaults and says why.
    QFile broken(path);
    QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
    broken.write("not json");
    broken.close();
    QCOMPARE(PriceTable::load(&error, path).prices.size(), defaults.prices.size());
    QVERIFY(error.contains(QLatin1String("using the default prices")));
    // No file: the defaults, no error.
    error.clear();
    QCOMPARE(PriceTable::load(&error, dir.filePath(QStringLiteral("none.json"))).prices.size(), defaults.prices.size());
    QVERIFY(error.isEmpty());
}

void TestGenAi::jsonShape()
{
    std::vector<Span> spans;
    spans.push_back(span(1, 0, QStringLiteral("chat"),
                         { kv(QStringLiteral("gen_ai.operation.name"), QStringLiteral("chat")),
                           kv(QStringLiteral("gen_ai.request.model"), QStringLiteral("gpt-4o-mini")),
                           kv(QStringLiteral("gen_ai.usage.input_tokens"), 10), kv(QStringLiteral("gen_ai.usage.output_tokens"), 2),
                           kv(QStringLiteral("gen_ai.input.messages"),
                              QStringLiteral(R"([{"role":"user","parts":[{"type":"text","content":"hi"},{"type":"uri","uri":"https://x/y.png","modality":"image"}]}])")) },
                         0, 3));
    const QJsonObject o = GenAi::toJson(GenAi::analyze(*SpanTree::build(spans)));
    QCOMPARE(o.value(QLatin1String("trace_id")).toString(), traceId().toHex());
    const QJsonObject totals = o.value(QLatin1String("totals")).toObject();
    QCOMPARE(totals.value(QLatin1String("llm_calls")).toInt(), 1);
    QCOMPARE(totals.value(QLatin1String("tool_calls")).toInt(), 0);
    QCOMPARE(totals.value(QLatin1String("input_tokens")).toInt(), 10);
    QCOMPARE(totals.value(QLatin1String("output_tokens")).toInt(), 2);
    QVERIFY(totals.value(QLatin1String("cost")).isNull());
    const QJsonObject call = o.value(QLatin1String("calls")).toArray().at(0).toObject();
    for (const char* key : { "span_id", "operation", "provider", "request_model", "response_model", "finish_reasons",
                             "input_tokens", "output_tokens", "cost", "system_instructions", "input_messages", "output_messages" })
        QVERIFY2(call.contains(QLatin1String(key)), key);
    QCOMPARE(call.value(QLatin1String("span_id")).toString(), spanId(1).toHex());
    QCOMPARE(call.value(QLatin1String("duration_ms")).toDouble(), 3.0);
    const QJsonArray parts = call.value(QLatin1String("input_messages")).toArray().at(0).toObject().value(QLatin1String("parts")).toArray();
    QCOMPARE(parts.at(0).toObject(), (QJsonObject { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("content"), QStringLiteral("hi") } }));
    // A part type Spanscope does not model is passed through as it came.
    QCOMPARE(parts.at(1).toObject().value(QLatin1String("uri")).toString(), QStringLiteral("https://x/y.png"));
}

void TestGenAi::parseLenient()
{
    QCOMPARE(GenAi::parseLenient(QStringLiteral(R"({"a":1})")), QJsonValue(QJsonObject { { QStringLiteral("a"), 1 } }));
    QCOMPARE(GenAi::parseLenient(QStringLiteral("[1,2]")), QJsonValue(QJsonArray { 1, 2 }));
    QCOMPARE(GenAi::parseLenient(QStringLiteral(" 42 ")), QJsonValue(42));
    QCOMPARE(GenAi::parseLenient(QStringLiteral("\"quoted\"")), QJsonValue(QStringLiteral("quoted")));
    QCOMPARE(GenAi::parseLenient(QStringLiteral("sunny, 18 degrees")), QJsonValue(QStringLiteral("sunny, 18 degrees")));
    QCOMPARE(GenAi::parseLenient(QStringLiteral("{broken")), QJsonValue(QStringLiteral("{broken")));
    QCOMPARE(GenAi::parseLenient(QStringLiteral("1, 2")), QJsonValue(QStringLiteral("1, 2")));
}

void TestGenAi::notAnAgentTrace()
{
    std::vector<Span> spans;
    spans.push_back(span(1, 0, QStringLiteral("GET /"), { kv(QStringLiteral("http.request.method"), QStringLiteral("GET")) }));
    spans.push_back(span(2, 1, QStringLiteral("SELECT"), { kv(QStringLiteral("db.system"), QStringLiteral("postgresql")) }));
    const GenAi::Run run = GenAi::analyze(*SpanTree::build(spans));
    QVERIFY(run.isEmpty());
    QCOMPARE(run.inputTokens(), 0);
    QVERIFY(!run.totalCost());
    const GenAi::Run empty = GenAi::analyze(*SpanTree::build({}));
    QVERIFY(empty.isEmpty());
}

QTEST_GUILESS_MAIN(TestGenAi)
#include "tst_genai.moc"
