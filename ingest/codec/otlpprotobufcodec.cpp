#include "ingest/codec/otlpprotobufcodec.h"

#include "ingest/codec/otlpcodec_p.h"
#include "ingest/ingestlogging.h"
#include "model/span.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QHash>

#include <google/protobuf/arena.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace pbcollector = opentelemetry::proto::collector::trace::v1;
namespace pbcollectorlogs = opentelemetry::proto::collector::logs::v1;
namespace pbtrace = opentelemetry::proto::trace::v1;
namespace pblogs = opentelemetry::proto::logs::v1;
namespace pbcommon = opentelemetry::proto::common::v1;
using google::protobuf::RepeatedPtrField;
using namespace OtlpCodecPrivate;

namespace {
// Request > ResourceSpans > ScopeSpans > Span > KeyValue reach the first AnyValue; each nesting level of an AnyValue
// takes up to three messages (AnyValue > KeyValueList > KeyValue). Deeper messages fail the whole request.
constexpr int MaxMessageDepth = 8 + 3 * (AnyValue::MaxDepth + 2);
}

namespace {

// --- Decoding. libprotobuf parses the request into the generated messages (on an arena: one block for the
// whole tree instead of an allocation per message); we then turn those into Spans. Like the JSON decoder, a
// span whose ids are unusable is rejected alone and named in the partial-success answer.

/// Converts one parsed request into a SpanBatch. Must not outlive the request (it keeps views of its strings).
class MessageConverter {
public:
    void convert(const pbcollector::ExportTraceServiceRequest& request, DecodeResult& result)
    {
        SpanBatch& batch = result.batch;
        std::size_t spans = 0;
        for (const pbtrace::ResourceSpans& rs : request.resource_spans())
            for (const pbtrace::ScopeSpans& ss : rs.scope_spans())
                spans += std::size_t(ss.spans_size());
        batch.spans.reserve(spans);
        for (int r = 0; r < request.resource_spans_size(); ++r)
            convertResourceSpans(request.resource_spans(r), r, batch);
        m_rejections.writeTo(result);
    }

    void convert(const pbcollectorlogs::ExportLogsServiceRequest& request, DecodeResult& result)
    {
        m_rejections = Rejections(Rejections::Kind::LogRecords);
        SpanBatch& batch = result.batch;
        std::size_t records = 0;
        for (const pblogs::ResourceLogs& rl : request.resource_logs())
            for (const pblogs::ScopeLogs& sl : rl.scope_logs())
                records += std::size_t(sl.log_records_size());
        batch.logs.reserve(records);
        for (int r = 0; r < request.resource_logs_size(); ++r) {
            const pblogs::ResourceLogs& rl = request.resource_logs(r);
            const std::shared_ptr<const Resource> resource = convertResource(rl.resource(), rl.schema_url());
            for (int s = 0; s < rl.scope_logs_size(); ++s) {
                const pblogs::ScopeLogs& sl = rl.scope_logs(s);
                const std::shared_ptr<const InstrumentationScope> scope = convertScope(sl.scope(), sl.schema_url());
                for (int i = 0; i < sl.log_records_size(); ++i)
                    convertLogRecord(sl.log_records(i), resource, scope, r, s, i, batch);
            }
        }
        m_rejections.writeTo(result);
    }

private:
    Rejections m_rejections;
    // Attribute keys, and many short values (methods, status codes, host names), repeat in nearly every
    // span; sharing one QString per distinct text saves an allocation and a UTF-8 conversion each time
    // and memory while the batch lives. Views point into the parsed request.
    // (std::hash here: QHash<QByteArrayView> measured several times slower with Qt 6.4.)
    std::unordered_map<std::string_view, QString> m_shared;
    static constexpr std::size_t MaxSharedLength = 32; // longer values (URLs, SQL, messages) are rarely equal
    static constexpr std::size_t MaxSharedCount = 4096; // bounds the table for hostile input

    // libprotobuf has already checked proto3 strings for valid UTF-8.
    static QString string(const std::string& s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

    /// A string likely to repeat within the request: attribute keys and short values.
    QString sharedString(const std::string& s)
    {
        if (s.size() > MaxSharedLength)
            return string(s);
        const std::string_view view(s);
        const auto it = m_shared.find(view);
        if (it != m_shared.end())
            return it->second;
        QString out = string(s);
        if (m_shared.size() < MaxSharedCount)
            m_shared.emplace(view, out);
        return out;
    }

    void convertAttributes(const RepeatedPtrField<pbcommon::KeyValue>& in, Attributes& out)
    {
        out.reserve(out.size() + std::size_t(in.size()));
        for (const pbcommon::KeyValue& kv : in) {
            KeyValue& target = out.emplace_back();
            target.key = sharedString(kv.key());
            if (kv.has_value())
                convertValue(kv.value(), target.value);
        }
    }

    void convertValue(const pbcommon::AnyValue& in, AnyValue& out)
    {
        switch (in.value_case()) {
        case pbcommon::AnyValue::kStringValue:
            out.type = AnyValue::Type::String;
            out.stringValue = sharedString(in.string_value());
            break;
        case pbcommon::AnyValue::kBoolValue:
            out.type = AnyValue::Type::Bool;
            out.boolValue = in.bool_value();
            break;
        case pbcommon::AnyValue::kIntValue:
            out.type = AnyValue::Type::Int;
            out.intValue = in.int_value();
            break;
        case pbcommon::AnyValue::kDoubleValue:
            out.type = AnyValue::Type::Double;
            out.doubleValue = in.double_value();
            break;
        case pbcommon::AnyValue::kArrayValue: {
            out.type = AnyValue::Type::Array;
            const auto& values = in.array_value().values();
            out.arrayValue.reserve(std::size_t(values.size()));
            for (const pbcommon::AnyValue& element : values)
                convertValue(element, out.arrayValue.emplace_back());
            break;
        }
        case pbcommon::AnyValue::kKvlistValue:
            out.type = AnyValue::Type::Map;
            convertAttributes(in.kvlist_value().values(), out.mapValue);
            break;
        case pbcommon::AnyValue::kBytesValue:
            out.type = AnyValue::Type::Bytes;
            out.bytesValue = QByteArray(in.bytes_value().data(), qsizetype(in.bytes_value().size()));
            break;
        case pbcommon::AnyValue::VALUE_NOT_SET:
            break;
        }
    }

    std::shared_ptr<const Resource> convertResource(
        const opentelemetry::proto::resource::v1::Resource& in, const std::string& schemaUrl)
    {
        auto resource = std::make_shared<Resource>();
        convertAttributes(in.attributes(), resource->attributes);
        resource->droppedAttributesCount = in.dropped_attributes_count();
        resource->schemaUrl = string(schemaUrl);
        return resource;
    }

    std::shared_ptr<const InstrumentationScope> convertScope(
        const pbcommon::InstrumentationScope& in, const std::string& schemaUrl)
    {
        auto scope = std::make_shared<InstrumentationScope>();
        scope->name = string(in.name());
        scope->version = string(in.version());
        convertAttributes(in.attributes(), scope->attributes);
        scope->droppedAttributesCount = in.dropped_attributes_count();
        scope->schemaUrl = string(schemaUrl);
        return scope;
    }

    static bool allZero(const std::string& bytes)
    {
        return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
    }

    void convertLogRecord(const pblogs::LogRecord& in, const std::shared_ptr<const Resource>& resource,
        const std::shared_ptr<const InstrumentationScope>& scope, int r, int s, int i, SpanBatch& batch)
    {
        QString field;
        const QString problem = logIdProblem(qsizetype(in.trace_id().size()), qsizetype(in.span_id().size()),
            allZero(in.trace_id()), allZero(in.span_id()), &field);
        if (!problem.isEmpty()) {
            m_rejections.add(logRecordPath(r, s, i), problem, field);
            return;
        }
        LogRecord& out = batch.logs.emplace_back();
        if (in.trace_id().size() == 16)
            out.traceId = TraceId::fromRaw(in.trace_id().data());
        if (in.span_id().size() == 8)
            out.spanId = SpanId::fromRaw(in.span_id().data());
        out.flags = in.flags();
        out.timeUnixNano = in.time_unix_nano();
        out.observedTimeUnixNano = in.observed_time_unix_nano();
        out.severityNumber = int(in.severity_number());
        out.severityText = string(in.severity_text());
        if (in.has_body())
            convertValue(in.body(), out.body);
        convertAttributes(in.attributes(), out.attributes);
        out.droppedAttributesCount = in.dropped_attributes_count();
        out.eventName = string(in.event_name());
        out.resource = resource;
        out.scope = scope;
        if (const QString content = logContentProblem(out, &field); !content.isEmpty()) {
            m_rejections.add(logRecordPath(r, s, i), content, field);
            batch.logs.pop_back();
        }
    }

    void convertResourceSpans(const pbtrace::ResourceSpans& in, int r, SpanBatch& batch)
    {
        const std::shared_ptr<const Resource> resource = convertResource(in.resource(), in.schema_url());
        for (int s = 0; s < in.scope_spans_size(); ++s)
            convertScopeSpans(in.scope_spans(s), resource, r, s, batch);
    }

    void convertScopeSpans(const pbtrace::ScopeSpans& in, const std::shared_ptr<const Resource>& resource, int r,
        int s, SpanBatch& batch)
    {
        const std::shared_ptr<const InstrumentationScope> scope = convertScope(in.scope(), in.schema_url());
        for (int i = 0; i < in.spans_size(); ++i) {
            const pbtrace::Span& span = in.spans(i);
            const QString problem = spanProblem(span);
            if (!problem.isEmpty()) {
                m_rejections.add(spanPath(r, s, i), problem);
                continue;
            }
            Span& out = batch.spans.emplace_back();
            convertSpan(span, out);
            out.resource = resource;
            out.scope = scope;
            if (const QString content = contentProblem(out); !content.isEmpty()) {
                m_rejections.add(spanPath(r, s, i), content);
                batch.spans.pop_back();
            }
        }
    }

    static QString idProblem(const std::string& id, qsizetype size, QLatin1StringView field, bool mayBeEmpty = false)
    {
        return OtlpCodecPrivate::idProblem(id.data(), qsizetype(id.size()), size, field, mayBeEmpty);
    }

    /// Why the span's ids make it unusable, or an empty string.
    static QString spanProblem(const pbtrace::Span& span)
    {
        QString problem = idProblem(span.trace_id(), 16, QLatin1StringView("traceId"));
        if (problem.isEmpty())
            problem = idProblem(span.span_id(), 8, QLatin1StringView("spanId"));
        if (problem.isEmpty())
            problem = idProblem(span.parent_span_id(), 8, QLatin1StringView("parentSpanId"), true);
        // A link to an unknown span may carry all-zero ids, but never ids of the wrong size.
        for (int l = 0; problem.isEmpty() && l < span.links_size(); ++l) {
            const pbtrace::Span::Link& link = span.links(l);
            const QString prefix = QStringLiteral("links[") + QString::number(l) + QStringLiteral("].");
            if (link.trace_id().size() != 16)
                problem = prefix + QStringLiteral("traceId is ") + QString::number(link.trace_id().size())
                    + QStringLiteral(" bytes (must be 16)");
            else if (link.span_id().size() != 8)
                problem = prefix + QStringLiteral("spanId is ") + QString::number(link.span_id().size())
                    + QStringLiteral(" bytes (must be 8)");
        }
        return problem;
    }

    /// Converts a span whose ids spanProblem() accepted.
    void convertSpan(const pbtrace::Span& in, Span& out)
    {
        out.traceId = TraceId::fromRaw(in.trace_id().data());
        out.spanId = SpanId::fromRaw(in.span_id().data());
        if (in.parent_span_id().size() == 8)
            out.parentSpanId = SpanId::fromRaw(in.parent_span_id().data());
        out.traceState = string(in.trace_state());
        out.flags = in.flags();
        out.name = string(in.name());
        // Open enum: a kind this build does not know is shown as unspecified.
        const int kind = in.kind();
        out.kind = kind >= 0 && kind <= int(SpanKind::Consumer) ? SpanKind(kind) : SpanKind::Unspecified;
        out.startTimeUnixNano = in.start_time_unix_nano();
        out.endTimeUnixNano = in.end_time_unix_nano();
        convertAttributes(in.attributes(), out.attributes);
        out.droppedAttributesCount = in.dropped_attributes_count();
        out.events.reserve(std::size_t(in.events_size()));
        for (const pbtrace::Span::Event& event : in.events()) {
            SpanEvent& target = out.events.emplace_back();
            target.timeUnixNano = event.time_unix_nano();
            target.name = string(event.name());
            convertAttributes(event.attributes(), target.attributes);
            target.droppedAttributesCount = event.dropped_attributes_count();
        }
        out.droppedEventsCount = in.dropped_events_count();
        out.links.reserve(std::size_t(in.links_size()));
        for (const pbtrace::Span::Link& link : in.links()) {
            SpanLink& target = out.links.emplace_back();
            target.traceId = TraceId::fromRaw(link.trace_id().data());
            target.spanId = SpanId::fromRaw(link.span_id().data());
            target.traceState = string(link.trace_state());
            convertAttributes(link.attributes(), target.attributes);
            target.droppedAttributesCount = link.dropped_attributes_count();
            target.flags = link.flags();
        }
        out.droppedLinksCount = in.dropped_links_count();
        if (in.has_status()) {
            out.statusMessage = string(in.status().message());
            const int code = in.status().code();
            out.statusCode = code >= 0 && code <= int(StatusCode::Error) ? StatusCode(code) : StatusCode::Unset;
        }
    }
};

// The arena's first block, kept per thread between requests so that parsing a typical request allocates
// nothing but the longer strings. The parsed messages take 4 to 5 times the wire size (measured on OTLP requests).
constexpr std::size_t ArenaFactor = 5;
constexpr std::size_t MinArenaBlock = 4096;
constexpr std::size_t MaxArenaBlock = std::size_t(4) << 20; // what a thread keeps; bigger requests get more blocks

struct ArenaBlock {
    char* data;
    std::size_t size;
};

ArenaBlock arenaBlock(std::size_t bodySize)
{
    thread_local std::unique_ptr<char[]> kept;
    thread_local std::size_t keptSize = 0;
    // A multiple of 16: the arena carves its cleanup records (e.g. for unknown fields) down from the block's end, which
    // must stay aligned.
    constexpr std::size_t Align = alignof(std::max_align_t);
    const std::size_t wanted
        = (std::clamp(bodySize * ArenaFactor, MinArenaBlock, MaxArenaBlock) + Align - 1) / Align * Align;
    if (wanted > keptSize) {
        kept.reset(new char[wanted]); // uninitialized: the arena writes before it reads
        keptSize = wanted;
    }
    return ArenaBlock { kept.get(), keptSize };
}

// --- Locating a parse error. Protobuf only says "failed"; on that (rare) path we walk the wire format again
// along the message descriptors to name the byte offset and the field where it breaks.

struct WireScanner {
    const unsigned char* begin = nullptr;
    QString problem;
    qsizetype problemOffset = -1;
    QString problemPath;

    bool fail(const unsigned char* at, const QString& what, const QString& path)
    {
        problem = what;
        problemOffset = at - begin;
        problemPath = path;
        return false;
    }

    static bool readVarint(const unsigned char*& p, const unsigned char* end, quint64* value)
    {
        quint64 result = 0;
        for (int shift = 0; shift < 64 && p < end; shift += 7) {
            const unsigned char byte = *p++;
            result |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80)) {
                *value = result;
                return true;
            }
        }
        return false;
    }

    static QString jsonName(const google::protobuf::FieldDescriptor* field)
    {
        return QString::fromStdString(field->json_name());
    }

    bool scan(const unsigned char* p, const unsigned char* end, const google::protobuf::Descriptor* type,
        const QString& path, int depth)
    {
        if (depth > MaxMessageDepth)
            return fail(p, QStringLiteral("messages nested too deeply"), path);
        QHash<int, int> repeatCounts;
        while (p < end) {
            const unsigned char* fieldStart = p;
            quint64 tag = 0;
            if (!readVarint(p, end, &tag))
                return fail(fieldStart, QStringLiteral("truncated field tag"), path);
            const int number = int(tag >> 3);
            const int wireType = int(tag & 7);
            if (number == 0)
                return fail(fieldStart, QStringLiteral("invalid field number 0"), path);
            const auto* field = type ? type->FindFieldByNumber(number) : nullptr;
            QString fieldPath = path;
            if (field) {
                fieldPath += (path.isEmpty() ? QString() : QStringLiteral(".")) + jsonName(field);
                if (field->is_repeated())
                    fieldPath += QLatin1Char('[') + QString::number(repeatCounts[number]++) + QLatin1Char(']');
            }
            quint64 value = 0;
            switch (wireType) {
            case 0:
                if (!readVarint(p, end, &value))
                    return fail(fieldStart, QStringLiteral("truncated varint"), fieldPath);
                break;
            case 1:
                if (end - p < 8)
                    return fail(fieldStart, QStringLiteral("truncated 64-bit value"), fieldPath);
                p += 8;
                break;
            case 5:
                if (end - p < 4)
                    return fail(fieldStart, QStringLiteral("truncated 32-bit value"), fieldPath);
                p += 4;
                break;
            case 2: {
                if (!readVarint(p, end, &value))
                    return fail(fieldStart, QStringLiteral("truncated length"), fieldPath);
                if (value > quint64(end - p))
                    return fail(fieldStart,
                        QStringLiteral("length %1 runs past the end of the data").arg(value), fieldPath);
                const unsigned char* inner = p;
                p += value;
                // libprotobuf refuses proto3 strings that are not UTF-8 (binary data belongs in bytes fields).
                if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING
                    && !QByteArrayView(inner, qsizetype(value)).isValidUtf8())
                    return fail(fieldStart, QStringLiteral("string is not valid UTF-8"), fieldPath);
                if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
                    if (!scan(inner, p, field->message_type(), fieldPath, depth + 1))
                        return false;
                }
                break;
            }
            default:
                return fail(fieldStart, QStringLiteral("unsupported wire type %1").arg(wireType), fieldPath);
            }
        }
        return true;
    }
};

QString describeParseError(const QByteArray& body, const google::protobuf::Descriptor* type)
{
    WireScanner scanner;
    scanner.begin = reinterpret_cast<const unsigned char*>(body.constData());
    if (scanner.scan(scanner.begin, scanner.begin + body.size(), type, QString(), 0))
        return QStringLiteral("body is not a valid ") + QString::fromStdString(type->name());
    QString msg = QStringLiteral("protobuf parse error at byte offset ") + QString::number(scanner.problemOffset);
    if (!scanner.problemPath.isEmpty())
        msg += QStringLiteral(" (") + scanner.problemPath + QLatin1Char(')');
    return msg + QStringLiteral(": ") + scanner.problem;
}

// --- Encoding

void setValue(pbcommon::AnyValue* out, const AnyValue& in);

void setAttributes(RepeatedPtrField<pbcommon::KeyValue>* out, const Attributes& in)
{
    out->Reserve(static_cast<int>(in.size()));
    for (const KeyValue& kv : in) {
        auto* target = out->Add();
        target->set_key(kv.key.toStdString());
        setValue(target->mutable_value(), kv.value);
    }
}

void setValue(pbcommon::AnyValue* out, const AnyValue& in)
{
    switch (in.type) {
    case AnyValue::Type::Empty:
        break;
    case AnyValue::Type::String:
        out->set_string_value(in.stringValue.toStdString());
        break;
    case AnyValue::Type::Bool:
        out->set_bool_value(in.boolValue);
        break;
    case AnyValue::Type::Int:
        out->set_int_value(in.intValue);
        break;
    case AnyValue::Type::Double:
        out->set_double_value(in.doubleValue);
        break;
    case AnyValue::Type::Bytes:
        out->set_bytes_value(in.bytesValue.constData(), static_cast<std::size_t>(in.bytesValue.size()));
        break;
    case AnyValue::Type::Array: {
        auto* values = out->mutable_array_value()->mutable_values();
        values->Reserve(static_cast<int>(in.arrayValue.size()));
        for (const AnyValue& element : in.arrayValue)
            setValue(values->Add(), element);
        break;
    }
    case AnyValue::Type::Map:
        setAttributes(out->mutable_kvlist_value()->mutable_values(), in.mapValue);
        break;
    }
}

template <std::size_t N>
void setId(std::string* out, const FixedId<N>& id)
{
    out->assign(reinterpret_cast<const char*>(id.data()), N);
}

void setLogRecord(pblogs::LogRecord* out, const LogRecord& in)
{
    out->set_time_unix_nano(in.timeUnixNano);
    out->set_observed_time_unix_nano(in.observedTimeUnixNano);
    out->set_severity_number(static_cast<pblogs::SeverityNumber>(in.severityNumber));
    out->set_severity_text(in.severityText.toStdString());
    if (in.body.type != AnyValue::Type::Empty)
        setValue(out->mutable_body(), in.body);
    setAttributes(out->mutable_attributes(), in.attributes);
    out->set_dropped_attributes_count(in.droppedAttributesCount);
    out->set_flags(in.flags);
    // No trace context is no id on the wire, not zero bytes.
    if (in.traceId.isValid())
        setId(out->mutable_trace_id(), in.traceId);
    if (in.spanId.isValid())
        setId(out->mutable_span_id(), in.spanId);
    out->set_event_name(in.eventName.toStdString());
}

void setSpan(pbtrace::Span* out, const Span& in)
{
    setId(out->mutable_trace_id(), in.traceId);
    setId(out->mutable_span_id(), in.spanId);
    // A root span has no parent id on the wire, not eight zero bytes.
    if (in.parentSpanId.isValid())
        setId(out->mutable_parent_span_id(), in.parentSpanId);
    out->set_trace_state(in.traceState.toStdString());
    out->set_flags(in.flags);
    out->set_name(in.name.toStdString());
    out->set_kind(static_cast<pbtrace::Span::SpanKind>(in.kind));
    out->set_start_time_unix_nano(in.startTimeUnixNano);
    out->set_end_time_unix_nano(in.endTimeUnixNano);
    setAttributes(out->mutable_attributes(), in.attributes);
    out->set_dropped_attributes_count(in.droppedAttributesCount);
    for (const SpanEvent& event : in.events) {
        auto* target = out->add_events();
        target->set_time_unix_nano(event.timeUnixNano);
        target->set_name(event.name.toStdString());
        setAttributes(target->mutable_attributes(), event.attributes);
        target->set_dropped_attributes_count(event.droppedAttributesCount);
    }
    out->set_dropped_events_count(in.droppedEventsCount);
    for (const SpanLink& link : in.links) {
        auto* target = out->add_links();
        setId(target->mutable_trace_id(), link.traceId);
        setId(target->mutable_span_id(), link.spanId);
        target->set_trace_state(link.traceState.toStdString());
        setAttributes(target->mutable_attributes(), link.attributes);
        target->set_dropped_attributes_count(link.droppedAttributesCount);
        target->set_flags(link.flags);
    }
    out->set_dropped_links_count(in.droppedLinksCount);
    if (in.statusCode != StatusCode::Unset || !in.statusMessage.isEmpty()) {
        out->mutable_status()->set_code(static_cast<pbtrace::Status::StatusCode>(in.statusCode));
        out->mutable_status()->set_message(in.statusMessage.toStdString());
    }
}

QByteArray serialize(const google::protobuf::MessageLite& message)
{
    QByteArray out(static_cast<qsizetype>(message.ByteSizeLong()), Qt::Uninitialized);
    message.SerializeWithCachedSizesToArray(reinterpret_cast<quint8*>(out.data()));
    return out;
}

// libprotobuf prints parse problems (e.g. invalid UTF-8 in a string field) to stderr itself; a misbehaving
// exporter would fill the log that way. The decoder already turns them into the request's error message, so
// route the library's lines to our debug category instead.
void routeProtobufLogging()
{
    static std::once_flag once;
    std::call_once(once, [] {
        google::protobuf::SetLogHandler([](google::protobuf::LogLevel level, const char* file, int line,
                                           const std::string& message) {
            if (level >= google::protobuf::LOGLEVEL_FATAL)
                qCCritical(lcIngest, "libprotobuf %s:%d: %s", file, line, message.c_str());
            else
                qCDebug(lcIngest, "libprotobuf %s:%d: %s", file, line, message.c_str());
        });
    });
}

} // namespace

namespace {

/// Parses `body` as a `Request` on a per-thread arena and converts it; see decodeRequest / decodeLogsRequest.
template <typename Request> DecodeResult decodeMessage(const QByteArray& body)
{
    routeProtobufLogging();
    DecodeResult result;
    if (body.size() > std::numeric_limits<int>::max()) { // libprotobuf's limit
        result.error = QStringLiteral("protobuf body of ") + QString::number(body.size())
            + QStringLiteral(" bytes is too large");
        return result;
    }
    const ArenaBlock block = arenaBlock(std::size_t(body.size()));
    google::protobuf::ArenaOptions options;
    options.initial_block = block.data;
    options.initial_block_size = block.size;
    options.max_block_size = MaxArenaBlock;
    google::protobuf::Arena arena(options);
    auto* request = google::protobuf::Arena::CreateMessage<Request>(&arena);
    // Deep enough for attributes nested AnyValue::MaxDepth levels (those spans are then rejected alone), far from
    // the stack's end.
    google::protobuf::io::CodedInputStream input(reinterpret_cast<const std::uint8_t*>(body.constData()), int(body.size()));
    input.SetRecursionLimit(MaxMessageDepth);
    if (!request->ParseFromCodedStream(&input) || !input.ConsumedEntireMessage()) {
        result.error = describeParseError(body, Request::descriptor());
        return result;
    }
    MessageConverter converter;
    converter.convert(*request, result);
    result.ok = true;
    return result;
}

} // namespace

DecodeResult OtlpProtobufCodec::decodeRequest(const QByteArray& body)
{
    return decodeMessage<pbcollector::ExportTraceServiceRequest>(body);
}

DecodeResult OtlpProtobufCodec::decodeLogsRequest(const QByteArray& body)
{
    return decodeMessage<pbcollectorlogs::ExportLogsServiceRequest>(body);
}

namespace {

/**
 * A protobuf export request of `items` (spans or log records) grouped by resource and scope content, in order of
 * first appearance. The signal's repeated fields are reached through addResource(request), addScope(resource
 * message) and itemsOf(scope message); setItem(message, item) fills one item. Shared by the span and log record
 * encoders.
 */
template <typename Request, typename Item, typename AddResource, typename AddScope, typename ItemsOf, typename SetItem>
QByteArray encodeGrouped(
    const std::vector<Item>& items, AddResource addResource, AddScope addScope, ItemsOf itemsOf, SetItem setItem)
{
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<Request>(&arena);
    for (const auto& group : groupByResourceAndScope(items)) {
        auto* rs = addResource(request);
        setAttributes(rs->mutable_resource()->mutable_attributes(), group.resource->attributes);
        rs->mutable_resource()->set_dropped_attributes_count(group.resource->droppedAttributesCount);
        rs->set_schema_url(group.resource->schemaUrl.toStdString());
        for (const auto& scopeGroup : group.scopes) {
            auto* ss = addScope(rs);
            const InstrumentationScope& scope = *scopeGroup.scope;
            ss->mutable_scope()->set_name(scope.name.toStdString());
            ss->mutable_scope()->set_version(scope.version.toStdString());
            setAttributes(ss->mutable_scope()->mutable_attributes(), scope.attributes);
            ss->mutable_scope()->set_dropped_attributes_count(scope.droppedAttributesCount);
            ss->set_schema_url(scope.schemaUrl.toStdString());
            auto* repeated = itemsOf(ss);
            repeated->Reserve(static_cast<int>(scopeGroup.items.size()));
            for (const Item* item : scopeGroup.items)
                setItem(repeated->Add(), *item);
        }
    }
    return serialize(*request);
}

} // namespace

QByteArray OtlpProtobufCodec::encodeRequest(const std::vector<Span>& spans)
{
    return encodeGrouped<pbcollector::ExportTraceServiceRequest>(
        spans, [](auto* request) { return request->add_resource_spans(); },
        [](auto* rs) { return rs->add_scope_spans(); }, [](auto* ss) { return ss->mutable_spans(); },
        [](pbtrace::Span* out, const Span& span) { setSpan(out, span); });
}

QByteArray OtlpProtobufCodec::encodeResponse(qint64 rejectedSpans, const QString& errorMessage)
{
    pbcollector::ExportTraceServiceResponse response;
    if (rejectedSpans > 0 || !errorMessage.isEmpty()) {
        response.mutable_partial_success()->set_rejected_spans(rejectedSpans);
        response.mutable_partial_success()->set_error_message(errorMessage.toStdString());
    }
    return serialize(response);
}

QByteArray OtlpProtobufCodec::encodeLogsRequest(const std::vector<LogRecord>& logs)
{
    return encodeGrouped<pbcollectorlogs::ExportLogsServiceRequest>(
        logs, [](auto* request) { return request->add_resource_logs(); }, [](auto* rl) { return rl->add_scope_logs(); },
        [](auto* sl) { return sl->mutable_log_records(); },
        [](pblogs::LogRecord* out, const LogRecord& record) { setLogRecord(out, record); });
}

QByteArray OtlpProtobufCodec::encodeLogsResponse(qint64 rejectedLogRecords, const QString& errorMessage)
{
    pbcollectorlogs::ExportLogsServiceResponse response;
    if (rejectedLogRecords > 0 || !errorMessage.isEmpty()) {
        response.mutable_partial_success()->set_rejected_log_records(rejectedLogRecords);
        response.mutable_partial_success()->set_error_message(errorMessage.toStdString());
    }
    return serialize(response);
}
