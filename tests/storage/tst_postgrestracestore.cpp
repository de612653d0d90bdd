// PostgresTraceStore against a real PostgreSQL server: SPANSCOPE_TEST_PG_URL (tests/servers/postgres.sh start DIR).
// Each test function works in its own schema (random suffix), dropped in cleanup(), so runs can share a server.
// The JSON encoding tests need no server.

#include "storage/blobstore.h"
#include "storage/postgresjson.h"
#include "storage/postgresmigrations.h"
#include "storage/postgrestracestore.h"
#include "storage/sqlitetracestore.h"

#include "ingest/codec/gzip.h"
#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"

#include "../common/genaisummarycheck.h"
#include "../common/operationstatscheck.h"
#include "../common/spanoutlinecheck.h"
#include "../common/testdata.h"
#include "../common/testlogs.h"
#include "../common/traceorderingcheck.h"
#include "../common/tracetimeseriescheck.h"

#include <QDir>
#include <QFile>
#include <QMutex>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <thread>

namespace {

QString pgUrl() { return qEnvironmentVariable("SPANSCOPE_TEST_PG_URL"); }

#define REQUIRE_PG()                                                                                                   \
    do {                                                                                                               \
        if (pgUrl().isEmpty()) {                                                                                       \
            if (qEnvironmentVariableIsSet("CI"))                                                                       \
                QFAIL("SPANSCOPE_TEST_PG_URL is not set (CI needs PostgreSQL: tests/servers/postgres.sh start DIR)");  \
            QSKIP("SPANSCOPE_TEST_PG_URL is not set (eval \"$(tests/servers/postgres.sh start DIR)\")");      \
        }                                                                                                              \
    } while (false)

// The URL with extra libpq parameters appended (e.g. an application_name to find this store's backends by).
QString withParams(const QString& url, const QString& params)
{
    return url + (url.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) + params;
}

TraceId traceId(int n) { return TraceId::fromHex(QStringLiteral("%1").arg(n, 32, 16, QLatin1Char('0'))); }

// Every message logged while it lives, to check that none names a password.
class LogCapture {
public:
    LogCapture()
    {
        QMutexLocker lock(&s_mutex);
        s_lines.clear();
        m_previous = qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString& message) {
            QMutexLocker lock(&s_mutex);
            s_lines << message;
        });
    }
    ~LogCapture() { qInstallMessageHandler(m_previous); }
    QStringList lines() const
    {
        QMutexLocker lock(&s_mutex);
        return s_lines;
    }

private:
    static inline QMutex s_mutex;
    static inline QStringList s_lines;
    QtMessageHandler m_previous = nullptr;
};

// SPANSCOPE_TEST_PG_URL as a libpq keyword/value string; the password quoted the way libpq reads it.
QString keywordString(const QUrl& url, const QString& password)
{
    QString quoted = password;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    quoted.replace(QLatin1Char('\''), QStringLiteral("\\'"));
    return QStringLiteral("host=%1 port=%2 user=%3 password='%4' dbname=%5")
        .arg(url.host(), QString::number(url.port(5432)), url.userName(), quoted, url.path().mid(1));
}

SpanId spanId(int n) { return SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0'))); }

std::shared_ptr<const Resource> resource(const QString& service, const Attributes& extra = {})
{
    auto r = std::make_shared<Resource>();
    r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(service) },
        { QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("box")) } };
    r->attributes.insert(r->attributes.end(), extra.begin(), extra.end());
    return r;
}

std::shared_ptr<const InstrumentationScope> scope(const QString& name)
{
    auto s = std::make_shared<InstrumentationScope>();
    s->name = name;
    s->version = QStringLiteral("1.0");
    return s;
}

// "a\0b": U+0000, which PostgreSQL text cannot hold.
QString withNul(QStringView a, QStringView b) { return a.toString() + QChar(0) + b.toString(); }

Span makeSpan(const TraceId& trace, int id, int parent, const QString& name, const QString& service,
    std::uint64_t start, std::uint64_t end)
{
    Span s;
    s.traceId = trace;
    s.spanId = spanId(id);
    if (parent)
        s.parentSpanId = spanId(parent);
    s.name = name;
    s.kind = SpanKind::Server;
    s.startTimeUnixNano = start;
    s.endTimeUnixNano = end;
    s.resource = resource(service);
    s.scope = scope(QStringLiteral("tests"));
    return s;
}

std::vector<IngestItem> items(std::vector<Span> spans)
{
    IngestItem it;
    it.batch.spans = std::move(spans);
    std::vector<IngestItem> v;
    v.push_back(std::move(it));
    return v;
}

AnyValue array(std::vector<AnyValue> values)
{
    AnyValue v;
    v.type = AnyValue::Type::Array;
    v.arrayValue = std::move(values);
    return v;
}

AnyValue map(std::vector<KeyValue> values)
{
    AnyValue v;
    v.type = AnyValue::Type::Map;
    v.mapValue = std::move(values);
    return v;
}

// Every AnyValue type and the awkward corners of each.
Attributes everyType()
{
    const AnyValue nestedMap = map({ { QStringLiteral("zeta"), AnyValue::fromBytes(QByteArray("\0\1\2", 3)) },
        { QStringLiteral("d"), AnyValue::fromDouble(1e-300) },
        { QStringLiteral("alpha"), AnyValue::fromString(QStringLiteral("a")) } });
    return {
        { QStringLiteral("str"),
            AnyValue::fromString(QStringLiteral("Grüße \U0001F600 \"quoted\" back\\slash\ttab\nnl")) },
        { QStringLiteral("bool"), AnyValue::fromBool(true) },
        { QStringLiteral("false"), AnyValue::fromBool(false) },
        { QStringLiteral("int"), AnyValue::fromInt(-9007199254740993LL) },
        { QStringLiteral("int.max"), AnyValue::fromInt(std::numeric_limits<std::int64_t>::max()) },
        { QStringLiteral("int.min"), AnyValue::fromInt(std::numeric_limits<std::int64_t>::min()) },
        { QStringLiteral("double"), AnyValue::fromDouble(2.0) },
        { QStringLiteral("double.tenth"), AnyValue::fromDouble(0.1) },
        { QStringLiteral("double.big"), AnyValue::fromDouble(1e20) },
        { QStringLiteral("double.max"), AnyValue::fromDouble(std::numeric_limits<double>::max()) },
        { QStringLiteral("double.tiny"), AnyValue::fromDouble(std::numeric_limits<double>::denorm_min()) },
        { QStringLiteral("double.neg"), AnyValue::fromDouble(-123.456e-7) },
        { QStringLiteral("nan"), AnyValue::fromDouble(std::nan("")) },
        { QStringLiteral("inf"), AnyValue::fromDouble(-std::numeric_limits<double>::infinity()) },
        { QStringLiteral("bytes"), AnyValue::fromBytes(QByteArray(17, '\xfe')) },
        { QStringLiteral("array"),
            array({ array({ AnyValue::fromInt(-5), AnyValue::fromString(QStringLiteral("x")), nestedMap }),
                AnyValue() }) },
        { QStringLiteral("map"), nestedMap },
        { QStringLiteral("empty"), AnyValue() },
        { withNul(u"nul", u"key"), AnyValue::fromString(withNul(u"nul", u"value")) },
        { QString(), AnyValue::fromString(QStringLiteral("empty key")) },
        { QStringLiteral("str"), AnyValue::fromString(QStringLiteral("duplicate key: the last value wins")) },
    };
}

// --- what the JSON columns keep (docs/storage.md): the expected read-back of a written span ---------------------

QString storedText(QString s) { return s.replace(QChar(0), QChar(0xfffd)); }

std::string sortKey(const QString& key) { return storedText(key).toStdString(); }

AnyValue stored(const AnyValue& v);

Attributes storedAttributes(const Attributes& in, bool sorted)
{
    Attributes out;
    for (const KeyValue& kv : in) {
        const QString key = storedText(kv.key);
        auto it = std::find_if(out.begin(), out.end(), [&key](const KeyValue& o) { return o.key == key; });
        if (it == out.end())
            out.push_back({ key, stored(kv.value) });
        else
            it->value = stored(kv.value); // JSON objects keep the last value of a key
    }
    if (sorted)
        std::stable_sort(out.begin(), out.end(), [](const KeyValue& a, const KeyValue& b) {
            return PostgresJson::sortedKeyLess(sortKey(a.key), sortKey(b.key));
        });
    return out;
}

AnyValue stored(const AnyValue& v)
{
    switch (v.type) {
    case AnyValue::Type::String:
        return AnyValue::fromString(storedText(v.stringValue));
    case AnyValue::Type::Bytes:
        return AnyValue::fromString(QString::fromLatin1(v.bytesValue.toBase64()));
    case AnyValue::Type::Double:
        if (std::isnan(v.doubleValue))
            return AnyValue::fromString(QStringLiteral("NaN"));
        if (std::isinf(v.doubleValue))
            return AnyValue::fromString(v.doubleValue > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity"));
        return v;
    case AnyValue::Type::Array: {
        AnyValue out = v;
        for (AnyValue& item : out.arrayValue)
            item = stored(item);
        return out;
    }
    case AnyValue::Type::Map: {
        AnyValue out = v;
        out.mapValue = storedAttributes(v.mapValue, true); // nested maps come back sorted
        return out;
    }
    default:
        return v;
    }
}

Span storedSpan(Span s)
{
    s.name = storedText(s.name);
    s.statusMessage = storedText(s.statusMessage);
    s.traceState = storedText(s.traceState);
    s.attributes = storedAttributes(s.attributes, false);
    for (SpanEvent& e : s.events) {
        e.name = storedText(e.name);
        e.attributes = storedAttributes(e.attributes, false);
    }
    for (SpanLink& l : s.links) {
        l.traceState = storedText(l.traceState);
        l.attributes = storedAttributes(l.attributes, false);
    }
    if (s.resource) {
        auto r = std::make_shared<Resource>(*s.resource);
        r->attributes = storedAttributes(r->attributes, false);
        r->schemaUrl = storedText(r->schemaUrl);
        s.resource = r;
    }
    if (s.scope) {
        auto sc = std::make_shared<InstrumentationScope>(*s.scope);
        sc->name = storedText(sc->name);
        sc->version = storedText(sc->version);
        sc->attributes = storedAttributes(sc->attributes, false);
        sc->schemaUrl = storedText(sc->schemaUrl);
        s.scope = sc;
    }
    return s;
}

QString describeValue(const AnyValue& v) { return v.typeName() + QLatin1Char(':') + v.toDisplayString(); }

// A readable difference for a failed comparison.
QString spanDifference(const Span& a, const Span& b)
{
    if (a.attributes.size() != b.attributes.size())
        return QStringLiteral("attribute count %1 vs %2").arg(a.attributes.size()).arg(b.attributes.size());
    for (std::size_t i = 0; i < a.attributes.size(); ++i)
        if (a.attributes[i] != b.attributes[i])
            return QStringLiteral("attribute %1: %2=%3 vs %4=%5")
                .arg(i)
                .arg(a.attributes[i].key, describeValue(a.attributes[i].value), b.attributes[i].key,
                    describeValue(b.attributes[i].value));
    if (!(a.events == b.events))
        return QStringLiteral("events differ");
    if (!(a.links == b.links))
        return QStringLiteral("links differ");
    if (!((a.resource ? *a.resource : Resource()) == (b.resource ? *b.resource : Resource())))
        return QStringLiteral("resource differs");
    if (!((a.scope ? *a.scope : InstrumentationScope()) == (b.scope ? *b.scope : InstrumentationScope())))
        return QStringLiteral("scope differs");
    return QStringLiteral("%1 vs %2 (name, times, status, ids or counts)").arg(a.name, b.name);
}

/// A BlobStore in memory, for the raw object calls.
class MemoryBlobStore final : public BlobStore {
public:
    QString description() const override { return QStringLiteral("s3://test-bucket @ memory"); }
    bool put(const QString& key, const QByteArray& data, const QString&, QString*) override
    {
        QMutexLocker lock(&m_mutex);
        m_objects[key] = data;
        return true;
    }
    std::optional<QByteArray> get(const QString& key, QString* error) override
    {
        QMutexLocker lock(&m_mutex);
        if (error)
            error->clear();
        const auto it = m_objects.find(key);
        if (it == m_objects.end())
            return std::nullopt;
        return it->second;
    }
    std::optional<BlobInfo> head(const QString& key, QString* error) override
    {
        const auto data = get(key, error);
        if (!data)
            return std::nullopt;
        BlobInfo info;
        info.size = data->size();
        return info;
    }
    bool list(const QString& prefix, QStringList* keys, QString*) override
    {
        QMutexLocker lock(&m_mutex);
        keys->clear();
        for (const auto& [key, data] : m_objects)
            if (key.startsWith(prefix))
                keys->append(key);
        return true;
    }
    bool remove(const QString& key, QString*) override
    {
        QMutexLocker lock(&m_mutex);
        m_objects.erase(key);
        return true;
    }

private:
    QMutex m_mutex;
    std::map<QString, QByteArray> m_objects;
};

// A trace file as store items: one per request (one per line for JSON Lines).
bool fileItems(const QString& path, std::vector<IngestItem>* out, QString* error)
{
    QByteArray content;
    if (!TestData::read(path, &content, error))
        return false;
    QList<QByteArray> requests;
    if (path.endsWith(QLatin1String(".jsonl"))) {
        for (const QByteArray& line : content.split('\n'))
            if (!line.trimmed().isEmpty())
                requests.append(line);
    } else {
        requests.append(content);
    }
    for (const QByteArray& body : requests) {
        const bool protobuf = path.endsWith(QLatin1String(".pb"));
        DecodeResult decoded = protobuf ? OtlpProtobufCodec::decodeRequest(body) : OtlpJsonCodec::decodeRequest(body);
        if (!decoded.ok) {
            *error = decoded.error;
            return false;
        }
        IngestItem item;
        item.batch = std::move(decoded.batch);
        item.payload.body = body;
        item.payload.contentType
            = protobuf ? QStringLiteral("application/x-protobuf") : QStringLiteral("application/json");
        out->push_back(std::move(item));
    }
    return true;
}

} // namespace

class TestPostgresTraceStore : public QObject {
    Q_OBJECT

private:
    QString m_schema; // this test function's schema
    QStringList m_extraSchemas;

    QString newSchemaName(const QString& tag)
    {
        return QStringLiteral("tst_%1_%2")
            .arg(tag)
            .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    }

    std::unique_ptr<PostgresTraceStore> openStore(const QString& url = QString(), BlobStore* blobs = nullptr)
    {
        auto store = std::make_unique<PostgresTraceStore>(url.isEmpty() ? pgUrl() : url, m_schema, blobs);
        QString error;
        if (!store->open(&error)) {
            qWarning().noquote() << error;
            return nullptr;
        }
        return store;
    }

    // One value from the database (as text), for checks below the store's API.
    static QString scalar(const std::string& sql)
    {
        pqxx::connection c(pgUrl().toStdString());
        pqxx::nontransaction tx(c);
        const pqxx::result r = tx.exec(sql);
        return r.empty() || r[0][0].is_null() ? QString() : QString::fromStdString(r[0][0].c_str());
    }
    std::string table(const char* name) const { return '"' + m_schema.toStdString() + "\"." + name; }

private Q_SLOTS:
    void init()
    {
        m_schema = newSchemaName(QString::fromLatin1(QTest::currentTestFunction()).toLower().left(40));
        m_extraSchemas.clear();
    }

    void cleanup()
    {
        if (pgUrl().isEmpty())
            return;
        try {
            pqxx::connection c(pgUrl().toStdString());
            pqxx::nontransaction tx(c);
            const QStringList schemas = QStringList(m_extraSchemas) << m_schema;
            for (const QString& schema : schemas)
                tx.exec0("DROP SCHEMA IF EXISTS \"" + schema.toStdString() + "\" CASCADE");
        } catch (const std::exception& e) {
            qWarning() << "cannot drop the test schema:" << e.what();
        }
    }

    // --- no server needed ---------------------------------------------------------------------------------------

    void jsonDoubles_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("json");
        QTest::newRow("two") << 2.0 << QStringLiteral("2.0");
        QTest::newRow("tenth") << 0.1 << QStringLiteral("0.1");
        QTest::newRow("negative") << -2.5 << QStringLiteral("-2.5");
        QTest::newRow("1e20") << 1e20 << QStringLiteral("100000000000000000000.0");
        QTest::newRow("1e-7") << 1e-7 << QStringLiteral("0.0000001");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0.0");
        QTest::newRow("minus zero") << -0.0 << QStringLiteral("0.0");
        QTest::newRow("NaN") << std::nan("") << QStringLiteral("\"NaN\"");
        QTest::newRow("inf") << std::numeric_limits<double>::infinity() << QStringLiteral("\"Infinity\"");
        QTest::newRow("-inf") << -std::numeric_limits<double>::infinity() << QStringLiteral("\"-Infinity\"");
    }
    void jsonDoubles()
    {
        QFETCH(double, value);
        QFETCH(QString, json);
        std::string out;
        PostgresJson::appendDouble(out, value);
        QCOMPARE(QString::fromStdString(out), json);
    }

    void jsonRoundTripWithoutServer()
    {
        // As PostgreSQL prints JSONB: keys sorted by length then bytes, ", " and ": " separators.
        const Attributes attributes = everyType();
        std::string json;
        PostgresJson::appendAttributes(json, attributes);
        Attributes back;
        QVERIFY(PostgresJson::parseAttributes(json, PostgresJson::keyOrder(attributes), &back));
        const Attributes expected = storedAttributes(attributes, false);
        QCOMPARE(back.size(), expected.size());
        for (std::size_t i = 0; i < back.size(); ++i)
            QVERIFY2(back[i] == expected[i], qPrintable(back[i].key + QLatin1String(" / ") + expected[i].key));

        // Without the order, sorted; a wrong order is ignored rather than trusted.
        QVERIFY(PostgresJson::parseAttributes(json, {}, &back));
        QCOMPARE(back, storedAttributes(attributes, true));
        QVERIFY(PostgresJson::parseAttributes(json, { 0, 0, 1 }, &back));
        QCOMPARE(back, storedAttributes(attributes, true));

        // Already in JSONB's order: no order is kept.
        QVERIFY(PostgresJson::keyOrder({ { QStringLiteral("b"), AnyValue() }, { QStringLiteral("aa"), AnyValue() } })
                    .empty());
        QCOMPARE(PostgresJson::keyOrder({ { QStringLiteral("aa"), AnyValue() }, { QStringLiteral("b"), AnyValue() } }),
            std::vector<int>({ 1, 0 }));

        // Malformed input is refused, not a crash.
        for (const char* bad : { "", "{", "{\"a\": }", "{\"a\": 1,}", "[1, 2", "{\"a\": \"\\ud800\"}", "{\"a\": 1} x",
                 "{\"a\": tru}", "{\"a\": 1e}", "nul" })
            QVERIFY2(!PostgresJson::parseAttributes(bad, {}, &back), bad);
        std::string deep(100000, '[');
        QVERIFY(!PostgresJson::parseAttributes(deep, {}, &back));
        std::vector<SpanEvent> events;
        QVERIFY(!PostgresJson::parseEvents("[{\"name\": 5}]", &events));
        std::vector<SpanLink> links;
        QVERIFY(!PostgresJson::parseLinks("[{\"trace_id\": \"xyz\", \"span_id\": \"0000000000000001\"}]", &links));
    }

    // Connection strings libpq refuses or cannot reach (port 1): the error, the description and the log name no
    // password, also where libpq's own message echoes a piece of the connection string (issue 8 section 5).
    void connectionErrorsNameNoPassword_data()
    {
        QTest::addColumn<QString>("connection");
        QTest::addColumn<bool>("wellFormed"); // what --store takes for PostgreSQL
        QTest::newRow("bad percent-encoding") << QStringLiteral("postgresql://u:%zzLeakyPass1@127.0.0.1:1/db") << true;
        QTest::newRow("keywords, refused")
            << QStringLiteral("host=127.0.0.1 port=1 user=u password='Leaky Pass\\'2' dbname=x") << true;
        QTest::newRow("keywords, unterminated quote")
            << QStringLiteral("host=127.0.0.1 port=1 user=u password='LeakyPass3") << false;
        QTest::newRow("keywords, unknown option")
            << QStringLiteral("host=127.0.0.1 port=1 password=LeakyPass4 bogus=1") << false;
        QTest::newRow("uri, password parameter")
            << QStringLiteral("postgresql://u:LeakyPass5@127.0.0.1:1/db?password=LeakyPass6&bogus=1") << true;
        QTest::newRow("uri, refused") << QStringLiteral("postgresql://u:LeakyPass7@127.0.0.1:1/db") << true;
    }

    void connectionErrorsNameNoPassword()
    {
        QFETCH(QString, connection);
        QFETCH(bool, wellFormed);
        QCOMPARE(PostgresTraceStore::isConnectionString(connection), wellFormed);
        LogCapture log;
        PostgresTraceStore store(connection, QStringLiteral("otel"));
        QString openError;
        QVERIFY(!store.open(&openError));
        QString migrateError;
        QVERIFY(!PostgresTraceStore::migrate(connection, QStringLiteral("otel"), nullptr, nullptr, &migrateError));
        QString queryError;
        store.spanCount(&queryError);
        const QStringList texts
            = QStringList { openError, migrateError, queryError, store.description() } + log.lines();
        for (const QString& text : texts)
            QVERIFY2(!text.contains(QLatin1String("Leaky")), qPrintable(text));
        QVERIFY2(openError.startsWith(QLatin1String("cannot open trace store")), qPrintable(openError));
        QCOMPARE(store.kind(), QStringLiteral("postgresql"));
    }

    void schemaNames()
    {
        QVERIFY(PostgresTraceStore::isValidSchemaName(QStringLiteral("otel")));
        QVERIFY(PostgresTraceStore::isValidSchemaName(QStringLiteral("Team_2")));
        QVERIFY(PostgresTraceStore::isValidSchemaName(QString(63, QLatin1Char('a'))));
        for (const char* bad : { "", "1abc", "a-b", "a b", "pg_catalog", "otel\"; DROP TABLE x; --", "é" })
            QVERIFY2(!PostgresTraceStore::isValidSchemaName(QString::fromUtf8(bad)), bad);
        QVERIFY(!PostgresTraceStore::isValidSchemaName(QString(64, QLatin1Char('a'))));

        qunsetenv("OTEL_DB_SCHEMA");
        QCOMPARE(PostgresTraceStore::defaultSchema(), QStringLiteral("otel"));
        qputenv("OTEL_DB_SCHEMA", "team");
        QCOMPARE(PostgresTraceStore::defaultSchema(), QStringLiteral("team"));
        qunsetenv("OTEL_DB_SCHEMA");

        QVERIFY(PostgresTraceStore::isConnectionUri(QStringLiteral("postgresql://h/db")));
        QVERIFY(PostgresTraceStore::isConnectionUri(QStringLiteral("postgres://h/db")));
        QVERIFY(!PostgresTraceStore::isConnectionUri(QStringLiteral("sqlite:traces/x.db")));

        // Not even opened: an invalid name is an error from open(), and calls before open() fail cleanly.
        PostgresTraceStore store(QStringLiteral("postgresql://127.0.0.1:1/none"), QStringLiteral("pg_bad"));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QLatin1String("not a valid schema name")), qPrintable(error));
        QVERIFY(store.listTraces(TraceQuery(), &error).empty());
        QVERIFY2(error.contains(QLatin1String("not open")), qPrintable(error));
        QVERIFY(!store.write(items({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2) })).ok);
        QCOMPARE(store.queueDepth(&error), qint64(-1));
    }

    // --- migrations ---------------------------------------------------------------------------------------------

    void migrations()
    {
        REQUIRE_PG();
        // The schema name has capitals: it is quoted everywhere.
        m_schema = newSchemaName(QStringLiteral("Mixed"));
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(store->schemaVersion(), PostgresTraceStore::latestSchemaVersion());
        QVERIFY(store->description().contains(QLatin1String(" schema ") + m_schema));
        QVERIFY2(!store->description().contains(QLatin1String(":spanscope@")), qPrintable(store->description()));
        QCOMPARE(scalar("SELECT count(*) FROM " + table("schema_migrations")),
            QString::number(PostgresTraceStore::latestSchemaVersion()));
        const QString appliedAt
            = scalar("SELECT applied_at::text FROM " + table("schema_migrations") + " WHERE version = 1");
        for (const char* t : { "traces", "spans", "ingestion_queue" })
            QCOMPARE(scalar("SELECT to_regclass('" + table(t) + "') IS NOT NULL"), QStringLiteral("t"));

        // A second open and `spanscope migrate` change nothing.
        auto again = openStore();
        QVERIFY(again);
        int from = -1, to = -1;
        QString error;
        QVERIFY2(PostgresTraceStore::migrate(pgUrl(), m_schema, &from, &to, &error), qPrintable(error));
        QCOMPARE(from, PostgresTraceStore::latestSchemaVersion());
        QCOMPARE(to, PostgresTraceStore::latestSchemaVersion());
        QCOMPARE(
            scalar("SELECT applied_at::text FROM " + table("schema_migrations") + " WHERE version = 1"), appliedAt);
        QCOMPARE(scalar("SELECT count(*) FROM " + table("schema_migrations")),
            QString::number(PostgresTraceStore::latestSchemaVersion()));

        // `spanscope migrate` on a new schema reports 0 -> latest.
        const QString other = newSchemaName(QStringLiteral("cli"));
        m_extraSchemas << other;
        QVERIFY2(PostgresTraceStore::migrate(pgUrl(), other, &from, &to, &error), qPrintable(error));
        QCOMPARE(from, 0);
        QCOMPARE(to, PostgresTraceStore::latestSchemaVersion());

        // A schema from a newer Spanscope is refused, and left alone.
        scalar("INSERT INTO " + table("schema_migrations") + " (version) VALUES (999) RETURNING version");
        PostgresTraceStore newer(pgUrl(), m_schema);
        QVERIFY(!newer.open(&error));
        QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
        QVERIFY(!PostgresTraceStore::migrate(pgUrl(), m_schema, &from, &to, &error));
        QCOMPARE(from, 999);
    }

    void concurrentFirstOpen()
    {
        REQUIRE_PG();
        // Several processes starting at once on an empty database: the advisory lock lets one migrate.
        constexpr int Openers = 4;
        std::atomic<int> opened { 0 };
        std::vector<std::thread> threads;
        threads.reserve(Openers);
        QStringList errors;
        QMutex errorsMutex;
        for (int i = 0; i < Openers; ++i)
            threads.emplace_back([&] {
                PostgresTraceStore store(pgUrl(), m_schema);
                QString error;
                if (store.open(&error)) {
                    ++opened;
                } else {
                    QMutexLocker lock(&errorsMutex);
                    errors << error;
                }
            });
        for (std::thread& t : threads)
            t.join();
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
        QCOMPARE(opened.load(), Openers);
        QCOMPARE(scalar("SELECT count(*) FROM " + table("schema_migrations")),
            QString::number(PostgresTraceStore::latestSchemaVersion()));
    }

    // --- writing and reading back -------------------------------------------------------------------------------

    void writeReadBackEveryField()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);

        auto res = std::make_shared<Resource>();
        res->attributes = everyType();
        res->attributes.insert(res->attributes.begin(),
            { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("checkout")) });
        res->droppedAttributesCount = 3;
        res->schemaUrl = QStringLiteral("https://opentelemetry.io/schemas/1.24.0");
        auto sc = std::make_shared<InstrumentationScope>();
        sc->name = QStringLiteral("io.opentelemetry.contrib");
        sc->version = QStringLiteral("2.1");
        sc->attributes
            = { { QStringLiteral("z"), AnyValue::fromInt(1) }, { QStringLiteral("a"), AnyValue::fromInt(2) } };
        sc->droppedAttributesCount = 1;
        sc->schemaUrl = QStringLiteral("https://example/scope");

        Span full = makeSpan(
            traceId(7), 1, 0, withNul(u"GET /cart", u"x"), QString(), 1700000000123456789ull, 1700000000987654321ull);
        full.resource = res;
        full.scope = sc;
        full.kind = SpanKind::Consumer;
        full.traceState = QStringLiteral("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
        full.flags = 0x301;
        full.attributes = everyType();
        full.droppedAttributesCount = 4294967295u;
        full.statusCode = StatusCode::Error;
        full.statusMessage = QStringLiteral("boom \"quoted\"");
        SpanEvent e1;
        e1.timeUnixNano = 18446744073709551615ull; // the largest uint64
        e1.name = QStringLiteral("exception");
        e1.attributes = { { QStringLiteral("exception.type"), AnyValue::fromString(QStringLiteral("E")) },
            { QStringLiteral("b"), AnyValue::fromDouble(1.5) } };
        e1.droppedAttributesCount = 2;
        SpanEvent e2;
        e2.timeUnixNano = 1;
        full.events = { e1, e2 };
        full.droppedEventsCount = 5;
        SpanLink l1;
        l1.traceId = traceId(99);
        l1.spanId = spanId(98);
        l1.traceState = QStringLiteral("k=v");
        l1.flags = 1;
        l1.attributes = { { QStringLiteral("link.kind"), AnyValue::fromString(QStringLiteral("follows")) } };
        l1.droppedAttributesCount = 7;
        SpanLink l2; // all-zero ids, as a decoder may pass them through
        full.links = { l1, l2 };
        full.droppedLinksCount = 6;

        Span bare; // no resource, no scope, nothing set but the ids
        bare.traceId = traceId(7);
        bare.spanId = spanId(2);
        bare.parentSpanId = spanId(1);
        bare.startTimeUnixNano = 18446744073709551615ull; // beyond timestamptz: clamped there, exact in the ns column

        Span emptyScope = makeSpan(traceId(7), 3, 1, QString(), QString(), 5, 4); // ends before it starts
        emptyScope.resource = std::make_shared<Resource>();
        emptyScope.scope = std::make_shared<InstrumentationScope>();

        const WriteResult written = store->write(items({ full, bare, emptyScope }));
        QVERIFY2(written.ok, qPrintable(written.error));
        QCOMPARE(written.spansWritten, qint64(3));
        QCOMPARE(written.changedTraces, std::vector<TraceId>({ traceId(7) }));

        QString error;
        std::vector<Span> back = store->traceSpans(traceId(7), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // Start order as stored: signed 64-bit ns, so a start past 2262 (>= 2^63 ns) sorts first.
        QCOMPARE(back.size(), std::size_t(3));
        QCOMPARE(back[0].spanId, bare.spanId);
        QCOMPARE(back[1].spanId, emptyScope.spanId);
        QCOMPARE(back[2].spanId, full.spanId);
        const std::vector<Span> expected = { storedSpan(bare), storedSpan(emptyScope), storedSpan(full) };
        for (std::size_t i = 0; i < back.size(); ++i)
            QVERIFY2(spansEqual(back[i], expected[i]), qPrintable(spanDifference(back[i], expected[i])));
        QVERIFY(!back[0].resource); // "no resource" stays no resource
        QVERIFY(back[1].resource && back[1].scope);
        QCOMPARE(back[2].name, QStringLiteral("GET /cart\uFFFDx"));

        // What SQL users see.
        const std::string span1 = " FROM " + table("spans") + " WHERE span_id = '0000000000000001'";
        QCOMPARE(scalar("SELECT attributes->>'double.tenth'" + span1), QStringLiteral("0.1"));
        QCOMPARE(scalar("SELECT jsonb_typeof(attributes->'int')" + span1), QStringLiteral("number"));
        QCOMPARE(scalar("SELECT attributes->>'int.max'" + span1), QStringLiteral("9223372036854775807"));
        QCOMPARE(scalar("SELECT attributes->'array'->0->>1" + span1), QStringLiteral("x"));
        QCOMPARE(scalar("SELECT resource_attributes->>'service.name'" + span1), QStringLiteral("checkout"));
        QCOMPARE(scalar("SELECT service_name" + span1), QStringLiteral("checkout"));
        QCOMPARE(scalar("SELECT start_time::text" + span1), QStringLiteral("2023-11-14 22:13:20.123456+00"));
        QCOMPARE(scalar("SELECT duration_ms" + span1), QStringLiteral("864.197532"));
        QCOMPARE(scalar("SELECT events->0->>'name'" + span1), QStringLiteral("exception"));
        QCOMPARE(scalar("SELECT links->0->>'trace_id'" + span1), traceId(99).toHex());
        QCOMPARE(scalar("SELECT parent_span_id FROM " + table("spans") + " WHERE span_id = '0000000000000002'"),
            spanId(1).toHex());
    }

    void fixtures_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* f : { "otlp-json/checkout-single-span.json", "otlp-json/payments-two-traces.json",
                 "otlp-json/storefront-multi-resource.json", "otlp-json/checkout-fanout.json",
                 "otlp-json/trip-planner-agent.json", "otlp-json-protomapping/shop-grpc.jsonl",
                 "otlp-protobuf/shop-grpc.pb" })
            QTest::newRow(f) << QString::fromLatin1(f);
        for (const char* f : { "otlp-json/spec-example.json", "otlp-json/jaeger-otel-traces-01.json",
                 "otlp-json/node-sdk-multi-resource.json", "otlp-json/hotrod-n-plus-one-concurrent.json",
                 "otlp-json/genai-agent-trace.json", "otlp-json-protomapping/otlp2parquet-traces.jsonl",
                 "otlp-protobuf/otlp2parquet-traces.pb" })
            QTest::newRow(qPrintable(QString(QStringLiteral("conformance: ") + QLatin1String(f))))
                << TestData::conformanceFile(f);
    }
    void fixtures()
    {
        QFETCH(QString, file);
        SPANSCOPE_TEST_FILE(path, file);
        REQUIRE_PG();
        std::vector<IngestItem> input;
        QString error;
        QVERIFY2(fileItems(path, &input, &error), qPrintable(error));
        auto store = openStore();
        QVERIFY(store);
        const WriteResult written = store->write(input);
        QVERIFY2(written.ok, qPrintable(written.error));

        // The same items in the SQLite store: both must agree on every summary, and on every span up to what
        // the JSON columns cannot carry.
        QTemporaryDir dir;
        SqliteTraceStore sqlite(dir.filePath(QStringLiteral("x.db")));
        QVERIFY(sqlite.open(&error));
        QVERIFY(sqlite.write(input).ok);

        TraceQuery all;
        all.limit = 1000;
        const std::vector<TraceSummary> pg = store->listTraces(all, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::vector<TraceSummary> reference = sqlite.listTraces(all);
        QCOMPARE(pg.size(), reference.size());
        QCOMPARE(std::size_t(written.changedTraces.size()), reference.size());
        for (std::size_t i = 0; i < pg.size(); ++i) {
            const TraceSummary& a = pg[i];
            const TraceSummary& b = reference[i];
            QCOMPARE(a.traceId, b.traceId);
            QCOMPARE(a.rootServiceName, b.rootServiceName);
            QCOMPARE(a.rootSpanName, b.rootSpanName);
            QCOMPARE(a.startTimeUnixNano, b.startTimeUnixNano);
            QCOMPARE(a.endTimeUnixNano, b.endTimeUnixNano);
            QCOMPARE(a.spanCount, b.spanCount);
            QCOMPARE(a.errorCount, b.errorCount);
            QCOMPARE(a.hasRoot, b.hasRoot);
            QCOMPARE(a.services, b.services);
            QCOMPARE(a.inputTokens, b.inputTokens);
            QCOMPARE(a.outputTokens, b.outputTokens);
            QCOMPARE(a.cachedInputTokens, b.cachedInputTokens);
            QCOMPARE(a.llmCalls, b.llmCalls);
            QCOMPARE(a.toolCalls, b.toolCalls);
            QCOMPARE(a.modelUsage, b.modelUsage);
            QCOMPARE(a.conversationId, b.conversationId);

            std::vector<Span> spans = store->traceSpans(a.traceId, &error);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            std::vector<Span> expected = sqlite.traceSpans(a.traceId);
            for (Span& s : expected)
                s = storedSpan(s);
            QCOMPARE(spans.size(), expected.size());
            for (std::size_t k = 0; k < spans.size(); ++k)
                QVERIFY2(spansEqual(spans[k], expected[k]), qPrintable(spanDifference(spans[k], expected[k])));
        }
        QCOMPARE(store->spanCount(), sqlite.spanCount());
        QCOMPARE(store->services(), sqlite.services());
    }

    // --- summaries ----------------------------------------------------------------------------------------------

    void summaries()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        QString error;

        // A child first: no root yet, the earliest span names the trace.
        Span child = makeSpan(traceId(1), 2, 1, QStringLiteral("db query"), QStringLiteral("db"), 2000, 3000);
        child.statusCode = StatusCode::Error;
        child.attributes = { { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(10) },
            { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(4) } };
        QVERIFY(store->write(items({ child })).ok);
        auto s = store->traceSummary(traceId(1), &error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(s->hasRoot, false);
        QCOMPARE(s->rootSpanName, QStringLiteral("db query"));
        QCOMPARE(s->rootServiceName, QStringLiteral("db"));
        QCOMPARE(s->spanCount, qint64(1));
        QCOMPARE(s->errorCount, qint64(1));

        // The root arrives late, starting earlier, from another service: the summary follows.
        Span root = makeSpan(traceId(1), 1, 0, QStringLiteral("GET /"), QStringLiteral("frontend"), 1000, 5000);
        root.resource = resource(QStringLiteral("frontend"),
            { { QStringLiteral("deployment.environment.name"), AnyValue::fromString(QStringLiteral("prod")) },
                { QStringLiteral("deployment.environment"), AnyValue::fromString(QStringLiteral("old")) } });
        Span llm = makeSpan(traceId(1), 3, 1, QStringLiteral("chat"), QStringLiteral("agent"), 2500, 2600);
        // Tokens count on LLM call spans only: not on the child above, which is none.
        llm.attributes = { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
            { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(100) },
            { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(50) },
            { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(7) } }; // first one counts
        Span doubleTokens = makeSpan(traceId(1), 4, 1, QStringLiteral("odd"), QStringLiteral("agent"), 2700, 2800);
        doubleTokens.attributes = { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
            { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromDouble(5.0) } }; // a whole double counts
        const WriteResult w = store->write(items({ root, llm, doubleTokens }));
        QVERIFY2(w.ok, qPrintable(w.error));
        s = store->traceSummary(traceId(1), &error);
        QVERIFY(s);
        QCOMPARE(s->hasRoot, true);
        QCOMPARE(s->rootSpanName, QStringLiteral("GET /"));
        QCOMPARE(s->rootServiceName, QStringLiteral("frontend"));
        QCOMPARE(s->startTimeUnixNano, std::uint64_t(1000));
        QCOMPARE(s->endTimeUnixNano, std::uint64_t(5000));
        QCOMPARE(s->spanCount, qint64(4));
        QCOMPARE(s->errorCount, qint64(1));
        QCOMPARE(s->inputTokens, qint64(105));
        QCOMPARE(s->outputTokens, qint64(50));
        QCOMPARE(s->llmCalls, qint64(2));
        QCOMPARE(
            s->services, QStringList({ QStringLiteral("agent"), QStringLiteral("db"), QStringLiteral("frontend") }));
        QCOMPARE(scalar("SELECT duration_ms FROM " + table("traces")), QStringLiteral("0.004"));

        // Environment: the root's resource, deployment.environment.name first.
        Span staging = makeSpan(traceId(2), 1, 0, QStringLiteral("job"), QStringLiteral("batch"), 10, 20);
        staging.resource = resource(QStringLiteral("batch"),
            { { QStringLiteral("deployment.environment"), AnyValue::fromString(QStringLiteral("staging")) } });
        Span plain = makeSpan(traceId(3), 1, 0, QStringLiteral("job"), QStringLiteral("batch"), 10, 20);
        // No root: the earliest span's resource.
        Span orphanLate = makeSpan(traceId(4), 2, 1, QStringLiteral("late"), QStringLiteral("x"), 50, 60);
        Span orphanEarly = makeSpan(traceId(4), 3, 1, QStringLiteral("early"), QStringLiteral("x"), 40, 60);
        orphanEarly.resource = resource(QStringLiteral("x"),
            { { QStringLiteral("deployment.environment.name"), AnyValue::fromString(QStringLiteral("dev")) } });
        QVERIFY(store->write(items({ staging, plain, orphanLate, orphanEarly })).ok);
        std::map<TraceId, TraceObjectInfo> info;
        for (const TraceObjectInfo& i :
            store->traceObjectInfo({ traceId(1), traceId(2), traceId(3), traceId(4), traceId(5) }, &error))
            info[i.traceId] = i;
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(info.size(), std::size_t(4)); // trace 5 is unknown
        QCOMPARE(info[traceId(1)].environment, QStringLiteral("prod"));
        QCOMPARE(info[traceId(1)].rootServiceName, QStringLiteral("frontend"));
        QCOMPARE(info[traceId(1)].startTimeUnixNano, std::uint64_t(1000));
        QCOMPARE(info[traceId(2)].environment, QStringLiteral("staging"));
        QCOMPARE(info[traceId(3)].environment, QStringLiteral("default"));
        QCOMPARE(info[traceId(4)].environment, QStringLiteral("dev"));
        QCOMPARE(store->traceSummary(traceId(4))->rootSpanName, QStringLiteral("early"));
        QVERIFY(!store->traceSummary(traceId(5), &error));
        QVERIFY(error.isEmpty());

        // A replaced span (same ids, new content) updates the summary: the error is gone.
        child.statusCode = StatusCode::Ok;
        QVERIFY(store->write(items({ child })).ok);
        QCOMPARE(store->traceSummary(traceId(1))->errorCount, qint64(0));
        QCOMPARE(store->traceSummary(traceId(1))->spanCount, qint64(4));
        QCOMPARE(store->spanCount(), qint64(8));
        QCOMPARE(store->services(),
            QStringList({ QStringLiteral("agent"), QStringLiteral("batch"), QStringLiteral("db"),
                QStringLiteral("frontend"), QStringLiteral("x") }));

        // A span sent twice in one call: the later copy wins.
        Span first = makeSpan(traceId(6), 1, 0, QStringLiteral("first"), QStringLiteral("s"), 1, 2);
        Span second = first;
        second.name = QStringLiteral("second");
        QVERIFY(store->write(items({ first, second })).ok);
        QCOMPARE(store->traceSummary(traceId(6))->rootSpanName, QStringLiteral("second"));
        QCOMPARE(store->traceSummary(traceId(6))->spanCount, qint64(1));

        // An invalid id fails the whole call; nothing of it is stored.
        Span good = makeSpan(traceId(8), 1, 0, QStringLiteral("ok"), QStringLiteral("s"), 1, 2);
        Span bad = makeSpan(TraceId(), 2, 0, QStringLiteral("bad"), QStringLiteral("s"), 1, 2);
        const WriteResult rejected = store->write(items({ good, bad }));
        QVERIFY(!rejected.ok);
        QVERIFY2(rejected.error.contains(QLatin1String("invalid trace id")), qPrintable(rejected.error));
        QVERIFY(!store->traceSummary(traceId(8)));
    }

    void idempotentReingest()
    {
        REQUIRE_PG();
        std::vector<IngestItem> input;
        QString error;
        SPANSCOPE_TEST_FILE(path, QStringLiteral("otlp-json/checkout-fanout.json"));
        QVERIFY2(fileItems(path, &input, &error), qPrintable(error));
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->write(input).ok);
        const auto rows = [this]() -> QString {
            return scalar("SELECT string_agg(trace_id || span_id || xmin::text, ',' ORDER BY span_id) FROM "
                       + table("spans"))
                + QLatin1Char('|')
                + scalar("SELECT string_agg(trace_id || xmin::text || updated_at::text, ',') FROM " + table("traces"));
        };
        const QString before = rows();
        const QString spanRows = scalar("SELECT count(*) FROM " + table("spans"));

        // The same payload again, and again split in two calls: not one row version changes.
        const WriteResult again = store->write(input);
        QVERIFY2(again.ok, qPrintable(again.error));
        QCOMPARE(again.changedTraces.size(), std::size_t(1));
        std::vector<IngestItem> halves(2);
        for (std::size_t i = 0; i < input[0].batch.spans.size(); ++i)
            halves[i % 2].batch.spans.push_back(input[0].batch.spans[i]);
        QVERIFY(store->write({ halves[1] }).ok);
        QVERIFY(store->write({ halves[0] }).ok);
        QCOMPARE(rows(), before);
        QCOMPARE(scalar("SELECT count(*) FROM " + table("spans")), spanRows);

        // One changed attribute: exactly that span gets a new row version.
        Span changed = input[0].batch.spans[5];
        changed.attributes.push_back({ QStringLiteral("late.fix"), AnyValue::fromBool(true) });
        QVERIFY(store->write(items({ changed })).ok);
        const QString after = rows();
        QVERIFY(after != before);
        const QStringList beforeSpans = before.section(QLatin1Char('|'), 0, 0).split(QLatin1Char(','));
        const QStringList afterSpans = after.section(QLatin1Char('|'), 0, 0).split(QLatin1Char(','));
        int differing = 0;
        for (int i = 0; i < beforeSpans.size(); ++i)
            differing += beforeSpans[i] != afterSpans[i];
        QCOMPARE(differing, 1);
        // Its summary did not change (same span count, same everything): the traces row is untouched as well.
        QCOMPARE(after.section(QLatin1Char('|'), 1), before.section(QLatin1Char('|'), 1));

        // An int attribute becoming the double of the same value is a change (JSONB alone would call them equal).
        Span retyped = input[0].batch.spans[6];
        retyped.attributes.push_back({ QStringLiteral("n"), AnyValue::fromInt(1) });
        QVERIFY(store->write(items({ retyped })).ok);
        retyped.attributes.back().value = AnyValue::fromDouble(1.0);
        QVERIFY(store->write(items({ retyped })).ok);
        const std::vector<Span> spans = store->traceSpans(retyped.traceId);
        const auto it
            = std::find_if(spans.begin(), spans.end(), [&](const Span& s) { return s.spanId == retyped.spanId; });
        QVERIFY(it != spans.end());
        QCOMPARE(it->attributes.back().value.type, AnyValue::Type::Double);
    }

    void concurrentWritersOnOneTrace()
    {
        REQUIRE_PG();
        // Two processes' writers add spans to the same traces at the same moment, round after round: after each
        // round every summary must count every span (a summary computed from a snapshot without the other
        // writer's spans would be short).
        auto a = openStore();
        auto b = openStore();
        QVERIFY(a && b);
        constexpr int Rounds = 30;
        constexpr int Traces = 5;
        for (int round = 0; round < Rounds; ++round) {
            std::atomic<int> ready { 0 };
            std::atomic<int> failures { 0 };
            const auto run = [&](PostgresTraceStore* store, int spanBase) {
                std::vector<Span> spans;
                for (int t = 1; t <= Traces; ++t)
                    spans.push_back(makeSpan(traceId(t), spanBase + round, 1, QStringLiteral("s"),
                        QStringLiteral("svc"), std::uint64_t(1000) + std::uint64_t(spanBase + round), 5000));
                ++ready;
                while (ready.load() < 2) { } // start both writes together
                if (!store->write(items(spans)).ok)
                    ++failures;
            };
            std::thread ta(run, a.get(), 100);
            std::thread tb(run, b.get(), 1000);
            ta.join();
            tb.join();
            QCOMPARE(failures.load(), 0);
            for (int t = 1; t <= Traces; ++t) {
                const auto s = a->traceSummary(traceId(t));
                QVERIFY(s);
                QCOMPARE(s->spanCount, qint64(2 * (round + 1)));
                QCOMPARE(s->startTimeUnixNano, std::uint64_t(1100));
            }
        }
    }

    // --- listing ------------------------------------------------------------------------------------------------

    void ordersByEveryKeyWithKeysetPaging()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        const WriteResult written = store->write(items(TraceOrderingCheck::spans()));
        QVERIFY2(written.ok, qPrintable(written.error));
        TraceOrderingCheck::checkEveryOrder(*store);
        if (QTest::currentTestFailed())
            return;

        // The common orders can walk an index (seq scans off: the table is small) in both directions.
        pqxx::connection c(pgUrl().toStdString());
        pqxx::work tx(c);
        tx.exec0("SET LOCAL enable_seqscan = off");
        tx.exec0("SET LOCAL enable_sort = off");
        const std::pair<const char*, const char*> plans[] = {
            { "greatest(t.end_time_unix_nano::numeric - t.start_time_unix_nano, 0)", "traces_duration" },
            { "t.span_count", "traces_span_count" },
            { "t.error_count", "traces_error_count" },
            { "t.start_time_unix_nano", "traces_start" },
        };
        for (const auto& [key, index] : plans) {
            for (const char* direction : { " DESC", " ASC" }) {
                std::string plan;
                for (const pqxx::row& r : tx.exec("EXPLAIN SELECT t.trace_id FROM " + table("traces") + " t ORDER BY "
                         + key + direction + ", t.trace_id" + direction + " LIMIT 10"))
                    plan += r[0].c_str() + std::string("\n");
                QVERIFY2(plan.find(index) != std::string::npos, plan.c_str());
                QVERIFY2(plan.find("Sort") == std::string::npos, plan.c_str());
            }
        }
    }

    void readsSpanOutlinesAndSingleSpans()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        SpanOutlineCheck::writeAndCheck(*store);
    }

    void timeSeriesByOneGroupedQuery()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        const WriteResult written = store->write(items(TraceTimeSeriesCheck::spans()));
        QVERIFY2(written.ok, qPrintable(written.error));
        TraceTimeSeriesCheck::check(*store);
    }

    void operationStatsFromNarrowSpanRows()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        const WriteResult written = store->write(items(OperationStatsCheck::spans()));
        QVERIFY2(written.ok, qPrintable(written.error));
        OperationStatsCheck::check(*store);
        // Chunks of one trace each, and of a few traces: no trace is split, none is lost at a chunk's edge.
        for (const qint64 chunk : { 1, 17 }) {
            store->setStatsChunkSpans(chunk);
            OperationStatsCheck::check(*store);
        }
    }

    void genAiSummaries()
    {
        REQUIRE_PG();
        {
            auto store = openStore();
            QVERIFY(store);
            GenAiSummaryCheck::write(*store);
            if (QTest::currentTestFailed())
                return;
            GenAiSummaryCheck::check(*store);
            if (QTest::currentTestFailed())
                return;
        }
        auto reopened = openStore();
        QVERIFY(reopened);
        GenAiSummaryCheck::check(*reopened);
        if (QTest::currentTestFailed())
            return;
        // The session filter walks its index (seq scans off: the table is small).
        pqxx::connection c(pgUrl().toStdString());
        pqxx::work tx(c);
        tx.exec0("SET LOCAL enable_seqscan = off");
        std::string plan;
        for (const pqxx::row& r : tx.exec("EXPLAIN SELECT t.trace_id FROM " + table("traces")
                 + " t WHERE t.conversation_id = 'conv-a' AND t.conversation_id <> '' ORDER BY t.start_time_unix_nano "
                   "DESC, t.trace_id DESC LIMIT 10"))
            plan += r[0].c_str() + std::string("\n");
        QVERIFY2(plan.find("traces_conversation") != std::string::npos, plan.c_str());
    }

    void migratesVersion5ToGenAiFigures()
    {
        REQUIRE_PG();
        const std::vector<Span> agent = GenAiSummaryCheck::agentTrace();
        {
            auto store = openStore();
            QVERIFY(store);
            QVERIFY(store->write(GenAiSummaryCheck::itemsOf({ agent[0], agent[1] })).ok);
        }
        {
            // Back to version 5, with the figures a version 5 store had summed (every span's gen_ai.usage.*).
            pqxx::connection c(pgUrl().toStdString());
            pqxx::work tx(c);
            for (const char* column : { "genai_role", "cached_input_tokens", "model", "conversation_id" })
                tx.exec0("ALTER TABLE " + table("spans") + " DROP COLUMN " + column);
            for (const char* column : { "llm_calls", "tool_calls", "cached_input_tokens", "model_usage", "conversation_id" })
                tx.exec0("ALTER TABLE " + table("traces") + " DROP COLUMN " + column);
            tx.exec0("UPDATE " + table("traces") + " SET input_tokens = 3000");
            // Version 5 kept the agent span's own count too.
            tx.exec0("UPDATE " + table("spans") + " SET input_tokens = "
                + std::to_string(GenAiSummaryCheck::ChatInput + GenAiSummaryCheck::OiInput + GenAiSummaryCheck::LegacyInput)
                + " WHERE name LIKE 'invoke_agent%'");
            tx.exec0("DELETE FROM " + table("schema_migrations") + " WHERE version >= 6");
            tx.commit();
        }
        QCOMPARE(scalar("SELECT max(version) FROM " + table("schema_migrations")), QStringLiteral("5"));
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(scalar("SELECT max(version) FROM " + table("schema_migrations")), QStringLiteral("6"));
        std::optional<TraceSummary> s = store->traceSummary(agent[0].traceId);
        QVERIFY(s);
        QCOMPARE(s->inputTokens, qint64(3000)); // kept until the trace changes
        QCOMPARE(s->llmCalls, qint64(0));
        // A new span sums the trace again from its spans: the old ones count their old per-span tokens.
        QVERIFY(store->write(GenAiSummaryCheck::itemsOf({ agent[2], agent[3] })).ok);
        s = store->traceSummary(agent[0].traceId);
        QVERIFY(s);
        QCOMPARE(s->llmCalls, qint64(1));
        QCOMPARE(s->toolCalls, qint64(1));
        QCOMPARE(s->inputTokens,
            GenAiSummaryCheck::ChatInput + GenAiSummaryCheck::OiInput + GenAiSummaryCheck::LegacyInput
                + GenAiSummaryCheck::ChatInput + GenAiSummaryCheck::OiInput);
    }

    void pagingAndFilters()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        // 30 traces; pairs share a start time, so the trace id decides their order.
        std::vector<Span> spans;
        for (int i = 1; i <= 30; ++i) {
            const std::uint64_t start = 1'000'000'000ull + std::uint64_t(i / 2) * 1000;
            Span root = makeSpan(traceId(i), 1, 0, QStringLiteral("op %1").arg(i), QStringLiteral("front"), start,
                start + std::uint64_t(i) * 100);
            spans.push_back(root);
        }
        // Trace 3: a second service deeper down; trace 4: an error; trace 5: text in names and attributes.
        spans.push_back(makeSpan(
            traceId(3), 2, 1, QStringLiteral("query"), QStringLiteral("db"), 1'000'001'000ull, 1'000'001'010ull));
        Span error = makeSpan(
            traceId(4), 2, 1, QStringLiteral("fail"), QStringLiteral("front"), 1'000'002'000ull, 1'000'002'010ull);
        error.statusCode = StatusCode::Error;
        spans.push_back(error);
        Span texty = makeSpan(traceId(5), 2, 1, QStringLiteral("Checkout Cart"), QStringLiteral("front"),
            1'000'002'000ull, 1'000'002'010ull);
        texty.attributes = {
            { QStringLiteral("http.url"), AnyValue::fromString(QStringLiteral("https://shop/API/v1/items")) },
            { QStringLiteral("findme.key"), AnyValue::fromInt(12345) },
            { QStringLiteral("nested"),
                array({ AnyValue::fromString(QStringLiteral("alpha")),
                    map({ { QStringLiteral("deep"), AnyValue::fromString(QStringLiteral("The Needle")) } }) }) },
            { QStringLiteral("odd"), AnyValue::fromString(QStringLiteral("100%_sure \"q\" \\ (x)")) },
        };
        spans.push_back(texty);
        Span lookalike = makeSpan(
            traceId(6), 2, 1, QStringLiteral("100xxsure"), QStringLiteral("front"), 1'000'003'000ull, 1'000'003'010ull);
        spans.push_back(lookalike);
        QVERIFY(store->write(items(spans)).ok);

        QString error2;
        TraceQuery all;
        all.limit = 100;
        const std::vector<TraceSummary> full = store->listTraces(all, &error2);
        QVERIFY2(error2.isEmpty(), qPrintable(error2));
        QCOMPARE(full.size(), std::size_t(30));
        for (std::size_t i = 1; i < full.size(); ++i) {
            const bool ordered = full[i - 1].startTimeUnixNano > full[i].startTimeUnixNano
                || (full[i - 1].startTimeUnixNano == full[i].startTimeUnixNano
                    && full[i].traceId < full[i - 1].traceId);
            QVERIFY2(ordered, qPrintable(QString::number(i)));
        }

        // Keyset pages of 7 give the same rows.
        std::vector<TraceSummary> paged;
        TraceQuery page;
        page.limit = 7;
        for (int guard = 0; guard < 10; ++guard) {
            const std::vector<TraceSummary> rows = store->listTraces(page);
            paged.insert(paged.end(), rows.begin(), rows.end());
            if (int(rows.size()) < page.limit)
                break;
            page.setCursor(rows.back());
        }
        QCOMPARE(paged.size(), full.size());
        for (std::size_t i = 0; i < full.size(); ++i)
            QCOMPARE(paged[i].traceId, full[i].traceId);

        // Offset, with and without a cursor.
        TraceQuery offset;
        offset.limit = 4;
        offset.offset = 5;
        std::vector<TraceSummary> rows = store->listTraces(offset);
        QCOMPARE(rows.size(), std::size_t(4));
        QCOMPARE(rows[0].traceId, full[5].traceId);
        QCOMPARE(rows[3].traceId, full[8].traceId);
        offset.setCursor(full[9]);
        offset.offset = 2;
        rows = store->listTraces(offset);
        QCOMPARE(rows.size(), std::size_t(4));
        QCOMPARE(rows[0].traceId, full[12].traceId);
        offset.limit = 0;
        QVERIFY(store->listTraces(offset).empty());

        const auto ids = [&](const TraceQuery& q) {
            QSet<int> out;
            for (const TraceSummary& s : store->listTraces(q))
                out.insert(s.traceId.toHex().toInt(nullptr, 16));
            return out;
        };
        TraceQuery q;
        q.serviceName = QStringLiteral("db"); // not the root service
        QCOMPARE(ids(q), QSet<int>({ 3 }));
        q = TraceQuery();
        q.errorsOnly = true;
        QCOMPARE(ids(q), QSet<int>({ 4 }));
        q = TraceQuery();
        q.minDurationNanos = 2800;
        QCOMPARE(ids(q), QSet<int>({ 28, 29, 30 }));
        q = TraceQuery();
        q.startTimeFromUnixNano = 1'000'000'000ull + 3000; // inclusive on both ends
        q.startTimeToUnixNano = 1'000'000'000ull + 4000;
        QCOMPARE(ids(q), QSet<int>({ 6, 7, 8, 9 }));

        const auto text = [&](const char* term) {
            TraceQuery t;
            t.text = QString::fromUtf8(term);
            return ids(t);
        };
        QCOMPARE(text("checkout"), QSet<int>({ 5 })); // span name, any case
        QCOMPARE(text("api/V1"), QSet<int>({ 5 })); // attribute value, any case
        QCOMPARE(text("needle"), QSet<int>({ 5 })); // inside an array inside a map
        QCOMPARE(text("ALPHA"), QSet<int>({ 5 }));
        QCOMPARE(text("12345"), QSet<int>()); // numbers are not text
        QCOMPARE(text("findme"), QSet<int>()); // nor are keys
        QCOMPARE(text("0%_s"), QSet<int>({ 5 })); // wildcards are literal ("100xxsure" does not match)
        QCOMPARE(text("\"q\" \\ (x"), QSet<int>({ 5 })); // quotes, backslash, regex characters
        QCOMPARE(text("op 1"), QSet<int>({ 1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 }));

        q = TraceQuery();
        q.serviceName = QStringLiteral("front");
        q.text = QStringLiteral("fail");
        q.errorsOnly = true;
        QCOMPARE(ids(q), QSet<int>({ 4 }));
    }

    void textFilterIndexes()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        // Strings whose JSON text (what the trigram index holds) differs from the value: the filter must still
        // find exactly the values that contain the term, not matches across two values or inside an escape.
        const auto span = [](int trace, const QString& name, Attributes attributes) {
            Span s = makeSpan(traceId(trace), 1, 0, name, QStringLiteral("svc"), 1000 + std::uint64_t(trace),
                2000 + std::uint64_t(trace));
            s.attributes = std::move(attributes);
            return s;
        };
        const auto str = [](const char* v) { return AnyValue::fromString(QString::fromUtf8(v)); };
        std::vector<Span> spans = {
            span(1, QStringLiteral("plain"), { { QStringLiteral("a"), array({ str("alpha1"), str("omega2") }) } }),
            span(2, QStringLiteral("plain"), { { QStringLiteral("b"), str("line\nbreak") } }),
            span(3, QStringLiteral("plain"), { { QStringLiteral("c"), str("say \"Hi\" \\ there\ttab") } }),
            span(4, QStringLiteral("plain"), { { QStringLiteral("d"), str("GR\xc3\x9c\xc3\x9f\x01") } }),
            span(5, QStringLiteral("Name \"Quoted\" \\ here"), {}),
            span(6, QStringLiteral("plain"), { { QStringLiteral("key\nbreak"), AnyValue::fromInt(7) } }),
        };
        QVERIFY(store->write(items(spans)).ok);

        const auto text = [](PostgresTraceStore& s, const QString& term) {
            TraceQuery q;
            q.text = term;
            QSet<int> out;
            for (const TraceSummary& t : s.listTraces(q))
                out.insert(t.traceId.toHex().toInt(nullptr, 16));
            return out;
        };
        const std::vector<std::pair<QString, QSet<int>>> cases = {
            { QStringLiteral("ALPHA1"), { 1 } },
            { QStringLiteral("1\", \"o"), {} }, // across two values of one array
            { QStringLiteral("nbreak"), {} }, // inside the escape of a newline
            { QStringLiteral("line\nBREAK"), { 2 } },
            { QStringLiteral("\"hi\" \\ THERE\tt"), { 3 } },
            { QStringLiteral("t\\t"), {} },
            { QString::fromUtf8("\xc3\x9c\xc3\x9f\x01"), { 4 } },
            { QStringLiteral("gr"), { 4 } },
            { QStringLiteral("u0001"), {} },
            { QStringLiteral("\"quoted\" \\ H"), { 5 } },
            { QStringLiteral("key"), {} },
        };
        const auto checkAll = [&](PostgresTraceStore& s) {
            for (const auto& [term, expected] : cases)
                QVERIFY2(text(s, term) == expected, qPrintable(term));
        };
        checkAll(*store);
        if (QTest::currentTestFailed())
            return;

        // Installed by the migration when the server has it and the user may (else the indexes are left out).
        const bool trigrams = scalar("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") != u"0";
        const std::string indexCount = "SELECT count(*) FROM pg_indexes WHERE schemaname = '" + m_schema.toStdString()
            + "' AND indexname IN ('spans_name_trgm', 'spans_attribute_strings_trgm')";
        QCOMPARE(scalar(indexCount), trigrams ? QStringLiteral("2") : QStringLiteral("0"));

        // A schema of version 1 with data (versions 2 and 3 only add indexes, 4 the logs table and two queue
        // columns, 6 GenAI columns): migrated when opened.
        scalar("DROP INDEX IF EXISTS " + table("spans_name_trgm") + ", " + table("spans_attribute_strings_trgm") + ", "
            + table("traces_duration") + ", " + table("traces_span_count") + ", " + table("traces_error_count")
            + "; DROP TABLE " + table("logs") + "; ALTER TABLE " + table("ingestion_queue")
            + " DROP COLUMN signal, DROP COLUMN log_record_count" + "; DELETE FROM " + table("schema_migrations")
            + " WHERE version >= 2 RETURNING version");
        QCOMPARE(store->schemaVersion(), 1);
        QCOMPARE(scalar(indexCount), QStringLiteral("0"));
        checkAll(*store); // version 1 without indexes: the same answers
        if (QTest::currentTestFailed())
            return;
        store.reset();
        // Without version 6's columns too (the open store read them).
        scalar("DROP INDEX " + table("traces_conversation") + "; ALTER TABLE " + table("spans")
            + " DROP COLUMN genai_role, DROP COLUMN cached_input_tokens, DROP COLUMN model, DROP COLUMN conversation_id"
            + "; ALTER TABLE " + table("traces")
            + " DROP COLUMN llm_calls, DROP COLUMN tool_calls, DROP COLUMN cached_input_tokens, DROP COLUMN model_usage,"
              " DROP COLUMN conversation_id");
        auto migrated = openStore();
        QVERIFY(migrated);
        QCOMPARE(migrated->schemaVersion(), PostgresTraceStore::latestSchemaVersion());
        QCOMPARE(scalar(indexCount), trigrams ? QStringLiteral("2") : QStringLiteral("0"));
        QCOMPARE(migrated->spanCount(), qint64(spans.size()));
        checkAll(*migrated);
        if (!trigrams)
            QSKIP("pg_trgm is not installed in this database: the unindexed filter was checked, the indexes not");

        // The planner can use both indexes for the filter's expressions (seq scans off: the table is tiny).
        pqxx::connection c(pgUrl().toStdString());
        pqxx::work tx(c);
        tx.exec0("SET LOCAL enable_seqscan = off");
        std::string plan;
        for (const pqxx::row& r :
            tx.exec("EXPLAIN SELECT 1 FROM " + table("spans") + " s WHERE s.name ILIKE '%quot%' OR "
                + PostgresMigrations::AttributeStringsText + " ILIKE '%break%'"))
            plan += r[0].c_str() + std::string("\n");
        QVERIFY2(plan.find("spans_name_trgm") != std::string::npos, plan.c_str());
        QVERIFY2(plan.find("spans_attribute_strings_trgm") != std::string::npos, plan.c_str());
    }

    // --- ingestion queue ----------------------------------------------------------------------------------------

    void queue()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        QString error;
        std::vector<RawPayload> payloads(4);
        for (int i = 0; i < 4; ++i) {
            RawPayload& p = payloads[std::size_t(i)];
            p.body = QByteArray(qsizetype(100) * (i + 1), char(i)) + QByteArray("\0\xff\\x00", 5);
            p.contentType = QStringLiteral("application/x-protobuf");
            p.contentEncoding = i == 0 ? QStringLiteral("gzip") : QString();
            p.wireSize = 50 + i;
            p.peer = QStringLiteral("10.0.0.%1:4318").arg(i);
            p.spanCount = i + 1;
            p.receivedAtUnixNano = 1700000000123456789ull + std::uint64_t(i);
            if (i == 1) { // a logs request: the coordinator must know to decode it as one
                p.signal = RawPayload::Signal::Logs;
                p.logRecordCount = 7;
            }
        }
        std::vector<qint64> ids;
        QVERIFY2(store->enqueue(payloads, &error, &ids), qPrintable(error));
        QCOMPARE(ids.size(), std::size_t(4));
        QCOMPARE(store->queueDepth(&error), qint64(4));

        // At most 2, in order, exactly as enqueued.
        std::vector<QueuedPayload> claimed = store->claimQueued(2, 1 << 20, std::chrono::hours(1), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(claimed.size(), std::size_t(2));
        for (int i = 0; i < 2; ++i) {
            const QueuedPayload& c = claimed[std::size_t(i)];
            const RawPayload& p = payloads[std::size_t(i)];
            QCOMPARE(c.id, ids[std::size_t(i)]);
            QCOMPARE(c.payload.body, p.body);
            QCOMPARE(c.payload.contentType, p.contentType);
            QCOMPARE(c.payload.contentEncoding, p.contentEncoding);
            QCOMPARE(c.payload.wireSize, p.wireSize);
            QCOMPARE(c.payload.peer, p.peer);
            QCOMPARE(c.payload.spanCount, p.spanCount);
            QCOMPARE(c.payload.signal, p.signal);
            QCOMPARE(c.payload.logRecordCount, p.logRecordCount);
            QCOMPARE(c.payload.receivedAtUnixNano, p.receivedAtUnixNano);
            QCOMPARE(c.attempts, 0);
            QVERIFY(c.lastError.isEmpty());
        }
        // Leased ones are not handed out again; the byte bound stops after the first that reaches it.
        std::vector<QueuedPayload> next = store->claimQueued(10, 1, std::chrono::hours(1), &error);
        QCOMPARE(next.size(), std::size_t(1));
        QCOMPARE(next[0].id, ids[2]);
        next = store->claimQueued(10, 400 + 5 + 1, std::chrono::hours(1), &error);
        QCOMPARE(next.size(), std::size_t(1));
        QCOMPARE(next[0].id, ids[3]);
        QVERIFY(store->claimQueued(10, 1 << 20, std::chrono::hours(1), &error).empty());
        QVERIFY(error.isEmpty());

        // Failed with a delay: not due yet. Failed without: due again, with the attempt and the reason.
        QVERIFY(store->failQueued({ ids[0] }, QStringLiteral("S3 down"), std::chrono::hours(1), &error));
        QVERIFY(store->failQueued({ ids[1] }, QStringLiteral("PostgreSQL down"), std::chrono::milliseconds(0), &error));
        claimed = store->claimQueued(10, 1 << 20, std::chrono::hours(1), &error);
        QCOMPARE(claimed.size(), std::size_t(1));
        QCOMPARE(claimed[0].id, ids[1]);
        QCOMPARE(claimed[0].attempts, 1);
        QCOMPARE(claimed[0].lastError, QStringLiteral("PostgreSQL down"));
        QCOMPARE(scalar("SELECT status FROM " + table("ingestion_queue") + " WHERE id = " + std::to_string(ids[0])),
            QStringLiteral("retry"));

        // A lease that ran out (a worker died): due again.
        QVERIFY(store->failQueued({ ids[1] }, QStringLiteral("again"), std::chrono::milliseconds(0), &error));
        claimed = store->claimQueued(10, 1 << 20, std::chrono::seconds(0), &error);
        QCOMPARE(claimed.size(), std::size_t(1));
        QCOMPARE(claimed[0].attempts, 2);
        claimed = store->claimQueued(10, 1 << 20, std::chrono::hours(1), &error);
        QCOMPARE(claimed.size(), std::size_t(1));
        QCOMPARE(claimed[0].id, ids[1]);

        QVERIFY(store->completeQueued({ ids[1], ids[2], 999999999 }, &error));
        QCOMPARE(store->queueDepth(&error), qint64(2));
        QVERIFY(store->completeQueued({}, &error));
        QVERIFY(store->enqueue({}, &error));
        QCOMPARE(store->queueDepth(&error), qint64(2));
    }

    void storesLogRecords()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        const TraceId trace = TraceId::fromHex(u"4bf92f3577b34da6a3ce929d0e0e4736");
        TestLogs::checkStoreContract(*store, makeSpan(trace, 1, 0, QStringLiteral("op"), QStringLiteral("s"), 1, 2));
        if (QTest::currentTestFailed())
            return;
        // Below the API: hex ids like spans, NULL without trace context, the body as JSON.
        QCOMPARE(scalar("SELECT count(*) FROM " + table("logs") + " WHERE trace_id IS NULL AND span_id IS NULL"),
            QStringLiteral("1"));
        QCOMPARE(scalar("SELECT body ->> 'role' FROM " + table("logs") + " WHERE trace_id = '"
                     + trace.toHex().toStdString() + "' AND severity_number = 17"),
            QStringLiteral("user"));
        QCOMPARE(scalar("SELECT count(*) FROM " + table("logs") + " WHERE span_id = '0000000000000001'"),
            QStringLiteral("3")); // a, its louder copy, d
        // A re-sent record writes no row version.
        const QString before = scalar("SELECT string_agg(xmin::text, ',' ORDER BY record_hash) FROM " + table("logs"));
        IngestItem again;
        again.batch.logs = TestLogs::sample(trace, spanId(1));
        const WriteResult w = store->write({ again });
        QVERIFY2(w.ok, qPrintable(w.error));
        QCOMPARE(w.logRecordsWritten, 0);
        QCOMPARE(scalar("SELECT string_agg(xmin::text, ',' ORDER BY record_hash) FROM " + table("logs")), before);
    }

    void queueConcurrentClaims()
    {
        REQUIRE_PG();
        auto store = openStore();
        QVERIFY(store);
        std::vector<RawPayload> payloads(60);
        for (std::size_t i = 0; i < payloads.size(); ++i)
            payloads[i].body = QByteArray::number(qulonglong(i));
        QVERIFY(store->enqueue(payloads));
        // Four workers claim at once: nobody gets a request someone else holds.
        std::vector<std::vector<qint64>> got(4);
        std::vector<std::thread> threads;
        for (std::size_t w = 0; w < got.size(); ++w)
            threads.emplace_back([&, w] {
                for (;;) {
                    const auto claimed = store->claimQueued(3, 1 << 20, std::chrono::hours(1));
                    if (claimed.empty())
                        return;
                    for (const QueuedPayload& q : claimed)
                        got[w].push_back(q.id);
                }
            });
        for (std::thread& t : threads)
            t.join();
        QSet<qint64> all;
        std::size_t total = 0;
        for (const auto& ids : got) {
            total += ids.size();
            for (const qint64 id : ids)
                all.insert(id);
        }
        QCOMPARE(total, payloads.size());
        QCOMPARE(std::size_t(all.size()), payloads.size());
    }

    // --- raw objects --------------------------------------------------------------------------------------------

    void blobs()
    {
        REQUIRE_PG();
        MemoryBlobStore blobs;
        auto store = openStore(QString(), &blobs);
        QVERIFY(store);
        QVERIFY(store
                    ->write(items({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2),
                        makeSpan(traceId(1), 2, 1, QStringLiteral("b"), QStringLiteral("s"), 1, 2),
                        makeSpan(traceId(2), 1, 0, QStringLiteral("c"), QStringLiteral("s"), 1, 2) }))
                    .ok);
        QString error;
        // No key yet: nothing, and no error.
        QVERIFY(store->traceBlob(traceId(1), &error).isEmpty());
        QVERIFY(error.isEmpty());
        QVERIFY(store->tracePayloads(traceId(1), &error).empty());
        QVERIFY(error.isEmpty());

        const QByteArray json = R"({"resourceSpans":[]})";
        const QByteArray gz = Gzip::deflate(json);
        const QString key = QStringLiteral("default/s/1970-01-01/%1.json.gz").arg(traceId(1).toHex());
        QVERIFY(blobs.put(key, gz, QStringLiteral("application/gzip"), &error));
        QVERIFY2(store->setTraceBlobKeys({ { traceId(1), key }, { traceId(2), QStringLiteral("missing.json.gz") },
                                             { traceId(77), QStringLiteral("unknown trace") } },
                     &error),
            qPrintable(error));
        QCOMPARE(store->traceBlob(traceId(1), &error), gz);
        QVERIFY(error.isEmpty());
        const std::vector<RawPayload> payloads = store->tracePayloads(traceId(1), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(payloads.size(), std::size_t(1));
        QCOMPARE(payloads[0].body, json);
        QCOMPARE(payloads[0].contentType, QStringLiteral("application/json"));
        QCOMPARE(payloads[0].contentEncoding, QStringLiteral("gzip"));
        QCOMPARE(payloads[0].wireSize, qint64(gz.size()));
        QCOMPARE(payloads[0].spanCount, qint64(2));
        QCOMPARE(payloads[0].peer, QStringLiteral("s3://test-bucket/") + key + QStringLiteral(" @ memory"));
        QCOMPARE(store->traceObjectInfo({ traceId(1) })[0].rawBlobKey, key);

        // A key without an object is an error, not an empty document.
        QVERIFY(store->traceBlob(traceId(2), &error).isEmpty());
        QVERIFY2(error.contains(QLatin1String("missing")), qPrintable(error));
        QVERIFY(store->tracePayloads(traceId(2), &error).empty());
        QVERIFY(!error.isEmpty());
        // Not gzip: an error.
        QVERIFY(blobs.put(QStringLiteral("missing.json.gz"), "not gzip", QString(), &error));
        QVERIFY(store->tracePayloads(traceId(2), &error).empty());
        QVERIFY2(error.contains(QLatin1String("gzip")), qPrintable(error));

        // Broken objects, pinned before the store moved onto GzipInflater: each one is the same error.
        const QByteArray member = QByteArray::fromHex("1f8b0800000000000003cbc8e402007a7a6fed03000000");
        QByteArray badCrc = gz;
        badCrc[gz.size() - 6] = char(badCrc[gz.size() - 6] ^ 1);
        for (const QByteArray& broken :
            QByteArrayList { gz.left(gz.size() - 3), gz.left(10), gz + QByteArray("garbage"),
                gz + QByteArray(1, '\x1f'), badCrc, qCompress(json).mid(4), QByteArray() }) {
            QVERIFY(blobs.put(QStringLiteral("missing.json.gz"), broken, QString(), &error));
            QVERIFY(store->tracePayloads(traceId(2), &error).empty());
            QCOMPARE(error,
                QStringLiteral("cannot read the raw payload of trace %1: the object missing.json.gz is not valid gzip")
                    .arg(traceId(2).toHex()));
        }
        // Concatenated members are one document, as gunzip reads them.
        QVERIFY(blobs.put(QStringLiteral("missing.json.gz"), member + member, QString(), &error));
        const std::vector<RawPayload> two = store->tracePayloads(traceId(2), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(two.size(), std::size_t(1));
        QCOMPARE(two[0].body, QByteArray("hi\nhi\n"));

        // Clearing a key; a store without blobs never has documents.
        QVERIFY(store->setTraceBlobKeys({ { traceId(1), QString() } }, &error));
        QVERIFY(store->traceObjectInfo({ traceId(1) })[0].rawBlobKey.isEmpty());
        auto plain = openStore();
        QVERIFY(plain->traceBlob(traceId(2), &error).isEmpty());
        QVERIFY(error.isEmpty());
    }

    // --- connections --------------------------------------------------------------------------------------------

    void reconnectAfterTerminatedBackends()
    {
        REQUIRE_PG();
        const QString app
            = QStringLiteral("spanscope_tst_%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
        auto store = openStore(withParams(pgUrl(), QStringLiteral("application_name=") + app));
        QVERIFY(store);
        QVERIFY(store->write(items({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2) })).ok);
        QCOMPARE(store->spanCount(), qint64(1));
        QVERIFY(store->enqueue({ RawPayload() }));

        const auto terminate = [&]() -> QString {
            return scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                + app.toStdString() + "'");
        };
        // The writer and the pooled reader die (as on a server restart); the next calls work on new connections.
        QCOMPARE(terminate(), QStringLiteral("2"));
        QString error;
        QCOMPARE(store->spanCount(&error), qint64(1));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const WriteResult w
            = store->write(items({ makeSpan(traceId(1), 2, 1, QStringLiteral("b"), QStringLiteral("s"), 1, 2) }));
        QVERIFY2(w.ok, qPrintable(w.error));
        QCOMPARE(store->spanCount(), qint64(2));

        QVERIFY(terminate().toInt() >= 1);
        QCOMPARE(store->queueDepth(&error), qint64(1));
        QVERIFY(terminate().toInt() >= 1);
        QCOMPARE(store->claimQueued(5, 1 << 20, std::chrono::hours(1), &error).size(), std::size_t(1));
        QVERIFY(terminate().toInt() >= 1);
        QCOMPARE(store->traceSpans(traceId(1), &error).size(), std::size_t(2));
    }

    void connectionErrors()
    {
        REQUIRE_PG();
        QUrl url(pgUrl());
        QString error;

        // Wrong password: libpq's message, no crash.
        QUrl wrong = url;
        wrong.setPassword(QStringLiteral("definitely-wrong"));
        PostgresTraceStore badPassword(wrong.toString(), m_schema);
        QVERIFY(!badPassword.open(&error));
        QVERIFY2(error.contains(QLatin1String("password authentication failed")), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1String("definitely-wrong")), qPrintable(error));
        QVERIFY(!PostgresTraceStore::migrate(wrong.toString(), m_schema, nullptr, nullptr, &error));
        QVERIFY2(error.contains(QLatin1String("password authentication failed")), qPrintable(error));

        // Nobody listening.
        QUrl down = url;
        down.setPort(1);
        PostgresTraceStore serverDown(down.toString(), m_schema);
        QVERIFY(!serverDown.open(&error));
        QVERIFY2(error.contains(QLatin1String("cannot connect")) && error.contains(QLatin1String("127.0.0.1")),
            qPrintable(error));

        // A database that does not exist.
        QUrl noDb = url;
        noDb.setPath(QStringLiteral("/no_such_database_here"));
        PostgresTraceStore missing(noDb.toString(), m_schema);
        QVERIFY(!missing.open(&error));
        QVERIFY2(error.contains(QLatin1String("no_such_database_here")), qPrintable(error));
    }

    // `--store "host=... password=... dbname=..."`: a libpq keyword/value string opens the PostgreSQL store, and
    // its password appears in no description and no error (issue 8 section 5).
    void keywordConnectionString()
    {
        REQUIRE_PG();
        const QUrl url(pgUrl());
        const QString keywords = keywordString(url, url.password());
        QVERIFY(PostgresTraceStore::isConnectionString(keywords));
        QVERIFY(!PostgresTraceStore::isConnectionUri(keywords));
        PostgresTraceStore store(keywords, m_schema);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QCOMPARE(store.description(),
            QStringLiteral("postgresql://%1@%2:%3%4 schema %5")
                .arg(url.userName(), url.host(), QString::number(url.port(5432)), url.path(), m_schema));
        QCOMPARE(store.kind(), QStringLiteral("postgresql"));
        QVERIFY(store.write(items({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2) })).ok);
        QCOMPARE(store.spanCount(), 1);

        // A wrong password, quoted with a space and an escaped quote: libpq's message, never the password.
        const QString wrong = QStringLiteral("Wr0ng pa'ss\\word");
        LogCapture log;
        PostgresTraceStore refused(keywordString(url, wrong), m_schema);
        QVERIFY(!refused.open(&error));
        QVERIFY2(error.contains(QLatin1String("password authentication failed")), qPrintable(error));
        QString migrateError;
        QVERIFY(!PostgresTraceStore::migrate(keywordString(url, wrong), m_schema, nullptr, nullptr, &migrateError));
        for (const QString& text : QStringList { error, migrateError, refused.description() } + log.lines())
            QVERIFY2(
                !text.contains(QLatin1String("Wr0ng")) && !text.contains(QLatin1String("pa'ss")), qPrintable(text));
    }

    void libpqEnvironment()
    {
        REQUIRE_PG();
        // An empty connection string: everything from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, as in psql.
        const QUrl url(pgUrl());
        const char* names[] = { "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE" };
        const QString values[]
            = { url.host(), QString::number(url.port(5432)), url.userName(), url.password(), url.path().mid(1) };
        QByteArray saved[5];
        bool wasSet[5];
        for (int i = 0; i < 5; ++i) {
            wasSet[i] = qEnvironmentVariableIsSet(names[i]);
            saved[i] = qgetenv(names[i]);
            qputenv(names[i], values[i].toUtf8());
        }
        auto store = std::make_unique<PostgresTraceStore>(QString(), m_schema);
        QString error;
        const bool opened = store->open(&error);
        const QString description = store->description();
        const bool wrote = opened
            && store->write(items({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2) })).ok;
        for (int i = 0; i < 5; ++i) {
            if (wasSet[i])
                qputenv(names[i], saved[i]);
            else
                qunsetenv(names[i]);
        }
        QVERIFY2(opened, qPrintable(error));
        QVERIFY(wrote);
        QCOMPARE(description,
            QStringLiteral("postgresql://%1@%2:%3%4 schema %5")
                .arg(url.userName(), url.host(), QString::number(url.port(5432)), url.path(), m_schema));
    }

    void serverRestart()
    {
        REQUIRE_PG();
        // Its own cluster (the shared one must stay up for the tests running beside this one): stop it under an
        // open store, see clear errors, start it again, and the same store works on.
        const QString script = QStringLiteral(SPANSCOPE_PG_SCRIPT);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // When the tests run as root, the server runs as the postgres user, which must reach the folder.
        QVERIFY(QFile::setPermissions(dir.path(), QFile::permissions(dir.path()) | QFile::ExeGroup | QFile::ExeOther));
        const QString clusterDir = dir.filePath(QStringLiteral("pg"));
        const auto run = [&](const QStringList& args, QString* out) {
            QProcess p;
            p.start(QStringLiteral("bash"), QStringList { script } + args);
            if (!p.waitForFinished(120000))
                return false;
            if (out)
                *out = QString::fromUtf8(p.readAllStandardOutput());
            if (p.exitCode() != 0)
                qWarning().noquote() << p.readAllStandardError();
            return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        };
        QString out;
        QVERIFY(run({ QStringLiteral("start"), clusterDir }, &out));
        struct Stop {
            std::function<void()> f;
            ~Stop() { f(); }
        } stopAtEnd { [&] { run({ QStringLiteral("stop"), clusterDir }, nullptr); } };
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("SPANSCOPE_TEST_PG_URL=(\\S+)")).match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        const QString url = m.captured(1);

        auto store = openStore(url);
        QVERIFY(store);
        QVERIFY(store->write(items({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2) })).ok);

        QVERIFY(run({ QStringLiteral("stop"), clusterDir }, nullptr));
        const WriteResult down
            = store->write(items({ makeSpan(traceId(1), 2, 1, QStringLiteral("b"), QStringLiteral("s"), 1, 2) }));
        QVERIFY(!down.ok);
        QVERIFY2(!down.error.isEmpty(), "a failed write says why");
        QString error;
        QVERIFY(!store->enqueue({ RawPayload() }, &error));
        QVERIFY2(error.contains(QLatin1String("queue")), qPrintable(error));
        QCOMPARE(store->spanCount(&error), qint64(0));
        QVERIFY(!error.isEmpty());

        QVERIFY(run({ QStringLiteral("start"), clusterDir }, &out));
        QVERIFY2(out.contains(url), qPrintable(out)); // same port
        const WriteResult up
            = store->write(items({ makeSpan(traceId(1), 2, 1, QStringLiteral("b"), QStringLiteral("s"), 1, 2) }));
        QVERIFY2(up.ok, qPrintable(up.error));
        QCOMPARE(store->spanCount(&error), qint64(2));
        QVERIFY2(store->enqueue({ RawPayload() }, &error), qPrintable(error));
        QCOMPARE(store->traceSummary(traceId(1))->spanCount, qint64(2));
    }
};

QTEST_GUILESS_MAIN(TestPostgresTraceStore)
#include "tst_postgrestracestore.moc"
