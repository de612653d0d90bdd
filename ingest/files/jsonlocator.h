#pragma once

#include <QByteArray>
#include <QStringList>

#include <vector>

/**
 * Finds values in JSON text by the paths the decoders name them with, so that a message about a decoded value can
 * say on which line of the file it is (QJsonDocument keeps no positions).
 *
 * Paths: object keys joined by '.', array indexes in brackets, an optional leading '$' for the root:
 * `resourceSpans[0].scopeSpans[1].spans[3].traceId`, `data[0].spans[2]`, `[4]`, `$.spans[1]`. A key matches as
 * written or in snake_case (`resource_spans`), as protobuf's JSON mapping allows; keys are compared without
 * unescaping. Stateless; thread-safe.
 */
class JsonLocator {
public:
    /**
     * For each path, the byte offset in `json` of the value it names; when the text lacks the last steps (a span
     * without a `traceId` key), the offset of the deepest value it has on the way; -1 when not even the first step
     * is there, or `json` is not well-formed up to it. One pass over the text whatever the number of paths.
     */
    static std::vector<qint64> offsetsOf(const QByteArray& json, const QStringList& paths);

    /// 1-based line numbers of byte offsets in `text` (lines end at '\n'); 0 for a negative offset.
    static std::vector<qint64> linesOf(const QByteArray& text, const std::vector<qint64>& offsets);
};
