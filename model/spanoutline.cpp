#include "spanoutline.h"

#include "tracesummary.h"

namespace SpanOutline {

bool keepsDetails(const Span& span)
{
    return SpanGenAiFigures::mayBeGenAi(span.attributes);
}

void strip(Span& span)
{
    if (keepsDetails(span))
        return;
    span.attributes = Attributes();
    for (SpanEvent& event : span.events)
        event.attributes = Attributes();
}

void StringPool::intern(QString& text)
{
    if (text.isEmpty())
        return;
    const auto it = m_strings.constFind(text);
    if (it != m_strings.constEnd())
        text = *it;
    else
        m_strings.insert(text);
}

void StringPool::intern(Span& span)
{
    intern(span.name);
    for (SpanEvent& event : span.events)
        intern(event.name);
}

} // namespace SpanOutline
