#pragma once

// Pieces shared by the OTLP protobuf and JSON codecs; not part of the ingest API.

#include "ingest/codec/decoderesult.h"
#include "model/logrecord.h"
#include "model/span.h"
#include "model/spanbatch.h"

#include <QString>

#include <vector>

namespace OtlpCodecPrivate {

/// Collects per-span (or per-log-record) rejections: the count and the first few reasons for a SpanBatch (the
/// partial-success answer), and the first DecodeResult::MaxListedRejections one by one for DecodeResult::rejections.
class Rejections {
public:
    enum class Kind { Spans, LogRecords };
    explicit Rejections(Kind kind = Kind::Spans)
        : m_kind(kind)
    {
    }

    /// `where` is the span's path, `field` the member at fault below it (or empty).
    void add(const QString& where, const QString& reason, const QString& field = QString())
    {
        ++m_count;
        if (m_reasons.size() < MaxReasons)
            m_reasons.push_back(where + QStringLiteral(": ") + reason);
        if (m_listed.size() < DecodeResult::MaxListedRejections)
            m_listed.push_back({ where, field, reason });
    }
    qint64 count() const { return m_count; }
    void writeTo(SpanBatch& batch) const
    {
        const bool logs = m_kind == Kind::LogRecords;
        (logs ? batch.rejectedLogRecords : batch.rejectedSpans) = m_count;
        if (!m_count)
            return;
        QString msg = QString::number(m_count);
        if (logs)
            msg += m_count == 1 ? QStringLiteral(" log record rejected: ") : QStringLiteral(" log records rejected: ");
        else
            msg += m_count == 1 ? QStringLiteral(" span rejected: ") : QStringLiteral(" spans rejected: ");
        for (std::size_t i = 0; i < m_reasons.size(); ++i) {
            if (i)
                msg += QStringLiteral("; ");
            msg += m_reasons[i];
        }
        if (m_count > qint64(m_reasons.size()))
            msg += QStringLiteral("; ...");
        batch.rejectionMessage = msg;
    }
    void writeTo(DecodeResult& result) const
    {
        writeTo(result.batch);
        result.rejections = m_listed;
    }

private:
    // Enough to diagnose an exporter bug; a 512-span batch of bad spans must not make a 50 kB message.
    static constexpr std::size_t MaxReasons = 3;
    Kind m_kind;
    qint64 m_count = 0;
    std::vector<QString> m_reasons;
    std::vector<SpanRejection> m_listed;
};

/// `resourceSpans[r].scopeSpans[s].spans[i]`, the place named in rejection reasons and errors.
inline QString spanPath(int r, int s, int i)
{
    return QStringLiteral("resourceSpans[") + QString::number(r) + QStringLiteral("].scopeSpans[")
        + QString::number(s) + QStringLiteral("].spans[") + QString::number(i) + QLatin1Char(']');
}

/// `resourceLogs[r].scopeLogs[s].logRecords[i]`, the place named in log record rejection reasons and errors.
inline QString logRecordPath(int r, int s, int i)
{
    return QStringLiteral("resourceLogs[") + QString::number(r) + QStringLiteral("].scopeLogs[") + QString::number(s)
        + QStringLiteral("].logRecords[") + QString::number(i) + QLatin1Char(']');
}

/**
 * Why a log record's ids (raw bytes as sent) make it unusable, or an empty string; `field` gets the member at fault.
 * Empty ids mean "no trace context"; all-zero ids of the right size mean the same (the SDKs send them so). A span id
 * without a trace id is refused: it would name a span of no trace.
 */
inline QString logIdProblem(
    qsizetype traceIdLength, qsizetype spanIdLength, bool traceIdZero, bool spanIdZero, QString* field)
{
    if (traceIdLength != 0 && traceIdLength != 16) {
        *field = QStringLiteral("traceId");
        return QStringLiteral("traceId is ") + QString::number(traceIdLength)
            + QStringLiteral(" bytes (must be 16 or empty)");
    }
    if (spanIdLength != 0 && spanIdLength != 8) {
        *field = QStringLiteral("spanId");
        return QStringLiteral("spanId is ") + QString::number(spanIdLength)
            + QStringLiteral(" bytes (must be 8 or empty)");
    }
    if (spanIdLength == 8 && !spanIdZero && (traceIdLength == 0 || traceIdZero)) {
        *field = QStringLiteral("spanId");
        return QStringLiteral("spanId is set but traceId is empty (a span id needs its trace id)");
    }
    field->clear();
    return QString();
}

/// Why `bytes` is not a valid trace/span id of `size` bytes (empty when it is). `field` is the JSON name.
/// `mayBeEmpty` is for parentSpanId, where empty means "no parent"; an all-zero parent also means none.
inline QString idProblem(const char* data, qsizetype length, qsizetype size, QLatin1StringView field,
    bool mayBeEmpty = false)
{
    if (length == 0)
        return mayBeEmpty ? QString()
                          : field + QStringLiteral(" is empty (must be ") + QString::number(size)
                + QStringLiteral(" bytes)");
    if (length != size)
        return field + QStringLiteral(" is ") + QString::number(length) + QStringLiteral(" bytes (must be ")
            + QString::number(size) + (mayBeEmpty ? QStringLiteral(" or empty)") : QStringLiteral(")"));
    if (mayBeEmpty)
        return QString();
    for (qsizetype i = 0; i < length; ++i)
        if (data[i])
            return QString();
    return field + QStringLiteral(" is all zeros (invalid)");
}

/// Times at or past 2^63 ns cannot be stored: the stores keep signed 64-bit ns (see contentProblem()).
constexpr std::uint64_t TimeLimit = std::uint64_t(1) << 63;

inline QString timeProblem(const QString& name, std::uint64_t ns)
{
    return name + QStringLiteral(" ") + QString::number(ns)
        + QStringLiteral(" is at or past 2^63 ns (after the year 2262): not a valid time");
}

inline QString depthProblem(const QString& where)
{
    return where + QStringLiteral(" nested deeper than ") + QString::number(AnyValue::MaxDepth)
        + QStringLiteral(" levels");
}

/// Attributes of the resource or scope of `item` (a span or log record) nested deeper than AnyValue::MaxDepth.
template <typename Item> QString resourceScopeDepthProblem(const Item& item)
{
    if (item.resource && nestingDepth(item.resource->attributes) > AnyValue::MaxDepth)
        return depthProblem(QStringLiteral("resource attributes"));
    if (item.scope && nestingDepth(item.scope->attributes) > AnyValue::MaxDepth)
        return depthProblem(QStringLiteral("scope attributes"));
    return QString();
}

/// Why a decoded span cannot be stored as it is (empty when it can): a time at or past 2^63 ns (the stores keep
/// signed 64-bit ns; such a time is past the year 2262, so it is a broken clock or exporter, not a real time), or
/// attributes nested deeper than AnyValue::MaxDepth in the span, its events, links, resource or scope. `field`, when
/// given, gets the OTLP member of the span at fault (`startTimeUnixNano`, `events[1].attributes`), or empty for the
/// resource and the scope.
inline QString contentProblem(const Span& span, QString* field = nullptr)
{
    auto at = [field](const QString& name) {
        if (field)
            *field = name;
    };
    if (span.startTimeUnixNano >= TimeLimit) {
        at(QStringLiteral("startTimeUnixNano"));
        return timeProblem(QStringLiteral("startTimeUnixNano"), span.startTimeUnixNano);
    }
    if (span.endTimeUnixNano >= TimeLimit) {
        at(QStringLiteral("endTimeUnixNano"));
        return timeProblem(QStringLiteral("endTimeUnixNano"), span.endTimeUnixNano);
    }
    for (std::size_t e = 0; e < span.events.size(); ++e)
        if (span.events[e].timeUnixNano >= TimeLimit) {
            const QString name = QStringLiteral("events[%1].timeUnixNano").arg(e);
            at(name);
            return timeProblem(name, span.events[e].timeUnixNano);
        }

    if (nestingDepth(span.attributes) > AnyValue::MaxDepth) {
        at(QStringLiteral("attributes"));
        return depthProblem(QStringLiteral("attributes"));
    }
    for (std::size_t e = 0; e < span.events.size(); ++e)
        if (nestingDepth(span.events[e].attributes) > AnyValue::MaxDepth) {
            const QString name = QStringLiteral("events[%1].attributes").arg(e);
            at(name);
            return depthProblem(name);
        }
    for (std::size_t l = 0; l < span.links.size(); ++l)
        if (nestingDepth(span.links[l].attributes) > AnyValue::MaxDepth) {
            const QString name = QStringLiteral("links[%1].attributes").arg(l);
            at(name);
            return depthProblem(name);
        }
    at(QString());
    return resourceScopeDepthProblem(span);
}

/// Why a decoded log record cannot be stored as it is (empty when it can): the same limits as contentProblem() for
/// spans (times below 2^63 ns; body, attributes, resource and scope nested at most AnyValue::MaxDepth levels).
inline QString logContentProblem(const LogRecord& record, QString* field = nullptr)
{
    auto at = [field](const QString& name) {
        if (field)
            *field = name;
    };
    if (record.timeUnixNano >= TimeLimit) {
        at(QStringLiteral("timeUnixNano"));
        return timeProblem(QStringLiteral("timeUnixNano"), record.timeUnixNano);
    }
    if (record.observedTimeUnixNano >= TimeLimit) {
        at(QStringLiteral("observedTimeUnixNano"));
        return timeProblem(QStringLiteral("observedTimeUnixNano"), record.observedTimeUnixNano);
    }
    if (record.body.nestingDepth() > AnyValue::MaxDepth) {
        at(QStringLiteral("body"));
        return depthProblem(QStringLiteral("body"));
    }
    if (nestingDepth(record.attributes) > AnyValue::MaxDepth) {
        at(QStringLiteral("attributes"));
        return depthProblem(QStringLiteral("attributes"));
    }
    at(QString());
    return resourceScopeDepthProblem(record);
}

template <typename T> struct BasicScopeGroup {
    const InstrumentationScope* scope = nullptr;
    std::vector<const T*> items;
};
template <typename T> struct BasicResourceGroup {
    const Resource* resource = nullptr;
    std::vector<BasicScopeGroup<T>> scopes;
};

/**
 * Groups spans (or log records) by resource content, then scope content, in order of first appearance; what the
 * encoders turn into ResourceSpans/ScopeSpans (ResourceLogs/ScopeLogs). Items without resource/scope count as
 * having an empty one. Pointers stay valid as long as `spans` does.
 */
template <typename T> std::vector<BasicResourceGroup<T>> groupByResourceAndScope(const std::vector<T>& spans)
{
    using ResourceGroup = BasicResourceGroup<T>;
    using ScopeGroup = BasicScopeGroup<T>;
    static const Resource emptyResource;
    static const InstrumentationScope emptyScope;
    std::vector<ResourceGroup> groups;
    // Consecutive spans nearly always share their resource and scope; check the last hit first.
    std::size_t lastResource = 0;
    for (const T& span : spans) {
        const Resource* res = span.resource ? span.resource.get() : &emptyResource;
        const InstrumentationScope* scope = span.scope ? span.scope.get() : &emptyScope;

        std::size_t r = groups.size();
        if (!groups.empty() && (groups[lastResource].resource == res || *groups[lastResource].resource == *res))
            r = lastResource;
        for (std::size_t i = 0; r == groups.size() && i < groups.size(); ++i)
            if (groups[i].resource == res || *groups[i].resource == *res)
                r = i;
        if (r == groups.size())
            groups.push_back(ResourceGroup { res, {} });
        lastResource = r;

        auto& scopes = groups[r].scopes;
        std::size_t s = scopes.size();
        if (!scopes.empty() && (scopes.back().scope == scope || *scopes.back().scope == *scope))
            s = scopes.size() - 1;
        for (std::size_t i = 0; s == scopes.size() && i < scopes.size(); ++i)
            if (scopes[i].scope == scope || *scopes[i].scope == *scope)
                s = i;
        if (s == scopes.size())
            scopes.push_back(ScopeGroup { scope, {} });
        scopes[s].items.push_back(&span);
    }
    return groups;
}

} // namespace OtlpCodecPrivate
