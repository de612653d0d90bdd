#pragma once

#include "model/ids.h"
#include "model/tracequery.h"

#include <QString>

#include <functional>
#include <vector>

class TraceStore;

/// Output formats of TraceExporter (docs/file-formats.md).
enum class ExportFormat {
    OtlpJson, ///< one ExportTraceServiceRequest object, pretty or compact
    OtlpJsonLines, ///< one compact request per trace and line
    OtlpProtobuf, ///< one binary ExportTraceServiceRequest
};

struct ExportOptions {
    ExportFormat format = ExportFormat::OtlpJson;
    bool pretty = false; ///< OtlpJson only: 2-space indentation
    bool gzip = false;
    /// Polled between traces; true stops the export and leaves no file behind.
    std::function<bool()> cancelRequested;
    /// Traces written so far.
    std::function<void(qint64 tracesDone)> progress;
};

/// Outcome of an export; on failure (or cancel) the output file was not created or replaced.
struct ExportReport {
    bool ok = false;
    bool cancelled = false;
    QString error;
    qint64 traces = 0;
    qint64 spans = 0;
    qint64 logRecords = 0; ///< the traces' OTLP log records, written as resourceLogs lines (otlp-jsonl only)
    qint64 bytes = 0; ///< size of the written file
};

/**
 * Writes stored traces to an OTLP file, trace by trace: only one trace's spans are in memory at a time, also for
 * the single-request formats (the request is written as a stream of resourceSpans entries; for protobuf, as the
 * concatenation of per-trace messages, which the protobuf wire format defines as one message with all of their
 * repeated fields). The file is written to a temporary name and renamed at the end (QSaveFile).
 * Thread: any; blocking. Errors are returned, never thrown.
 */
class TraceExporter {
public:
    explicit TraceExporter(TraceStore* store);

    /// The given traces, in the given order; unknown ids are skipped (not an error).
    ExportReport exportTraces(const std::vector<TraceId>& traceIds, const QString& path, const ExportOptions& options);
    /// Every trace matching `query` (its limit is the page size; paged with the keyset cursor), in its order.
    ExportReport exportQuery(const TraceQuery& query, const QString& path, const ExportOptions& options);

    /// "otlp-json", "otlp-jsonl", "otlp-proto".
    static QString formatName(ExportFormat format);
    static bool parseFormat(const QString& name, ExportFormat* format);
    /// From a file name: .pb/.binpb -> protobuf, .jsonl/.ndjson -> JSON Lines, else JSON; `*gzip` from ".gz".
    static ExportFormat formatForFileName(const QString& fileName, bool* gzip);

private:
    class Writer;
    ExportReport run(const QString& path, const ExportOptions& options,
                     const std::function<bool(const std::function<bool(const TraceId&)>&)>& forEachTrace);

    TraceStore* m_store;
};
