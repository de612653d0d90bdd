// IngestCoordinator against a real PostgreSQL cluster and a real S3 server (Swift's s3api), both the test's own
// (tests/servers/postgres.sh and swift.sh in temporary folders), so they can be stopped and started mid-stream.
// Runs where SPANSCOPE_TEST_PG_URL and SPANSCOPE_TEST_S3_ENDPOINT say those servers are available; skipped
// elsewhere, failed instead when CI is set. Each test function works in its own schema and bucket.

#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/worker/ingestcoordinator.h"
#include "storage/postgrestracestore.h"
#include "storage/s3blobstore.h"

#include "../common/testdata.h"
#include "../common/testlogs.h"
#include "../common/testservers.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <pqxx/pqxx>

#include <algorithm>
#include <functional>
#include <map>

namespace {

bool inCi() { return !qEnvironmentVariableIsEmpty("CI"); }

RawPayload payloadOf(const QByteArray& body, const QString& contentType, const QString& peer)
{
    RawPayload p;
    p.body = body;
    p.contentType = contentType;
    p.wireSize = body.size();
    p.peer = peer;
    p.receivedAtUnixNano = 1700000000000000000ULL;
    return p;
}

DecodeResult decodePayload(const RawPayload& p)
{
    return p.contentType == QLatin1String("application/json") ? OtlpJsonCodec::decodeRequest(p.body)
                                                              : OtlpProtobufCodec::decodeRequest(p.body);
}

/// Whole OTLP requests read from files: OTLP/JSON of several shapes and one protobuf request, from tests/data/ or
/// (`conformance`) from the conformance corpus. False with the path of a file that cannot be read.
bool filePayloads(std::vector<RawPayload>* out, QString* error, bool conformance = false)
{
    const char* const project[] = { "otlp-json/trip-planner-agent.json", "otlp-json/checkout-fanout.json",
        "otlp-json/payments-two-traces.json", "otlp-json/storefront-multi-resource.json",
        "otlp-json/checkout-single-span.json", "otlp-protobuf/shop-grpc.pb" };
    const char* const corpus[] = { "otlp-json/genai-agent-trace.json", "otlp-json/hotrod-n-plus-one-concurrent.json",
        "otlp-json/jaeger-otel-traces-01.json", "otlp-json/node-sdk-multi-resource.json", "otlp-json/spec-example.json",
        "otlp-protobuf/otlp2parquet-traces.pb" };
    out->clear();
    for (const char* name : conformance ? corpus : project) {
        const QString ref = conformance ? TestData::conformanceFile(name) : QString::fromLatin1(name);
        QByteArray body;
        if (!TestData::read(TestData::resolve(ref), &body, error))
            return false;
        const bool protobuf = ref.endsWith(QLatin1String(".pb"));
        out->push_back(
            payloadOf(body, protobuf ? QStringLiteral("application/x-protobuf") : QStringLiteral("application/json"),
                QFileInfo(ref).fileName()));
    }
    for (RawPayload& p : *out)
        p.spanCount = qint64(decodePayload(p).batch.spans.size());
    return true;
}

TraceId traceId(int n) { return TraceId::fromHex(QStringLiteral("%1").arg(n, 32, 16, QLatin1Char('0'))); }

SpanId spanId(int n) { return SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0'))); }

Span makeSpan(
    const TraceId& trace, int id, int parent, const QString& service, const QString& environment, std::uint64_t start)
{
    Span s;
    s.traceId = trace;
    s.spanId = spanId(id);
    if (parent)
        s.parentSpanId = spanId(parent);
    s.name = QStringLiteral("op-%1").arg(id);
    s.kind = SpanKind::Server;
    s.startTimeUnixNano = start;
    s.endTimeUnixNano = start + 1000000;
    auto r = std::make_shared<Resource>();
    r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(service) },
        { QStringLiteral("deployment.environment.name"), AnyValue::fromString(environment) } };
    s.resource = r;
    auto sc = std::make_shared<InstrumentationScope>();
    sc->name = QStringLiteral("test");
    s.scope = sc;
    return s;
}

std::vector<Span> sortedById(std::vector<Span> spans)
{
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return a.traceId == b.traceId ? a.spanId < b.spanId : a.traceId < b.traceId;
    });
    return spans;
}

/// A BlobStore that calls a hook before each put (to stop a server at the worst moment), then forwards.
class HookedBlobStore final : public BlobStore {
public:
    explicit HookedBlobStore(BlobStore* inner)
        : m_inner(inner)
    {
    }
    std::function<void()> beforePut;
    QString removeError; ///< when set, remove() fails with it and leaves the object
    int removeCalls = 0;

    QString description() const override { return m_inner->description(); }
    bool put(const QString& key, const QByteArray& data, const QString& contentType, QString* error) override
    {
        if (beforePut)
            beforePut();
        return m_inner->put(key, data, contentType, error);
    }
    std::optional<QByteArray> get(const QString& key, QString* error) override { return m_inner->get(key, error); }
    std::optional<BlobInfo> head(const QString& key, QString* error) override { return m_inner->head(key, error); }
    bool list(const QString& prefix, QStringList* keys, QString* error) override
    {
        return m_inner->list(prefix, keys, error);
    }
    bool remove(const QString& key, QString* error) override
    {
        ++removeCalls;
        if (!removeError.isEmpty()) {
            *error = removeError;
            return false;
        }
        return m_inner->remove(key, error);
    }

private:
    BlobStore* m_inner;
};

struct QueueRow {
    qint64 id = 0;
    int attempts = 0;
    QString lastError;
    bool due = false; ///< next_attempt_at has passed
};

} // namespace

class TestIngestCoordinator : public QObject {
    Q_OBJECT

    std::unique_ptr<TestServer> m_pg;
    std::unique_ptr<TestServer> m_swift;
    QString m_pgUrl;
    S3Config m_s3;
    QString m_schema;
    std::unique_ptr<PostgresTraceStore> m_store;
    std::unique_ptr<S3BlobStore> m_blobs;

    static IngestCoordinator::Options fastOptions()
    {
        IngestCoordinator::Options o;
        o.backoffInitial = std::chrono::milliseconds(0); // failed requests are due again at once
        o.lease = std::chrono::seconds(2);
        return o;
    }

    std::string quoted() const { return "\"" + m_schema.toStdString() + "\""; }

    pqxx::result sql(const std::string& query)
    {
        pqxx::connection c(m_pgUrl.toStdString());
        pqxx::nontransaction tx(c);
        return tx.exec(query);
    }

    std::vector<QueueRow> queueRows()
    {
        std::vector<QueueRow> rows;
        for (const auto& r : sql("SELECT id, attempts, coalesce(last_error, ''), next_attempt_at <= now() FROM "
                 + quoted() + ".ingestion_queue ORDER BY id")) {
            QueueRow row;
            row.id = r[0].as<long long>();
            row.attempts = r[1].as<int>();
            row.lastError = QString::fromStdString(r[2].as<std::string>());
            row.due = r[3].as<bool>();
            rows.push_back(row);
        }
        return rows;
    }

    QString blobKey(const TraceId& trace)
    {
        const auto r = sql("SELECT coalesce(raw_blob_key, '') FROM " + quoted() + ".traces WHERE trace_id = '"
            + trace.toHex().toStdString() + "'");
        return r.empty() ? QString() : QString::fromStdString(r[0][0].as<std::string>());
    }

    /// Rounds until the queue is empty; false when it does not get there in `maxRounds` rounds.
    bool drain(IngestCoordinator& coordinator, int maxRounds = 50)
    {
        for (int i = 0; i < maxRounds; ++i) {
            coordinator.processOnce();
            QString error;
            if (m_store->queueDepth(&error) == 0)
                return true;
            QThread::msleep(100); // a request given back after a failure may wait for its lease
        }
        return false;
    }

    /// The object of `trace` in the bucket, inflated and decoded.
    std::vector<Span> objectSpans(const QString& key, QString* error)
    {
        const std::optional<QByteArray> object = m_blobs->get(key, error);
        if (!object) {
            if (error->isEmpty())
                *error = QStringLiteral("no object at ") + key;
            return {};
        }
        QByteArray json;
        if (Gzip::inflate(*object, qint64(64) * 1024 * 1024, &json, error) != Gzip::Status::Ok)
            return {};
        const DecodeResult decoded = OtlpJsonCodec::decodeRequest(json);
        if (!decoded.ok)
            *error = decoded.error;
        return decoded.batch.spans;
    }

    /// Checks rows, summary, key and object of every trace in `payloads`.
    void verifyStored(const std::vector<RawPayload>& payloads)
    {
        std::map<TraceId, std::vector<Span>> expected;
        for (const RawPayload& p : payloads)
            for (const Span& s : decodePayload(p).batch.spans)
                expected[s.traceId].push_back(s);
        QVERIFY(!expected.empty());
        qint64 total = 0;
        for (const auto& [trace, spansIn] : expected) {
            // The same span sent twice is one span.
            std::map<SpanId, Span> unique;
            for (const Span& s : spansIn)
                unique[s.spanId] = s;
            total += qint64(unique.size());
            QString error;
            const std::vector<Span> stored = sortedById(m_store->traceSpans(trace, &error));
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(stored.size(), unique.size());
            const auto summary = m_store->traceSummary(trace, &error);
            QVERIFY2(summary, qPrintable(trace.toHex()));
            QCOMPARE(summary->spanCount, qint64(unique.size()));

            const std::vector<TraceObjectInfo> infos = m_store->traceObjectInfo({ trace }, &error);
            QCOMPARE(infos.size(), std::size_t(1));
            const QString key = blobKey(trace);
            QCOMPARE(key,
                S3BlobStore::traceObjectKey(
                    infos[0].environment, infos[0].rootServiceName, infos[0].startTimeUnixNano, trace));
            QCOMPARE(infos[0].rawBlobKey, key);
            static const QRegularExpression shape(
                QStringLiteral("^[^/]+/[^/]+/[0-9]{4}-[0-9]{2}-[0-9]{2}/[0-9a-f]{32}\\.json\\.gz$"));
            QVERIFY2(shape.match(key).hasMatch(), qPrintable(key));
            QVERIFY2(key.endsWith(trace.toHex() + QStringLiteral(".json.gz")), qPrintable(key));

            const std::vector<Span> inObject = sortedById(objectSpans(key, &error));
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(inObject.size(), stored.size());
            for (std::size_t i = 0; i < stored.size(); ++i)
                QVERIFY2(spansEqual(inObject[i], stored[i]), qPrintable(stored[i].name));
        }
        const auto counts = sql("SELECT count(*), count(DISTINCT (trace_id, span_id)) FROM " + quoted() + ".spans");
        QCOMPARE(counts[0][0].as<long long>(), total);
        QCOMPARE(counts[0][1].as<long long>(), total);
    }

    void restart(TestServer& server)
    {
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
    }
    void stopServer(TestServer& server)
    {
        QString error;
        QVERIFY2(server.stop(&error), qPrintable(error));
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
        QString error;
        m_pg = std::make_unique<TestServer>(QStringLiteral("postgres.sh"));
        QVERIFY2(m_pg->start(&error), qPrintable(error));
        m_pgUrl = m_pg->value(QStringLiteral("SPANSCOPE_TEST_PG_URL"));
        QVERIFY(!m_pgUrl.isEmpty());
        m_swift = std::make_unique<TestServer>(QStringLiteral("swift.sh"));
        QVERIFY2(m_swift->start(&error), qPrintable(error));
        m_s3.endpoint = m_swift->value(QStringLiteral("SPANSCOPE_TEST_S3_ENDPOINT"));
        m_s3.accessKeyId = m_swift->value(QStringLiteral("SPANSCOPE_TEST_S3_ACCESS_KEY"));
        m_s3.secretAccessKey = m_swift->value(QStringLiteral("SPANSCOPE_TEST_S3_SECRET_KEY"));
        m_s3.connectTimeoutMs = 2000;
        m_s3.requestTimeoutMs = 10000;
        QVERIFY(!m_s3.endpoint.isEmpty());
    }

    void init()
    {
        const QString suffix = QString::number(QRandomGenerator::global()->generate64(), 36);
        m_schema = QStringLiteral("coord_") + suffix;
        m_s3.bucket = QStringLiteral("coord-") + suffix;
        m_blobs = std::make_unique<S3BlobStore>(m_s3);
        QString error;
        QVERIFY2(m_blobs->ensureBucket(&error), qPrintable(error));
        m_store = std::make_unique<PostgresTraceStore>(m_pgUrl, m_schema, m_blobs.get());
        QVERIFY2(m_store->open(&error), qPrintable(error));
    }

    void cleanup()
    {
        m_store.reset();
        m_blobs.reset();
        if (m_pg && !m_pg->isRunning())
            restart(*m_pg);
        if (m_swift && !m_swift->isRunning())
            restart(*m_swift);
        try {
            sql("DROP SCHEMA IF EXISTS " + quoted() + " CASCADE");
        } catch (const std::exception& e) {
            qWarning() << "cleanup:" << e.what();
        }
    }

    void cleanupTestCase()
    {
        m_swift.reset();
        m_pg.reset();
    }

    void queueToPostgresAndS3_data()
    {
        QTest::addColumn<bool>("conformance");
        QTest::newRow("project") << false;
        QTest::newRow("conformance") << true;
    }

    void queueToPostgresAndS3()
    {
        QFETCH(bool, conformance);
        if (conformance)
            SPANSCOPE_REQUIRE_CONFORMANCE();
        std::vector<RawPayload> payloads;
        QString loadError;
        QVERIFY2(filePayloads(&payloads, &loadError, conformance), qPrintable(loadError));
        QString error;
        std::vector<qint64> ids;
        QVERIFY2(m_store->enqueue(payloads, &error, &ids), qPrintable(error));
        QCOMPARE(ids.size(), payloads.size());
        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), fastOptions());
        QCOMPARE(coordinator.processOnce(), int(payloads.size()));
        QCOMPARE(m_store->queueDepth(&error), qint64(0));
        const IngestCoordinator::Counters c = coordinator.counters();
        QCOMPARE(c.requestsCompleted, qint64(payloads.size()));
        QCOMPARE(c.failedAttempts, qint64(0));
        QVERIFY(c.objectsWritten > 0);
        verifyStored(payloads);
        if (QTest::currentTestFailed())
            return;

        // Every span of the files is stored.
        for (const RawPayload& p : payloads) {
            for (const Span& s : decodePayload(p).batch.spans) {
                const std::vector<Span> stored = m_store->traceSpans(s.traceId, &error);
                const auto it
                    = std::find_if(stored.begin(), stored.end(), [&](const Span& x) { return x.spanId == s.spanId; });
                QVERIFY(it != stored.end());
                // Not spansEqual: the JSONB columns keep bytes values as base64 strings (docs/storage.md).
                QCOMPARE(it->parentSpanId, s.parentSpanId);
                QCOMPARE(it->name, s.name);
                QCOMPARE(int(it->kind), int(s.kind));
                QCOMPARE(it->startTimeUnixNano, s.startTimeUnixNano);
                QCOMPARE(it->endTimeUnixNano, s.endTimeUnixNano);
                QCOMPARE(int(it->statusCode), int(s.statusCode));
                QCOMPARE(it->attributes.size(), s.attributes.size());
                QCOMPARE(it->events.size(), s.events.size());
                QCOMPARE(it->links.size(), s.links.size());
                QCOMPARE(it->serviceName(), s.serviceName());
            }
        }
        // One object per trace, nothing else.
        QStringList keys;
        QVERIFY2(m_blobs->list(QString(), &keys, &error), qPrintable(error));
        QCOMPARE(
            qint64(keys.size()), qint64(sql("SELECT count(*) FROM " + quoted() + ".traces")[0][0].as<long long>()));
    }

    void samePayloadTwiceStoresOnce()
    {
        std::vector<RawPayload> payloads;
        QString loadError;
        QVERIFY2(filePayloads(&payloads, &loadError), qPrintable(loadError));
        QString error;
        QVERIFY2(m_store->enqueue(payloads, &error), qPrintable(error));
        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), fastOptions());
        QVERIFY(drain(coordinator));
        const qint64 spans = m_store->spanCount(&error);
        QStringList keysBefore;
        QVERIFY(m_blobs->list(QString(), &keysBefore, &error));

        // Again, and twice within one round.
        std::vector<RawPayload> twice = payloads;
        twice.insert(twice.end(), payloads.begin(), payloads.end());
        QVERIFY2(m_store->enqueue(twice, &error), qPrintable(error));
        QVERIFY(drain(coordinator));
        QCOMPARE(m_store->spanCount(&error), spans);
        QStringList keysAfter;
        QVERIFY(m_blobs->list(QString(), &keysAfter, &error));
        QCOMPARE(keysAfter, keysBefore);
        verifyStored(payloads);
    }

    void queuedLogsRequestsEndUpInTheLogsTable()
    {
        const TraceId trace = traceId(0x106);
        const std::vector<LogRecord> logs = TestLogs::sample(trace, spanId(1));
        // The same records as OTLP/JSON and as protobuf, and a traces request for the trace's span beside them.
        RawPayload json = payloadOf(OtlpJsonCodec::encodeLogsRequest(logs, false), QStringLiteral("application/json"),
            QStringLiteral("logs-json"));
        json.signal = RawPayload::Signal::Logs;
        json.logRecordCount = qint64(logs.size());
        RawPayload protobuf = payloadOf(OtlpProtobufCodec::encodeLogsRequest(logs),
            QStringLiteral("application/x-protobuf"), QStringLiteral("logs-pb"));
        protobuf.signal = RawPayload::Signal::Logs;
        protobuf.logRecordCount = qint64(logs.size());
        Span span;
        span.traceId = trace;
        span.spanId = spanId(1);
        span.name = QStringLiteral("op");
        span.startTimeUnixNano = 1700000000000000000ULL;
        span.endTimeUnixNano = 1700000000000001000ULL;
        span.resource = TestLogs::resource(QStringLiteral("checkout"));
        const RawPayload traces = payloadOf(OtlpJsonCodec::encodeRequest({ span }, false),
            QStringLiteral("application/json"), QStringLiteral("traces"));
        QString error;
        QVERIFY2(m_store->enqueue({ json, protobuf, traces }, &error), qPrintable(error));

        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), fastOptions());
        QCOMPARE(coordinator.processOnce(), 3);
        QCOMPARE(m_store->queueDepth(&error), qint64(0));
        const IngestCoordinator::Counters c = coordinator.counters();
        QCOMPARE(c.requestsCompleted, qint64(3));
        QCOMPARE(c.failedAttempts, qint64(0));
        QCOMPARE(c.poisonRequests, qint64(0));
        // Both encodings carry the same four records: stored once each.
        QCOMPARE(m_store->logRecordCount(&error), qint64(4));
        QCOMPARE(sql("SELECT count(*) FROM " + quoted() + ".logs")[0][0].as<long long>(), 4LL);
        const std::vector<LogRecord> stored = m_store->traceLogs(trace, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(stored.size(), std::size_t(3));
        QVERIFY(logRecordsEqual(stored[0], logs[1]));
        QVERIFY(logRecordsEqual(stored[1], logs[0]));
        QVERIFY(logRecordsEqual(stored[2], logs[3]));
        // The span's trace got its object as always.
        QCOMPARE(m_store->spanCount(&error), qint64(1));
        QVERIFY(!blobKey(trace).isEmpty());

        // A logs body queued as a traces request decodes to nothing of use (no resourceSpans): completed, no records.
        RawPayload mislabelled = json;
        mislabelled.signal = RawPayload::Signal::Traces;
        QVERIFY2(m_store->enqueue({ mislabelled }, &error), qPrintable(error));
        QVERIFY(drain(coordinator));
        QCOMPARE(m_store->logRecordCount(&error), qint64(4));
    }

    void s3DownKeepsRequestsQueued()
    {
        std::vector<RawPayload> payloads;
        QString loadError;
        QVERIFY2(filePayloads(&payloads, &loadError), qPrintable(loadError));
        QString error;
        QVERIFY2(m_store->enqueue(payloads, &error), qPrintable(error));
        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), fastOptions());

        stopServer(*m_swift);
        QCOMPARE(coordinator.processOnce(), int(payloads.size()));
        const std::vector<QueueRow> rows = queueRows();
        QCOMPARE(rows.size(), payloads.size()); // nothing left the queue
        for (const QueueRow& row : rows) {
            QCOMPARE(row.attempts, 1);
            QVERIFY2(row.lastError.startsWith(QLatin1String("blob store: ")), qPrintable(row.lastError));
        }
        IngestCoordinator::Counters c = coordinator.counters();
        QVERIFY(!c.blobStoreUp);
        QVERIFY(c.databaseUp);
        QCOMPARE(c.failedAttempts, qint64(payloads.size()));
        QCOMPARE(c.requestsCompleted, qint64(0));
        QVERIFY(!c.lastError.isEmpty());
        // PostgreSQL has the spans already; only the objects are owed.
        QVERIFY(m_store->spanCount(&error) > 0);
        QCOMPARE(
            sql("SELECT count(*) FROM " + quoted() + ".traces WHERE raw_blob_key IS NOT NULL")[0][0].as<long long>(),
            0LL);

        // A second attempt while it is still down counts up.
        coordinator.processOnce();
        for (const QueueRow& row : queueRows())
            QCOMPARE(row.attempts, 2);

        restart(*m_swift);
        QVERIFY(drain(coordinator));
        c = coordinator.counters();
        QVERIFY(c.blobStoreUp);
        QCOMPARE(c.requestsCompleted, qint64(payloads.size()));
        verifyStored(payloads);
    }

    // An S3 endpoint with credentials in its URL that cannot be reached: what the worker status (`/healthz`'s
    // worker.last_error), the log and the queue rows say names neither key (issue 8 section 5).
    void secretsStayOutOfTheStatus()
    {
        std::vector<RawPayload> payloads;
        QString loadError;
        QVERIFY2(filePayloads(&payloads, &loadError), qPrintable(loadError));
        QString error;
        QVERIFY2(m_store->enqueue(payloads, &error), qPrintable(error));
        S3Config config = m_s3;
        config.endpoint = QStringLiteral("http://AKIDSTATUS:StatusS3cret%2Fkey@127.0.0.1:1"); // nobody listens
        S3BlobStore unreachable(config);
        QStringList logged;
        static QStringList* s_logged = nullptr;
        s_logged = &logged;
        const QtMessageHandler previous = qInstallMessageHandler(
            [](QtMsgType, const QMessageLogContext&, const QString& message) { *s_logged << message; });
        IngestCoordinator coordinator(m_store.get(), &unreachable, fastOptions());
        coordinator.processOnce();
        const QString status = QString::fromUtf8(QJsonDocument(coordinator.status()).toJson());
        qInstallMessageHandler(previous);
        QVERIFY(!coordinator.counters().blobStoreUp);
        QVERIFY2(status.contains(QLatin1String("@ http://127.0.0.1:1")), qPrintable(status));
        QStringList texts = logged;
        texts << status << unreachable.description();
        for (const QueueRow& row : queueRows())
            texts << row.lastError;
        for (const QString& text : texts)
            QVERIFY2(!text.contains(QLatin1String("StatusS3cret")) && !text.contains(QLatin1String("AKIDSTATUS")),
                qPrintable(text));
    }

    void postgresDownWhileDraining()
    {
        std::vector<RawPayload> payloads;
        QString loadError;
        QVERIFY2(filePayloads(&payloads, &loadError), qPrintable(loadError));
        QString error;
        QVERIFY2(m_store->enqueue(payloads, &error), qPrintable(error));
        // PostgreSQL goes away after the claim and the span write, at the first object upload: the blob keys and the
        // completion cannot be written, so the requests must come back (lease) and be done again.
        HookedBlobStore hooked(m_blobs.get());
        bool stopped = false;
        hooked.beforePut = [&] {
            if (!stopped) {
                stopped = true;
                QString why;
                if (!m_pg->stop(&why))
                    qWarning().noquote() << why;
            }
        };
        IngestCoordinator coordinator(m_store.get(), &hooked, fastOptions());
        QCOMPARE(coordinator.processOnce(), int(payloads.size()));
        QVERIFY(stopped);
        QVERIFY(!coordinator.counters().databaseUp);
        QCOMPARE(coordinator.counters().requestsCompleted, qint64(0));
        QCOMPARE(coordinator.processOnce(), -1); // cannot even claim

        // Accepting while it is down fails: the pipeline then answers 503.
        IngestItem item;
        item.payload = payloads[0];
        item.batch = decodePayload(payloads[0]).batch;
        const WriteResult refused = coordinator.enqueue({ item });
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.startsWith(QLatin1String("ingestion queue: ")), qPrintable(refused.error));

        restart(*m_pg);
        QVERIFY(drain(coordinator, 200)); // includes waiting for the 2 s lease of the interrupted round
        QVERIFY(coordinator.counters().databaseUp);
        verifyStored(payloads);
    }

    void poisonRequestIsParkedNotDeleted()
    {
        std::vector<RawPayload> good;
        QString loadError;
        QVERIFY2(filePayloads(&good, &loadError), qPrintable(loadError));
        std::vector<RawPayload> payloads = { good[0] };
        // A length-delimited field 1 announcing 5 bytes but holding 2: not a protobuf message.
        payloads.push_back(payloadOf(QByteArray("\x0a\x05"
                                                "ab",
                                         4),
            QStringLiteral("application/x-protobuf"), QStringLiteral("bad-pb")));
        payloads.push_back(payloadOf(QByteArrayLiteral("{\"resourceSpans\": 5}"), QStringLiteral("application/json"),
            QStringLiteral("bad-json")));
        payloads.push_back(
            payloadOf(QByteArrayLiteral("hello"), QStringLiteral("text/plain"), QStringLiteral("bad-type")));
        QString error;
        QVERIFY2(m_store->enqueue(payloads, &error), qPrintable(error));

        IngestCoordinator::Options options = fastOptions();
        options.maxDecodeAttempts = 3;
        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), options);
        QCOMPARE(coordinator.processOnce(), 4);
        QCOMPARE(coordinator.counters().requestsCompleted, qint64(1)); // the good one is not held up
        std::vector<QueueRow> rows = queueRows();
        QCOMPARE(rows.size(), std::size_t(3));
        QVERIFY2(rows[0].lastError.startsWith(QLatin1String("undecodable request: ")), qPrintable(rows[0].lastError));
        QVERIFY2(rows[1].lastError.contains(QLatin1String("resourceSpans")), qPrintable(rows[1].lastError));
        QVERIFY2(rows[2].lastError.contains(QLatin1String("text/plain")), qPrintable(rows[2].lastError));
        for (const QueueRow& row : rows) {
            QCOMPARE(row.attempts, 1);
            QVERIFY(row.due);
        }
        QCOMPARE(coordinator.processOnce(), 3);
        QCOMPARE(coordinator.processOnce(), 3); // third failure: parked
        rows = queueRows();
        QCOMPARE(rows.size(), std::size_t(3));
        for (const QueueRow& row : rows) {
            QCOMPARE(row.attempts, 3);
            QVERIFY(!row.due);
            QVERIFY2(row.lastError.startsWith(QLatin1String("parked after 3 failed decodes: undecodable request: ")),
                qPrintable(row.lastError));
        }
        QCOMPARE(coordinator.processOnce(), 0); // left out from now on
        const IngestCoordinator::Counters c = coordinator.counters();
        QCOMPARE(c.poisonRequests, qint64(9));
        QCOMPARE(c.failedAttempts, qint64(9));
        QVERIFY(c.databaseUp);
        QVERIFY(c.blobStoreUp);
        // The raw bytes are still there for an operator.
        const auto body
            = sql("SELECT payload FROM " + quoted() + ".ingestion_queue WHERE id = " + std::to_string(rows[2].id));
        QCOMPARE(QByteArray::fromStdString(pqxx::binarystring(body[0][0]).str()), QByteArrayLiteral("hello"));
        verifyStored({ good[0] });
    }

    void lateRootMovesTheObject()
    {
        const TraceId trace = traceId(0xabc);
        const std::uint64_t day = 86400ULL * 1000000000ULL;
        const std::uint64_t childStart = 1700000000000000000ULL; // 2023-11-14
        const Span child = makeSpan(trace, 2, 1, QStringLiteral("backend"), QStringLiteral("staging"), childStart);
        const Span root = makeSpan(trace, 1, 0, QStringLiteral("frontend"), QStringLiteral("prod"), childStart - day);
        QString error;
        QVERIFY(m_store->enqueue({ payloadOf(OtlpJsonCodec::encodeRequest({ child }, false),
                                     QStringLiteral("application/json"), QStringLiteral("child")) },
            &error));
        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), fastOptions());
        QVERIFY(drain(coordinator));
        const QString first = blobKey(trace);
        QCOMPARE(first, QStringLiteral("staging/backend/2023-11-14/") + trace.toHex() + QStringLiteral(".json.gz"));

        QVERIFY(m_store->enqueue({ payloadOf(OtlpProtobufCodec::encodeRequest({ root }),
                                     QStringLiteral("application/x-protobuf"), QStringLiteral("root")) },
            &error));
        QVERIFY(drain(coordinator));
        const QString second = blobKey(trace);
        QCOMPARE(second, QStringLiteral("prod/frontend/2023-11-13/") + trace.toHex() + QStringLiteral(".json.gz"));
        const std::vector<Span> inObject = sortedById(objectSpans(second, &error));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(inObject.size(), std::size_t(2));
        QVERIFY(spansEqual(inObject[0], root));
        QVERIFY(spansEqual(inObject[1], child));
        // The object at the old key is deleted once the new key is recorded: the bucket holds the trace once.
        error = QStringLiteral("stale");
        QVERIFY(!m_blobs->get(first, &error));
        QCOMPARE(error, QString());
        QStringList keys;
        QVERIFY2(m_blobs->list(QString(), &keys, &error), qPrintable(error));
        QCOMPARE(keys, QStringList { second });

        // A later span that keeps the key rewrites the object in place and deletes nothing.
        const Span late = makeSpan(trace, 3, 1, QStringLiteral("backend"), QStringLiteral("staging"), childStart + 1);
        HookedBlobStore hooked(m_blobs.get());
        IngestCoordinator counting(m_store.get(), &hooked, fastOptions());
        QVERIFY(m_store->enqueue({ payloadOf(OtlpJsonCodec::encodeRequest({ late }, false),
                                     QStringLiteral("application/json"), QStringLiteral("late")) },
            &error));
        QVERIFY(drain(counting));
        QCOMPARE(hooked.removeCalls, 0);
        QCOMPARE(blobKey(trace), second);
        QCOMPARE(objectSpans(second, &error).size(), std::size_t(3));
    }

    // Deleting the stale object fails: logged, and neither the request nor the new key waits for it.
    void staleObjectDeleteFailureCompletesAnyway()
    {
        const TraceId trace = traceId(0xdef);
        const std::uint64_t start = 1700000000000000000ULL;
        const Span child = makeSpan(trace, 2, 1, QStringLiteral("backend"), QStringLiteral("prod"), start);
        const Span root = makeSpan(trace, 1, 0, QStringLiteral("frontend"), QStringLiteral("prod"), start - 1000);
        HookedBlobStore hooked(m_blobs.get());
        hooked.removeError = QStringLiteral("DELETE injected: HTTP 503 SlowDown");
        IngestCoordinator coordinator(m_store.get(), &hooked, fastOptions());
        QString error;
        QVERIFY(m_store->enqueue({ payloadOf(OtlpJsonCodec::encodeRequest({ child }, false),
                                     QStringLiteral("application/json"), QStringLiteral("child")) },
            &error));
        QCOMPARE(coordinator.processOnce(), 1);
        const QString first = blobKey(trace);
        QVERIFY(first.startsWith(QLatin1String("prod/backend/")));

        QVERIFY(m_store->enqueue({ payloadOf(OtlpJsonCodec::encodeRequest({ root }, false),
                                     QStringLiteral("application/json"), QStringLiteral("root")) },
            &error));
        QTest::ignoreMessage(QtWarningMsg,
            QRegularExpression(QStringLiteral("could not delete the stale object ") + QRegularExpression::escape(first)
                + QStringLiteral(".*injected")));
        QCOMPARE(coordinator.processOnce(), 1); // one round: claimed, written, completed
        QCOMPARE(hooked.removeCalls, 1);
        QVERIFY(queueRows().empty());
        const IngestCoordinator::Counters c = coordinator.counters();
        QCOMPARE(c.requestsCompleted, qint64(2));
        QCOMPARE(c.failedAttempts, qint64(0));
        QVERIFY(c.blobStoreUp);
        const QString second = blobKey(trace);
        QVERIFY(second.startsWith(QLatin1String("prod/frontend/")));
        QCOMPARE(objectSpans(second, &error).size(), std::size_t(2));
        QVERIFY(m_blobs->head(first, &error)); // garbage, left behind
    }

    void threadDrainsWhatThePipelineQueues()
    {
        IngestCoordinator coordinator(m_store.get(), m_blobs.get(), fastOptions());
        IngestPipeline pipeline(m_store.get());
        pipeline.setCommitFunction([&](const std::vector<IngestItem>& items) { return coordinator.enqueue(items); });
        pipeline.setStatusFunction([&] { return coordinator.status(); });
        pipeline.start();
        coordinator.start();
        std::vector<RawPayload> payloads;
        QString loadError;
        QVERIFY2(filePayloads(&payloads, &loadError), qPrintable(loadError));
        std::vector<QFuture<WriteResult>> futures;
        for (const RawPayload& p : payloads) {
            IngestItem item;
            item.payload = p;
            item.batch = decodePayload(p).batch;
            auto future = pipeline.submit(std::move(item), p.body.size());
            QVERIFY(future);
            futures.push_back(*future);
        }
        for (auto& f : futures) {
            f.waitForFinished();
            QVERIFY2(f.result().ok, qPrintable(f.result().error));
        }
        qint64 spans = 0;
        for (const RawPayload& p : payloads)
            spans += p.spanCount;
        QCOMPARE(pipeline.spansWritten(), spans); // "written" = queued durably in worker mode
        // The loop drains it without being driven (woken by the enqueue, or its poll).
        QTRY_VERIFY_WITH_TIMEOUT(coordinator.counters().requestsCompleted == qint64(payloads.size()), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(coordinator.counters().queueDepth == 0, 60000);
        const QJsonObject status = pipeline.status();
        QCOMPARE(status.value(QLatin1String("mode")).toString(), QStringLiteral("worker"));
        QCOMPARE(status.value(QLatin1String("requests_completed")).toInteger(), qint64(payloads.size()));
        QCOMPARE(status.value(QLatin1String("database")).toString(), QStringLiteral("up"));
        QCOMPARE(status.value(QLatin1String("blob_store")).toString(), QStringLiteral("up"));
        pipeline.stop();
        coordinator.stop();
        verifyStored(payloads);
    }

    void backoffDoublesUpToItsCap()
    {
        using ms = std::chrono::milliseconds;
        QCOMPARE(IngestCoordinator::backoffFor(0, ms(500), ms(30000)), ms(500));
        QCOMPARE(IngestCoordinator::backoffFor(1, ms(500), ms(30000)), ms(1000));
        QCOMPARE(IngestCoordinator::backoffFor(5, ms(500), ms(30000)), ms(16000));
        QCOMPARE(IngestCoordinator::backoffFor(6, ms(500), ms(30000)), ms(30000));
        QCOMPARE(IngestCoordinator::backoffFor(1000, ms(500), ms(30000)), ms(30000));
        QCOMPARE(IngestCoordinator::backoffFor(3, ms(0), ms(30000)), ms(0));
    }
};

QTEST_GUILESS_MAIN(TestIngestCoordinator)
#include "tst_ingestcoordinator.moc"
