#pragma once

#include "model/spanoutline.h"
#include "model/tracesummary.h"
#include "storage/tracestore.h"

#include <QTest>

#include <algorithm>
#include <cstring>

/**
 * The span outline contract (TraceStore::traceSpanOutlines, firstSpanOutlines and span), shared by the SQLite,
 * PostgreSQL and in-memory store tests: spans come ordered by start time, then span id; outlines in traceSpans()'s
 * order with every field but the attributes and the events' attributes; spans whose attributes may make them GenAI
 * steps stay whole; links stay whole; equal names share one string; firstSpanOutlines() gives the first outlines of
 * that order; span() reads any one span in full, and answers nullopt without an error for an unknown span or trace.
 * QVERIFY inside: callers check QTest::currentTestFailed() afterwards.
 */
namespace SpanOutlineCheck {

inline TraceId traceIdOf(int n)
{
    return TraceId::fromHex(QStringLiteral("%1").arg(n + 0x0a11, 32, 16, QLatin1Char('0')));
}

inline SpanId spanIdOf(int n)
{
    return SpanId::fromHex(QStringLiteral("%1").arg(n + 0x0b00, 16, 16, QLatin1Char('0')));
}

/// 40 spans under one root: every 10th a GenAI chat span, every 3rd with two events, every 7th with a link.
inline std::vector<Span> trace(int n)
{
    auto resource = std::make_shared<Resource>();
    resource->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("outline-svc")) } };
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("outline-check");
    std::vector<Span> spans;
    for (int i = 0; i < 40; ++i) {
        Span s;
        s.traceId = traceIdOf(n);
        s.spanId = spanIdOf(n * 100 + i);
        if (i > 0)
            s.parentSpanId = spanIdOf(n * 100);
        s.name = i % 10 == 5 ? QStringLiteral("chat gpt-4o") : QStringLiteral("operation-%1").arg(i % 4);
        s.kind = i == 0 ? SpanKind::Server : SpanKind::Internal;
        // Start times out of span id order, in pairs of equal ones (ties go by span id), the root first.
        s.startTimeUnixNano = 1'760'000'000'000'000'000ull + std::uint64_t(n) * 1'000'000'000ull
            + std::uint64_t((i * 7 % 40 + 1) / 2) * 1000;
        s.endTimeUnixNano = s.startTimeUnixNano + 5000 + std::uint64_t(i);
        s.statusCode = i % 9 == 4 ? StatusCode::Error : StatusCode::Unset;
        s.statusMessage = s.statusCode == StatusCode::Error ? QStringLiteral("failed") : QString();
        s.resource = resource;
        s.scope = scope;
        s.attributes = { { QStringLiteral("http.route"), AnyValue::fromString(QStringLiteral("/items/%1").arg(i)) },
                         { QStringLiteral("retry"), AnyValue::fromInt(i) } };
        s.droppedAttributesCount = std::uint32_t(i % 2);
        if (i % 10 == 5) {
            s.attributes.push_back({ QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
            s.attributes.push_back({ QStringLiteral("gen_ai.request.model"), AnyValue::fromString(QStringLiteral("gpt-4o")) });
        }
        if (i % 3 == 0)
            for (int e = 0; e < 2; ++e) {
                SpanEvent event;
                event.timeUnixNano = s.startTimeUnixNano + std::uint64_t(e) * 10;
                event.name = e ? QStringLiteral("exception") : QStringLiteral("cache.miss");
                event.attributes = { { QStringLiteral("detail"), AnyValue::fromString(QStringLiteral("event %1").arg(e)) } };
                s.events.push_back(event);
            }
        if (i % 7 == 1) {
            SpanLink link;
            link.traceId = traceIdOf(n + 1);
            link.spanId = spanIdOf(i);
            link.attributes = { { QStringLiteral("link.kind"), AnyValue::fromString(QStringLiteral("follows")) } };
            s.links.push_back(link);
        }
        spans.push_back(std::move(s));
    }
    return spans;
}

inline void writeAndCheck(TraceStore& store, int n = 1)
{
    std::vector<IngestItem> items(1);
    items[0].batch.spans = trace(n);
    const WriteResult written = store.write(items);
    QVERIFY2(written.ok, qPrintable(written.error));

    QString error;
    const std::vector<Span> full = store.traceSpans(traceIdOf(n), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(full.size(), std::size_t(40));
    const std::vector<Span> outlines = store.traceSpanOutlines(traceIdOf(n), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(outlines.size(), full.size());

    const QChar* nameData = nullptr;
    int genAiSpans = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
        const Span& f = full[i];
        const Span& o = outlines[i];
        QCOMPARE(o.spanId.toHex(), f.spanId.toHex()); // same order
        Span expected = f;
        if (SpanGenAiFigures::mayBeGenAi(f.attributes)) {
            ++genAiSpans;
        } else {
            expected.attributes.clear();
            for (SpanEvent& event : expected.events)
                event.attributes.clear();
        }
        QVERIFY2(spansEqual(o, expected), qPrintable(o.spanId.toHex()));
        QCOMPARE(o.events.size(), f.events.size());
        QCOMPARE(o.links.size(), f.links.size());
        if (o.name == QLatin1String("operation-1")) { // one string for every span of that name
            if (!nameData)
                nameData = o.name.constData();
            QCOMPARE(o.name.constData(), nameData);
        }
    }
    QCOMPARE(genAiSpans, 4);
    QVERIFY(nameData);

    // Ordered by start time, then span id (as bytes), whatever order the rows were written or stored in.
    for (std::size_t i = 1; i < full.size(); ++i) {
        const Span& a = full[i - 1];
        const Span& b = full[i];
        QVERIFY2(a.startTimeUnixNano < b.startTimeUnixNano
                     || (a.startTimeUnixNano == b.startTimeUnixNano
                         && std::memcmp(a.spanId.data(), b.spanId.data(), SpanId::Size) < 0),
                 qPrintable(b.spanId.toHex()));
    }
    QCOMPARE(full.front().spanId.toHex(), spanIdOf(n * 100).toHex()); // the root starts first
    QVERIFY(full[1].startTimeUnixNano == full[2].startTimeUnixNano); // a tie, decided by span id

    // The head of the trace: the first `count` outlines, equal to those of the whole read.
    for (const std::size_t count : { std::size_t(1), std::size_t(2), std::size_t(7), std::size_t(40), std::size_t(100) }) {
        const std::vector<Span> head = store.firstSpanOutlines(traceIdOf(n), count, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(head.size(), std::min(count, outlines.size()));
        for (std::size_t i = 0; i < head.size(); ++i)
            QVERIFY2(spansEqual(head[i], outlines[i]), qPrintable(QStringLiteral("%1 of %2").arg(i).arg(count)));
    }
    QVERIFY(store.firstSpanOutlines(traceIdOf(n), 0, &error).empty());
    QVERIFY(store.firstSpanOutlines(traceIdOf(n + 50), 5, &error).empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));

    for (const Span& f : full) {
        const std::optional<Span> one = store.span(traceIdOf(n), f.spanId, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(one);
        QVERIFY2(spansEqual(*one, f), qPrintable(f.spanId.toHex()));
    }
    QVERIFY(!store.span(traceIdOf(n), spanIdOf(99999), &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!store.span(traceIdOf(n + 50), full.front().spanId, &error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(store.traceSpanOutlines(traceIdOf(n + 50), &error).empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

} // namespace SpanOutlineCheck
