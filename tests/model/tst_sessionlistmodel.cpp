#include "model/sessionlistmodel.h"

#include "model/tracelistmodel.h"

#include <QAbstractItemModelTester>
#include <QLocale>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

namespace {
constexpr std::uint64_t BaseNs = 1700000000000000000ull;
constexpr std::uint64_t Ms = 1000000ull;

SessionSummary session(const QString& id, qint64 traces, std::uint64_t startMs, std::uint64_t endMs, qint64 llm = 0,
    qint64 tools = 0, qint64 in = 0, qint64 out = 0)
{
    SessionSummary s;
    s.conversationId = id;
    s.traceCount = traces;
    s.startTimeUnixNano = BaseNs + startMs * Ms;
    s.endTimeUnixNano = BaseNs + endMs * Ms;
    s.llmCalls = llm;
    s.toolCalls = tools;
    s.inputTokens = in;
    s.outputTokens = out;
    return s;
}

// As the store lists them: the most recently active first.
std::vector<SessionSummary> threeSessions()
{
    return { session(QStringLiteral("trip-42"), 3, 1000, 90000, 6, 2, 4400, 900),
        session(QStringLiteral("alpha"), 1, 5000, 6500, 0, 1),
        session(QStringLiteral("zeta"), 12, 0, 4000, 30, 0, 120000, 8000) };
}

QStringList idsInOrder(const QAbstractItemModel& model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids << model.index(row, 0).data(SessionListModel::ConversationIdRole).toString();
    return ids;
}
} // namespace

class TestSessionListModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void empty()
    {
        SessionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.columnCount(), int(SessionListModel::ColumnCount));
        QVERIFY(!model.sessionAt(0));
        QCOMPARE(model.rowOf(QStringLiteral("trip-42")), -1);
        for (int column = 0; column < SessionListModel::ColumnCount; ++column) {
            QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
            QVERIFY(!model.headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
        }
        QCOMPARE(
            model.headerData(SessionListModel::SessionColumn, Qt::Horizontal).toString(), QStringLiteral("Session"));

        // Emptied again after holding sessions.
        model.setSessions(threeSessions());
        QCOMPARE(model.rowCount(), 3);
        model.setSessions({});
        QCOMPARE(model.rowCount(), 0);
    }

    void data_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("display");
        QTest::addColumn<QVariant>("sort");
        const QLocale locale;
        QTest::newRow("session") << 0 << int(SessionListModel::SessionColumn) << QStringLiteral("trip-42")
                                 << QVariant(QStringLiteral("trip-42"));
        QTest::newRow("traces") << 2 << int(SessionListModel::TracesColumn) << QStringLiteral("12")
                                << QVariant(qint64(12));
        QTest::newRow("started") << 0 << int(SessionListModel::StartColumn)
                                 << TraceListModel::formatTimestamp(BaseNs + 1000 * Ms)
                                 << QVariant(qulonglong(BaseNs + 1000 * Ms));
        QTest::newRow("last activity") << 0 << int(SessionListModel::LastActivityColumn)
                                       << TraceListModel::formatTimestamp(BaseNs + 90000 * Ms)
                                       << QVariant(qulonglong(BaseNs + 90000 * Ms));
        QTest::newRow("duration") << 0 << int(SessionListModel::DurationColumn) << QStringLiteral("89 s")
                                  << QVariant(qulonglong(89000 * Ms));
        QTest::newRow("llm calls") << 0 << int(SessionListModel::LlmCallsColumn) << QStringLiteral("6")
                                   << QVariant(qint64(6));
        QTest::newRow("no llm calls") << 1 << int(SessionListModel::LlmCallsColumn) << QString() << QVariant(qint64(0));
        QTest::newRow("tool calls") << 1 << int(SessionListModel::ToolCallsColumn) << QStringLiteral("1")
                                    << QVariant(qint64(1));
        QTest::newRow("no tool calls") << 2 << int(SessionListModel::ToolCallsColumn) << QString()
                                       << QVariant(qint64(0));
        QTest::newRow("input tokens") << 2 << int(SessionListModel::InputTokensColumn) << locale.toString(120000)
                                      << QVariant(qint64(120000));
        QTest::newRow("output tokens") << 0 << int(SessionListModel::OutputTokensColumn) << locale.toString(900)
                                       << QVariant(qint64(900));
        QTest::newRow("no tokens without LLM calls")
            << 1 << int(SessionListModel::InputTokensColumn) << QString() << QVariant(qint64(0));
    }

    void data()
    {
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(QString, display);
        QFETCH(QVariant, sort);
        SessionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSessions(threeSessions());
        const QModelIndex index = model.index(row, column);
        QCOMPARE(index.data().toString(), display);
        QCOMPARE(index.data(SessionListModel::SortRole), sort);
        QCOMPARE(index.data(SessionListModel::ConversationIdRole).toString(), model.sessionAt(row)->conversationId);
    }

    void toolTips()
    {
        SessionListModel model;
        model.setSessions(threeSessions());
        const QString session = model.index(0, SessionListModel::SessionColumn).data(Qt::ToolTipRole).toString();
        // No translator is loaded here: plural forms read "trace(s)".
        QVERIFY2(session.contains(QStringLiteral("trip-42")) && session.contains(QStringLiteral("3 trace")),
            qPrintable(session));
        const QString single = model.index(1, SessionListModel::TracesColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(single.contains(QStringLiteral("1 trace")), qPrintable(single));
        const QString genAi = model.index(0, SessionListModel::InputTokensColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(genAi.contains(QStringLiteral("6 LLM call")) && genAi.contains(QStringLiteral("2 tool call")),
            qPrintable(genAi));
        QVERIFY2(genAi.contains(QLocale().toString(4400)), qPrintable(genAi));
    }

    void costColumn()
    {
        PriceTable prices;
        prices.prices.push_back({ QStringLiteral("gpt-x*"), 2.0, 10.0, std::nullopt, QStringLiteral("USD") });
        std::vector<SessionSummary> sessions = threeSessions();
        // trip-42: two models, both priced: 1M input at 2 + 0.5M output at 10, and 0.1M input = 7.20 USD.
        sessions[0].modelUsage = { ModelUsage { QStringLiteral("gpt-x"), 4, 1000000, 500000, 0 },
            ModelUsage { QStringLiteral("gpt-x-mini"), 2, 100000, 0, 0 } };
        // zeta: a model without a price that used tokens.
        sessions[2].modelUsage = { ModelUsage { QStringLiteral("gpt-x"), 10, 1000, 0, 0 },
            ModelUsage { QStringLiteral("mystery"), 20, 119000, 8000, 0 } };

        SessionListModel model;
        QSortFilterProxyModel proxy;
        proxy.setSortRole(SessionListModel::SortRole);
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSessions(sessions);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setPriceTable(prices);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex(), model.index(0, SessionListModel::CostColumn));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), model.index(2, SessionListModel::CostColumn));
        model.setPriceTable(prices); // the same table: no signal
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.headerData(SessionListModel::CostColumn, Qt::Horizontal).toString(), QStringLiteral("Cost"));

        const auto cost = [&model](int row, int role = Qt::DisplayRole) {
            return model.index(row, SessionListModel::CostColumn).data(role);
        };
        QCOMPARE(cost(0).toString(), (Cost { 7.2, QStringLiteral("USD") }).toString());
        QCOMPARE(cost(0).toString(), QStringLiteral("$7.20"));
        QCOMPARE(cost(0, SessionListModel::SortRole).toDouble(), 7.2);
        QCOMPARE(cost(1).toString(), QString()); // no LLM calls
        QCOMPARE(cost(1, SessionListModel::SortRole).toDouble(), 0.0);
        QCOMPARE(cost(2).toString(), QStringLiteral("no price"));
        QCOMPARE(cost(2, SessionListModel::SortRole).toDouble(), -1.0);
        QVERIFY(model.index(0, SessionListModel::CostColumn).data(Qt::TextAlignmentRole).isValid());
        const QString tip = cost(2, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("mystery")) && tip.contains(QStringLiteral("no price")), qPrintable(tip));

        proxy.sort(SessionListModel::CostColumn, Qt::DescendingOrder);
        QCOMPARE(idsInOrder(proxy),
            (QStringList { QStringLiteral("trip-42"), QStringLiteral("alpha"), QStringLiteral("zeta") }));

        // Other prices: the column follows (and the sorted proxy with it).
        prices.prices.push_back({ QStringLiteral("mystery"), 1000.0, 0.0, std::nullopt, QStringLiteral("USD") });
        model.setPriceTable(prices);
        QCOMPARE(changed.count(), 2);
        QCOMPARE(cost(2, SessionListModel::SortRole).toDouble(), 0.002 + 119.0);
        QCOMPARE(idsInOrder(proxy),
            (QStringList { QStringLiteral("zeta"), QStringLiteral("trip-42"), QStringLiteral("alpha") }));

        // A different usage is a change of the row (setSessions merges).
        sessions = model.sessions();
        sessions[0].modelUsage.pop_back();
        model.setSessions(sessions);
        QCOMPARE(changed.count(), 3);
        QCOMPARE(cost(0, SessionListModel::SortRole).toDouble(), 7.0);
    }

    void sortRoles_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("most recently active first")
            << int(SessionListModel::LastActivityColumn) << Qt::DescendingOrder
            << QStringList { QStringLiteral("trip-42"), QStringLiteral("alpha"), QStringLiteral("zeta") };
        QTest::newRow("started first") << int(SessionListModel::StartColumn) << Qt::AscendingOrder
                                       << QStringList { QStringLiteral("zeta"), QStringLiteral("trip-42"),
                                              QStringLiteral("alpha") };
        // Numbers, not text: 12 traces sort after 3.
        QTest::newRow("most traces") << int(SessionListModel::TracesColumn) << Qt::DescendingOrder
                                     << QStringList { QStringLiteral("zeta"), QStringLiteral("trip-42"),
                                            QStringLiteral("alpha") };
        QTest::newRow("longest") << int(SessionListModel::DurationColumn) << Qt::DescendingOrder
                                 << QStringList { QStringLiteral("trip-42"), QStringLiteral("zeta"),
                                        QStringLiteral("alpha") };
        QTest::newRow("most input tokens")
            << int(SessionListModel::InputTokensColumn) << Qt::DescendingOrder
            << QStringList { QStringLiteral("zeta"), QStringLiteral("trip-42"), QStringLiteral("alpha") };
        QTest::newRow("most tool calls") << int(SessionListModel::ToolCallsColumn) << Qt::DescendingOrder
                                         << QStringList { QStringLiteral("trip-42"), QStringLiteral("alpha"),
                                                QStringLiteral("zeta") };
        QTest::newRow("ids A to Z") << int(SessionListModel::SessionColumn) << Qt::AscendingOrder
                                    << QStringList { QStringLiteral("alpha"), QStringLiteral("trip-42"),
                                           QStringLiteral("zeta") };
    }

    void sortRoles()
    {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QFETCH(QStringList, expected);
        SessionListModel model;
        QSortFilterProxyModel proxy;
        proxy.setSortRole(SessionListModel::SortRole);
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSessions(threeSessions());
        proxy.sort(column, order);
        QCOMPARE(idsInOrder(proxy), expected);
        // Sorted on a header's first click the way the header asks.
        QCOMPARE(model.headerData(column, Qt::Horizontal, Qt::InitialSortOrderRole).value<Qt::SortOrder>(),
            column == SessionListModel::SessionColumn ? Qt::AscendingOrder : Qt::DescendingOrder);
    }

    void mergeKeepsRows()
    {
        SessionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSessions(threeSessions());
        const QPersistentModelIndex zeta = model.index(2, 0);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        // The same list again: nothing happens.
        model.setSessions(threeSessions());
        QCOMPARE(inserted.count() + removed.count() + changed.count() + resets.count(), 0);

        // alpha is gone, zeta got a trace (and is now the most recently active), "new" arrived.
        std::vector<SessionSummary> next = threeSessions();
        next.erase(next.begin() + 1);
        next[1].traceCount = 13;
        next[1].endTimeUnixNano = BaseNs + 95000 * Ms;
        std::swap(next[0], next[1]);
        next.push_back(session(QStringLiteral("new"), 1, 96000, 97000, 1, 0, 10, 5));
        model.setSessions(next);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(idsInOrder(model),
            (QStringList { QStringLiteral("trip-42"), QStringLiteral("zeta"), QStringLiteral("new") }));
        QVERIFY(zeta.isValid());
        QCOMPARE(zeta.row(), 1);
        QCOMPARE(model.index(1, SessionListModel::TracesColumn).data().toString(), QStringLiteral("13"));
        QCOMPARE(model.rowOf(QStringLiteral("new")), 2);
        QCOMPARE(model.rowOf(QStringLiteral("alpha")), -1);
    }
};

QTEST_GUILESS_MAIN(TestSessionListModel)
#include "tst_sessionlistmodel.moc"
