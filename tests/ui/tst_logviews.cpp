// The log record views (issue 9 §3): SpanTree's log index, LogRecordModel, the trace view's Logs tab and the
// inspector's "Log records" box, over a tree built in the test.
#include "model/logrecordmodel.h"
#include "ui/inspectorwidget.h"
#include "ui/logsview.h"

#include <QCheckBox>
#include <QGroupBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

namespace {

constexpr std::uint64_t T0 = 1760000000000000000ULL;

SpanId spanId(int n)
{
    const std::uint64_t raw = std::uint64_t(n);
    return SpanId::fromRaw(&raw);
}

std::shared_ptr<const SpanTree> makeTree()
{
    const std::uint64_t rawTrace[2] = { 7, 9 };
    const TraceId trace = TraceId::fromRaw(rawTrace);
    std::vector<Span> spans(2);
    spans[0].traceId = trace;
    spans[0].spanId = spanId(1);
    spans[0].name = QStringLiteral("invoke_agent");
    spans[0].startTimeUnixNano = T0;
    spans[0].endTimeUnixNano = T0 + 50'000'000;
    spans[1].traceId = trace;
    spans[1].spanId = spanId(2);
    spans[1].parentSpanId = spanId(1);
    spans[1].name = QStringLiteral("chat gpt-4o");
    spans[1].startTimeUnixNano = T0 + 10'000'000;
    spans[1].endTimeUnixNano = T0 + 40'000'000;

    std::vector<LogRecord> logs(4);
    // Out of order on purpose: the tree sorts by time, then observed time.
    logs[0].traceId = trace;
    logs[0].spanId = spanId(2);
    logs[0].timeUnixNano = T0 + 30'000'000;
    logs[0].severityNumber = 9;
    logs[0].eventName = QStringLiteral("gen_ai.choice");
    logs[0].body = AnyValue::fromString(QStringLiteral("Zürich:\nday 1, day 2"));
    logs[0].attributes = { { QStringLiteral("gen_ai.system"), AnyValue::fromString(QStringLiteral("openai")) } };
    logs[1].traceId = trace;
    logs[1].spanId = spanId(2);
    logs[1].timeUnixNano = T0 + 12'000'000;
    logs[1].severityNumber = 9;
    logs[1].eventName = QStringLiteral("gen_ai.user.message");
    logs[1].body = AnyValue::fromString(QStringLiteral("Plan 3 days in Zürich"));
    logs[2].traceId = trace;
    logs[2].observedTimeUnixNano = T0 + 45'000'000; // no time: ordered by observed time
    logs[2].severityNumber = 17;
    logs[2].body = AnyValue::fromString(QStringLiteral("tool failed"));
    logs[3].traceId = trace;
    logs[3].spanId = spanId(1);
    logs[3].timeUnixNano = T0 + 1'000'000;
    logs[3].severityNumber = 14;
    logs[3].severityText = QStringLiteral("warning");
    logs[3].body = AnyValue::fromString(QStringLiteral("slow start"));
    return SpanTree::build(std::move(spans), std::move(logs));
}

} // namespace

class TestLogViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void treeIndexesLogsBySpanInTimeOrder()
    {
        const auto tree = makeTree();
        QCOMPARE(tree->logs.size(), std::size_t(4));
        QCOMPARE(tree->logs[0].body.toDisplayString(), QStringLiteral("slow start"));
        QCOMPARE(tree->logs[3].body.toDisplayString(), QStringLiteral("tool failed"));
        const auto chat = tree->logsOf(spanId(2));
        QCOMPARE(chat.size(), std::size_t(2));
        QCOMPARE(chat[0]->eventName, QStringLiteral("gen_ai.user.message"));
        QCOMPARE(chat[1]->eventName, QStringLiteral("gen_ai.choice"));
        QVERIFY(tree->logsOf(spanId(3)).empty());
    }

    void severityNames()
    {
        QCOMPARE(LogRecordModel::severityName(0), QString());
        QCOMPARE(LogRecordModel::severityName(1), QStringLiteral("TRACE"));
        QCOMPARE(LogRecordModel::severityName(9), QStringLiteral("INFO"));
        QCOMPARE(LogRecordModel::severityName(14), QStringLiteral("WARN2"));
        QCOMPARE(LogRecordModel::severityName(21), QStringLiteral("FATAL"));
        QCOMPARE(LogRecordModel::severityName(24), QStringLiteral("FATAL4"));
        QCOMPARE(LogRecordModel::severityName(25), QString());
        QCOMPARE(LogRecordModel::severityName(17, QStringLiteral("err")), QStringLiteral("err"));
    }

    void modelColumns()
    {
        LogRecordModel model;
        model.setTree(makeTree());
        QCOMPARE(model.rowCount(), 4);
        auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
        QCOMPARE(text(0, LogRecordModel::TimeColumn), QStringLiteral("+1 ms"));
        QCOMPARE(text(0, LogRecordModel::SeverityColumn), QStringLiteral("warning"));
        QCOMPARE(text(0, LogRecordModel::SpanColumn), QStringLiteral("invoke_agent"));
        QCOMPARE(text(2, LogRecordModel::EventColumn), QStringLiteral("gen_ai.choice"));
        QCOMPARE(text(2, LogRecordModel::BodyColumn), QStringLiteral("Zürich:") + QChar(0x21b5) + QStringLiteral("day 1, day 2"));
        QCOMPARE(text(2, LogRecordModel::AttributesColumn), QStringLiteral("gen_ai.system=openai"));
        QCOMPARE(text(3, LogRecordModel::SpanColumn), QStringLiteral("(no span)"));
        QCOMPARE(text(3, LogRecordModel::SeverityColumn), QStringLiteral("ERROR"));
        QCOMPARE(model.index(1, 0).data(LogRecordModel::SpanIdRole).toString(), spanId(2).toHex());
        QCOMPARE(model.index(3, 0).data(LogRecordModel::SpanIdRole).toString(), QString());
        model.setTree(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void logsTabFiltersAndLeadsToTheSpan()
    {
        LogsView view;
        view.setTree(makeTree());
        QCOMPARE(view.visibleRows(), 4);
        view.filterEdit()->setText(QStringLiteral("zürich"));
        QCOMPARE(view.visibleRows(), 2);
        view.filterEdit()->setText(QStringLiteral("gen_ai.system=openai"));
        QCOMPARE(view.visibleRows(), 1);
        view.filterEdit()->clear();
        view.setSelectedSpan(spanId(1));
        view.selectedOnlyBox()->setChecked(true);
        QCOMPARE(view.visibleRows(), 1);
        view.setSelectedSpan(spanId(2));
        QCOMPARE(view.visibleRows(), 2);
        view.setSelectedSpan(SpanId());
        QCOMPARE(view.visibleRows(), 0);
        view.selectedOnlyBox()->setChecked(false);
        QCOMPARE(view.visibleRows(), 4);

        QSignalSpy activated(&view, &LogsView::spanActivated);
        const QModelIndex second = view.view()->model()->index(1, 0);
        Q_EMIT view.view()->activated(second);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.at(0).at(0).value<SpanId>(), spanId(2));
        Q_EMIT view.view()->activated(view.view()->model()->index(3, 0)); // no span: nothing to go to
        QCOMPARE(activated.size(), 1);
    }

    void inspectorShowsTheSpansLogRecords()
    {
        InspectorWidget inspector;
        inspector.setTree(makeTree());
        inspector.showSpan(spanId(2));
        QTreeWidget* logs = inspector.logsView();
        QCOMPARE(logs->topLevelItemCount(), 2);
        QCOMPARE(logs->topLevelItem(0)->text(0), QStringLiteral("+2 ms")); // from the span's start
        QCOMPARE(logs->topLevelItem(0)->text(1), QStringLiteral("INFO gen_ai.user.message: Plan 3 days in Zürich"));
        QCOMPARE(logs->topLevelItem(1)->text(1), QStringLiteral("INFO gen_ai.choice: Zürich: …"));
        // The whole body, then the attributes, below each record.
        QTreeWidgetItem* choice = logs->topLevelItem(1);
        QCOMPARE(choice->childCount(), 2);
        QCOMPARE(choice->child(0)->text(1), QStringLiteral("Zürich:\nday 1, day 2"));
        QCOMPARE(choice->child(1)->text(0), QStringLiteral("gen_ai.system"));
        auto* box = qobject_cast<QGroupBox*>(logs->parentWidget());
        QVERIFY(box);
        QCOMPARE(box->title(), QStringLiteral("Log records (2)"));

        inspector.showSpan(spanId(1));
        QCOMPARE(logs->topLevelItemCount(), 1);
        QCOMPARE(logs->topLevelItem(0)->text(1), QStringLiteral("warning: slow start"));
    }
};

QTEST_MAIN(TestLogViews)
#include "tst_logviews.moc"
