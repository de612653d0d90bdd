#pragma once

#include "model/spanbatch.h"

#include <QString>

#include <vector>

/**
 * One span refused on its own, named by its place in the decoded document so that a file importer can point at it
 * (TraceImporter turns `span` and `field` into a line number with JsonLocator).
 */
struct SpanRejection {
    /// The span: `resourceSpans[0].scopeSpans[1].spans[3]` (OTLP), `data[0].spans[2]`, `[1].spans[2]` or
    /// `$.spans[2]` (Jaeger), `[4]` or `$` (Zipkin).
    QString span;
    /// The member of the span at fault, as a path below it (`traceId`, `links[0].spanId`), or empty when no single
    /// member is (or the format's member names differ from the reason's).
    QString field;
    /// Why, without the span's place: `traceId: expected 32 hex digits (or base64 of 16 bytes), got "xyz"`.
    QString reason;
};

/**
 * Outcome of decoding one OTLP request body. When `ok` is false the whole body was refused (malformed
 * structure) and `error` names the place and the problem, e.g.
 * `resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected an unsigned 64-bit integer, got "x"`;
 * `batch` is then empty. When `ok` is true, `batch` holds the accepted spans and the count and reasons of
 * spans rejected one by one (invalid ids), and `rejections` lists the first MaxListedRejections of those spans in
 * document order (batch.rejectedSpans counts them all).
 */
struct DecodeResult {
    static constexpr std::size_t MaxListedRejections = 100;

    bool ok = false;
    QString error;
    SpanBatch batch;
    std::vector<SpanRejection> rejections;
};
