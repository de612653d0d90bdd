#include "model/attributemodel.h"
#include "model/spantreemodel.h"
#include "model/tracelistmodel.h"

#include "../common/memorytracestore.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QLoggingCategory>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>
#include <QTimer>

#include <atomic>

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
