#include "model/attributemodel.h"
#include "model/spantreemodel.h"
#include "model/tracelistmodel.h"

#include "../common/genaisummarycheck.h"
#include "../common/memorytracestore.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QLocale>
#include <QLoggingCategory>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QScopeGuard>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <random>

using namespace TestSpans;

namespace {
constexpr std::uint64_t BaseNs = 1700000000000000000ull;
constexpr std::uint64_t Ms = 1000000ull;

// One trace with a root (service "svc-<n % 3>") and one child; trace n starts at BaseNs + n ms.
std::vector<Span> smallTrace(quint64 n, bool error = false)
{
    const auto res = resource(QStringLiteral("svc-%1").arg(n % 3));
    const TraceId t = traceId(n);
    Span root = make(t, 1, 0, QStringLiteral("root %1").arg(n), res, BaseNs + n * Ms, BaseNs + n * Ms + 5 * Ms);
    Span child = make(t, 2, 1, QStringLiteral("child"), res, BaseNs + n * Ms + Ms, BaseNs + n * Ms + 2 * Ms);
    if (error)
        child.statusCode = StatusCode::Error;
    return { root, child };
}

/// A slow store: every listTraces call waits for a permit, so the test decides when each read returns.
struct Gate {
    QSemaphore permits;
    std::atomic<int> calls { 0 };
};

/// Reads `store` through `gate` (`errorsGate`, when given, for queries with errorsOnly); `failWith` makes every
/// listTraces fail with that message.
TraceListModel::TraceSource gatedSource(MemoryTraceStore* store, std::shared_ptr<Gate> gate,
    std::shared_ptr<Gate> errorsGate = nullptr, const QString& failWith = QString())
{
    TraceListModel::TraceSource source;
    source.listTraces = [store, gate, errorsGate, failWith](const TraceQuery& query, QString* error) {
        Gate& g = query.errorsOnly && errorsGate ? *errorsGate : *gate;
        ++g.calls;
        g.permits.acquire();
        if (!failWith.isEmpty()) {
            *error = failWith;
            return std::vector<TraceSummary>();
        }
        return store->listTraces(query, error);
    };
    source.traceSummary = [store](const TraceId& id, QString* error) { return store->traceSummary(id, error); };
    return source;
}

/// Trace n for the sort tests: every column's key varies with n, and none follows the start time. Trace n starts at
/// BaseNs + n ms; services and names repeat, so the trace id breaks their ties.
std::vector<Span> variedTrace(quint64 n)
{
    const auto res = resource(QStringLiteral("svc-%1").arg((n * 7) % 5));
    const TraceId t = traceId(n);
    const std::uint64_t start = BaseNs + n * Ms;
    const std::uint64_t duration = ((n * 7919) % 997 + 1) * Ms;
    std::vector<Span> spans;
    Span root = make(t, 1, 0, QStringLiteral("op-%1").arg((n * 13) % 17), res, start, start + duration);
    root.attributes.push_back({ QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
    root.attributes.push_back(
        { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(qint64((n * 31) % 101)) });
    root.attributes.push_back(
        { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(qint64((n * 17) % 23)) });
    spans.push_back(root);
    for (quint64 i = 0; i < (n * 3) % 4; ++i) {
        Span child = make(t, 2 + i, 1, QStringLiteral("child"), res, start + Ms, start + 2 * Ms);
        if ((n + i) % 5 == 0)
            child.statusCode = StatusCode::Error;
        if ((n + i) % 3 == 0)
            child.attributes.push_back({ QStringLiteral("gen_ai.operation.name"),
                AnyValue::fromString(i % 2 ? QStringLiteral("execute_tool") : QStringLiteral("chat")) });
        spans.push_back(child);
    }
    return spans;
}

/// Every row of `model` (fetching all pages) is in the order of `column`'s SortRole, each trace once.
void checkSortedByRole(TraceListModel& model, int column, Qt::SortOrder order, int expectedRows)
{
    while (model.canFetchMore(QModelIndex()))
        model.fetchMore(QModelIndex());
    QCOMPARE(model.rowCount(), expectedRows);
    QSet<TraceId> ids;
    for (int row = 0; row < model.rowCount(); ++row) {
        ids.insert(model.traceIdAt(row));
        if (row == 0)
            continue;
        const QVariant a = model.index(row - 1, column).data(TraceListModel::SortRole);
        const QVariant b = model.index(row, column).data(TraceListModel::SortRole);
        int c = 0;
        if (a.typeId() == QMetaType::QString)
            c = a.toString().compare(b.toString());
        else
            c = a.toLongLong() < b.toLongLong() ? -1 : (a.toLongLong() > b.toLongLong() ? 1 : 0);
        if (c == 0) // ties: trace id
            c = model.traceIdAt(row - 1) < model.traceIdAt(row) ? -1 : 1;
        if (order == Qt::DescendingOrder ? c < 0 : c > 0)
            QFAIL(qPrintable(QStringLiteral("rows %1 and %2 are out of order: %3, %4")
                                 .arg(row - 1)
                                 .arg(row)
                                 .arg(a.toString(), b.toString())));
    }
    QCOMPARE(ids.size(), expectedRows);
}

/// Waits (event loop running) until the model has no read pending.
bool waitUntilLoaded(TraceListModel& model)
{
    while (model.isLoading()) {
        QSignalSpy spy(&model, &TraceListModel::loadingChanged);
        if (!spy.wait(20000))
            return false;
    }
    return true;
}
}

class TestModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QLoggingCategory::setFilterRules(QStringLiteral("qt.modeltest.debug=false")); }

    void formatDuration_data()
    {
        QTest::addColumn<qulonglong>("nanos");
        QTest::addColumn<QString>("text");
        QTest::newRow("ns") << 850ull << QStringLiteral("850 ns");
        QTest::newRow("us") << 12345ull << QStringLiteral("12.3 µs");
        QTest::newRow("ms") << 1230000ull << QStringLiteral("1.23 ms");
        QTest::newRow("round-up") << 999999ull << QStringLiteral("1 ms");
        QTest::newRow("s") << 4500000000ull << QStringLiteral("4.5 s");
        QTest::newRow("min") << 150000000000ull << QStringLiteral("2.5 min");
    }
    void formatDuration()
    {
        QFETCH(qulonglong, nanos);
        QFETCH(QString, text);
        QCOMPARE(TraceListModel::formatDuration(nanos), text);
    }

    void parseDuration_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qulonglong>("nanos");
        const auto valid = [](const char* name, const QString& text, qulonglong nanos) {
            QTest::newRow(name) << text << true << nanos;
        };
        const auto invalid = [](const char* name, const QString& text) { QTest::newRow(name) << text << false << 0ull; };
        valid("empty", QString(), 0);
        valid("spaces only", QStringLiteral("   "), 0);
        valid("bare number is ms", QStringLiteral("250"), 250000000ull);
        valid("zero", QStringLiteral("0"), 0);
        valid("ns", QStringLiteral("850ns"), 850);
        valid("us", QStringLiteral("300us"), 300000ull);
        valid("micro sign", QStringLiteral("300\u00b5s"), 300000ull);
        valid("greek mu", QStringLiteral("300\u03bcs"), 300000ull);
        valid("ms", QStringLiteral("250ms"), 250000000ull);
        valid("s", QStringLiteral("2s"), 2000000000ull);
        valid("m", QStringLiteral("2m"), 120000000000ull);
        valid("min", QStringLiteral("2.5min"), 150000000000ull);
        valid("h", QStringLiteral("1h"), 3600000000000ull);
        valid("decimal s", QStringLiteral("1.5s"), 1500000000ull);
        valid("decimal bare", QStringLiteral("0.25"), 250000ull);
        valid("leading point", QStringLiteral(".5s"), 500000000ull);
        valid("trailing point", QStringLiteral("3.ms"), 3000000ull);
        valid("long fraction", QStringLiteral("0.1s"), 100000000ull);
        valid("sub-ns rounds", QStringLiteral("1.0004ns"), 1);
        valid("fraction of an hour", QStringLiteral("0.001h"), 3600000000ull);
        valid("spaces around", QStringLiteral("  250 ms  "), 250000000ull);
        valid("tab", QStringLiteral("\t1.5\ts"), 1500000000ull);
        valid("upper case", QStringLiteral("250MS"), 250000000ull);
        valid("largest", QStringLiteral("9223372036854775807ns"), 9223372036854775807ull);
        invalid("unknown unit", QStringLiteral("250x"));
        invalid("unit alone", QStringLiteral("ms"));
        invalid("point alone", QStringLiteral(".s"));
        invalid("negative", QStringLiteral("-5ms"));
        invalid("plus sign", QStringLiteral("+5ms"));
        invalid("comma", QStringLiteral("1,5s"));
        invalid("two points", QStringLiteral("1.2.3s"));
        invalid("exponent", QStringLiteral("1e3"));
        invalid("space inside the number", QStringLiteral("1 5ms"));
        invalid("two units", QStringLiteral("1h30m"));
        invalid("days", QStringLiteral("1d"));
        invalid("text", QStringLiteral("slow"));
        invalid("too long", QStringLiteral("9223372036854775808ns"));
        invalid("too long in hours", QStringLiteral("3000000h"));
        invalid("overflows 64 bits", QStringLiteral("99999999999999999999999"));
        invalid("arabic-indic digits", QStringLiteral("\u0665ms"));
    }
    void parseDuration()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(qulonglong, nanos);
        const std::optional<std::uint64_t> parsed = TraceListModel::parseDuration(text);
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(qulonglong(*parsed), nanos);
    }

    void memoryStoreGenAiSummaries()
    {
        // The reference store of the model tests keeps the stores' contract.
        MemoryTraceStore store;
        GenAiSummaryCheck::write(store);
        if (QTest::currentTestFailed())
            return;
        GenAiSummaryCheck::check(store);
    }

    void traceListGenAiColumns()
    {
        MemoryTraceStore store;
        GenAiSummaryCheck::write(store);
        if (QTest::currentTestFailed())
            return;
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        QCOMPARE(model.rowCount(), 3);
        const int agent = model.rowOf(GenAiSummaryCheck::traceIdOf(1));
        const int unpriced = model.rowOf(GenAiSummaryCheck::traceIdOf(2));
        const int plain = model.rowOf(GenAiSummaryCheck::traceIdOf(3));
        QVERIFY(agent >= 0 && unpriced >= 0 && plain >= 0);
        const auto cell = [&model](int row, int column, int role = Qt::DisplayRole) {
            return model.index(row, column).data(role);
        };
        const TraceSummary a = *store.traceSummary(GenAiSummaryCheck::traceIdOf(1));
        QCOMPARE(cell(agent, TraceListModel::LlmCallsColumn).toString(), QLocale().toString(a.llmCalls));
        QCOMPARE(cell(agent, TraceListModel::LlmCallsColumn, TraceListModel::SortRole).toLongLong(), a.llmCalls);
        QCOMPARE(cell(agent, TraceListModel::ToolCallsColumn, TraceListModel::SortRole).toLongLong(), a.toolCalls);
        QCOMPARE(cell(agent, TraceListModel::InputTokensColumn).toString(), QLocale().toString(a.inputTokens));
        QCOMPARE(cell(agent, TraceListModel::InputTokensColumn, TraceListModel::SortRole).toLongLong(), a.inputTokens);
        QCOMPARE(cell(agent, TraceListModel::OutputTokensColumn, TraceListModel::SortRole).toLongLong(), a.outputTokens);
        // The tooltip breaks the usage down by model.
        const QString tip = cell(agent, TraceListModel::CostColumn, Qt::ToolTipRole).toString();
        for (const ModelUsage& u : a.modelUsage)
            QVERIFY2(tip.contains(u.model), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("conv-a")), qPrintable(tip));
        // No GenAI: empty cells, not zeros.
        for (int column : { int(TraceListModel::LlmCallsColumn), int(TraceListModel::ToolCallsColumn),
                 int(TraceListModel::InputTokensColumn), int(TraceListModel::OutputTokensColumn),
                 int(TraceListModel::CostColumn) })
            QVERIFY(cell(plain, column).toString().isEmpty());

        // Cost by the model's table: the agent trace's models are priced, trace 2's model is not ("no price", never 0).
        PriceTable prices;
        prices.prices.push_back({ QStringLiteral("gpt-4o*"), 2.5, 10, 1.25, QStringLiteral("USD") });
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setPriceTable(prices);
        QVERIFY(changed.count() >= 1);
        const std::optional<Cost> cost = a.cost(prices);
        QVERIFY(cost && cost->amount > 0);
        const QString costText = cell(agent, TraceListModel::CostColumn).toString();
        QVERIFY2(costText.startsWith(QLatin1Char('$')), qPrintable(costText));
        QCOMPARE(costText, cost->toString());
        QCOMPARE(cell(agent, TraceListModel::CostColumn, TraceListModel::SortRole).toDouble(), cost->amount);
        QCOMPARE(cell(unpriced, TraceListModel::CostColumn).toString(), QStringLiteral("no price"));
        QVERIFY(cell(unpriced, TraceListModel::CostColumn, TraceListModel::SortRole).toDouble() < 0);
        changed.clear();
        model.setPriceTable(prices); // unchanged: no signal
        QCOMPARE(changed.count(), 0);
        // Another currency.
        prices.prices.front().currency = QStringLiteral("EUR");
        model.setPriceTable(prices);
        QCOMPARE(cell(agent, TraceListModel::CostColumn).toString(), (Cost { cost->amount, QStringLiteral("EUR") }).toString());
        QVERIFY(cell(agent, TraceListModel::CostColumn).toString().endsWith(QLatin1String(" EUR")));
        // An empty table prices nothing.
        model.setPriceTable(PriceTable());
        QCOMPARE(cell(agent, TraceListModel::CostColumn).toString(), QStringLiteral("no price"));

        // The store sorts by cost with the model's prices: priced, then nothing priced (0), then no price (-1).
        model.setPriceTable(prices);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.sort(TraceListModel::CostColumn, Qt::DescendingOrder);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.query().order, TraceOrder::Cost);
        QVERIFY(model.query().prices);
        QCOMPARE(model.traceIdAt(0), GenAiSummaryCheck::traceIdOf(1));
        QCOMPARE(model.traceIdAt(1), GenAiSummaryCheck::traceIdOf(3));
        QCOMPARE(model.traceIdAt(2), GenAiSummaryCheck::traceIdOf(2));
        model.sort(TraceListModel::CostColumn, Qt::AscendingOrder);
        QCOMPARE(model.traceIdAt(0), GenAiSummaryCheck::traceIdOf(2));
        QCOMPARE(model.traceIdAt(2), GenAiSummaryCheck::traceIdOf(1));
        // Other prices reorder: a price for trace 2's model that beats the agent trace's.
        prices.prices.push_back({ QStringLiteral("unpriced-*"), 1000, 1000, std::nullopt, QStringLiteral("EUR") });
        resets.clear();
        model.setPriceTable(prices);
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.traceIdAt(0), GenAiSummaryCheck::traceIdOf(3)); // 0 first, ascending
        QCOMPARE(model.traceIdAt(1), GenAiSummaryCheck::traceIdOf(1));
        QCOMPARE(model.traceIdAt(2), GenAiSummaryCheck::traceIdOf(2));
        // A query from the filter bar keeps the model's prices.
        TraceQuery byCost;
        byCost.order = TraceOrder::Cost;
        model.setQuery(byCost);
        QCOMPARE(model.query().prices->toJson(), prices.toJson());
        QCOMPARE(model.traceIdAt(0), GenAiSummaryCheck::traceIdOf(2));
        // The session filter.
        TraceQuery query;
        query.conversationId = QStringLiteral("conv-b");
        model.setQuery(query);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.traceIdAt(0), GenAiSummaryCheck::traceIdOf(2));
    }

    void traceListPaging()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(smallTrace(n, n % 10 == 0));

        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setStore(&store);
        QCOMPARE(model.rowCount(), TraceListModel::PageSize);
        QCOMPARE(model.columnCount(), int(TraceListModel::ColumnCount));
        // Newest first.
        QCOMPARE(model.traceIdAt(0), traceId(450));
        QCOMPARE(model.index(0, TraceListModel::NameColumn).data().toString(), QStringLiteral("root 450"));
        QCOMPARE(model.index(0, TraceListModel::DurationColumn).data().toString(), QStringLiteral("5 ms"));
        QCOMPARE(model.index(0, TraceListModel::DurationColumn).data(TraceListModel::SortRole).toULongLong(), 5 * Ms);
        QCOMPARE(model.index(0, TraceListModel::SpansColumn).data(TraceListModel::SortRole).toLongLong(), 2);
        QCOMPARE(model.index(0, TraceListModel::ErrorsColumn).data(TraceListModel::SortRole).toLongLong(), 1);
        QVERIFY(model.index(0, TraceListModel::NameColumn).data(Qt::DecorationRole).isValid());
        QVERIFY(!model.index(1, TraceListModel::NameColumn).data(Qt::DecorationRole).isValid());
        QCOMPARE(model.index(3, 0).data(TraceListModel::TraceIdRole).toString(), traceId(447).toHex());

        QVERIFY(model.canFetchMore(QModelIndex()));
        model.fetchMore(QModelIndex());
        QCOMPARE(model.rowCount(), 400);
        QVERIFY(model.canFetchMore(QModelIndex()));
        model.fetchMore(QModelIndex());
        QCOMPARE(model.rowCount(), 450);
        QVERIFY(!model.canFetchMore(QModelIndex()));
        QCOMPARE(model.traceIdAt(449), traceId(1));
        for (int row = 1; row < model.rowCount(); ++row)
            QVERIFY(model.summaryAt(row - 1)->startTimeUnixNano > model.summaryAt(row)->startTimeUnixNano);
    }

    void traceListRefreshMergesWithoutReset()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 3; ++n)
            store.addSpans(smallTrace(n));
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        QCOMPARE(model.rowCount(), 3);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

        store.addSpans(smallTrace(10));
        store.addSpans(smallTrace(11));
        // A late error span for trace 2 changes its summary but not its start.
        Span late = make(traceId(2), 3, 1, QStringLiteral("late"), resource(QStringLiteral("svc-x")), BaseNs + 2 * Ms + 3 * Ms,
            BaseNs + 2 * Ms + 4 * Ms);
        late.statusCode = StatusCode::Error;
        store.addSpans({ late });

        model.refresh({ traceId(2), traceId(10), traceId(11) });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 1); // both new traces in one batch
        QCOMPARE(inserts.at(0).at(1).toInt(), 0);
        QCOMPARE(inserts.at(0).at(2).toInt(), 1);
        QVERIFY(changes.count() >= 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.traceIdAt(0), traceId(11));
        QCOMPARE(model.traceIdAt(1), traceId(10));
        const int row2 = model.rowOf(traceId(2));
        QCOMPARE(model.summaryAt(row2)->errorCount, 1);
        QCOMPARE(model.summaryAt(row2)->spanCount, 3);

        // Nothing new: no signals at all.
        inserts.clear();
        changes.clear();
        model.refresh();
        QCOMPARE(inserts.count(), 0);
        QCOMPARE(changes.count(), 0);

        // A late span earlier than the trace start moves the row (trace 3 becomes the oldest).
        Span early = make(traceId(3), 4, 1, QStringLiteral("early"), resource(QStringLiteral("svc-0")), BaseNs,
            BaseNs + 21 * Ms);
        store.addSpans({ early });
        model.refresh({ traceId(3) });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.traceIdAt(4), traceId(3));
        QCOMPARE(model.traceIdAt(3), traceId(1));
    }

    void traceListRefreshWithPaging()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(smallTrace(n));
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        QCOMPARE(model.rowCount(), 200);
        // A new old trace (before the loaded page) must come with fetchMore, not twice.
        store.addSpans(smallTrace(1000));
        auto old = smallTrace(0);
        store.addSpans(old);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.refresh();
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowCount(), 201);
        QCOMPARE(model.traceIdAt(0), traceId(1000));
        while (model.canFetchMore(QModelIndex()))
            model.fetchMore(QModelIndex());
        QCOMPARE(model.rowCount(), 452);
        QCOMPARE(model.traceIdAt(451), traceId(0));

        // A burst larger than the refresh window leaves no hole.
        for (quint64 n = 2000; n < 3300; ++n)
            store.addSpans(smallTrace(n));
        model.refresh();
        QCOMPARE(resets.count(), 0);
        while (model.canFetchMore(QModelIndex()))
            model.fetchMore(QModelIndex());
        QCOMPARE(model.rowCount(), 452 + 1300);
        QSet<TraceId> ids;
        for (int row = 0; row < model.rowCount(); ++row)
            ids.insert(model.traceIdAt(row));
        QCOMPARE(ids.size(), model.rowCount());
    }

    void traceListSortsEveryOrder_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        for (int column = 0; column < TraceListModel::ColumnCount; ++column) {
            if (!TraceListModel::isStoreSorted(column))
                continue; // cost: see traceListGenAiColumns
            const QByteArray name = TraceListModel().headerData(column, Qt::Horizontal).toString().toUtf8();
            QTest::addRow("%s desc", name.constData()) << column << Qt::DescendingOrder;
            QTest::addRow("%s asc", name.constData()) << column << Qt::AscendingOrder;
        }
    }
    void traceListSortsEveryOrder()
    {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(variedTrace(n));
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.sort(column, order);
        const bool isDefault = column == TraceListModel::StartColumn && order == Qt::DescendingOrder;
        QCOMPARE(resets.count(), isDefault ? 0 : 1); // the default order is loaded already
        QCOMPARE(model.query().order, TraceListModel::orderOfColumn(column));
        QCOMPARE(model.query().descending, order == Qt::DescendingOrder);
        QCOMPARE(TraceListModel::columnOfOrder(model.query().order), column);
        QCOMPARE(model.rowCount(), TraceListModel::PageSize);
        checkSortedByRole(model, column, order, 450);
        // The same order again does not reload.
        model.sort(column, order);
        QCOMPARE(resets.count(), isDefault ? 0 : 1);
    }

    void traceListSortByDurationSeesTheWholeStore()
    {
        MemoryTraceStore store;
        // 1,000 traces; the longest is the oldest, on the last page by start time.
        for (quint64 n = 1; n <= 1000; ++n) {
            const std::uint64_t start = BaseNs + n * Ms;
            const std::uint64_t duration = n == 1 ? 36000000 * Ms : (n % 50 + 1) * Ms;
            store.addSpans({ make(
                traceId(n), 1, 0, QStringLiteral("op"), resource(QStringLiteral("svc")), start, start + duration) });
        }
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        QCOMPARE(model.rowCount(), TraceListModel::PageSize);
        QCOMPARE(model.rowOf(traceId(1)), -1);
        model.sort(TraceListModel::DurationColumn, Qt::DescendingOrder);
        QCOMPARE(model.rowCount(), TraceListModel::PageSize);
        QCOMPARE(model.traceIdAt(0), traceId(1));
        QCOMPARE(model.index(0, TraceListModel::DurationColumn).data().toString(), QStringLiteral("10 h"));
        // Back to newest first.
        model.sort(TraceListModel::StartColumn, Qt::DescendingOrder);
        QCOMPARE(model.traceIdAt(0), traceId(1000));
        // A filter keeps the order.
        TraceQuery query = model.query();
        query.order = TraceOrder::Duration;
        query.descending = false;
        model.setQuery(query);
        QCOMPARE(model.summaryAt(0)->durationNanos(), 1 * Ms);
        checkSortedByRole(model, TraceListModel::DurationColumn, Qt::AscendingOrder, 1000);
        QCOMPARE(model.traceIdAt(999), traceId(1));
    }

    void traceListRefreshMovesRowsWhoseKeyChanged()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(variedTrace(n));
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        model.sort(TraceListModel::DurationColumn, Qt::DescendingOrder);
        QCOMPARE(model.rowCount(), 200);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy moves(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);

        // A loaded trace in the middle gets a late span that makes it the longest: it moves to the top, and a
        // persistent index (a view's selection) goes with it.
        const TraceId grown = model.traceIdAt(100);
        const QPersistentModelIndex selected = model.index(100, TraceListModel::NameColumn);
        const auto res = resource(QStringLiteral("svc-late"));
        store.addSpans({ make(grown, 90, 1, QStringLiteral("late"), res, BaseNs, BaseNs + 5000000 * Ms) });
        model.refresh({ grown });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(moves.count(), 1);
        QCOMPARE(model.traceIdAt(0), grown);
        QVERIFY(selected.isValid());
        QCOMPARE(selected.row(), 0);
        QCOMPARE(model.rowCount(), 200);

        // More spans, same duration: updated in place.
        const TraceId nudged = model.traceIdAt(10);
        const TraceSummary before = *model.summaryAt(10);
        QVERIFY(before.durationNanos() > 2 * Ms);
        store.addSpans({ make(nudged, 91, 1, QStringLiteral("inside"), res, before.startTimeUnixNano + Ms,
            before.startTimeUnixNano + 2 * Ms) });
        moves.clear();
        model.refresh({ nudged });
        QCOMPARE(moves.count(), 0);
        QCOMPARE(model.traceIdAt(10), nudged);
        QCOMPARE(model.summaryAt(10)->spanCount, before.spanCount + 1);

        // The last loaded row grows by 1 ns: it sorts earlier, so it cannot have passed rows not loaded yet; it stays.
        const TraceId lastRow = model.traceIdAt(199);
        const TraceSummary lastSummary = *model.summaryAt(199);
        store.addSpans({ make(lastRow, 92, 1, QStringLiteral("a bit later"), res, lastSummary.startTimeUnixNano,
            lastSummary.endTimeUnixNano + 1) });
        model.refresh({ lastRow });
        QCOMPARE(model.rowCount(), 200);
        QVERIFY(model.rowOf(lastRow) >= 198);
        QCOMPARE(model.summaryAt(model.rowOf(lastRow))->durationNanos(), lastSummary.durationNanos() + 1);

        // A new trace shorter than every loaded one waits for fetchMore; a longer one is inserted where it belongs.
        store.addSpans(
            { make(traceId(5000), 1, 0, QStringLiteral("tiny"), res, BaseNs + 5000 * Ms, BaseNs + 5000 * Ms + 1) });
        store.addSpans(
            { make(traceId(5001), 1, 0, QStringLiteral("long"), res, BaseNs + 5001 * Ms, BaseNs + 6001 * Ms + 1) });
        inserts.clear();
        model.refresh({ traceId(5000), traceId(5001) });
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(model.rowCount(), 201);
        QCOMPARE(model.rowOf(traceId(5000)), -1);
        QCOMPARE(model.rowOf(traceId(5001)), 1);
        QCOMPARE(resets.count(), 0);
        checkSortedByRole(model, TraceListModel::DurationColumn, Qt::DescendingOrder, 452);
        QCOMPARE(model.traceIdAt(451), traceId(5000));
    }

    void traceListRefreshBringsUnloadedTracesThatMovedIn()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(variedTrace(n));
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        model.sort(TraceListModel::DurationColumn, Qt::DescendingOrder);
        model.fetchMore(QModelIndex());
        QCOMPARE(model.rowCount(), 400);
        TraceQuery all = model.query();
        all.limit = 1000;
        const std::vector<TraceSummary> ordered = store.listTraces(all);
        QCOMPARE(ordered.size(), 450u);

        // A trace past the loaded rows grows to sort among the second page: the first page does not show it, its
        // own summary does.
        const TraceSummary unloaded = ordered[430];
        QCOMPARE(model.rowOf(unloaded.traceId), -1);
        const TraceSummary target = ordered[300];
        QVERIFY(target.durationNanos() > unloaded.durationNanos() + 1);
        const auto res = resource(QStringLiteral("svc-late"));
        store.addSpans({ make(unloaded.traceId, 95, 1, QStringLiteral("late"), res, unloaded.startTimeUnixNano,
            unloaded.startTimeUnixNano + target.durationNanos() + 1) });
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        model.refresh({ unloaded.traceId });
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(model.rowCount(), 401);
        const int row = model.rowOf(unloaded.traceId);
        QVERIFY(row > TraceListModel::PageSize && row <= 300);
        QCOMPARE(model.summaryAt(row)->durationNanos(), target.durationNanos() + 1);
        checkSortedByRole(model, TraceListModel::DurationColumn, Qt::DescendingOrder, 450);

        // One that no longer matches the filter is not inserted.
        TraceQuery errors = model.query();
        errors.errorsOnly = true;
        model.setQuery(errors);
        while (model.canFetchMore(QModelIndex()))
            model.fetchMore(QModelIndex());
        const int matching = model.rowCount();
        QVERIFY(matching > 0);
        QVERIFY(!model.canFetchMore(QModelIndex())); // all loaded: anything read would be inserted
        TraceId clean;
        for (const TraceSummary& s : ordered)
            if (s.errorCount == 0 && s.traceId != unloaded.traceId)
                clean = s.traceId;
        QVERIFY(clean.isValid());
        store.addSpans({ make(clean, 96, 1, QStringLiteral("long, no error"), res, BaseNs, BaseNs + 900000 * Ms) });
        model.refresh({ clean });
        QCOMPARE(model.rowCount(), matching);
        QCOMPARE(model.rowOf(clean), -1);
    }

    void traceListRefreshMovesRowsPastTheLoadedOnes()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(variedTrace(n));
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        model.sort(TraceListModel::SpansColumn, Qt::AscendingOrder);
        QCOMPARE(model.rowCount(), 200);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy moves(&model, &QAbstractItemModel::rowsMoved);
        QSignalSpy removes(&model, &QAbstractItemModel::rowsRemoved);

        // Fewest spans first: a loaded trace that gets 10 more spans sorts after every loaded row while pages remain:
        // it leaves and fetchMore brings it back in its place, once.
        const TraceId grown = model.traceIdAt(3);
        const TraceSummary summary = *model.summaryAt(3);
        const auto res = resource(QStringLiteral("svc-late"));
        std::vector<Span> more;
        for (quint64 i = 0; i < 10; ++i)
            more.push_back(make(grown, 100 + i, 1, QStringLiteral("more"), res, summary.startTimeUnixNano + Ms,
                summary.startTimeUnixNano + 2 * Ms));
        store.addSpans(more);
        // A second one grows by one span: it moves down within the loaded rows.
        const TraceId bumped = model.traceIdAt(0);
        const TraceSummary first = *model.summaryAt(0);
        store.addSpans({ make(bumped, 200, 1, QStringLiteral("one more"), res, first.startTimeUnixNano + Ms,
            first.startTimeUnixNano + 2 * Ms) });
        model.refresh({ grown, bumped });
        QCOMPARE(resets.count(), 0);
        QCOMPARE(removes.count(), 1);
        QCOMPARE(model.rowOf(grown), -1);
        QCOMPARE(model.rowCount(), 199);
        QCOMPARE(moves.count(), 1);
        QVERIFY(model.rowOf(bumped) > 0);
        QCOMPARE(model.summaryAt(model.rowOf(bumped))->spanCount, first.spanCount + 1);
        checkSortedByRole(model, TraceListModel::SpansColumn, Qt::AscendingOrder, 450);
        QCOMPARE(model.traceIdAt(449), grown);
    }

    void traceListFilterAndIncomplete()
    {
        MemoryTraceStore store;
        store.addSpans(smallTrace(1, true));
        store.addSpans(smallTrace(2));
        // Trace 3 has only a child whose parent never arrived.
        store.addSpans({ make(traceId(3), 7, 99, QStringLiteral("orphan"), resource(QStringLiteral("svc-o")), BaseNs + 3 * Ms,
            BaseNs + 4 * Ms) });
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setStore(&store);
        QCOMPARE(model.rowCount(), 3);
        const QModelIndex name = model.index(model.rowOf(traceId(3)), TraceListModel::NameColumn);
        QVERIFY(name.data().toString().contains(QStringLiteral("orphan")));
        QVERIFY(name.data().toString().contains(QStringLiteral("(incomplete)")));
        QVERIFY(name.data(Qt::FontRole).value<QFont>().italic());

        TraceQuery query;
        query.errorsOnly = true;
        model.setQuery(query);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.traceIdAt(0), traceId(1));
        query = TraceQuery();
        query.serviceName = QStringLiteral("svc-o");
        model.setQuery(query);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.traceIdAt(0), traceId(3));
    }

    void asyncSortDropsTheOlderOrdersPage()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(variedTrace(n));
        auto gate = std::make_shared<Gate>();
        QThreadPool pool;
        // Whatever happens below (a failed check returns early; QAbstractItemModelTester may fetch one more page),
        // no store call stays blocked on the gate: the pool could not be destroyed.
        const auto drain = qScopeGuard([&] {
            gate->permits.release(1000);
            pool.waitForDone();
        });
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAsynchronous(true);
        model.setThreadPool(&pool);
        model.setSource(gatedSource(&store, gate));
        gate->permits.release();
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(model.rowCount(), TraceListModel::PageSize);

        // A click on Spans, then at once on Duration: the model empties, the Spans page comes back stale.
        model.sort(TraceListModel::SpansColumn, Qt::DescendingOrder);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.isLoading());
        model.sort(TraceListModel::DurationColumn, Qt::DescendingOrder);
        QCOMPARE(model.rowCount(), 0);
        // From here on no read waits at the gate: the Duration page, the stale Spans page and any page
        // QAbstractItemModelTester asks for on its own (it calls fetchMore) all run, in whatever order the pool picks.
        gate->permits.release(1000);
        QVERIFY(waitUntilLoaded(model));
        pool.waitForDone(); // the stale Spans page has run...
        QTest::qWait(50); // ...and its result has come back to this thread (and been dropped)
        QVERIFY(waitUntilLoaded(model));
        QVERIFY(gate->calls.load() >= 3);
        QCOMPARE(model.query().order, TraceOrder::Duration);
        QVERIFY(model.rowCount() >= TraceListModel::PageSize);
        std::uint64_t longest = 0;
        for (quint64 n = 1; n <= 450; ++n)
            longest = std::max(longest, store.traceSummary(traceId(n))->durationNanos());
        QCOMPARE(model.summaryAt(0)->durationNanos(), longest);
        for (int row = 1; row < model.rowCount(); ++row)
            QVERIFY(model.summaryAt(row - 1)->durationNanos() >= model.summaryAt(row)->durationNanos());

        // Pages continue in that order.
        const int before = model.rowCount();
        if (model.canFetchMore(QModelIndex())) {
            model.fetchMore(QModelIndex());
            QVERIFY(waitUntilLoaded(model));
            pool.waitForDone();
            QTest::qWait(50);
            QVERIFY(waitUntilLoaded(model));
            QVERIFY(model.rowCount() > before);
        }
        for (int row = 1; row < model.rowCount(); ++row)
            QVERIFY(model.summaryAt(row - 1)->durationNanos() >= model.summaryAt(row)->durationNanos());
    }

    void asyncTraceListPaging()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 450; ++n)
            store.addSpans(smallTrace(n));
        auto gate = std::make_shared<Gate>();
        QThreadPool pool;
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAsynchronous(true);
        model.setThreadPool(&pool);
        QSignalSpy loading(&model, &TraceListModel::loadingChanged);
        model.setSource(gatedSource(&store, gate));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.isLoading());
        QCOMPARE(loading.count(), 1);
        QVERIFY(!model.canFetchMore(QModelIndex()));

        // The read is blocked, the GUI thread is not: a timer fires meanwhile.
        QTimer timer;
        timer.setSingleShot(true);
        QSignalSpy fired(&timer, &QTimer::timeout);
        timer.start(1);
        QVERIFY(fired.wait());
        QVERIFY(model.isLoading());
        QCOMPARE(model.rowCount(), 0);

        gate->permits.release();
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(model.rowCount(), TraceListModel::PageSize);
        QCOMPARE(model.traceIdAt(0), traceId(450));
        QVERIFY(model.canFetchMore(QModelIndex()));

        model.fetchMore(QModelIndex());
        QVERIFY(model.isLoading());
        QVERIFY(!model.canFetchMore(QModelIndex()));
        model.fetchMore(QModelIndex()); // ignored while the page is coming
        gate->permits.release();
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(model.rowCount(), 400);
        QCOMPARE(gate->calls.load(), 2);

        gate->permits.release();
        model.fetchMore(QModelIndex());
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(model.rowCount(), 450);
        QVERIFY(!model.canFetchMore(QModelIndex()));
        for (int row = 1; row < model.rowCount(); ++row)
            QVERIFY(model.summaryAt(row - 1)->startTimeUnixNano > model.summaryAt(row)->startTimeUnixNano);
    }

    void asyncStaleResultsDropped()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 10; ++n)
            store.addSpans(smallTrace(n, n % 2 == 0));
        auto all = std::make_shared<Gate>();
        auto errors = std::make_shared<Gate>();
        QThreadPool pool;
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAsynchronous(true);
        model.setThreadPool(&pool);
        model.setSource(gatedSource(&store, all, errors)); // every trace: waits on `all`
        TraceQuery query;
        query.errorsOnly = true;
        model.setQuery(query); // a newer query: waits on `errors`
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);

        errors->permits.release();
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(model.rowCount(), 5);

        // The older read returns last; its rows must not appear.
        all->permits.release();
        pool.waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(all->calls.load(), 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(inserts.count(), 1);
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(model.summaryAt(row)->errorCount > 0);
        QVERIFY(!model.isLoading());
    }

    void asyncRefreshCoalesces()
    {
        MemoryTraceStore store;
        for (quint64 n = 1; n <= 3; ++n)
            store.addSpans(smallTrace(n));
        auto gate = std::make_shared<Gate>();
        QThreadPool pool;
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAsynchronous(true);
        model.setThreadPool(&pool);
        model.setSource(gatedSource(&store, gate));
        gate->permits.release();
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(model.rowCount(), 3);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy loading(&model, &TraceListModel::loadingChanged);
        store.addSpans(smallTrace(10));
        model.refresh({ traceId(10) });
        QVERIFY(model.isLoading());
        store.addSpans(smallTrace(11));
        model.refresh({ traceId(11) }); // while the first refresh reads: one more read after it, not two
        model.refresh({ traceId(11) });
        gate->permits.release(2);
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(gate->calls.load(), 3);
        QCOMPARE(loading.count(), 2); // on, then off once: no flicker between the two reads
        QCOMPARE(resets.count(), 0);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.traceIdAt(0), traceId(11));
        QCOMPARE(model.traceIdAt(1), traceId(10));
    }

    void asyncLoadFailure()
    {
        MemoryTraceStore store;
        store.addSpans(smallTrace(1));
        auto gate = std::make_shared<Gate>();
        gate->permits.release(10);
        TraceListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAsynchronous(true);
        QSignalSpy failed(&model, &TraceListModel::loadFailed);
        model.setSource(gatedSource(&store, gate, nullptr, QStringLiteral("server closed the connection")));
        QVERIFY(waitUntilLoaded(model));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("server closed the connection"));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.canFetchMore(QModelIndex()));
    }

    void spanTreeParentage()
    {
        const auto a = resource(QStringLiteral("a"));
        const auto b = resource(QStringLiteral("b"));
        const TraceId t = traceId(1);
        std::vector<Span> spans = {
            make(t, 3, 1, QStringLiteral("late child"), b, BaseNs + 50, BaseNs + 60),
            make(t, 1, 0, QStringLiteral("root"), a, BaseNs, BaseNs + 100),
            make(t, 2, 1, QStringLiteral("early child"), a, BaseNs + 10, BaseNs + 40),
            make(t, 4, 2, QStringLiteral("grandchild"), b, BaseNs + 20, BaseNs + 30),
            make(t, 5, 77, QStringLiteral("orphan"), b, BaseNs + 5, BaseNs + 8),
            make(t, 6, 7, QStringLiteral("cycle 6"), b, BaseNs + 70, BaseNs + 80),
            make(t, 7, 6, QStringLiteral("cycle 7"), b, BaseNs + 71, BaseNs + 79),
        };
        SpanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setSpans(spans);

        // Top level: root, orphan (dangling parent), and the cycle cut open at its earliest span.
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("root"));
        QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("orphan"));
        QCOMPARE(model.index(2, 0).data().toString(), QStringLiteral("cycle 6"));
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(model.rowCount(root), 2);
        QCOMPARE(model.index(0, 0, root).data().toString(), QStringLiteral("early child"));
        QCOMPARE(model.index(1, 0, root).data().toString(), QStringLiteral("late child"));
        const QModelIndex early = model.index(0, 0, root);
        QCOMPARE(model.rowCount(early), 1);
        QCOMPARE(model.index(0, 0, early).data().toString(), QStringLiteral("grandchild"));
        QCOMPARE(model.parent(model.index(0, 0, early)), early);
        QCOMPARE(model.rowCount(model.index(2, 0)), 1);
        QCOMPARE(model.index(0, 0, model.index(2, 0)).data().toString(), QStringLiteral("cycle 7"));

        QCOMPARE(model.index(1, SpanTreeModel::ServiceColumn, root).data().toString(), QStringLiteral("b"));
        QCOMPARE(model.index(1, SpanTreeModel::DurationColumn, root).data().toString(), QStringLiteral("10 ns"));
        QCOMPARE(model.index(1, SpanTreeModel::StartOffsetColumn, root).data(SpanTreeModel::SortRole).toULongLong(), 50ull);
        QCOMPARE(model.indexForSpan(spanId(4)).data().toString(), QStringLiteral("grandchild"));
        QCOMPARE(model.tree()->maxDepth, 2);
        QCOMPARE(model.tree()->durationNanos(), 100ull);
        QVERIFY(model.tree()->isAncestor(model.tree()->indexOf(spanId(1)), model.tree()->indexOf(spanId(4))));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void spanTreeKeepsEverySpan()
    {
        // Records for the plain spans, whole spans for those that carry more: every span comes back as it went in.
        const auto a = resource(QStringLiteral("a"));
        const auto b = resource(QStringLiteral("b"));
        const auto scope = std::make_shared<const InstrumentationScope>(InstrumentationScope { QStringLiteral("lib"),
            QStringLiteral("1.0"), {}, 0, QString() });
        const TraceId t = traceId(1);
        std::vector<Span> spans;
        for (quint64 i = 1; i <= 12; ++i)
            spans.push_back(make(t, i, i == 1 ? 0 : 1 + (i % 3), QStringLiteral("op %1").arg(i % 4), i % 2 ? a : b,
                                 BaseNs + 10 * i, BaseNs + 10 * i + 5));
        spans[1].attributes.push_back({ QStringLiteral("k"), AnyValue::fromString(QStringLiteral("v")) });
        spans[2].events.push_back({ BaseNs + 31, QStringLiteral("event"), {}, 0 });
        spans[3].links.push_back({ traceId(9), spanId(3), QString(), {}, 0, 1 });
        spans[4].traceState = QStringLiteral("vendor=x");
        spans[5].statusCode = StatusCode::Error;
        spans[5].statusMessage = QStringLiteral("failed");
        spans[6].droppedAttributesCount = 2;
        spans[7].traceId = traceId(2); // another trace id than the earliest span's
        spans[8].scope = scope;
        spans[9].kind = SpanKind::Client;
        spans[9].flags = 0x301;
        spans[10].resource = nullptr;
        const auto tree = SpanTree::build(spans);
        QCOMPARE(tree->spans.size(), spans.size());
        QCOMPARE(tree->traceId(), t);
        QCOMPARE(tree->names.size(), size_t(4)); // "op 0" .. "op 3", once each
        // Only the spans with more than a record are kept whole (8 of the 12: spans[1] to spans[7] and none else).
        QCOMPARE(tree->fullSpans.size(), size_t(7));
        for (const Span& in : spans) {
            const int i = tree->indexOf(in.spanId);
            QVERIFY(i >= 0);
            QVERIFY2(spansEqual(tree->span(i), in), qPrintable(in.spanId.toHex()));
            QCOMPARE(tree->nameOf(i), in.name);
            QCOMPARE(tree->serviceNameOf(i), in.serviceName());
            QCOMPARE(tree->resourceOf(i), in.resource);
            QCOMPARE(tree->scopeOf(i), in.scope);
            QCOMPARE(tree->attributesOf(i), in.attributes);
            QCOMPARE(tree->eventsOf(i).size(), in.events.size());
            QCOMPARE(tree->linksOf(i).size(), in.links.size());
            QCOMPARE(tree->statusMessageOf(i), in.statusMessage);
            QCOMPARE(tree->fullSpanOf(i) != nullptr, !in.attributes.empty() || !in.events.empty() || !in.links.empty()
                         || !in.traceState.isEmpty() || !in.statusMessage.isEmpty() || in.droppedAttributesCount
                         || in.traceId != t);
            // spanView fills a scratch span that held a whole one without keeping any of it.
            Span scratch = spans[1];
            QVERIFY(spansEqual(tree->spanView(i, scratch), in));
        }
        QCOMPARE(tree->indexOf(spanId(99)), -1);
    }

    void spanTreeLinksLargeTrees()
    {
        // A random tree of 50,000 spans (ids that collide in their low bits, duplicates, dangling parents, cycles):
        // children, roots, depth and rows as a plain map of parent ids gives them.
        const TraceId t = traceId(1);
        std::mt19937_64 random(7);
        const int n = 50000;
        std::vector<Span> spans;
        spans.reserve(n);
        for (int i = 0; i < n; ++i) {
            // Ids i << 20 share their low 20 bits; every 1000th span repeats an earlier id.
            const quint64 id = (i % 1000 == 999) ? (quint64(i - 500) << 20) : (quint64(i + 1) << 20);
            quint64 parent = 0;
            if (i > 0) {
                const int p = int(random() % quint64(i));
                parent = (i % 997 == 0) ? 0xdead : (quint64(p + 1) << 20);
            }
            if (i == 40000)
                parent = quint64(40002) << 20; // with the next span: a cycle
            if (i == 40001)
                parent = quint64(40001) << 20;
            spans.push_back(make(t, id, parent, QStringLiteral("s%1").arg(i % 50), nullptr, BaseNs + quint64(random() % 1000000),
                                 BaseNs + 2000000 + quint64(random() % 1000)));
        }
        const auto tree = SpanTree::build(spans);
        QCOMPARE(int(tree->spans.size()), n);
        // Expected: the first occurrence (in tree order) of each id; the parent by id, unless it is itself.
        QHash<SpanId, int> first;
        for (int i = 0; i < n; ++i)
            if (!first.contains(tree->spans[size_t(i)].spanId))
                first.insert(tree->spans[size_t(i)].spanId, i);
        for (int i = 0; i < n; ++i)
            QCOMPARE(tree->indexOf(tree->spans[size_t(i)].spanId), first.value(tree->spans[size_t(i)].spanId));
        int children = 0;
        std::vector<char> seen(size_t(n), 0);
        for (int i = 0; i < n; ++i) {
            const SpanTree::Record& span = tree->spans[size_t(i)];
            const int parent = tree->nodes[size_t(i)].parent;
            const int byId = span.parentSpanId.isValid() ? first.value(span.parentSpanId, -1) : -1;
            // Linked by id, or a root: no parent, a dangling one, itself, or cut open where it meets a cycle.
            QVERIFY(parent == byId || parent == -1);
            if (parent == -1 && byId >= 0 && byId != i) {
                // Cut: its chain of parents by id never ends at a root, so it is on a cycle or below one.
                int up = i;
                int steps = 0;
                for (; steps <= n; ++steps) {
                    const SpanTree::Record& s = tree->spans[size_t(up)];
                    const int next = s.parentSpanId.isValid() ? first.value(s.parentSpanId, -1) : -1;
                    if (next < 0 || next == up)
                        break;
                    up = next;
                }
                QVERIFY2(steps > n, qPrintable(QString::number(i)));
            }
            const SpanIndexRange kids = tree->children(i);
            QCOMPARE(int(kids.size()), tree->childCount(i));
            for (std::size_t k = 0; k < kids.size(); ++k) {
                QCOMPARE(tree->nodes[size_t(kids[k])].parent, i);
                QCOMPARE(tree->nodes[size_t(kids[k])].row, int(k));
                QCOMPARE(tree->nodes[size_t(kids[k])].depth, tree->nodes[size_t(i)].depth + 1);
                if (k > 0)
                    QVERIFY(kids[k - 1] < kids[k]); // start order
                QVERIFY(!seen[size_t(kids[k])]);
                seen[size_t(kids[k])] = 1;
            }
            children += int(kids.size());
        }
        const SpanIndexRange roots = tree->children(-1);
        for (std::size_t r = 0; r < roots.size(); ++r) {
            QCOMPARE(tree->nodes[size_t(roots[r])].parent, -1);
            QCOMPARE(tree->nodes[size_t(roots[r])].row, int(r));
            QVERIFY(!seen[size_t(roots[r])]);
            seen[size_t(roots[r])] = 1;
        }
        QCOMPARE(children + int(roots.size()), n); // every span exactly once, under its parent or as a root
        QVERIFY(roots.size() > 50); // the dangling parents and the cycle's cut
        const int cut = tree->indexOf(SpanId::fromRaw("\0\0\0\0\0\0\0\0")); // none: ids are never zero
        QCOMPARE(cut, -1);
    }

    void attributeModel()
    {
        AttributeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);

        AnyValue array;
        array.type = AnyValue::Type::Array;
        array.arrayValue = { AnyValue::fromInt(1), AnyValue::fromString(QStringLiteral("two")) };
        AnyValue inner;
        inner.type = AnyValue::Type::Map;
        inner.mapValue = { { QStringLiteral("deep"), AnyValue::fromBool(true) } };
        AnyValue map;
        map.type = AnyValue::Type::Map;
        map.mapValue = { { QStringLiteral("x"), AnyValue::fromDouble(0.5) }, { QStringLiteral("inner"), inner } };
        Attributes attributes = {
            { QStringLiteral("s"), AnyValue::fromString(QStringLiteral("line one\nline two")) },
            { QStringLiteral("i"), AnyValue::fromInt(-42) },
            { QStringLiteral("d"), AnyValue::fromDouble(0.25) },
            { QStringLiteral("b"), AnyValue::fromBool(false) },
            { QStringLiteral("bytes"), AnyValue::fromBytes(QByteArray::fromHex("00ff")) },
            { QStringLiteral("arr"), array },
            { QStringLiteral("map"), map },
        };
        model.setAttributes(attributes);
        QCOMPARE(model.rowCount(), 7);
        auto cell = [&](int row, int column, const QModelIndex& parent = QModelIndex()) {
            return model.index(row, column, parent).data().toString();
        };
        QCOMPARE(cell(0, AttributeModel::TypeColumn), QStringLiteral("string"));
        QVERIFY(!cell(0, AttributeModel::ValueColumn).contains(QLatin1Char('\n')));
        QCOMPARE(model.index(0, AttributeModel::ValueColumn).data(AttributeModel::FullValueRole).toString(),
            QStringLiteral("line one\nline two"));
        QCOMPARE(cell(1, AttributeModel::ValueColumn), QStringLiteral("-42"));
        QCOMPARE(model.index(1, AttributeModel::ValueColumn).data(AttributeModel::SortRole).toLongLong(), -42);
        QCOMPARE(cell(1, AttributeModel::TypeColumn), QStringLiteral("int"));
        QCOMPARE(cell(2, AttributeModel::TypeColumn), QStringLiteral("double"));
        QCOMPARE(cell(2, AttributeModel::ValueColumn), QStringLiteral("0.25"));
        QCOMPARE(cell(3, AttributeModel::ValueColumn), QStringLiteral("false"));
        QCOMPARE(cell(4, AttributeModel::ValueColumn), QStringLiteral("00ff"));
        QCOMPARE(cell(4, AttributeModel::TypeColumn), QStringLiteral("bytes"));

        const QModelIndex arr = model.index(5, 0);
        QCOMPARE(cell(5, AttributeModel::TypeColumn), QStringLiteral("array"));
        QCOMPARE(model.rowCount(arr), 2);
        QCOMPARE(cell(0, AttributeModel::KeyColumn, arr), QStringLiteral("[0]"));
        QCOMPARE(cell(1, AttributeModel::ValueColumn, arr), QStringLiteral("two"));
        QCOMPARE(model.index(1, 0, arr).data(AttributeModel::KeyPathRole).toString(), QStringLiteral("arr[1]"));

        const QModelIndex mapIndex = model.index(6, 0);
        QCOMPARE(model.rowCount(mapIndex), 2);
        const QModelIndex innerIndex = model.index(1, 0, mapIndex);
        QCOMPARE(innerIndex.data().toString(), QStringLiteral("inner"));
        QCOMPARE(model.rowCount(innerIndex), 1);
        QCOMPARE(model.index(0, AttributeModel::ValueColumn, innerIndex).data().toString(), QStringLiteral("true"));
        QCOMPARE(model.index(0, 0, innerIndex).data(AttributeModel::KeyPathRole).toString(), QStringLiteral("map.inner.deep"));
        QCOMPARE(model.parent(model.index(0, 0, innerIndex)), innerIndex);

        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
