#pragma once

#include "model/ids.h"
#include "model/span.h"
#include "model/pricetable.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

struct SpanTree;

/**
 * What an LLM agent did in one trace, read from its spans and log records: the LLM calls with their messages and
 * token use, the tool calls, the agent invocations. A pure function of the trace (GenAi::analyze) so that the
 * views, the query API (`GET /api/v1/traces/{id}/genai`) and `spanscope genai` agree.
 *
 * It reads every format in use (OpenTelemetry GenAI semantic conventions, "Gen AI" spans, events and attributes):
 * - semantic conventions >= 1.37: span attributes `gen_ai.input.messages`, `gen_ai.output.messages`,
 *   `gen_ai.system_instructions` (JSON, typed parts; a string or a structured AnyValue), or the same attributes on
 *   the `gen_ai.client.inference.operation.details` event (span event or OTLP log record);
 * - semantic conventions 1.28-1.36 events `gen_ai.system.message`, `gen_ai.user.message`,
 *   `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice` as OTLP log records (body AnyValue) or span
 *   events (attributes, or a `gen_ai.event.content` JSON attribute), and the 1.26 span events
 *   `gen_ai.content.prompt` / `gen_ai.content.completion`;
 * - OpenLLMetry (Traceloop) flattened attributes `gen_ai.prompt.N.*`, `gen_ai.completion.N.*`;
 * - OpenInference attributes `llm.input_messages.N.message.*`, `llm.output_messages.N.message.*`,
 *   `llm.token_count.*`, `llm.model_name`, `llm.invocation_parameters`, `openinference.span.kind`, `tool.name`,
 *   `input.value` / `output.value`.
 * Whatever the source, messages come out in the semantic conventions' shape (role + typed parts).
 *
 * Tokens are counted once: only on LLM operation spans (chat, text_completion, generate_content, embeddings, an
 * OpenInference LLM or EMBEDDING span), never on the agent or chain spans that repeat their children's sums.
 * Counts given as strings ("42") are accepted.
 *
 * Thread safety: plain values and pure functions, any thread.
 */
namespace GenAi {

/// One part of a message (semantic conventions "MessagePart").
struct Part {
    enum class Type { Text, ToolCall, ToolCallResponse, Other };
    Type type = Type::Text;
    QString content; ///< Text: the text; Other: its content when it has one
    QString id; ///< ToolCall / ToolCallResponse: the tool call id (may be empty)
    QString name; ///< ToolCall: the tool (function) name
    QJsonValue arguments; ///< ToolCall: a JSON value when the arguments parse as JSON, else the string as sent
    QJsonValue response; ///< ToolCallResponse: the result, parsed like `arguments`
    QJsonObject other; ///< Other: the part as it came (e.g. {"type":"reasoning",...}, {"type":"uri",...})

    /// The semantic conventions' JSON: {"type":"text","content"}, {"type":"tool_call","id","name","arguments"},
    /// {"type":"tool_call_response","id","response"}, or the Other part as it came.
    QJsonObject toJson() const;
};

/// One message of a conversation.
struct Message {
    QString role; ///< "system", "user", "assistant", "tool" (as sent; OpenInference's roles kept)
    std::vector<Part> parts;
    QString finishReason; ///< output messages: why the model stopped ("stop", "tool_calls", ...), else empty
    /// True when the telemetry says a message was there but its content was not captured (capture turned off):
    /// shown as such, never as an empty message.
    bool contentMissing = false;

    /// {"role", "parts": [...]} plus "finish_reason" on output messages and "content_missing": true where so.
    QJsonObject toJson() const;
};

/// Where an LLM call's messages were read from.
enum class Source { None, SemconvAttributes, SemconvEvents, OpenLlmetry, OpenInference };
QString sourceName(Source source); ///< "none", "semconv_attributes", "semconv_events", "openllmetry", "openinference"

/// One call to a model (an LLM operation span).
struct LlmCall {
    int spanIndex = -1; ///< index into SpanTree::spans
    SpanId spanId;
    QString name; ///< the span name
    QString operation; ///< gen_ai.operation.name ("chat", "text_completion", "embeddings", ...)
    QString provider; ///< gen_ai.provider.name, else gen_ai.system, else OpenInference llm.provider / llm.system
    QString requestModel; ///< gen_ai.request.model (OpenInference: llm.model_name)
    QString responseModel; ///< gen_ai.response.model
    QJsonObject parameters; ///< request parameters by short name: temperature, max_tokens, top_p, seed, ...
    QStringList finishReasons;
    std::optional<qint64> inputTokens; ///< includes cached input tokens (semantic conventions)
    std::optional<qint64> outputTokens;
    std::optional<qint64> cachedInputTokens; ///< gen_ai.usage.cache_read.input_tokens and its older names
    std::uint64_t startTimeUnixNano = 0;
    std::uint64_t durationNanos = 0; ///< latency, ns
    bool isError = false; ///< span status error
    std::vector<Part> systemInstructions; ///< gen_ai.system_instructions (or the system messages of older formats)
    std::vector<Message> inputMessages; ///< without system messages when they were given as instructions
    std::vector<Message> outputMessages;
    Source source = Source::None;
    std::optional<Cost> cost; ///< empty when the model has no price
    /// The model that prices this call: the response model, else the request model.
    QString pricedModel() const { return responseModel.isEmpty() ? requestModel : responseModel; }
    /// False when the call carries no message content at all (capture off, or an instrumentation that does not
    /// record it).
    bool hasContent() const { return !inputMessages.empty() || !outputMessages.empty() || !systemInstructions.empty(); }
};

/// One tool execution (an `execute_tool` span, or an OpenInference TOOL span).
struct ToolCall {
    int spanIndex = -1;
    SpanId spanId;
    QString name; ///< gen_ai.tool.name (OpenInference: tool.name)
    QString callId; ///< gen_ai.tool.call.id
    QJsonValue arguments; ///< gen_ai.tool.call.arguments (else the requesting tool_call part's), JSON when it parses
    QJsonValue result; ///< gen_ai.tool.call.result (else the tool_call_response part that answered it)
    SpanId requestedBySpanId; ///< the LLM call whose output asked for this call (by id, else by name); invalid if none
    std::uint64_t startTimeUnixNano = 0;
    std::uint64_t durationNanos = 0;
    bool isError = false;
};

/// One agent invocation or creation (`invoke_agent`, `create_agent`, OpenInference AGENT).
struct AgentInvocation {
    int spanIndex = -1;
    SpanId spanId;
    QString operation; ///< "invoke_agent", "create_agent" ("invoke_agent" for OpenInference AGENT spans)
    QString agentName; ///< gen_ai.agent.name, else the span name
    std::uint64_t startTimeUnixNano = 0;
    std::uint64_t durationNanos = 0;
};

/// What kind of GenAI step a span is (for icons and the run view).
enum class SpanRole : std::uint8_t { None, LlmCall, ToolCall, Agent }; ///< one byte: held per span, twice

/// The agent run of one trace. Calls, tool calls and agents are in start-time order.
struct Run {
    TraceId traceId;
    std::vector<LlmCall> calls;
    std::vector<ToolCall> toolCalls;
    std::vector<AgentInvocation> agents;
    std::vector<SpanRole> roles; ///< parallel to SpanTree::spans

    qint64 inputTokens() const; ///< sum over calls (saturated), 0 when none reported
    qint64 outputTokens() const;
    /// Sum of the calls' costs; empty when a call that used tokens has no price, or currencies differ.
    std::optional<Cost> totalCost() const;
    bool isEmpty() const { return calls.empty() && toolCalls.empty() && agents.empty(); }
};

/// What kind of GenAI step one span is, from its own attributes (gen_ai.operation.name, OpenInference's
/// openinference.span.kind, OpenLLMetry's traceloop.span.kind and llm.request.type). `operation` gets the operation
/// name to show ("chat", "execute_tool", ...). Stores use it to count LLM and tool calls per trace.
SpanRole classify(const Span& span, QString* operation = nullptr);

/// Token use and models one span reports, whatever the convention (only meaningful for LlmCall spans; counts in
/// tokens, string-typed counts accepted).
struct Usage {
    std::optional<qint64> inputTokens; ///< gen_ai.usage.input_tokens, gen_ai.usage.prompt_tokens, llm.token_count.prompt
    std::optional<qint64> outputTokens;
    std::optional<qint64> cachedInputTokens;
    QString requestModel;
    QString responseModel;
    QString pricedModel() const { return responseModel.isEmpty() ? requestModel : responseModel; }
};
Usage usageOf(const Span& span);

/// The conversation (session) the span belongs to: gen_ai.conversation.id, else session.id (also OpenInference's);
/// empty when none.
QString conversationIdOf(const Attributes& attributes);

/// Reads the agent run out of a trace. `prices` prices the calls (none priced when null).
Run analyze(const SpanTree& tree, const PriceTable* prices = nullptr);

/// One LLM call as JSON, the shape of an entry of toJson()'s "calls".
QJsonObject callToJson(const LlmCall& call);

/// The run as JSON (docs/query-api.md "GenAI"): {"trace_id", "totals": {"llm_calls", "tool_calls", "input_tokens",
/// "output_tokens", "cost", "currency"}, "calls": [...], "tool_calls": [...], "agents": [...]}; "cost" is null when
/// not priced.
QJsonObject toJson(const Run& run);

/// Parses a tool call's arguments or result: the JSON value when `text` is a JSON document or scalar, else the text.
QJsonValue parseLenient(const QString& text);

} // namespace GenAi
