#include "ui/inspectorwidget.h"
#include "ui/mainwindow.h"
#include "ui/storeconnection.h"
#include "ui/waterfallview.h"

#include "app/storeopener.h"
#include "app/tracefileservice.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlphttpreceiver.h"
#include "model/tracelistmodel.h"
#include "storage/sqlitetracestore.h"

#include "../common/rawhttpclient.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QPointer>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <atomic>
#include <random>
#include <thread>

// GUI stress (issue 8 §3): the window wired as `spanscope` wires it (receiver -> pipeline -> local SQLite store ->
// live trace list) while a client thread streams traces in over HTTP, among them one of 100,000 spans in 5,000-span
// OTLP/JSON requests. Meanwhile the test sorts, filters, selects traces and spans, switches the detail tabs (the raw
// payload among them), switches to another store and back, opens and closes file viewer windows, and at the end
// closes the window while a trace load and an import are still running. Built with the asan preset it runs under
// AddressSanitizer and UndefinedBehaviorSanitizer: any report fails the run. Duration: SPANSCOPE_STRESS_SECONDS
// (default 20) after the feed has started.

namespace {

constexpr int BigTraceSpans = 100000;
constexpr int BigRequestSpans = 5000;

TraceId makeTraceId(quint32 tag, quint32 n)
{
    QByteArray bytes(16, '\0');
    qToBigEndian<quint32>(tag, bytes.data());
    qToBigEndian<quint32>(n, bytes.data() + 12);
    return TraceId::fromBytes(bytes);
}

SpanId makeSpanId(quint32 n)
{
    QByteArray bytes(8, '\0');
    bytes[0] = char(0x22);
    qToBigEndian<quint32>(n, bytes.data() + 4);
    return SpanId::fromBytes(bytes);
}

/// Spans [first, first + count) of a trace: span 1 is the root, the others its children or grandchildren. Every
/// 7th trace has an LLM span with gen_ai.* attributes, every 5th an error.
std::vector<Span> traceSpans(const TraceId& trace, quint32 traceNumber, int first, int count, const QString& service)
{
    auto resource = std::make_shared<Resource>();
    resource->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(service) });
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("stress");
    std::vector<Span> spans;
    const quint64 base = 1765000000000000000ULL + quint64(traceNumber) * 1000000000ULL;
    for (int i = first; i < first + count; ++i) {
        Span s;
        s.traceId = trace;
        s.spanId = makeSpanId(quint32(i));
        if (i > 1)
            s.parentSpanId = makeSpanId(i <= 50 ? 1 : quint32(1 + (i % 50)));
        s.startTimeUnixNano = base + quint64(i) * 2000ULL;
        s.endTimeUnixNano = s.startTimeUnixNano + 1500ULL + quint64(traceNumber % 13) * 1000ULL;
        if (i == 1)
            s.endTimeUnixNano = base + quint64(first + count + 1) * 2000ULL + quint64(traceNumber % 17) * 1000000ULL;
        s.kind = i == 1 ? SpanKind::Server : SpanKind::Internal;
        if (traceNumber % 7 == 0 && i == 2) {
            s.name = QStringLiteral("chat gpt-4o");
            s.kind = SpanKind::Client;
            s.attributes.push_back(
                { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
            s.attributes.push_back(
                { QStringLiteral("gen_ai.request.model"), AnyValue::fromString(QStringLiteral("gpt-4o")) });
            s.attributes.push_back(
                { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(1200 + traceNumber) });
            s.attributes.push_back({ QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(300) });
            s.attributes.push_back({ QStringLiteral("gen_ai.input.messages"),
                AnyValue::fromString(
                    QStringLiteral("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hello\"}]}]")) });
        } else {
            s.name = i == 1 ? QStringLiteral("POST /agent/run") : QStringLiteral("step %1").arg(i % 40);
        }
        if (traceNumber % 5 == 0 && i == 3) {
            s.statusCode = StatusCode::Error;
            s.statusMessage = QStringLiteral("tool failed");
        }
        s.attributes.push_back({ QStringLiteral("stress.index"), AnyValue::fromInt(i) });
        s.resource = resource;
        s.scope = scope;
        spans.push_back(std::move(s));
    }
    return spans;
}

/// Streams traces to the receiver until told to stop: the 100,000-span trace in 5,000-span JSON requests,
/// interleaved with small protobuf traces. Counts acknowledged spans.
struct Feeder {
    quint16 port = 0;
    std::atomic<bool> stop { false };
    std::atomic<bool> bigDone { false };
    std::atomic<qint64> acknowledged { 0 };
    std::atomic<int> failures { 0 };
    TraceId bigTrace = makeTraceId(0xb16, 1);

    bool send(RawHttpConnection& c, const QByteArray& type, const QByteArray& body, qint64 spans)
    {
        bool closed = false;
        for (int attempt = 0; attempt < 50; ++attempt) {
            if (!c.send(RawHttpConnection::post(type, body, true)))
                return false;
            const int status = c.readReply(&closed);
            if (status == 200) {
                acknowledged += spans;
                return !closed;
            }
            if (status != 503)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(100)); // queue full: retry like an exporter
        }
        return false;
    }

    void run()
    {
        std::mt19937 random(42);
        auto connection = std::make_unique<RawHttpConnection>(port);
        quint32 small = 0;
        int bigSent = 0;
        while (!stop) {
            QByteArray type;
            QByteArray body;
            qint64 count = 0;
            if (bigSent < BigTraceSpans && small % 4 == 1) {
                auto spans = traceSpans(bigTrace, 1, bigSent + 1, BigRequestSpans, QStringLiteral("bulk-loader"));
                type = "application/json";
                body = OtlpJsonCodec::encodeRequest(spans, false);
                count = qint64(spans.size());
                bigSent += BigRequestSpans;
            } else {
                ++small;
                const QString service = QStringLiteral("agent-%1").arg(small % 4);
                auto spans = traceSpans(makeTraceId(0x5a, small), small + 2, 1, int(random() % 40) + 3, service);
                type = "application/x-protobuf";
                body = OtlpProtobufCodec::encodeRequest(spans);
                count = qint64(spans.size());
            }
            if (!send(*connection, type, body, count)) {
                ++failures;
                connection = std::make_unique<RawHttpConnection>(port);
            }
            if (bigSent >= BigTraceSpans)
                bigDone = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(random() % 20));
        }
    }
};

template <typename T> T* child(QObject* parent, const char* name) { return parent->findChild<T*>(QLatin1String(name)); }

} // namespace

class TestGuiStress : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void streamSortFilterSwitchQuit()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8()); // recent files, connections

        // Another store to switch to, and a trace file to open in viewer windows.
        const QString otherPath = dir.filePath(QStringLiteral("other.db"));
        {
            SqliteTraceStore other(otherPath);
            QString error;
            QVERIFY2(other.open(&error), qPrintable(error));
            IngestItem item;
            item.batch.spans = traceSpans(makeTraceId(0x07, 1), 900, 1, 30, QStringLiteral("archive"));
            QVERIFY(other.write({ item }).ok);
        }
        const QString filePath = dir.filePath(QStringLiteral("agent-run.json"));
        {
            QFile file(filePath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(OtlpJsonCodec::encodeRequest(
                traceSpans(makeTraceId(0x0f, 1), 901, 1, 60, QStringLiteral("viewer")), true));
        }

        const QString localPath = dir.filePath(QStringLiteral("local.db"));
        SqliteTraceStore store(localPath);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        IngestPipeline pipeline(&store);
        OtlpHttpReceiver::Options options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        OtlpHttpReceiver receiver(&pipeline, options);
        AppTraceFileService files;
        AppStoreOpener opener;

        auto* window = new MainWindow(nullptr);
        QPointer<MainWindow> guard(window);
        window->setFileService(&files);
        window->setStoreOpener(&opener);
        StoreConnection local;
        local.name = QStringLiteral("Local store");
        local.sqlitePath = localPath;
        window->setLocalStore(&store, local);
        connect(&pipeline, &IngestPipeline::tracesChanged, window, &MainWindow::notifyTracesChanged);
        connect(&pipeline, &IngestPipeline::spansWrittenChanged, window, &MainWindow::setSpansReceived);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        pipeline.start();
        QVERIFY2(receiver.start(&error), qPrintable(error));

        Feeder feeder;
        feeder.port = receiver.port();
        std::thread feed([&feeder] { feeder.run(); });

        StoreConnection otherConnection;
        otherConnection.kind = StoreConnection::Local; // another SQLite file
        otherConnection.name = QStringLiteral("Archive");
        otherConnection.sqlitePath = otherPath;

        QTableView* list = window->traceListView();
        TraceListModel* model = window->traceListModel();
        auto* tabs = child<QTabWidget>(window, "detailTabs");
        auto* textFilter = child<QLineEdit>(window, "textFilter");
        auto* serviceFilter = child<QComboBox>(window, "serviceFilter");
        QVERIFY(tabs && textFilter && serviceFilter);
        QCheckBox* errorsOnly = nullptr;
        for (QCheckBox* box : window->findChildren<QCheckBox*>())
            if (box->isVisible())
                errorsOnly = box;

        std::mt19937 random(7);
        std::vector<QPointer<MainWindow>> viewers;
        int actions[10] = {};
        const int seconds = qEnvironmentVariableIsSet("SPANSCOPE_STRESS_SECONDS")
            ? qEnvironmentVariableIntValue("SPANSCOPE_STRESS_SECONDS")
            : 20;
        QDeadlineTimer deadline(seconds * 1000);
        // Go on until the big trace is in and the time is up (bounded: at most 4 times the time asked for).
        QDeadlineTimer hardDeadline(seconds * 4000);
        while ((!deadline.hasExpired() || !feeder.bigDone) && !hardDeadline.hasExpired()) {
            const int action = int(random() % 10);
            ++actions[action];
            switch (action) {
            case 0: // sort by a random column, either way
                list->sortByColumn(int(random() % TraceListModel::ColumnCount),
                    random() % 2 ? Qt::AscendingOrder : Qt::DescendingOrder);
                break;
            case 1: // filter by text, service or errors; or clear the filters
                switch (random() % 4) {
                case 0:
                    textFilter->setText(random() % 2 ? QStringLiteral("chat") : QStringLiteral("step 1"));
                    break;
                case 1:
                    serviceFilter->setCurrentIndex(serviceFilter->count() ? int(random() % serviceFilter->count()) : 0);
                    break;
                case 2:
                    if (errorsOnly)
                        errorsOnly->setChecked(!errorsOnly->isChecked());
                    break;
                default:
                    textFilter->clear();
                    serviceFilter->setCurrentIndex(0);
                    if (errorsOnly)
                        errorsOnly->setChecked(false);
                }
                break;
            case 2:
            case 3: // click a row of the trace list (opens that trace)
                if (model->rowCount() > 0) {
                    const int row = int(random() % std::min(model->rowCount(), 30));
                    const QRect rect = list->visualRect(list->model()->index(row, 1));
                    if (rect.isValid())
                        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
                }
                break;
            case 4: // open the big trace by id, also while it is still arriving
                window->openTrace(feeder.bigTrace);
                break;
            case 5: // select a span: the LLM span of an agent trace, or any
                window->selectSpan(makeSpanId(random() % 3 ? 2 : quint32(random() % 60 + 1)));
                break;
            case 6: // switch the detail tabs (attributes, raw payload, ...)
                tabs->setCurrentIndex(int(random() % tabs->count()));
                break;
            case 7: // switch to the other store and back
                window->connectToStore(window->isLocalStoreShown() ? otherConnection : window->localConnection());
                break;
            case 8: // open a viewer window on a trace file, or close one
                if (viewers.size() < 3 && random() % 2) {
                    QString why;
                    viewers.emplace_back(MainWindow::createFileViewer(&files, {}, { filePath }, &why));
                } else if (!viewers.empty()) {
                    if (viewers.front())
                        viewers.front()->close();
                    viewers.erase(viewers.begin());
                }
                break;
            default: // scroll the trace list
                list->scrollToBottom();
                break;
            }
            QTest::qWait(int(random() % 40));
        }
        QVERIFY2(feeder.bigDone, "the 100,000-span trace was not sent in time");

        // Quit mid-load: the big trace loading off the GUI thread, an import running, a viewer window open.
        if (!window->isLocalStoreShown()) {
            window->connectToStore(window->localConnection());
            QTest::qWait(50);
        }
        window->openTrace(feeder.bigTrace);
        window->importFiles({ filePath });
        viewers.emplace_back(MainWindow::createFileViewer(&files, {}, { filePath }, &error));
        QTest::qWait(int(random() % 20));
        delete window;
        QVERIFY(!guard);
        for (auto& viewer : viewers)
            delete viewer.data();

        feeder.stop = true;
        feed.join();
        receiver.stop();
        pipeline.stop();

        qInfo("stress: %lld spans acknowledged (%d send failures); actions: sort %d, filter %d, click %d, open big %d, "
              "select span %d, tabs %d, switch store %d, viewer windows %d, scroll %d",
            qlonglong(feeder.acknowledged.load()), feeder.failures.load(), actions[0], actions[1],
            actions[2] + actions[3], actions[4], actions[5], actions[6], actions[7], actions[8], actions[9]);
        QCOMPARE(feeder.failures.load(), 0);
        // Everything acknowledged is in the store (beside what the import at the end may have added); the big
        // trace whole.
        const qint64 imported = qint64(store.traceSpans(makeTraceId(0x0f, 1)).size());
        QCOMPARE(store.spanCount() - imported, feeder.acknowledged.load());
        QCOMPARE(qint64(store.traceSpans(feeder.bigTrace).size()), qint64(BigTraceSpans));
    }
};

QTEST_MAIN(TestGuiStress)
#include "tst_guistress.moc"
