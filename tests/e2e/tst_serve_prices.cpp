// `spanscope serve` keeps the SQLite store's trace costs by the price table its query API prices with (the user's
// prices.json, else the shipped table; CostPricesKeeper, SqliteTraceStore::setCostPrices): at start, when the file
// is created, and when an editor replaces it. An LLM call of a model the shipped table does not price is sent over
// OTLP/HTTP JSON; its stored cost follows each edit, and GET /api/v1/traces?order_by=cost says the same.

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QProcessEnvironment>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

#include <sqlite3.h>

#include <cmath>

namespace {

constexpr const char* TraceIdHex = "5b8efff798038103d269b633813fc60c";

/// One trace: an agent span and an LLM call of acme-model-7 with 1,000 input and 500 output tokens.
QByteArray llmTrace()
{
    const QByteArray json = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"agent"}}]},
 "scopeSpans":[{"scope":{"name":"test"},"spans":[
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"invoke_agent","kind":1,
   "startTimeUnixNano":"1765000000000000000","endTimeUnixNano":"1765000002000000000"},
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","parentSpanId":"eee19b7ec3c1b174",
   "name":"chat acme-model-7","kind":3,"startTimeUnixNano":"1765000000100000000","endTimeUnixNano":"1765000001900000000",
   "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
    {"key":"gen_ai.request.model","value":{"stringValue":"acme-model-7"}},
    {"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000"}},
    {"key":"gen_ai.usage.output_tokens","value":{"intValue":"500"}}]}]}]}]})";
    return json;
}

QByteArray pricesJson(double inputPerMillion, double outputPerMillion)
{
    return QJsonDocument(QJsonObject { { QStringLiteral("source"), QStringLiteral("tst_serve_prices") },
                             { QStringLiteral("prices"),
                                 QJsonArray { QJsonObject { { QStringLiteral("pattern"), QStringLiteral("acme-model-*") },
                                     { QStringLiteral("input_per_million"), inputPerMillion },
                                     { QStringLiteral("output_per_million"), outputPerMillion },
                                     { QStringLiteral("currency"), QStringLiteral("USD") } } } } })
        .toJson();
}

/// What the store says: whether cost_prices is complete and names the acme pattern, and the trace's stored cost.
struct Stored {
    bool complete = false;
    bool acme = false;
    double cost = 0;
    bool found = false;
};

Stored readStore(const QString& path)
{
    Stored out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return out;
    }
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db,
            "SELECT (SELECT repriced_to_seq IS NULL FROM cost_prices), "
            "(SELECT prices LIKE '%acme-model-*%' FROM cost_prices), cost FROM traces WHERE trace_id = ?1",
            -1, &stmt, nullptr)
        == SQLITE_OK) {
        const QByteArray id = QByteArray::fromHex(TraceIdHex);
        sqlite3_bind_blob(stmt, 1, id.constData(), int(id.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            out.found = true;
            out.complete = sqlite3_column_int(stmt, 0) == 1;
            out.acme = sqlite3_column_int(stmt, 1) == 1;
            out.cost = sqlite3_column_double(stmt, 2);
        }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

} // namespace

class TestServePrices : public QObject {
    Q_OBJECT

private:
    QNetworkAccessManager m_net;

    QByteArray send(const QString& op, const QUrl& url, const QByteArray& body, int* status)
    {
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply* reply = op == u"POST" ? m_net.post(request, body) : m_net.get(request);
        QDeadlineTimer deadline(20000);
        while (!reply->isFinished() && !deadline.hasExpired())
            QTest::qWait(10);
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        reply->deleteLater();
        return answer;
    }

    /// Polls the store until the trace's cost is `expected` with the acme table kept (or not) and complete.
    bool waitForCost(const QString& path, double expected, bool acme)
    {
        QDeadlineTimer deadline(20000);
        Stored s;
        do {
            s = readStore(path);
            if (s.found && s.complete && s.acme == acme && std::abs(s.cost - expected) < 1e-12)
                return true;
            QTest::qWait(50);
        } while (!deadline.hasExpired());
        qWarning("store: found %d complete %d acme %d cost %.9f, expected %.9f", s.found, s.complete, s.acme, s.cost,
            expected);
        return false;
    }

private Q_SLOTS:
    void followsThePriceFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString store = dir.filePath(QStringLiteral("prices.db"));
        const QString config = dir.filePath(QStringLiteral("config"));
        // QStandardPaths::AppConfigLocation of organization "spanscope", application "spanscope".
        const QString pricesFile = config + QStringLiteral("/spanscope/spanscope/prices.json");

        QProcess serve;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
        serve.setProcessEnvironment(env);
        serve.setProcessChannelMode(QProcess::SeparateChannels);
        serve.start(QStringLiteral(SPANSCOPE_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--grpc-listen"), QStringLiteral("off"), QStringLiteral("--store"),
                QStringLiteral("sqlite:") + store });
        QVERIFY(serve.waitForStarted(10000));
        const auto stop = qScopeGuard([&] {
            serve.terminate();
            serve.waitForFinished(30000);
        });
        QByteArray banner;
        while (!banner.contains("/v1/traces") && serve.waitForReadyRead(30000))
            banner += serve.readAllStandardOutput();
        const int at = banner.indexOf("http://");
        QVERIFY2(at >= 0, banner.constData());
        const QString base = QString::fromLatin1(banner.mid(at, banner.indexOf("/v1/traces", at) - at));

        int status = 0;
        send(QStringLiteral("POST"), QUrl(base + QStringLiteral("/v1/traces")), llmTrace(), &status);
        QCOMPARE(status, 200);
        // The shipped table has no price for acme-model-7: the trace's key is -1 ("no price").
        QVERIFY(waitForCost(store, -1, false));

        // The prices file appears (as the GUI's first save makes it): 1,000 x 2 + 500 x 4 per million = 0.004.
        {
            QVERIFY(QDir().mkpath(QFileInfo(pricesFile).absolutePath()));
            QFile f(pricesFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(pricesJson(2, 4));
        }
        QVERIFY(waitForCost(store, 0.004, true));
        const QJsonObject list = QJsonDocument::fromJson(
            send(QStringLiteral("GET"), QUrl(base + QStringLiteral("/api/v1/traces?order_by=cost")), {}, &status))
                                     .object();
        QCOMPARE(status, 200);
        const QJsonObject top = list.value(QStringLiteral("traces")).toArray().at(0).toObject();
        QCOMPARE(top.value(QStringLiteral("trace_id")).toString(), QString::fromLatin1(TraceIdHex));
        QCOMPARE(top.value(QStringLiteral("cost")).toDouble(), 0.004);

        // An editor replaces it (write elsewhere, rename over it): 1,000 x 3 + 500 x 4 per million = 0.005.
        {
            const QString temporary = pricesFile + QStringLiteral(".new");
            QFile f(temporary);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(pricesJson(3, 4));
            f.close();
            QVERIFY(std::rename(temporary.toUtf8().constData(), pricesFile.toUtf8().constData()) == 0);
        }
        QVERIFY(waitForCost(store, 0.005, true));

        // And it is removed: the shipped table again.
        QVERIFY(QFile::remove(pricesFile));
        QVERIFY(waitForCost(store, -1, false));

        serve.terminate();
        QVERIFY(serve.waitForFinished(30000));
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestServePrices)
#include "tst_serve_prices.moc"
