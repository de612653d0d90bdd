// Traces and OTLP log records end to end with the official OpenTelemetry JS SDK exporters (issue 9 §4): the trace
// and logs exporters for OTLP/gRPC and for OTLP/HTTP (protobuf traces, JSON logs) send at the same time to
// `spanscope serve`, which is stopped with SIGTERM mid-stream (SQLite), or drains into PostgreSQL (worker mode).
// Every span and log record the SDK was told was accepted must be stored exactly once, and each log record must
// point at its span.

#include "storage/postgrestracestore.h"
#include "storage/sqlitetracestore.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

#include <map>
#include <memory>
#include <set>

namespace {

bool inCi()
{
    return !qEnvironmentVariableIsEmpty("CI");
}

/// What the SDK was told was accepted, from the client's OUT.jsonl.
struct Acks {
    std::set<std::pair<QString, QString>> spans; ///< (trace id, span id)
    /// (trace id, log.seq) -> span id; log.seq counts per client, the trace id tells the clients apart
    std::map<std::pair<QString, qint64>, QString> logs;
    int failedExports = 0;
};

Acks readAcks(const QStringList& files)
{
    Acks acks;
    for (const QString& path : files) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.trimmed().isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (!o.value(QStringLiteral("ok")).toBool()) {
                ++acks.failedExports;
                continue;
            }
            if (o.value(QStringLiteral("signal")).toString() == QLatin1String("traces")) {
                for (const auto& v : o.value(QStringLiteral("spans")).toArray())
                    acks.spans.insert({ v.toArray().at(0).toString(), v.toArray().at(1).toString() });
            } else {
                for (const auto& v : o.value(QStringLiteral("logs")).toArray()) {
                    const QJsonArray a = v.toArray();
                    acks.logs[{ a.at(0).toString(), a.at(2).toInteger() }] = a.at(1).toString();
                }
            }
        }
    }
    return acks;
}

qint64 seqOf(const LogRecord& record)
{
    for (const KeyValue& kv : record.attributes)
        if (kv.key == QLatin1String("log.seq"))
            return kv.value.intValue;
    return -1;
}

} // namespace

class TestLogsEndToEnd : public QObject {
    Q_OBJECT

    QString m_node;
    QString m_jsDir = QStringLiteral(SPANSCOPE_E2E_JS_DIR);

    struct Endpoints {
        QByteArray http; ///< http://127.0.0.1:PORT
        QByteArray grpc; ///< http://127.0.0.1:PORT
    };

    /// Starts serve with both receivers on free ports and reads their addresses from its banner.
    Endpoints startServe(QProcess& serve, const QStringList& storeArgs, const QByteArray& readyText)
    {
        Endpoints e;
        serve.setProcessChannelMode(QProcess::SeparateChannels);
        serve.start(QStringLiteral(SPANSCOPE_BINARY),
            QStringList { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--grpc-listen"), QStringLiteral("127.0.0.1:0") }
                + storeArgs);
        if (!serve.waitForStarted(10000))
            return e;
        QByteArray banner;
        while (!(banner.contains("OTLP/gRPC on ") && banner.contains(readyText)) && serve.waitForReadyRead(30000))
            banner += serve.readAllStandardOutput();
        const int http = banner.indexOf("http://");
        const int grpc = banner.indexOf("OTLP/gRPC on ");
        if (http < 0 || grpc < 0) {
            qWarning("serve did not start: %s %s", banner.constData(), serve.readAllStandardError().constData());
            return e;
        }
        e.http = banner.mid(http, banner.indexOf("/v1/traces", http) - http);
        e.grpc = "http://" + banner.mid(grpc + 13, banner.indexOf('\n', grpc) - grpc - 13).trimmed();
        return e;
    }

    void startClient(QProcess& client, const QString& protocol, const QByteArray& endpoint, const QString& acks)
    {
        client.setWorkingDirectory(m_jsDir);
        client.setProcessChannelMode(QProcess::MergedChannels);
        client.start(m_node, { QStringLiteral("send-traces-and-logs.mjs"), protocol, QString::fromLatin1(endpoint), acks,
                               QStringLiteral("30"), QStringLiteral("4000") });
        QVERIFY2(client.waitForStarted(10000), qPrintable(client.errorString()));
    }

    /// Acknowledged log records so far, from the clients' stdout ("ok logs N").
    static int ackedLogsSoFar(QProcess& client, QByteArray& seen)
    {
        seen += client.readAll();
        int n = 0;
        for (const QByteArray& line : seen.split('\n'))
            if (line.startsWith("ok logs "))
                n += line.mid(8).toInt();
        return n;
    }

    static void finishClient(QProcess& client, QByteArray& seen)
    {
        client.closeWriteChannel();
        QVERIFY(client.waitForFinished(120000));
        seen += client.readAll();
        QCOMPARE(client.exitStatus(), QProcess::NormalExit);
        QVERIFY2(client.exitCode() == 0, seen.right(2000).constData());
        QVERIFY2(seen.contains("done "), seen.right(2000).constData());
    }

    /// Every acknowledged span and log record is in `store` once, and each record points at its stored span.
    static void verifyStored(TraceStore& store, const Acks& acks)
    {
        QVERIFY(!acks.spans.empty());
        QVERIFY(!acks.logs.empty());
        std::set<QString> traces;
        for (const auto& [trace, span] : acks.spans)
            traces.insert(trace);
        for (const auto& [key, span] : acks.logs)
            traces.insert(key.first);
        qint64 storedLogs = 0;
        std::set<std::pair<QString, qint64>> seqs;
        std::set<std::pair<QString, QString>> storedSpans;
        QString error;
        for (const QString& hex : traces) {
            const TraceId trace = TraceId::fromHex(hex);
            for (const Span& s : store.traceSpans(trace, &error))
                storedSpans.insert({ hex, s.spanId.toHex() });
            QVERIFY2(error.isEmpty(), qPrintable(error));
            for (const LogRecord& r : store.traceLogs(trace, &error)) {
                ++storedLogs;
                const qint64 seq = seqOf(r);
                QVERIFY2(seqs.insert({ hex, seq }).second,
                         qPrintable(QStringLiteral("log record %1 of trace %2 stored twice").arg(seq).arg(hex)));
                QCOMPARE(r.traceId.toHex(), hex);
                QVERIFY(r.spanId.isValid());
                QVERIFY(r.eventName == QLatin1String("gen_ai.user.message") || r.eventName == QLatin1String("gen_ai.choice"));
                QCOMPARE(r.severityNumber, 9);
                QCOMPARE(r.body.type, AnyValue::Type::Map);
                QVERIFY(r.serviceName().startsWith(QLatin1String("logs-e2e-")));
            }
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        for (const auto& span : acks.spans)
            QVERIFY2(storedSpans.count(span), qPrintable(QStringLiteral("acknowledged span %1/%2 is not stored").arg(span.first, span.second)));
        int linked = 0;
        for (const auto& [key, span] : acks.logs) {
            QVERIFY2(seqs.count(key), qPrintable(QStringLiteral("acknowledged log record %1 of trace %2 is not stored")
                                                     .arg(key.second).arg(key.first)));
            // Its span was exported separately; where that export was acknowledged too, the record points at it.
            const std::pair<QString, QString> ids { key.first, span };
            if (acks.spans.count(ids)) {
                QVERIFY(storedSpans.count(ids));
                ++linked;
            }
        }
        QVERIFY(linked > 0);
        qInfo() << "stored" << storedSpans.size() << "spans and" << storedLogs << "log records;" << acks.spans.size()
                << "spans and" << acks.logs.size() << "records acknowledged," << linked << "records linked to an"
                << "acknowledged span," << acks.failedExports << "exports failed";
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        const bool haveModules = QFile::exists(m_jsDir + QStringLiteral("/node_modules/@opentelemetry/sdk-logs/package.json"));
        if (m_node.isEmpty() || !haveModules) {
            const QByteArray why = "node or the test client's npm packages are missing (run npm ci in tests/e2e/js)";
            if (inCi())
                QFAIL(why.constData());
            QSKIP(why.constData());
        }
    }

    // SQLite: both protocols at once, SIGTERM while they send. What was acknowledged was committed first.
    void sigtermMidStream()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("logs.db"));
        QProcess serve;
        const Endpoints e = startServe(serve, { QStringLiteral("--store"), QStringLiteral("sqlite:") + db }, "/v1/traces");
        QVERIFY(!e.http.isEmpty());
        const QStringList acksFiles { dir.filePath(QStringLiteral("grpc.jsonl")), dir.filePath(QStringLiteral("http.jsonl")) };
        QProcess grpcClient, httpClient;
        startClient(grpcClient, QStringLiteral("grpc"), e.grpc, acksFiles[0]);
        startClient(httpClient, QStringLiteral("http"), e.http, acksFiles[1]);
        QByteArray grpcOut, httpOut;
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && (ackedLogsSoFar(grpcClient, grpcOut) < 100 || ackedLogsSoFar(httpClient, httpOut) < 100))
            QTest::qWait(50);
        QVERIFY2(!deadline.hasExpired(), QByteArray(grpcOut.right(1000) + httpOut.right(1000)).constData());

        serve.terminate(); // mid-stream: both clients are still sending
        QVERIFY(serve.waitForFinished(30000));
        const QByteArray serveOut = serve.readAllStandardOutput() + serve.readAllStandardError();
        QVERIFY2(serve.exitStatus() == QProcess::NormalExit && serve.exitCode() == 0, serveOut.right(4000).constData());
        QTest::qWait(300); // the clients see the server gone
        finishClient(grpcClient, grpcOut);
        finishClient(httpClient, httpOut);
        if (QTest::currentTestFailed())
            return;

        const Acks acks = readAcks(acksFiles);
        SqliteTraceStore store(db);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        verifyStored(store, acks);
    }

    // PostgreSQL worker mode: OK means queued in ingestion_queue; the worker drains it into spans and logs.
    void workerDrainsLogsIntoPostgres()
    {
        const QString pgUrl = qEnvironmentVariable("SPANSCOPE_TEST_PG_URL");
        if (pgUrl.isEmpty()) {
            if (inCi())
                QFAIL("SPANSCOPE_TEST_PG_URL is not set (packaging/test.sh starts PostgreSQL)");
            QSKIP("SPANSCOPE_TEST_PG_URL is not set: start tests/servers/postgres.sh");
        }
        const QString schema = QStringLiteral("logs_e2e_") + QString::number(QRandomGenerator::global()->generate64(), 36);
        const auto dropSchema = qScopeGuard([&] {
            try {
                pqxx::connection c(pgUrl.toStdString());
                pqxx::work tx(c);
                tx.exec0("DROP SCHEMA IF EXISTS " + tx.quote_name(schema.toStdString()) + " CASCADE");
                tx.commit();
            } catch (const std::exception& e) {
                qWarning("cannot drop schema %s: %s", qPrintable(schema), e.what());
            }
        });
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcess serve;
        const Endpoints e = startServe(serve, { QStringLiteral("--store"), pgUrl, QStringLiteral("--pg-schema"), schema },
                                       "worker mode");
        QVERIFY(!e.http.isEmpty());
        const QStringList acksFiles { dir.filePath(QStringLiteral("grpc.jsonl")), dir.filePath(QStringLiteral("http.jsonl")) };
        QProcess grpcClient, httpClient;
        startClient(grpcClient, QStringLiteral("grpc"), e.grpc, acksFiles[0]);
        startClient(httpClient, QStringLiteral("http"), e.http, acksFiles[1]);
        QByteArray grpcOut, httpOut;
        QDeadlineTimer deadline(60000);
        while (!deadline.hasExpired() && (ackedLogsSoFar(grpcClient, grpcOut) < 60 || ackedLogsSoFar(httpClient, httpOut) < 60))
            QTest::qWait(50);
        QVERIFY2(!deadline.hasExpired(), QByteArray(grpcOut.right(1000) + httpOut.right(1000)).constData());
        finishClient(grpcClient, grpcOut);
        finishClient(httpClient, httpOut);
        if (QTest::currentTestFailed())
            return;
        const Acks acks = readAcks(acksFiles);
        QCOMPARE(acks.failedExports, 0);

        // Drained: nothing left in the queue. (A SIGTERM now leaves nothing behind.)
        PostgresTraceStore store(pgUrl, schema);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QDeadlineTimer drained(60000);
        while (!drained.hasExpired() && store.queueDepth(&error) != 0)
            QTest::qWait(100);
        QCOMPARE(store.queueDepth(&error), qint64(0));
        serve.terminate();
        QVERIFY(serve.waitForFinished(30000));
        QCOMPARE(serve.exitCode(), 0);
        verifyStored(store, acks);
    }
};

QTEST_GUILESS_MAIN(TestLogsEndToEnd)
#include "tst_logs_e2e.moc"
