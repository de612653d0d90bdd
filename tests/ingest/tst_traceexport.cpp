#include "ingest/codec/gzip.h"
#include "ingest/files/traceexporter.h"
#include "ingest/files/traceimporter.h"
#include "storage/sqlitetracestore.h"

#include "../common/testdata.h"
#include "../common/testlogs.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {

std::vector<Span> allSpans(TraceStore* store)
{
    std::vector<Span> out;
    TraceQuery q;
    q.limit = 1000;
    for (const TraceSummary& t : store->listTraces(q))
        for (Span& s : store->traceSpans(t.traceId))
            out.push_back(std::move(s));
    std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) {
        return std::tie(a.traceId, a.spanId) < std::tie(b.traceId, b.spanId);
    });
    return out;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// OTLP, protobuf, Jaeger and Zipkin inputs together (tests/data/), and the same mix from the conformance corpus.
const char* const s_files[] = {
    "otlp-json/payments-two-traces.json",
    "otlp-json/checkout-fanout.json",
    "otlp-json/trip-planner-agent.json",
    "otlp-json/checkout-single-span.json",
    "otlp-json/storefront-multi-resource.json",
    "otlp-protobuf/shop-grpc.pb",
    "jaeger-json/helpdesk-agent.jaeger.json",
    "zipkin-json/gateway-login.json",
};

const char* const s_conformanceFiles[] = {
    "otlp-json/jaeger-otel-traces-01.json",
    "otlp-json/hotrod-n-plus-one-concurrent.json",
    "otlp-json/genai-agent-trace.json",
    "otlp-json/spec-example.json",
    "otlp-json/node-sdk-multi-resource.json",
    "otlp-protobuf/otlp2parquet-traces.pb",
    "jaeger-json/genai-agent-trace.jaeger.json",
    "zipkin-json/smartthings-oauth-authorization.json",
};

} // namespace

class TestTraceExport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteTraceStore> m_source;
    std::vector<Span> m_expected;
    std::unique_ptr<SqliteTraceStore> m_conformanceSource; // filled by the first conformance row
    std::vector<Span> m_conformanceExpected;
    int m_seq = 0;

    std::unique_ptr<SqliteTraceStore> newStore()
    {
        auto store = std::make_unique<SqliteTraceStore>(m_dir.filePath(QStringLiteral("s%1.db").arg(++m_seq)));
        QString error;
        if (!store->open(&error))
            qFatal("%s", qPrintable(error));
        return store;
    }

    static void formats()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<bool>("pretty");
        QTest::addColumn<bool>("gzip");
        QTest::newRow("json") << int(ExportFormat::OtlpJson) << false << false;
        QTest::newRow("json pretty") << int(ExportFormat::OtlpJson) << true << false;
        QTest::newRow("json gzip") << int(ExportFormat::OtlpJson) << false << true;
        QTest::newRow("json pretty gzip") << int(ExportFormat::OtlpJson) << true << true;
        QTest::newRow("jsonl") << int(ExportFormat::OtlpJsonLines) << false << false;
        QTest::newRow("jsonl gzip") << int(ExportFormat::OtlpJsonLines) << false << true;
        QTest::newRow("proto") << int(ExportFormat::OtlpProtobuf) << false << false;
        QTest::newRow("proto gzip") << int(ExportFormat::OtlpProtobuf) << false << true;
    }

    /// Exports `source` in one format, imports the file into a fresh store and compares with `expected`.
    void checkRoundTrip(SqliteTraceStore* source, const std::vector<Span>& expected, int format, bool pretty, bool gzip)
    {
        ExportOptions options;
        options.format = static_cast<ExportFormat>(format);
        options.pretty = pretty;
        options.gzip = gzip;
        const QString path = m_dir.filePath(QStringLiteral("export%1").arg(++m_seq));
        const ExportReport report = TraceExporter(source).exportQuery(TraceQuery(), path, options);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.spans, static_cast<qint64>(expected.size()));
        QCOMPARE(report.traces, source->listTraces(TraceQuery()).size());
        QCOMPARE(report.bytes, QFileInfo(path).size());

        const QByteArray raw = readAll(path);
        QCOMPARE(Gzip::looksGzipped(raw), gzip);
        QByteArray plain = raw;
        if (gzip)
            QCOMPARE(Gzip::inflate(raw, qint64(1) << 30, &plain), Gzip::Status::Ok);
        if (options.format == ExportFormat::OtlpJson) {
            QJsonParseError e;
            QJsonDocument::fromJson(plain, &e);
            QCOMPARE(e.error, QJsonParseError::NoError);
            QCOMPARE(plain.count('\n') > 10, pretty);
        }
        if (options.format == ExportFormat::OtlpJsonLines)
            QCOMPARE(static_cast<qint64>(plain.count('\n')), report.traces);

        auto target = newStore();
        const ImportReport imported = TraceImporter(target.get()).importFile(path);
        QVERIFY2(imported.ok, qPrintable(imported.error));
        const std::vector<Span> back = allSpans(target.get());
        QCOMPARE(back.size(), expected.size());
        for (std::size_t i = 0; i < back.size(); ++i)
            QVERIFY2(spansEqual(back[i], expected[i]),
                qPrintable(QStringLiteral("span %1 / %2 differs")
                               .arg(expected[i].traceId.toHex(), expected[i].spanId.toHex())));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_source = newStore();
        TraceImporter importer(m_source.get());
        for (const char* f : s_files) {
            SPANSCOPE_TEST_FILE(path, QString::fromLatin1(f));
            const ImportReport r = importer.importFile(path);
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        m_expected = allSpans(m_source.get());
        QCOMPARE(m_expected.size(), std::size_t(4 + 22 + 8 + 1 + 4 + 16 + 12 + 9));
    }

    void roundTrip_data() { formats(); }
    void roundTrip()
    {
        QFETCH(int, format);
        QFETCH(bool, pretty);
        QFETCH(bool, gzip);
        checkRoundTrip(m_source.get(), m_expected, format, pretty, gzip);
    }

    void conformanceRoundTrip_data() { formats(); }
    void conformanceRoundTrip()
    {
        QFETCH(int, format);
        QFETCH(bool, pretty);
        QFETCH(bool, gzip);
        SPANSCOPE_REQUIRE_CONFORMANCE();
        if (!m_conformanceSource) {
            auto source = newStore();
            TraceImporter importer(source.get());
            for (const char* f : s_conformanceFiles) {
                SPANSCOPE_TEST_FILE(path, TestData::conformanceFile(f));
                const ImportReport r = importer.importFile(path);
                QVERIFY2(r.ok, qPrintable(r.error));
            }
            m_conformanceExpected = allSpans(source.get());
            QCOMPARE(m_conformanceExpected.size(), std::size_t(4 + 40 + 8 + 1 + 4 + 19 + 57 + 171));
            m_conformanceSource = std::move(source);
        }
        checkRoundTrip(m_conformanceSource.get(), m_conformanceExpected, format, pretty, gzip);
    }

    void gzipReadableByGzip()
    {
        // The .gz the exporter writes is what gzip(1) reads: `gzip -t` accepts it and `gzip -dc` gives exactly the
        // uncompressed export of the same query.
        const QString gzipTool = QStandardPaths::findExecutable(QStringLiteral("gzip"));
        if (gzipTool.isEmpty())
            QSKIP("no gzip on PATH");
        for (const ExportFormat format : { ExportFormat::OtlpJson, ExportFormat::OtlpJsonLines }) {
            ExportOptions options;
            options.format = format;
            const QString plainPath = m_dir.filePath(QStringLiteral("plain%1").arg(++m_seq));
            QVERIFY(TraceExporter(m_source.get()).exportQuery(TraceQuery(), plainPath, options).ok);
            options.gzip = true;
            const QString gzPath = m_dir.filePath(QStringLiteral("export%1.gz").arg(++m_seq));
            const ExportReport report = TraceExporter(m_source.get()).exportQuery(TraceQuery(), gzPath, options);
            QVERIFY2(report.ok, qPrintable(report.error));
            QProcess test;
            test.start(gzipTool, { QStringLiteral("-t"), gzPath });
            QVERIFY(test.waitForFinished());
            QCOMPARE(test.exitCode(), 0);
            QProcess unzip;
            unzip.start(gzipTool, { QStringLiteral("-dc"), gzPath });
            QVERIFY(unzip.waitForFinished());
            QCOMPARE(unzip.exitCode(), 0);
            QCOMPARE(unzip.readAllStandardOutput(), readAll(plainPath));
        }
    }

    void selectionAndService()
    {
        const std::vector<TraceSummary> traces = m_source->listTraces(TraceQuery());
        QVERIFY(traces.size() > 3);
        const std::vector<TraceId> ids { traces[1].traceId, traces[3].traceId };
        const QString path = m_dir.filePath(QStringLiteral("two.jsonl"));
        ExportOptions options;
        options.format = ExportFormat::OtlpJsonLines;
        const ExportReport report = TraceExporter(m_source.get()).exportTraces(ids, path, options);
        QVERIFY(report.ok);
        QCOMPARE(report.traces, 2);
        QCOMPARE(report.spans, traces[1].spanCount + traces[3].spanCount);

        TraceQuery byService;
        byService.serviceName = QStringLiteral("auth"); // only in the Zipkin trace
        byService.limit = 1; // pages of one trace
        const ExportReport zipkin
            = TraceExporter(m_source.get()).exportQuery(byService, m_dir.filePath(QStringLiteral("auth.pb")), {});
        QVERIFY(zipkin.ok);
        QCOMPARE(zipkin.traces, 1);
        QCOMPARE(zipkin.spans, 9);
    }

    // OTLP JSON Lines carry a trace's log records as resourceLogs lines after its spans, as the Collector's file
    // exporter writes both signals; importing such a file stores them again (issue 9 §3).
    void logRecordsRoundTripThroughJsonLines()
    {
        auto source = newStore();
        const std::vector<Span> spans = m_source->traceSpans(m_expected.front().traceId);
        QVERIFY(!spans.empty());
        const TraceId trace = spans.front().traceId;
        IngestItem item;
        item.batch.spans = spans;
        item.batch.logs = TestLogs::sample(trace, spans.front().spanId);
        item.payload.body = "{}";
        item.payload.contentType = QStringLiteral("application/json");
        QVERIFY(source->write({ item }).ok);
        std::vector<LogRecord> expected = source->traceLogs(trace);
        QVERIFY(expected.size() >= 2);
        QVERIFY(expected.size() < item.batch.logs.size()); // the record without trace context is no trace's

        for (const bool gzip : { false, true }) {
            ExportOptions options;
            options.format = ExportFormat::OtlpJsonLines;
            options.gzip = gzip;
            const QString path = m_dir.filePath(QStringLiteral("logs%1.jsonl").arg(++m_seq));
            const ExportReport report = TraceExporter(source.get()).exportTraces({ trace }, path, options);
            QVERIFY2(report.ok, qPrintable(report.error));
            QCOMPARE(report.logRecords, qint64(expected.size()));
            QByteArray plain = readAll(path);
            if (gzip)
                QCOMPARE(Gzip::inflate(readAll(path), qint64(1) << 30, &plain), Gzip::Status::Ok);
            const QList<QByteArray> lines = plain.trimmed().split('\n');
            QCOMPARE(lines.size(), 2);
            QVERIFY(lines[0].startsWith("{\"resourceSpans\""));
            QVERIFY(lines[1].startsWith("{\"resourceLogs\""));

            auto target = newStore();
            const ImportReport imported = TraceImporter(target.get()).importFile(path);
            QVERIFY2(imported.ok, qPrintable(imported.error));
            QCOMPARE(imported.spansImported, qint64(spans.size()));
            QCOMPARE(imported.logRecordsImported, qint64(expected.size()));
            QCOMPARE(imported.nonTraceLines, 0);
            const std::vector<LogRecord> back = target->traceLogs(trace);
            QCOMPARE(back.size(), expected.size());
            for (std::size_t i = 0; i < back.size(); ++i)
                QVERIFY2(logRecordsEqual(back[i], expected[i]), qPrintable(QStringLiteral("log record %1 differs").arg(i)));
        }
        // The single-request formats have no place for log records: they export the spans only.
        ExportOptions json;
        json.format = ExportFormat::OtlpJson;
        const ExportReport spansOnly
            = TraceExporter(source.get()).exportTraces({ trace }, m_dir.filePath(QStringLiteral("spans-only.json")), json);
        QVERIFY(spansOnly.ok);
        QCOMPARE(spansOnly.logRecords, 0);
    }

    void cancelLeavesNoFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("cancelled.json"));
        ExportOptions options;
        int polls = 0;
        options.cancelRequested = [&polls] { return ++polls > 2; };
        const ExportReport report = TraceExporter(m_source.get()).exportQuery(TraceQuery(), path, options);
        QVERIFY(!report.ok);
        QVERIFY(report.cancelled);
        QVERIFY(!QFile::exists(path));
    }

    void emptyExport()
    {
        auto empty = newStore();
        const QString path = m_dir.filePath(QStringLiteral("empty.json"));
        const ExportReport report = TraceExporter(empty.get()).exportQuery(TraceQuery(), path, {});
        QVERIFY(report.ok);
        QCOMPARE(report.traces, 0);
        QCOMPARE(readAll(path), QByteArray("{\"resourceSpans\":[]}"));
    }

    void formatNames()
    {
        bool gz = false;
        QCOMPARE(TraceExporter::formatForFileName(QStringLiteral("a.binpb.gz"), &gz), ExportFormat::OtlpProtobuf);
        QVERIFY(gz);
        QCOMPARE(TraceExporter::formatForFileName(QStringLiteral("a.jsonl"), &gz), ExportFormat::OtlpJsonLines);
        QVERIFY(!gz);
        ExportFormat f;
        QVERIFY(TraceExporter::parseFormat(QStringLiteral("otlp-proto"), &f));
        QCOMPARE(f, ExportFormat::OtlpProtobuf);
        QVERIFY(!TraceExporter::parseFormat(QStringLiteral("xml"), &f));
    }
};

QTEST_GUILESS_MAIN(TestTraceExport)
#include "tst_traceexport.moc"
