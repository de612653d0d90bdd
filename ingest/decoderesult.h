#pragma once

#include "model/spanbatch.h"

#include <QString>

/**
 * Outcome of decoding one OTLP request body. When `ok` is false the whole body was refused (malformed
 * structure) and `error` names the place and the problem, e.g.
 * `resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano: expected an unsigned 64-bit integer, got "x"`;
 * `batch` is then empty. When `ok` is true, `batch` holds the accepted spans and the count and reasons of
 * spans rejected one by one (invalid ids).
 */
struct DecodeResult {
    bool ok = false;
    QString error;
    SpanBatch batch;
};
