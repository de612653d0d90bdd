#include "otlpprotobufcodec.h"

#include "ingest/otlpcodec_p.h"
#include "model/span.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QHash>

#include <google/protobuf/arena.h>
#include <google/protobuf/descriptor.h>

#include <cstring>

namespace pbcollector = opentelemetry::proto::collector::trace::v1;
namespace pbtrace = opentelemetry::proto::trace::v1;
namespace pbcommon = opentelemetry::proto::common::v1;
namespace pbresource = opentelemetry::proto::resource::v1;
using google::protobuf::RepeatedPtrField;
using namespace OtlpCodecPrivate;

namespace {

QString toQString(const std::string& s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

void convertAttributes(const RepeatedPtrField<pbcommon::KeyValue>& in, Attributes& out);

void convertValue(const pbcommon::AnyValue& in, AnyValue& out)
{
    switch (in.value_case()) {
    case pbcommon::AnyValue::kStringValue:
        out.type = AnyValue::Type::String;
        out.stringValue = toQString(in.string_value());
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
    case pbcommon::AnyValue::kBytesValue:
        out.type = AnyValue::Type::Bytes;
        out.bytesValue = QByteArray(in.bytes_value().data(), static_cast<qsizetype>(in.bytes_value().size()));
        break;
    case pbcommon::AnyValue::kArrayValue: {
        out.type = AnyValue::Type::Array;
        const auto& values = in.array_value().values();
        out.arrayValue.resize(static_cast<std::size_t>(values.size()));
        for (int i = 0; i < values.size(); ++i)
            convertValue(values.Get(i), out.arrayValue[static_cast<std::size_t>(i)]);
        break;
    }
    case pbcommon::AnyValue::kKvlistValue:
        out.type = AnyValue::Type::Map;
        convertAttributes(in.kvlist_value().values(), out.mapValue);
        break;
    case pbcommon::AnyValue::VALUE_NOT_SET:
        out.type = AnyValue::Type::Empty;
        break;
    }
}

void convertAttributes(const RepeatedPtrField<pbcommon::KeyValue>& in, Attributes& out)
{
    out.resize(static_cast<std::size_t>(in.size()));
    for (int i = 0; i < in.size(); ++i) {
        const auto& kv = in.Get(i);
        auto& target = out[static_cast<std::size_t>(i)];
        target.key = toQString(kv.key());
        convertValue(kv.value(), target.value);
    }
}

SpanKind toSpanKind(int kind)
{
    // Proto3 enums are open; a kind from a newer spec that we do not know is shown as unspecified.
    return kind >= 0 && kind <= static_cast<int>(SpanKind::Consumer) ? static_cast<SpanKind>(kind)
                                                                       : SpanKind::Unspecified;
}

StatusCode toStatusCode(int code)
{
    return code >= 0 && code <= static_cast<int>(StatusCode::Error) ? static_cast<StatusCode>(code)
                                                                      : StatusCode::Unset;
}

/// First id problem of a span (its own ids or its links' ids), or an empty string.
QString spanIdProblem(const pbtrace::Span& in)
{
    QString problem = idProblem(in.trace_id().data(), qsizetype(in.trace_id().size()), 16, QLatin1StringView("traceId"));
    if (problem.isEmpty())
        problem = idProblem(in.span_id().data(), qsizetype(in.span_id().size()), 8, QLatin1StringView("spanId"));
    if (problem.isEmpty())
        problem = idProblem(in.parent_span_id().data(), qsizetype(in.parent_span_id().size()), 8,
            QLatin1StringView("parentSpanId"), true);
    for (int l = 0; problem.isEmpty() && l < in.links_size(); ++l) {
        const auto& link = in.links(l);
        // A link to an unknown span may carry all-zero ids, but never ids of the wrong size.
        if (link.trace_id().size() != 16)
            problem = QStringLiteral("links[") + QString::number(l) + QStringLiteral("].traceId is ")
                + QString::number(link.trace_id().size()) + QStringLiteral(" bytes (must be 16)");
        else if (link.span_id().size() != 8)
            problem = QStringLiteral("links[") + QString::number(l) + QStringLiteral("].spanId is ")
                + QString::number(link.span_id().size()) + QStringLiteral(" bytes (must be 8)");
    }
    return problem;
}

void convertSpan(const pbtrace::Span& in, Span& out)
{
    out.traceId = TraceId::fromRaw(in.trace_id().data());
    out.spanId = SpanId::fromRaw(in.span_id().data());
    if (!in.parent_span_id().empty())
        out.parentSpanId = SpanId::fromRaw(in.parent_span_id().data());
    out.traceState = toQString(in.trace_state());
    out.flags = in.flags();
    out.name = toQString(in.name());
    out.kind = toSpanKind(in.kind());
    out.startTimeUnixNano = in.start_time_unix_nano();
    out.endTimeUnixNano = in.end_time_unix_nano();
    convertAttributes(in.attributes(), out.attributes);
    out.droppedAttributesCount = in.dropped_attributes_count();

    out.events.resize(static_cast<std::size_t>(in.events_size()));
    for (int e = 0; e < in.events_size(); ++e) {
        const auto& event = in.events(e);
        auto& target = out.events[static_cast<std::size_t>(e)];
        target.timeUnixNano = event.time_unix_nano();
        target.name = toQString(event.name());
        convertAttributes(event.attributes(), target.attributes);
        target.droppedAttributesCount = event.dropped_attributes_count();
    }
    out.droppedEventsCount = in.dropped_events_count();

    out.links.resize(static_cast<std::size_t>(in.links_size()));
    for (int l = 0; l < in.links_size(); ++l) {
        const auto& link = in.links(l);
        auto& target = out.links[static_cast<std::size_t>(l)];
        target.traceId = TraceId::fromRaw(link.trace_id().data());
        target.spanId = SpanId::fromRaw(link.span_id().data());
        target.traceState = toQString(link.trace_state());
        convertAttributes(link.attributes(), target.attributes);
        target.droppedAttributesCount = link.dropped_attributes_count();
        target.flags = link.flags();
    }
    out.droppedLinksCount = in.dropped_links_count();

    if (in.has_status()) {
        out.statusCode = toStatusCode(in.status().code());
        out.statusMessage = toQString(in.status().message());
    }
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
        if (depth > 100)
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
                if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
                    if (!scan(inner, p, field->message_type(), fieldPath, depth + 1))
                        return false;
                } else if (field && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
                    const QByteArray raw = QByteArray::fromRawData(reinterpret_cast<const char*>(inner), qsizetype(value));
                    if (!QUtf8StringView(raw).isValidUtf8())
                        return fail(inner, QStringLiteral("string is not valid UTF-8"), fieldPath);
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

QString describeParseError(const QByteArray& body)
{
    WireScanner scanner;
    scanner.begin = reinterpret_cast<const unsigned char*>(body.constData());
    if (scanner.scan(scanner.begin, scanner.begin + body.size(), pbcollector::ExportTraceServiceRequest::descriptor(),
            QString(), 0))
        return QStringLiteral("body is not a valid ExportTraceServiceRequest");
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

} // namespace

DecodeResult OtlpProtobufCodec::decodeRequest(const QByteArray& body)
{
    DecodeResult result;
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<pbcollector::ExportTraceServiceRequest>(&arena);
    if (!request->ParseFromArray(body.constData(), static_cast<int>(body.size()))) {
        result.error = describeParseError(body);
        return result;
    }

    std::size_t total = 0;
    for (const auto& rs : request->resource_spans())
        for (const auto& ss : rs.scope_spans())
            total += static_cast<std::size_t>(ss.spans_size());
    SpanBatch& batch = result.batch;
    batch.spans.reserve(total);

    Rejections rejections;
    for (int r = 0; r < request->resource_spans_size(); ++r) {
        const auto& rs = request->resource_spans(r);
        auto resource = std::make_shared<Resource>();
        convertAttributes(rs.resource().attributes(), resource->attributes);
        resource->droppedAttributesCount = rs.resource().dropped_attributes_count();
        resource->schemaUrl = toQString(rs.schema_url());
        const std::shared_ptr<const Resource> sharedResource = std::move(resource);

        for (int s = 0; s < rs.scope_spans_size(); ++s) {
            const auto& ss = rs.scope_spans(s);
            auto scope = std::make_shared<InstrumentationScope>();
            scope->name = toQString(ss.scope().name());
            scope->version = toQString(ss.scope().version());
            convertAttributes(ss.scope().attributes(), scope->attributes);
            scope->droppedAttributesCount = ss.scope().dropped_attributes_count();
            scope->schemaUrl = toQString(ss.schema_url());
            const std::shared_ptr<const InstrumentationScope> sharedScope = std::move(scope);

            for (int i = 0; i < ss.spans_size(); ++i) {
                const auto& in = ss.spans(i);
                const QString problem = spanIdProblem(in);
                if (!problem.isEmpty()) {
                    rejections.add(spanPath(r, s, i), problem);
                    continue;
                }
                Span& span = batch.spans.emplace_back();
                convertSpan(in, span);
                span.resource = sharedResource;
                span.scope = sharedScope;
            }
        }
    }
    rejections.writeTo(batch);
    result.ok = true;
    return result;
}

QByteArray OtlpProtobufCodec::encodeRequest(const std::vector<Span>& spans)
{
    google::protobuf::Arena arena;
    auto* request = google::protobuf::Arena::CreateMessage<pbcollector::ExportTraceServiceRequest>(&arena);
    for (const ResourceGroup& group : groupSpans(spans)) {
        auto* rs = request->add_resource_spans();
        setAttributes(rs->mutable_resource()->mutable_attributes(), group.resource->attributes);
        rs->mutable_resource()->set_dropped_attributes_count(group.resource->droppedAttributesCount);
        rs->set_schema_url(group.resource->schemaUrl.toStdString());
        for (const ScopeGroup& scopeGroup : group.scopes) {
            auto* ss = rs->add_scope_spans();
            const InstrumentationScope& scope = *scopeGroup.scope;
            ss->mutable_scope()->set_name(scope.name.toStdString());
            ss->mutable_scope()->set_version(scope.version.toStdString());
            setAttributes(ss->mutable_scope()->mutable_attributes(), scope.attributes);
            ss->mutable_scope()->set_dropped_attributes_count(scope.droppedAttributesCount);
            ss->set_schema_url(scope.schemaUrl.toStdString());
            ss->mutable_spans()->Reserve(static_cast<int>(scopeGroup.spans.size()));
            for (const Span* span : scopeGroup.spans)
                setSpan(ss->add_spans(), *span);
        }
    }
    return serialize(*request);
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
