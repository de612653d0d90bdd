// Self time of spans (model/spanselftime.h) on trees with known answers: no children, sequential children,
// overlapping children (their union counts), children outliving or starting before the parent (clipped), nesting,
// spans without duration, several roots, and a chain of 100,000 spans.

#include "model/spanselftime.h"

#include <QTest>

#include "../common/numberedspans.h"

#include <algorithm>

namespace {

using NumberedSpans::T0;

/// Spans by number (1-based span ids), times in ns after T0.
struct Builder {
    std::vector<Span> spans;

    /// Adds span `id` under `parent` (0: root) from `start` to `end`.
    void add(int id, int parent, std::uint64_t start, std::uint64_t end)
    {
        spans.push_back(NumberedSpans::span(id, parent, start, end));
    }
    static SpanId spanIdOf(int id) { return NumberedSpans::spanIdOf(id); }
};

/// Self times as "id=ns" in span id order, for readable comparisons.
QString selfTimesText(const Builder& b)
{
    const auto tree = SpanTree::build(b.spans);
    const std::vector<std::uint64_t> self = SpanSelfTime::compute(*tree);
    if (self.size() != tree->spans.size())
        return QStringLiteral("wrong size");
    QStringList parts;
    for (std::size_t id = 1; id <= b.spans.size(); ++id) {
        const int index = tree->indexOf(Builder::spanIdOf(int(id)));
        parts << QStringLiteral("%1=%2").arg(id).arg(self[std::size_t(index)]);
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace

Q_DECLARE_METATYPE(Builder)

class TestSpanSelfTime : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void knownTrees_data()
    {
        QTest::addColumn<Builder>("trace");
        QTest::addColumn<QString>("expected");
        Builder b;
        b.add(1, 0, 0, 100);
        QTest::newRow("no children") << b << QStringLiteral("1=100");

        b = {};
        b.add(1, 0, 0, 100);
        b.add(2, 1, 10, 30);
        b.add(3, 1, 40, 70);
        QTest::newRow("sequential children") << b << QStringLiteral("1=50 2=20 3=30");

        b = {};
        b.add(1, 0, 0, 100);
        b.add(2, 1, 10, 50);
        b.add(3, 1, 20, 40); // inside 2
        b.add(4, 1, 45, 60); // overlaps 2's end
        QTest::newRow("overlapping children: union") << b << QStringLiteral("1=50 2=40 3=20 4=15");

        b = {};
        b.add(1, 0, 100, 200);
        b.add(2, 1, 150, 300); // outlives its parent
        b.add(3, 1, 50, 120); // starts before it (clock skew)
        b.add(4, 1, 250, 260); // entirely after it
        QTest::newRow("children outside the parent: clipped") << b << QStringLiteral("1=30 2=150 3=70 4=10");

        b = {};
        b.add(1, 0, 0, 100);
        b.add(2, 1, 0, 80);
        b.add(3, 2, 10, 70);
        b.add(4, 3, 20, 30);
        b.add(5, 3, 50, 60);
        QTest::newRow("nested") << b << QStringLiteral("1=20 2=20 3=40 4=10 5=10");

        b = {};
        b.add(1, 0, 0, 100);
        b.add(2, 1, 0, 100);
        QTest::newRow("child covers all of it") << b << QStringLiteral("1=0 2=100");

        b = {};
        b.add(1, 0, 0, 100);
        b.add(2, 1, 50, 40); // ends before it starts: no duration
        b.add(3, 0, 30, 30);
        b.add(4, 9, 10, 20); // dangling parent: a root of its own
        QTest::newRow("no duration, several roots") << b << QStringLiteral("1=100 2=0 3=0 4=10");
    }

    void knownTrees()
    {
        QFETCH(Builder, trace);
        QFETCH(QString, expected);
        QCOMPARE(selfTimesText(trace), expected);
    }

    void empty() { QVERIFY(SpanSelfTime::compute(*SpanTree::build({})).empty()); }

    void longChain()
    {
        // Each span starts 1 ns before its child and ends 1 ns after it; the deepest lasts 2 ns: all have 2 ns.
        constexpr int Count = 100000;
        Builder b;
        for (int i = 1; i <= Count; ++i)
            b.add(i, i - 1, std::uint64_t(i), std::uint64_t(2 * Count + 2 - i));
        const auto tree = SpanTree::build(b.spans);
        const std::vector<std::uint64_t> self = SpanSelfTime::compute(*tree);
        QCOMPARE(self.size(), std::size_t(Count));
        QVERIFY(std::all_of(self.begin(), self.end(), [](std::uint64_t t) { return t == 2; }));
    }
};

QTEST_GUILESS_MAIN(TestSpanSelfTime)
#include "tst_spanselftime.moc"
