#pragma once

#include "storage/tracestore.h"

#include <QSet>
#include <QTest>

#include <algorithm>

/**
 * The store half of "the trace list is sorted by the store", shared by the SQLite and PostgreSQL store tests:
 * 1,000 traces whose sort keys do not follow their start, and a check that every TraceOrder pages through them
 * (keyset cursors) in the order TraceOrdering defines, which is the order TraceListModel merges live rows with.
 */
namespace TraceOrderingCheck {

constexpr int Traces = 1000;
constexpr std::uint64_t T0 = 1'700'000'000'000'000'000ull;
constexpr std::uint64_t Ms = 1'000'000ull;

inline TraceId traceIdOf(int n) { return TraceId::fromHex(QStringLiteral("%1").arg(n, 32, 16, QLatin1Char('0'))); }

inline std::shared_ptr<const Resource> resourceOf(const QString& service)
{
    auto r = std::make_shared<Resource>();
    r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(service) } };
    return r;
}

inline Span spanOf(int trace, int id, int parent, const QString& name, std::shared_ptr<const Resource> resource,
    std::uint64_t start, std::uint64_t end)
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
    s.resource = std::move(resource);
    return s;
}

/// The models of the LLM calls: priced (by prices()) or not, "" for none.
inline const std::vector<QString>& models()
{
    static const std::vector<QString> list { QStringLiteral("gpt-4o-mini"), QStringLiteral("GPT-4o-2024-08"),
        QStringLiteral("mystery"), QStringLiteral("claude_x"), QStringLiteral("claudeYx"), QStringLiteral("o3-mini"),
        QString(), QStringLiteral("gpt-4o") };
    return list;
}

/// The prices of TraceOrder::Cost: a longer pattern beats a shorter one; of two as long, the first wins; `_` and
/// `%` are literal (claudeYx has no price); case is ignored; one model costs EUR.
inline std::shared_ptr<const PriceTable> prices()
{
    auto table = std::make_shared<PriceTable>();
    const auto add = [&](const char* pattern, double in, double out, std::optional<double> cached, const char* currency) {
        PriceTable::Price p;
        p.pattern = QString::fromLatin1(pattern);
        p.inputPerMillion = in;
        p.outputPerMillion = out;
        p.cachedInputPerMillion = cached;
        p.currency = QString::fromLatin1(currency);
        table->prices.push_back(p);
    };
    add("gpt-4o*", 2.5, 10, 1.25, "USD");
    add("gpt-4o-mini*", 0.15, 0.6, 0.075, "USD");
    add("gpt-4o-2024*", 2.0, 8, std::nullopt, "USD");
    add("gpt-4o-202?*", 7.0, 7, std::nullopt, "USD");
    add("claude_x", 3, 15, 0.3, "EUR");
    add("o?-mini", 1.1, 4.4, 0.55, "USD");
    add("%", 100, 100, std::nullopt, "USD");
    return table;
}

/// Trace n starts at T0 + n ms; trace 1, the oldest (last by start), is by far the longest. Every other key repeats
/// (ties for the trace id to break); names include U+FF21 and U+1F600, whose UTF-16 order differs from code point
/// order.
inline std::vector<Span> spans()
{
    std::vector<Span> out;
    const auto db = resourceOf(QStringLiteral("db"));
    const QString prefixes[] = { QStringLiteral("op"), QStringLiteral("\uFF21op"), QStringLiteral("\U0001F600op"),
        QStringLiteral("Op"), QStringLiteral("öp") };
    for (int t = 1; t <= Traces; ++t) {
        const std::uint64_t start = T0 + std::uint64_t(t) * Ms;
        const std::uint64_t duration = t == 1 ? 3'600'000 * Ms : std::uint64_t((t * 7919) % 97 + 1) * Ms;
        Span root = spanOf(t, 1, 0, prefixes[t % 5] + QString::number(t % 11),
            resourceOf(QStringLiteral("svc-%1").arg(t % 7)), start, start + duration);
        if (t % 3 == 0) { // an LLM call: tokens count on LLM call spans only
            root.attributes = { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
                { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(t % 13) },
                { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(t % 4) },
                { QStringLiteral("gen_ai.usage.cache_read.input_tokens"), AnyValue::fromInt(t % 5) } };
            const QString model = models()[std::size_t(t / 3) % models().size()];
            if (!model.isEmpty())
                root.attributes.push_back({ QStringLiteral("gen_ai.request.model"), AnyValue::fromString(model) });
        }
        out.push_back(root);
        for (int c = 0; c < t % 4; ++c) {
            Span child = spanOf(t, 2 + c, 1, QStringLiteral("child"), db, start + Ms, start + 2 * Ms);
            if ((t + c) % 5 == 0)
                child.statusCode = StatusCode::Error;
            if ((t + c) % 3 == 1)
                child.attributes = { { QStringLiteral("gen_ai.operation.name"),
                    AnyValue::fromString(c % 2 ? QStringLiteral("execute_tool") : QStringLiteral("chat")) } };
            if ((t + c) % 3 == 1 && c % 2 == 0 && t % 7 == 0) { // a second model: in EUR, or without a price
                child.attributes.push_back({ QStringLiteral("gen_ai.request.model"),
                    AnyValue::fromString(t % 2 ? QStringLiteral("claude_x") : QStringLiteral("mystery")) });
                child.attributes.push_back({ QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(t % 3) });
            }
            out.push_back(child);
        }
    }
    return out;
}

inline std::vector<TraceSummary> pageAll(TraceStore& store, TraceQuery query, int pageSize)
{
    std::vector<TraceSummary> all;
    query.limit = pageSize;
    for (int guard = 0; guard <= Traces; ++guard) {
        QString error;
        const std::vector<TraceSummary> page = store.listTraces(query, &error);
        if (!error.isEmpty())
            qWarning() << error;
        all.insert(all.end(), page.begin(), page.end());
        if (int(page.size()) < pageSize)
            break;
        query.setCursor(page.back());
    }
    return all;
}

/// The store holds exactly spans(): every order and direction, with and without a service filter, pages through
/// every matching trace once, in order.
inline void checkEveryOrder(TraceStore& store)
{
    TraceQuery everything;
    everything.limit = 2 * Traces;
    const std::vector<TraceSummary> all = store.listTraces(everything);
    QCOMPARE(int(all.size()), Traces);
    // The longest trace is on the last page by start time, and first by duration.
    QCOMPARE(all.back().traceId, traceIdOf(1));
    TraceQuery longest;
    longest.order = TraceOrder::Duration;
    longest.limit = 10;
    const std::vector<TraceSummary> top = store.listTraces(longest);
    QVERIFY(!top.empty());
    QCOMPARE(top.front().traceId, traceIdOf(1));
    QCOMPARE(top.front().durationNanos(), 3'600'000 * Ms);

    const TraceOrder orders[] = { TraceOrder::StartTime, TraceOrder::Duration, TraceOrder::SpanCount,
        TraceOrder::ErrorCount, TraceOrder::Service, TraceOrder::Name, TraceOrder::Tokens, TraceOrder::LlmCalls,
        TraceOrder::ToolCalls, TraceOrder::InputTokens, TraceOrder::OutputTokens, TraceOrder::Cost };
    const std::shared_ptr<const PriceTable> table = prices();
    // The cost keys cover every case: priced in USD, in EUR, without a price, mixed currencies, nothing priced.
    QSet<double> keys;
    for (const TraceSummary& s : all)
        keys.insert(TraceOrdering::costKey(s.modelUsage, table.get()));
    QVERIFY(keys.contains(-1));
    QVERIFY(keys.contains(0));
    QVERIFY2(keys.size() > 20, qPrintable(QString::number(keys.size())));
    for (const TraceOrder order : orders) {
        for (const bool descending : { true, false }) {
            for (const QString& service : { QString(), QStringLiteral("svc-3") }) {
                const QByteArray what = QStringLiteral("order %1 %2 service \"%3\"")
                                            .arg(int(order))
                                            .arg(descending ? QStringLiteral("desc") : QStringLiteral("asc"), service)
                                            .toUtf8();
                std::vector<TraceSummary> expected;
                for (const TraceSummary& s : all)
                    if (service.isEmpty() || s.services.contains(service))
                        expected.push_back(s);
                std::sort(expected.begin(), expected.end(), [&](const TraceSummary& a, const TraceSummary& b) {
                    return TraceOrdering::before(a, b, order, descending, table.get());
                });
                TraceQuery query;
                query.prices = table;
                query.order = order;
                query.descending = descending;
                query.serviceName = service;
                const std::vector<TraceSummary> paged = pageAll(store, query, 64);
                QVERIFY2(paged.size() == expected.size(), what.constData());
                QSet<TraceId> seen;
                for (std::size_t i = 0; i < paged.size(); ++i) {
                    seen.insert(paged[i].traceId);
                    if (paged[i].traceId != expected[i].traceId)
                        QFAIL(qPrintable(QStringLiteral("%1: row %2 is %3, expected %4")
                                             .arg(QString::fromUtf8(what))
                                             .arg(i)
                                             .arg(paged[i].traceId.toHex(), expected[i].traceId.toHex())));
                }
                QVERIFY2(seen.size() == qsizetype(expected.size()), what.constData());
            }
        }
    }
}

} // namespace TraceOrderingCheck
