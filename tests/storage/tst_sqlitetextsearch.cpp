#include "storage/sqlitetracestore.h"

#include "storage/spancodec.h"
#include "storage/sqlitetextindex.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>

// The text filter of the SQLite store (TraceQuery::text) with its trigram index (issue 11): the same traces, in the
// same order, whether the index narrows the search or not.
namespace {

constexpr std::uint64_t T0 = 1'700'000'000'000'000'000ull;
constexpr std::uint64_t Ms = 1'000'000ull;
constexpr int Traces = 240;

TraceId traceIdOf(int n) { return TraceId::fromHex(QStringLiteral("%1").arg(n, 32, 16, QLatin1Char('0'))); }
SpanId spanIdOf(int n) { return SpanId::fromHex(QStringLiteral("%1").arg(n, 16, 16, QLatin1Char('0'))); }

std::shared_ptr<const Resource> resourceOf(const QString& service)
{
    auto r = std::make_shared<Resource>();
    r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(service) } };
    return r;
}

Span spanOf(int trace, int id, int parent, const QString& name)
{
    Span s;
    s.traceId = traceIdOf(trace);
    s.spanId = spanIdOf(trace * 100 + id);
    if (parent)
        s.parentSpanId = spanIdOf(trace * 100 + parent);
    s.name = name;
    s.kind = SpanKind::Server;
    s.startTimeUnixNano = T0 + std::uint64_t(trace) * Ms + std::uint64_t(id) * 1000;
    // Durations that do not follow the start, so the duration order differs from the start order.
    s.endTimeUnixNano = s.startTimeUnixNano + std::uint64_t((trace * 7919) % 101 + 1) * Ms;
    s.resource = resourceOf(QStringLiteral("svc-%1").arg(trace % 3));
    return s;
}

// Names, nested attribute values, non-ASCII text (ß has no simple upper case: "GRÖSSE" is not "größe"), numbers that
// are only in integer attributes, and strings that sit next to each other in the index's rows.
std::vector<Span> spansOf(int t)
{
    std::vector<Span> out;
    Span root = spanOf(t, 1, 0, t % 3 == 0 ? QStringLiteral("checkout CART") : QStringLiteral("op-%1").arg(t));
    root.attributes.push_back(
        { QStringLiteral("user"), AnyValue::fromString(QStringLiteral("user-%1").arg(t, 4, 10, QLatin1Char('0'))) });
    root.attributes.push_back({ QStringLiteral("count"), AnyValue::fromInt(90000 + t) });
    if (t % 7 == 0)
        root.attributes.push_back(
            { QStringLiteral("http.route"), AnyValue::fromString(QStringLiteral("/api/Größe/{id}")) });
    if (t % 11 == 0)
        root.attributes.push_back({ QStringLiteral("msg"), AnyValue::fromString(QStringLiteral("ÄRGER im System")) });
    out.push_back(root);
    if (t % 2 == 0) {
        Span child = spanOf(t, 2, 1, QStringLiteral("SELECT items"));
        if (t % 13 == 0)
            child.attributes.push_back({ QStringLiteral("ru"), AnyValue::fromString(QStringLiteral("Привет мир")) });
        if (t % 5 == 0) {
            AnyValue list;
            list.type = AnyValue::Type::Array;
            list.arrayValue = { AnyValue::fromString(QStringLiteral("alpha")),
                AnyValue::fromString(QStringLiteral("BETA-%1").arg(t)) };
            AnyValue map;
            map.type = AnyValue::Type::Map;
            map.mapValue = { { QStringLiteral("needlekey"), AnyValue::fromString(QStringLiteral("deepValue")) } };
            child.attributes.push_back({ QStringLiteral("list"), list });
            child.attributes.push_back({ QStringLiteral("map"), map });
        }
        out.push_back(child);
    }
    return out;
}

// What TraceQuery::text means, from the spans themselves: a span name or a string attribute value contains the
// needle after SpanCodec's search folding.
bool spanMatches(const Span& s, const QString& needle)
{
    const std::string folded = SpanCodec::searchFolded(needle);
    if (SpanCodec::searchFolded(s.name).find(folded) != std::string::npos)
        return true;
    std::string encoded;
    SpanCodec::appendAttributes(encoded, s.attributes);
    return SpanCodec::attributesContain(encoded.data(), qsizetype(encoded.size()), folded);
}

std::vector<TraceSummary> pageAll(TraceStore& store, TraceQuery query, int pageSize)
{
    std::vector<TraceSummary> all;
    query.limit = pageSize;
    for (int guard = 0; guard <= Traces; ++guard) {
        QString error;
        const std::vector<TraceSummary> page = store.listTraces(query, &error);
        if (!error.isEmpty())
            qWarning() << error;
        all.insert(all.end(), page.begin(), page.end());
        if (int(page.size()) < pageSize)
            break;
        query.setCursor(page.back());
    }
    return all;
}

QStringList ids(const std::vector<TraceSummary>& rows)
{
    QStringList out;
    for (const TraceSummary& s : rows)
        out.append(s.traceId.toHex());
    return out;
}

bool writeAll(SqliteTraceStore& store, const std::vector<Span>& spans)
{
    IngestItem item;
    item.batch.spans = spans;
    store.prepare(item);
    const WriteResult r = store.write({ item });
    if (!r.ok)
        qWarning() << r.error;
    return r.ok;
}

qint64 scalar(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    qint64 value = -1;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
            value = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return value;
}

bool execSql(const QString& path, const char* sql)
{
    sqlite3* db = nullptr;
    bool ok = sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK
        && sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    if (!ok)
        qWarning() << sqlite3_errmsg(db);
    sqlite3_close(db);
    return ok;
}

} // namespace

class TestSqliteTextSearch : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::vector<Span> m_spans;

    QString freshStore(const char* name)
    {
        const QString path = m_dir.filePath(QString::fromLatin1(name));
        SqliteTraceStore store(path);
        QString error;
        if (!store.open(&error) || !writeAll(store, m_spans))
            qWarning() << error;
        return path;
    }

    // Pages through the store's answer for `needle` with every way the store has of answering (no index, the index's
    // candidates, the index too broad), by start and by duration, and compares it with the spans' own answer.
    void checkNeedles(SqliteTraceStore& store, const std::vector<Span>& spans, const QStringList& needles)
    {
        TraceQuery everything;
        everything.limit = 10 * Traces;
        const std::vector<TraceSummary> all = store.listTraces(everything);
        QVERIFY(!all.empty());
        for (const QString& needle : needles) {
            QSet<TraceId> matching;
            for (const Span& s : spans)
                if (spanMatches(s, needle))
                    matching.insert(s.traceId);
            for (const TraceOrder order : { TraceOrder::StartTime, TraceOrder::Duration }) {
                for (const bool descending : { true, false }) {
                    std::vector<TraceSummary> expected;
                    for (const TraceSummary& s : all)
                        if (matching.contains(s.traceId))
                            expected.push_back(s);
                    std::sort(expected.begin(), expected.end(), [&](const TraceSummary& a, const TraceSummary& b) {
                        return TraceOrdering::before(a, b, order, descending);
                    });
                    // no index; scan past any candidate; walk with candidates; sort candidates; the defaults
                    // (the scan first, which here always finishes in time)
                    const std::tuple<int, int, int> limits[]
                        = { { -1, 0, 0 }, { 0, 0, 0 }, { 1'000'000, 0, 0 }, { 1'000'000, 1'000'000, 0 },
                              { SqliteTraceStore::DefaultTextCandidateLimit, SqliteTraceStore::DefaultTextSortLimit,
                                  SqliteTraceStore::DefaultTextScanFirstMs } };
                    for (const auto& [candidates, sorted, scanFirst] : limits) {
                        store.setTextIndexLimits(candidates, sorted, scanFirst);
                        TraceQuery q;
                        q.text = needle;
                        q.order = order;
                        q.descending = descending;
                        const QStringList got = ids(pageAll(store, q, 7));
                        if (got != ids(expected))
                            QFAIL(qPrintable(QStringLiteral("needle \"%1\", order %2 %3, limits %4/%5: got %6 "
                                                            "traces, expected %7")
                                                 .arg(needle)
                                                 .arg(int(order))
                                                 .arg(descending ? QStringLiteral("desc") : QStringLiteral("asc"))
                                                 .arg(candidates)
                                                 .arg(sorted)
                                                 .arg(got.size())
                                                 .arg(expected.size())));
                    }
                }
            }
        }
        store.setTextIndexLimits(SqliteTraceStore::DefaultTextCandidateLimit, SqliteTraceStore::DefaultTextSortLimit);
    }

    static QStringList needles()
    {
        return { QStringLiteral("a"), QStringLiteral("Ö"), QStringLiteral("ar"), QStringLiteral("Är"),
            QStringLiteral("user-01"), QStringLiteral("USER-0042"), QStringLiteral("größe"), QStringLiteral("GRÖßE"),
            QStringLiteral("GRÖSSE"), QStringLiteral("ärger"), QStringLiteral("ÄRGER IM"), QStringLiteral("привет"),
            QStringLiteral("ПРИВЕТ МИР"), QStringLiteral("deepvalue"), QStringLiteral("beta-1"),
            QStringLiteral("alpha"), QStringLiteral("checkout cart"), QStringLiteral("op-1"),
            // across a name and the next string of its span in the index's row: never a match
            QStringLiteral("cart\nuser"), QStringLiteral("cartuser"),
            // only in integer attributes or keys: never a match
            QStringLiteral("90042"), QStringLiteral("needlekey"), QStringLiteral("no such thing"),
            QStringLiteral("\"quoted\"") };
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        for (int t = 1; t <= Traces; ++t)
            for (Span& s : spansOf(t))
                m_spans.push_back(std::move(s));
    }

    void helpers()
    {
        QVERIFY(!SqliteTextIndex::canNarrow("ab"));
        QVERIFY(!SqliteTextIndex::canNarrow(SpanCodec::searchFolded(QStringLiteral("äö"))));
        QVERIFY(SqliteTextIndex::canNarrow(SpanCodec::searchFolded(QStringLiteral("äöü"))));
        QCOMPARE(SqliteTextIndex::matchExpression("ab"), std::string());
        QCOMPARE(SqliteTextIndex::matchExpression("aaaa"), std::string("\"aaa\""));
        QCOMPARE(SqliteTextIndex::matchExpression("abcdefg"),
            std::string("\"abc\" AND \"bcd\" AND \"cde\" AND \"def\" AND \"efg\""));
        QCOMPARE(SqliteTextIndex::matchExpression("a\"bc"), std::string("\"a\"\"b\" AND \"\"\"bc\""));
        QCOMPARE(SqliteTextIndex::matchExpression(SpanCodec::searchFolded(QStringLiteral("ÄRGER"))),
            QStringLiteral("\"ärg\" AND \"rge\" AND \"ger\"").toStdString());
        // Duplicates inside one trace add nothing.
        SqliteTextIndex::SearchText text;
        std::string records;
        SqliteTextIndex::appendRecord(records, "Alpha", 5);
        SqliteTextIndex::appendRecord(records, "beta", 4);
        SqliteTextIndex::appendRecord(records, "ALPHA", 5);
        text.addRecords(records);
        text.add("beta");
        QCOMPARE(text.text(), std::string("alpha\nbeta"));
    }

    void sameResultsWithAndWithoutIndex()
    {
        SqliteTraceStore store(freshStore("same.db"));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        // Every trace with a string has one row.
        QCOMPARE(scalar(store.filePath(), "SELECT count(DISTINCT rowid >> 20) FROM trace_text"), qint64(Traces));
        checkNeedles(store, m_spans, needles());
        if (QTest::currentTestFailed())
            return;
        // A service filter combined with the index's candidates.
        TraceQuery q;
        q.text = QStringLiteral("user-01");
        q.serviceName = QStringLiteral("svc-1");
        store.setTextIndexLimits(1'000'000, 1'000'000, 0);
        const QStringList sorted = ids(pageAll(store, q, 5));
        store.setTextIndexLimits(1'000'000, 0, 0);
        const QStringList walked = ids(pageAll(store, q, 5));
        store.setTextIndexLimits(-1, 0, 0);
        const QStringList scanned = ids(pageAll(store, q, 5));
        QVERIFY(!scanned.isEmpty());
        QCOMPARE(sorted, scanned);
        QCOMPARE(walked, scanned);
        // The query API's offset counts matches only.
        for (const int sortLimit : { 1'000'000, 0 }) {
            store.setTextIndexLimits(1'000'000, sortLimit, 0);
            TraceQuery skipped = q;
            skipped.offset = 3;
            skipped.limit = 4;
            QCOMPARE(ids(store.listTraces(skipped)), scanned.mid(3, 4));
        }
    }

    void laterWritesAddMatches()
    {
        SqliteTraceStore store(freshStore("later.db"));
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        store.setTextIndexLimits(1'000'000, 1'000'000, 0);
        TraceQuery q;
        q.text = QStringLiteral("latecomer");
        QVERIFY(store.listTraces(q).empty());

        // A new span in a stored trace, and a stored span sent again with a new value.
        std::vector<Span> spans = m_spans;
        Span late = spanOf(17, 9, 1, QStringLiteral("LATECOMER span"));
        Span resent = spansOf(18).front();
        resent.attributes.push_back(
            { QStringLiteral("note"), AnyValue::fromString(QStringLiteral("a Latecomer value")) });
        QVERIFY(writeAll(store, { late }));
        QVERIFY(writeAll(store, { resent }));
        spans.push_back(late);
        for (Span& s : spans)
            if (s.traceId == resent.traceId && s.spanId == resent.spanId)
                s = resent;
        const std::vector<TraceSummary> found = store.listTraces(q);
        QCOMPARE(found.size(), std::size_t(2));
        QCOMPARE(scalar(store.filePath(),
                     "SELECT count(*) FROM trace_text WHERE rowid >> 20 = "
                     "(SELECT seq FROM traces WHERE trace_id = x'00000000000000000000000000000011')"),
            qint64(2));
        checkNeedles(
            store, spans, { QStringLiteral("latecomer"), QStringLiteral("LATECOMER SP"), QStringLiteral("op-17") });
    }

    void deletedTracesLeaveTheIndex()
    {
        const QString path = freshStore("delete.db");
        const qint64 rows = scalar(path, "SELECT count(*) FROM trace_text");
        QVERIFY(rows >= Traces);
        // Trace 21 (user-0021) goes, as a retention pass would remove it: its summary row and its spans.
        QVERIFY(execSql(path,
            "DELETE FROM spans WHERE trace_seq = (SELECT seq FROM traces WHERE trace_id = "
            "x'00000000000000000000000000000015'); "
            "DELETE FROM traces WHERE trace_id = x'00000000000000000000000000000015'"));
        QCOMPARE(scalar(path, "SELECT count(*) FROM trace_text"), rows - 1);
        SqliteTraceStore store(path);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        for (const int limit : { -1, 1'000'000 }) {
            store.setTextIndexLimits(limit, limit, 0);
            TraceQuery q;
            q.text = QStringLiteral("user-002");
            const QStringList found = ids(store.listTraces(q));
            QCOMPARE(found.size(), 9); // user-0020 ... user-0029 but 21
            QVERIFY(!found.contains(traceIdOf(21).toHex()));
        }
    }

    void migrationBackfillsOlderStores()
    {
        // A store at schema version 4 holding spans: the text index's table, trigger and indexes removed, as the
        // previous release left files.
        const QString path = freshStore("old.db");
        QVERIFY(execSql(path,
            "DROP TRIGGER traces_delete_text; DROP TABLE trace_text; DROP INDEX traces_root_service; "
            "DROP INDEX traces_root_name; DROP INDEX traces_tokens; DROP INDEX traces_llm_calls; "
            "DROP INDEX traces_tool_calls; DROP INDEX traces_input_tokens; "
            "DROP INDEX traces_output_tokens; DELETE FROM schema_migrations WHERE version = 5"));
        QCOMPARE(scalar(path, "SELECT max(version) FROM schema_migrations"), qint64(4));
        QCOMPARE(scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'trace_text'"), qint64(0));

        SqliteTraceStore store(path);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        QCOMPARE(scalar(path, "SELECT max(version) FROM schema_migrations"), qint64(5));
        QCOMPARE(scalar(path, "SELECT count(*) FROM trace_text"), qint64(Traces));
        checkNeedles(store, m_spans, needles());
    }
};

QTEST_GUILESS_MAIN(TestSqliteTextSearch)
#include "tst_sqlitetextsearch.moc"
