// TimeOverview (span density per bin, idle gaps) and TimeAxis (collapsed gaps) on traces with known answers:
// nested and overlapping spans, spans without duration, spans ending on a bin boundary, error spans, a trace of one
// span, an empty trace, gaps under and over the threshold, and the axis mapping with its inverse.

#include "model/timeaxis.h"
#include "model/timeoverview.h"

#include <QTest>

#include <random>

namespace {

constexpr std::uint64_t T0 = 1'700'000'000'000'000'000ULL;
constexpr std::uint64_t Ms = 1'000'000;

struct Builder {
    std::vector<Span> spans;

    /// Adds span `id` under `parent` (0: root) from `start` to `end`, ns after T0.
    Builder& add(int id, int parent, std::uint64_t start, std::uint64_t end, bool error = false)
    {
        Span s;
        s.traceId = TraceId::fromHex(QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
        s.spanId = SpanId::fromHex(QStringLiteral("%1").arg(id, 16, 16, QLatin1Char('0')));
        if (parent)
            s.parentSpanId = SpanId::fromHex(QStringLiteral("%1").arg(parent, 16, 16, QLatin1Char('0')));
        s.name = QStringLiteral("span %1").arg(id);
        s.startTimeUnixNano = T0 + start;
        s.endTimeUnixNano = T0 + end;
        s.statusCode = error ? StatusCode::Error : StatusCode::Unset;
        spans.push_back(s);
        return *this;
    }
    std::shared_ptr<const SpanTree> tree() const { return SpanTree::build(spans); }
};

std::vector<std::uint32_t> counts(std::initializer_list<std::uint32_t> values)
{
    return std::vector<std::uint32_t>(values);
}

QString gapsText(const std::vector<TimeOverview::Gap>& gaps)
{
    QStringList parts;
    for (const TimeOverview::Gap& gap : gaps)
        parts << QStringLiteral("%1-%2").arg(gap.start).arg(gap.end);
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestTimeOverview : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void densityPerBin()
    {
        // 100 ns in 10 bins of 10 ns: root 0-100, a child 5-25 (bins 0..2), an error child 30-40 (bin 3 only: 40 is
        // the boundary of bin 4 and belongs to bin 3), a point span at 55 (bin 5), a grandchild 60-61 (bin 6).
        Builder b;
        b.add(1, 0, 0, 100).add(2, 1, 5, 25).add(3, 1, 30, 40, true).add(4, 1, 55, 55).add(6, 1, 58, 70).add(5, 6, 60, 61);
        const auto overview = TimeOverview::build(*b.tree(), 10);
        QCOMPARE(overview->durationNanos, 100u);
        QCOMPARE(overview->binCount(), 10);
        QCOMPARE(overview->active, counts({ 2, 2, 2, 2, 1, 3, 3, 1, 1, 1 }));
        QCOMPARE(overview->errors, counts({ 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 }));
        QCOMPARE(overview->maxActive, 3u);
        QCOMPARE(overview->binStart(3), 30.0);
        QCOMPARE(overview->binAt(39.9), 3);
        QCOMPARE(overview->binAt(100), 9);
        QCOMPARE(overview->binAt(-5), 0);
    }

    void overlappingErrors()
    {
        // Three error spans overlapping in bin 1, one reaching the trace's last ns.
        Builder b;
        b.add(1, 0, 0, 20, true).add(2, 0, 10, 30, true).add(3, 0, 15, 40, true);
        const auto overview = TimeOverview::build(*b.tree(), 4);
        QCOMPARE(overview->active, counts({ 1, 3, 2, 1 }));
        QCOMPARE(overview->errors, counts({ 1, 3, 2, 1 }));
        QCOMPARE(overview->maxActive, 3u);
    }

    void oneSpanTrace()
    {
        Builder b;
        b.add(1, 0, 0, 7 * Ms);
        const auto overview = TimeOverview::build(*b.tree(), 16);
        QCOMPARE(overview->active, std::vector<std::uint32_t>(16, 1));
        QCOMPARE(overview->maxActive, 1u);
        QVERIFY(overview->gaps.empty());
    }

    void zeroDurationTrace()
    {
        // Every span at one instant: the trace lasts 0 ns, all of it in bin 0.
        Builder b;
        b.add(1, 0, 5, 5, true).add(2, 1, 5, 5);
        const auto overview = TimeOverview::build(*b.tree(), 8);
        QCOMPARE(overview->durationNanos, 0u);
        QCOMPARE(overview->active, counts({ 2, 0, 0, 0, 0, 0, 0, 0 }));
        QCOMPARE(overview->errors, counts({ 1, 0, 0, 0, 0, 0, 0, 0 }));
        QVERIFY(overview->gaps.empty());
    }

    void emptyTrace()
    {
        const auto overview = TimeOverview::build(*SpanTree::build({}), 8);
        QCOMPARE(overview->durationNanos, 0u);
        QCOMPARE(overview->active, std::vector<std::uint32_t>(8, 0));
        QCOMPARE(overview->maxActive, 0u);
        QVERIFY(overview->gaps.empty());
        QVERIFY(TimeOverview::idleGaps(*SpanTree::build({})).empty());
    }

    void hugeTraceDoesNotOverflow()
    {
        // A year of ns times 2048 bins is beyond 64 bits; the last span still lands in the last bin.
        const std::uint64_t year = 365ULL * 86'400ULL * 1'000'000'000ULL;
        Builder b;
        b.add(1, 0, 0, Ms).add(2, 0, year - Ms, year);
        const auto overview = TimeOverview::build(*b.tree());
        QCOMPARE(overview->active.front(), 1u);
        QCOMPARE(overview->active.back(), 1u);
        QCOMPARE(overview->active[1024], 0u);
        QCOMPARE(gapsText(overview->gaps), QStringLiteral("%1-%2").arg(Ms).arg(year - Ms));
    }

    void idleGaps()
    {
        // Busy 0-10, 5-12 (overlapping) holding 6-8; idle 12-20; busy 20-25; idle 25-40 split by a span without
        // duration at 30; busy 40-50 holding 41-49.
        Builder b;
        b.add(1, 0, 0, 10).add(2, 0, 5, 12).add(3, 2, 6, 8).add(4, 0, 20, 25).add(5, 0, 30, 30).add(6, 0, 40, 50)
            .add(7, 6, 41, 49);
        QCOMPARE(gapsText(TimeOverview::idleGaps(*b.tree())), QStringLiteral("12-20 25-30 30-40"));
    }

    void idleGapsWithChildOutlivingParent()
    {
        // The child ends after its parent: the time up to the child's end is busy.
        Builder b;
        b.add(1, 0, 0, 10).add(2, 1, 5, 30).add(3, 0, 40, 41);
        QCOMPARE(gapsText(TimeOverview::idleGaps(*b.tree())), QStringLiteral("30-40"));
    }

    void keptGaps()
    {
        // A 1 s trace: kept gaps last at least 5% (50 ms) and at least 1 ms.
        std::vector<TimeOverview::Gap> all { { 0, 49 * Ms }, { 100 * Ms, 150 * Ms }, { 200 * Ms, 900 * Ms } };
        QCOMPARE(gapsText(TimeOverview::keptGaps(all, 1000 * Ms)),
            QStringLiteral("%1-%2 %3-%4").arg(100 * Ms).arg(150 * Ms).arg(200 * Ms).arg(900 * Ms));
        // A 10 ms trace: 5% is 0.5 ms, under the 1 ms floor.
        std::vector<TimeOverview::Gap> small { { 0, 900'000 }, { 2 * Ms, 3 * Ms } };
        QCOMPARE(gapsText(TimeOverview::keptGaps(small, 10 * Ms)), QStringLiteral("%1-%2").arg(2 * Ms).arg(3 * Ms));
    }

    void buildKeepsLongGapsOnly()
    {
        // Two bursts 5 minutes apart, with a 2 ms pause inside the first burst.
        const std::uint64_t minute = 60'000 * Ms;
        Builder b;
        b.add(1, 0, 0, 100 * Ms).add(2, 0, 102 * Ms, 200 * Ms).add(3, 0, 5 * minute, 5 * minute + 300 * Ms);
        const auto overview = TimeOverview::build(*b.tree(), 64);
        QCOMPARE(gapsText(overview->gaps), QStringLiteral("%1-%2").arg(200 * Ms).arg(5 * minute));
    }

    void axisIdentityWithoutGaps()
    {
        const TimeAxis axis(1000);
        QVERIFY(!axis.isCollapsed());
        QCOMPARE(axis.length(), 1000.0);
        QCOMPARE(axis.toAxis(123), 123.0);
        QCOMPARE(axis.fromAxis(456), 456.0);
        QCOMPARE(axis.gapAt(500), -1);
    }

    void axisCollapsesGaps()
    {
        // 1000 ns with gaps 100-400 and 600-900, each shrunk to 10 axis ns: length 1000 - 290 - 290 = 420.
        const TimeAxis axis(1000, { { 100, 400 }, { 600, 900 } }, 10);
        QVERIFY(axis.isCollapsed());
        QCOMPARE(int(axis.gaps().size()), 2);
        QCOMPARE(axis.length(), 420.0);
        QCOMPARE(axis.toAxis(50), 50.0);
        QCOMPARE(axis.toAxis(100), 100.0);
        QCOMPARE(axis.toAxis(250), 105.0); // halfway through the first gap
        QCOMPARE(axis.toAxis(400), 110.0);
        QCOMPARE(axis.toAxis(500), 210.0);
        QCOMPARE(axis.toAxis(900), 320.0);
        QCOMPARE(axis.toAxis(1000), 420.0);
        QCOMPARE(axis.fromAxis(105), 250.0);
        QCOMPARE(axis.fromAxis(210), 500.0);
        QCOMPARE(axis.fromAxis(420), 1000.0);
        QCOMPARE(axis.gapAt(250), 0);
        QCOMPARE(axis.gapAt(700), 1);
        QCOMPARE(axis.gapAt(100), -1); // the edges are busy time
        QCOMPARE(axis.gapAt(500), -1);
        // The slope outside the gaps is 1: a bar after a gap keeps its width.
        QCOMPARE(axis.toAxis(950) - axis.toAxis(920), 30.0);
    }

    void axisLeavesShortGaps()
    {
        // A gap no longer than the collapsed width stays as it is.
        const TimeAxis axis(100, { { 10, 15 }, { 50, 90 } }, 10);
        QCOMPARE(int(axis.gaps().size()), 1);
        QCOMPARE(axis.length(), 70.0);
        QCOMPARE(axis.toAxis(15), 15.0);
    }

    void axisRoundTrip()
    {
        const TimeAxis axis(1e9, { { 1000, 400'000'000 }, { 400'000'100, 400'000'200 }, { 500'000'000, 990'000'000 } }, 5e6);
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> uniform(0, 1e9);
        double previous = -1;
        for (double t = 0; t <= 1e9; t += 1e9 / 997) {
            const double u = axis.toAxis(t);
            QVERIFY(u > previous); // strictly monotone
            previous = u;
        }
        for (int i = 0; i < 10000; ++i) {
            const double t = uniform(rng);
            QVERIFY2(std::abs(axis.fromAxis(axis.toAxis(t)) - t) < 1e-3, qPrintable(QString::number(t)));
            const double u = t / 1e9 * axis.length();
            QVERIFY(std::abs(axis.toAxis(axis.fromAxis(u)) - u) < 1e-3);
        }
    }

    void axisFromOverview()
    {
        // Busy 0-100 ms and 5 min-5 min 300 ms: busy time 400 ms, so the gap takes 3% of it, 12 ms.
        const std::uint64_t minute = 60'000 * Ms;
        Builder b;
        b.add(1, 0, 0, 100 * Ms).add(2, 0, 5 * minute, 5 * minute + 300 * Ms);
        const auto overview = TimeOverview::build(*b.tree());
        const TimeAxis axis = TimeAxis::collapsing(*overview);
        QCOMPARE(int(axis.gaps().size()), 1);
        QCOMPARE(axis.length(), double(412 * Ms));
        QCOMPARE(axis.toAxis(double(5 * minute)), double(112 * Ms));
        // An overview without kept gaps gives the identity.
        Builder dense;
        dense.add(1, 0, 0, 10 * Ms).add(2, 0, 10 * Ms, 20 * Ms);
        const TimeAxis plain = TimeAxis::collapsing(*TimeOverview::build(*dense.tree()));
        QVERIFY(!plain.isCollapsed());
        QCOMPARE(plain.length(), double(20 * Ms));
    }

    void largeTrace()
    {
        // 200,000 spans of 1 us, one every 2 us: busy and idle alternate, the idle stretches are far too short to
        // keep, and every bin holds spans.
        constexpr std::uint64_t Count = 200'000;
        std::vector<Span> spans;
        spans.reserve(Count);
        Builder b;
        b.add(1, 0, 0, 1000);
        const Span prototype = b.spans.front();
        for (std::uint64_t i = 0; i < Count; ++i) {
            Span s = prototype;
            const std::uint64_t id = i + 1;
            s.spanId = SpanId::fromRaw(&id);
            s.startTimeUnixNano = T0 + i * 2000;
            s.endTimeUnixNano = s.startTimeUnixNano + 1000;
            spans.push_back(std::move(s));
        }
        const auto tree = SpanTree::build(std::move(spans));
        QCOMPARE(TimeOverview::idleGaps(*tree).size(), std::size_t(Count - 1));
        const auto overview = TimeOverview::build(*tree);
        QVERIFY(overview->gaps.empty());
        QVERIFY(*std::min_element(overview->active.begin(), overview->active.end()) > 0);
        std::uint64_t total = 0;
        for (std::uint32_t n : overview->active)
            total += n;
        QVERIFY(total >= Count); // each span in at least one bin
    }
};

QTEST_GUILESS_MAIN(TestTimeOverview)
#include "tst_timeoverview.moc"
