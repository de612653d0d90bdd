// Self time of spans (model/spanselftime.h) and statistics per operation (model/operationstats.h): known answers,
// percentiles by nearest rank, errors, the order of the result, and the store's default over matching traces.

#include "model/operationstats.h"
#include "model/spanselftime.h"

#include "../common/memorytracestore.h"

#include <QTest>

#include <algorithm>
#include <numeric>

namespace {

constexpr std::uint64_t T0 = 1'700'000'000'000'000'000ULL;

std::vector<Span> spansOf(const TraceId& trace, const QString& lines)
{
    // "id parent service name start end [error]" per line, times in ns after T0.
    std::vector<Span> spans;
    for (const QString& line : lines.split(QLatin1Char('\n'))) {
        const QStringList f = line.split(QLatin1Char(' '));
        Span s = TestSpans::make(trace, f[0].toULongLong(), f[1].toULongLong(), f[3], TestSpans::resource(f[2]),
                                 T0 + f[4].toULongLong(), T0 + f[5].toULongLong());
        if (f.size() > 6)
            s.statusCode = StatusCode::Error;
        spans.push_back(s);
    }
    return spans;
}

} // namespace

class TestOperationStats : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selfTime_data()
    {
        QTest::addColumn<QString>("spans");
        QTest::addColumn<QString>("self"); // per span id 1, 2, ...
        QTest::newRow("no children") << "1 0 a x 0 100" << "100";
        QTest::newRow("sequential children") << "1 0 a x 0 100\n2 1 a y 10 30\n3 1 a z 50 60" << "70 20 10";
        QTest::newRow("overlapping children count once") << "1 0 a x 0 100\n2 1 a y 10 50\n3 1 a z 40 70\n4 1 a w 45 60"
                                                         << "40 40 30 15";
        QTest::newRow("a child inside another") << "1 0 a x 0 100\n2 1 a y 10 90\n3 1 a z 20 30" << "20 80 10";
        QTest::newRow("children outliving the span are clipped") << "1 0 a x 0 100\n2 1 a y 80 150\n3 1 a z 0 0"
                                                                 << "80 70 0";
        QTest::newRow("a child before the span (clock skew)") << "1 0 a x 100 200\n2 1 a y 50 120" << "80 70";
        QTest::newRow("nested: grandchildren are the child's") << "1 0 a x 0 100\n2 1 a y 10 60\n3 2 a z 20 50"
                                                               << "50 20 30";
        QTest::newRow("no duration") << "1 0 a x 100 50\n2 1 a y 60 70" << "0 10";
    }
    void selfTime()
    {
        QFETCH(QString, spans);
        QFETCH(QString, self);
        const auto tree = SpanTree::build(spansOf(TestSpans::traceId(1), spans));
        const std::vector<std::uint64_t> times = SpanSelfTime::compute(*tree);
        QStringList got;
        for (int id = 1; id <= int(tree->spans.size()); ++id)
            got << QString::number(times[std::size_t(tree->indexOf(TestSpans::spanId(quint64(id))))]);
        QCOMPARE(got.join(QLatin1Char(' ')), self);
    }

    void statsOfOneTrace()
    {
        // GET /a runs 100 ns and calls the db 4 times (10, 20, 30, 40 ns, one failing) and the cache once.
        const auto tree = SpanTree::build(spansOf(TestSpans::traceId(1),
            QStringLiteral("1 0 web GET/a 0 100\n2 1 db query 0 10\n3 1 db query 10 30\n4 1 db query 30 60 e\n"
                           "5 1 db query 60 100\n6 1 cache get 0 5")));
        OperationStatsBuilder builder;
        builder.addTrace(*tree);
        QCOMPARE(builder.spanCount(), 6);
        const std::vector<OperationStats> stats = builder.result();
        QCOMPARE(int(stats.size()), 3);
        // Longest total first: web GET/a and db query both total 100; ties by service.
        QCOMPARE(stats[0].serviceName, QStringLiteral("db"));
        QCOMPARE(stats[1].serviceName, QStringLiteral("web"));
        QCOMPARE(stats[2].serviceName, QStringLiteral("cache"));
        const OperationStats& db = stats[0];
        QCOMPARE(db.spanName, QStringLiteral("query"));
        QCOMPARE(db.count, 4);
        QCOMPARE(db.errors, 1);
        QCOMPARE(db.totalNanos, 100ULL);
        QCOMPARE(db.selfNanos, 100ULL);
        QCOMPARE(db.minNanos, 10ULL);
        QCOMPARE(db.maxNanos, 40ULL);
        QCOMPARE(db.p50Nanos, 20ULL); // nearest rank: ceil(0.5 * 4) = 2nd
        QCOMPARE(db.p95Nanos, 40ULL); // ceil(0.95 * 4) = 4th
        QCOMPARE(db.meanNanos(), 25.0);
        QCOMPARE(stats[1].selfNanos, 0ULL); // the db calls cover all of GET /a
        QCOMPARE(stats[1].errors, 0);
    }

    void percentilesByNearestRank()
    {
        OperationStatsBuilder builder;
        for (std::uint64_t d = 100; d >= 1; --d) // 1..100 ns, in reverse
            builder.addSpan(QStringLiteral("svc"), QStringLiteral("op"), d, d, false);
        const OperationStats s = builder.result().front();
        QCOMPARE(s.count, 100);
        QCOMPARE(s.p50Nanos, 50ULL);
        QCOMPARE(s.p95Nanos, 95ULL);
        QCOMPARE(s.minNanos, 1ULL);
        QCOMPARE(s.maxNanos, 100ULL);
        QCOMPARE(s.totalNanos, 5050ULL);
        QVERIFY(s.durations.empty()); // not kept unless asked
        const OperationStats kept = builder.result(true).front();
        QCOMPARE(int(kept.durations.size()), 100);
        QVERIFY(std::is_sorted(kept.durations.begin(), kept.durations.end()));
        const OperationStats::Histogram h = kept.histogram(10);
        QCOMPARE(h.binWidthNanos, 10ULL);
        QCOMPARE(int(h.counts.size()), 10);
        QCOMPARE(h.lowerEdges.front(), 1ULL);
        QCOMPARE(h.lowerEdges.back(), 91ULL);
        for (const qint64 c : h.counts)
            QCOMPARE(c, 10);
        QVERIFY(s.histogram(10).counts.empty());
        OperationStatsBuilder one;
        one.addSpan(QStringLiteral("svc"), QStringLiteral("op"), 7, 7, true);
        QCOMPARE(one.result().front().p95Nanos, 7ULL);
        QCOMPARE(one.result().front().p50Nanos, 7ULL);
        const OperationStats::Histogram single = one.result(true).front().histogram(5);
        QCOMPARE(single.counts.front(), 1); // one value: the first bin
        QCOMPARE(std::accumulate(single.counts.begin(), single.counts.end(), qint64(0)), 1);
        QVERIFY(OperationStatsBuilder().result().empty());
    }

    void storeDefaultOverMatchingTraces()
    {
        MemoryTraceStore store;
        QVERIFY(store.addSpans(spansOf(TestSpans::traceId(1), QStringLiteral("1 0 web GET/a 0 100\n2 1 db query 10 30"))).ok);
        QVERIFY(store.addSpans(spansOf(TestSpans::traceId(2), QStringLiteral("3 0 web GET/a 1000 1050\n4 3 db query 1010 1020 e"))).ok);
        QVERIFY(store.addSpans(spansOf(TestSpans::traceId(3), QStringLiteral("5 0 batch job 2000 9000"))).ok);
        QString error;
        std::vector<OperationStats> all = store.operationStats(TraceQuery(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(int(all.size()), 3);
        QCOMPARE(all[0].spanName, QStringLiteral("job"));
        QCOMPARE(all[1].spanName, QStringLiteral("GET/a"));
        QCOMPARE(all[1].count, 2);
        QCOMPARE(all[1].totalNanos, 150ULL);
        QCOMPARE(all[1].selfNanos, 120ULL);
        QCOMPARE(all[2].errors, 1);
        // The filter applies: a service, a time range.
        TraceQuery web;
        web.serviceName = QStringLiteral("db");
        QCOMPARE(int(store.operationStats(web, &error).size()), 2);
        TraceQuery early;
        early.startTimeToUnixNano = T0 + 500;
        const std::vector<OperationStats> first = store.operationStats(early, &error);
        QCOMPARE(int(first.size()), 2);
        QCOMPARE(first[0].count, 1);
        // Cancelled: nothing.
        QVERIFY(store.operationStats(TraceQuery(), &error, [] { return true; }).empty());
        QVERIFY(error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestOperationStats)
#include "tst_operationstats.moc"
