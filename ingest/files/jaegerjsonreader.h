#pragma once

#include "ingest/codec/decoderesult.h"

#include <QJsonDocument>

/**
 * Jaeger JSON (the query API's `{"data":[trace...]}`, a single trace object `{traceID, spans, processes}` or an
 * array of trace objects) to normalized spans. Mapping and losses: docs/file-formats.md. Stateless, thread-safe.
 */
class JaegerJsonReader {
public:
    /// True when `doc` has the shape of a Jaeger document (keys checked, values not).
    static bool recognizes(const QJsonDocument& doc);

    /**
     * Converts every span. Spans with invalid ids are rejected one by one (SpanBatch); a document of the wrong
     * shape fails as a whole with an error naming the JSON path, e.g. `data[0].spans[3].startTime: expected a
     * number`.
     */
    static DecodeResult decode(const QJsonDocument& doc);
};
