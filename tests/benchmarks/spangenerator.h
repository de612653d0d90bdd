#pragma once

// Deterministic generated spans for the benchmarks (bench_import, bench_postgres).

#include "model/span.h"

#include <QtEndian>

#include <memory>
#include <vector>

/// Deterministic spans: trace t has spans-per-trace spans, the first a root, the others its children.
class SpanGenerator {
public:
    explicit SpanGenerator(int spansPerTrace)
        : m_spansPerTrace(spansPerTrace)
    {
        for (int i = 0; i < 5; ++i) {
            auto r = std::make_shared<Resource>();
            r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("svc-%1").arg(i)) });
            r->attributes.push_back({ QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("host-%1").arg(i)) });
            m_resources.push_back(std::move(r));
        }
        auto scope = std::make_shared<InstrumentationScope>();
        scope->name = QStringLiteral("bench");
        scope->version = QStringLiteral("1.0");
        m_scope = std::move(scope);
    }

    Span span(qint64 index) const
    {
        const qint64 trace = index / m_spansPerTrace;
        const qint64 inTrace = index % m_spansPerTrace;
        Span s;
        QByteArray tid(16, '\0');
        qToBigEndian<quint64>(static_cast<quint64>(trace + 1), tid.data() + 8);
        tid[0] = 0x5a;
        s.traceId = TraceId::fromBytes(tid);
        QByteArray sid(8, '\0');
        qToBigEndian<quint64>(static_cast<quint64>(index + 1), sid.data());
        s.spanId = SpanId::fromBytes(sid);
        if (inTrace) {
            qToBigEndian<quint64>(static_cast<quint64>(index - inTrace + 1), sid.data());
            s.parentSpanId = SpanId::fromBytes(sid);
        }
        s.name = inTrace ? QStringLiteral("GET /api/items/{id}") : QStringLiteral("POST /checkout");
        s.kind = inTrace ? SpanKind::Client : SpanKind::Server;
        s.startTimeUnixNano = 1700000000000000000ULL + static_cast<quint64>(trace) * 1000000000ULL
            + static_cast<quint64>(inTrace) * 1000ULL;
        s.endTimeUnixNano = s.startTimeUnixNano + 250000ULL;
        s.attributes.push_back({ QStringLiteral("http.request.method"), AnyValue::fromString(QStringLiteral("GET")) });
        s.attributes.push_back({ QStringLiteral("http.response.status_code"), AnyValue::fromInt(200) });
        s.attributes.push_back({ QStringLiteral("url.full"),
                                 AnyValue::fromString(QStringLiteral("https://shop.example/api/items/%1").arg(index)) });
        s.attributes.push_back({ QStringLiteral("sample.ratio"), AnyValue::fromDouble(0.25) });
        if (index % 97 == 5) { // about one trace in five has an error
            s.statusCode = StatusCode::Error;
            s.statusMessage = QStringLiteral("upstream timed out");
        }
        s.resource = m_resources[static_cast<std::size_t>(trace % 5)];
        s.scope = m_scope;
        return s;
    }

private:
    int m_spansPerTrace;
    std::vector<std::shared_ptr<const Resource>> m_resources;
    std::shared_ptr<const InstrumentationScope> m_scope;
};
