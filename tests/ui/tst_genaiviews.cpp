// The agent developer's views (issue 10 §3): the Conversation pane of one LLM call, the Agent run tab
// (GenAiRunModel + RunView) and Settings > Model Prices (PricesDialog).

#include "model/genai.h"
#include "model/genairunmodel.h"
#include "model/runcomparisonmodel.h"
#include "model/spantreemodel.h"
#include "ui/compareview.h"
#include "ui/conversationview.h"
#include "ui/pricesdialog.h"
#include "ui/runview.h"
#include "ui/waterfallview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>

namespace {

KeyValue kv(const char* key, const QString& value)
{
    return { QLatin1String(key), AnyValue::fromString(value) };
}

KeyValue kv(const char* key, std::int64_t value)
{
    return { QLatin1String(key), AnyValue::fromInt(value) };
}

Span span(int n, int parent, const QString& name, Attributes attributes, int startMs, int ms)
{
    Span s;
    s.traceId = TraceId::fromHex(QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
    s.spanId = SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0')));
    if (parent)
        s.parentSpanId = SpanId::fromHex(QStringLiteral("%1").arg(parent, 16, 16, QLatin1Char('0')));
    s.name = name;
    s.startTimeUnixNano = 1'700'000'000'000'000'000ULL + std::uint64_t(startMs) * 1'000'000ULL;
    s.endTimeUnixNano = s.startTimeUnixNano + std::uint64_t(ms) * 1'000'000ULL;
    s.attributes = std::move(attributes);
    return s;
}

/// agent -> chat (asks for get_weather) -> tool -> chat (answers); an unrelated HTTP span; a chat without content.
std::shared_ptr<const SpanTree> agentTrace()
{
    std::vector<Span> spans;
    spans.push_back(span(1, 0, QStringLiteral("invoke_agent weather"),
                         { kv("gen_ai.operation.name", QStringLiteral("invoke_agent")), kv("gen_ai.agent.name", QStringLiteral("weather")) },
                         0, 100));
    spans.push_back(span(2, 1, QStringLiteral("chat gpt-4o-mini"),
                         { kv("gen_ai.operation.name", QStringLiteral("chat")), kv("gen_ai.provider.name", QStringLiteral("openai")),
                           kv("gen_ai.request.model", QStringLiteral("gpt-4o-mini")),
                           kv("gen_ai.usage.input_tokens", 1200), kv("gen_ai.usage.output_tokens", 30),
                           { QStringLiteral("gen_ai.request.temperature"), AnyValue::fromDouble(0.2) },
                           kv("gen_ai.system_instructions", QStringLiteral(R"([{"type":"text","content":"You are a weather agent."}])")),
                           kv("gen_ai.input.messages",
                              QStringLiteral(R"([{"role":"user","parts":[{"type":"text","content":"Weather in Paris?\nAnd tomorrow?"}]}])")),
                           kv("gen_ai.output.messages",
                              QStringLiteral("[{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}],\"finish_reason\":\"tool_call\"}]")) },
                         1, 20));
    spans.push_back(span(3, 1, QStringLiteral("execute_tool get_weather"),
                         { kv("gen_ai.operation.name", QStringLiteral("execute_tool")), kv("gen_ai.tool.name", QStringLiteral("get_weather")),
                           kv("gen_ai.tool.call.id", QStringLiteral("call_1")),
                           kv("gen_ai.tool.call.result", QStringLiteral(R"({"temperature":18})")) },
                         22, 5));
    spans.push_back(span(4, 3, QStringLiteral("GET /weather"), { kv("http.request.method", QStringLiteral("GET")) }, 23, 3));
    spans.push_back(span(5, 1, QStringLiteral("chat gpt-4o-mini"),
                         { kv("gen_ai.operation.name", QStringLiteral("chat")), kv("gen_ai.request.model", QStringLiteral("my-model")),
                           kv("gen_ai.usage.input_tokens", 1300), kv("gen_ai.usage.output_tokens", 12),
                           kv("gen_ai.output.messages",
                              QStringLiteral(R"([{"role":"assistant","parts":[{"type":"text","content":"It is 18 °C."}],"finish_reason":"stop"}])")) },
                         30, 20));
    spans.push_back(span(6, 0, QStringLiteral("chat"), { kv("gen_ai.operation.name", QStringLiteral("chat")) }, 60, 5));
    return SpanTree::build(spans);
}

PriceTable prices()
{
    PriceTable table;
    table.prices = { { QStringLiteral("gpt-4o-mini*"), 0.15, 0.6, std::nullopt, QStringLiteral("USD") } };
    return table;
}

} // namespace

class TestGenAiViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void conversationShowsTheCall()
    {
        const PriceTable table = prices();
        const GenAi::Run run = GenAi::analyze(*agentTrace(), &table);
        ConversationView view;
        view.resize(700, 500);
        view.show();
        QVERIFY(view.transcriptText().contains(QLatin1String("Select an LLM call")));
        QVERIFY(!view.findChild<QPushButton*>(QStringLiteral("copyCallJson"))->isEnabled());

        view.setCall(run.calls[0]);
        const QString header = view.findChild<QLabel*>(QStringLiteral("conversationHeader"))->text();
        QVERIFY2(header.contains(QLatin1String("gpt-4o-mini")) && header.contains(QLatin1String("openai")), qPrintable(header));
        QVERIFY2(header.contains(QLocale().toString(1200)) && header.contains(QLatin1String("$0.000198")), qPrintable(header));
        QVERIFY2(header.contains(QLatin1String("temperature 0.2")), qPrintable(header));
        QVERIFY2(header.contains(QLatin1String("finish: tool_call")), qPrintable(header));
        const QString text = view.transcriptText();
        // Line breaks kept, nothing cut; the tool call with its pretty-printed arguments.
        QVERIFY2(text.contains(QLatin1String("Weather in Paris?\nAnd tomorrow?")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("get_weather")) && text.contains(QLatin1String("\"city\": \"Paris\"")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("call_1")), qPrintable(text));
        // System instructions folded until clicked.
        QVERIFY(!text.contains(QLatin1String("You are a weather agent.")));
        QVERIFY(text.contains(QLatin1String("System instructions")));
        view.setSystemInstructionsShown(true);
        QVERIFY(view.transcriptText().contains(QLatin1String("You are a weather agent.")));
        // Copy as JSON: the query API's shape.
        QApplication::clipboard()->clear();
        view.findChild<QPushButton*>(QStringLiteral("copyCallJson"))->click();
        const QJsonObject copied = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8()).object();
        QCOMPARE(copied.value(QLatin1String("span_id")).toString(), run.calls[0].spanId.toHex());
        QCOMPARE(copied.value(QLatin1String("input_tokens")).toInt(), 1200);

        // A model without a price says so; a call without captured content says so.
        view.setCall(run.calls[1]);
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("conversationHeader"))->text().contains(QLatin1String("no price")));
        QVERIFY(view.transcriptText().contains(QStringLiteral("It is 18 °C.")));
        view.setCall(run.calls[2]);
        QVERIFY2(view.transcriptText().contains(QLatin1String("were not captured")), qPrintable(view.transcriptText()));
        // Dark palette: the view re-renders, text stays.
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(30, 30, 30));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        view.setCall(run.calls[0]);
        view.setPalette(dark);
        QVERIFY(view.browser()->toHtml().contains(QLatin1String("#e6e6e6")));
    }

    void runModelAndView()
    {
        const auto tree = agentTrace();
        const PriceTable table = prices();
        auto run = std::make_shared<const GenAi::Run>(GenAi::analyze(*tree, &table));
        RunView view;
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setRun(run, tree);
        GenAiRunModel* model = view.model();
        // The agent at the top with its three steps in order; the call outside the agent beside it.
        QCOMPARE(model->rowCount(), 2);
        const QModelIndex agent = model->index(0, GenAiRunModel::StepColumn);
        QCOMPARE(agent.data().toString(), QStringLiteral("invoke_agent weather"));
        QCOMPARE(model->rowCount(agent), 3);
        QCOMPARE(model->index(0, GenAiRunModel::DetailColumn, agent).data().toString(), QStringLiteral("asks for get_weather"));
        QCOMPARE(model->index(1, GenAiRunModel::StepColumn, agent).data().toString(), QStringLiteral("get_weather"));
        QCOMPARE(model->index(1, GenAiRunModel::DetailColumn, agent).data().toString(),
                 QStringLiteral("({\"city\":\"Paris\"}) \u2192 {\"temperature\":18}"));
        QCOMPARE(model->index(2, GenAiRunModel::DetailColumn, agent).data().toString(), QStringLiteral("It is 18 °C."));
        QCOMPARE(model->index(2, GenAiRunModel::CostColumn, agent).data().toString(), QStringLiteral("no price"));
        QCOMPARE(model->index(0, GenAiRunModel::CostColumn, agent).data().toString(), QStringLiteral("$0.000198"));
        QCOMPARE(model->index(1, GenAiRunModel::StepColumn).data(GenAiRunModel::SpanIndexRole).toInt(), 5);
        QVERIFY(!model->index(0, GenAiRunModel::StepColumn, agent).data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(!model->indexOfSpan(3).isValid()); // the HTTP span is no step
        QCOMPARE(model->indexOfSpan(2), model->index(1, 0, agent));
        QVERIFY2(view.totalsText().startsWith(QLatin1String("3 LLM call")), qPrintable(view.totalsText()));
        QVERIFY2(view.totalsText().contains(QLocale().toString(2500) + QLatin1String(" input / 42 output tokens")), qPrintable(view.totalsText()));
        QVERIFY2(view.totalsText().contains(QLatin1String("no price")), qPrintable(view.totalsText())); // one model unpriced

        // Clicking a step goes to its span; selecting a span selects its step and emits nothing.
        view.resize(800, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy activated(&view, &RunView::spanActivated);
        view.selectSpan(2);
        QCOMPARE(view.view()->currentIndex().data(GenAiRunModel::SpanIndexRole).toInt(), 2);
        QCOMPARE(activated.count(), 0);
        const QRect rect = view.view()->visualRect(model->index(2, 0, agent));
        QTest::mouseClick(view.view()->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toInt(), 4);

        view.setRun(nullptr, nullptr);
        QCOMPARE(model->rowCount(), 0);
        QVERIFY(view.findChild<QLabel*>(QStringLiteral("runTotals"))->text().contains(QLatin1String("No LLM calls")));
    }

    void waterfallMarksSteps()
    {
        const auto tree = agentTrace();
        const GenAi::Run run = GenAi::analyze(*tree);
        WaterfallView view;
        view.resize(900, 300);
        view.setTree(tree);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QImage plain = view.viewport()->grab().toImage();
        view.setStepRoles(run.roles);
        QCOMPARE(view.stepRole(0), GenAi::SpanRole::Agent);
        QCOMPARE(view.stepRole(1), GenAi::SpanRole::LlmCall);
        QCOMPARE(view.stepRole(2), GenAi::SpanRole::ToolCall);
        QCOMPARE(view.stepRole(3), GenAi::SpanRole::None); // the HTTP span
        const QImage marked = view.viewport()->grab().toImage();
        QVERIFY(plain != marked); // the icons are painted
        // Only the name column changes.
        QCOMPARE(plain.copy(view.nameColumnWidth() + 1, 0, plain.width() - view.nameColumnWidth() - 1, plain.height()),
                 marked.copy(view.nameColumnWidth() + 1, 0, marked.width() - view.nameColumnWidth() - 1, marked.height()));
        view.setStepRoles({ GenAi::SpanRole::Agent }); // not parallel to the spans: ignored
        QCOMPARE(view.stepRole(0), GenAi::SpanRole::None);
        view.setStepRoles(run.roles);
        view.setTree(tree, true); // a live reload keeps them
        QCOMPARE(view.stepRole(1), GenAi::SpanRole::LlmCall);
        view.setTree(tree); // another trace does not
        QCOMPARE(view.stepRole(1), GenAi::SpanRole::None);
    }

    void compareViewShowsTheMessageDiff()
    {
        const auto treeA = agentTrace();
        // B: the same run with another question, and without the last chat call.
        std::vector<Span> spansB;
        for (int i = 0; i < int(treeA->spans.size()); ++i)
            spansB.push_back(treeA->span(i));
        for (KeyValue& kv : spansB[1].attributes)
            if (kv.key == QLatin1String("gen_ai.input.messages"))
                kv.value = AnyValue::fromString(
                    QStringLiteral(R"([{"role":"user","parts":[{"type":"text","content":"Weather in Lyon?\nAnd tomorrow?"}]}])"));
        spansB.erase(spansB.begin() + 4);
        const auto treeB = SpanTree::build(spansB);
        const PriceTable table = prices();
        auto runA = std::make_shared<const GenAi::Run>(GenAi::analyze(*treeA, &table));
        auto runB = std::make_shared<const GenAi::Run>(GenAi::analyze(*treeB, &table));
        CompareView view;
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setComparison(RunComparison::compare(treeA, runA, treeB, runB));
        QVERIFY2(view.totalsText().contains(QStringLiteral("LLM calls 3 \u2192 2 (\u22121)")), qPrintable(view.totalsText()));
        QVERIFY2(view.totalsText().contains(QStringLiteral("Steps only in B: 0 \u00b7 only in A: 1 \u00b7 changed: 1")), qPrintable(view.totalsText()));
        QVERIFY(view.diffText().isEmpty());
        // Select the changed chat call: its diff shows both questions.
        const QModelIndex agent = view.model()->index(0, 0);
        view.view()->setCurrentIndex(view.model()->index(0, 0, agent));
        const QString diff = view.diffText();
        QVERIFY2(diff.contains(QLatin1String("- Weather in Paris?")) && diff.contains(QLatin1String("+ Weather in Lyon?")), qPrintable(diff));
        QVERIFY2(diff.contains(QLatin1String("  And tomorrow?")), qPrintable(diff));
        // The removed call: only its A side.
        view.showRow(view.model()->index(2, 0, agent).data(RunComparisonModel::RowRole).toInt());
        QVERIFY2(view.diffText().startsWith(QLatin1String("- ")), qPrintable(view.diffText()));
    }

    void pricesDialogEditsTheTable()
    {
        PricesDialog dialog(PriceTable::defaults());
        QTableWidget* grid = dialog.grid();
        QPushButton* ok = dialog.buttons()->button(QDialogButtonBox::Ok);
        QCOMPARE(size_t(grid->rowCount()), PriceTable::defaults().prices.size());
        QVERIFY(ok->isEnabled());
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("priceSource"))->text().contains(PriceTable::defaults().asOf));

        grid->item(0, PricesDialog::InputColumn)->setText(QStringLiteral("-1"));
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("priceProblem"))->text().startsWith(QLatin1String("Row 1:")));
        grid->item(0, PricesDialog::InputColumn)->setText(QStringLiteral("0.25"));
        QVERIFY(ok->isEnabled());

        dialog.findChild<QPushButton*>(QStringLiteral("addPrice"))->click();
        QVERIFY(!ok->isEnabled()); // a new row needs its pattern
        const int last = grid->rowCount() - 1;
        grid->item(last, PricesDialog::PatternColumn)->setText(QStringLiteral("llama-3*"));
        grid->item(last, PricesDialog::OutputColumn)->setText(QStringLiteral("0.5"));
        grid->item(last, PricesDialog::CurrencyColumn)->setText(QStringLiteral("eur"));
        QVERIFY(ok->isEnabled());
        QString error;
        const std::optional<PriceTable> edited = dialog.table(&error);
        QVERIFY2(edited, qPrintable(error));
        QCOMPARE(edited->prices.front().inputPerMillion, 0.25);
        QCOMPARE(edited->prices.back().pattern, QStringLiteral("llama-3*"));
        QCOMPARE(edited->prices.back().currency, QStringLiteral("EUR"));
        QVERIFY(!edited->prices.back().cachedInputPerMillion);
        QCOMPARE(edited->cost(QStringLiteral("llama-3-70b"), 0, 2'000'000, 0)->toString(), QStringLiteral("1.00 EUR"));

        grid->setCurrentCell(last, 0);
        dialog.findChild<QPushButton*>(QStringLiteral("removePrice"))->click();
        QCOMPARE(size_t(grid->rowCount()), PriceTable::defaults().prices.size());
        dialog.findChild<QPushButton*>(QStringLiteral("restorePrices"))->click();
        QCOMPARE(dialog.table()->prices.front().inputPerMillion, PriceTable::defaults().prices.front().inputPerMillion);
    }
};

QTEST_MAIN(TestGenAiViews)
#include "tst_genaiviews.moc"
