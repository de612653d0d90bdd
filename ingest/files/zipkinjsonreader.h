#pragma once

#include "ingest/codec/decoderesult.h"

#include <QJsonDocument>

/**
 * Zipkin v2 JSON (an array of spans or a single span object) to normalized spans. Fragments that share
 * (traceId, id, shared) are merged; the server half of a shared client/server span id gets a derived span id and
 * the client half as parent, the way Zipkin's UI builds its tree. Mapping and losses: docs/file-formats.md.
 * Stateless, thread-safe.
 */
class ZipkinJsonReader {
public:
    /// True when `doc` has the shape of Zipkin v2 JSON (an object or array of objects with traceId and id).
    static bool recognizes(const QJsonDocument& doc);

    /// Converts and merges every span; a document of the wrong shape fails as a whole naming the JSON path.
    static DecodeResult decode(const QJsonDocument& doc);

    /// The span id given to the server half of a shared span id: the bitwise complement of `id`.
    static SpanId derivedServerSpanId(const SpanId& id);
};
