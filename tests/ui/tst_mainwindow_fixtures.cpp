// The main window over real fixture traces: decoded by OtlpJsonCodec, stored in a SqliteTraceStore in a temp dir.

#include "ui/inspectorwidget.h"
#include "ui/mainwindow.h"
#include "ui/rawpayloadview.h"
#include "ui/waterfallview.h"

#include "ingest/otlpjsoncodec.h"
#include "model/attributemodel.h"
#include "model/tracelistmodel.h"
#include "storage/sqlitetracestore.h"

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
QString fixture(const QString& name)
{
    return QStringLiteral(SPANSCOPE_FIXTURES_DIR "/otlp-json/") + name;
}

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
        for (const char* name : { "hotrod-n-plus-one-concurrent.json", "genai-agent-trace.json", "jaeger-otel-traces-01.json" })
            QVERIFY2(ingestFile(*m_store, fixture(QString::fromLatin1(name)), &error), qPrintable(error));
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

    void hotrod()
    {
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

        const TraceId id = TraceId::fromHex(u"1a4e4a7b270e9f2a0f716e3ee115218a");
        TraceListModel* list = window.traceListModel();
        const int listRow = list->rowOf(id);
        QVERIFY(listRow >= 0);
        QCOMPARE(list->index(listRow, TraceListModel::ServiceColumn).data().toString(), QStringLiteral("frontend"));
        QCOMPARE(list->index(listRow, TraceListModel::NameColumn).data().toString(), QStringLiteral("GET /dispatch"));
        QCOMPARE(list->index(listRow, TraceListModel::SpansColumn).data(TraceListModel::SortRole).toLongLong(), 40);
        QCOMPARE(list->index(listRow, TraceListModel::ErrorsColumn).data(TraceListModel::SortRole).toLongLong(), 3);

        window.openTrace(id);
        QTRY_VERIFY(!window.isLoading());
        WaterfallView* waterfall = window.waterfall();
        QCOMPARE(waterfall->visibleRowCount(), 40);
        QCOMPARE(waterfall->rowText(0), QStringLiteral("GET /dispatch"));
        QCOMPARE(waterfall->rowDepth(0), 0);
        // The frontend root has 12 children: 11 HTTP GET (the manifest's siblings) and the FindNearest call.
        int depthOne = 0;
        for (int row = 0; row < waterfall->visibleRowCount(); ++row)
            depthOne += waterfall->rowDepth(row) == 1;
        QCOMPARE(depthOne, 12);
        // The 10 route calls hang under frontend HTTP GET spans, one level deeper.
        const int route = rowOfName(waterfall, QStringLiteral("GET /route"));
        QVERIFY(route > 0);
        QCOMPARE(waterfall->rowDepth(route), 2);
        waterfall->setExpanded(waterfall->spanAtRow(0), false);
        QCOMPARE(waterfall->visibleRowCount(), 1);
        waterfall->expandAll();

        // An ERROR GetDriver span of redis-manual.
        const SpanId errorSpan = SpanId::fromHex(u"d61e8256a1209b32");
        window.selectSpan(errorSpan);
        InspectorWidget* inspector = window.inspector();
        QCOMPARE(inspector->fieldText(QStringLiteral("name")), QStringLiteral("GetDriver"));
        QCOMPARE(inspector->fieldText(QStringLiteral("status")), QStringLiteral("error: An error occurred"));
        QVERIFY(inspector->fieldText(QStringLiteral("service")).contains(QStringLiteral("redis-manual")));
        QVERIFY(inspector->fieldText(QStringLiteral("parentSpanId")).contains(QStringLiteral("1538e9b90f608783")));
        QCOMPARE(inspector->fieldText(QStringLiteral("start")), QStringLiteral("2026-08-19T") + inspector->fieldText(QStringLiteral("start")).mid(11));
        QVERIFY(inspector->fieldText(QStringLiteral("start")).endsWith(QStringLiteral(".811025281Z")));
        QVERIFY(inspector->attributeModel()->rowCount() > 0);
        // Parent link goes to driver.DriverService/FindNearest of the driver service.
        auto* parentLabel = inspector->findChild<QLabel*>(QStringLiteral("inspector_parentSpanId"));
        Q_EMIT parentLabel->linkActivated(QStringLiteral("1538e9b90f608783"));
        QCOMPARE(waterfall->selectedSpan(), SpanId::fromHex(u"1538e9b90f608783"));
        QVERIFY(inspector->fieldText(QStringLiteral("service")).contains(QStringLiteral("driver")));

        // Raw payload: the fixture file, pretty-printed by the injected formatter.
        RawPayloadView* raw = window.rawPayloadView();
        QCOMPARE(raw->payloadCount(), 1);
        QVERIFY(raw->text().contains(QStringLiteral("\"resourceSpans\"")));
        QVERIFY(raw->text().contains(QStringLiteral("1a4e4a7b270e9f2a0f716e3ee115218a")));

        window.findEdit()->setText(QStringLiteral("GetDriver"));
        QCOMPARE(waterfall->matchCount(), 13);

        window.findEdit()->clear();
        window.selectSpan(SpanId::fromHex(u"1538e9b90f608783"));
        maybeScreenshot(window, QStringLiteral("hotrod"));
    }

    void genai()
    {
        MainWindow window(m_store.get());
        window.setPayloadFormatter([](const RawPayload& payload) {
            return QString::fromUtf8(OtlpJsonCodec::prettyPrint(payload.body));
        });
        window.resize(1500, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        const TraceId id = TraceId::fromHex(u"a1b2c3d4e5f60718a1b2c3d4e5f60718");
        TraceListModel* list = window.traceListModel();
        const int listRow = list->rowOf(id);
        QVERIFY(listRow >= 0);
        QCOMPARE(list->index(listRow, TraceListModel::TokensColumn).data(TraceListModel::SortRole).toLongLong(), 1102 + 289);

        window.openTrace(id);
        WaterfallView* waterfall = window.waterfall();
        QCOMPARE(waterfall->visibleRowCount(), 8);
        QCOMPARE(waterfall->rowText(0), QStringLiteral("diagnose"));
        QCOMPARE(waterfall->rowText(1), QStringLiteral("chat meta-llama/Llama-3.1-8B-Instruct"));
        QCOMPARE(waterfall->rowText(2), QStringLiteral("rag_retrieve kubernetes_ops_runbooks"));
        QCOMPARE(waterfall->rowDepth(2), 2);
        QCOMPARE(waterfall->rowText(7), QStringLiteral("chat meta-llama/Llama-3.1-8B-Instruct"));

        window.selectSpan(SpanId::fromHex(u"2222222222222222"));
        InspectorWidget* inspector = window.inspector();
        AttributeModel* attributes = inspector->attributeModel();
        QModelIndex tokens;
        for (int row = 0; row < attributes->rowCount(); ++row)
            if (attributes->index(row, 0).data().toString() == QStringLiteral("gen_ai.usage.input_tokens"))
                tokens = attributes->index(row, 0);
        QVERIFY(tokens.isValid());
        QCOMPARE(tokens.siblingAtColumn(AttributeModel::ValueColumn).data().toString(), QStringLiteral("312"));
        QCOMPARE(tokens.siblingAtColumn(AttributeModel::TypeColumn).data().toString(), QStringLiteral("int"));
        const QModelIndex temperature = attributes->index(3, AttributeModel::ValueColumn);
        QCOMPARE(temperature.siblingAtColumn(0).data().toString(), QStringLiteral("gen_ai.request.temperature"));
        QCOMPARE(temperature.data().toString(), QStringLiteral("0.3"));
        QCOMPARE(inspector->fieldText(QStringLiteral("schemaUrl")), QStringLiteral("https://opentelemetry.io/schemas/1.26.0"));
        QCOMPARE(inspector->fieldText(QStringLiteral("scope")), QStringLiteral("incident-response-agent 0.1.0"));
        QCOMPARE(inspector->fieldText(QStringLiteral("duration")).left(6), QStringLiteral("2.5 s "));

        // Find by attribute value (the prompt text).
        window.findEdit()->setText(QStringLiteral("SRE assistant"));
        QVERIFY(waterfall->matchCount() >= 1);
        window.findEdit()->clear();
        window.selectSpan(SpanId::fromHex(u"2222222222222222"));
        maybeScreenshot(window, QStringLiteral("genai"));
    }

    void jaegerLinks()
    {
        MainWindow window(m_store.get());
        window.show();
        // Find a span with links among the jaeger fixture's traces and follow its first link.
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
        QSKIP("no span with links in the fixtures");
    }
};

QTEST_MAIN(TestMainWindowFixtures)
#include "tst_mainwindow_fixtures.moc"
