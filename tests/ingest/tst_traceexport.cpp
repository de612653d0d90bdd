#include "ingest/gzip.h"
#include "ingest/traceexporter.h"
#include "ingest/traceimporter.h"
#include "storage/sqlitetracestore.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

namespace {

QString fixture(const QString& relative)
{
    return QStringLiteral(SPANSCOPE_FIXTURES_DIR "/") + relative;
}

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

const char* const s_fixtures[] = {
    "otlp-json/jaeger-otel-traces-01.json", "otlp-json/hotrod-n-plus-one-concurrent.json",
    "otlp-json/genai-agent-trace.json",     "otlp-json/spec-example.json",
    "otlp-json/node-sdk-multi-resource.json", "otlp-protobuf/otlp2parquet-traces.pb",
    "jaeger-json/genai-agent-trace.jaeger.json", "zipkin-json/smartthings-oauth-authorization.json",
};

} // namespace

class TestTraceExport : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteTraceStore> m_source;
    std::vector<Span> m_expected;
    int m_seq = 0;

    std::unique_ptr<SqliteTraceStore> newStore()
    {
        auto store = std::make_unique<SqliteTraceStore>(m_dir.filePath(QStringLiteral("s%1.db").arg(++m_seq)));
        QString error;
        if (!store->open(&error))
            qFatal("%s", qPrintable(error));
        return store;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_source = newStore();
        TraceImporter importer(m_source.get());
        for (const char* f : s_fixtures) {
            const ImportReport r = importer.importFile(fixture(QString::fromLatin1(f)));
            QVERIFY2(r.ok, qPrintable(r.error));
        }
        m_expected = allSpans(m_source.get());
        QCOMPARE(m_expected.size(), std::size_t(4 + 40 + 8 + 1 + 4 + 19 + 57 + 171));
    }

    void roundTrip_data()
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

    void roundTrip()
    {
        QFETCH(int, format);
        QFETCH(bool, pretty);
        QFETCH(bool, gzip);
        ExportOptions options;
        options.format = static_cast<ExportFormat>(format);
        options.pretty = pretty;
        options.gzip = gzip;
        const QString path = m_dir.filePath(QStringLiteral("export%1").arg(++m_seq));
        const ExportReport report = TraceExporter(m_source.get()).exportQuery(TraceQuery(), path, options);
        QVERIFY2(report.ok, qPrintable(report.error));
        QCOMPARE(report.spans, static_cast<qint64>(m_expected.size()));
        QCOMPARE(report.traces, m_source->listTraces(TraceQuery()).size());
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
        QCOMPARE(back.size(), m_expected.size());
        for (std::size_t i = 0; i < back.size(); ++i)
            QVERIFY2(spansEqual(back[i], m_expected[i]),
                     qPrintable(QStringLiteral("span %1 / %2 differs").arg(m_expected[i].traceId.toHex(),
                                                                            m_expected[i].spanId.toHex())));
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
        byService.serviceName = QStringLiteral("auth");
        byService.limit = 1; // pages of one trace
        const ExportReport zipkin
            = TraceExporter(m_source.get()).exportQuery(byService, m_dir.filePath(QStringLiteral("auth.pb")), {});
        QVERIFY(zipkin.ok);
        QCOMPARE(zipkin.traces, 1);
        QCOMPARE(zipkin.spans, 171);
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
