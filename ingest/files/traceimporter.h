#pragma once

#include "storage/tracestore.h"

#include <QString>

#include <functional>
#include <vector>

class TraceStore;

/// Trace file formats the importer recognizes (by content; see docs/file-formats.md).
enum class TraceFileFormat {
    Unknown,
    OtlpJson, ///< one ExportTraceServiceRequest (OTLP/JSON or protobuf's generic JSON mapping)
    OtlpJsonLines, ///< one request per line (Collector file exporter)
    OtlpProtobuf, ///< one binary ExportTraceServiceRequest
    JaegerJson, ///< query API {"data":[...]} or one trace object
    ZipkinJson, ///< Zipkin v2 span array or single span
};

/// "otlp-json", "otlp-jsonl", "otlp-proto", "jaeger-json", "zipkin-json" or "unknown".
QString traceFileFormatName(TraceFileFormat format);

/// One thing the importer skipped: a JSON Lines line, or one rejected span ("span <path in the document>: <why>").
/// `line` is 1-based or 0 when not known; `offset` a byte offset in the (inflated) content or -1 when not known.
struct ImportProblem {
    qint64 line = 0;
    qint64 offset = -1;
    QString message;
};

/**
 * What one file import did. `ok` is false when the file could not be read or decoded at all, when nothing in it was
 * valid, when it was cancelled, or when the store refused a write; `error` then says why, naming the file.
 * When `ok` is true, every accepted span is committed and `problems` lists what was skipped.
 */
struct ImportReport {
    QString filePath; ///< as given to importFile/readFile
    QString displayName; ///< how `error` and problemMessages() name the file: ImportOptions::displayName, else filePath
    TraceFileFormat format = TraceFileFormat::Unknown;
    bool gzipped = false;
    bool ok = false;
    bool cancelled = false;
    QString error;
    qint64 spansImported = 0; ///< spans decoded and (for TraceStore imports) committed
    qint64 tracesImported = 0; ///< distinct trace ids among them
    qint64 spansRejected = 0; ///< spans dropped one by one (invalid ids, ...)
    qint64 requestsSkipped = 0; ///< JSON Lines lines that could not be decoded (each in `problems`)
    qint64 logRecordsImported = 0; ///< OTLP log records (resourceLogs lines or documents) decoded and committed
    qint64 logRecordsRejected = 0; ///< log records dropped one by one (invalid ids)
    qint64 nonTraceLines = 0; ///< JSON Lines lines with resourceMetrics/resourceProfiles (skipped, not errors)
    qint64 spansCommittedBeforeFailure = 0; ///< only when a store write failed after earlier chunks committed
    std::vector<ImportProblem> problems; ///< at most ImportOptions::maxProblems entries, in file order per chunk
    qint64 problemCount = 0; ///< all problems, also those not kept in `problems`

    /// One line per problem, prefixed with the file name (and line / offset), then "... and N more" when
    /// `problems` is not all. Not logged by the importer: the caller shows them.
    QStringList problemMessages() const;
};

struct ImportOptions {
    /// How messages name the file; empty: the path as given (`spanscope import ./a/b.json` says "./a/b.json", not
    /// an absolute or canonical path).
    QString displayName;
    /// Spans per TraceStore::write for JSON Lines files (the other formats are written in one call).
    qint64 spansPerWrite = 10000;
    /// Largest document read whole (single OTLP/JSON request, protobuf, Jaeger, Zipkin) and largest JSON line.
    qint64 maxDocumentBytes = qint64(1) << 30;
    int maxProblems = 100;
    /// Polled between lines and phases; true stops the import (see TraceImporter for what is then stored).
    std::function<bool()> cancelRequested;
    /// Bytes of the file consumed so far (compressed bytes for .gz) and the file size.
    std::function<void(qint64 done, qint64 total)> progress;
};

/**
 * Reads trace files (OTLP/JSON, OTLP/JSON Lines, OTLP protobuf, Jaeger JSON, Zipkin v2 JSON, each optionally gzipped;
 * detected by content) and writes their spans to a TraceStore. Mappings: docs/file-formats.md.
 *
 * Memory: JSON Lines (also gzipped) are streamed, at most about two chunks of `spansPerWrite` spans are held.
 * The other formats are one document each and are read whole (a protobuf message cannot be decoded in parts).
 *
 * Atomicity: a document format is written in one TraceStore::write, so a failure or cancel stores nothing.
 * JSON Lines are read twice when they hold more than one chunk: the first pass decodes and validates everything
 * and stores nothing (cancel and "nothing valid" end the import there, leaving the store as it was); the second
 * pass writes chunk by chunk and is not cancellable. A store failure in the second pass leaves the chunks
 * committed before it (reported in spansCommittedBeforeFailure); writes are idempotent upserts, so running the
 * import again completes it.
 *
 * Thread: any; one import at a time per TraceImporter. Blocking.
 */
class TraceImporter {
public:
    explicit TraceImporter(TraceStore* store);

    ImportReport importFile(const QString& path, const ImportOptions& options = {});

    /// Receives decoded spans in chunks (each item one request with its raw bytes); return false to stop.
    using ChunkSink = std::function<bool(std::vector<IngestItem>&& chunk)>;

    /**
     * Decodes a file without storing anything: `sink` gets the items in chunks of at least
     * options.spansPerWrite spans (the last may be smaller; document formats arrive as one chunk).
     * The report counts what was decoded and skipped; `ok` is false on a fatal error, when nothing valid was
     * found, or when cancelled (also when the sink returned false).
     */
    static ImportReport readFile(const QString& path, const ImportOptions& options, const ChunkSink& sink);

private:
    TraceStore* m_store;
};
