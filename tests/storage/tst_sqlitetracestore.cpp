#include "storage/sqlitetracestore.h"

#include "storage/spancodec.h"

#include "../common/testlogs.h"
#include "../common/genaisummarycheck.h"
#include "../common/operationstatscheck.h"
#include "../common/spanoutlinecheck.h"
#include "../common/traceorderingcheck.h"
#include "../common/tracetimeseriescheck.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <random>

namespace {

TraceId traceId(int n)
{
    return TraceId::fromHex(QStringLiteral("%1").arg(n, 32, 16, QLatin1Char('0')));
}

// Trace ids as SDKs make them: random, so index inserts land all over the b-tree.
TraceId randomTraceId(int n)
{
    std::uint64_t x = std::uint64_t(n) * 0x9E3779B97F4A7C15ull;
    std::uint8_t bytes[16];
    for (std::uint8_t& b : bytes) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 29;
        b = std::uint8_t(x);
    }
    return TraceId::fromRaw(bytes);
}

SpanId spanId(int n)
{
    return SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0')));
}

std::shared_ptr<const Resource> resource(const QString& service)
{
    auto r = std::make_shared<Resource>();
    r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(service) },
                      { QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("box")) } };
    return r;
}

std::shared_ptr<const InstrumentationScope> scope(const QString& name)
{
    auto s = std::make_shared<InstrumentationScope>();
    s->name = name;
    s->version = QStringLiteral("1.0");
    return s;
}

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

IngestItem item(std::vector<Span> spans, const QByteArray& body = QByteArray())
{
    IngestItem it;
    it.batch.spans = std::move(spans);
    it.payload.body = body;
    it.payload.contentType = QStringLiteral("application/x-protobuf");
    it.payload.wireSize = body.size();
    it.payload.receivedAtUnixNano = 1000;
    it.payload.peer = QStringLiteral("127.0.0.1:5555");
    it.payload.spanCount = qint64(it.batch.spans.size());
    return it;
}

std::vector<IngestItem> items(IngestItem a)
{
    std::vector<IngestItem> v;
    v.push_back(std::move(a));
    return v;
}

Attributes everyType()
{
    AnyValue map;
    map.type = AnyValue::Type::Map;
    map.mapValue = { { QStringLiteral("k"), AnyValue::fromBytes(QByteArray("\0\1\2", 3)) },
                     { QStringLiteral("d"), AnyValue::fromDouble(1e-300) } };
    AnyValue array;
    array.type = AnyValue::Type::Array;
    array.arrayValue = { AnyValue::fromInt(-5), AnyValue::fromString(QStringLiteral("x")), map };
    AnyValue nested;
    nested.type = AnyValue::Type::Array;
    nested.arrayValue = { array, AnyValue() };
    return {
        { QStringLiteral("str"), AnyValue::fromString(QStringLiteral("Grüße \U0001F600")) },
        { QStringLiteral("bool"), AnyValue::fromBool(true) },
        { QStringLiteral("int"), AnyValue::fromInt(-9007199254740993LL) },
        { QStringLiteral("double"), AnyValue::fromDouble(2.5) },
        { QStringLiteral("bytes"), AnyValue::fromBytes(QByteArray(17, '\xfe')) },
        { QStringLiteral("array"), nested },
        { QStringLiteral("map"), map },
        { QStringLiteral("empty"), AnyValue() },
        { QStringLiteral("str"), AnyValue::fromString(QStringLiteral("duplicate key kept")) },
    };
}

// Runs `sql` on a separate raw connection; returns the first column of the first row as text.
QString rawQuery(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    QString out;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            out = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        else
            out = QStringLiteral("error: ") + QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return out;
}

// The text filter as the span scan applies it (TraceQuery::text), written out again as the test's oracle: the
// case-folded term in a span name or in a string value (also inside arrays and maps; not keys, not bytes).
bool valueContains(const AnyValue& v, const std::string& folded)
{
    switch (v.type) {
    case AnyValue::Type::String:
        return SpanCodec::searchFolded(v.stringValue).find(folded) != std::string::npos;
    case AnyValue::Type::Array:
        return std::any_of(v.arrayValue.begin(), v.arrayValue.end(),
            [&](const AnyValue& e) { return valueContains(e, folded); });
    case AnyValue::Type::Map:
        return std::any_of(v.mapValue.begin(), v.mapValue.end(),
            [&](const KeyValue& kv) { return valueContains(kv.value, folded); });
    default:
        return false;
    }
}

QSet<TraceId> tracesContaining(const std::vector<Span>& spans, const QString& text)
{
    const std::string folded = SpanCodec::searchFolded(text);
    QSet<TraceId> out;
    for (const Span& s : spans) {
        if (SpanCodec::searchFolded(s.name).find(folded) != std::string::npos
            || std::any_of(s.attributes.begin(), s.attributes.end(),
                [&](const KeyValue& kv) { return valueContains(kv.value, folded); }))
            out.insert(s.traceId);
    }
    return out;
}

// Every trace listTraces finds for `query`, page after page; *error is set when a page fails or the rows are not
// in the query's order.
QSet<TraceId> listedTraces(SqliteTraceStore& store, TraceQuery query, int pageSize, QString* error)
{
    QSet<TraceId> out;
    std::vector<TraceSummary> rows;
    query.limit = pageSize;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto page = store.listTraces(query, error);
        for (const TraceSummary& s : page) {
            if (!rows.empty() && !TraceOrdering::before(rows.back(), s, query.order, query.descending))
                *error = QStringLiteral("out of order: %1 after %2").arg(s.traceId.toHex(), rows.back().traceId.toHex());
            out.insert(s.traceId);
            rows.push_back(s);
        }
        if (int(page.size()) < pageSize || !error->isEmpty())
            break;
        query.setCursor(page.back());
    }
    return out;
}

// Undoes migration 5 (what a version 4 store holds), keeping schema_migrations for the caller to cut back.
/// Back to what version 4 left behind (migrations 5 and 6 undone; the caller deletes their schema_migrations rows).
void dropVersions5And6(const QString& path)
{
    for (const char* sql : { "DROP TABLE cost_prices", "DROP INDEX traces_cost", "ALTER TABLE traces DROP COLUMN cost",
             "DROP TABLE trace_text", "DROP INDEX traces_root_service", "DROP INDEX traces_root_name",
             "DROP INDEX traces_tokens", "DROP INDEX traces_llm_calls", "DROP INDEX traces_tool_calls",
             "DROP INDEX traces_input_tokens", "DROP INDEX traces_output_tokens" })
        rawQuery(path, sql);
}

/// Every trace's traces.cost against TraceOrdering::costKey of its summary by `prices`: bit for bit, as the keyset
/// cursor of TraceOrder::Cost compares them.
void checkStoredCosts(const QString& path, TraceStore& store, const PriceTable& prices)
{
    TraceQuery all;
    all.limit = 100000;
    QHash<QByteArray, double> expected;
    for (const TraceSummary& s : store.listTraces(all))
        expected.insert(s.traceId.toHex().toLatin1(), TraceOrdering::costKey(s.modelUsage, &prices));
    QVERIFY(expected.size() > 100);
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "SELECT lower(hex(trace_id)), cost FROM traces", -1, &stmt, nullptr), SQLITE_OK);
    int rows = 0;
    int priced = 0;
    QString wrong;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        ++rows;
        const QByteArray id(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
        const double cost = sqlite3_column_double(stmt, 1);
        priced += cost > 0 ? 1 : 0;
        if (!expected.contains(id) || expected.value(id) != cost)
            wrong += QStringLiteral("%1: %2, expected %3\n").arg(QString::fromLatin1(id)).arg(cost).arg(expected.value(id));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.left(2000)));
    QCOMPARE(rows, int(expected.size()));
    QVERIFY(priced > 20);
}

/// TraceOrder::Cost by `prices`, paged 64 at a time, both directions, plain and with a text filter (a term the index
/// answers and a two-character one), against TraceOrdering's order of every summary.
void checkCostOrder(TraceStore& store, const std::shared_ptr<const PriceTable>& prices)
{
    TraceQuery all;
    all.limit = 100000;
    const std::vector<TraceSummary> summaries = store.listTraces(all);
    for (const QString& text : { QString(), QStringLiteral("child"), QStringLiteral("HI") }) {
        for (const bool descending : { true, false }) {
            std::vector<TraceSummary> expected;
            for (const TraceSummary& s : summaries)
                if (text.isEmpty() || s.spanCount > 1) // only children are named "child"
                    expected.push_back(s);
            std::sort(expected.begin(), expected.end(), [&](const TraceSummary& a, const TraceSummary& b) {
                return TraceOrdering::before(a, b, TraceOrder::Cost, descending, prices.get());
            });
            TraceQuery query;
            query.order = TraceOrder::Cost;
            query.descending = descending;
            query.prices = prices;
            query.text = text;
            const std::vector<TraceSummary> paged = TraceOrderingCheck::pageAll(store, query, 64);
            QCOMPARE(paged.size(), expected.size());
            for (std::size_t i = 0; i < paged.size(); ++i)
                if (paged[i].traceId != expected[i].traceId)
                    QFAIL(qPrintable(QStringLiteral("text \"%1\" %2: row %3 is %4, expected %5")
                                         .arg(text, descending ? QStringLiteral("desc") : QStringLiteral("asc"))
                                         .arg(i)
                                         .arg(paged[i].traceId.toHex(), expected[i].traceId.toHex())));
        }
    }
}

/// LLM calls as extra children of traces `first`, `first + step`, ... up to `last` (new traces past
/// TraceOrderingCheck::Traces get a root too): each changes its trace's model usage.
std::vector<Span> moreLlmCalls(int first, int last, int step, int spanIdBase)
{
    std::vector<Span> out;
    const auto svc = TraceOrderingCheck::resourceOf(QStringLiteral("svc-llm"));
    for (int t = first; t <= last; t += step) {
        const std::uint64_t start = TraceOrderingCheck::T0 + std::uint64_t(t) * TraceOrderingCheck::Ms;
        if (t > TraceOrderingCheck::Traces)
            out.push_back(TraceOrderingCheck::spanOf(t, 1, 0, QStringLiteral("agent"), svc, start, start + 5 * TraceOrderingCheck::Ms));
        Span call = TraceOrderingCheck::spanOf(t, spanIdBase + t % 7, 1, QStringLiteral("chat child"), svc, start + TraceOrderingCheck::Ms,
            start + 3 * TraceOrderingCheck::Ms);
        const QString model = TraceOrderingCheck::models()[std::size_t(t + spanIdBase) % TraceOrderingCheck::models().size()];
        call.attributes = { { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
            { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(100 + t % 900) },
            { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(t % 300) } };
        if (!model.isEmpty())
            call.attributes.push_back({ QStringLiteral("gen_ai.request.model"), AnyValue::fromString(model) });
        out.push_back(call);
    }
    return out;
}

} // namespace

class TestSqliteTraceStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshPath() { return m_dir.filePath(QStringLiteral("store%1/spanscope.db").arg(++m_counter)); }

    // The traces of the text filter tests, written to a new store at `path` in three writes (the first two items
    // hold spans of one trace; the third replaces a span with other text). Returns the spans as stored now.
    std::vector<Span> writeTextFilterTraces(const QString& path)
    {
        auto store = openStore(path);
        if (!store)
            return {};
        const auto span = [](int trace, int id, const QString& name, const QString& service, Attributes attributes) {
            Span s = makeSpan(traceId(trace), id, id == 1 ? 0 : 1, name, service, 1'000'000'000ull * std::uint64_t(trace),
                1'000'000'000ull * std::uint64_t(trace) + std::uint64_t(id) * 1000);
            s.attributes = std::move(attributes);
            return s;
        };
        const auto str = [](const char* key, const QString& value) {
            return KeyValue { QLatin1String(key), AnyValue::fromString(value) };
        };
        AnyValue map;
        map.type = AnyValue::Type::Map;
        map.mapValue = { str("deep", QStringLiteral("xx DeepNeedle yy")) };
        AnyValue array;
        array.type = AnyValue::Type::Array;
        array.arrayValue = { AnyValue::fromInt(424242), map };
        std::vector<Span> first = {
            span(1, 1, QStringLiteral("GET /api/Checkout"), QStringLiteral("web"),
                { str("http.route", QStringLiteral("/api/checkout/{id}")), str("tenant.name", QStringLiteral("acme")) }),
            span(1, 2, QStringLiteral("ProcessPayment"), QStringLiteral("payments"),
                { str("cloud.region", QStringLiteral("acme-prod-eu")), { QStringLiteral("tags"), array } }),
            span(2, 1, QStringLiteral("Straße über Ärger"), QStringLiteral("api"),
                { str("note", QStringLiteral("Ünïcode \U0001F600 a\U0001F600B")), str("q", QStringLiteral("Q")) }),
            span(3, 1, QStringLiteral("early-bird"), QStringLiteral("web"), { str("w", QStringLiteral("shared-word")) }),
            span(4, 1, QStringLiteral("multi"), QStringLiteral("web"),
                { str("sql", QStringLiteral("line one\nline two")), str("say", QStringLiteral("they say \"hi\" OR NOT *")),
                    { QStringLiteral("raw"), AnyValue::fromBytes(QByteArrayLiteral("bytesneedle")) } }),
            span(5, 1, QStringLiteral("replaced"), QStringLiteral("api"), { str("v", QStringLiteral("stale-value")) }),
        };
        std::vector<Span> second = {
            span(3, 2, QStringLiteral("late-arrival"), QStringLiteral("api"), { str("w", QStringLiteral("Shared-Word")) }),
            span(6, 1, QStringLiteral("ProcessPayment"), QStringLiteral("web"), {}),
        };
        std::vector<Span> third = { span(5, 1, QStringLiteral("replaced"), QStringLiteral("api"),
            { str("v", QStringLiteral("fresh-value")) }) };
        std::vector<IngestItem> firstWrite;
        firstWrite.push_back(item({ first[0], first[2], first[3] }));
        firstWrite.push_back(item({ first[1], first[4], first[5] }));
        for (IngestItem& i : firstWrite)
            store->prepare(i); // as the receiver does; the other writes are prepared by write() itself
        if (!store->write(firstWrite).ok || !store->write(items(item(second))).ok || !store->write(items(item(third))).ok)
            return {};
        std::vector<Span> all = first;
        all.insert(all.end(), second.begin(), second.end());
        all.erase(all.begin() + 5); // replaced by `third`
        all.insert(all.end(), third.begin(), third.end());
        return all;
    }

    std::unique_ptr<SqliteTraceStore> openStore(const QString& path)
    {
        auto store = std::make_unique<SqliteTraceStore>(path);
        QString error;
        if (!store->open(&error)) {
            qWarning() << error;
            return nullptr;
        }
        return store;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void describesItself()
    {
        SqliteTraceStore store(QStringLiteral("relative/x.db"));
        QVERIFY(store.description().startsWith(QStringLiteral("sqlite:/")));
        QVERIFY(store.description().endsWith(QStringLiteral("/relative/x.db")));
        QCOMPARE(store.kind(), QStringLiteral("sqlite")); // what /healthz may show: no path
        QVERIFY(SqliteTraceStore::defaultPath().endsWith(QStringLiteral("/spanscope.db")));
    }

    void migratesEmptyFile()
    {
        const QString path = freshPath();
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly)); // zero bytes: SQLite treats it as a new database
        f.close();
        {
            auto store = openStore(path);
            QVERIFY(store);
            QCOMPARE(store->spanCount(), 0);
        }
        QCOMPARE(rawQuery(path, "SELECT max(version) FROM schema_migrations"), QStringLiteral("6"));
        QCOMPARE(rawQuery(path, "SELECT count(*) FROM schema_migrations"), QStringLiteral("6"));
        QVERIFY(!rawQuery(path, "SELECT applied_at FROM schema_migrations").isEmpty());
        QCOMPARE(rawQuery(path,
                          "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('traces', 'spans', "
                          "'resources', 'scopes', 'payloads', 'payload_traces', 'trace_services', 'logs')"),
                 QStringLiteral("8"));
        QCOMPARE(rawQuery(path, "PRAGMA journal_mode"), QStringLiteral("wal"));
        // Reopening does not migrate again.
        QVERIFY(openStore(path));
        QCOMPARE(rawQuery(path, "SELECT count(*) FROM schema_migrations"), QStringLiteral("6"));
    }

    void migratesVersion1ToSortIndexes()
    {
        const QString path = freshPath();
        {
            auto store = openStore(path);
            QVERIFY(store);
            QVERIFY(
                store->write(
                         items(item({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 9) })))
                    .ok);
        }
        // Back to what version 1 left behind.
        dropVersions5And6(path);
        for (const char* sql :
            { "DROP INDEX traces_duration", "DROP INDEX traces_span_count",
                "DROP INDEX traces_error_count", "DROP TABLE logs", "DROP INDEX traces_conversation", "ALTER TABLE spans DROP COLUMN genai_role",
                "ALTER TABLE spans DROP COLUMN cached_input_tokens", "ALTER TABLE spans DROP COLUMN model",
                "ALTER TABLE spans DROP COLUMN conversation_id", "ALTER TABLE traces DROP COLUMN llm_calls",
                "ALTER TABLE traces DROP COLUMN tool_calls", "ALTER TABLE traces DROP COLUMN cached_input_tokens",
                "ALTER TABLE traces DROP COLUMN model_usage", "ALTER TABLE traces DROP COLUMN conversation_id",
                "DELETE FROM schema_migrations WHERE version >= 2" })
            rawQuery(path, sql);
        const char* sortIndexes = "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                  "('traces_duration', 'traces_span_count', 'traces_error_count')";
        QCOMPARE(rawQuery(path, "SELECT max(version) FROM schema_migrations"), QStringLiteral("1"));
        QCOMPARE(rawQuery(path, sortIndexes), QStringLiteral("0"));
        auto store = openStore(path);
        QVERIFY(store);
        QCOMPARE(rawQuery(path, "SELECT max(version) FROM schema_migrations"), QStringLiteral("6"));
        QCOMPARE(rawQuery(path, sortIndexes), QStringLiteral("3"));
        QCOMPARE(rawQuery(path, "SELECT count(*) FROM sqlite_master WHERE name = 'logs'"), QStringLiteral("1"));
        TraceQuery byDuration;
        byDuration.order = TraceOrder::Duration;
        const auto rows = store->listTraces(byDuration);
        QCOMPARE(rows.size(), 1u);
        QCOMPARE(rows[0].durationNanos(), 8u);
    }

    void migratesVersion3ToGenAiFigures()
    {
        const QString path = freshPath();
        const std::vector<Span> agent = GenAiSummaryCheck::agentTrace();
        const TraceId t = agent[0].traceId;
        {
            auto store = openStore(path);
            QVERIFY(store);
            QVERIFY(store->write(GenAiSummaryCheck::itemsOf({ agent[0], agent[1] })).ok);
        }
        // Back to version 3, with the figures a version 3 store had summed (every span's gen_ai.usage.*).
        dropVersions5And6(path);
        for (const char* sql :
            { "DROP INDEX traces_conversation", "ALTER TABLE spans DROP COLUMN genai_role",
                "ALTER TABLE spans DROP COLUMN cached_input_tokens", "ALTER TABLE spans DROP COLUMN model",
                "ALTER TABLE spans DROP COLUMN conversation_id", "ALTER TABLE traces DROP COLUMN llm_calls",
                "ALTER TABLE traces DROP COLUMN tool_calls", "ALTER TABLE traces DROP COLUMN cached_input_tokens",
                "ALTER TABLE traces DROP COLUMN model_usage", "ALTER TABLE traces DROP COLUMN conversation_id",
                "UPDATE traces SET input_tokens = 3000", "DELETE FROM schema_migrations WHERE version >= 4" })
            rawQuery(path, sql);
        QCOMPARE(rawQuery(path, "SELECT max(version) FROM schema_migrations"), QStringLiteral("3"));
        auto store = openStore(path);
        QVERIFY(store);
        QCOMPARE(rawQuery(path, "SELECT max(version) FROM schema_migrations"), QStringLiteral("6"));
        // Stored rows keep their old figures; new spans add theirs.
        std::optional<TraceSummary> s = store->traceSummary(t);
        QVERIFY(s);
        QCOMPARE(s->inputTokens, qint64(3000));
        QCOMPARE(s->llmCalls, qint64(0));
        QVERIFY(s->conversationId.isEmpty());
        QVERIFY(store->write(GenAiSummaryCheck::itemsOf({ agent[2], agent[3] })).ok);
        s = store->traceSummary(t);
        QCOMPARE(s->inputTokens, 3000 + GenAiSummaryCheck::OiInput);
        QCOMPARE(s->llmCalls, qint64(1));
        QCOMPARE(s->toolCalls, qint64(1));
        TraceQuery conversation;
        conversation.conversationId = QStringLiteral("conv-a");
        QVERIFY(store->listTraces(conversation).empty()); // its spans were stored before the migration
    }

    void rejectsGarbageFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("text") << QByteArray("this is not a database\n").repeated(500);
        QTest::newRow("sqlite header, corrupt body")
            << (QByteArray("SQLite format 3", 16) + QByteArray(4096 * 3, '\x5a'));
    }
    void rejectsGarbageFile()
    {
        QFETCH(QByteArray, content);
        const QString path = freshPath();
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();

        SqliteTraceStore store(path);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("not a database")) || error.contains(QLatin1String("malformed")),
                 qPrintable(error));
        // Unopened store: every call fails cleanly.
        QVERIFY(!store.write(items(item({ makeSpan(traceId(1), 1, 0, QStringLiteral("a"), QStringLiteral("s"), 1, 2) })))
                     .ok);
        QString readError;
        QVERIFY(store.listTraces(TraceQuery(), &readError).empty());
        QVERIFY(!readError.isEmpty());
    }

    void rejectsNewerSchema()
    {
        const QString path = freshPath();
        QVERIFY(openStore(path));
        QCOMPARE(rawQuery(path, "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'x') RETURNING version"),
                 QStringLiteral("99"));
        SqliteTraceStore store(path);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
    }

    void rejectsReadOnlyFile()
    {
        if (::geteuid() == 0)
            QSKIP("root can write read-only files");
        const QString path = freshPath();
        QVERIFY(openStore(path));
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner));
        SqliteTraceStore store(path);
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QLatin1String("read-only")), qPrintable(error));
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    }

    void roundTripsEverySpanField()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        const TraceId trace = traceId(0xabc);
        std::vector<Span> spans;
        auto resA = resource(QStringLiteral("frontend"));
        auto resB = std::make_shared<Resource>();
        resB->attributes = everyType();
        resB->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("backend")) });
        resB->droppedAttributesCount = 4;
        resB->schemaUrl = QStringLiteral("https://opentelemetry.io/schemas/1.24.0");
        auto scopeB = std::make_shared<InstrumentationScope>();
        scopeB->name = QStringLiteral("io.opentelemetry.jdbc");
        scopeB->version = QStringLiteral("2.1.0");
        scopeB->attributes = everyType();
        scopeB->droppedAttributesCount = 1;
        scopeB->schemaUrl = QStringLiteral("s");
        for (int i = 1; i <= 6; ++i) {
            Span s = makeSpan(trace, i, i == 1 ? 0 : 1, QStringLiteral("span %1").arg(i), QString(),
                              1'700'000'000'000'000'000ull + std::uint64_t(7 - i) * 1000, 1'800'000'000'000'000'000ull);
            s.resource = i % 2 ? std::shared_ptr<const Resource>(resA) : resB;
            s.scope = i % 2 ? scope(QStringLiteral("a")) : scopeB; // distinct pointers, equal content for odd ones
            s.kind = SpanKind(i % 6);
            s.statusCode = i == 3 ? StatusCode::Error : StatusCode::Ok;
            s.statusMessage = i == 3 ? QStringLiteral("boom") : QString();
            s.traceState = QStringLiteral("vendor=%1").arg(i);
            s.flags = 0x101;
            s.attributes = everyType();
            s.droppedAttributesCount = 2;
            SpanEvent e;
            e.timeUnixNano = 1'700'000'000'000'000'500ull;
            e.name = QStringLiteral("exception");
            e.attributes = everyType();
            e.droppedAttributesCount = 3;
            s.events = { e, SpanEvent() };
            s.droppedEventsCount = 5;
            SpanLink l;
            l.traceId = traceId(77);
            l.spanId = spanId(78);
            l.traceState = QStringLiteral("t=1");
            l.attributes = everyType();
            l.droppedAttributesCount = 6;
            l.flags = 1;
            s.links = { l };
            s.droppedLinksCount = 7;
            spans.push_back(s);
        }
        Span bare = makeSpan(trace, 99, 1, QString(), QString(), 1'700'000'000'000'000'000ull, 0);
        bare.resource.reset();
        bare.scope.reset();
        spans.push_back(bare);

        const WriteResult w = store->write(items(item(spans, QByteArray("body"))));
        QVERIFY2(w.ok, qPrintable(w.error));
        QCOMPARE(w.spansWritten, 7);
        QCOMPARE(w.changedTraces.size(), 1u);
        QCOMPARE(w.changedTraces[0], trace);

        QString error;
        const std::vector<Span> read = store->traceSpans(trace, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(read.size(), spans.size());
        std::vector<Span> expected = spans;
        std::stable_sort(expected.begin(), expected.end(), [](const Span& a, const Span& b) {
            return a.startTimeUnixNano != b.startTimeUnixNano ? a.startTimeUnixNano < b.startTimeUnixNano
                                                              : a.spanId < b.spanId;
        });
        for (std::size_t i = 0; i < read.size(); ++i)
            QVERIFY2(spansEqual(read[i], expected[i]), qPrintable(read[i].spanId.toHex()));
        // Spans with the same stored resource share one object.
        QSet<const Resource*> distinct;
        for (const Span& s : read)
            if (s.resource)
                distinct.insert(s.resource.get());
        QCOMPARE(distinct.size(), 2);
        QVERIFY(!read.front().resource); // the bare span starts first

        const auto summary = store->traceSummary(trace);
        QVERIFY(summary);
        QCOMPARE(summary->spanCount, 7);
        QCOMPARE(summary->errorCount, 1);
        QVERIFY(summary->hasRoot);
        QCOMPARE(summary->rootSpanName, QStringLiteral("span 1"));
        QCOMPARE(summary->rootServiceName, QStringLiteral("frontend"));
        QCOMPARE(summary->services, QStringList({ QStringLiteral("backend"), QStringLiteral("frontend") }));
        QCOMPARE(store->services(), QStringList({ QStringLiteral("backend"), QStringLiteral("frontend") }));
        QVERIFY(!store->traceSummary(traceId(0xdead)));
        QVERIFY(store->traceSpans(traceId(0xdead)).empty());

        const auto payloads = store->tracePayloads(trace);
        QCOMPARE(payloads.size(), 1u);
        QCOMPARE(payloads[0].body, QByteArray("body"));
        QCOMPARE(payloads[0].contentType, QStringLiteral("application/x-protobuf"));
        QCOMPARE(payloads[0].peer, QStringLiteral("127.0.0.1:5555"));
        QCOMPARE(payloads[0].spanCount, 7);
        QCOMPARE(payloads[0].receivedAtUnixNano, 1000u);
    }

    void reingestIsIdempotent()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        QByteArray body;
        for (int i = 0; i < 2000; ++i)
            body += QByteArray::number(i * 7919);
        std::vector<IngestItem> batch;
        batch.push_back(item({ makeSpan(traceId(1), 1, 0, QStringLiteral("root"), QStringLiteral("a"), 100, 900),
                               makeSpan(traceId(1), 2, 1, QStringLiteral("child"), QStringLiteral("b"), 200, 300),
                               makeSpan(traceId(2), 3, 0, QStringLiteral("other"), QStringLiteral("a"), 50, 60) },
                             body));
        batch.push_back(item({ makeSpan(traceId(1), 4, 2, QStringLiteral("grandchild"), QStringLiteral("b"), 210, 250) },
                             QByteArray("second request")));
        QVERIFY(store->write(batch).ok);
        const auto before = store->traceSummary(traceId(1));
        QCOMPARE(store->spanCount(), 4);
        QCOMPARE(store->payloadCount(), 2);

        const WriteResult again = store->write(batch);
        QVERIFY2(again.ok, qPrintable(again.error));
        QCOMPARE(store->spanCount(), 4);
        QCOMPARE(store->payloadCount(), 2);
        QCOMPARE(store->traceSpans(traceId(1)).size(), 3u);
        const auto after = store->traceSummary(traceId(1));
        QVERIFY(before && after);
        QCOMPARE(after->spanCount, before->spanCount);
        QCOMPARE(after->startTimeUnixNano, before->startTimeUnixNano);
        QCOMPARE(after->endTimeUnixNano, before->endTimeUnixNano);
        QCOMPARE(after->rootSpanName, before->rootSpanName);
        QCOMPARE(after->services, before->services);
        QCOMPARE(after->hasRoot, before->hasRoot);
        const auto payloads = store->tracePayloads(traceId(1));
        QCOMPARE(payloads.size(), 2u);
        QCOMPARE(payloads[0].body, body);

        // A re-sent span with changed content replaces the stored one and the summary follows.
        Span changed = makeSpan(traceId(1), 2, 1, QStringLiteral("child"), QStringLiteral("c"), 200, 5000);
        changed.statusCode = StatusCode::Error;
        QVERIFY(store->write(items(item({ changed }))).ok);
        const auto replaced = store->traceSummary(traceId(1));
        QCOMPARE(replaced->spanCount, 3);
        QCOMPARE(replaced->errorCount, 1);
        QCOMPARE(replaced->endTimeUnixNano, 5000u);
        QCOMPARE(replaced->services, QStringList({ QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }));
        TraceQuery q;
        q.serviceName = QStringLiteral("c");
        QCOMPARE(store->listTraces(q).size(), 1u);
    }

    void keepsTheLaterCopyOfASpanSentTwiceInOneCall()
    {
        // The writer inserts in (trace, span id) order; a duplicate within one call must still end as the later copy.
        auto store = openStore(freshPath());
        QVERIFY(store);
        std::vector<IngestItem> batch;
        batch.push_back(item({ makeSpan(traceId(7), 9, 0, QStringLiteral("first"), QStringLiteral("a"), 100, 200),
                               makeSpan(traceId(8), 1, 0, QStringLiteral("other"), QStringLiteral("a"), 10, 20) },
                             QByteArray("one")));
        batch.push_back(item({ makeSpan(traceId(7), 9, 0, QStringLiteral("second"), QStringLiteral("b"), 100, 300) },
                             QByteArray("two")));
        const WriteResult result = store->write(batch);
        QVERIFY2(result.ok, qPrintable(result.error));
        const auto spans = store->traceSpans(traceId(7));
        QCOMPARE(spans.size(), 1u);
        QCOMPARE(spans[0].name, QStringLiteral("second"));
        const auto summary = store->traceSummary(traceId(7));
        QVERIFY(summary);
        QCOMPARE(summary->spanCount, 1);
        QCOMPARE(summary->endTimeUnixNano, 300u);
        QCOMPARE(summary->services, QStringList({ QStringLiteral("b") }));
        QCOMPARE(store->tracePayloads(traceId(7)).size(), 2u);
        QCOMPARE(store->tracePayloads(traceId(8)).size(), 1u);
        QCOMPARE(store->spanCount(), 2);
    }

    void readsZlibPayloads()
    {
        // Bodies are stored with zstd now; rows tagged 'zlib' (the earlier format) must still read back.
        const QString path = freshPath();
        QByteArray body;
        for (int i = 0; i < 500; ++i)
            body += "span " + QByteArray::number(i);
        {
            auto store = openStore(path);
            QVERIFY(store);
            QVERIFY(store->write(items(item({ makeSpan(traceId(1), 1, 0, QStringLiteral("root"), QStringLiteral("a"),
                                                        100, 200) },
                                             body)))
                        .ok);
            QCOMPARE(rawQuery(path, "SELECT compression FROM payloads"), QStringLiteral("zstd"));
        }
        const QByteArray zlib = qCompress(body, 1).mid(4); // qCompress: 4-byte size, then a zlib stream
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
        sqlite3_stmt* stmt = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db, "UPDATE payloads SET body = ?1, compression = 'zlib'", -1, &stmt, nullptr),
                 SQLITE_OK);
        sqlite3_bind_blob(stmt, 1, zlib.constData(), int(zlib.size()), SQLITE_STATIC);
        QCOMPARE(sqlite3_step(stmt), SQLITE_DONE);
        sqlite3_finalize(stmt);
        sqlite3_close(db);

        auto store = openStore(path);
        QVERIFY(store);
        const auto payloads = store->tracePayloads(traceId(1));
        QCOMPARE(payloads.size(), 1u);
        QCOMPARE(payloads[0].body, body);
    }

    void lateSpanUpdatesSummary()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        const TraceId t = traceId(5);
        WriteResult w = store->write(
            items(item({ makeSpan(t, 2, 1, QStringLiteral("db query"), QStringLiteral("db"), 2000, 3000),
                         makeSpan(t, 3, 1, QStringLiteral("early child"), QStringLiteral("cache"), 1500, 1600) })));
        QVERIFY(w.ok);
        auto s = store->traceSummary(t);
        QVERIFY(s);
        QVERIFY(!s->hasRoot);
        QCOMPARE(s->rootSpanName, QStringLiteral("early child"));
        QCOMPARE(s->rootServiceName, QStringLiteral("cache"));
        QCOMPARE(s->startTimeUnixNano, 1500u);
        QCOMPARE(s->durationNanos(), 1500u);
        QCOMPARE(s->spanCount, 2);

        w = store->write(items(item({ makeSpan(t, 1, 0, QStringLiteral("GET /"), QStringLiteral("web"), 1000, 5000) })));
        QVERIFY(w.ok);
        QCOMPARE(w.changedTraces, std::vector<TraceId>({ t }));
        s = store->traceSummary(t);
        QVERIFY(s->hasRoot);
        QCOMPARE(s->rootSpanName, QStringLiteral("GET /"));
        QCOMPARE(s->rootServiceName, QStringLiteral("web"));
        QCOMPARE(s->spanCount, 3);
        QCOMPARE(s->startTimeUnixNano, 1000u);
        QCOMPARE(s->durationNanos(), 4000u);
        QCOMPARE(s->services, QStringList({ QStringLiteral("cache"), QStringLiteral("db"), QStringLiteral("web") }));

        // A later span without parent does not displace the earlier root.
        QVERIFY(store->write(items(item({ makeSpan(t, 9, 0, QStringLiteral("late root"), QStringLiteral("x"), 4000, 4100) })))
                    .ok);
        QCOMPARE(store->traceSummary(t)->rootSpanName, QStringLiteral("GET /"));

        // The service filter pages by the trace's current start, which moved when the root arrived.
        TraceQuery q;
        q.serviceName = QStringLiteral("db");
        q.startTimeToUnixNano = 1200;
        QCOMPARE(store->listTraces(q).size(), 1u);
    }

    void countsErrorsAndTokens()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        const TraceId t = traceId(6);
        std::vector<Span> spans;
        for (int i = 1; i <= 5; ++i) {
            Span s = makeSpan(t, i, i == 1 ? 0 : 1, QStringLiteral("chat"), QStringLiteral("agent"), 100 + i, 200);
            s.statusCode = i % 2 ? StatusCode::Error : StatusCode::Unset;
            s.attributes = { { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(100 * i) },
                             { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(i) },
                             { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) } };
            spans.push_back(s);
        }
        spans[4].attributes[1].value = AnyValue::fromString(QStringLiteral("5")); // an integer string counts
        spans[3].attributes[2].value = AnyValue::fromString(QStringLiteral("invoke_agent")); // an agent: not counted
        QVERIFY(store->write(items(item({ spans[0], spans[1], spans[2] }))).ok);
        QVERIFY(store->write(items(item({ spans[3], spans[4] }))).ok);
        const auto s = store->traceSummary(t);
        QCOMPARE(s->errorCount, 3);
        QCOMPARE(s->inputTokens, 1100);
        QCOMPARE(s->outputTokens, 11);
        QCOMPARE(s->llmCalls, 4);
        // The full recompute path (after a replaced span) gives the same sums.
        QVERIFY(store->write(items(item({ spans[0] }))).ok);
        const auto r = store->traceSummary(t);
        QCOMPARE(r->errorCount, 3);
        QCOMPARE(r->inputTokens, 1100);
        QCOMPARE(r->outputTokens, 11);
        QCOMPARE(r->llmCalls, 4);
        QCOMPARE(r->modelUsage, s->modelUsage);
        QCOMPARE(int(r->modelUsage.size()), 1);
        QCOMPARE(r->modelUsage[0].calls, 4);
    }

    void readsSpanOutlinesAndSingleSpans()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        SpanOutlineCheck::writeAndCheck(*store);
    }

    void genAiSummaries()
    {
        const QString path = freshPath();
        {
            auto store = openStore(path);
            QVERIFY(store);
            GenAiSummaryCheck::write(*store);
            if (QTest::currentTestFailed())
                return;
            GenAiSummaryCheck::check(*store);
            if (QTest::currentTestFailed())
                return;
        }
        auto reopened = openStore(path); // the figures are stored, not computed when read
        QVERIFY(reopened);
        GenAiSummaryCheck::check(*reopened);
    }

    void incrementalSummaryMatchesRecompute()
    {
        // The same spans written in shuffled small requests and in one request give identical summaries.
        std::mt19937 rng(42);
        std::vector<Span> spans;
        const QStringList services
            = { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d") };
        for (int t = 1; t <= 20; ++t)
            for (int i = 1; i <= 15; ++i) {
                const std::uint64_t start = 1000 + rng() % 100;
                Span s = makeSpan(traceId(t), t * 100 + i, i == 1 && t % 3 ? 0 : t * 100 + 1, QStringLiteral("op%1").arg(i),
                                  services[int(rng() % 4)], start, start + rng() % 500);
                s.statusCode = rng() % 5 == 0 ? StatusCode::Error : StatusCode::Ok;
                static const char* const operations[] = { "chat", "execute_tool", "invoke_agent", "embeddings", "" };
                static const char* const models[] = { "gpt-4o", "claude", "" };
                s.attributes = { { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(rng() % 50) },
                    { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(rng() % 20) },
                    { QStringLiteral("gen_ai.usage.cache_read.input_tokens"), AnyValue::fromInt(rng() % 5) },
                    { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QString::fromLatin1(operations[rng() % 5])) },
                    { QStringLiteral("gen_ai.request.model"), AnyValue::fromString(QString::fromLatin1(models[rng() % 3])) } };
                if (rng() % 4 == 0)
                    s.attributes.push_back({ QStringLiteral("session.id"), AnyValue::fromString(QStringLiteral("s%1").arg(rng() % 3)) });
                spans.push_back(s);
            }
        auto whole = openStore(freshPath());
        auto pieces = openStore(freshPath());
        QVERIFY(whole && pieces);
        QVERIFY(whole->write(items(item(spans))).ok);
        std::shuffle(spans.begin(), spans.end(), rng);
        for (std::size_t i = 0; i < spans.size(); i += 7)
            QVERIFY(pieces->write(items(item(std::vector<Span>(spans.begin() + qsizetype(i),
                                                               spans.begin() + qsizetype(std::min(i + 7, spans.size()))))))
                        .ok);
        for (int t = 1; t <= 20; ++t) {
            const auto a = whole->traceSummary(traceId(t));
            const auto b = pieces->traceSummary(traceId(t));
            QVERIFY(a && b);
            QCOMPARE(b->rootSpanName, a->rootSpanName);
            QCOMPARE(b->rootServiceName, a->rootServiceName);
            QCOMPARE(b->hasRoot, a->hasRoot);
            QCOMPARE(b->startTimeUnixNano, a->startTimeUnixNano);
            QCOMPARE(b->endTimeUnixNano, a->endTimeUnixNano);
            QCOMPARE(b->spanCount, a->spanCount);
            QCOMPARE(b->errorCount, a->errorCount);
            QCOMPARE(b->services, a->services);
            QCOMPARE(b->inputTokens, a->inputTokens);
            QCOMPARE(b->outputTokens, a->outputTokens);
            QCOMPARE(b->cachedInputTokens, a->cachedInputTokens);
            QCOMPARE(b->llmCalls, a->llmCalls);
            QCOMPARE(b->toolCalls, a->toolCalls);
            QCOMPARE(b->modelUsage, a->modelUsage);
            QCOMPARE(b->conversationId, a->conversationId);
        }
        // The full recompute path (every span re-sent) gives the same figures too.
        QVERIFY(pieces->write(items(item(spans))).ok);
        for (int t = 1; t <= 20; ++t) {
            const auto a = whole->traceSummary(traceId(t));
            const auto b = pieces->traceSummary(traceId(t));
            QVERIFY(a && b);
            QCOMPARE(b->inputTokens, a->inputTokens);
            QCOMPARE(b->llmCalls, a->llmCalls);
            QCOMPARE(b->toolCalls, a->toolCalls);
            QCOMPARE(b->modelUsage, a->modelUsage);
            QCOMPARE(b->conversationId, a->conversationId);
        }
    }

    void ordersByEveryKeyWithKeysetPaging()
    {
        const QString path = freshPath();
        auto store = openStore(path);
        QVERIFY(store);
        QVERIFY(store->write(items(item(TraceOrderingCheck::spans()))).ok);
        TraceOrderingCheck::checkEveryOrder(*store);
        if (QTest::currentTestFailed())
            return;

        // The common orders walk an index instead of sorting every trace.
        const std::pair<const char*, const char*> plans[] = {
            { "max(t.end_time - t.start_time, 0)", "traces_duration" },
            { "t.span_count", "traces_span_count" },
            { "t.error_count", "traces_error_count" },
            { "t.start_time", "traces_start_time" },
            { "t.cost", "traces_cost" },
        };
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        for (const auto& [key, index] : plans) {
            for (const char* direction : { "DESC", "ASC" }) {
                const QByteArray sql = QByteArray("EXPLAIN QUERY PLAN SELECT t.trace_id FROM traces t WHERE (") + key
                    + ", t.trace_id) < (5, x'00') ORDER BY " + key + ' ' + direction + ", t.trace_id " + direction
                    + " LIMIT 10";
                sqlite3_stmt* stmt = nullptr;
                QCOMPARE(sqlite3_prepare_v2(db, sql.constData(), -1, &stmt, nullptr), SQLITE_OK);
                QString plan;
                while (sqlite3_step(stmt) == SQLITE_ROW)
                    plan += QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)))
                        + QLatin1Char('\n');
                sqlite3_finalize(stmt);
                QVERIFY2(plan.contains(QLatin1String(index)), qPrintable(plan));
                QVERIFY2(!plan.contains(QLatin1String("TEMP B-TREE")), qPrintable(plan));
            }
        }
        sqlite3_close(db);
    }

    void costOrderWalksTheKeptPrices()
    {
        const QString path = freshPath();
        auto store = openStore(path);
        QVERIFY(store);
        QVERIFY(store->write(items(item(TraceOrderingCheck::spans()))).ok);
        const std::shared_ptr<const PriceTable> a = TraceOrderingCheck::prices();
        auto changed = std::make_shared<PriceTable>(*a);
        changed->prices[0].outputPerMillion = 40; // gpt-4o*
        changed->prices[4].currency = QStringLiteral("USD"); // claude_x: mixed currencies become a price
        changed->source = QStringLiteral("edited");
        const std::shared_ptr<const PriceTable> b = changed;

        // No prices kept yet: every query prices each trace.
        QCOMPARE(rawQuery(path, "SELECT count(*) FROM cost_prices"), QStringLiteral("0"));
        checkCostOrder(*store, a);
        if (QTest::currentTestFailed())
            return;

        QString error;
        QVERIFY2(store->setCostPrices(*a, &error), qPrintable(error));
        QCOMPARE(rawQuery(path, "SELECT generation || ',' || (repriced_to_seq IS NULL) FROM cost_prices"),
            QStringLiteral("1,1"));
        checkStoredCosts(path, *store, *a);
        checkCostOrder(*store, a);
        checkCostOrder(*store, b); // other prices: priced per query, still right
        if (QTest::currentTestFailed())
            return;
        // The same prices again (from another source, on another date) change nothing.
        PriceTable sameElsewhere = *a;
        sameElsewhere.source = QStringLiteral("elsewhere");
        sameElsewhere.asOf = QStringLiteral("2026-12-05");
        QVERIFY(store->setCostPrices(sameElsewhere, &error));
        QCOMPARE(rawQuery(path, "SELECT generation FROM cost_prices"), QStringLiteral("1"));

        // Writes keep the costs: LLM calls added to stored traces and in new traces.
        QVERIFY(store->write(items(item(moreLlmCalls(3, 1200, 11, 100)))).ok);
        checkStoredCosts(path, *store, *a);
        checkCostOrder(*store, a);
        if (QTest::currentTestFailed())
            return;

        // New prices, repricing stopped before its first chunk: queries price per trace until it is complete; writes
        // in between are kept by the new prices.
        QVERIFY(!store->setCostPrices(*b, &error, [] { return true; }));
        QVERIFY2(error.contains(QLatin1String("cancelled")), qPrintable(error));
        QCOMPARE(rawQuery(path, "SELECT generation || ',' || repriced_to_seq FROM cost_prices"), QStringLiteral("2,0"));
        checkCostOrder(*store, a);
        checkCostOrder(*store, b);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(store->write(items(item(moreLlmCalls(5, 1300, 13, 200)))).ok);
        error.clear();
        QVERIFY2(store->setCostPrices(*b, &error), qPrintable(error));
        QCOMPARE(rawQuery(path, "SELECT generation || ',' || (repriced_to_seq IS NULL) FROM cost_prices"),
            QStringLiteral("2,1"));
        checkStoredCosts(path, *store, *b);
        checkCostOrder(*store, b);
        if (QTest::currentTestFailed())
            return;

        // Another store on the file (another process) keeps other prices: this store's writes follow them.
        {
            auto other = openStore(path);
            QVERIFY(other);
            QVERIFY(other->setCostPrices(*a, &error));
        }
        QVERIFY(store->write(items(item(moreLlmCalls(7, 1400, 17, 300)))).ok);
        checkStoredCosts(path, *store, *a);
        checkCostOrder(*store, a);
        if (QTest::currentTestFailed())
            return;

        // And the stored column is what answers a query by the kept prices (not by other ones).
        const TraceId cheap = TraceOrderingCheck::traceIdOf(1);
        QCOMPARE(rawQuery(path, "UPDATE traces SET cost = 1e12 WHERE seq = 1 RETURNING lower(hex(trace_id))"),
            cheap.toHex());
        TraceQuery top;
        top.order = TraceOrder::Cost;
        top.limit = 1;
        top.prices = a;
        std::vector<TraceSummary> rows = store->listTraces(top);
        QCOMPARE(rows.size(), 1u);
        QCOMPARE(rows[0].traceId, cheap);
        top.prices = b;
        rows = store->listTraces(top);
        QCOMPARE(rows.size(), 1u);
        QVERIFY(rows[0].traceId != cheap);
    }

    void repricesWhileWritingAndReading()
    {
        // 45,000 traces with model usage: three repricing chunks, while another thread writes LLM calls into stored
        // and new traces and this one lists by cost by both tables. Afterwards every cost is the new table's.
        const QString path = freshPath();
        auto store = openStore(path);
        QVERIFY(store);
        const std::shared_ptr<const PriceTable> a = TraceOrderingCheck::prices();
        auto changed = std::make_shared<PriceTable>(*a);
        changed->prices[1].inputPerMillion = 0.5; // gpt-4o-mini*
        const std::shared_ptr<const PriceTable> b = changed;
        QVERIFY(store->setCostPrices(*a));
        constexpr int Traces = 45000;
        for (int first = 1; first <= Traces; first += 5000)
            QVERIFY(store->write(items(item(moreLlmCalls(first + TraceOrderingCheck::Traces, first + TraceOrderingCheck::Traces + 4999, 1, 10)))).ok);

        std::atomic<bool> writing { true };
        QString writeError;
        std::thread writer([&] {
            for (int round = 0; round < 20 && writeError.isEmpty(); ++round) {
                const int base = TraceOrderingCheck::Traces + 1 + round * 97;
                const WriteResult r = store->write(items(item(moreLlmCalls(base, base + Traces + 3000, 1777, 20 + round))));
                if (!r.ok)
                    writeError = r.error;
            }
            writing = false;
        });
        QString priceError;
        bool priced = false;
        std::thread repricer([&] { priced = store->setCostPrices(*b, &priceError); });
        int reads = 0;
        QString readError;
        while (writing && readError.isEmpty()) {
            for (const auto& prices : { a, b }) {
                TraceQuery top;
                top.order = TraceOrder::Cost;
                top.limit = 50;
                top.prices = prices;
                const std::vector<TraceSummary> rows = store->listTraces(top, &readError);
                for (std::size_t i = 1; i < rows.size(); ++i)
                    if (TraceOrdering::before(rows[i], rows[i - 1], TraceOrder::Cost, true, prices.get()))
                        readError = QStringLiteral("rows %1 and %2 out of order").arg(i - 1).arg(i);
                ++reads;
            }
        }
        writer.join();
        repricer.join();
        QVERIFY2(writeError.isEmpty(), qPrintable(writeError));
        QVERIFY2(readError.isEmpty(), qPrintable(readError));
        QVERIFY2(priced, qPrintable(priceError));
        qInfo("%d cost pages read while repricing and writing", reads);
        QCOMPARE(rawQuery(path, "SELECT (repriced_to_seq IS NULL) || ',' || (SELECT count(*) > 45000 FROM traces) FROM cost_prices"),
            QStringLiteral("1,1"));
        checkStoredCosts(path, *store, *b);
        TraceQuery all;
        all.order = TraceOrder::Cost;
        all.limit = 100000;
        all.prices = b;
        const std::vector<TraceSummary> rows = store->listTraces(all);
        QVERIFY(rows.size() > std::size_t(Traces));
        for (std::size_t i = 1; i < rows.size(); ++i)
            QVERIFY(!TraceOrdering::before(rows[i], rows[i - 1], TraceOrder::Cost, true, b.get()));
    }

    void timeSeriesByOneGroupedQuery()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        QVERIFY(store->write(items(item(TraceTimeSeriesCheck::spans()))).ok);
        TraceTimeSeriesCheck::check(*store);
    }

    void operationStatsFromNarrowSpanRows()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        QVERIFY(store->write(items(item(OperationStatsCheck::spans()))).ok);
        OperationStatsCheck::check(*store);
    }

    void listsWithFiltersAndKeysetPaging()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        std::vector<Span> spans;
        // 40 traces; every 4th shares its start with the previous one to exercise the trace id tie-break.
        for (int t = 1; t <= 40; ++t) {
            const std::uint64_t start = 1'000'000 + std::uint64_t(t - (t % 4 == 0 ? 1 : 0)) * 1000;
            Span root = makeSpan(traceId(t), t * 10, 0, QStringLiteral("GET /item/%1").arg(t),
                                 t % 2 ? QStringLiteral("web") : QStringLiteral("api"), start, start + std::uint64_t(t) * 100);
            if (t % 5 == 0)
                root.attributes = { { QStringLiteral("user.email"), AnyValue::fromString(QStringLiteral("Ada@Example.org")) } };
            if (t == 3) {
                AnyValue map;
                map.type = AnyValue::Type::Map;
                map.mapValue = { { QStringLiteral("deep"), AnyValue::fromString(QStringLiteral("NeedleInMap")) } };
                AnyValue array;
                array.type = AnyValue::Type::Array;
                array.arrayValue = { AnyValue::fromInt(12345), AnyValue::fromString(QStringLiteral("Ünïcode")), map };
                root.attributes = { { QStringLiteral("tags"), array } };
            }
            spans.push_back(root);
            Span child = makeSpan(traceId(t), t * 10 + 1, t * 10, QStringLiteral("SELECT"), QStringLiteral("db"),
                                  start + 10, start + 20);
            if (t % 7 == 0) {
                child.statusCode = StatusCode::Error;
                child.resource = resource(QStringLiteral("payments"));
            }
            spans.push_back(child);
        }
        QVERIFY(store->write(items(item(spans))).ok);

        const auto pageAll = [&](TraceQuery q, int pageSize) {
            std::vector<TraceSummary> all;
            q.limit = pageSize;
            for (int guard = 0; guard < 100; ++guard) {
                QString error;
                const auto page = store->listTraces(q, &error);
                if (!error.isEmpty())
                    qWarning() << error;
                all.insert(all.end(), page.begin(), page.end());
                if (int(page.size()) < pageSize)
                    break;
                q.setCursor(page.back());
            }
            return all;
        };
        const auto checkOrder = [](const std::vector<TraceSummary>& v) {
            QSet<TraceId> seen;
            for (std::size_t i = 0; i < v.size(); ++i) {
                if (seen.contains(v[i].traceId))
                    return false;
                seen.insert(v[i].traceId);
                if (i && (v[i].startTimeUnixNano > v[i - 1].startTimeUnixNano
                          || (v[i].startTimeUnixNano == v[i - 1].startTimeUnixNano && !(v[i].traceId < v[i - 1].traceId))))
                    return false;
            }
            return true;
        };

        const auto all = pageAll(TraceQuery(), 7);
        QCOMPARE(all.size(), 40u);
        QVERIFY(checkOrder(all));
        QCOMPARE(all.front().traceId, traceId(40)); // start tie with 39, larger id first
        QCOMPARE(all[1].traceId, traceId(39));

        TraceQuery q;
        q.serviceName = QStringLiteral("web");
        auto r = pageAll(q, 3);
        QCOMPARE(r.size(), 20u);
        QVERIFY(checkOrder(r));
        q.serviceName = QStringLiteral("db"); // not a root service: any service of the trace matches
        QCOMPARE(pageAll(q, 6).size(), 40u - 5u);
        q.serviceName = QStringLiteral("payments");
        r = pageAll(q, 2);
        QCOMPARE(r.size(), 5u);
        QVERIFY(checkOrder(r));
        for (const auto& s : r)
            QVERIFY(s.services.contains(QStringLiteral("payments")));

        TraceQuery errors;
        errors.errorsOnly = true;
        QCOMPARE(pageAll(errors, 2).size(), 5u);

        TraceQuery text;
        text.text = QStringLiteral("ada@EXAMPLE");
        QCOMPARE(pageAll(text, 3).size(), 8u);
        text.text = QStringLiteral("get /item/1");
        QCOMPARE(pageAll(text, 100).size(), 11u); // 1, 10-19
        text.text = QStringLiteral("select");
        QCOMPARE(pageAll(text, 100).size(), 40u);
        text.text = QStringLiteral("needleinmap");
        QCOMPARE(pageAll(text, 100).size(), 1u);
        text.text = QStringLiteral("ÜNÏ");
        QCOMPARE(pageAll(text, 100).size(), 1u);
        text.text = QStringLiteral("12345"); // only string values are searched
        QCOMPARE(pageAll(text, 100).size(), 0u);
        text.text = QStringLiteral("user.email"); // keys are not values
        QCOMPARE(pageAll(text, 100).size(), 0u);
        text.text = QStringLiteral("no such thing");
        QCOMPARE(pageAll(text, 100).size(), 0u);

        TraceQuery duration;
        duration.minDurationNanos = 3000;
        QCOMPARE(pageAll(duration, 4).size(), 11u); // t = 30..40

        TraceQuery range;
        range.startTimeFromUnixNano = 1'000'000 + 10 * 1000;
        range.startTimeToUnixNano = 1'000'000 + 19 * 1000;
        r = pageAll(range, 4);
        QCOMPARE(r.size(), 11u); // 10..19, and 20 which starts at 19000 too
        QVERIFY(checkOrder(r));

        TraceQuery combined;
        combined.serviceName = QStringLiteral("api");
        combined.errorsOnly = true;
        combined.text = QStringLiteral("select");
        r = pageAll(combined, 1);
        QCOMPARE(r.size(), 2u); // 14, 28
        QCOMPARE(r[0].traceId, traceId(28));

        TraceQuery zero;
        zero.limit = 0;
        QVERIFY(store->listTraces(zero).empty());

        // offset: pages of 7 by offset are the same rows as the keyset pages, without gaps or repeats.
        std::vector<TraceSummary> byOffset;
        for (int offset = 0; offset < 50; offset += 7) {
            TraceQuery page;
            page.limit = 7;
            page.offset = offset;
            const auto rows = store->listTraces(page);
            QCOMPARE(int(rows.size()), std::max(0, std::min(7, 40 - offset)));
            byOffset.insert(byOffset.end(), rows.begin(), rows.end());
        }
        QCOMPARE(byOffset.size(), all.size());
        for (std::size_t i = 0; i < all.size(); ++i)
            QCOMPARE(byOffset[i].traceId, all[i].traceId);
        TraceQuery offsetWeb; // with a filter, and counted from the cursor
        offsetWeb.serviceName = QStringLiteral("web");
        offsetWeb.limit = 100;
        const auto webAll = store->listTraces(offsetWeb);
        QCOMPARE(webAll.size(), 20u);
        offsetWeb.limit = 2;
        offsetWeb.offset = 3;
        auto skipped = store->listTraces(offsetWeb);
        QCOMPARE(skipped.size(), 2u);
        QCOMPARE(skipped[0].traceId, webAll[3].traceId);
        QCOMPARE(skipped[1].traceId, webAll[4].traceId);
        offsetWeb.setCursor(webAll[1]);
        skipped = store->listTraces(offsetWeb);
        QCOMPARE(skipped.size(), 2u);
        QCOMPARE(skipped[0].traceId, webAll[5].traceId);
        offsetWeb.offset = 40;
        QVERIFY(store->listTraces(offsetWeb).empty());
    }

    void textFilterMatchesTheSpanScan_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("inside a word") << QStringLiteral("eckou"); // GET /api/Checkout
        QTest::newRow("case folded") << QStringLiteral("CHECKOUT");
        QTest::newRow("non-ASCII folded") << QStringLiteral("STRAßE ÜBER ÄRGER");
        QTest::newRow("no full case folding") << QStringLiteral("STRASSE");
        QTest::newRow("non-ASCII inside") << QStringLiteral("ünï");
        QTest::newRow("astral") << QStringLiteral("a\U0001F600b");
        QTest::newRow("only in a value") << QStringLiteral("acme-prod-eu");
        QTest::newRow("only in a nested value") << QStringLiteral("deepneedle");
        QTest::newRow("only in a name") << QStringLiteral("processpayment");
        QTest::newRow("one character") << QStringLiteral("Q");
        QTest::newRow("two characters") << QStringLiteral("Ay");
        QTest::newRow("two characters, non-ASCII") << QStringLiteral("ßE");
        QTest::newRow("two characters, astral") << QStringLiteral("\U0001F600b");
        QTest::newRow("first batch only") << QStringLiteral("EARLY-bird");
        QTest::newRow("second batch only") << QStringLiteral("late-arrival");
        QTest::newRow("both batches") << QStringLiteral("shared-word");
        QTest::newRow("across two batches") << QStringLiteral("early-bird late-arrival");
        QTest::newRow("across two strings") << QStringLiteral("processpaymentacme");
        QTest::newRow("line of a value") << QStringLiteral("line two");
        QTest::newRow("across lines of a value") << QStringLiteral("one\nline");
        QTest::newRow("replaced span, old text") << QStringLiteral("stale-value");
        QTest::newRow("replaced span, new text") << QStringLiteral("fresh-value");
        QTest::newRow("a key") << QStringLiteral("tenant.name");
        QTest::newRow("an integer") << QStringLiteral("424242");
        QTest::newRow("bytes") << QStringLiteral("bytesneedle");
        QTest::newRow("quotes") << QStringLiteral("say \"hi\"");
        QTest::newRow("FTS syntax") << QStringLiteral("OR NOT *");
        QTest::newRow("nothing") << QStringLiteral("zzzznothing");
    }

    void textFilterMatchesTheSpanScan()
    {
        QFETCH(QString, text);
        // The same spans in a fresh store, and migrated from version 4 (backfilled), give the same answers.
        for (const bool migrated : { false, true }) {
            const QString path = freshPath();
            std::vector<Span> stored = writeTextFilterTraces(path);
            if (migrated) {
                dropVersions5And6(path);
                rawQuery(path, "DELETE FROM schema_migrations WHERE version >= 5");
                QCOMPARE(rawQuery(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'trace_text%'"),
                    QStringLiteral("0"));
            }
            auto store = openStore(path);
            QVERIFY(store);
            QCOMPARE(rawQuery(path, "SELECT max(version) FROM schema_migrations"), QStringLiteral("6"));
            QCOMPARE(rawQuery(path, "SELECT count(*) FROM trace_text WHERE trace_text MATCH '\"pro\"'"),
                QStringLiteral("2")); // backfilled too: ProcessPayment, traces 1 and 6
            const QSet<TraceId> expected = tracesContaining(stored, text);
            for (const TraceOrder order : { TraceOrder::StartTime, TraceOrder::Duration, TraceOrder::Service }) {
                for (const QString& service : { QString(), QStringLiteral("web") }) {
                    TraceQuery query;
                    query.text = text;
                    query.order = order;
                    query.descending = order != TraceOrder::Duration;
                    query.serviceName = service;
                    QString error;
                    const QSet<TraceId> listed = listedTraces(*store, query, 2, &error);
                    QVERIFY2(error.isEmpty(), qPrintable(error));
                    QSet<TraceId> want = expected;
                    if (!service.isEmpty())
                        want.removeIf([&](const TraceId& id) { return !store->traceSummary(id)->services.contains(service); });
                    QCOMPARE(listed, want);
                }
            }
            TraceQuery filter;
            filter.text = text;
            QString error;
            qint64 bucketed = 0;
            for (const TraceTimeBucket& b : store->traceTimeSeries(filter, 1'000'000'000, &error))
                bucketed += b.traces;
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(bucketed, qint64(expected.size()));
        }
    }

    void textFilterAnswersLongTermsFromTheIndex()
    {
        // Emptying the index takes the long terms' answers away, not the short ones' (they scan the spans): so the
        // index is what answers them, and the comparisons above are the index's.
        const QString path = freshPath();
        writeTextFilterTraces(path);
        const QString create = rawQuery(path, "SELECT sql FROM sqlite_master WHERE name = 'trace_text'");
        QVERIFY(create.startsWith(QLatin1String("CREATE VIRTUAL TABLE")));
        rawQuery(path, "DROP TABLE trace_text");
        rawQuery(path, create.toUtf8().constData());
        auto store = openStore(path);
        QVERIFY(store);
        TraceQuery query;
        query.text = QStringLiteral("checkout");
        QVERIFY(store->listTraces(query).empty());
        query.text = QStringLiteral("Q");
        QCOMPARE(store->listTraces(query).size(), 1u);
        query.text = QStringLiteral("ßE");
        QCOMPARE(store->listTraces(query).size(), 1u);
    }

    void textFilterWalksAnOrderForACommonTerm()
    {
        // More candidates than listTraces sorts and checks (HitsFirstMaxRows): it walks the order's index and scans
        // each trace on the way instead. Every 7th trace lacks the term.
        const QString path = freshPath();
        auto store = openStore(path);
        QVERIFY(store);
        std::vector<Span> spans;
        for (int t = 1; t <= 24000; ++t) {
            Span s = makeSpan(randomTraceId(t), 1, 0, t % 7 ? QStringLiteral("Common Op %1").arg(t) : QStringLiteral("rare op"),
                t % 3 ? QStringLiteral("web") : QStringLiteral("api"), 1'000'000 + std::uint64_t(t) * 10,
                1'000'000 + std::uint64_t(t) * 10 + std::uint64_t(t % 100));
            spans.push_back(std::move(s));
        }
        QVERIFY(store->write(items(item(spans))).ok);
        const QSet<TraceId> expected = tracesContaining(spans, QStringLiteral("common op"));
        QCOMPARE(expected.size(), 24000 - 24000 / 7);
        for (const TraceOrder order : { TraceOrder::StartTime, TraceOrder::Duration, TraceOrder::SpanCount }) {
            TraceQuery query;
            query.text = QStringLiteral("COMMON OP");
            query.order = order;
            QString error;
            QCOMPARE(listedTraces(*store, query, 5000, &error), expected);
            QVERIFY2(error.isEmpty(), qPrintable(error));
            query.descending = false;
            query.limit = 5;
            const auto page = store->listTraces(query);
            QCOMPARE(page.size(), 5u);
            for (const TraceSummary& s : page)
                QVERIFY(expected.contains(s.traceId));
        }
    }

    void failedWriteCommitsNothing()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        std::vector<IngestItem> batch;
        batch.push_back(item({ makeSpan(traceId(1), 1, 0, QStringLiteral("ok"), QStringLiteral("fresh-service"), 1, 2) },
                             QByteArray("payload one")));
        Span invalid = makeSpan(traceId(2), 2, 0, QStringLiteral("bad"), QStringLiteral("s"), 1, 2);
        invalid.spanId = SpanId();
        batch.push_back(item({ makeSpan(traceId(2), 3, 0, QStringLiteral("fine"), QStringLiteral("s"), 1, 2), invalid },
                             QByteArray("payload two")));
        const WriteResult w = store->write(batch);
        QVERIFY(!w.ok);
        QVERIFY2(w.error.contains(QLatin1String("invalid")), qPrintable(w.error));
        QVERIFY(w.changedTraces.empty());
        QCOMPARE(store->spanCount(), 0);
        QCOMPARE(store->payloadCount(), 0);
        QVERIFY(store->listTraces(TraceQuery()).empty());
        QVERIFY(store->services().isEmpty());

        // The rolled-back resource rows must not be reused from the writer's cache.
        batch.pop_back();
        const WriteResult ok = store->write(batch);
        QVERIFY2(ok.ok, qPrintable(ok.error));
        const auto spans = store->traceSpans(traceId(1));
        QCOMPARE(spans.size(), 1u);
        QCOMPARE(spans[0].serviceName(), QStringLiteral("fresh-service"));
        QCOMPARE(store->payloadCount(), 1);
    }

    void storesLogRecords()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        TestLogs::checkStoreContract(
            *store, makeSpan(traceId(7), 1, 0, QStringLiteral("op"), QStringLiteral("s"), 1, 2));
        if (QTest::currentTestFailed())
            return;
        // A logs request's body is not kept as a raw payload (the raw view is of spans' requests).
        QCOMPARE(store->payloadCount(), 0);
        IngestItem logs;
        logs.payload.signal = RawPayload::Signal::Logs;
        logs.payload.body = QByteArrayLiteral("{\"resourceLogs\":[]}");
        logs.batch.logs = TestLogs::sample(traceId(8), spanId(1));
        QVERIFY(store->write(items(logs)).ok);
        QCOMPARE(store->payloadCount(), 0);
        QCOMPARE(store->traceLogs(traceId(8)).size(), std::size_t(3));
    }

    void readsWhileWriting()
    {
        auto store = openStore(freshPath());
        QVERIFY(store);
        constexpr int Writes = 60;
        std::atomic<bool> done { false };
        std::atomic<int> readErrors { 0 };
        std::atomic<int> reads { 0 };
        std::atomic<int> inconsistent { 0 };
        QThread* reader = QThread::create([&] {
            while (!done.load()) {
                QString error;
                const auto list = store->listTraces(TraceQuery(), &error);
                if (!error.isEmpty())
                    ++readErrors;
                for (const auto& s : list) {
                    // A committed trace is always complete: 10 spans written in one transaction.
                    const auto spans = store->traceSpans(s.traceId, &error);
                    if (!error.isEmpty())
                        ++readErrors;
                    if (spans.size() != 10 || s.spanCount != 10)
                        ++inconsistent;
                    break;
                }
                ++reads;
            }
        });
        reader->start();
        // On a loaded machine the writes could all be done before the reader runs once: let it start first.
        QTRY_VERIFY_WITH_TIMEOUT(reads.load() > 0, 30000);
        const int readsBefore = reads.load();
        for (int w = 0; w < Writes; ++w) {
            std::vector<Span> spans;
            for (int i = 0; i < 10; ++i)
                spans.push_back(makeSpan(traceId(w + 1), w * 100 + i + 1, i ? w * 100 + 1 : 0, QStringLiteral("op"),
                                         QStringLiteral("svc"), std::uint64_t(w) * 1000 + std::uint64_t(i), 999'999));
            const WriteResult r = store->write(items(item(spans)));
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        done = true;
        reader->wait();
        delete reader;
        QCOMPARE(readErrors.load(), 0);
        QCOMPARE(inconsistent.load(), 0);
        qInfo("%d reads while %d transactions were written", reads.load() - readsBefore, Writes);
        QCOMPARE(store->spanCount(), Writes * 10);
    }

    void walStaysBoundedDuringSustainedWrites()
    {
        // Issue 8: the WAL grew by every frame ever written (hundreds of MB, a 4 KB main file) because the
        // checkpointer's connection never saw the WAL, and a writer that never pauses leaves PASSIVE checkpoints
        // a tail they cannot finish, so the WAL never restarts. Sustained writes in many transactions, with a
        // trace list poller (the query API, the GUI) and a trace loader reading meanwhile.
        const QString path = freshPath();
        const QString walPath = path + QStringLiteral("-wal");
        auto store = openStore(path);
        QVERIFY(store);
        constexpr int Writes = 120;
        constexpr int SpansPerWrite = 2000; // 240,000 spans
        const auto fileSize = [](const QString& file) { return QFileInfo(file).size(); }; // fresh: no stat cache
        std::atomic<bool> done { false };
        std::atomic<qint64> peakWal { 0 };
        std::atomic<int> reads { 0 };
        std::atomic<int> readErrors { 0 };
        const auto notePeak = [&](qint64 size) {
            qint64 seen = peakWal.load();
            while (size > seen && !peakWal.compare_exchange_weak(seen, size)) { }
        };
        QThread* lister = QThread::create([&] {
            while (!done.load()) {
                QString error;
                TraceQuery query;
                query.limit = 50;
                store->listTraces(query, &error);
                if (!error.isEmpty())
                    ++readErrors;
                ++reads;
            }
        });
        QThread* loader = QThread::create([&] {
            while (!done.load()) {
                QString error;
                const auto list = store->listTraces(TraceQuery(), &error);
                if (!list.empty())
                    store->traceSpans(list[std::size_t(reads.load()) % list.size()].traceId, &error);
                if (!error.isEmpty())
                    ++readErrors;
                ++reads;
            }
        });
        QThread* sampler = QThread::create([&] {
            while (!done.load()) {
                notePeak(fileSize(walPath));
                QThread::usleep(500);
            }
        });
        lister->start();
        loader->start();
        sampler->start();

        const auto res = resource(QStringLiteral("load"));
        const auto sc = scope(QStringLiteral("load"));
        // ~250 bytes, so the spans write about twice the WAL limit in all (without checkpoints the WAL ends there)
        const QString statement = QStringLiteral("SELECT o.id, o.customer_id, o.total, o.currency, o.created_at, "
                                                 "l.sku, l.quantity, l.price FROM orders o JOIN order_lines l ON "
                                                 "l.order_id = o.id WHERE o.customer_id = %1 AND o.created_at > "
                                                 "now() - interval '30 days' ORDER BY o.created_at DESC LIMIT 50");
        std::vector<qint64> mainSizes; // after every quarter of the writes
        QElapsedTimer timer;
        timer.start();
        for (int w = 0; w < Writes; ++w) {
            std::vector<Span> spans;
            spans.reserve(SpansPerWrite);
            for (int i = 0; i < SpansPerWrite; ++i) {
                const int n = w * SpansPerWrite + i;
                const int trace = n / 20 + 1;
                Span s = makeSpan(randomTraceId(trace), n + 1, n % 20 ? trace * 20 - 19 : 0,
                    QStringLiteral("GET /orders"), QString(), 1'700'000'000'000'000'000ull + std::uint64_t(n) * 1000,
                    1'700'000'000'000'000'000ull + std::uint64_t(n) * 1000 + 5000);
                s.resource = res;
                s.scope = sc;
                s.attributes = { { QStringLiteral("http.route"), AnyValue::fromString(QStringLiteral("/orders/{id}")) },
                    { QStringLiteral("request.id"), AnyValue::fromString(QStringLiteral("req-%1").arg(n)) },
                    { QStringLiteral("http.status_code"), AnyValue::fromInt(200) },
                    { QStringLiteral("db.statement"), AnyValue::fromString(statement.arg(n)) } };
                spans.push_back(std::move(s));
            }
            const WriteResult r = store->write(items(item(std::move(spans))));
            QVERIFY2(r.ok, qPrintable(r.error));
            notePeak(fileSize(walPath));
            if ((w + 1) % (Writes / 4) == 0)
                mainSizes.push_back(fileSize(path));
        }
        const qint64 writeMs = timer.elapsed();
        done = true;
        for (QThread* t : { lister, loader, sampler }) {
            t->wait();
            delete t;
        }
        const qint64 walAtEnd = fileSize(walPath);
        qInfo("%d spans in %lld ms with %d reads meanwhile; WAL peak %lld bytes, at the end %lld; main file after "
              "each quarter: %lld %lld %lld %lld",
            Writes * SpansPerWrite, writeMs, reads.load(), peakWal.load(), walAtEnd, mainSizes[0], mainSizes[1],
            mainSizes[2], mainSizes[3]);
        QCOMPARE(readErrors.load(), 0);
        QVERIFY(reads.load() > 0);
        QCOMPARE(store->spanCount(), Writes * SpansPerWrite);

        // One write here adds about 2-3 MiB of frames; the allowance is one checkpoint batch on top of the limit.
        constexpr qint64 OneBatch = 8 * 1024 * 1024;
        QVERIFY2(peakWal.load() <= SqliteTraceStore::JournalSizeLimitBytes + OneBatch,
            qPrintable(QStringLiteral("WAL peaked at %1 bytes").arg(peakWal.load())));
        // The spans reach the main file while they arrive, not only when the store closes.
        for (std::size_t i = 1; i < mainSizes.size(); ++i)
            QVERIFY2(mainSizes[i] > mainSizes[i - 1],
                qPrintable(QStringLiteral("main file %1 -> %2 bytes").arg(mainSizes[i - 1]).arg(mainSizes[i])));
        QVERIFY(mainSizes.front() > 4 * 1024 * 1024);
    }

    void measuresWriteThroughput()
    {
        // Not a timed assertion: prints spans/s for 512-span requests with ~10 attributes (tests/benchmarks has
        // the real benchmark). Set SPANSCOPE_STORE_BENCH_SPANS to make it longer.
        const int total = qEnvironmentVariableIntValue("SPANSCOPE_STORE_BENCH_SPANS") > 0
            ? qEnvironmentVariableIntValue("SPANSCOPE_STORE_BENCH_SPANS")
            : 20480;
        const QString path = freshPath();
        auto store = openStore(path);
        QVERIFY(store);
        std::vector<std::shared_ptr<const Resource>> resources;
        for (int i = 0; i < 8; ++i)
            resources.push_back(resource(QStringLiteral("service-%1").arg(i)));
        const auto sc = scope(QStringLiteral("bench"));
        std::vector<std::vector<IngestItem>> requests;
        int n = 0;
        while (n < total) {
            std::vector<Span> spans;
            for (int i = 0; i < 512; ++i, ++n) {
                const int trace = n / 16 + 1;
                Span s = makeSpan(randomTraceId(trace), n + 1, n % 16 ? trace * 16 - 15 : 0, QStringLiteral("HTTP GET /api/v1/orders"),
                                  QString(), 1'700'000'000'000'000'000ull + std::uint64_t(n) * 1000,
                                  1'700'000'000'000'000'000ull + std::uint64_t(n) * 1000 + 5000);
                s.resource = resources[std::size_t(trace % 8)];
                s.scope = sc;
                s.attributes = {
                    { QStringLiteral("http.method"), AnyValue::fromString(QStringLiteral("GET")) },
                    { QStringLiteral("http.route"), AnyValue::fromString(QStringLiteral("/api/v1/orders/{id}")) },
                    { QStringLiteral("http.status_code"), AnyValue::fromInt(200) },
                    { QStringLiteral("net.peer.name"), AnyValue::fromString(QStringLiteral("orders.internal")) },
                    { QStringLiteral("net.peer.port"), AnyValue::fromInt(8080) },
                    { QStringLiteral("user_agent.original"), AnyValue::fromString(QStringLiteral("curl/8.1.2")) },
                    { QStringLiteral("request.id"), AnyValue::fromString(QStringLiteral("req-%1").arg(n)) },
                    { QStringLiteral("retry"), AnyValue::fromBool(false) },
                    { QStringLiteral("latency.ratio"), AnyValue::fromDouble(0.25) },
                    { QStringLiteral("component"), AnyValue::fromString(QStringLiteral("http")) },
                };
                spans.push_back(std::move(s));
            }
            // A protobuf-like body (~290 bytes per span: random ids, repeated keys) so compression costs what it would.
            QByteArray body;
            std::mt19937 rng { std::uint32_t(n) };
            for (int i = 0; i < 512; ++i) {
                for (int k = 0; k < 40; ++k)
                    body.append(char(rng()));
                body += "\x0a\x0bhttp.method\x12\x05\x0a\x03GET\x0a\x0ahttp.route\x12\x15\x0a\x13/api/v1/orders/{id}"
                        "\x0a\x10http.status_code\x12\x03\x18\xc8\x01\x0a\x0dnet.peer.name\x12\x11\x0a\x0forders.internal"
                        "\x0a\x0dnet.peer.port\x12\x03\x18\x90\x3f\x0a\x13user_agent.original\x12\x0c\x0a\x0acurl/8.1.2"
                        "\x0a\x0arequest.id\x12\x0a\x0a\x08req-";
                body += QByteArray::number(n - 512 + i);
                body += "\x0a\x09component\x12\x06\x0a\x04http\x12\x17HTTP GET /api/v1/orders\x18\x02";
            }
            requests.push_back(items(item(std::move(spans), body)));
        }
        // CPU time as well as wall time: the project machine is shared, so wall time depends on its load.
        const auto cpuNow = [] {
            timespec ts {};
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); // includes the payload compression thread
            return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
        };
        QElapsedTimer timer;
        timer.start();
        const qint64 cpuStart = cpuNow();
        for (const auto& r : requests)
            QVERIFY(store->write(r).ok);
        const qint64 cpuNs = std::max<qint64>(1, cpuNow() - cpuStart);
        const qint64 ns = std::max<qint64>(1, timer.nsecsElapsed());
        qInfo("write throughput: %d spans in %lld ms wall = %lld spans/s; %lld ms CPU = %lld spans/s per CPU second", n,
              ns / 1000000, qint64(double(n) * 1e9 / double(ns)), cpuNs / 1000000,
              qint64(double(n) * 1e9 / double(cpuNs)));
        QCOMPARE(store->spanCount(), n);
        const qint64 bytes = QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
        qInfo("file size: %lld bytes per span (database + WAL)", bytes / n);

        const auto timeFirstPage = [&](const char* what, TraceQuery q) {
            QElapsedTimer list;
            list.start();
            const auto page = store->listTraces(q);
            qInfo("first page (%s): %zu rows in %.1f ms", what, page.size(), double(list.nsecsElapsed()) / 1e6);
            return page.size();
        };
        QCOMPARE(timeFirstPage("no filter", TraceQuery()), 200u);
        timeFirstPage("no filter, warm", TraceQuery());
        TraceQuery byService;
        byService.serviceName = QStringLiteral("service-3");
        QVERIFY(timeFirstPage("service", byService) > 0);
        TraceQuery byText;
        byText.text = QStringLiteral("REQ-1");
        timeFirstPage("text", byText);
        TraceQuery slow;
        slow.minDurationNanos = 1;
        timeFirstPage("min duration", slow);
    }
};

QTEST_GUILESS_MAIN(TestSqliteTraceStore)
#include "tst_sqlitetracestore.moc"
