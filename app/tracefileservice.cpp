#include "tracefileservice.h"

#include "ingest/files/traceexporter.h"
#include "ingest/files/traceimporter.h"
#include "storage/forwardingtracestore.h"
#include "storage/sqlitetracestore.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTemporaryDir>

namespace {

/// A SqliteTraceStore in a temporary directory that is removed after the store is closed.
class ScratchTraceStore final : public ForwardingTraceStore {
public:
    explicit ScratchTraceStore(std::unique_ptr<QTemporaryDir> dir)
        : m_dir(std::move(dir))
        , m_store(std::make_unique<SqliteTraceStore>(m_dir->filePath(QStringLiteral("view.db"))))
    {
        setInner(m_store.get());
    }
    ~ScratchTraceStore() override
    {
        m_store.reset(); // close the database before its directory goes
    }

    QString description() const override
    {
        return QCoreApplication::translate("TraceFileService", "files (not saved)");
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteTraceStore> m_store;
};

} // namespace


TraceFileService::Result AppTraceFileService::importFile(const QString& path, TraceStore* store, const Control& control)
{
    ImportOptions options;
    options.displayName = QFileInfo(path).fileName(); // as the window's labels name it
    options.cancelRequested = control.cancelRequested;
    options.progress = control.progress;
    TraceImporter importer(store);
    const ImportReport report = importer.importFile(path, options);

    Result result;
    result.ok = report.ok;
    result.cancelled = report.cancelled;
    result.error = report.error;
    result.problems = report.problemMessages();
    result.problemCount = report.problemCount;
    result.spans = report.spansImported;
    result.traces = report.tracesImported;
    result.format = traceFileFormatName(report.format) + (report.gzipped ? QStringLiteral("+gzip") : QString());
    return result;
}

TraceFileService::Result AppTraceFileService::exportTraces(TraceStore* store, const ExportRequest& request,
                                                           const Control& control)
{
    ExportOptions options;
    switch (request.format) {
    case Format::OtlpJson:
        options.format = ExportFormat::OtlpJson;
        break;
    case Format::OtlpJsonPretty:
        options.format = ExportFormat::OtlpJson;
        options.pretty = true;
        break;
    case Format::OtlpJsonLines:
        options.format = ExportFormat::OtlpJsonLines;
        break;
    case Format::OtlpProtobuf:
        options.format = ExportFormat::OtlpProtobuf;
        break;
    }
    options.gzip = request.gzip;
    options.cancelRequested = control.cancelRequested;
    const qint64 total = request.traceIds.empty() ? 0 : static_cast<qint64>(request.traceIds.size());
    if (control.progress)
        options.progress = [progress = control.progress, total](qint64 done) { progress(done, total); };

    TraceExporter exporter(store);
    const ExportReport report = request.traceIds.empty()
        ? exporter.exportQuery(request.query, request.path, options)
        : exporter.exportTraces(request.traceIds, request.path, options);
    Result result;
    result.ok = report.ok;
    result.cancelled = report.cancelled;
    result.error = report.error;
    result.spans = report.spans;
    result.traces = report.traces;
    result.bytes = report.bytes;
    result.format = TraceExporter::formatName(options.format) + (options.gzip ? QStringLiteral("+gzip") : QString());
    return result;
}

std::unique_ptr<TraceStore> AppTraceFileService::createScratchStore(QString* error)
{
    auto dir = std::make_unique<QTemporaryDir>();
    if (!dir->isValid()) {
        *error = QCoreApplication::translate("TraceFileService", "Cannot create a temporary directory: %1")
                     .arg(dir->errorString());
        return nullptr;
    }
    auto store = std::make_unique<ScratchTraceStore>(std::move(dir));
    if (!store->open(error))
        return nullptr;
    return store;
}

QStringList AppTraceFileService::importNameFilters() const
{
    return {
        QCoreApplication::translate("TraceFileService",
            "Trace files (*.json *.jsonl *.ndjson *.pb *.binpb *.gz)"),
        QCoreApplication::translate("TraceFileService", "OTLP/JSON (*.json *.jsonl *.ndjson *.json.gz *.jsonl.gz)"),
        QCoreApplication::translate("TraceFileService", "OTLP protobuf (*.pb *.binpb *.pb.gz *.binpb.gz)"),
        QCoreApplication::translate("TraceFileService", "Jaeger or Zipkin JSON (*.json)"),
        QCoreApplication::translate("TraceFileService", "All files (*)"),
    };
}
