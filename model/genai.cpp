#include "model/genai.h"

#include "model/spantreemodel.h"

#include <QHash>
#include <QJsonDocument>

#include <algorithm>
#include <limits>
#include <map>

namespace GenAi {

namespace {

// ---- attribute access ---------------------------------------------------------------------------------------

QString stringOf(const AnyValue* v)
{
    if (!v)
        return QString();
    switch (v->type) {
    case AnyValue::Type::String:
        return v->stringValue;
    case AnyValue::Type::Empty:
        return QString();
    default:
        return v->toDisplayString();
    }
}

QString text(const Attributes& attributes, QStringView key)
{
    return stringOf(findAttribute(attributes, key));
}

/// An integer attribute; strings ("42") and integral doubles are accepted (instrumentations send both).
std::optional<qint64> integerOf(const AnyValue* v)
{
    if (!v)
        return std::nullopt;
    switch (v->type) {
    case AnyValue::Type::Int:
        return v->intValue;
    case AnyValue::Type::Double:
        if (v->doubleValue >= 0 && v->doubleValue < 9.2e18 && double(qint64(v->doubleValue)) == v->doubleValue)
            return qint64(v->doubleValue);
        return std::nullopt;
    case AnyValue::Type::String: {
        bool ok = false;
        const qint64 n = v->stringValue.trimmed().toLongLong(&ok);
        return ok ? std::optional<qint64>(n) : std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

std::optional<qint64> firstInteger(const Attributes& attributes, std::initializer_list<const char*> keys)
{
    for (const char* key : keys)
        if (std::optional<qint64> n = integerOf(findAttribute(attributes, QString::fromLatin1(key))))
            return n;
    return std::nullopt;
}

QString firstText(const Attributes& attributes, std::initializer_list<const char*> keys)
{
    for (const char* key : keys) {
        const QString t = text(attributes, QString::fromLatin1(key));
        if (!t.isEmpty())
            return t;
    }
    return QString();
}

QJsonValue toJsonValue(const AnyValue& v)
{
    switch (v.type) {
    case AnyValue::Type::Empty:
        return QJsonValue();
    case AnyValue::Type::String:
        return v.stringValue;
    case AnyValue::Type::Bool:
        return v.boolValue;
    case AnyValue::Type::Int:
        return QJsonValue(qint64(v.intValue));
    case AnyValue::Type::Double:
        return v.doubleValue;
    case AnyValue::Type::Bytes:
        return QString::fromLatin1(v.bytesValue.toBase64());
    case AnyValue::Type::Array: {
        QJsonArray a;
        for (const AnyValue& e : v.arrayValue)
            a.append(toJsonValue(e));
        return a;
    }
    case AnyValue::Type::Map: {
        QJsonObject o;
        for (const KeyValue& kv : v.mapValue)
            o.insert(kv.key, toJsonValue(kv.value));
        return o;
    }
    }
    return QJsonValue();
}

/// A structured attribute: a JSON string parsed, or an AnyValue array / map converted. Undefined when neither.
QJsonValue structured(const AnyValue* v)
{
    if (!v)
        return QJsonValue(QJsonValue::Undefined);
    if (v->type == AnyValue::Type::String) {
        const QJsonDocument doc = QJsonDocument::fromJson(v->stringValue.toUtf8());
        if (doc.isArray())
            return doc.array();
        if (doc.isObject())
            return doc.object();
        return QJsonValue(QJsonValue::Undefined);
    }
    if (v->type == AnyValue::Type::Array || v->type == AnyValue::Type::Map)
        return toJsonValue(*v);
    return QJsonValue(QJsonValue::Undefined);
}

/// A JSON value that may itself be a JSON text (tool arguments are sent as strings): parsed when it parses.
QJsonValue lenient(const QJsonValue& v)
{
    return v.isString() ? parseLenient(v.toString()) : v;
}

// ---- parts and messages ---------------------------------------------------------------------------------------

Part textPart(const QString& content)
{
    Part p;
    p.type = Part::Type::Text;
    p.content = content;
    return p;
}

Part toolCallPart(const QString& id, const QString& name, const QJsonValue& arguments)
{
    Part p;
    p.type = Part::Type::ToolCall;
    p.id = id;
    p.name = name;
    p.arguments = lenient(arguments);
    return p;
}

Part toolResponsePart(const QString& id, const QJsonValue& response)
{
    Part p;
    p.type = Part::Type::ToolCallResponse;
    p.id = id;
    p.response = lenient(response);
    return p;
}

/// Content as chat APIs send it: a string, or an array of content parts ({"type":"text","text"}, strings, ...).
void appendContent(const QJsonValue& content, std::vector<Part>* parts)
{
    if (content.isString()) {
        const QString s = content.toString();
        // OpenLLMetry and others serialize an array of content parts into the string.
        if (s.startsWith(QLatin1Char('['))) {
            const QJsonDocument doc = QJsonDocument::fromJson(s.toUtf8());
            if (doc.isArray() && !doc.array().isEmpty() && doc.array().first().isObject()
                && doc.array().first().toObject().contains(QLatin1String("type"))) {
                appendContent(doc.array(), parts);
                return;
            }
        }
        parts->push_back(textPart(s));
    } else if (content.isArray()) {
        for (const QJsonValue& e : content.toArray()) {
            if (e.isString()) {
                parts->push_back(textPart(e.toString()));
            } else if (e.isObject()) {
                const QJsonObject o = e.toObject();
                const QString type = o.value(QLatin1String("type")).toString();
                if (o.value(QLatin1String("text")).isString())
                    parts->push_back(textPart(o.value(QLatin1String("text")).toString()));
                else if (type == QLatin1String("text") && o.value(QLatin1String("content")).isString())
                    parts->push_back(textPart(o.value(QLatin1String("content")).toString()));
                else {
                    Part p;
                    p.type = Part::Type::Other;
                    p.other = o;
                    parts->push_back(p);
                }
            }
        }
    } else if (content.isObject()) {
        appendContent(QJsonArray { content }, parts);
    } else if (!content.isNull() && !content.isUndefined()) {
        parts->push_back(textPart(content.toVariant().toString()));
    }
}

/// OpenAI-style tool calls: [{"id", "type": "function", "function": {"name", "arguments"}}] (also flat name/arguments).
void appendToolCalls(const QJsonValue& toolCalls, std::vector<Part>* parts)
{
    for (const QJsonValue& e : toolCalls.toArray()) {
        const QJsonObject o = e.toObject();
        const QJsonObject f = o.value(QLatin1String("function")).toObject();
        const QString name = f.isEmpty() ? o.value(QLatin1String("name")).toString() : f.value(QLatin1String("name")).toString();
        const QJsonValue args = f.isEmpty() ? o.value(QLatin1String("arguments")) : f.value(QLatin1String("arguments"));
        parts->push_back(toolCallPart(o.value(QLatin1String("id")).toString(), name, args));
    }
}

/// A message in the semantic conventions' shape {"role", "parts": [...], "finish_reason"}.
Message semconvMessage(const QJsonObject& o)
{
    Message m;
    m.role = o.value(QLatin1String("role")).toString();
    m.finishReason = o.value(QLatin1String("finish_reason")).toString();
    for (const QJsonValue& e : o.value(QLatin1String("parts")).toArray()) {
        const QJsonObject p = e.toObject();
        const QString type = p.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text")) {
            m.parts.push_back(textPart(p.value(QLatin1String("content")).toString()));
        } else if (type == QLatin1String("tool_call")) {
            m.parts.push_back(toolCallPart(p.value(QLatin1String("id")).toString(), p.value(QLatin1String("name")).toString(),
                                           p.value(QLatin1String("arguments"))));
        } else if (type == QLatin1String("tool_call_response")) {
            m.parts.push_back(toolResponsePart(p.value(QLatin1String("id")).toString(), p.value(QLatin1String("response"))));
        } else {
            Part other;
            other.type = Part::Type::Other;
            other.content = p.value(QLatin1String("content")).toString();
            other.other = p;
            m.parts.push_back(other);
        }
    }
    return m;
}

std::vector<Message> semconvMessages(const QJsonValue& list)
{
    std::vector<Message> out;
    for (const QJsonValue& e : list.toArray())
        if (e.isObject())
            out.push_back(semconvMessage(e.toObject()));
    return out;
}

/// A chat-API (OpenAI-style) message: {"role", "content", "tool_calls", "tool_call_id"}.
Message chatMessage(const QJsonObject& o, const QString& defaultRole)
{
    Message m;
    m.role = o.value(QLatin1String("role")).toString(defaultRole);
    const QString toolCallId = o.value(QLatin1String("tool_call_id")).toString(o.value(QLatin1String("id")).toString());
    const QJsonValue content = o.value(QLatin1String("content"));
    if (m.role == QLatin1String("tool")) {
        if (!content.isUndefined())
            m.parts.push_back(toolResponsePart(toolCallId, content));
    } else {
        appendContent(content, &m.parts);
    }
    appendToolCalls(o.value(QLatin1String("tool_calls")), &m.parts);
    m.finishReason = o.value(QLatin1String("finish_reason")).toString();
    m.contentMissing = m.parts.empty();
    return m;
}

// ---- flattened attributes (OpenLLMetry, OpenInference) --------------------------------------------------------

/// Attributes `<prefix>N.<rest>` grouped by N (in numeric order), as rest -> value.
using Indexed = std::map<int, std::map<QString, const AnyValue*>>;

Indexed indexed(const Attributes& attributes, const QString& prefix)
{
    Indexed out;
    for (const KeyValue& kv : attributes) {
        if (!kv.key.startsWith(prefix))
            continue;
        const int dot = kv.key.indexOf(QLatin1Char('.'), prefix.size());
        if (dot < 0)
            continue;
        bool ok = false;
        const int n = QStringView(kv.key).mid(prefix.size(), dot - prefix.size()).toInt(&ok);
        if (ok && n >= 0)
            out[n][kv.key.mid(dot + 1)] = &kv.value;
    }
    return out;
}

/// The same grouping over one entry's own keys: entry keys `<prefix>M.<rest>`.
Indexed indexed(const std::map<QString, const AnyValue*>& entry, const QString& prefix)
{
    Indexed out;
    for (const auto& [key, value] : entry) {
        if (!key.startsWith(prefix))
            continue;
        const int dot = key.indexOf(QLatin1Char('.'), prefix.size());
        if (dot < 0)
            continue;
        bool ok = false;
        const int n = QStringView(key).mid(prefix.size(), dot - prefix.size()).toInt(&ok);
        if (ok && n >= 0)
            out[n][key.mid(dot + 1)] = value;
    }
    return out;
}

const AnyValue* get(const std::map<QString, const AnyValue*>& entry, const char* key)
{
    const auto it = entry.find(QLatin1String(key));
    return it == entry.end() ? nullptr : it->second;
}

QJsonValue jsonText(const AnyValue* v)
{
    return v ? QJsonValue(stringOf(v)) : QJsonValue(QJsonValue::Undefined);
}

/// OpenLLMetry: gen_ai.prompt.N.{role,content,tool_call_id,tool_calls.M.{id,name,arguments}} (and completions,
/// with finish_reason and the older function_call.{name,arguments}).
std::vector<Message> openLlmetryMessages(const Attributes& attributes, const QString& prefix, const QString& defaultRole)
{
    std::vector<Message> out;
    for (const auto& [n, entry] : indexed(attributes, prefix)) {
        Q_UNUSED(n)
        QJsonObject o;
        o.insert(QStringLiteral("role"), stringOf(get(entry, "role")).isEmpty() ? defaultRole : stringOf(get(entry, "role")));
        if (const AnyValue* content = get(entry, "content"))
            o.insert(QStringLiteral("content"), stringOf(content));
        if (const AnyValue* id = get(entry, "tool_call_id"))
            o.insert(QStringLiteral("tool_call_id"), stringOf(id));
        if (const AnyValue* reason = get(entry, "finish_reason"))
            o.insert(QStringLiteral("finish_reason"), stringOf(reason));
        Message m = chatMessage(o, defaultRole);
        for (const auto& [k, call] : indexed(entry, QStringLiteral("tool_calls."))) {
            Q_UNUSED(k)
            m.parts.push_back(toolCallPart(stringOf(get(call, "id")), stringOf(get(call, "name")), jsonText(get(call, "arguments"))));
        }
        if (get(entry, "function_call.name"))
            m.parts.push_back(toolCallPart(QString(), stringOf(get(entry, "function_call.name")),
                                           jsonText(get(entry, "function_call.arguments"))));
        m.contentMissing = m.parts.empty();
        out.push_back(std::move(m));
    }
    return out;
}

/// OpenInference: llm.input_messages.N.message.{role,content,contents.M.message_content.{type,text},tool_call_id,
/// tool_calls.M.tool_call.{id,function.name,function.arguments}}.
std::vector<Message> openInferenceMessages(const Attributes& attributes, const QString& prefix)
{
    std::vector<Message> out;
    for (const auto& [n, entry] : indexed(attributes, prefix)) {
        Q_UNUSED(n)
        Message m;
        m.role = stringOf(get(entry, "message.role"));
        const QString toolCallId = stringOf(get(entry, "message.tool_call_id"));
        if (const AnyValue* content = get(entry, "message.content")) {
            if (m.role == QLatin1String("tool"))
                m.parts.push_back(toolResponsePart(toolCallId, stringOf(content)));
            else
                appendContent(QJsonValue(stringOf(content)), &m.parts);
        }
        for (const auto& [k, c] : indexed(entry, QStringLiteral("message.contents."))) {
            Q_UNUSED(k)
            const QString type = stringOf(get(c, "message_content.type"));
            if (type.isEmpty() || type == QLatin1String("text")) {
                m.parts.push_back(textPart(stringOf(get(c, "message_content.text"))));
            } else {
                Part p;
                p.type = Part::Type::Other;
                QJsonObject o { { QStringLiteral("type"), type } };
                for (const auto& [key, value] : c)
                    o.insert(key, toJsonValue(*value));
                p.other = o;
                m.parts.push_back(p);
            }
        }
        for (const auto& [k, call] : indexed(entry, QStringLiteral("message.tool_calls."))) {
            Q_UNUSED(k)
            m.parts.push_back(toolCallPart(stringOf(get(call, "tool_call.id")), stringOf(get(call, "tool_call.function.name")),
                                           jsonText(get(call, "tool_call.function.arguments"))));
        }
        m.contentMissing = m.parts.empty();
        out.push_back(std::move(m));
    }
    return out;
}

// ---- events (span events and OTLP log records) ----------------------------------------------------------------

/// One GenAI event, from a span event or a log record: its name, body (log records) and attributes.
struct Event {
    QString name;
    std::uint64_t timeUnixNano = 0;
    QJsonObject body; ///< the log record body, or what a span event carries in its attributes
    const Attributes* attributes = nullptr;
};

QJsonObject bodyOfSpanEvent(const SpanEvent& e)
{
    // Some SDKs put the whole body into one JSON attribute; most put its fields in attributes.
    const AnyValue* content = findAttribute(e.attributes, u"gen_ai.event.content");
    const QJsonValue packed = structured(content);
    if (packed.isObject())
        return packed.toObject();
    QJsonObject body;
    if (content && packed.isUndefined()) // the message text itself
        body.insert(QStringLiteral("content"), stringOf(content));
    for (const KeyValue& kv : e.attributes) {
        if (kv.key == QLatin1String("content")) {
            const QJsonValue s = structured(&kv.value);
            body.insert(kv.key, s.isArray() ? s : toJsonValue(kv.value));
        } else if (kv.key == QLatin1String("tool_calls") || kv.key == QLatin1String("message")) {
            const QJsonValue s = structured(&kv.value);
            body.insert(kv.key, s.isUndefined() ? toJsonValue(kv.value) : s);
        } else if (!kv.key.startsWith(QLatin1String("gen_ai."))) {
            body.insert(kv.key, toJsonValue(kv.value));
        }
    }
    return body;
}

std::vector<Event> eventsOf(const SpanTree& tree, const Span& span)
{
    std::vector<Event> out;
    for (const SpanEvent& e : span.events)
        if (e.name.startsWith(QLatin1String("gen_ai.")))
            out.push_back({ e.name, e.timeUnixNano, bodyOfSpanEvent(e), &e.attributes });
    for (const LogRecord* r : tree.logsOf(span.spanId)) {
        QString name = r->eventName;
        if (name.isEmpty())
            name = text(r->attributes, u"event.name");
        if (!name.startsWith(QLatin1String("gen_ai.")))
            continue;
        const QJsonValue body = toJsonValue(r->body);
        QJsonObject object = body.isObject() ? body.toObject() : QJsonObject();
        if (body.isString()) // a body that is the content itself
            object.insert(QStringLiteral("content"), body);
        out.push_back({ name, r->effectiveTimeUnixNano(), object, &r->attributes });
    }
    std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.timeUnixNano < b.timeUnixNano; });
    return out;
}

// ---- one LLM call ---------------------------------------------------------------------------------------------

bool isSystemRole(const QString& role)
{
    return role == QLatin1String("system") || role == QLatin1String("developer");
}

/// Moves system messages out of the input into the call's system instructions (the conventions' shape).
void separateSystemInstructions(LlmCall* call)
{
    if (!call->systemInstructions.empty())
        return;
    std::vector<Message> rest;
    for (Message& m : call->inputMessages) {
        if (isSystemRole(m.role) && !m.contentMissing) {
            for (Part& p : m.parts)
                call->systemInstructions.push_back(std::move(p));
        } else {
            rest.push_back(std::move(m));
        }
    }
    call->inputMessages = std::move(rest);
}

void readSemconvAttributes(const Attributes& attributes, LlmCall* call)
{
    const QJsonValue input = structured(findAttribute(attributes, u"gen_ai.input.messages"));
    const QJsonValue output = structured(findAttribute(attributes, u"gen_ai.output.messages"));
    const QJsonValue system = structured(findAttribute(attributes, u"gen_ai.system_instructions"));
    if (input.isUndefined() && output.isUndefined() && system.isUndefined())
        return;
    call->source = Source::SemconvAttributes;
    call->inputMessages = semconvMessages(input);
    call->outputMessages = semconvMessages(output);
    if (system.isArray()) {
        Message wrapper = semconvMessage(QJsonObject { { QStringLiteral("parts"), system } });
        call->systemInstructions = std::move(wrapper.parts);
    }
}

void readEvents(const std::vector<Event>& events, LlmCall* call)
{
    for (const Event& e : events) {
        if (e.name == QLatin1String("gen_ai.client.inference.operation.details")) {
            LlmCall details;
            readSemconvAttributes(*e.attributes, &details);
            if (details.source == Source::None) { // the attributes may sit in the body of a log record
                Attributes fromBody;
                for (auto it = e.body.begin(); it != e.body.end(); ++it)
                    if (it.value().isArray())
                        fromBody.push_back({ it.key(),
                            AnyValue::fromString(QString::fromUtf8(QJsonDocument(it.value().toArray()).toJson(QJsonDocument::Compact))) });
                readSemconvAttributes(fromBody, &details);
            }
            if (details.source != Source::None) {
                call->inputMessages = std::move(details.inputMessages);
                call->outputMessages = std::move(details.outputMessages);
                call->systemInstructions = std::move(details.systemInstructions);
                call->source = Source::SemconvEvents;
            }
            continue;
        }
        const QString kind = e.name.mid(7); // after "gen_ai."
        if (kind == QLatin1String("system.message") || kind == QLatin1String("user.message")
            || kind == QLatin1String("assistant.message") || kind == QLatin1String("tool.message")) {
            const QString role = kind.left(kind.indexOf(QLatin1Char('.')));
            call->inputMessages.push_back(chatMessage(e.body, role));
            call->source = Source::SemconvEvents;
        } else if (kind == QLatin1String("choice")) {
            const QJsonObject message = e.body.value(QLatin1String("message")).toObject();
            Message m = chatMessage(message, QStringLiteral("assistant"));
            m.finishReason = e.body.value(QLatin1String("finish_reason")).toString(m.finishReason);
            call->outputMessages.push_back(std::move(m));
            call->source = Source::SemconvEvents;
        } else if (kind == QLatin1String("content.prompt") || kind == QLatin1String("content.completion")) {
            // Semantic conventions 1.26: the whole list as one JSON attribute on a span event.
            const bool prompt = kind == QLatin1String("content.prompt");
            const QJsonValue list = structured(findAttribute(*e.attributes, prompt ? u"gen_ai.prompt" : u"gen_ai.completion"));
            for (const QJsonValue& v : list.toArray())
                (prompt ? call->inputMessages : call->outputMessages)
                    .push_back(chatMessage(v.toObject(), prompt ? QStringLiteral("user") : QStringLiteral("assistant")));
            if (list.isArray())
                call->source = Source::SemconvEvents;
        }
    }
}

QJsonObject parametersOf(const Attributes& attributes)
{
    QJsonObject parameters;
    static const QLatin1String requestPrefix("gen_ai.request.");
    for (const KeyValue& kv : attributes) {
        if (kv.key.startsWith(requestPrefix) && kv.key != QLatin1String("gen_ai.request.model"))
            parameters.insert(kv.key.mid(requestPrefix.size()), toJsonValue(kv.value));
    }
    const QJsonValue invocation = structured(findAttribute(attributes, u"llm.invocation_parameters"));
    if (invocation.isObject()) {
        const QJsonObject o = invocation.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (it.key() != QLatin1String("model") && !parameters.contains(it.key()))
                parameters.insert(it.key(), it.value());
    }
    return parameters;
}

LlmCall readCall(const SpanTree& tree, int index, const QString& operation)
{
    Span scratch;
    const Span& span = tree.spanView(index, scratch);
    const Attributes& a = span.attributes;
    LlmCall call;
    call.spanIndex = index;
    call.spanId = span.spanId;
    call.name = span.name;
    call.operation = operation;
    call.provider = firstText(a, { "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system" });
    const Usage usage = usageOf(span);
    call.inputTokens = usage.inputTokens;
    call.outputTokens = usage.outputTokens;
    call.cachedInputTokens = usage.cachedInputTokens;
    call.parameters = parametersOf(a);
    call.requestModel = usage.requestModel;
    call.responseModel = usage.responseModel;
    call.startTimeUnixNano = span.startTimeUnixNano;
    call.durationNanos = span.durationNanos();
    call.isError = span.statusCode == StatusCode::Error;

    readSemconvAttributes(a, &call);
    if (call.source == Source::None)
        readEvents(eventsOf(tree, span), &call);
    if (call.source == Source::None) {
        call.inputMessages = openLlmetryMessages(a, QStringLiteral("gen_ai.prompt."), QStringLiteral("user"));
        call.outputMessages = openLlmetryMessages(a, QStringLiteral("gen_ai.completion."), QStringLiteral("assistant"));
        if (call.hasContent())
            call.source = Source::OpenLlmetry;
    }
    if (call.source == Source::None) {
        call.inputMessages = openInferenceMessages(a, QStringLiteral("llm.input_messages."));
        call.outputMessages = openInferenceMessages(a, QStringLiteral("llm.output_messages."));
        if (call.hasContent())
            call.source = Source::OpenInference;
    }
    separateSystemInstructions(&call);

    // Finish reasons: the attribute, else the output messages'.
    const AnyValue* reasons = findAttribute(a, u"gen_ai.response.finish_reasons");
    if (reasons && reasons->type == AnyValue::Type::Array) {
        for (const AnyValue& r : reasons->arrayValue)
            call.finishReasons << stringOf(&r);
    } else if (reasons) {
        const QJsonValue parsed = structured(reasons);
        if (parsed.isArray())
            for (const QJsonValue& r : parsed.toArray())
                call.finishReasons << r.toString();
        else if (!stringOf(reasons).isEmpty())
            call.finishReasons << stringOf(reasons);
    }
    if (call.finishReasons.isEmpty() && !text(a, u"llm.finish_reason").isEmpty()) // OpenInference: the first choice's
        call.finishReasons << text(a, u"llm.finish_reason");
    if (call.finishReasons.isEmpty())
        for (const Message& m : call.outputMessages)
            if (!m.finishReason.isEmpty())
                call.finishReasons << m.finishReason;
    return call;
}

// ---- classification ---------------------------------------------------------------------------------------------

bool isLlmOperation(const QString& op)
{
    return op == QLatin1String("chat") || op == QLatin1String("text_completion") || op == QLatin1String("completion")
        || op == QLatin1String("generate_content") || op == QLatin1String("embeddings") || op == QLatin1String("embedding");
}

/// The span's GenAI role, and for LLM calls the operation name to report.
SpanRole classifySpan(const Span& span, QString* operation)
{
    const Attributes& a = span.attributes;
    const QString op = text(a, u"gen_ai.operation.name");
    const QString oiKind = text(a, u"openinference.span.kind").toUpper();
    const QString traceloopKind = text(a, u"traceloop.span.kind");
    if (op == QLatin1String("invoke_agent") || op == QLatin1String("create_agent") || oiKind == QLatin1String("AGENT")
        || traceloopKind == QLatin1String("agent")) {
        *operation = op.isEmpty() ? QStringLiteral("invoke_agent") : op;
        return SpanRole::Agent;
    }
    if (op == QLatin1String("execute_tool") || oiKind == QLatin1String("TOOL") || traceloopKind == QLatin1String("tool")) {
        *operation = QStringLiteral("execute_tool");
        return SpanRole::ToolCall;
    }
    if (isLlmOperation(op)) {
        *operation = op;
        return SpanRole::LlmCall;
    }
    if (oiKind == QLatin1String("LLM") || oiKind == QLatin1String("EMBEDDING")) {
        *operation = oiKind == QLatin1String("LLM") ? QStringLiteral("chat") : QStringLiteral("embeddings");
        return SpanRole::LlmCall;
    }
    if (!op.isEmpty() || !oiKind.isEmpty())
        return SpanRole::None; // another operation (a chain, a retriever, ...)
    // Older instrumentations: no operation name, but a model and a request type or token use.
    const QString requestType = text(a, u"llm.request.type"); // OpenLLMetry: chat, completion, embedding
    const bool model = findAttribute(a, u"gen_ai.request.model") || findAttribute(a, u"gen_ai.response.model");
    if (model
        && (!requestType.isEmpty() || findAttribute(a, u"gen_ai.usage.input_tokens")
            || findAttribute(a, u"gen_ai.usage.prompt_tokens") || findAttribute(a, u"gen_ai.prompt.0.role")
            || findAttribute(a, u"gen_ai.prompt.0.content"))) {
        *operation = requestType == QLatin1String("completion") ? QStringLiteral("text_completion")
            : requestType == QLatin1String("embedding")         ? QStringLiteral("embeddings")
                                                                : QStringLiteral("chat");
        return SpanRole::LlmCall;
    }
    if (findAttribute(a, u"gen_ai.tool.name") && !model) {
        *operation = QStringLiteral("execute_tool");
        return SpanRole::ToolCall;
    }
    return SpanRole::None;
}

ToolCall readToolCall(const Span& span, int index)
{
    const Attributes& a = span.attributes;
    ToolCall t;
    t.spanIndex = index;
    t.spanId = span.spanId;
    t.name = firstText(a, { "gen_ai.tool.name", "tool.name", "tool_call.function.name" });
    if (t.name.isEmpty())
        t.name = span.name.startsWith(QLatin1String("execute_tool ")) ? span.name.mid(13) : span.name;
    t.callId = firstText(a, { "gen_ai.tool.call.id", "tool_call.id" });
    if (const AnyValue* v = findAttribute(a, u"gen_ai.tool.call.arguments"))
        t.arguments = v->type == AnyValue::Type::String ? parseLenient(v->stringValue) : toJsonValue(*v);
    else if (const AnyValue* v = findAttribute(a, u"tool_call.function.arguments"))
        t.arguments = parseLenient(stringOf(v));
    else if (const AnyValue* v = findAttribute(a, u"input.value"))
        t.arguments = parseLenient(stringOf(v));
    if (const AnyValue* v = findAttribute(a, u"gen_ai.tool.call.result"))
        t.result = v->type == AnyValue::Type::String ? parseLenient(v->stringValue) : toJsonValue(*v);
    else if (const AnyValue* v = findAttribute(a, u"output.value"))
        t.result = parseLenient(stringOf(v));
    t.startTimeUnixNano = span.startTimeUnixNano;
    t.durationNanos = span.durationNanos();
    t.isError = span.statusCode == StatusCode::Error;
    return t;
}

/// Links each tool call to the LLM call that asked for it (by call id, else by name: the latest earlier request
/// of that tool not linked yet), and fills arguments / result the span lacks from the conversation.
void linkToolCalls(Run* run)
{
    struct Request {
        size_t call;
        const Part* part;
        bool used = false;
    };
    std::vector<Request> requests;
    QHash<QString, size_t> requestById; // the first request of each call id
    std::map<QString, std::vector<std::pair<size_t, const Part*>>> responsesById; // in call order
    for (size_t c = 0; c < run->calls.size(); ++c) {
        for (const Message& m : run->calls[c].outputMessages)
            for (const Part& p : m.parts)
                if (p.type == Part::Type::ToolCall) {
                    if (!p.id.isEmpty() && !requestById.contains(p.id))
                        requestById.insert(p.id, requests.size());
                    requests.push_back({ c, &p });
                }
        for (const Message& m : run->calls[c].inputMessages)
            for (const Part& p : m.parts)
                if (p.type == Part::Type::ToolCallResponse && !p.id.isEmpty())
                    responsesById[p.id].push_back({ c, &p });
    }
    const auto unset = [](const QJsonValue& v) { return v.isUndefined() || v.isNull(); };
    for (ToolCall& t : run->toolCalls) {
        Request* match = nullptr;
        if (!t.callId.isEmpty()) {
            const auto it = requestById.constFind(t.callId);
            if (it != requestById.constEnd())
                match = &requests[*it];
        }
        if (!match && t.callId.isEmpty())
            for (auto it = requests.rbegin(); it != requests.rend(); ++it)
                if (!it->used && it->part->name == t.name && run->calls[it->call].startTimeUnixNano <= t.startTimeUnixNano) {
                    match = &*it;
                    break;
                }
        if (!match)
            continue;
        match->used = true;
        t.requestedBySpanId = run->calls[match->call].spanId;
        if (t.callId.isEmpty())
            t.callId = match->part->id;
        if (unset(t.arguments))
            t.arguments = match->part->arguments;
        if (unset(t.result) && !t.callId.isEmpty()) {
            const auto responses = responsesById.find(t.callId);
            if (responses != responsesById.end())
                for (const auto& [call, part] : responses->second)
                    if (call > match->call) {
                        t.result = part->response;
                        break;
                    }
        }
    }
}

qint64 saturatingAdd(qint64 a, qint64 b)
{
    if (b > 0 && a > std::numeric_limits<qint64>::max() - b)
        return std::numeric_limits<qint64>::max();
    return a + b;
}

QJsonValue optionalInteger(const std::optional<qint64>& n)
{
    return n ? QJsonValue(*n) : QJsonValue();
}

QJsonValue orNull(const QJsonValue& v)
{
    return v.isUndefined() ? QJsonValue() : v;
}

QJsonArray partsJson(const std::vector<Part>& parts)
{
    QJsonArray a;
    for (const Part& p : parts)
        a.append(p.toJson());
    return a;
}

QJsonArray messagesJson(const std::vector<Message>& messages)
{
    QJsonArray a;
    for (const Message& m : messages)
        a.append(m.toJson());
    return a;
}

QString nanosText(std::uint64_t ns)
{
    return QString::number(ns);
}

} // namespace

QJsonValue parseLenient(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return text;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed.toUtf8(), &error);
    if (error.error == QJsonParseError::NoError)
        return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    // A scalar (number, true, "quoted string") is valid JSON too; QJsonDocument reads only containers.
    const QJsonDocument wrapped = QJsonDocument::fromJson(QByteArray("[") + trimmed.toUtf8() + QByteArray("]"), &error);
    if (error.error == QJsonParseError::NoError && wrapped.array().size() == 1)
        return wrapped.array().first();
    return text;
}

QJsonObject Part::toJson() const
{
    switch (type) {
    case Type::Text:
        return { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("content"), content } };
    case Type::ToolCall:
        return { { QStringLiteral("type"), QStringLiteral("tool_call") }, { QStringLiteral("id"), id },
                 { QStringLiteral("name"), name }, { QStringLiteral("arguments"), orNull(arguments) } };
    case Type::ToolCallResponse:
        return { { QStringLiteral("type"), QStringLiteral("tool_call_response") }, { QStringLiteral("id"), id },
                 { QStringLiteral("response"), orNull(response) } };
    case Type::Other:
        return other;
    }
    return other;
}

QJsonObject Message::toJson() const
{
    QJsonObject o { { QStringLiteral("role"), role }, { QStringLiteral("parts"), partsJson(parts) } };
    if (!finishReason.isEmpty())
        o.insert(QStringLiteral("finish_reason"), finishReason);
    if (contentMissing)
        o.insert(QStringLiteral("content_missing"), true);
    return o;
}

QString sourceName(Source source)
{
    switch (source) {
    case Source::None:
        return QStringLiteral("none");
    case Source::SemconvAttributes:
        return QStringLiteral("semconv_attributes");
    case Source::SemconvEvents:
        return QStringLiteral("semconv_events");
    case Source::OpenLlmetry:
        return QStringLiteral("openllmetry");
    case Source::OpenInference:
        return QStringLiteral("openinference");
    }
    return QString();
}

qint64 Run::inputTokens() const
{
    qint64 sum = 0;
    for (const LlmCall& c : calls)
        sum = saturatingAdd(sum, c.inputTokens.value_or(0));
    return sum;
}

qint64 Run::outputTokens() const
{
    qint64 sum = 0;
    for (const LlmCall& c : calls)
        sum = saturatingAdd(sum, c.outputTokens.value_or(0));
    return sum;
}

std::optional<Cost> Run::totalCost() const
{
    std::optional<Cost> total;
    for (const LlmCall& c : calls) {
        const bool usedTokens = c.inputTokens.value_or(0) > 0 || c.outputTokens.value_or(0) > 0;
        if (!c.cost) {
            if (usedTokens)
                return std::nullopt;
            continue;
        }
        if (!total)
            total = Cost { 0, c.cost->currency };
        else if (total->currency != c.cost->currency)
            return std::nullopt;
        total->amount += c.cost->amount;
    }
    return total;
}

Run analyze(const SpanTree& tree, const PriceTable* prices)
{
    Run run;
    run.traceId = tree.traceId();
    run.roles.assign(tree.spans.size(), SpanRole::None);
    Span scratch;
    for (int i = 0; i < int(tree.spans.size()); ++i) {
        const Span& span = tree.spanView(i, scratch);
        QString operation;
        const SpanRole role = classifySpan(span, &operation);
        run.roles[size_t(i)] = role;
        switch (role) {
        case SpanRole::LlmCall:
            run.calls.push_back(readCall(tree, i, operation));
            break;
        case SpanRole::ToolCall:
            run.toolCalls.push_back(readToolCall(span, i));
            break;
        case SpanRole::Agent: {
            AgentInvocation agent;
            agent.spanIndex = i;
            agent.spanId = span.spanId;
            agent.operation = operation;
            agent.agentName = firstText(span.attributes, { "gen_ai.agent.name", "agent.name" });
            if (agent.agentName.isEmpty())
                agent.agentName = span.name;
            agent.startTimeUnixNano = span.startTimeUnixNano;
            agent.durationNanos = span.durationNanos();
            run.agents.push_back(agent);
            break;
        }
        case SpanRole::None:
            break;
        }
    }
    // A model call wrapped in another model call (a framework span around the provider instrumentation's span):
    // the outer one repeats the inner one's tokens, so only the innermost calls count them.
    std::vector<int> callOfSpan(tree.spans.size(), -1);
    for (size_t c = 0; c < run.calls.size(); ++c)
        callOfSpan[size_t(run.calls[c].spanIndex)] = int(c);
    std::vector<bool> aggregates(run.calls.size(), false);
    for (const LlmCall& inner : run.calls)
        for (int up = tree.nodes[size_t(inner.spanIndex)].parent, steps = 0; up >= 0 && steps <= int(tree.spans.size());
             up = tree.nodes[size_t(up)].parent, ++steps) {
            if (callOfSpan[size_t(up)] < 0)
                continue;
            if (aggregates[size_t(callOfSpan[size_t(up)])])
                break; // the rest of the chain is marked already
            aggregates[size_t(callOfSpan[size_t(up)])] = true;
        }
    for (size_t c = 0; c < run.calls.size(); ++c)
        if (aggregates[c]) {
            run.calls[c].inputTokens.reset();
            run.calls[c].outputTokens.reset();
            run.calls[c].cachedInputTokens.reset();
        }
    if (prices)
        for (LlmCall& call : run.calls)
            if (call.inputTokens || call.outputTokens)
                call.cost = prices->cost(call.pricedModel(), call.inputTokens.value_or(0), call.outputTokens.value_or(0),
                                         call.cachedInputTokens.value_or(0));
    linkToolCalls(&run);
    return run;
}

QJsonObject callToJson(const LlmCall& c)
{
    return QJsonObject {
        { QStringLiteral("span_id"), c.spanId.toHex() },
        { QStringLiteral("name"), c.name },
        { QStringLiteral("operation"), c.operation },
        { QStringLiteral("provider"), c.provider },
        { QStringLiteral("request_model"), c.requestModel },
        { QStringLiteral("response_model"), c.responseModel },
        { QStringLiteral("parameters"), c.parameters },
        { QStringLiteral("finish_reasons"), QJsonArray::fromStringList(c.finishReasons) },
        { QStringLiteral("input_tokens"), optionalInteger(c.inputTokens) },
        { QStringLiteral("output_tokens"), optionalInteger(c.outputTokens) },
        { QStringLiteral("cached_input_tokens"), optionalInteger(c.cachedInputTokens) },
        { QStringLiteral("cost"), c.cost ? QJsonValue(c.cost->amount) : QJsonValue() },
        { QStringLiteral("currency"), c.cost ? QJsonValue(c.cost->currency) : QJsonValue() },
        { QStringLiteral("start_time_unix_nano"), nanosText(c.startTimeUnixNano) },
        { QStringLiteral("duration_ms"), double(c.durationNanos) / 1e6 },
        { QStringLiteral("error"), c.isError },
        { QStringLiteral("source"), sourceName(c.source) },
        { QStringLiteral("content_captured"), c.hasContent() },
        { QStringLiteral("system_instructions"), partsJson(c.systemInstructions) },
        { QStringLiteral("input_messages"), messagesJson(c.inputMessages) },
        { QStringLiteral("output_messages"), messagesJson(c.outputMessages) },
    };
}

QJsonObject toJson(const Run& run)
{
    QJsonArray calls;
    for (const LlmCall& c : run.calls)
        calls.append(callToJson(c));
    QJsonArray tools;
    for (const ToolCall& t : run.toolCalls) {
        tools.append(QJsonObject {
            { QStringLiteral("span_id"), t.spanId.toHex() },
            { QStringLiteral("name"), t.name },
            { QStringLiteral("call_id"), t.callId },
            { QStringLiteral("arguments"), orNull(t.arguments) },
            { QStringLiteral("result"), orNull(t.result) },
            { QStringLiteral("requested_by_span_id"),
              t.requestedBySpanId.isValid() ? QJsonValue(t.requestedBySpanId.toHex()) : QJsonValue() },
            { QStringLiteral("start_time_unix_nano"), nanosText(t.startTimeUnixNano) },
            { QStringLiteral("duration_ms"), double(t.durationNanos) / 1e6 },
            { QStringLiteral("error"), t.isError },
        });
    }
    QJsonArray agents;
    for (const AgentInvocation& a : run.agents) {
        agents.append(QJsonObject {
            { QStringLiteral("span_id"), a.spanId.toHex() },
            { QStringLiteral("operation"), a.operation },
            { QStringLiteral("name"), a.agentName },
            { QStringLiteral("start_time_unix_nano"), nanosText(a.startTimeUnixNano) },
            { QStringLiteral("duration_ms"), double(a.durationNanos) / 1e6 },
        });
    }
    const std::optional<Cost> cost = run.totalCost();
    return QJsonObject {
        { QStringLiteral("trace_id"), run.traceId.toHex() },
        { QStringLiteral("totals"),
          QJsonObject {
              { QStringLiteral("llm_calls"), int(run.calls.size()) },
              { QStringLiteral("tool_calls"), int(run.toolCalls.size()) },
              { QStringLiteral("agents"), int(run.agents.size()) },
              { QStringLiteral("input_tokens"), run.inputTokens() },
              { QStringLiteral("output_tokens"), run.outputTokens() },
              { QStringLiteral("cost"), cost ? QJsonValue(cost->amount) : QJsonValue() },
              { QStringLiteral("currency"), cost ? QJsonValue(cost->currency) : QJsonValue() },
          } },
        { QStringLiteral("calls"), calls },
        { QStringLiteral("tool_calls"), tools },
        { QStringLiteral("agents"), agents },
    };
}

SpanRole classify(const Span& span, QString* operation)
{
    QString ignored;
    return classifySpan(span, operation ? operation : &ignored);
}

Usage usageOf(const Span& span)
{
    const Attributes& a = span.attributes;
    Usage u;
    u.inputTokens = firstInteger(a, { "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt" });
    u.outputTokens = firstInteger(a, { "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion" });
    u.cachedInputTokens = firstInteger(a, { "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                                            "llm.token_count.prompt_details.cache_read" });
    // OpenInference overwrites llm.model_name with the response's model; the request's is in the parameters.
    u.requestModel = firstText(a, { "gen_ai.request.model" });
    if (u.requestModel.isEmpty())
        u.requestModel = structured(findAttribute(a, u"llm.invocation_parameters")).toObject().value(QLatin1String("model")).toString();
    u.responseModel = firstText(a, { "gen_ai.response.model", "llm.model_name" });
    return u;
}

QString conversationIdOf(const Attributes& attributes)
{
    return firstText(attributes, { "gen_ai.conversation.id", "session.id" });
}

} // namespace GenAi
