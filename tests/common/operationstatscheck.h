#pragma once

#include "storage/tracestore.h"

#include <QTest>

#include <cstdint>

/**
 * TraceStore::operationStats, shared by the SQLite and PostgreSQL store tests: a store filled with spans() must
 * answer the hand-computed statistics of two known traces, and for a few hundred generated traces (several
 * services, a span without resource, nested spans with overlapping children, children that start before or end
 * after their parent, spans that end before they start, dangling parents, a parent cycle, ties in start time,
 * errors) exactly what the default implementation (TraceStore's, which reads every matching trace's spans in full)
 * answers, every field of every operation, durations included, under each filter of the trace list and for filters
 * that match nothing.
 */
namespace OperationStatsCheck {

constexpr std::uint64_t S = 1'000'000'000ull;
constexpr std::uint64_t Ms = 1'000'000ull;
/// The known traces start at T and T + 1 s; the generated ones from Varied on.
constexpr std::uint64_t T = 1'650'000'000ull * S;
constexpr std::uint64_t Varied = T + 86400 * S;
constexpr int VariedTraces = 300;

inline TraceId traceIdOf(int n) { return TraceId::fromHex(QStringLiteral("5c%1").arg(n, 30, 16, QLatin1Char('0'))); }
inline SpanId spanIdOf(std::uint64_t n)
{
    return SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0')));
}

/// A span of trace `trace`; `service` null: no resource at all; `parent` 0: a root.
inline Span spanOf(int trace, std::uint64_t id, std::uint64_t parent, const char* service, const QString& name,
    std::uint64_t start, std::uint64_t end, bool error = false)
{
    Span s;
    s.traceId = traceIdOf(trace);
    s.spanId = spanIdOf(id);
    if (parent)
        s.parentSpanId = spanIdOf(parent);
    s.name = name;
    s.kind = SpanKind::Internal;
    s.startTimeUnixNano = start;
    s.endTimeUnixNano = end;
    if (service) {
        auto r = std::make_shared<Resource>();
        r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QString::fromUtf8(service)) },
            { QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("host-1")) } };
        s.resource = r;
    }
    s.attributes = { { QStringLiteral("http.route"), AnyValue::fromString(QStringLiteral("/items/{id}")) } };
    if (error) {
        s.statusCode = StatusCode::Error;
        s.statusMessage = QStringLiteral("failed");
    }
    return s;
}

/// Deterministic pseudo-random numbers (a 64-bit LCG), the same on every platform.
class Lcg {
public:
    explicit Lcg(std::uint64_t seed)
        : m_state(seed)
    {
    }
    /// 0 to n - 1
    std::uint64_t below(std::uint64_t n)
    {
        m_state = m_state * 6364136223846793005ull + 1442695040888963407ull;
        return (m_state >> 33) % n;
    }

private:
    std::uint64_t m_state;
};

/// The known traces 1 and 2 (see checkKnown) and the generated ones (100 on).
inline std::vector<Span> spans()
{
    const QString cart = QStringLiteral("GET /cart"), select = QStringLiteral("SELECT");
    std::vector<Span> out {
        // Trace 1 at T: the root's children overlap (10-40, 30-60 ms) and one outlives it (90-150 ms).
        spanOf(1, 1, 0, "api", cart, T, T + 100 * Ms),
        spanOf(1, 2, 1, "db", select, T + 10 * Ms, T + 40 * Ms, true),
        spanOf(1, 3, 1, "db", select, T + 30 * Ms, T + 60 * Ms),
        spanOf(1, 4, 1, "cache", QStringLiteral("get"), T + 90 * Ms, T + 150 * Ms),
        spanOf(1, 5, 3, "db", QStringLiteral("fetch"), T + 50 * Ms, T + 55 * Ms),
        // Trace 2 at T + 1 s: a failed root, a child, a child that ends before it starts, a span without resource
        // whose parent is not in the trace.
        spanOf(2, 1, 0, "api", cart, T + S, T + S + 20 * Ms, true),
        spanOf(2, 2, 1, "db", select, T + S + 5 * Ms, T + S + 15 * Ms),
        spanOf(2, 3, 1, "db", select, T + S + 12 * Ms, T + S + 8 * Ms),
        spanOf(2, 4, 99, nullptr, QStringLiteral("orphan"), T + S, T + S + 7 * Ms),
    };

    const char* services[] = { "svc-0", "svc-1", "svc-2", "svc-3", "caf\xc3\xa9", nullptr };
    const QString names[] = { QStringLiteral("checkout"), QStringLiteral("charge"), QStringLiteral("SELECT"),
        QStringLiteral("GET /items"), QString::fromUtf8("\xf0\x9d\x84\x9e render"),
        QString::fromUtf8("\xef\xbd\x9e wait") };
    Lcg rng(20261205);
    std::uint64_t start = Varied;
    for (int n = 0; n < VariedTraces; ++n) {
        const int trace = 100 + n;
        start += rng.below(4) * S + rng.below(1000) * Ms; // sometimes the same start as the previous trace
        const int count = 1 + int(rng.below(12));
        std::vector<Span> spans;
        for (int i = 0; i < count; ++i) {
            const std::uint64_t id = std::uint64_t(trace) * 1000 + std::uint64_t(i) + 1;
            std::uint64_t parent = 0, from = start, length = 200 * Ms;
            if (i > 0) {
                const std::uint64_t pick = rng.below(20);
                if (pick == 0) {
                    parent = 999; // dangling: no such span
                } else {
                    const std::uint64_t index = rng.below(std::uint64_t(i));
                    const Span& p = spans[std::size_t(index)];
                    parent = std::uint64_t(trace) * 1000 + index + 1;
                    from = p.startTimeUnixNano;
                    length = p.durationNanos() + 1;
                }
            }
            // Mostly inside the parent; sometimes before its start, past its end, or at its very start.
            std::uint64_t s = from + rng.below(length);
            const std::uint64_t shape = rng.below(10);
            if (shape == 0 && s > 5 * Ms)
                s -= 5 * Ms;
            else if (shape == 1)
                s = from;
            std::uint64_t e = s + rng.below(length + 1);
            if (shape == 2)
                e = s + length + rng.below(50 * Ms); // outlives the parent
            else if (shape == 3 && s > 3 * Ms)
                e = s - 3 * Ms; // ends before it starts
            else if (shape == 4)
                e = s; // no duration
            spans.push_back(
                spanOf(trace, id, parent, services[rng.below(6)], names[rng.below(6)], s, e, rng.below(7) == 0));
        }
        if (n % 10 == 3 && count >= 3) {
            // A parent cycle: the second and third span are each other's parents.
            spans[1].parentSpanId = spans[2].spanId;
            spans[2].parentSpanId = spans[1].spanId;
        }
        if (n % 8 == 0)
            spans.back().attributes.push_back({ QStringLiteral("gen_ai.conversation.id"),
                AnyValue::fromString(QStringLiteral("conv-%1").arg(n % 3)) });
        for (Span& span : spans)
            out.push_back(std::move(span));
    }
    return out;
}

inline OperationStats op(const char* service, const QString& name, qint64 count, qint64 errors, std::uint64_t total,
    std::uint64_t self, std::uint64_t min, std::uint64_t p50, std::uint64_t p95, std::uint64_t max)
{
    OperationStats s;
    s.serviceName = QString::fromUtf8(service);
    s.spanName = name;
    s.count = count;
    s.errors = errors;
    s.totalNanos = total;
    s.selfNanos = self;
    s.minNanos = min;
    s.p50Nanos = p50;
    s.p95Nanos = p95;
    s.maxNanos = max;
    return s;
}

inline QString toString(const std::vector<OperationStats>& stats)
{
    QStringList rows;
    for (const OperationStats& s : stats) {
        QStringList durations;
        for (const std::uint64_t d : s.durations)
            durations << QString::number(d);
        rows << QStringLiteral("{%1/%2: %3 spans %4 errors total %5 self %6 min %7 p50 %8 p95 %9 max %10 [%11]}")
                    .arg(s.serviceName, s.spanName)
                    .arg(s.count)
                    .arg(s.errors)
                    .arg(s.totalNanos)
                    .arg(s.selfNanos)
                    .arg(s.minNanos)
                    .arg(s.p50Nanos)
                    .arg(s.p95Nanos)
                    .arg(s.maxNanos)
                    .arg(durations.join(QLatin1Char(',')));
    }
    return rows.join(QLatin1Char('\n'));
}

/// Every field of every operation, in order, durations included.
inline bool equal(
    const std::vector<OperationStats>& actual, const std::vector<OperationStats>& expected, const QString& what)
{
    bool same = actual.size() == expected.size();
    for (std::size_t i = 0; same && i < actual.size(); ++i) {
        const OperationStats &a = actual[i], &e = expected[i];
        same = a.serviceName == e.serviceName && a.spanName == e.spanName && a.count == e.count && a.errors == e.errors
            && a.totalNanos == e.totalNanos && a.selfNanos == e.selfNanos && a.minNanos == e.minNanos
            && a.p50Nanos == e.p50Nanos && a.p95Nanos == e.p95Nanos && a.maxNanos == e.maxNanos
            && a.durations == e.durations;
    }
    if (!same)
        qWarning().noquote() << what << "\n  actual:\n" << toString(actual) << "\n  expected:\n" << toString(expected);
    return same;
}

/// The known traces only, as a filter's time range.
inline TraceQuery known()
{
    TraceQuery q;
    q.startTimeFromUnixNano = T;
    q.startTimeToUnixNano = T + 10 * S;
    return q;
}

/// The store holds exactly spans().
inline void check(TraceStore& store)
{
    QString error;
    const auto stats = [&](const TraceQuery& q, bool keepDurations = false) {
        error.clear();
        std::vector<OperationStats> out = store.operationStats(q, &error, {}, keepDurations);
        if (!error.isEmpty())
            qWarning().noquote() << error;
        return out;
    };

    // Hand-computed. Trace 1: the root's children cover 10-60 ms (overlap counted once) and 90-100 ms (the part
    // inside it): self 100 - 60 = 40 ms; the second SELECT has the 5 ms fetch inside: self 25 ms. Trace 2: the
    // root's children cover 5-15 ms (the one that ends before it starts covers nothing): self 10 ms; the orphan is
    // a root of its own. Nearest rank: p50 of 4 values is the 2nd, p95 the 4th; of 2 values the 1st and the 2nd.
    const QString cart = QStringLiteral("GET /cart"), select = QStringLiteral("SELECT");
    QVERIFY(equal(stats(known()),
        { op("api", cart, 2, 1, 120 * Ms, 50 * Ms, 20 * Ms, 20 * Ms, 100 * Ms, 100 * Ms),
            op("db", select, 4, 1, 70 * Ms, 65 * Ms, 0, 10 * Ms, 30 * Ms, 30 * Ms),
            op("cache", QStringLiteral("get"), 1, 0, 60 * Ms, 60 * Ms, 60 * Ms, 60 * Ms, 60 * Ms, 60 * Ms),
            op("", QStringLiteral("orphan"), 1, 0, 7 * Ms, 7 * Ms, 7 * Ms, 7 * Ms, 7 * Ms, 7 * Ms),
            op("db", QStringLiteral("fetch"), 1, 0, 5 * Ms, 5 * Ms, 5 * Ms, 5 * Ms, 5 * Ms, 5 * Ms) },
        QStringLiteral("known traces")));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    std::vector<OperationStats> withDurations = stats(known(), true);
    QCOMPARE(withDurations.size(), std::size_t(5));
    QCOMPARE(withDurations[1].durations, (std::vector<std::uint64_t> { 0, 10 * Ms, 30 * Ms, 30 * Ms }));
    TraceQuery q = known();
    q.errorsOnly = true;
    q.startTimeFromUnixNano = T + 1;
    QVERIFY(equal(stats(q),
        { op("api", cart, 1, 1, 20 * Ms, 10 * Ms, 20 * Ms, 20 * Ms, 20 * Ms, 20 * Ms),
            op("db", select, 2, 0, 10 * Ms, 10 * Ms, 0, 0, 10 * Ms, 10 * Ms),
            op("", QStringLiteral("orphan"), 1, 0, 7 * Ms, 7 * Ms, 7 * Ms, 7 * Ms, 7 * Ms, 7 * Ms) },
        QStringLiteral("trace 2 only")));

    // Nothing matches: empty, no error.
    q = known();
    q.serviceName = QStringLiteral("no-such-service");
    QVERIFY(stats(q).empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    q = TraceQuery();
    q.text = QStringLiteral("no such text anywhere");
    QVERIFY(stats(q).empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // Cancelled before the first trace, and after a few: empty, no error.
    QVERIFY(store.operationStats(TraceQuery(), &error, [] { return true; }).empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    int asked = 0;
    QVERIFY(store.operationStats(TraceQuery(), &error, [&asked] { return ++asked > 5; }).empty());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(asked > 5);

    // The generated traces: the store's answer equals the default implementation, under every filter.
    std::vector<TraceQuery> filters(11);
    filters[1].serviceName = QStringLiteral("svc-2");
    filters[2].serviceName = QString::fromUtf8("caf\xc3\xa9");
    filters[3].text = QStringLiteral("CHECKOUT");
    filters[4].conversationId = QStringLiteral("conv-1");
    filters[5].minDurationNanos = 250 * Ms;
    filters[6].startTimeFromUnixNano = Varied + 100 * S;
    filters[6].startTimeToUnixNano = Varied + 300 * S;
    filters[7].errorsOnly = true;
    filters[8].serviceName = QStringLiteral("svc-1");
    filters[8].errorsOnly = true;
    filters[8].startTimeFromUnixNano = Varied + 50 * S;
    filters[9].startTimeToUnixNano = T + 10 * S; // the known traces through an open start
    filters[10].text = QStringLiteral("render");
    filters[10].order = TraceOrder::Duration; // ignored
    filters[10].limit = 3; // ignored
    filters[10].descending = false; // ignored
    qint64 everySpan = 0;
    for (std::size_t i = 0; i < filters.size(); ++i) {
        for (const bool keep : { false, true }) {
            const QString what
                = QStringLiteral("filter %1%2").arg(i).arg(keep ? QStringLiteral(", with durations") : QString());
            error.clear();
            const std::vector<OperationStats> expected = store.TraceStore::operationStats(filters[i], &error, {}, keep);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QVERIFY2(!expected.empty(), qPrintable(what));
            QVERIFY2(equal(stats(filters[i], keep), expected, what), qPrintable(what));
            QVERIFY2(error.isEmpty(), qPrintable(error));
            if (i == 0 && !keep)
                for (const OperationStats& s : expected)
                    everySpan += s.count;
        }
    }
    // Every stored span counted once, under its own service (the one without resource included).
    QCOMPARE(everySpan, qint64(spans().size()));
}

} // namespace OperationStatsCheck
