#pragma once

// Pieces shared by the OTLP protobuf and JSON codecs; not part of the ingest API.

#include "model/span.h"
#include "model/spanbatch.h"

#include <QString>

#include <vector>

namespace OtlpCodecPrivate {

/// Collects per-span rejections and writes the count and the first few reasons into a SpanBatch.
class Rejections {
public:
    void add(const QString& where, const QString& reason)
    {
        ++m_count;
        if (m_reasons.size() < MaxReasons)
            m_reasons.push_back(where + QStringLiteral(": ") + reason);
    }
    qint64 count() const { return m_count; }
    void writeTo(SpanBatch& batch) const
    {
        batch.rejectedSpans = m_count;
        if (!m_count)
            return;
        QString msg = QString::number(m_count)
            + (m_count == 1 ? QStringLiteral(" span rejected: ") : QStringLiteral(" spans rejected: "));
        for (std::size_t i = 0; i < m_reasons.size(); ++i) {
            if (i)
                msg += QStringLiteral("; ");
            msg += m_reasons[i];
        }
        if (m_count > qint64(m_reasons.size()))
            msg += QStringLiteral("; ...");
        batch.rejectionMessage = msg;
    }

private:
    // Enough to diagnose an exporter bug; a 512-span batch of bad spans must not make a 50 kB message.
    static constexpr std::size_t MaxReasons = 3;
    qint64 m_count = 0;
    std::vector<QString> m_reasons;
};

/// `resourceSpans[r].scopeSpans[s].spans[i]`, the place named in rejection reasons and errors.
inline QString spanPath(int r, int s, int i)
{
    return QStringLiteral("resourceSpans[") + QString::number(r) + QStringLiteral("].scopeSpans[")
        + QString::number(s) + QStringLiteral("].spans[") + QString::number(i) + QLatin1Char(']');
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

struct ScopeGroup {
    const InstrumentationScope* scope = nullptr;
    std::vector<const Span*> spans;
};
struct ResourceGroup {
    const Resource* resource = nullptr;
    std::vector<ScopeGroup> scopes;
};

/**
 * Groups spans by resource content, then scope content, in order of first appearance; what the encoders
 * turn into ResourceSpans/ScopeSpans. Spans without resource/scope count as having an empty one.
 * Pointers stay valid as long as `spans` does.
 */
inline std::vector<ResourceGroup> groupSpans(const std::vector<Span>& spans)
{
    static const Resource emptyResource;
    static const InstrumentationScope emptyScope;
    std::vector<ResourceGroup> groups;
    // Consecutive spans nearly always share their resource and scope; check the last hit first.
    std::size_t lastResource = 0;
    for (const Span& span : spans) {
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
        scopes[s].spans.push_back(&span);
    }
    return groups;
}

} // namespace OtlpCodecPrivate
