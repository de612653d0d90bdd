#include "ingest/files/traceimporter.h"

#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/files/jaegerjsonreader.h"
#include "ingest/files/jsonlocator.h"
#include "ingest/files/zipkinjsonreader.h"
#include "model/gzipinflater.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSet>

#include <algorithm>
#include <memory>
#include <utility>

namespace {

constexpr qint64 ReadBlock = 256 * 1024;

/// A file read front to back, inflated on the fly when it starts with the gzip magic bytes (several members too).
class InputStream {
public:
    bool open(const QString& path, QString* error)
    {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::ReadOnly)) {
            *error = m_file.errorString();
            return false;
        }
        char magic[2];
        const qint64 n = m_file.peek(magic, 2);
        m_gzip = n == 2 && static_cast<unsigned char>(magic[0]) == 0x1f && static_cast<unsigned char>(magic[1]) == 0x8b;
        if (m_gzip) {
            m_inflater = std::make_unique<GzipInflater>(GzipInflater::Format::Gzip);
            if (m_inflater->failed()) {
                *error = m_inflater->errorString();
                return false;
            }
        }
        return true;
    }

    bool gzipped() const { return m_gzip; }
    qint64 fileSize() const { return m_file.size(); }
    qint64 filePosition() const { return m_file.pos(); }
    /// Offset in the (inflated) content of the next byte readLine/readAll returns.
    qint64 position() const { return m_consumed; }
    const QString& error() const { return m_error; }

    /// Up to `n` bytes of the start of the content (before anything was consumed).
    QByteArray peek(qint64 n)
    {
        while (m_buffer.size() - m_pos < n && fill()) { }
        return m_buffer.mid(m_pos, n);
    }

    /// While on, readLine also appends every byte it consumes, line ends included, to recorded().
    void setRecording(bool on)
    {
        m_recording = on;
        if (!on)
            m_recorded.clear();
    }
    QByteArray takeRecorded() { return std::exchange(m_recorded, QByteArray()); }

    /// The next line without its "\n" (and "\r"); false at the end or on an error (then error() is set).
    bool readLine(QByteArray* line, qint64 maxLine)
    {
        qsizetype searchFrom = m_pos;
        for (;;) {
            const qsizetype nl = m_buffer.indexOf('\n', searchFrom);
            if (nl >= 0) {
                *line = m_buffer.mid(m_pos, nl - m_pos);
                if (m_recording)
                    m_recorded.append(m_buffer.constData() + m_pos, nl + 1 - m_pos);
                m_consumed += nl + 1 - m_pos;
                m_pos = nl + 1;
                break;
            }
            if (m_buffer.size() - m_pos > maxLine) {
                m_error = QStringLiteral("line longer than %1 bytes").arg(maxLine);
                return false;
            }
            searchFrom = m_buffer.size();
            if (!fill()) {
                if (!m_error.isEmpty())
                    return false;
                if (m_pos == m_buffer.size())
                    return false;
                *line = m_buffer.mid(m_pos);
                if (m_recording)
                    m_recorded.append(*line);
                m_consumed += m_buffer.size() - m_pos;
                m_pos = m_buffer.size();
                break;
            }
            // fill() may have compacted the buffer.
            searchFrom = std::max<qsizetype>(m_pos, searchFrom - m_compactedBy);
        }
        if (line->endsWith('\r'))
            line->chop(1);
        return true;
    }

    /// Everything left; false when larger than maxBytes or on a read/inflate error.
    bool readAll(QByteArray* out, qint64 maxBytes)
    {
        while (fill()) {
            if (m_buffer.size() - m_pos > maxBytes) {
                m_error = QStringLiteral("larger than %1 bytes; this format is read whole").arg(maxBytes);
                return false;
            }
        }
        if (!m_error.isEmpty())
            return false;
        *out = m_pos == 0 ? std::move(m_buffer) : m_buffer.mid(m_pos);
        m_buffer.clear();
        m_consumed += out->size();
        m_pos = 0;
        return true;
    }

private:
    /// Appends more content to m_buffer (dropping consumed bytes first); false at the end or on an error.
    bool fill()
    {
        m_compactedBy = 0;
        if (m_pos > 0 && m_pos >= m_buffer.size() / 2) {
            m_buffer.remove(0, m_pos);
            m_compactedBy = m_pos;
            m_pos = 0;
        }
        if (m_eof)
            return false;
        if (!m_gzip) {
            const qsizetype old = m_buffer.size();
            m_buffer.resize(old + ReadBlock);
            const qint64 n = m_file.read(m_buffer.data() + old, ReadBlock);
            m_buffer.resize(old + std::max<qint64>(n, 0));
            if (n < 0) {
                m_error = m_file.errorString();
                return false;
            }
            if (n == 0)
                m_eof = true;
            return n > 0;
        }
        for (;;) {
            const qsizetype old = m_buffer.size();
            m_buffer.resize(old + ReadBlock);
            const qsizetype produced = m_inflater->read(m_buffer.data() + old, ReadBlock);
            m_buffer.resize(old + std::max<qsizetype>(produced, 0));
            if (produced < 0) {
                m_error = inflateError();
                return false;
            }
            if (produced > 0)
                return true;
            QByteArray block(ReadBlock, Qt::Uninitialized);
            const qint64 n = m_file.read(block.data(), ReadBlock);
            if (n < 0) {
                m_error = m_file.errorString();
                return false;
            }
            if (n == 0) {
                m_eof = true;
                if (!m_inflater->finish())
                    m_error = inflateError();
                return false;
            }
            block.resize(n);
            m_inflater->feed(block);
        }
    }

    QString inflateError() const
    {
        switch (m_inflater->error()) {
        case GzipInflater::Error::Truncated:
            return QStringLiteral("gzip data is truncated at byte offset %1").arg(m_file.pos());
        case GzipInflater::Error::BadHeader:
        case GzipInflater::Error::BadData:
        case GzipInflater::Error::BadChecksum:
            return QStringLiteral("corrupt gzip data near byte offset %1 of the file: %2")
                .arg(m_inflater->bytesIn())
                .arg(m_inflater->errorString());
        default:
            return m_inflater->errorString();
        }
    }

    QFile m_file;
    bool m_gzip = false;
    bool m_eof = false;
    std::unique_ptr<GzipInflater> m_inflater;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qsizetype m_compactedBy = 0;
    qint64 m_consumed = 0;
    QString m_error;
    bool m_recording = false;
    QByteArray m_recorded;
};

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// The first key of a JSON object text (`{"resourceLogs":...` -> "resourceLogs"), or empty.
QByteArray firstKey(const QByteArray& json)
{
    qsizetype i = 0;
    while (i < json.size() && isJsonSpace(json[i]))
        ++i;
    if (i >= json.size() || json[i] != '{')
        return {};
    ++i;
    while (i < json.size() && isJsonSpace(json[i]))
        ++i;
    if (i >= json.size() || json[i] != '"')
        return {};
    const qsizetype end = json.indexOf('"', i + 1);
    return end < 0 ? QByteArray() : json.mid(i + 1, end - i - 1);
}

/// Signals a trace file may carry that are not stored (log records are: see isLogsKey).
bool isNonTraceSignal(const QByteArray& key)
{
    return key == "resourceMetrics" || key == "resourceProfiles" || key == "resource_metrics";
}

/// An ExportLogsServiceRequest (LogsData) in OTLP/JSON, as the Collector's file exporter writes beside traces.
bool isLogsKey(const QByteArray& key)
{
    return key == "resourceLogs" || key == "resource_logs";
}

/// `top-level keys "batches", "result"`, `an array whose first element has key "foo"`, ...: what a JSON document
/// that is no known trace format holds instead (keys sorted, at most 10 named).
QString describeShape(const QJsonDocument& doc)
{
    const auto keyList = [](const QJsonObject& o) {
        constexpr qsizetype MaxKeys = 10;
        constexpr qsizetype MaxKeyLength = 40;
        const QStringList keys = o.keys();
        QStringList quoted;
        for (qsizetype i = 0; i < std::min(keys.size(), MaxKeys); ++i) {
            const QString& key = keys.at(i);
            quoted << QLatin1Char('"')
                    + (key.size() > MaxKeyLength ? key.left(MaxKeyLength) + QStringLiteral("...") : key)
                    + QLatin1Char('"');
        }
        QString text
            = (keys.size() == 1 ? QStringLiteral("key ") : QStringLiteral("keys ")) + quoted.join(QStringLiteral(", "));
        if (keys.size() > MaxKeys)
            text += QStringLiteral(" and %1 more").arg(keys.size() - MaxKeys);
        return text;
    };
    if (doc.isObject())
        return doc.object().isEmpty() ? QStringLiteral("an empty JSON object")
                                      : QStringLiteral("top-level ") + keyList(doc.object());
    const QJsonValue first = doc.array().first();
    if (first.isObject())
        return first.toObject().isEmpty()
            ? QStringLiteral("an array whose first element is an empty object")
            : QStringLiteral("an array whose first element has ") + keyList(first.toObject());
    const char* what = first.isArray() ? "an array"
        : first.isString()             ? "a string"
        : first.isDouble()             ? "a number"
        : first.isBool()               ? "true or false"
                                       : "null";
    return QStringLiteral("an array whose first element is ") + QLatin1String(what);
}

/// Binary content: a byte no JSON text starts with, or control bytes JSON never contains.
bool looksBinary(const QByteArray& head)
{
    for (char c : head) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\r' && c != '\t')
            return true;
    }
    return false;
}

class Reader {
public:
    Reader(const QString& path, const ImportOptions& options, const TraceImporter::ChunkSink& sink)
        : m_path(path)
        , m_name(options.displayName.isEmpty() ? path : options.displayName)
        , m_peer(QFileInfo(path).fileName())
        , m_options(options)
        , m_sink(sink)
    {
        m_report.filePath = path;
        m_report.displayName = m_name;
    }

    ImportReport run()
    {
        QString error;
        if (!m_in.open(m_path, &error))
            return fail(QStringLiteral("cannot open: %1").arg(error));
        m_report.gzipped = m_in.gzipped();
        m_fileSize = m_in.fileSize();
        const QByteArray head = m_in.peek(4096);
        if (!m_in.error().isEmpty())
            return fail(m_in.error());
        qsizetype first = 0;
        while (first < head.size() && isJsonSpace(head[first]))
            ++first;
        if (head.isEmpty() || (first == head.size() && !looksBinary(head)))
            return fail(QStringLiteral("the file is empty"));

        const bool binary = looksBinary(head);
        if (!binary && (head[first] == '{' || head[first] == '['))
            return readJson();
        if (!head.isEmpty() && head[0] == '\x0a')
            return readProtobuf();
        return fail(QStringLiteral("not a trace file: byte offset %1 starts with 0x%2, expected JSON ('{' or '[') or an "
                                   "OTLP protobuf ExportTraceServiceRequest")
                        .arg(first)
                        .arg(QString::fromLatin1(head.mid(first, 8).toHex())));
    }

private:
    struct PendingLine {
        QByteArray text;
        qint64 offset;
        qint64 number;
    };

    ImportReport fail(const QString& message)
    {
        m_report.ok = false;
        m_report.error = m_name % QStringLiteral(": ") % message;
        return std::move(m_report);
    }

    bool cancelled(bool reportProgress = true)
    {
        if (reportProgress && m_options.progress)
            m_options.progress(m_in.filePosition(), m_fileSize);
        if (m_options.cancelRequested && m_options.cancelRequested()) {
            m_report.cancelled = true;
            return true;
        }
        return false;
    }

    // Not logged: the report is the answer, and its callers show every problem (logging them too printed each
    // one twice on the command line).
    void addProblem(qint64 line, qint64 offset, const QString& message)
    {
        ++m_report.problemCount;
        if (m_report.problems.size() < static_cast<std::size_t>(std::max(m_options.maxProblems, 0)))
            m_report.problems.push_back({ line, offset, message });
    }

    RawPayload payload(QByteArray body, const QString& contentType, qint64 wireSize) const
    {
        RawPayload p;
        p.body = std::move(body);
        p.contentType = contentType;
        p.contentEncoding = m_in.gzipped() ? QStringLiteral("gzip") : QString();
        p.wireSize = wireSize;
        p.receivedAtUnixNano = static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch()) * 1000000u;
        p.peer = m_peer;
        return p;
    }

    /**
     * Counts what `decoded` holds; one problem per rejected span. `json` is the text it was decoded from (empty for
     * protobuf), starting at byte `jsonOffset` of the content; `line` is its line number for a JSON Lines line, 0 for
     * a document (then each span's line is counted in `json`).
     */
    void account(const DecodeResult& decoded, qint64 line, const QByteArray& json = QByteArray(), qint64 jsonOffset = 0)
    {
        const SpanBatch& batch = decoded.batch;
        m_report.spansImported += static_cast<qint64>(batch.spans.size());
        m_report.spansRejected += batch.rejectedSpans;
        m_report.logRecordsImported += static_cast<qint64>(batch.logs.size());
        m_report.logRecordsRejected += batch.rejectedLogRecords;
        for (const Span& s : batch.spans)
            m_traces.insert(s.traceId);
        const qint64 rejectedItems = batch.rejectedSpans + batch.rejectedLogRecords;
        if (rejectedItems > 0 && decoded.rejections.empty()) {
            addProblem(line, -1, batch.rejectionMessage);
            return;
        }
        // Where each span is: the value at fault (a pretty-printed file names the line of the bad traceId).
        std::vector<qint64> offsets(decoded.rejections.size(), -1);
        std::vector<qint64> lines(decoded.rejections.size(), line);
        if (!json.isEmpty() && !decoded.rejections.empty()) {
            QStringList paths;
            for (const SpanRejection& rejection : decoded.rejections)
                paths << (rejection.field.isEmpty() ? rejection.span
                                                    : rejection.span % QLatin1Char('.') % rejection.field);
            offsets = JsonLocator::offsetsOf(json, paths);
            if (line == 0)
                lines = JsonLocator::linesOf(json, offsets);
        }
        for (std::size_t i = 0; i < decoded.rejections.size(); ++i) {
            const SpanRejection& rejection = decoded.rejections[i];
            addProblem(lines[i], offsets[i] >= 0 ? jsonOffset + offsets[i] : -1,
                (batch.rejectedLogRecords > 0 ? QStringLiteral("log record %1: %2") : QStringLiteral("span %1: %2"))
                    .arg(rejection.span, rejection.reason));
        }
        // Past the decoder's list: counted, not listed.
        m_report.problemCount += rejectedItems - static_cast<qint64>(decoded.rejections.size());
    }

    ImportReport finish()
    {
        m_report.tracesImported = m_traces.size();
        if (m_report.cancelled) {
            m_report.ok = false;
            if (m_report.error.isEmpty())
                m_report.error = m_name % QStringLiteral(": import cancelled");
            return std::move(m_report);
        }
        if (m_report.spansImported == 0 && m_report.logRecordsImported == 0) // why is in `problems`, not repeated here
            return fail(QStringLiteral("no valid spans found"));
        m_report.ok = true;
        return std::move(m_report);
    }

    /// Hands one document's batch to the sink as one item.
    ImportReport deliverDocument(DecodeResult decoded, QByteArray body, const QString& contentType)
    {
        const bool json = contentType == QLatin1String("application/json");
        account(decoded, 0, json ? body : QByteArray());
        if (decoded.batch.spans.empty() && decoded.batch.logs.empty())
            return finish();
        if (cancelled())
            return finish();
        IngestItem item;
        item.payload = payload(std::move(body), contentType, m_fileSize);
        item.payload.spanCount = static_cast<qint64>(decoded.batch.spans.size());
        item.payload.logRecordCount = static_cast<qint64>(decoded.batch.logs.size());
        if (!decoded.batch.logs.empty())
            item.payload.signal = RawPayload::Signal::Logs;
        item.batch = std::move(decoded.batch);
        std::vector<IngestItem> chunk;
        chunk.push_back(std::move(item));
        if (!m_sink(std::move(chunk)))
            m_report.cancelled = true;
        return finish();
    }

    ImportReport readProtobuf()
    {
        m_report.format = TraceFileFormat::OtlpProtobuf;
        QByteArray body;
        if (!m_in.readAll(&body, m_options.maxDocumentBytes))
            return fail(m_in.error());
        if (cancelled())
            return finish();
        DecodeResult decoded = OtlpProtobufCodec::decodeRequest(body);
        if (!decoded.ok)
            return fail(QStringLiteral("not a valid OTLP protobuf ExportTraceServiceRequest (%1 bytes): %2")
                            .arg(body.size())
                            .arg(decoded.error));
        return deliverDocument(std::move(decoded), std::move(body), QStringLiteral("application/x-protobuf"));
    }

    ImportReport readJson()
    {
        // JSON Lines: the first non-blank line is a complete OTLP request object on its own. Else a document,
        // parsed from exactly the file's bytes (recorded while looking) so that offsets and line numbers are true.
        m_in.setRecording(true);
        QByteArray line;
        qint64 lineOffset = 0;
        while (m_in.readLine(&line, m_options.maxDocumentBytes)) {
            ++m_line;
            if (!line.trimmed().isEmpty())
                break;
            lineOffset = m_in.position();
        }
        if (!m_in.error().isEmpty())
            return fail(QStringLiteral("line %1: %2").arg(m_line + 1).arg(m_in.error()));
        const auto isRequestKey = [](const QByteArray& k) {
            return k == "resourceSpans" || k == "resource_spans" || isLogsKey(k) || isNonTraceSignal(k);
        };
        if (isRequestKey(firstKey(line))) {
            QJsonParseError parseError;
            QJsonDocument::fromJson(line, &parseError);
            if (parseError.error == QJsonParseError::NoError) {
                m_in.setRecording(false);
                m_report.format = TraceFileFormat::OtlpJsonLines;
                std::vector<PendingLine> pending;
                pending.push_back({ std::move(line), lineOffset, m_line });
                return readJsonLines(std::move(pending));
            }
            // A broken first line is still JSON Lines when the next request line follows it.
            QByteArray next;
            qint64 nextOffset = m_in.position();
            qint64 nextLine = m_line;
            while (m_in.readLine(&next, m_options.maxDocumentBytes)) {
                ++nextLine;
                if (!next.trimmed().isEmpty())
                    break;
                nextOffset = m_in.position();
            }
            if (isRequestKey(firstKey(next))) {
                m_in.setRecording(false);
                m_report.format = TraceFileFormat::OtlpJsonLines;
                const qint64 firstLine = m_line;
                m_line = nextLine;
                std::vector<PendingLine> pending;
                pending.push_back({ std::move(line), lineOffset, firstLine });
                pending.push_back({ std::move(next), nextOffset, nextLine });
                return readJsonLines(std::move(pending));
            }
        }
        // A document: read it whole.
        QByteArray rest;
        if (!m_in.readAll(&rest, m_options.maxDocumentBytes))
            return fail(m_in.error());
        QByteArray body = m_in.takeRecorded();
        m_in.setRecording(false);
        line.clear();
        body.append(rest);
        rest.clear();
        if (cancelled())
            return finish();
        return readJsonDocument(std::move(body));
    }

    ImportReport readJsonDocument(QByteArray body)
    {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
        if (parseError.error != QJsonParseError::NoError && body.startsWith('\x0a')) {
            // A protobuf message whose first bytes happen to look like text ("\n" then '{' or '[').
            DecodeResult decoded = OtlpProtobufCodec::decodeRequest(body);
            if (decoded.ok) {
                m_report.format = TraceFileFormat::OtlpProtobuf;
                return deliverDocument(std::move(decoded), std::move(body), QStringLiteral("application/x-protobuf"));
            }
        }
        if (parseError.error != QJsonParseError::NoError)
            return fail(QStringLiteral("line %1 (byte offset %2): invalid JSON: %3")
                            .arg(JsonLocator::linesOf(body, { parseError.offset }).front())
                            .arg(parseError.offset)
                            .arg(parseError.errorString()));
        if (doc.isObject() && (doc.object().contains(QLatin1String("resourceSpans"))
                               || doc.object().contains(QLatin1String("resource_spans")))) {
            m_report.format = TraceFileFormat::OtlpJson;
            DecodeResult decoded = OtlpJsonCodec::decodeRequest(body);
            if (!decoded.ok)
                return fail(QStringLiteral("not a valid OTLP/JSON request: %1").arg(decoded.error));
            return deliverDocument(std::move(decoded), std::move(body), QStringLiteral("application/json"));
        }
        if (doc.isObject() && isLogsKey(firstKey(body))) {
            m_report.format = TraceFileFormat::OtlpJson;
            DecodeResult decoded = OtlpJsonCodec::decodeLogsRequest(body);
            if (!decoded.ok)
                return fail(QStringLiteral("not a valid OTLP/JSON logs request: %1").arg(decoded.error));
            return deliverDocument(std::move(decoded), std::move(body), QStringLiteral("application/json"));
        }
        if (doc.isObject() && isNonTraceSignal(firstKey(body)))
            return fail(QStringLiteral("holds %1, not traces").arg(QString::fromLatin1(firstKey(body))));
        if (JaegerJsonReader::recognizes(doc)) {
            m_report.format = TraceFileFormat::JaegerJson;
            DecodeResult decoded = JaegerJsonReader::decode(doc);
            if (!decoded.ok)
                return fail(QStringLiteral("not valid Jaeger JSON: %1").arg(decoded.error));
            return deliverDocument(std::move(decoded), std::move(body), QStringLiteral("application/json"));
        }
        if (ZipkinJsonReader::recognizes(doc)) {
            m_report.format = TraceFileFormat::ZipkinJson;
            DecodeResult decoded = ZipkinJsonReader::decode(doc);
            if (!decoded.ok)
                return fail(QStringLiteral("not valid Zipkin v2 JSON: %1").arg(decoded.error));
            return deliverDocument(std::move(decoded), std::move(body), QStringLiteral("application/json"));
        }
        if (doc.isArray() && doc.array().isEmpty())
            return fail(QStringLiteral("an empty JSON array: no spans"));
        return fail(QStringLiteral("not a known trace format: %1; expected OTLP (resourceSpans), Jaeger (data, or "
                                   "traceID with spans) or Zipkin v2 (traceId with id)")
                        .arg(describeShape(doc)));
    }

    ImportReport readJsonLines(std::vector<PendingLine> firstLines)
    {
        std::vector<IngestItem> chunk;
        qint64 chunkSpans = 0;
        bool stopped = false;
        const qint64 lastPending = m_line;
        for (PendingLine& p : firstLines) {
            m_line = p.number;
            handleLine(std::move(p.text), p.offset, &chunk, &chunkSpans);
        }
        m_line = lastPending;
        QByteArray line;
        qint64 offset = m_in.position();
        for (;;) {
            if (!line.trimmed().isEmpty())
                handleLine(std::move(line), offset, &chunk, &chunkSpans);
            if (chunkSpans >= m_options.spansPerWrite) {
                if (!m_sink(std::move(chunk))) {
                    stopped = true;
                    break;
                }
                chunk.clear();
                chunkSpans = 0;
            }
            if (cancelled((m_line % 256) == 0))
                return finish();
            offset = m_in.position();
            line.clear();
            if (!m_in.readLine(&line, m_options.maxDocumentBytes))
                break;
            ++m_line;
        }
        if (!m_in.error().isEmpty()) {
            // A broken gzip stream or an overlong line ends the file: nothing after it can be trusted.
            addProblem(m_line + 1, m_in.position(), m_in.error());
            m_report.error = m_name % QStringLiteral(": line %1: %2").arg(m_line + 1).arg(m_in.error());
        }
        if (stopped) {
            m_report.cancelled = true;
            return finish();
        }
        if (cancelled())
            return finish();
        if (!chunk.empty() && !m_sink(std::move(chunk)))
            m_report.cancelled = true;
        return finish();
    }

    void handleLine(QByteArray line, qint64 offset, std::vector<IngestItem>* chunk, qint64* chunkSpans)
    {
        const QByteArray key = firstKey(line);
        if (isNonTraceSignal(key)) {
            ++m_report.nonTraceLines;
            return;
        }
        // The Collector's file exporter writes log requests between the trace requests, and so does our export.
        const bool logs = isLogsKey(key)
            || (!line.contains("\"resourceSpans\"") && !line.contains("\"resource_spans\"")
                && line.contains("\"resourceLogs\""));
        DecodeResult decoded = logs ? OtlpJsonCodec::decodeLogsRequest(line) : OtlpJsonCodec::decodeRequest(line);
        if (!decoded.ok) {
            ++m_report.requestsSkipped;
            QJsonParseError parseError;
            QJsonDocument::fromJson(line, &parseError);
            if (parseError.error != QJsonParseError::NoError)
                addProblem(m_line, offset + parseError.offset,
                           QStringLiteral("invalid JSON at column %1: %2")
                               .arg(parseError.offset + 1)
                               .arg(parseError.errorString()));
            else
                addProblem(m_line, offset,
                           (logs ? QStringLiteral("not an OTLP logs request: %1")
                                 : QStringLiteral("not an OTLP trace request: %1"))
                               .arg(decoded.error));
            return;
        }
        if (!logs && decoded.batch.spans.empty() && decoded.batch.rejectedSpans == 0
            && line.contains("\"resourceMetrics\"")) {
            ++m_report.nonTraceLines;
            return;
        }
        account(decoded, m_line, line, offset);
        if (decoded.batch.spans.empty() && decoded.batch.logs.empty())
            return;
        IngestItem item;
        const qint64 size = line.size();
        item.payload = payload(std::move(line), QStringLiteral("application/json"), size);
        item.payload.spanCount = static_cast<qint64>(decoded.batch.spans.size());
        item.payload.logRecordCount = static_cast<qint64>(decoded.batch.logs.size());
        if (logs)
            item.payload.signal = RawPayload::Signal::Logs;
        *chunkSpans += item.payload.spanCount + item.payload.logRecordCount; // chunk size in items
        item.batch = std::move(decoded.batch);
        chunk->push_back(std::move(item));
    }

    const QString m_path;
    const QString m_name; ///< in messages
    const QString m_peer; ///< RawPayload::peer of what is stored: the file's name
    const ImportOptions& m_options;
    const TraceImporter::ChunkSink& m_sink;
    InputStream m_in;
    ImportReport m_report;
    QSet<TraceId> m_traces;
    qint64 m_fileSize = 0;
    qint64 m_line = 0;
};

qint64 spanCountOf(const std::vector<IngestItem>& items)
{
    qint64 n = 0;
    for (const IngestItem& item : items)
        n += static_cast<qint64>(item.batch.spans.size());
    return n;
}

} // namespace

QString traceFileFormatName(TraceFileFormat format)
{
    switch (format) {
    case TraceFileFormat::Unknown:
        return QStringLiteral("unknown");
    case TraceFileFormat::OtlpJson:
        return QStringLiteral("otlp-json");
    case TraceFileFormat::OtlpJsonLines:
        return QStringLiteral("otlp-jsonl");
    case TraceFileFormat::OtlpProtobuf:
        return QStringLiteral("otlp-proto");
    case TraceFileFormat::JaegerJson:
        return QStringLiteral("jaeger-json");
    case TraceFileFormat::ZipkinJson:
        return QStringLiteral("zipkin-json");
    }
    return QStringLiteral("unknown");
}

QStringList ImportReport::problemMessages() const
{
    const QString& name = displayName.isEmpty() ? filePath : displayName;
    QStringList out;
    for (const ImportProblem& p : problems) {
        QString where = name;
        if (p.line > 0)
            where += QStringLiteral(": line %1").arg(p.line);
        else if (p.offset >= 0)
            where += QStringLiteral(": byte offset %1").arg(p.offset);
        out << where % QStringLiteral(": ") % p.message;
    }
    if (problemCount > static_cast<qint64>(problems.size()))
        out << QStringLiteral("%1: ... and %2 more").arg(name).arg(problemCount - static_cast<qint64>(problems.size()));
    return out;
}

TraceImporter::TraceImporter(TraceStore* store)
    : m_store(store)
{
}

ImportReport TraceImporter::readFile(const QString& path, const ImportOptions& options, const ChunkSink& sink)
{
    Reader reader(path, options, sink);
    return reader.run();
}

ImportReport TraceImporter::importFile(const QString& path, const ImportOptions& options)
{
    // Pass 1: decode and validate everything, store nothing. Keep the chunks while there is only one.
    std::vector<std::vector<IngestItem>> held;
    bool multiChunk = false;
    ImportReport first = readFile(path, options, [&](std::vector<IngestItem>&& chunk) {
        if (multiChunk)
            return true;
        held.push_back(std::move(chunk));
        if (held.size() > 1) {
            multiChunk = true;
            held.clear();
        }
        return true;
    });
    if (!first.ok)
        return first;

    const QString name = first.displayName;
    if (!multiChunk) {
        const WriteResult written = held.empty() ? WriteResult { true, {}, 0, 0, {} } : m_store->write(held.front());
        if (!written.ok) {
            first.ok = false;
            first.spansImported = 0;
            first.tracesImported = 0;
            first.error = name % QStringLiteral(": the trace store refused the write: ") % written.error;
        }
        return first;
    }

    // Pass 2: the file is valid; write it chunk by chunk (not cancellable, see the class comment).
    ImportOptions storing = options;
    storing.cancelRequested = nullptr;
    qint64 committed = 0;
    QString writeError;
    ImportReport second = readFile(path, storing, [&](std::vector<IngestItem>&& chunk) {
        const WriteResult written = m_store->write(chunk);
        if (!written.ok) {
            writeError = written.error;
            return false;
        }
        committed += spanCountOf(chunk);
        return true;
    });
    if (!writeError.isEmpty()) {
        second.ok = false;
        second.cancelled = false;
        second.spansCommittedBeforeFailure = committed;
        second.error = name
            % QStringLiteral(": the trace store refused a write after %1 spans were committed: %2")
                  .arg(committed)
                  .arg(writeError);
        return second;
    }
    if (!second.ok && second.error.isEmpty())
        second.error = name % QStringLiteral(": the file changed while it was imported");
    return second;
}
