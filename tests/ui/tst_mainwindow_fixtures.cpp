// The main window over the trace files of tests/data/ (and of the conformance corpus when it is there): decoded by
// OtlpJsonCodec, stored in a SqliteTraceStore in a temp dir.

#include "ui/inspectorwidget.h"
#include "ui/mainwindow.h"
#include "ui/rawpayloadview.h"
#include "ui/waterfallview.h"

#include "ingest/codec/otlpjsoncodec.h"
#include "model/attributemodel.h"
#include "model/tracelistmodel.h"
#include "storage/sqlitetracestore.h"

#include "../common/testdata.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QTest>
#include <QTranslator>
#include <QIcon>
#include <QLocale>
#include <QTreeWidget>

#include <memory>

namespace {

bool ingestFile(TraceStore& store, const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return false;
    }
    IngestItem item;
    item.payload.body = file.readAll();
    item.payload.contentType = QStringLiteral("application/json");
    item.payload.wireSize = item.payload.body.size();
    item.payload.receivedAtUnixNano = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
    item.payload.peer = QFileInfo(path).fileName();
    DecodeResult decoded = OtlpJsonCodec::decodeRequest(item.payload.body);
    if (!decoded.ok) {
        *error = decoded.error;
        return false;
    }
    item.payload.spanCount = static_cast<qint64>(decoded.batch.spans.size());
    item.batch = std::move(decoded.batch);
    const WriteResult result = store.write({ item });
    *error = result.error;
    return result.ok;
}

// Saves the window as a PNG when SPANSCOPE_SCREENSHOT_DIR is set (for looking at it, not for asserting).
void maybeScreenshot(QWidget& window, const QString& name)
{
    const QString dir = qEnvironmentVariable("SPANSCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    // Let posted layout requests settle first, as they would on screen.
    QTest::qWait(100);
    window.grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
    if (auto* tabs = window.findChild<QTabWidget*>(QStringLiteral("detailTabs"))) {
        tabs->setCurrentIndex(1);
        QTest::qWait(100);
        window.grab().save(QDir(dir).filePath(name + QStringLiteral("-raw.png")));
        tabs->setCurrentIndex(0);
    }
}
}

class TestMainWindowFixtures : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteTraceStore> m_store;

    int rowOfName(WaterfallView* waterfall, const QString& name)
    {
        for (int row = 0; row < waterfall->visibleRowCount(); ++row)
            if (waterfall->rowText(row) == name)
                return row;
        return -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = std::make_unique<SqliteTraceStore>(m_dir.filePath(QStringLiteral("fixtures.db")));
        QString error;
        QVERIFY2(m_store->open(&error), qPrintable(error));
        QStringList files;
        for (const char* name : { "checkout-fanout.json", "trip-planner-agent.json", "payments-two-traces.json" })
            files << QStringLiteral("otlp-json/") + QLatin1String(name);
        if (!TestData::conformanceDir().isEmpty())
            for (const char* name :
                { "hotrod-n-plus-one-concurrent.json", "genai-agent-trace.json", "jaeger-otel-traces-01.json" })
                files << TestData::conformanceFile("otlp-json/") + QLatin1String(name);
        for (const QString& file : files) {
            SPANSCOPE_TEST_FILE(path, file);
            QVERIFY2(ingestFile(*m_store, path, &error), qPrintable(error));
        }
    }
    void cleanupTestCase() { m_store.reset(); }

    void translationsAreEmbedded()
    {
        // What app/main.cpp does.
        QTranslator translator;
        QVERIFY(translator.load(QLocale(QStringLiteral("en_US")), QStringLiteral("spanscope"), QStringLiteral("_"),
            QStringLiteral(":/i18n")));
        QCoreApplication::installTranslator(&translator);
        QCOMPARE(QCoreApplication::translate("RawPayloadView", "%n request(s)", nullptr, 1), QStringLiteral("1 request"));
        QCOMPARE(QCoreApplication::translate("RawPayloadView", "%n request(s)", nullptr, 3), QStringLiteral("3 requests"));
        QCoreApplication::removeTranslator(&translator);
        QVERIFY(!QIcon(QStringLiteral(":/spanscope/icons/spanscope-256.png")).isNull());
    }

    void fanOut_data()
    {
        QTest::addColumn<bool>("conformance");
        QTest::addColumn<QString>("traceId");
        QTest::addColumn<QString>("rootService");
        QTest::addColumn<QString>("rootName");
        QTest::addColumn<int>("spans");
        QTest::addColumn<int>("errors");
        QTest::addColumn<int>("rootChildren");
        QTest::addColumn<QString>("grandchildName"); // a span two levels below the root
        QTest::addColumn<QString>("errorSpan");
        QTest::addColumn<QString>("errorName");
        QTest::addColumn<QString>("errorStatus");
        QTest::addColumn<QString>("errorService");
        QTest::addColumn<QString>("parentSpan"); // of errorSpan
        QTest::addColumn<QString>("parentService");
        QTest::addColumn<QString>("startDate"); // of errorSpan, UTC
        QTest::addColumn<QString>("startNanos");
        QTest::addColumn<QString>("find");
        QTest::addColumn<int>("matches");

        // The web root has 7 children: the cart load and 6 price calls (the manifest's siblings), each price call
        // with its pricing server span below it; 5 GetPrice spans of redis-cache under the checkout server.
        QTest::newRow("checkout-fanout") << false << QStringLiteral("c7e1d2a9b8f34b5c9d0e1f2a3b4c5d6e")
                                         << QStringLiteral("web") << QStringLiteral("GET /checkout") << 22 << 3 << 7
                                         << QStringLiteral("GET /price") << QStringLiteral("e1e1e1e1e1e1e103")
                                         << QStringLiteral("GetPrice")
                                         << QStringLiteral("error: cache timeout after 10ms")
                                         << QStringLiteral("redis-cache") << QStringLiteral("404949171d49ad4b")
                                         << QStringLiteral("checkout") << QStringLiteral("2026-03-02T")
                                         << QStringLiteral(".038000017Z") << QStringLiteral("GetPrice") << 5;
        // The frontend root has 12 children: 11 HTTP GET (the manifest's siblings) and the FindNearest call; the
        // 10 route calls hang under frontend HTTP GET spans; an ERROR GetDriver span of redis-manual.
        QTest::newRow("conformance: hotrod")
            << true << QStringLiteral("1a4e4a7b270e9f2a0f716e3ee115218a") << QStringLiteral("frontend")
            << QStringLiteral("GET /dispatch") << 40 << 3 << 12 << QStringLiteral("GET /route")
            << QStringLiteral("d61e8256a1209b32") << QStringLiteral("GetDriver")
            << QStringLiteral("error: An error occurred") << QStringLiteral("redis-manual")
            << QStringLiteral("1538e9b90f608783") << QStringLiteral("driver") << QStringLiteral("2026-08-19T")
            << QStringLiteral(".811025281Z") << QStringLiteral("GetDriver") << 13;
    }

    void fanOut()
    {
        QFETCH(bool, conformance);
        QFETCH(QString, traceId);
        QFETCH(QString, rootService);
        QFETCH(QString, rootName);
        QFETCH(int, spans);
        QFETCH(int, errors);
        QFETCH(int, rootChildren);
        QFETCH(QString, grandchildName);
        QFETCH(QString, errorSpan);
        QFETCH(QString, errorName);
        QFETCH(QString, errorStatus);
        QFETCH(QString, errorService);
        QFETCH(QString, parentSpan);
        QFETCH(QString, parentService);
        QFETCH(QString, startDate);
        QFETCH(QString, startNanos);
        QFETCH(QString, find);
        QFETCH(int, matches);
        if (conformance)
            SPANSCOPE_REQUIRE_CONFORMANCE();

        MainWindow window(m_store.get());
        window.setPayloadFormatter([](const RawPayload& payload) {
            return QString::fromUtf8(OtlpJsonCodec::prettyPrint(payload.body));
        });
        window.setReceiverStatus(QStringLiteral("Receiving on http://127.0.0.1:4318"));
        window.setStorePath(m_store->description());
        window.setSpansReceived(m_store->spanCount());
        window.resize(1500, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        const TraceId id = TraceId::fromHex(traceId);
        TraceListModel* list = window.traceListModel();
        const int listRow = list->rowOf(id);
        QVERIFY(listRow >= 0);
        QCOMPARE(list->index(listRow, TraceListModel::ServiceColumn).data().toString(), rootService);
        QCOMPARE(list->index(listRow, TraceListModel::NameColumn).data().toString(), rootName);
        QCOMPARE(list->index(listRow, TraceListModel::SpansColumn).data(TraceListModel::SortRole).toLongLong(), spans);
        QCOMPARE(
            list->index(listRow, TraceListModel::ErrorsColumn).data(TraceListModel::SortRole).toLongLong(), errors);

        window.openTrace(id);
        QTRY_VERIFY(!window.isLoading());
        WaterfallView* waterfall = window.waterfall();
        QCOMPARE(waterfall->visibleRowCount(), spans);
        QCOMPARE(waterfall->rowText(0), rootName);
        QCOMPARE(waterfall->rowDepth(0), 0);
        int depthOne = 0;
        for (int row = 0; row < waterfall->visibleRowCount(); ++row)
            depthOne += waterfall->rowDepth(row) == 1;
        QCOMPARE(depthOne, rootChildren);
        const int grandchild = rowOfName(waterfall, grandchildName);
        QVERIFY(grandchild > 0);
        QCOMPARE(waterfall->rowDepth(grandchild), 2);
        waterfall->setExpanded(waterfall->spanAtRow(0), false);
        QCOMPARE(waterfall->visibleRowCount(), 1);
        waterfall->expandAll();

        // An ERROR span of a service that is not the root's.
        window.selectSpan(SpanId::fromHex(errorSpan));
        InspectorWidget* inspector = window.inspector();
        QCOMPARE(inspector->fieldText(QStringLiteral("name")), errorName);
        QCOMPARE(inspector->fieldText(QStringLiteral("status")), errorStatus);
        QVERIFY(inspector->fieldText(QStringLiteral("service")).contains(errorService));
        QVERIFY(inspector->fieldText(QStringLiteral("parentSpanId")).contains(parentSpan));
        QCOMPARE(inspector->fieldText(QStringLiteral("start")),
            startDate + inspector->fieldText(QStringLiteral("start")).mid(11));
        QVERIFY(inspector->fieldText(QStringLiteral("start")).endsWith(startNanos));
        QVERIFY(inspector->attributeModel()->rowCount() > 0);
        // The parent link goes to the parent span, in its own service.
        auto* parentLabel = inspector->findChild<QLabel*>(QStringLiteral("inspector_parentSpanId"));
        Q_EMIT parentLabel->linkActivated(parentSpan);
        QCOMPARE(waterfall->selectedSpan(), SpanId::fromHex(parentSpan));
        QVERIFY(inspector->fieldText(QStringLiteral("service")).contains(parentService));

        // Raw payload: the fixture file, pretty-printed by the injected formatter.
        RawPayloadView* raw = window.rawPayloadView();
        QCOMPARE(raw->payloadCount(), 1);
        QVERIFY(raw->text().contains(QStringLiteral("\"resourceSpans\"")));
        QVERIFY(raw->text().contains(traceId));

        window.findEdit()->setText(find);
        QCOMPARE(waterfall->matchCount(), matches);

        window.findEdit()->clear();
        window.selectSpan(SpanId::fromHex(parentSpan));
        maybeScreenshot(window, conformance ? QStringLiteral("hotrod") : QStringLiteral("checkout-fanout"));
    }

    void genai_data()
    {
        QTest::addColumn<bool>("conformance");
        QTest::addColumn<QString>("traceId");
        // The trace list's GenAI columns: LLM calls, tool calls, input and output tokens of the LLM call spans.
        QTest::addColumn<QList<qint64>>("genAiFigures");
        QTest::addColumn<QString>("root");
        QTest::addColumn<QString>("chat"); // rows 1 and 7
        QTest::addColumn<QString>("retrieval"); // row 2, under the first chat
        QTest::addColumn<QString>("chatSpan"); // the first chat span
        QTest::addColumn<QString>("inputTokens");
        QTest::addColumn<QString>("temperature"); // its fourth attribute
        QTest::addColumn<QString>("schemaUrl");
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QString>("duration");
        QTest::addColumn<QString>("promptWords");

        QTest::newRow("trip-planner-agent")
            << false << QStringLiteral("6a11e5c2b7d94f08a3c15e2d9b4f7a60") << QList<qint64> { 2, 2, 845 + 1210, 96 + 402 }
            << QStringLiteral("plan_trip") << QStringLiteral("chat gpt-4o-mini")
            << QStringLiteral("retrieve travel_guides") << QStringLiteral("a9e0000000000002") << QStringLiteral("845")
            << QStringLiteral("0.2") << QStringLiteral("https://opentelemetry.io/schemas/1.27.0")
            << QStringLiteral("trip-planner-agent 0.3.1") << QStringLiteral("1.8 s ")
            << QStringLiteral("travel assistant");
        QTest::newRow("conformance: genai")
            << true << QStringLiteral("a1b2c3d4e5f60718a1b2c3d4e5f60718") << QList<qint64> { 3, 2, 312 + 589 + 201, 128 + 94 + 67 }
            << QStringLiteral("diagnose") << QStringLiteral("chat meta-llama/Llama-3.1-8B-Instruct")
            << QStringLiteral("rag_retrieve kubernetes_ops_runbooks") << QStringLiteral("2222222222222222")
            << QStringLiteral("312") << QStringLiteral("0.3")
            << QStringLiteral("https://opentelemetry.io/schemas/1.26.0")
            << QStringLiteral("incident-response-agent 0.1.0") << QStringLiteral("2.5 s ")
            << QStringLiteral("SRE assistant");
    }

    void genai()
    {
        QFETCH(bool, conformance);
        QFETCH(QString, traceId);
        QFETCH(QList<qint64>, genAiFigures);
        QFETCH(QString, root);
        QFETCH(QString, chat);
        QFETCH(QString, retrieval);
        QFETCH(QString, chatSpan);
        QFETCH(QString, inputTokens);
        QFETCH(QString, temperature);
        QFETCH(QString, schemaUrl);
        QFETCH(QString, scope);
        QFETCH(QString, duration);
        QFETCH(QString, promptWords);
        if (conformance)
            SPANSCOPE_REQUIRE_CONFORMANCE();

        MainWindow window(m_store.get());
        window.setPayloadFormatter([](const RawPayload& payload) {
            return QString::fromUtf8(OtlpJsonCodec::prettyPrint(payload.body));
        });
        window.resize(1500, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        const TraceId id = TraceId::fromHex(traceId);
        TraceListModel* list = window.traceListModel();
        const int listRow = list->rowOf(id);
        QVERIFY(listRow >= 0);
        const int genAiColumns[] = { TraceListModel::LlmCallsColumn, TraceListModel::ToolCallsColumn,
            TraceListModel::InputTokensColumn, TraceListModel::OutputTokensColumn };
        for (int i = 0; i < 4; ++i)
            QCOMPARE(list->index(listRow, genAiColumns[i]).data(TraceListModel::SortRole).toLongLong(),
                genAiFigures.at(i));

        window.openTrace(id);
        WaterfallView* waterfall = window.waterfall();
        QCOMPARE(waterfall->visibleRowCount(), 8);
        QCOMPARE(waterfall->rowText(0), root);
        QCOMPARE(waterfall->rowText(1), chat);
        QCOMPARE(waterfall->rowText(2), retrieval);
        QCOMPARE(waterfall->rowDepth(2), 2);
        QCOMPARE(waterfall->rowText(7), chat);

        window.selectSpan(SpanId::fromHex(chatSpan));
        InspectorWidget* inspector = window.inspector();
        AttributeModel* attributes = inspector->attributeModel();
        QModelIndex tokens;
        for (int row = 0; row < attributes->rowCount(); ++row)
            if (attributes->index(row, 0).data().toString() == QStringLiteral("gen_ai.usage.input_tokens"))
                tokens = attributes->index(row, 0);
        QVERIFY(tokens.isValid());
        QCOMPARE(tokens.siblingAtColumn(AttributeModel::ValueColumn).data().toString(), inputTokens);
        QCOMPARE(tokens.siblingAtColumn(AttributeModel::TypeColumn).data().toString(), QStringLiteral("int"));
        const QModelIndex temperatureValue = attributes->index(3, AttributeModel::ValueColumn);
        QCOMPARE(temperatureValue.siblingAtColumn(0).data().toString(), QStringLiteral("gen_ai.request.temperature"));
        QCOMPARE(temperatureValue.data().toString(), temperature);
        QCOMPARE(inspector->fieldText(QStringLiteral("schemaUrl")), schemaUrl);
        QCOMPARE(inspector->fieldText(QStringLiteral("scope")), scope);
        QCOMPARE(inspector->fieldText(QStringLiteral("duration")).left(6), duration);

        // Find by attribute value (the prompt text).
        window.findEdit()->setText(promptWords);
        QVERIFY(waterfall->matchCount() >= 1);
        window.findEdit()->clear();
        window.selectSpan(SpanId::fromHex(chatSpan));
        maybeScreenshot(window, conformance ? QStringLiteral("genai") : QStringLiteral("trip-planner-agent"));
    }

    void jaegerLinks()
    {
        MainWindow window(m_store.get());
        window.show();
        // Find a span with links (payments-two-traces.json has some) and follow its first link.
        for (int row = 0; row < window.traceListModel()->rowCount(); ++row) {
            const TraceId id = window.traceListModel()->traceIdAt(row);
            const auto spans = m_store->traceSpans(id);
            for (const Span& span : spans) {
                if (span.links.empty())
                    continue;
                window.openTrace(id);
                window.selectSpan(span.spanId);
                QCOMPARE(window.inspector()->linksView()->topLevelItemCount(), int(span.links.size()));
                const SpanLink& link = span.links.front();
                window.inspector()->activateLink(0);
                if (m_store->traceSummary(link.traceId)) {
                    QCOMPARE(window.openTraceId(), link.traceId);
                    if (window.waterfall()->rowOfSpan(link.spanId) >= 0)
                        QCOMPARE(window.waterfall()->selectedSpan(), link.spanId);
                } else {
                    QCOMPARE(window.openTraceId(), id); // stays, with a status message
                }
                return;
            }
        }
        QFAIL("no span with links in the test data");
    }
};

QTEST_MAIN(TestMainWindowFixtures)
#include "tst_mainwindow_fixtures.moc"
