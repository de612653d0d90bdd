#pragma once

#include "model/ids.h"
#include "model/tracequery.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class TraceStore;

/**
 * What the window needs from the trace file codecs (which live in `ingest/`, a module the UI does not depend on):
 * importing a file into a store, exporting traces of a store to a file, and a scratch store to view files in
 * without adding them to the main store. The app provides the implementation (app/tracefileservice.h).
 *
 * Thread: every function blocks and is called on a worker thread, never on the GUI thread; the callbacks in
 * Control are called on that worker thread.
 */
class TraceFileService {
public:
    struct Control {
        /// Polled between chunks; true stops the job (a cancelled import stores nothing, a cancelled export writes
        /// no file).
        std::function<bool()> cancelRequested;
        /// Work done so far and in all, in bytes of the file for imports and in traces for exports.
        std::function<void(qint64 done, qint64 total)> progress;
    };

    struct Result {
        bool ok = false;
        bool cancelled = false;
        QString error; ///< names the file and, where known, the line or byte offset and what is wrong
        QStringList problems; ///< what an import skipped, one line each ("file.jsonl:12: ...")
        qint64 problemCount = 0; ///< all problems, also those not listed
        qint64 spans = 0; ///< spans imported or exported
        qint64 traces = 0; ///< traces imported or exported
        qint64 bytes = 0; ///< size of the exported file, bytes
        QString format; ///< e.g. "otlp-jsonl" (gzipped: "otlp-jsonl+gzip")
    };

    enum class Format {
        OtlpJson, ///< one ExportTraceServiceRequest, compact
        OtlpJsonPretty, ///< the same, indented
        OtlpJsonLines, ///< one request per trace and line
        OtlpProtobuf, ///< one binary ExportTraceServiceRequest
    };

    struct ExportRequest {
        QString path;
        Format format = Format::OtlpJson;
        bool gzip = false;
        /// These traces, in this order; when empty, every trace matching `query`.
        std::vector<TraceId> traceIds;
        TraceQuery query;
    };

    virtual ~TraceFileService();

    /// Imports one trace file (any format the importer recognizes, gzipped or not) into `store`.
    virtual Result importFile(const QString& path, TraceStore* store, const Control& control) = 0;
    /// Writes traces of `store` to request.path (replaced only when the export succeeds).
    virtual Result exportTraces(TraceStore* store, const ExportRequest& request, const Control& control) = 0;
    /// A new empty store to view files in (a temporary file, deleted with the store). nullptr with *error set.
    virtual std::unique_ptr<TraceStore> createScratchStore(QString* error) = 0;
    /// File dialog name filters of the importable formats, e.g. "Trace files (*.json *.jsonl *.pb *.gz)".
    virtual QStringList importNameFilters() const = 0;
};
