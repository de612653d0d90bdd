// Worker mode end to end: the OpenTelemetry JS SDK's protobuf exporter sends traces continuously to
// `spanscope serve --store postgresql://... --s3-endpoint ...`, while the test stops and restarts PostgreSQL and then
// S3 under it. Afterwards every span the SDK was told was accepted is stored exactly once, no other span is stored,
// every trace has its summary and its object in the bucket, and the queue is empty.
//
// PostgreSQL and Swift are the test's own (tests/servers/postgres.sh and swift.sh in temporary folders). Runs where
// SPANSCOPE_TEST_PG_URL and SPANSCOPE_TEST_S3_ENDPOINT say those servers are available; skipped elsewhere, failed
// instead when CI is set.

#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "storage/postgrestracestore.h"
#include "storage/s3blobstore.h"

#include "../common/testservers.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <pqxx/pqxx>

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>

namespace {

bool inCi() { return !qEnvironmentVariableIsEmpty("CI"); }

using SpanKey = std::pair<QString, QString>; // trace id, span id (lower-case hex)

// Upper bounds for waiting on events, never for passing: generous so a loaded machine does not fail the test.
constexpr int EventTimeoutMs = 180000;

} // namespace

class TestWorkerEndToEnd : public QObject {
    Q_OBJECT

    QString m_node;
    QString m_jsDir = QStringLiteral(SPANSCOPE_E2E_JS_DIR);
    QNetworkAccessManager m_http;

    // The JS client's progress, read from its stdout.
    qint64 m_ackedSpans = 0;
    qint64 m_failedSpans = 0;
    QByteArray m_clientOutput;

    void readClient(QProcess& client)
    {
        m_clientOutput += client.readAllStandardOutput();
        for (int nl; (nl = m_clientOutput.indexOf('\n')) >= 0;) {
            const QByteArray line = m_clientOutput.left(nl).trimmed();
            m_clientOutput.remove(0, nl + 1);
            const QList<QByteArray> words = line.split(' ');
            if (words.value(0) == "ok")
                m_ackedSpans += words.value(1).toLongLong();
            else if (words.value(0) == "failed") {
                m_failedSpans += words.value(1).toLongLong();
                qInfo().noquote() << "client:" << QString::fromUtf8(line);
            } else if (!line.isEmpty())
                qInfo().noquote() << "client:" << QString::fromUtf8(line);
        }
    }

    /// Waits (reading the client meanwhile) until `done()` holds; false after EventTimeoutMs.
    bool waitUntil(QProcess& client, const std::function<bool()>& done)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < EventTimeoutMs) {
            readClient(client);
            if (done())
                return true;
            if (client.state() == QProcess::NotRunning)
                QThread::msleep(100);
            else
                client.waitForReadyRead(100);
        }
        readClient(client);
        return done();
    }

    QJsonObject health(const QByteArray& base)
    {
        QNetworkReply* reply = m_http.get(QNetworkRequest(QUrl(QString::fromLatin1(base + "/healthz"))));
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        loop.exec();
        QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return o;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("SPANSCOPE_TEST_PG_URL")
            || qEnvironmentVariableIsEmpty("SPANSCOPE_TEST_S3_ENDPOINT")) {
            const char* why
                = "SPANSCOPE_TEST_PG_URL or SPANSCOPE_TEST_S3_ENDPOINT is not set: this machine has no test "
                  "servers (tests/servers/postgres.sh, swift.sh)";
            if (inCi())
                QFAIL(why);
            QSKIP(why);
        }
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        const bool haveModules = QFile::exists(
            m_jsDir + QStringLiteral("/node_modules/@opentelemetry/exporter-trace-otlp-proto/package.json"));
        if (m_node.isEmpty() || !haveModules) {
            const char* why = "node or the test client's npm packages are missing (run npm ci in tests/e2e/js)";
            if (inCi())
                QFAIL(why);
            QSKIP(why);
        }
    }

    void outagesLoseNothing()
    {
        QString error;
        TestServer pg(QStringLiteral("postgres.sh"));
        QVERIFY2(pg.start(&error), qPrintable(error));
        TestServer swift(QStringLiteral("swift.sh"));
        QVERIFY2(swift.start(&error), qPrintable(error));
        const QString pgUrl = pg.value(QStringLiteral("SPANSCOPE_TEST_PG_URL"));
        const QString suffix = QString::number(QRandomGenerator::global()->generate64(), 36);
        const QString schema = QStringLiteral("worker_") + suffix;
        S3Config s3;
        s3.endpoint = swift.value(QStringLiteral("SPANSCOPE_TEST_S3_ENDPOINT"));
        s3.accessKeyId = swift.value(QStringLiteral("SPANSCOPE_TEST_S3_ACCESS_KEY"));
        s3.secretAccessKey = swift.value(QStringLiteral("SPANSCOPE_TEST_S3_SECRET_KEY"));
        s3.bucket = QStringLiteral("worker-") + suffix; // serve creates it

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), s3.accessKeyId);
        env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), s3.secretAccessKey);
        env.insert(QStringLiteral("AWS_REGION"), s3.region);
        env.remove(QStringLiteral("AWS_ENDPOINT_URL_S3"));
        env.remove(QStringLiteral("AWS_ENDPOINT_URL"));
        QByteArray base; // http://127.0.0.1:PORT of the running serve
        const auto startServe = [&](QProcess& serve) {
            serve.setProcessEnvironment(env);
            serve.setProcessChannelMode(QProcess::SeparateChannels);
            serve.start(QStringLiteral(SPANSCOPE_BINARY),
                { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"), QStringLiteral("off"),
                    QStringLiteral("--store"), pgUrl, QStringLiteral("--pg-schema"), schema,
                    QStringLiteral("--s3-endpoint"), s3.endpoint, QStringLiteral("--s3-bucket"), s3.bucket });
            QVERIFY2(serve.waitForStarted(10000), qPrintable(serve.errorString()));
            QByteArray banner;
            while (!banner.contains("worker mode") && serve.waitForReadyRead(30000))
                banner += serve.readAllStandardOutput();
            const int at = banner.indexOf("http://");
            QVERIFY2(at >= 0 && banner.contains("worker mode"),
                QByteArray(banner + serve.readAllStandardError()).constData());
            base = banner.mid(at, banner.indexOf("/v1/traces", at) - at);
            qInfo().noquote() << QString::fromUtf8(banner).trimmed();
        };
        // SIGTERM: exit 0; returns serve's output.
        const auto stopServe = [&](QProcess& serve, QByteArray* output) {
            serve.terminate();
            QVERIFY(serve.waitForFinished(60000));
            *output = serve.readAllStandardOutput() + serve.readAllStandardError();
            QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
            QVERIFY2(serve.exitCode() == 0, output->constData());
        };
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto startClient = [&](QProcess& client, const QString& acksFile) {
            client.setWorkingDirectory(m_jsDir);
            client.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            client.start(m_node,
                { QStringLiteral("send-traces-continuously.mjs"), QString::fromLatin1(base + "/v1/traces"), acksFile,
                    QStringLiteral("40") });
            QVERIFY2(client.waitForStarted(10000), qPrintable(client.errorString()));
        };
        // The client stops sending and waits for its last exports.
        const auto finishClient = [&](QProcess& client) {
            client.closeWriteChannel();
            QVERIFY(waitUntil(client, [&] { return client.state() == QProcess::NotRunning; }));
            readClient(client);
            QCOMPARE(client.exitStatus(), QProcess::NormalExit);
            QCOMPARE(client.exitCode(), 0);
        };

        QProcess serve;
        startServe(serve);
        if (QTest::currentTestFailed())
            return;
        const QStringList acksFiles { dir.filePath(QStringLiteral("acks1.jsonl")),
            dir.filePath(QStringLiteral("acks2.jsonl")) };
        QProcess client;
        startClient(client, acksFiles[0]);
        if (QTest::currentTestFailed())
            return;

        // Mid-stream, PostgreSQL goes away: the receiver must answer 503 (the SDK retries), not acknowledge.
        QVERIFY(waitUntil(client, [&] { return m_ackedSpans >= 200; }));
        const qint64 rejectedBefore = health(base).value(QLatin1String("requests_rejected")).toInteger();
        QVERIFY2(pg.stop(&error), qPrintable(error));
        qInfo() << "PostgreSQL stopped after" << m_ackedSpans << "acknowledged spans";
        QVERIFY(waitUntil(client,
            [&] { return health(base).value(QLatin1String("requests_rejected")).toInteger() >= rejectedBefore + 3; }));
        QVERIFY2(pg.start(&error), qPrintable(error));
        qInfo() << "PostgreSQL started again";
        qint64 mark = m_ackedSpans;
        QVERIFY(waitUntil(client, [&] { return m_ackedSpans >= mark + 200; }));
        QVERIFY(waitUntil(client, [&] {
            return health(base).value(QLatin1String("worker")).toObject().value(QLatin1String("database")).toString()
                == QLatin1String("up");
        }));

        // Then S3: requests are still acknowledged (they are queued), their objects wait.
        QVERIFY2(swift.stop(&error), qPrintable(error));
        qInfo() << "S3 stopped after" << m_ackedSpans << "acknowledged spans";
        QVERIFY(waitUntil(client, [&] {
            return health(base).value(QLatin1String("worker")).toObject().value(QLatin1String("blob_store")).toString()
                == QLatin1String("down");
        }));
        mark = m_ackedSpans;
        QVERIFY(waitUntil(client, [&] { return m_ackedSpans >= mark + 200; }));
        QVERIFY2(swift.start(&error), qPrintable(error));
        qInfo() << "S3 started again";
        mark = m_ackedSpans;
        QVERIFY(waitUntil(client, [&] { return m_ackedSpans >= mark + 200; }));

        finishClient(client);
        if (QTest::currentTestFailed())
            return;
        qInfo() << "client: acknowledged" << m_ackedSpans << "spans, failed" << m_failedSpans;

        // The worker drains what it queued (items that failed during the S3 outage wait out their backoff).
        QVERIFY(waitUntil(client, [&] {
            const QJsonObject w = health(base).value(QLatin1String("worker")).toObject();
            return w.value(QLatin1String("queue_depth")).toInteger() == 0
                && w.value(QLatin1String("blob_store")).toString() == QLatin1String("up");
        }));
        const QJsonObject finalHealth = health(base);
        qInfo().noquote() << QJsonDocument(finalHealth).toJson(QJsonDocument::Compact);
        QVERIFY(finalHealth.value(QLatin1String("requests_rejected")).toInteger() > 0);
        QVERIFY(
            finalHealth.value(QLatin1String("worker")).toObject().value(QLatin1String("failed_attempts")).toInteger()
            > 0);

        QByteArray serveOut;
        stopServe(serve, &serveOut);
        if (QTest::currentTestFailed())
            return;

        // A stop with a backlog: S3 down, more traces, SIGTERM while requests wait in the queue; the next start
        // drains them once S3 is back.
        QVERIFY2(swift.stop(&error), qPrintable(error));
        QProcess serve2;
        startServe(serve2);
        if (QTest::currentTestFailed())
            return;
        QProcess client2;
        startClient(client2, acksFiles[1]);
        if (QTest::currentTestFailed())
            return;
        mark = m_ackedSpans;
        QVERIFY(waitUntil(client2, [&] { return m_ackedSpans >= mark + 100; }));
        finishClient(client2);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(waitUntil(client2, [&] {
            return health(base)
                       .value(QLatin1String("worker"))
                       .toObject()
                       .value(QLatin1String("queue_depth"))
                       .toInteger()
                > 0;
        }));
        stopServe(serve2, &serveOut);
        if (QTest::currentTestFailed())
            return;
        const int stoppedAt = serveOut.indexOf("spanscope: stopped");
        QVERIFY2(stoppedAt >= 0, serveOut.constData());
        const QByteArray stoppedLine = serveOut.mid(stoppedAt, serveOut.indexOf('\n', stoppedAt) - stoppedAt);
        qInfo().noquote() << QString::fromUtf8(stoppedLine);
        QVERIFY2(
            stoppedLine.contains("still queued") && !stoppedLine.contains(" 0 still queued"), stoppedLine.constData());
        QVERIFY2(swift.start(&error), qPrintable(error));
        QProcess serve3;
        startServe(serve3);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(waitUntil(client2, [&] {
            return health(base)
                       .value(QLatin1String("worker"))
                       .toObject()
                       .value(QLatin1String("queue_depth"))
                       .toInteger()
                == 0;
        }));
        stopServe(serve3, &serveOut);
        if (QTest::currentTestFailed())
            return;

        // What the SDK was told.
        std::set<SpanKey> acked;
        qint64 ackedLines = 0;
        for (const QString& acksFile : acksFiles) {
            QFile f(acksFile);
            QVERIFY(f.open(QIODevice::ReadOnly));
            while (!f.atEnd()) {
                const QJsonObject line = QJsonDocument::fromJson(f.readLine()).object();
                if (!line.value(QLatin1String("ok")).toBool())
                    continue;
                ++ackedLines;
                const QJsonArray spans = line.value(QLatin1String("spans")).toArray();
                for (const auto& v : spans) {
                    const QJsonArray pair = v.toArray();
                    acked.insert({ pair[0].toString(), pair[1].toString() });
                }
            }
        }
        QCOMPARE(qint64(acked.size()), m_ackedSpans);
        QVERIFY(ackedLines > 0);

        // What PostgreSQL holds: each acknowledged span once, nothing else, and an empty queue.
        pqxx::connection db(pgUrl.toStdString());
        pqxx::nontransaction tx(db);
        const std::string q = "\"" + schema.toStdString() + "\"";
        QCOMPARE(tx.exec1("SELECT count(*) FROM (SELECT 1 FROM " + q
                       + ".spans GROUP BY trace_id, span_id HAVING count(*) <> 1) d")[0]
                     .as<long long>(),
            0LL);
        std::set<SpanKey> stored;
        for (const auto& r : tx.exec("SELECT trace_id, span_id FROM " + q + ".spans"))
            stored.insert(
                { QString::fromStdString(r[0].as<std::string>()), QString::fromStdString(r[1].as<std::string>()) });
        std::vector<SpanKey> lost, extra;
        std::set_difference(acked.begin(), acked.end(), stored.begin(), stored.end(), std::back_inserter(lost));
        std::set_difference(stored.begin(), stored.end(), acked.begin(), acked.end(), std::back_inserter(extra));
        QVERIFY2(lost.empty(),
            qPrintable(QStringLiteral("%1 acknowledged spans are not stored, e.g. %2/%3")
                           .arg(lost.size())
                           .arg(lost.empty() ? QString() : lost[0].first, lost.empty() ? QString() : lost[0].second)));
        QVERIFY2(
            extra.empty(), qPrintable(QStringLiteral("%1 stored spans were never acknowledged").arg(extra.size())));
        QCOMPARE(tx.exec1("SELECT count(*) FROM " + q + ".ingestion_queue")[0].as<long long>(), 0LL);

        // Summaries and objects: every trace has both, and the object holds exactly the trace's stored spans.
        std::map<QString, std::set<QString>> spansOf;
        for (const SpanKey& k : stored)
            spansOf[k.first].insert(k.second);
        PostgresTraceStore store(pgUrl, schema);
        QVERIFY2(store.open(&error), qPrintable(error));
        S3BlobStore blobs(s3);
        const auto traces
            = tx.exec("SELECT trace_id, span_count, coalesce(raw_blob_key, ''), service_name, environment, "
                      "start_time_unix_nano FROM "
                + q + ".traces");
        QCOMPARE(std::size_t(traces.size()), spansOf.size());
        int withRoot = 0;
        for (const auto& r : traces) {
            const QString trace = QString::fromStdString(r[0].as<std::string>());
            const QString key = QString::fromStdString(r[2].as<std::string>());
            QCOMPARE(r[1].as<long long>(), qint64(spansOf[trace].size()));
            QVERIFY2(!key.isEmpty(), qPrintable(trace));
            const TraceId id = TraceId::fromHex(trace);
            QCOMPARE(key,
                S3BlobStore::traceObjectKey(QString::fromStdString(r[4].as<std::string>()),
                    QString::fromStdString(r[3].as<std::string>()), r[5].as<unsigned long long>(), id));
            QVERIFY2(key.startsWith(QLatin1String("e2e/worker-e2e/")), qPrintable(key));
            const auto summary = store.traceSummary(id, &error);
            QVERIFY(summary);
            if (summary->hasRoot) {
                ++withRoot;
                QVERIFY2(
                    summary->rootSpanName.startsWith(QLatin1String("session ")), qPrintable(summary->rootSpanName));
            }
            const std::optional<QByteArray> object = blobs.get(key, &error);
            QVERIFY2(object, qPrintable(key + QLatin1Char(' ') + error));
            QByteArray json;
            QCOMPARE(Gzip::inflate(*object, qint64(16) * 1024 * 1024, &json, &error), Gzip::Status::Ok);
            const DecodeResult decoded = OtlpJsonCodec::decodeRequest(json);
            QVERIFY2(decoded.ok, qPrintable(decoded.error));
            std::set<QString> inObject;
            for (const Span& s : decoded.batch.spans) {
                QCOMPARE(s.traceId.toHex(), trace);
                inObject.insert(s.spanId.toHex());
            }
            QVERIFY2(inObject == spansOf[trace], qPrintable(key));
        }
        QVERIFY(withRoot > 0);
        qInfo() << stored.size() << "spans in" << traces.size() << "traces stored once each;" << m_failedSpans
                << "spans the SDK gave up on are not stored";
    }
};

QTEST_GUILESS_MAIN(TestWorkerEndToEnd)
#include "tst_worker_e2e.moc"
