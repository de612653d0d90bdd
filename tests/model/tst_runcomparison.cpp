// Comparing two agent runs (model/runcomparison.h, model/runcomparisonmodel.h): trees aligned by the path of span
// names, steps added and removed, LLM calls whose messages changed, the message diff.

#include "model/runcomparison.h"
#include "model/runcomparisonmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

namespace {

struct Builder {
    TraceId trace;
    std::vector<Span> spans;
    int next = 1;

    explicit Builder(const char* traceHex)
        : trace(TraceId::fromHex(QString::fromLatin1(traceHex)))
    {
    }

    /// Adds a span under `parent` (0: root), `ms` long, starting after the previous one; returns its number.
    int add(int parent, const QString& name, int ms, Attributes attributes = {})
    {
        Span s;
        s.traceId = trace;
        const int n = next++;
        s.spanId = SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0')));
        if (parent)
            s.parentSpanId = SpanId::fromHex(QStringLiteral("%1").arg(parent, 16, 16, QLatin1Char('0')));
        s.name = name;
        s.startTimeUnixNano = 1'700'000'000'000'000'000ULL + std::uint64_t(n) * 1'000'000ULL;
        s.endTimeUnixNano = s.startTimeUnixNano + std::uint64_t(ms) * 1'000'000ULL;
        s.attributes = std::move(attributes);
        spans.push_back(s);
        return n;
    }

    int chat(int parent, const QString& user, std::int64_t inputTokens, int ms = 20)
    {
        return add(parent, QStringLiteral("chat gpt-4o"), ms,
                   { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
                     { QStringLiteral("gen_ai.request.model"), AnyValue::fromString(QStringLiteral("gpt-4o")) },
                     { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(inputTokens) },
                     { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(10) },
                     { QStringLiteral("gen_ai.input.messages"),
                       AnyValue::fromString(QStringLiteral(R"([{"role":"user","parts":[{"type":"text","content":"%1"}]}])").arg(user)) } });
    }

    std::pair<std::shared_ptr<const SpanTree>, std::shared_ptr<const GenAi::Run>> build() const
    {
        auto tree = SpanTree::build(spans);
        PriceTable prices;
        prices.prices = { { QStringLiteral("gpt-4o*"), 2.5, 10, std::nullopt, QStringLiteral("USD") } };
        return { tree, std::make_shared<const GenAi::Run>(GenAi::analyze(*tree, &prices)) };
    }
};

QStringList describe(const RunComparison::Result& r)
{
    QStringList out;
    for (const RunComparison::Row& row : r.rows) {
        const char* change = row.change == RunComparison::Change::Same ? "="
            : row.change == RunComparison::Change::Changed             ? "~"
            : row.change == RunComparison::Change::Added               ? "+"
                                                                       : "-";
        out << QString(QString(row.depth * 2, QLatin1Char(' ')) + QLatin1String(change) + QLatin1Char(' ') + row.name);
    }
    return out;
}

} // namespace

class TestRunComparison : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void alignsByPathOfNames()
    {
        Builder a("0af7651916cd43dd8448eb211c80319c");
        const int agentA = a.add(0, QStringLiteral("invoke_agent"), 100);
        a.chat(agentA, QStringLiteral("plan a trip"), 100);
        a.add(agentA, QStringLiteral("execute_tool search"), 5);
        a.add(agentA, QStringLiteral("execute_tool book"), 5);
        a.chat(agentA, QStringLiteral("summarize"), 200);

        Builder b("1af7651916cd43dd8448eb211c80319c");
        const int agentB = b.add(0, QStringLiteral("invoke_agent"), 150);
        b.chat(agentB, QStringLiteral("plan a cheap trip"), 120); // changed prompt
        b.add(agentB, QStringLiteral("execute_tool search"), 7);
        b.add(agentB, QStringLiteral("execute_tool search"), 6); // a second search: added
        b.add(agentB, QStringLiteral("execute_tool weather"), 3); // a new tool: added
        b.chat(agentB, QStringLiteral("summarize"), 200); // same
        // "execute_tool book" is gone: removed.

        const auto [treeA, runA] = a.build();
        const auto [treeB, runB] = b.build();
        const RunComparison::Result r = RunComparison::compare(treeA, runA, treeB, runB);
        QCOMPARE(describe(r), (QStringList { QStringLiteral("= invoke_agent"), QStringLiteral("  ~ chat gpt-4o"),
                                              QStringLiteral("  = execute_tool search"), QStringLiteral("  + execute_tool search"),
                                              QStringLiteral("  + execute_tool weather"), QStringLiteral("  - execute_tool book"),
                                              QStringLiteral("  = chat gpt-4o") }));
        QCOMPARE(r.added, 2);
        QCOMPARE(r.removed, 1);
        QCOMPARE(r.changed, 1);
        QCOMPARE(r.rows[1].callA, 0);
        QCOMPARE(r.rows[1].callB, 0);
        QCOMPARE(r.rows[6].callB, 1);
        QCOMPARE(r.rows[3].spanA, -1);
        QCOMPARE(r.rows[5].spanB, -1);

        // The diff of the changed call: the common history kept, the changed line on each side.
        const auto diff = RunComparison::messageDiff(runA->calls[0], runB->calls[0]);
        QStringList text;
        for (const RunComparison::DiffLine& line : diff)
            text << QLatin1String(line.kind == RunComparison::DiffLine::Kind::Same ? "  " : line.kind == RunComparison::DiffLine::Kind::OnlyA ? "- " : "+ ")
                    + line.text;
        QCOMPARE(text, (QStringList { QStringLiteral("  [user]"), QStringLiteral("+ plan a cheap trip"), QStringLiteral("- plan a trip") }));

        // As a model: deltas of duration and tokens, costs; tinted rows.
        RunComparisonModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setResult(r);
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex agent = model.index(0, 0);
        QCOMPARE(model.rowCount(agent), 6);
        QCOMPARE(model.index(0, RunComparisonModel::DurationDeltaColumn).data().toString(), QStringLiteral("+50 ms"));
        QCOMPARE(model.index(0, RunComparisonModel::TokensDeltaColumn, agent).data().toString(), QStringLiteral("+20"));
        // 100 input tokens at 2.5 and 10 output tokens at 10 per million.
        QVERIFY(qFuzzyCompare(model.index(0, RunComparisonModel::CostAColumn, agent).data(RunComparisonModel::SortRole).toDouble(), 0.00035));
        QVERIFY(model.index(0, RunComparisonModel::CostBColumn, agent).data().toString().startsWith(QLatin1Char('$')));
        QCOMPARE(model.index(2, RunComparisonModel::SpanColumn, agent).data().toString(), QStringLiteral("+ execute_tool search"));
        QCOMPARE(model.index(2, RunComparisonModel::DurationAColumn, agent).data().toString(), QString());
        QVERIFY(model.index(2, 0, agent).data(Qt::BackgroundRole).isValid());
        QVERIFY(!model.index(1, 0, agent).data(Qt::BackgroundRole).isValid());
        QCOMPARE(model.indexOfRow(5), model.index(4, 0, agent));
    }

    void differentRootsAndEmptySides()
    {
        Builder a("0af7651916cd43dd8448eb211c80319c");
        a.add(0, QStringLiteral("GET /a"), 10);
        Builder b("1af7651916cd43dd8448eb211c80319c");
        const int root = b.add(0, QStringLiteral("GET /b"), 10);
        b.add(root, QStringLiteral("SELECT"), 2);
        const auto [treeA, runA] = a.build();
        const auto [treeB, runB] = b.build();
        const RunComparison::Result r = RunComparison::compare(treeA, runA, treeB, runB);
        // What only B has comes where B has it, before what only A has at the same place.
        QCOMPARE(describe(r), (QStringList { QStringLiteral("+ GET /b"), QStringLiteral("  + SELECT"), QStringLiteral("- GET /a") }));
        const RunComparison::Result none = RunComparison::compare(treeA, runA, nullptr, nullptr);
        QVERIFY(none.rows.empty());
        const RunComparison::Result self = RunComparison::compare(treeA, runA, treeA, runA);
        QCOMPARE(self.added + self.removed + self.changed, 0);
    }

    void deepTreesDoNotExhaustTheStack()
    {
        Builder a("0af7651916cd43dd8448eb211c80319c");
        int parent = 0;
        for (int i = 0; i < 200000; ++i)
            parent = a.add(parent, QStringLiteral("step"), 1);
        const auto [tree, run] = a.build();
        const RunComparison::Result r = RunComparison::compare(tree, run, tree, run);
        QCOMPARE(r.rows.size(), size_t(200000));
        QCOMPARE(r.rows.back().depth, 199999);
    }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "tst_runcomparison.moc"
