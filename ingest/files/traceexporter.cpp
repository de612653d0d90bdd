#include "ingest/files/traceexporter.h"

#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "model/gzipdeflater.h"
#include "storage/tracestore.h"

#include <QFileInfo>
#include <QSaveFile>

#include <memory>

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

} // namespace

/// QSaveFile, optionally through a streaming gzip deflater, plus the framing of one OTLP/JSON request.
class TraceExporter::Writer {
public:
    Writer(const QString& path, const ExportOptions& options)
        : m_file(path)
        , m_options(options)
    {
    }

    bool open(QString* error)
    {
        if (!m_file.open(QIODevice::WriteOnly)) {
            *error = m_file.errorString();
            return false;
        }
        if (m_options.gzip) {
            m_deflater = std::make_unique<GzipDeflater>(6);
            if (m_deflater->failed()) {
                *error = m_deflater->errorString();
                return false;
            }
        }
        return true;
    }

    /// The trace's log records as one ExportLogsServiceRequest line (JSON Lines only: the single-request formats
    /// have no place for them). Nothing for an empty list.
    bool writeLogs(const std::vector<LogRecord>& logs)
    {
        if (logs.empty() || m_options.format != ExportFormat::OtlpJsonLines)
            return true;
        return write(OtlpJsonCodec::encodeLogsRequest(logs, false).append('\n'));
    }

    bool writeTrace(const std::vector<Span>& spans)
    {
        switch (m_options.format) {
        case ExportFormat::OtlpProtobuf:
            return write(OtlpProtobufCodec::encodeRequest(spans));
        case ExportFormat::OtlpJsonLines:
            return write(OtlpJsonCodec::encodeRequest(spans, false).append('\n'));
        case ExportFormat::OtlpJson:
            break;
        }
        // Splice the resourceSpans entries of each trace's request into one request.
        const QByteArray request = OtlpJsonCodec::encodeRequest(spans, m_options.pretty);
        const qsizetype open = request.indexOf('[');
        const qsizetype close = request.lastIndexOf(']');
        if (open < 0 || close <= open)
            return fail(QStringLiteral("unexpected OTLP/JSON encoder output"));
        qsizetype innerStart = open + 1;
        while (innerStart < close && isSpace(request[innerStart]))
            ++innerStart;
        qsizetype innerEnd = close;
        while (innerEnd > innerStart && isSpace(request[innerEnd - 1]))
            --innerEnd;
        if (innerEnd == innerStart)
            return true;
        if (m_jsonSuffix.isEmpty()) {
            m_jsonSuffix = request.mid(innerEnd);
            m_jsonSeparator = ',' + request.mid(open + 1, innerStart - open - 1);
            if (!write(request.left(innerStart)))
                return false;
        } else if (!write(m_jsonSeparator)) {
            return false;
        }
        return write(request.mid(innerStart, innerEnd - innerStart));
    }

    bool finish(QString* error, qint64* bytes)
    {
        bool ok = m_error.isEmpty();
        if (ok && m_options.format == ExportFormat::OtlpJson)
            ok = write(m_jsonSuffix.isEmpty() ? QByteArray(m_options.pretty ? "{\n  \"resourceSpans\": []\n}\n"
                                                                              : "{\"resourceSpans\":[]}")
                                              : m_jsonSuffix);
        if (ok && m_deflater) {
            m_compressed.resize(0);
            ok = m_deflater->finish(&m_compressed) ? writeFile(m_compressed) : fail(m_deflater->errorString());
        }
        if (ok)
            *bytes = m_file.pos();
        if (ok && !m_file.commit())
            m_error = m_file.errorString();
        if (!m_error.isEmpty()) {
            m_file.cancelWriting();
            *error = m_error;
            return false;
        }
        return true;
    }

    void cancel() { m_file.cancelWriting(); }
    const QString& error() const { return m_error; }

private:
    bool fail(const QString& why)
    {
        if (m_error.isEmpty())
            m_error = why;
        return false;
    }

    bool write(const QByteArray& data)
    {
        if (!m_error.isEmpty())
            return false;
        if (!m_deflater)
            return writeFile(data);
        m_compressed.resize(0); // keeps the capacity for the next chunk
        return m_deflater->write(data, &m_compressed) ? writeFile(m_compressed) : fail(m_deflater->errorString());
    }

    bool writeFile(const QByteArray& data)
    {
        if (!data.isEmpty() && m_file.write(data) != data.size())
            return fail(m_file.errorString());
        return true;
    }

    QSaveFile m_file;
    const ExportOptions& m_options;
    std::unique_ptr<GzipDeflater> m_deflater;
    QByteArray m_compressed;
    QByteArray m_jsonSuffix;
    QByteArray m_jsonSeparator;
    QString m_error;
};

TraceExporter::TraceExporter(TraceStore* store)
    : m_store(store)
{
}

ExportReport TraceExporter::run(const QString& path, const ExportOptions& options,
                                const std::function<bool(const std::function<bool(const TraceId&)>&)>& forEachTrace)
{
    ExportReport report;
    const QString name = QFileInfo(path).fileName();
    Writer writer(path, options);
    QString error;
    if (!writer.open(&error)) {
        report.error = QStringLiteral("%1: cannot write: %2").arg(name, error);
        return report;
    }
    const bool completed = forEachTrace([&](const TraceId& id) {
        if (options.cancelRequested && options.cancelRequested()) {
            report.cancelled = true;
            return false;
        }
        QString readError;
        const std::vector<Span> spans = m_store->traceSpans(id, &readError);
        if (!readError.isEmpty()) {
            error = QStringLiteral("reading trace %1: %2").arg(id.toHex(), readError);
            return false;
        }
        if (spans.empty())
            return true;
        if (!writer.writeTrace(spans)) {
            error = writer.error();
            return false;
        }
        if (options.format == ExportFormat::OtlpJsonLines) {
            const std::vector<LogRecord> logs = m_store->traceLogs(id, &readError);
            if (!readError.isEmpty()) {
                error = QStringLiteral("reading the log records of trace %1: %2").arg(id.toHex(), readError);
                return false;
            }
            if (!writer.writeLogs(logs)) {
                error = writer.error();
                return false;
            }
            report.logRecords += static_cast<qint64>(logs.size());
        }
        ++report.traces;
        report.spans += static_cast<qint64>(spans.size());
        if (options.progress)
            options.progress(report.traces);
        return true;
    });
    if (!completed || !error.isEmpty()) {
        writer.cancel();
        report.error = report.cancelled ? QStringLiteral("%1: export cancelled").arg(name)
                                        : QStringLiteral("%1: %2").arg(name, error);
        report.bytes = 0;
        return report;
    }
    if (!writer.finish(&error, &report.bytes)) {
        report.error = QStringLiteral("%1: cannot write: %2").arg(name, error);
        return report;
    }
    report.ok = true;
    return report;
}

ExportReport TraceExporter::exportTraces(const std::vector<TraceId>& traceIds, const QString& path,
                                         const ExportOptions& options)
{
    return run(path, options, [&](const std::function<bool(const TraceId&)>& each) {
        for (const TraceId& id : traceIds)
            if (!each(id))
                return false;
        return true;
    });
}

ExportReport TraceExporter::exportQuery(const TraceQuery& query, const QString& path, const ExportOptions& options)
{
    QString listError;
    ExportReport report = run(path, options, [&](const std::function<bool(const TraceId&)>& each) {
        TraceQuery page = query;
        if (page.limit <= 0)
            page.limit = 200;
        for (;;) {
            const std::vector<TraceSummary> rows = m_store->listTraces(page, &listError);
            if (!listError.isEmpty())
                return false;
            for (const TraceSummary& row : rows)
                if (!each(row.traceId))
                    return false;
            if (static_cast<int>(rows.size()) < page.limit)
                return true;
            page.setCursor(rows.back());
        }
    });
    if (!listError.isEmpty())
        report.error = QStringLiteral("%1: listing traces: %2").arg(QFileInfo(path).fileName(), listError);
    return report;
}

QString TraceExporter::formatName(ExportFormat format)
{
    switch (format) {
    case ExportFormat::OtlpJson:
        return QStringLiteral("otlp-json");
    case ExportFormat::OtlpJsonLines:
        return QStringLiteral("otlp-jsonl");
    case ExportFormat::OtlpProtobuf:
        return QStringLiteral("otlp-proto");
    }
    return QString();
}

bool TraceExporter::parseFormat(const QString& name, ExportFormat* format)
{
    for (ExportFormat f : { ExportFormat::OtlpJson, ExportFormat::OtlpJsonLines, ExportFormat::OtlpProtobuf }) {
        if (formatName(f) == name) {
            *format = f;
            return true;
        }
    }
    return false;
}

ExportFormat TraceExporter::formatForFileName(const QString& fileName, bool* gzip)
{
    QString name = fileName.toLower();
    *gzip = name.endsWith(QLatin1String(".gz"));
    if (*gzip)
        name.chop(3);
    if (name.endsWith(QLatin1String(".pb")) || name.endsWith(QLatin1String(".binpb")))
        return ExportFormat::OtlpProtobuf;
    if (name.endsWith(QLatin1String(".jsonl")) || name.endsWith(QLatin1String(".ndjson")))
        return ExportFormat::OtlpJsonLines;
    return ExportFormat::OtlpJson;
}
