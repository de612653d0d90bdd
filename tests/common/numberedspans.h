#pragma once

#include "model/span.h"

#include <cstdint>

/// Spans by number for the model and view tests: span id N is 0x000000000000000N, times are ns after T0.
namespace NumberedSpans {

constexpr std::uint64_t T0 = 1'700'000'000'000'000'000ULL;

inline SpanId spanIdOf(int id)
{
    return SpanId::fromHex(QStringLiteral("%1").arg(id, 16, 16, QLatin1Char('0')));
}

/// Span `id` named "span <id>" under `parent` (0: a root) from T0 + `start` to T0 + `end`, in one fixed trace.
inline Span span(int id, int parent, std::uint64_t start, std::uint64_t end)
{
    Span s;
    s.traceId = TraceId::fromHex(QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
    s.spanId = spanIdOf(id);
    if (parent)
        s.parentSpanId = spanIdOf(parent);
    s.name = QStringLiteral("span %1").arg(id);
    s.startTimeUnixNano = T0 + start;
    s.endTimeUnixNano = T0 + end;
    return s;
}

} // namespace NumberedSpans
