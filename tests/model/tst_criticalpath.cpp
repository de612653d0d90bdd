// The critical path of a trace (model/criticalpath.h) on trees with known answers: sequential and concurrent
// children, nesting, children that outlive their parent, clock skew, several roots, ties, a chain of 100,000 spans,
// and the invariants of the result on random trees.

#include "model/criticalpath.h"
#include "model/criticalpathmodel.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QTest>

#include "../common/numberedspans.h"

namespace {

using NumberedSpans::T0;

/// Spans by number (1-based span ids), times in ns after T0.
struct Builder {
    std::vector<Span> spans;

    /// Adds span `id` under `parent` (0: root; a number not added: a dangling parent) from `start` to `end`.
    void add(int id, int parent, std::uint64_t start, std::uint64_t end)
    {
        spans.push_back(NumberedSpans::span(id, parent, start, end));
    }
    static SpanId spanIdOf(int id) { return NumberedSpans::spanIdOf(id); }
};

/// The result as text: sections "id:start-end" (ns after T0) and steps "id=self", for readable comparisons.
struct Text {
    QString sections;
    QString steps;
};

Text textOf(const SpanTree& tree, const CriticalPath::Result& r)
{
    const auto idOf = [&](int index) {
        return tree.spans[std::size_t(index)].spanId.toHex().toULongLong(nullptr, 16);
    };
    QStringList sections, steps;
    for (const CriticalPath::Section& s : r.sections)
        sections << QStringLiteral("%1:%2-%3").arg(idOf(s.span)).arg(s.startUnixNano - T0).arg(s.endUnixNano - T0);
    for (const CriticalPath::Step& s : r.steps)
        steps << QStringLiteral("%1=%2").arg(idOf(s.span)).arg(s.selfTimeNanos);
    return { sections.join(QLatin1Char(' ')), steps.join(QLatin1Char(' ')) };
}

/// What every result must satisfy: sections in time order, without gaps or overlaps, covering the root's interval;
/// each inside its span; steps summing the sections.
void checkInvariants(const SpanTree& tree, const CriticalPath::Result& r)
{
    if (r.root < 0 || r.sections.empty())
        return;
    const SpanTree::Record& root = tree.spans[std::size_t(r.root)];
    QCOMPARE(r.sections.front().startUnixNano, root.startTimeUnixNano);
    QCOMPARE(r.sections.back().endUnixNano, root.endTimeUnixNano);
    QCOMPARE(r.totalNanos, root.endTimeUnixNano - root.startTimeUnixNano);
    std::vector<char> underRoot(tree.spans.size(), 0);
    std::vector<int> todo { r.root };
    while (!todo.empty()) {
        const int s = todo.back();
        todo.pop_back();
        underRoot[std::size_t(s)] = 1;
        for (const int c : tree.children(s))
            todo.push_back(c);
    }
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < r.sections.size(); ++i) {
        const CriticalPath::Section& s = r.sections[i];
        QVERIFY(s.startUnixNano < s.endUnixNano);
        if (i > 0)
            QCOMPARE(s.startUnixNano, r.sections[i - 1].endUnixNano);
        const SpanTree::Record& span = tree.spans[std::size_t(s.span)];
        QVERIFY(s.startUnixNano >= span.startTimeUnixNano);
        QVERIFY(s.endUnixNano <= span.endTimeUnixNano);
        // On the path means under the root.
        QVERIFY(underRoot[std::size_t(s.span)]);
        sum += s.durationNanos();
    }
    QCOMPARE(sum, r.totalNanos);
    std::uint64_t steps = 0;
    for (const CriticalPath::Step& s : r.steps)
        steps += s.selfTimeNanos;
    QCOMPARE(steps, sum);
    QCOMPARE(r.steps.front().span, r.root);
}

} // namespace

class TestCriticalPath : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownAnswers_data()
    {
        QTest::addColumn<QString>("spans"); // "id parent start end" per line
        QTest::addColumn<QString>("sections");
        QTest::addColumn<QString>("steps");

        QTest::newRow("single span") << "1 0 0 100" << "1:0-100" << "1=100";
        QTest::newRow("sequential children")
            << "1 0 0 100\n2 1 10 40\n3 1 50 90" << "1:0-10 2:10-40 1:40-50 3:50-90 1:90-100" << "1=30 2=30 3=40";
        QTest::newRow("concurrent children: the last to finish")
            << "1 0 0 100\n2 1 0 80\n3 1 10 60" << "2:0-80 1:80-100" << "1=20 2=80";
        QTest::newRow("a child that ends during the next one is not waited on")
            << "1 0 0 100\n2 1 10 90\n3 2 20 50\n4 2 40 85"
            << "1:0-10 2:10-40 4:40-85 2:85-90 1:90-100" << "1=20 2=35 4=45";
        QTest::newRow("fan-out then a call after it")
            << "1 0 0 100\n2 1 5 30\n3 1 5 45\n4 1 5 20\n5 1 50 95"
            << "1:0-5 3:5-45 1:45-50 5:50-95 1:95-100" << "1=15 3=40 5=45";
        QTest::newRow("a child that outlives its parent is clipped to it")
            << "1 0 0 100\n2 1 50 150" << "1:0-50 2:50-100" << "1=50 2=50";
        QTest::newRow("clock skew: a child that starts before its parent")
            << "1 0 100 200\n2 1 80 150" << "2:100-150 1:150-200" << "1=50 2=50";
        QTest::newRow("clock skew: a child entirely after its parent is left out, with its children")
            << "1 0 0 100\n2 1 120 130\n3 2 121 129\n4 1 10 20" << "1:0-10 4:10-20 1:20-100" << "1=90 4=10";
        QTest::newRow("a grandchild clipped by its clipped parent")
            << "1 0 0 100\n2 1 60 200\n3 2 150 190\n4 2 70 120" << "1:0-60 2:60-70 4:70-100" << "1=60 2=10 4=30";
        QTest::newRow("several roots: the one that ends last")
            << "1 0 0 100\n2 1 10 50\n3 99 50 300\n4 3 60 250" << "3:50-60 4:60-250 3:250-300" << "3=60 4=190";
        QTest::newRow("tie on the end: the longer child")
            << "1 0 0 100\n2 1 30 100\n3 1 10 100" << "1:0-10 3:10-100" << "1=10 3=90";
        QTest::newRow("children without duration are not on it")
            << "1 0 0 100\n2 1 50 50\n3 1 60 40" << "1:0-100" << "1=100";
        QTest::newRow("a root without duration has no path") << "1 0 100 100\n2 1 100 100" << "" << "";
    }
    void knownAnswers()
    {
        QFETCH(QString, spans);
        QFETCH(QString, sections);
        QFETCH(QString, steps);
        Builder b;
        for (const QString& line : spans.split(QLatin1Char('\n'))) {
            const QStringList f = line.split(QLatin1Char(' '));
            QCOMPARE(f.size(), 4);
            b.add(f[0].toInt(), f[1].toInt(), f[2].toULongLong(), f[3].toULongLong());
        }
        const auto tree = SpanTree::build(b.spans);
        const CriticalPath::Result r = CriticalPath::compute(*tree);
        const Text text = textOf(*tree, r);
        QCOMPARE(text.sections, sections);
        QCOMPARE(text.steps, steps);
        checkInvariants(*tree, r);
        if (!r.steps.empty()) {
            QVERIFY(r.contains(r.root));
            const std::vector<std::uint64_t> self = r.selfTimes(tree->spans.size());
            QCOMPARE(self[std::size_t(r.root)], r.steps.front().selfTimeNanos);
        }
    }

    void tableModel()
    {
        Builder b;
        b.add(1, 0, 0, 100'000'000);
        b.add(2, 1, 10'000'000, 40'000'000);
        b.add(3, 1, 50'000'000, 90'000'000);
        b.add(4, 1, 20'000'000, 30'000'000); // concurrent with 2: off the path
        const auto tree = SpanTree::build(b.spans);
        auto path = std::make_shared<const CriticalPath::Result>(CriticalPath::compute(*tree));
        CriticalPathModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setPath(path, tree);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(CriticalPathModel::ColumnCount));
        const auto cell = [&](int row, int column, int role = Qt::DisplayRole) { return model.index(row, column).data(role); };
        QCOMPARE(cell(0, CriticalPathModel::SpanColumn).toString(), QStringLiteral("span 1"));
        QCOMPARE(cell(1, CriticalPathModel::SpanColumn).toString(), QStringLiteral("span 2"));
        QCOMPARE(cell(2, CriticalPathModel::SpanColumn).toString(), QStringLiteral("span 3"));
        QCOMPARE(cell(0, CriticalPathModel::SelfTimeColumn, CriticalPathModel::SortRole).toULongLong(), 30'000'000ULL);
        QCOMPARE(cell(2, CriticalPathModel::ShareColumn, CriticalPathModel::SortRole).toDouble(), 0.4);
        QCOMPARE(cell(2, CriticalPathModel::ShareColumn).toString(), QLocale().toString(40.0, 'f', 1) + QLatin1Char('%'));
        QCOMPARE(cell(2, CriticalPathModel::StartColumn, CriticalPathModel::SortRole).toULongLong(), 50'000'000ULL);
        QCOMPARE(cell(1, 0, CriticalPathModel::SpanIndexRole).toInt(), tree->indexOf(Builder::spanIdOf(2)));
        QCOMPARE(cell(1, 0, CriticalPathModel::SpanIdRole).toString(), Builder::spanIdOf(2).toHex());
        QCOMPARE(model.rowOfSpan(tree->indexOf(Builder::spanIdOf(3))), 2);
        QCOMPARE(model.rowOfSpan(tree->indexOf(Builder::spanIdOf(4))), -1);
        QVERIFY(!cell(0, CriticalPathModel::SelfTimeColumn, Qt::ToolTipRole).toString().isEmpty());
        model.setPath(nullptr, tree);
        QCOMPARE(model.rowCount(), 0);
    }

    void emptyTrace()
    {
        const CriticalPath::Result r = CriticalPath::compute(*SpanTree::build({}));
        QCOMPARE(r.root, -1);
        QVERIFY(r.sections.empty());
        QVERIFY(r.steps.empty());
    }

    void deepChainWithoutRecursion()
    {
        // 100,000 nested spans, each 1 ns inside its parent at both ends: every span waits 2 ns on itself.
        constexpr int Depth = 100'000;
        Builder b;
        for (int i = 1; i <= Depth; ++i)
            b.add(i, i - 1, std::uint64_t(i), std::uint64_t(2 * Depth + 2 - i));
        const auto tree = SpanTree::build(b.spans);
        const CriticalPath::Result r = CriticalPath::compute(*tree);
        QCOMPARE(int(r.steps.size()), Depth);
        QCOMPARE(int(r.sections.size()), 2 * Depth - 1);
        for (int i = 0; i + 1 < Depth; ++i)
            QCOMPARE(r.steps[std::size_t(i)].selfTimeNanos, std::uint64_t(2));
        QCOMPARE(r.steps.back().selfTimeNanos, std::uint64_t(2)); // the innermost: from Depth to Depth + 2
        checkInvariants(*tree, r);
    }

    void invariantsOnRandomTrees()
    {
        QRandomGenerator random(20261205);
        for (int round = 0; round < 300; ++round) {
            Builder b;
            const int count = 1 + int(random.bounded(60));
            for (int id = 1; id <= count; ++id) {
                const int parent = id == 1 ? 0 : 1 + int(random.bounded(id - 1));
                const std::uint64_t start = random.bounded(1000);
                const std::uint64_t length = random.bounded(400);
                b.add(id, parent, start, start + length); // children anywhere: inside, overlapping or outside
            }
            const auto tree = SpanTree::build(b.spans);
            const CriticalPath::Result r = CriticalPath::compute(*tree);
            checkInvariants(*tree, r);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("round %1").arg(round)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCriticalPath)
#include "tst_criticalpath.moc"
