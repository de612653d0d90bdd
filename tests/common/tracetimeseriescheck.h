#pragma once

#include "storage/tracestore.h"

#include <QTest>

#include <limits>

/**
 * TraceStore::traceTimeSeries, shared by the SQLite and PostgreSQL store tests: a store filled with spans() must
 * answer the hand-computed buckets of a few known traces under each filter of the trace list, and for a few hundred
 * varied traces exactly what the default implementation (TraceStore's, which walks listTraces) answers, for every
 * filter and several bucket sizes (1 ns, 1 s, 7 s, 1 min, 1 h, 1 day).
 */
namespace TraceTimeSeriesCheck {

constexpr std::uint64_t S = 1'000'000'000ull;
constexpr std::uint64_t Ms = 1'000'000ull;
/// The known traces start from T, a multiple of 1 min (not of 1 h or 1 day).
constexpr std::uint64_t T = 1'699'999'980ull * S;
/// The varied traces start from T + 3 days.
constexpr std::uint64_t Varied = T + 3 * 86400 * S;
constexpr int VariedTraces = 400;
constexpr qint64 Max = std::numeric_limits<qint64>::max();

inline TraceId traceIdOf(int n) { return TraceId::fromHex(QStringLiteral("7e%1").arg(n, 30, 16, QLatin1Char('0'))); }

inline std::shared_ptr<const Resource> resourceOf(const QString& service)
{
    auto r = std::make_shared<Resource>();
    r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(service) } };
    return r;
}

inline Span spanOf(int trace, int id, int parent, const char* service, const QString& name, std::uint64_t start,
    std::uint64_t end, bool error = false)
{
    Span s;
    s.traceId = traceIdOf(trace);
    s.spanId = SpanId::fromHex(QStringLiteral("%1").arg(id, 16, 16, QLatin1Char('0')));
    if (parent)
        s.parentSpanId = SpanId::fromHex(QStringLiteral("%1").arg(parent, 16, 16, QLatin1Char('0')));
    s.name = name;
    s.kind = SpanKind::Server;
    s.startTimeUnixNano = start;
    s.endTimeUnixNano = end;
    s.resource = resourceOf(QString::fromLatin1(service));
    if (error)
        s.statusCode = StatusCode::Error;
    return s;
}

/// Makes `s` an LLM call with these token counts (and a conversation id when one is given).
inline Span llm(Span s, qint64 input, qint64 output, const QString& conversation = QString())
{
    s.attributes = { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
        { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(input) },
        { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(output) } };
    if (!conversation.isEmpty())
        s.attributes.push_back({ QStringLiteral("gen_ai.conversation.id"), AnyValue::fromString(conversation) });
    return s;
}

/// The known traces (ids 1 to 8; see expected() for what each bucket holds) and the varied ones (ids 100 on).
inline std::vector<Span> spans()
{
    const QString cart = QStringLiteral("GET /cart");
    std::vector<Span> out {
        // A: T+5 s, 2 s, 3 spans (api, db, db), 1 error, 100 + 20 tokens, conv-1
        llm(spanOf(1, 1, 0, "api", cart, T + 5 * S, T + 7 * S), 100, 20, QStringLiteral("conv-1")),
        spanOf(1, 2, 1, "db", QStringLiteral("SELECT"), T + 5 * S, T + 6 * S, true),
        spanOf(1, 3, 1, "db", QStringLiteral("SELECT"), T + 6 * S, T + 7 * S),
        // B: T+50 s, 100 ms, 7 + 3 tokens, conv-1
        llm(spanOf(2, 1, 0, "api", cart, T + 50 * S, T + 50 * S + 100 * Ms), 7, 3, QStringLiteral("conv-1")),
        // C: T+61 s, 5 s, "checkout" with 2 error spans
        spanOf(3, 1, 0, "worker", QStringLiteral("checkout"), T + 61 * S, T + 66 * S, true),
        spanOf(3, 2, 1, "worker", QStringLiteral("charge"), T + 62 * S, T + 63 * S, true),
        // D: the last nanosecond before T+120 s, 1 ms, 1 + 1 tokens
        llm(spanOf(4, 1, 0, "api", QStringLiteral("GET /health"), T + 120 * S - 1, T + 120 * S - 1 + Ms), 1, 1),
        // E: T+120 s, 500 ms, 4 spans (api, db x3), 1 error, conv-2 (on a span without tokens)
        spanOf(5, 1, 0, "api", QStringLiteral("GET /orders"), T + 120 * S, T + 120 * S + 500 * Ms),
        spanOf(5, 2, 1, "db", QStringLiteral("SELECT"), T + 120 * S, T + 120 * S + 100 * Ms),
        spanOf(5, 3, 1, "db", QStringLiteral("SELECT"), T + 120 * S + 100 * Ms, T + 120 * S + 200 * Ms, true),
        spanOf(5, 4, 1, "db", QStringLiteral("UPDATE"), T + 120 * S + 200 * Ms, T + 120 * S + 300 * Ms),
        // F: T+1 h, 10 ms
        spanOf(6, 1, 0, "worker", QStringLiteral("cron"), T + 3600 * S, T + 3600 * S + 10 * Ms),
        // G, H: T+2 h and T+2 h 1 s (both the next day: T is 79,980 s into its day), each with INT64_MAX input tokens: the sum is clamped
        llm(spanOf(7, 1, 0, "api", QStringLiteral("GET /big"), T + 7200 * S, T + 7200 * S + Ms), Max, 5),
        llm(spanOf(8, 1, 0, "api", QStringLiteral("GET /big"), T + 7201 * S, T + 7201 * S + Ms), Max, 5),
    };
    out[7].attributes.push_back({ QStringLiteral("gen_ai.conversation.id"), AnyValue::fromString(QStringLiteral("conv-2")) });

    // Varied: gaps of 0 to 29 s (several traces may share a start), 1 to 4 spans, errors, tokens, sessions.
    std::uint64_t start = Varied;
    for (int n = 0; n < VariedTraces; ++n) {
        const int t = 100 + n;
        start += std::uint64_t((n * 7919) % 30) * S + std::uint64_t(n % 7) * 137 * Ms;
        const std::uint64_t duration = std::uint64_t((n * 31) % 200 + 1) * Ms;
        const char* services[] = { "svc-0", "svc-1", "svc-2", "svc-3", "svc-4" };
        Span root = spanOf(t, 1, 0, services[n % 5], QStringLiteral("op-%1").arg(n % 6), start, start + duration,
            n % 11 == 0);
        if (n % 3 == 0)
            root = llm(root, n % 17, n % 5, n % 4 == 0 ? QStringLiteral("conv-%1").arg(QLatin1Char(char('a' + (n / 12) % 3)))
                                                     : QString());
        out.push_back(root);
        for (int c = 0; c < n % 4; ++c)
            out.push_back(spanOf(t, 2 + c, 1, services[(n + c + 1) % 5], QStringLiteral("child"), start + Ms,
                start + 2 * Ms, (n + c) % 7 == 0));
    }
    return out;
}

inline TraceTimeBucket bucket(std::uint64_t start, qint64 traces, qint64 spans, qint64 errorTraces, qint64 errorSpans,
    qint64 input, qint64 output)
{
    return TraceTimeBucket { start, traces, spans, errorTraces, errorSpans, input, output };
}

inline QString toString(const std::vector<TraceTimeBucket>& series)
{
    QStringList rows;
    for (const TraceTimeBucket& b : series)
        rows << QStringLiteral("{%1: %2 traces %3 spans %4/%5 errors %6/%7 tokens}")
                    .arg(b.startTimeUnixNano)
                    .arg(b.traces)
                    .arg(b.spans)
                    .arg(b.errorTraces)
                    .arg(b.errorSpans)
                    .arg(b.inputTokens)
                    .arg(b.outputTokens);
    return rows.join(QLatin1Char(' '));
}

inline bool equal(const std::vector<TraceTimeBucket>& actual, const std::vector<TraceTimeBucket>& expected,
    const QString& what)
{
    if (actual == expected)
        return true;
    qWarning().noquote() << what << "\n  actual:  " << toString(actual) << "\n  expected:" << toString(expected);
    return false;
}

/// Only the known traces (T to T+1 day), as a filter's time range.
inline TraceQuery known()
{
    TraceQuery q;
    q.startTimeFromUnixNano = T;
    q.startTimeToUnixNano = T + 86400 * S;
    return q;
}

/// The store holds exactly spans().
inline void check(TraceStore& store)
{
    constexpr std::uint64_t Min = 60 * S;
    QString error;
    const auto series = [&](const TraceQuery& q, std::uint64_t bucketNanos) {
        error.clear();
        std::vector<TraceTimeBucket> out = store.traceTimeSeries(q, bucketNanos, &error);
        if (!error.isEmpty())
            qWarning().noquote() << error;
        return out;
    };

    // Hand-computed: per minute, every known trace.
    QVERIFY(equal(series(known(), Min),
        { bucket(T, 2, 4, 1, 1, 107, 23), bucket(T + Min, 2, 3, 1, 2, 1, 1), bucket(T + 2 * Min, 1, 4, 1, 1, 0, 0),
            bucket(T + 60 * Min, 1, 1, 0, 0, 0, 0), bucket(T + 120 * Min, 2, 2, 0, 0, Max, 10) },
        QStringLiteral("per minute")));
    QVERIFY(error.isEmpty());
    // Per day: G and H are the next day.
    const std::uint64_t day = 86400 * S, dayStart = T - 79980 * S;
    QVERIFY(equal(series(known(), day),
        { bucket(dayStart, 6, 12, 3, 4, 108, 24), bucket(dayStart + day, 2, 2, 0, 0, Max, 10) },
        QStringLiteral("per day")));
    // Per second around T+2 min: D's last nanosecond is in the second before E's.
    TraceQuery around = known();
    around.startTimeFromUnixNano = T + 119 * S;
    around.startTimeToUnixNano = T + 121 * S - 1;
    QVERIFY(equal(series(around, S), { bucket(T + 119 * S, 1, 1, 0, 0, 1, 1), bucket(T + 120 * S, 1, 4, 1, 1, 0, 0) },
        QStringLiteral("per second")));
    // The list's filters.
    TraceQuery q = known();
    q.serviceName = QStringLiteral("db");
    QVERIFY(equal(series(q, Min), { bucket(T, 1, 3, 1, 1, 100, 20), bucket(T + 2 * Min, 1, 4, 1, 1, 0, 0) },
        QStringLiteral("service db")));
    q = known();
    q.conversationId = QStringLiteral("conv-1");
    QVERIFY(equal(series(q, Min), { bucket(T, 2, 4, 1, 1, 107, 23) }, QStringLiteral("conversation conv-1")));
    q = known();
    q.minDurationNanos = 1000 * Ms;
    QVERIFY(equal(series(q, Min), { bucket(T, 1, 3, 1, 1, 100, 20), bucket(T + Min, 1, 2, 1, 2, 0, 0) },
        QStringLiteral("at least 1 s")));
    q = known();
    q.startTimeFromUnixNano = T + 60 * S;
    q.startTimeToUnixNano = T + 120 * S;
    QVERIFY(equal(series(q, Min), { bucket(T + Min, 2, 3, 1, 2, 1, 1), bucket(T + 2 * Min, 1, 4, 1, 1, 0, 0) },
        QStringLiteral("T+1 min to T+2 min")));
    q = known();
    q.text = QStringLiteral("CHECKOUT");
    QVERIFY(equal(series(q, Min), { bucket(T + Min, 1, 2, 1, 2, 0, 0) }, QStringLiteral("text CHECKOUT")));
    q = known();
    q.errorsOnly = true;
    QVERIFY(equal(series(q, Min),
        { bucket(T, 1, 3, 1, 1, 100, 20), bucket(T + Min, 1, 2, 1, 2, 0, 0), bucket(T + 2 * Min, 1, 4, 1, 1, 0, 0) },
        QStringLiteral("errors only")));
    q = known();
    q.text = QStringLiteral("no such text anywhere");
    QVERIFY(equal(series(q, Min), {}, QStringLiteral("no match")));
    QVERIFY(error.isEmpty());

    // Bad bucket sizes are errors, not empty answers.
    QVERIFY(store.traceTimeSeries(known(), 0, &error).empty());
    QVERIFY(!error.isEmpty());
    error.clear();
    QVERIFY(store.traceTimeSeries(known(), TraceTimeSeries::MaxBucketNanos + 1, &error).empty());
    QVERIFY(!error.isEmpty());

    // The varied traces: the store's query equals the default implementation, under every filter.
    std::vector<TraceQuery> filters(8);
    filters[1].serviceName = QStringLiteral("svc-2");
    filters[2].text = QStringLiteral("OP-3");
    filters[3].conversationId = QStringLiteral("conv-b");
    filters[4].minDurationNanos = 150 * Ms;
    filters[5].startTimeFromUnixNano = Varied + 600 * S;
    filters[5].startTimeToUnixNano = Varied + 3000 * S;
    filters[6].errorsOnly = true;
    filters[7].serviceName = QStringLiteral("svc-1");
    filters[7].minDurationNanos = 20 * Ms;
    filters[7].startTimeFromUnixNano = Varied + 100 * S;
    for (TraceQuery& f : filters) {
        if (!f.startTimeFromUnixNano)
            f.startTimeFromUnixNano = Varied;
        f.order = TraceOrder::Duration; // ignored
        f.limit = 3; // ignored
    }
    for (std::size_t i = 0; i < filters.size(); ++i) {
        for (const std::uint64_t size : { std::uint64_t(1), S, 7 * S, Min, 3600 * S, day }) {
            const QString what = QStringLiteral("filter %1, bucket %2 ns").arg(i).arg(size);
            const std::vector<TraceTimeBucket> expected = store.TraceStore::traceTimeSeries(filters[i], size, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QVERIFY2(!expected.empty(), qPrintable(what));
            QVERIFY2(equal(series(filters[i], size), expected, what), qPrintable(what));
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
    }
    // Every varied trace is counted once.
    qint64 traces = 0;
    for (const TraceTimeBucket& b : series(filters[0], 7 * S))
        traces += b.traces;
    QCOMPARE(traces, qint64(VariedTraces));
}

} // namespace TraceTimeSeriesCheck
