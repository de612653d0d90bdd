// libFuzzer harness: the GenAI model of a trace (issue 10 §2), which parses JSON out of attributes, span events and
// log record bodies that any exporter may send. The input is an OTLP/JSON ExportTraceServiceRequest (first byte 't'),
// or else the text of every message attribute and event content of a small agent trace. Checks: no crash; every span
// has a role and the LLM and tool calls are exactly the spans with those roles; token totals are not below any call's;
// the JSON serializes; the run compared with itself has no difference.

#include "fuzzcommon.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "model/genai.h"
#include "model/runcomparison.h"
#include "model/spantreemodel.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

namespace {

std::vector<Span> agentTraceAround(const QString& text, std::vector<LogRecord>* logs)
{
    const TraceId trace = TraceId::fromHex(u"0af7651916cd43dd8448eb211c80319c");
    const auto make = [&](int n, int parent, const char* op, Attributes extra) {
        Span s;
        s.traceId = trace;
        s.spanId = SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0')));
        if (parent)
            s.parentSpanId = SpanId::fromHex(QStringLiteral("%1").arg(parent, 16, 16, QLatin1Char('0')));
        s.name = QLatin1String(op);
        s.startTimeUnixNano = 1000 + std::uint64_t(n) * 10;
        s.endTimeUnixNano = s.startTimeUnixNano + 5;
        s.attributes = { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QLatin1String(op)) } };
        s.attributes.insert(s.attributes.end(), extra.begin(), extra.end());
        return s;
    };
    const AnyValue value = AnyValue::fromString(text);
    std::vector<Span> spans;
    spans.push_back(make(1, 0, "invoke_agent", {}));
    spans.push_back(make(2, 1, "chat",
                         { { QStringLiteral("gen_ai.input.messages"), value }, { QStringLiteral("gen_ai.output.messages"), value },
                           { QStringLiteral("gen_ai.system_instructions"), value }, { QStringLiteral("gen_ai.usage.input_tokens"), value } }));
    Span events = make(3, 1, "chat", { { QStringLiteral("llm.invocation_parameters"), value } });
    for (const char* name : { "gen_ai.user.message", "gen_ai.choice", "gen_ai.content.prompt", "gen_ai.client.inference.operation.details" }) {
        SpanEvent e;
        e.name = QLatin1String(name);
        e.attributes = { { QStringLiteral("gen_ai.event.content"), value }, { QStringLiteral("content"), value },
                         { QStringLiteral("tool_calls"), value }, { QStringLiteral("gen_ai.prompt"), value } };
        events.events.push_back(e);
    }
    spans.push_back(events);
    spans.push_back(make(4, 1, "chat", { { QStringLiteral("gen_ai.prompt.0.content"), value }, { QStringLiteral("gen_ai.completion.0.tool_calls.0.arguments"), value } }));
    spans.push_back(make(5, 1, "execute_tool", { { QStringLiteral("gen_ai.tool.call.arguments"), value }, { QStringLiteral("gen_ai.tool.call.result"), value } }));
    for (const char* name : { "gen_ai.assistant.message", "gen_ai.tool.message", "gen_ai.choice" }) {
        LogRecord r;
        r.traceId = trace;
        r.spanId = spans[2].spanId;
        r.eventName = QLatin1String(name);
        r.body = value;
        logs->push_back(r);
    }
    return spans;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    FuzzCommon::quietLogging();
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    std::vector<Span> spans;
    std::vector<LogRecord> logs;
    if (!bytes.isEmpty() && bytes[0] == 't') {
        DecodeResult decoded = OtlpJsonCodec::decodeRequest(bytes.mid(1));
        if (!decoded.ok)
            return 0;
        spans = std::move(decoded.batch.spans);
    } else {
        spans = agentTraceAround(QString::fromUtf8(bytes), &logs);
    }
    const auto tree = SpanTree::build(std::move(spans), std::move(logs));
    PriceTable prices;
    prices.prices = { { QStringLiteral("*"), 1, 2, 0.5, QStringLiteral("USD") } };
    const auto run = std::make_shared<const GenAi::Run>(GenAi::analyze(*tree, &prices));
    if (run->roles.size() != tree->spans.size())
        FuzzCommon::fail("roles are not parallel to the spans");
    size_t llm = 0, tools = 0;
    for (size_t i = 0; i < tree->spans.size(); ++i) {
        if (run->roles[i] != GenAi::classify(tree->span(int(i))))
            FuzzCommon::fail("the run's role differs from classify()");
        llm += run->roles[i] == GenAi::SpanRole::LlmCall;
        tools += run->roles[i] == GenAi::SpanRole::ToolCall;
    }
    if (llm != run->calls.size() || tools != run->toolCalls.size())
        FuzzCommon::fail("calls are not the spans classified as calls");
    for (const GenAi::LlmCall& c : run->calls)
        if (c.inputTokens.value_or(0) > 0 && run->inputTokens() < c.inputTokens.value_or(0))
            FuzzCommon::fail("the input token total is below a call's count");
    if (QJsonDocument(GenAi::toJson(*run)).toJson().isEmpty())
        FuzzCommon::fail("the run does not serialize");
    const RunComparison::Result self = RunComparison::compare(tree, run, tree, run);
    if (self.added || self.removed || self.changed || self.rows.size() != tree->spans.size())
        FuzzCommon::fail("a run compared with itself differs");
    return 0;
}
