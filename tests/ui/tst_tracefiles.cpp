// Trace files in the GUI: File > Open (viewer window on a scratch store), Import into the store, Export, drag and
// drop, recent files and cancel, with the app's real TraceFileService (importer/exporter) and SQLite stores.

#include "app/tracefileservice.h"
#include "ingest/codec/payloadformatter.h"
#include "model/tracelistmodel.h"
#include "storage/sqlitetracestore.h"

#include "../common/testdata.h"
#include "ui/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QUrl>

#include <map>
#include <memory>

namespace {

QList<MainWindow*> viewerWindows(const MainWindow* except)
{
    QList<MainWindow*> out;
    for (QWidget* widget : QApplication::topLevelWidgets())
        if (auto* window = qobject_cast<MainWindow*>(widget); window && window != except && window->isVisible())
            out << window;
    return out;
}

/// Spans of every trace of a store, keyed by (trace id, span id) hex.
std::map<QString, Span> allSpans(TraceStore& store)
{
    std::map<QString, Span> out;
    TraceQuery query;
    query.limit = 10000;
    for (const TraceSummary& summary : store.listTraces(query))
        for (Span& span : store.traceSpans(summary.traceId))
            out.emplace(span.traceId.toHex() + span.spanId.toHex(), std::move(span));
    return out;
}

/// Waits until the window's import/export job finished (it may have finished already, while a modal progress
/// dialog processed events); returns its (ok, summary).
std::pair<bool, QString> waitForJob(MainWindow* window)
{
    if (window->isFileJobRunning()) {
        QSignalSpy spy(window, &MainWindow::fileJobFinished);
        if (!spy.wait(60000))
            return { false, QStringLiteral("timeout") };
    }
    return window->lastFileJobResult();
}

/// A JSON Lines file with `lines` requests of `spansPerLine` spans each (one trace per line).
QString writeJsonLines(const QString& dir, int lines, int spansPerLine)
{
    const QString path = QDir(dir).filePath(QStringLiteral("big.jsonl"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    for (int line = 0; line < lines; ++line) {
        QByteArray spans;
        for (int s = 0; s < spansPerLine; ++s) {
            if (s)
                spans += ',';
            spans += QStringLiteral(R"({"traceId":"%1","spanId":"%2","name":"op %3","kind":2,)"
                                    R"("startTimeUnixNano":"%4","endTimeUnixNano":"%5"})")
                         .arg(line + 1, 32, 16, QLatin1Char('0'))
                         .arg(s + 1, 16, 16, QLatin1Char('0'))
                         .arg(s)
                         .arg(1700000000000000000ll + line * 1000000ll + s)
                         .arg(1700000000000000000ll + line * 1000000ll + s + 500)
                         .toUtf8();
        }
        file.write(R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"gen"}}]},)"
                   R"("scopeSpans":[{"scope":{"name":"t"},"spans":[)"
            + spans + "]}]}]}\n");
    }
    return path;
}

} // namespace

class TestTraceFiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void openShowsFileInViewerWithoutTouchingStore_data();
    void openShowsFileInViewerWithoutTouchingStore();
    void importAddsToStoreAndRecentFiles();
    void invalidFileReportsFileAndOffsetAndStoresNothing();
    void cancelledImportLeavesStoreAsItWas();
    void exportSelectedTracesRoundTrips_data();
    void exportSelectedTracesRoundTrips();
    void exportFilteredList();
    void dropOpensViewerAndDropOnViewerAdds();
    void recentFilesMenuOpensAndForgetsMissingFiles();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteTraceStore> m_store;
    std::unique_ptr<MainWindow> m_window;
    AppTraceFileService m_files;
    QTranslator m_translator;
};

void TestTraceFiles::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("spanscope-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_tracefiles"));
    // What app/main.cpp does: the English plural forms ("1 span", "40 spans").
    QVERIFY(m_translator.load(QLocale(QStringLiteral("en_US")), QStringLiteral("spanscope"), QStringLiteral("_"),
        QStringLiteral(":/i18n")));
    QCoreApplication::installTranslator(&m_translator);
}

void TestTraceFiles::init()
{
    QSettings().clear();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<SqliteTraceStore>(m_dir->filePath(QStringLiteral("main.db")));
    QString error;
    QVERIFY2(m_store->open(&error), qPrintable(error));
    m_window = std::make_unique<MainWindow>(m_store.get());
    m_window->setPayloadFormatter(formatPayloadAsOtlpJson);
    m_window->setFileService(&m_files);
    m_window->show();
}

void TestTraceFiles::cleanup()
{
    for (MainWindow* viewer : viewerWindows(m_window.get()))
        delete viewer;
    // Message boxes of failed jobs are children of the windows and go with them.
    m_window.reset();
    m_store.reset();
    m_dir.reset();
}

void TestTraceFiles::openShowsFileInViewerWithoutTouchingStore_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("spans");
    QTest::newRow("checkout-fanout") << QStringLiteral("otlp-json/checkout-fanout.json") << 22;
    QTest::newRow("conformance: hotrod") << TestData::conformanceFile("otlp-json/hotrod-n-plus-one-concurrent.json")
                                         << 40;
}

void TestTraceFiles::openShowsFileInViewerWithoutTouchingStore()
{
    QFETCH(QString, file);
    QFETCH(int, spans);
    SPANSCOPE_TEST_FILE(path, file);
    MainWindow* viewer = m_window->openFiles({ path });
    QVERIFY(viewer);
    const auto [ok, summary] = waitForJob(viewer);
    QVERIFY2(ok, qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("%1 spans").arg(spans)), qPrintable(summary));
    QVERIFY(viewer->windowTitle().contains(QFileInfo(path).fileName()));

    // The viewer lists the file's trace and opened it; the main store got nothing.
    QCOMPARE(viewer->traceListModel()->rowCount(), 1);
    QVERIFY(viewer->openTraceId().isValid());
    QCOMPARE(viewer->store()->spanCount(), spans);
    QVERIFY(viewer->store() != m_store.get());
    QCOMPARE(m_store->spanCount(), 0);
    QCOMPARE(m_window->traceListModel()->rowCount(), 0);
    QCOMPARE(MainWindow::recentFiles().value(0), QFileInfo(path).absoluteFilePath());
}

void TestTraceFiles::importAddsToStoreAndRecentFiles()
{
    SPANSCOPE_TEST_FILE(agent, QStringLiteral("otlp-json/trip-planner-agent.json"));
    SPANSCOPE_TEST_FILE(zipkin, QStringLiteral("zipkin-json/gateway-login.json"));
    const QStringList files = { agent, zipkin };
    m_window->importFiles(files);
    QVERIFY(m_window->isFileJobRunning());
    const auto [ok, summary] = waitForJob(m_window.get());
    QVERIFY2(ok, qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("from 2 files")), qPrintable(summary));
    QVERIFY(m_store->spanCount() > 0);
    QCOMPARE(m_window->traceListModel()->rowCount(), 2);
    // The service filter learned the new services.
    QVERIFY(m_window->serviceFilter()->count() > 2);
    QCOMPARE(MainWindow::recentFiles().size(), 2);
    QCOMPARE(MainWindow::recentFiles().first(), QFileInfo(files.last()).absoluteFilePath());
    QVERIFY(viewerWindows(m_window.get()).isEmpty());
}

void TestTraceFiles::invalidFileReportsFileAndOffsetAndStoresNothing()
{
    const QString path = m_dir->filePath(QStringLiteral("broken.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz")");
    file.close();

    m_window->importFiles({ path });
    const auto [ok, summary] = waitForJob(m_window.get());
    QVERIFY(!ok);
    QCOMPARE(m_store->spanCount(), 0);
    auto* box = m_window->findChild<QMessageBox*>(QStringLiteral("fileJobMessage"));
    QVERIFY(box);
    QVERIFY2(box->text().contains(QLatin1String("broken.json")), qPrintable(box->text()));
    QVERIFY2(box->text().contains(QLatin1String("offset")), qPrintable(box->text()));
    QVERIFY(MainWindow::recentFiles().isEmpty());
}

void TestTraceFiles::cancelledImportLeavesStoreAsItWas()
{
    // Something already in the store, which must stay exactly as it is.
    SPANSCOPE_TEST_FILE(single, QStringLiteral("otlp-json/checkout-single-span.json"));
    m_window->importFiles({ single });
    QVERIFY(waitForJob(m_window.get()).first);
    const qint64 before = m_store->spanCount();
    QVERIFY(before > 0);

    const QString big = writeJsonLines(m_dir->path(), 4000, 25); // 100,000 spans, several write chunks
    QVERIFY(!big.isEmpty());
    QSignalSpy finished(m_window.get(), &MainWindow::fileJobFinished);
    m_window->importFiles({ big });
    auto* progress = m_window->findChild<QProgressDialog*>(QStringLiteral("fileJobProgress"));
    QVERIFY(progress);
    QTest::qWait(50);
    // The dialog's Cancel button, as a user clicks it.
    auto* cancel = progress->findChild<QPushButton*>();
    QVERIFY(cancel);
    cancel->click();
    if (finished.isEmpty())
        QVERIFY(finished.wait(60000));
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QVERIFY2(finished.at(0).at(1).toString().contains(QLatin1String("cancelled")),
             qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(m_store->spanCount(), before);

    // Not cancelled, the same file imports completely.
    m_window->importFiles({ big });
    QVERIFY(waitForJob(m_window.get()).first);
    QCOMPARE(m_store->spanCount(), before + 100000);
}

void TestTraceFiles::exportSelectedTracesRoundTrips_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QString>("fileName");
    QTest::newRow("otlp-json") << int(TraceFileService::Format::OtlpJson) << false << "out.json";
    QTest::newRow("otlp-json-pretty+gzip") << int(TraceFileService::Format::OtlpJsonPretty) << true << "out.json.gz";
    QTest::newRow("otlp-jsonl") << int(TraceFileService::Format::OtlpJsonLines) << false << "out.jsonl";
    QTest::newRow("otlp-proto+gzip") << int(TraceFileService::Format::OtlpProtobuf) << true << "out.binpb.gz";
}

void TestTraceFiles::exportSelectedTracesRoundTrips()
{
    QFETCH(int, format);
    QFETCH(bool, gzip);
    QFETCH(QString, fileName);
    SPANSCOPE_TEST_FILE(storefront, QStringLiteral("otlp-json/storefront-multi-resource.json"));
    SPANSCOPE_TEST_FILE(agent, QStringLiteral("otlp-json/trip-planner-agent.json"));
    SPANSCOPE_TEST_FILE(fanOut, QStringLiteral("otlp-json/checkout-fanout.json"));
    m_window->importFiles({ storefront, agent, fanOut });
    QVERIFY(waitForJob(m_window.get()).first);
    QTableView* list = m_window->traceListView();
    const int rows = list->model()->rowCount();
    QVERIFY(rows >= 3);

    // Select rows 0 and 2 (Ctrl+click semantics through the selection model).
    list->selectionModel()->clearSelection();
    list->selectionModel()->select(list->model()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    list->selectionModel()->select(list->model()->index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    const std::vector<TraceId> selected = m_window->selectedTraceIds();
    QCOMPARE(selected.size(), std::size_t(2));

    const QString out = m_dir->filePath(fileName);
    m_window->exportToFile(out, format, gzip, true);
    const auto [ok, summary] = waitForJob(m_window.get());
    QVERIFY2(ok, qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("Exported 2 traces")), qPrintable(summary));
    QVERIFY(QFileInfo(out).size() > 0);
    if (gzip) {
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.read(2), QByteArray("\x1f\x8b"));
    }

    // Read back through the same importer into a fresh store: the two traces, span for span.
    SqliteTraceStore back(m_dir->filePath(QStringLiteral("back.db")));
    QString error;
    QVERIFY2(back.open(&error), qPrintable(error));
    const TraceFileService::Result imported = m_files.importFile(out, &back, {});
    QVERIFY2(imported.ok, qPrintable(imported.error));
    QCOMPARE(imported.traces, 2);
    std::map<QString, Span> expected;
    for (const TraceId& id : selected)
        for (Span& span : m_store->traceSpans(id))
            expected.emplace(span.traceId.toHex() + span.spanId.toHex(), std::move(span));
    const std::map<QString, Span> actual = allSpans(back);
    QCOMPARE(actual.size(), expected.size());
    for (const auto& [key, span] : expected) {
        const auto it = actual.find(key);
        QVERIFY2(it != actual.end(), qPrintable(key));
        QVERIFY2(spansEqual(it->second, span), qPrintable(key));
    }
}

void TestTraceFiles::exportFilteredList()
{
    SPANSCOPE_TEST_FILE(storefront, QStringLiteral("otlp-json/storefront-multi-resource.json"));
    SPANSCOPE_TEST_FILE(agent, QStringLiteral("otlp-json/trip-planner-agent.json"));
    SPANSCOPE_TEST_FILE(messaging, QStringLiteral("zipkin-json/orders-messaging.json"));
    m_window->importFiles({ storefront, agent, messaging });
    QVERIFY(waitForJob(m_window.get()).first);
    QComboBox* services = m_window->serviceFilter();
    // Pick a service that not every trace has, through the combo box like a user.
    TraceQuery all;
    const std::vector<TraceSummary> summaries = m_store->listTraces(all);
    QString service;
    int expectedTraces = 0;
    for (int i = 1; i < services->count() && service.isEmpty(); ++i) {
        const QString candidate = services->itemData(i).toString();
        int n = 0;
        for (const TraceSummary& s : summaries)
            n += s.services.contains(candidate) ? 1 : 0;
        if (n > 0 && n < static_cast<int>(summaries.size())) {
            service = candidate;
            expectedTraces = n;
            services->setCurrentIndex(i);
            Q_EMIT services->activated(i);
        }
    }
    QVERIFY(!service.isEmpty());
    QCOMPARE(m_window->traceListModel()->rowCount(), expectedTraces);

    const QString out = m_dir->filePath(QStringLiteral("filtered.jsonl"));
    m_window->exportToFile(out, int(TraceFileService::Format::OtlpJsonLines), false, false);
    const auto [ok, summary] = waitForJob(m_window.get());
    QVERIFY2(ok, qPrintable(summary));
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().count('\n'), expectedTraces); // one line per trace
}

void TestTraceFiles::dropOpensViewerAndDropOnViewerAdds()
{
    auto drop = [](QWidget* target, const QStringList& paths) {
        QMimeData mime;
        QList<QUrl> urls;
        for (const QString& path : paths)
            urls << QUrl::fromLocalFile(path);
        mime.setUrls(urls);
        const QPoint pos = target->rect().center();
        QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &enter);
        if (!enter.isAccepted())
            return false;
        QDropEvent dropEvent(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &dropEvent);
        return dropEvent.isAccepted();
    };
    QVERIFY(m_window->acceptDrops());
    // Not a local file: refused.
    {
        QMimeData mime;
        mime.setUrls({ QUrl(QStringLiteral("https://example.com/trace.json")) });
        QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &enter);
        QVERIFY(!enter.isAccepted());
    }
    SPANSCOPE_TEST_FILE(jaeger, QStringLiteral("jaeger-json/helpdesk-agent.jaeger.json"));
    SPANSCOPE_TEST_FILE(protobuf, QStringLiteral("otlp-protobuf/shop-grpc.pb"));
    QVERIFY(drop(m_window.get(), { jaeger }));
    QList<MainWindow*> viewers = viewerWindows(m_window.get());
    QCOMPARE(viewers.size(), 1);
    MainWindow* viewer = viewers.first();
    QVERIFY(waitForJob(viewer).first);
    QCOMPARE(viewer->traceListModel()->rowCount(), 1);
    QCOMPARE(m_store->spanCount(), 0);

    // Dropping on the viewer adds to its view instead of opening yet another window.
    QVERIFY(drop(viewer, { protobuf }));
    QVERIFY(waitForJob(viewer).first);
    QVERIFY(viewer->traceListModel()->rowCount() > 1);
    QCOMPARE(viewerWindows(m_window.get()).size(), 1);
    QCOMPARE(m_store->spanCount(), 0);
}

void TestTraceFiles::recentFilesMenuOpensAndForgetsMissingFiles()
{
    const QString copy = m_dir->filePath(QStringLiteral("copy.json"));
    SPANSCOPE_TEST_FILE(single, QStringLiteral("otlp-json/checkout-single-span.json"));
    SPANSCOPE_TEST_FILE(agent, QStringLiteral("otlp-json/trip-planner-agent.json"));
    QVERIFY(QFile::copy(single, copy));
    m_window->importFiles({ agent, copy });
    QVERIFY(waitForJob(m_window.get()).first);
    QCOMPARE(MainWindow::recentFiles().size(), 2);

    auto* menu = m_window->findChild<QMenu*>(QStringLiteral("recentMenu"));
    QVERIFY(menu);
    QVERIFY(menu->isEnabled());
    QMetaObject::invokeMethod(menu, "aboutToShow");
    QList<QAction*> actions = menu->actions();
    QVERIFY(actions.size() >= 2);
    QVERIFY(actions.at(0)->text().contains(QLatin1String("copy.json")));
    QVERIFY(actions.at(1)->text().contains(QLatin1String("trip-planner-agent.json")));

    // Opening a recent file shows it in a viewer.
    actions.at(1)->trigger();
    QList<MainWindow*> viewers = viewerWindows(m_window.get());
    QCOMPARE(viewers.size(), 1);
    QVERIFY(waitForJob(viewers.first()).first);

    // A recent file that is gone: an error, and it leaves the list.
    QVERIFY(QFile::remove(copy));
    QMetaObject::invokeMethod(menu, "aboutToShow");
    // Opening it moved trip-planner-agent.json to the top.
    QVERIFY(menu->actions().at(0)->text().contains(QLatin1String("trip-planner-agent.json")));
    QVERIFY(menu->actions().at(1)->text().contains(QLatin1String("copy.json")));
    menu->actions().at(1)->trigger();
    QCOMPARE(MainWindow::recentFiles().size(), 1);
    QVERIFY(!MainWindow::recentFiles().first().endsWith(QLatin1String("copy.json")));
    QCOMPARE(viewerWindows(m_window.get()).size(), 1);
}

QTEST_MAIN(TestTraceFiles)
#include "tst_tracefiles.moc"
