#pragma once

#include "model/span.h"

#include <QSet>
#include <QString>

/**
 * Span outlines: what the trace views need to draw a large trace, without what only the inspector shows.
 *
 * An outline is a Span without its attributes and without its events' attributes (events keep name and time, links
 * are kept whole), unless its attributes may make it a GenAI step (SpanGenAiFigures::mayBeGenAi): such spans stay
 * whole, so that the agent views (GenAi::analyze) read a large trace as they read a small one. The inspector reads
 * the full span from the store (TraceStore::span) when it shows an outline. Plain functions, any thread.
 */
namespace SpanOutline {

/// True when an outline of `span` keeps everything: its attributes may make it a GenAI step.
bool keepsDetails(const Span& span);
/// Makes `span` its outline in place (see the namespace); a span that keepsDetails() is left as it is.
void strip(Span& span);

/**
 * Shares equal strings (span names, event names) between the spans of one read, so that a name repeated by a
 * million spans is stored once (QString's implicit sharing). One per read; not thread-safe.
 */
class StringPool {
public:
    void intern(QString& text);
    void intern(Span& span); ///< the span's name and its events' names

private:
    QSet<QString> m_strings;
};

} // namespace SpanOutline
