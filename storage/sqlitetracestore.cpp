#include "sqlitetracestore.h"

#include "model/operationstatsrows.h"
#include "model/spanoutline.h"

#include "sqliteconnection.h"
#include "sqlitemigrations.h"
#include "spancodec.h"
#include "storagelogging.h"
#include "tracetextindex.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <sqlite3.h>
#include <zlib.h>
#include <zstd.h>

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <tuple>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace {

constexpr char ServiceSeparator = '\x1f'; // in traces.services; cannot occur in a sane service name
constexpr int BusyTimeoutMs = 5000;
// Caps on the writer's id caches so a stream of distinct resources cannot grow memory without bound.
constexpr qsizetype MaxCachedIds = 20000;
// Refuse to inflate a stored payload claiming more than this (a corrupt row must not exhaust memory).
constexpr qint64 MaxPayloadBytes = qint64(1) << 31;
// setCostPrices reprices the traces of this many seqs per transaction: writes wait for one chunk at most.
constexpr qint64 CostRepriceChunkTraces = 20000;

std::int64_t toDb(std::uint64_t ns)
{
    return static_cast<std::int64_t>(ns);
}
std::uint64_t fromDb(std::int64_t v)
{
    return static_cast<std::uint64_t>(v);
}

// Dedupe key, not a security boundary: BLAKE2b is ~6x faster than Qt's SHA-256 and just as collision-free here.
QByteArray contentHash(const char* data, qsizetype size)
{
    return QCryptographicHash::hash(QByteArrayView(data, size), QCryptographicHash::Blake2b_256);
}

QStringList splitServices(const QString& joined)
{
    return joined.isEmpty() ? QStringList() : joined.split(QLatin1Char(ServiceSeparator));
}

QString joinServices(const QStringList& services)
{
    return services.join(QLatin1Char(ServiceSeparator));
}

// Root selection shared by the incremental and the full recompute path: a span without parent wins, then the
// earlier start, then the smaller span id, so both paths pick the same span.
struct RootKey {
    bool isRoot = false;
    std::uint64_t start = 0;
    SpanId spanId;

    bool before(const RootKey& other) const
    {
        if (isRoot != other.isRoot)
            return isRoot;
        if (start != other.start)
            return start < other.start;
        return spanId < other.spanId;
    }
};

struct TraceRow {
    QString rootService;
    QString rootName;
    RootKey rootKey;
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    qint64 spanCount = 0;
    qint64 errorCount = 0;
    QStringList services;
    TraceSummary genai; // the GenAI figures only (tokens, calls, model usage, conversation)
};

// One trace touched by a write: its key, its stored summary, and what the newly inserted spans contribute.
struct TraceDelta {
    qint64 seq = 0; // traces.seq: read when the trace is stored, else assigned by this write
    bool stored = false; // `row` holds the stored summary
    TraceRow row;
    bool fullRecompute = false; // a stored span was replaced: aggregate from the spans table instead
    std::size_t lastItem = 0; // index of the last item with a span of this trace (payload_traces rows)
    qint64 spanCount = 0;
    qint64 errorCount = 0;
    TraceSummary genai; // what the new spans add (GenAI figures only)
    std::uint64_t start = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t end = 0;
    RootKey rootKey;
    QString rootService;
    QString rootName;
    QStringList services; // unsorted, distinct, non-empty
    std::vector<std::string_view> texts; // this write's trace_text lines, one text per item (views into the items)
};

struct ZstdContextDeleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
using ZstdContext = std::unique_ptr<ZSTD_CCtx, ZstdContextDeleter>;

bool compressPayload(ZSTD_CCtx* context, const QByteArray& body, QByteArray* out)
{
    out->resize(qsizetype(ZSTD_compressBound(std::size_t(body.size()))));
    // zstd level 1: ~3.4x fewer instructions than zlib level 1 on request bodies; the ingest machine has two cores,
    // so the CPU this thread takes is taken from the receiver and the writer.
    const std::size_t size = context
        ? ZSTD_compressCCtx(context, out->data(), std::size_t(out->size()), body.constData(),
                            std::size_t(body.size()), 1)
        : ZSTD_compress(out->data(), std::size_t(out->size()), body.constData(), std::size_t(body.size()), 1);
    if (ZSTD_isError(size))
        return false;
    out->resize(qsizetype(size));
    return true;
}

bool inflatePayload(const QString& compression, const char* data, qsizetype size, qint64 bodySize, QByteArray* out)
{
    if (bodySize < 0 || bodySize > MaxPayloadBytes)
        return false;
    out->resize(qsizetype(bodySize));
    if (compression == QLatin1String("zstd")) {
        const std::size_t n = ZSTD_decompress(out->data(), std::size_t(bodySize), data, std::size_t(size));
        return !ZSTD_isError(n) && n == std::size_t(bodySize);
    }
    // zlib: what stores written before zstd hold
    uLongf outSize = uLongf(bodySize);
    return uncompress(reinterpret_cast<Bytef*>(out->data()), &outSize, reinterpret_cast<const Bytef*>(data),
                      uLong(size))
        == Z_OK
        && qint64(outSize) == bodySize;
}

// A request body compressed and hashed, ready to store; prepared off the writer's critical path.
struct PreparedPayload {
    QByteArray compressed;
    QByteArray hash; // of `compressed`: zstd at a fixed level is deterministic, and hashing ~5x fewer bytes is cheaper
    bool ok = true;
};

// `context` may be null; when given, no other thread may use it until this returns.
std::vector<PreparedPayload> preparePayloads(const std::vector<IngestItem>& items, ZSTD_CCtx* context)
{
    std::vector<PreparedPayload> prepared(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const QByteArray& body = items[i].payload.body;
        if (body.isEmpty() || items[i].payload.signal != RawPayload::Signal::Traces) // logs bodies are not kept
            continue;
        prepared[i].ok = compressPayload(context, body, &prepared[i].compressed);
        if (prepared[i].ok)
            prepared[i].hash = contentHash(prepared[i].compressed.constData(), prepared[i].compressed.size());
    }
    return prepared;
}

// The encoded columns of one span, as insertSpan binds them.
struct EncodedSpan {
    std::string attributes;
    std::string events;
    std::string links;
    std::string name;
    std::string statusMessage;
    std::string traceState;
    SpanGenAiFigures genai;
};

// One trace's text index lines from one item's spans (TraceTextIndex::TextBuilder::text).
struct TraceText {
    TraceId traceId;
    std::string text;
};

// What SqliteTraceStore::prepare computes ahead of write(), on the submitting thread.
struct SqlitePreparedItem final : PreparedItem {
    std::vector<EncodedSpan> spans; // parallel to the item's batch.spans
    std::vector<TraceText> texts; // per trace of the item, in first-seen order
    PreparedPayload payload;
};

void appendUtf8To(std::string& out, const QString& s)
{
    out.clear();
    SpanCodec::appendUtf8(out, s);
}

void encodeSpan(const Span& span, EncodedSpan* out)
{
    out->attributes.clear();
    out->events.clear();
    out->links.clear();
    if (!span.attributes.empty())
        SpanCodec::appendAttributes(out->attributes, span.attributes);
    if (!span.events.empty())
        SpanCodec::appendEvents(out->events, span.events);
    if (!span.links.empty())
        SpanCodec::appendLinks(out->links, span.links);
    appendUtf8To(out->name, span.name);
    appendUtf8To(out->statusMessage, span.statusMessage);
    appendUtf8To(out->traceState, span.traceState);
    out->genai = SpanGenAiFigures::of(span);
}

// The text index lines of `spans` (encoded as `encoded`), per trace: each distinct string is folded once.
void buildTraceTexts(const std::vector<Span>& spans, const std::vector<EncodedSpan>& encoded, std::vector<TraceText>* out)
{
    out->clear();
    std::deque<TraceTextIndex::TextBuilder> builders; // parallel to *out; a deque does not move them
    std::unordered_map<TraceId, std::size_t> index;
    std::size_t last = 0; // spans of a trace mostly come together
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const TraceId& traceId = spans[i].traceId;
        if (out->empty() || (*out)[last].traceId != traceId) {
            const auto [it, isNew] = index.try_emplace(traceId, out->size());
            if (isNew) {
                out->push_back(TraceText { traceId, {} });
                builders.emplace_back();
            }
            last = it->second;
        }
        builders[last].addSpan(encoded[i].name, encoded[i].attributes, true);
    }
    for (std::size_t i = 0; i < out->size(); ++i)
        (*out)[i].text = builders[i].text();
}

TraceSummary readSummary(const SqliteQuery& q)
{
    // Column order of SummaryColumns.
    TraceSummary s;
    qsizetype size = 0;
    const char* id = q.columnBlob(0, &size);
    if (size == TraceId::Size)
        s.traceId = TraceId::fromRaw(id);
    s.rootServiceName = q.columnText(1);
    s.rootSpanName = q.columnText(2);
    s.startTimeUnixNano = fromDb(q.columnInt64(3));
    s.endTimeUnixNano = fromDb(q.columnInt64(4));
    s.spanCount = q.columnInt64(5);
    s.errorCount = q.columnInt64(6);
    s.hasRoot = q.columnInt64(7) != 0;
    s.services = splitServices(q.columnText(8));
    s.inputTokens = q.columnInt64(9);
    s.outputTokens = q.columnInt64(10);
    s.cachedInputTokens = q.columnInt64(11);
    s.llmCalls = q.columnInt64(12);
    s.toolCalls = q.columnInt64(13);
    s.modelUsage = TraceSummary::modelUsageFromJson(q.columnText(14).toUtf8());
    s.conversationId = q.columnText(15);
    return s;
}

// spanscope_contains(name TEXT, attributes BLOB, folded needle TEXT): the text filter of listTraces. Matching the
// compact attribute encoding directly keeps a folded copy of every string out of the spans rows (smaller rows are
// faster to write; the filter is a scan either way).
void sqlContains(sqlite3_context* context, int, sqlite3_value** args)
{
    const std::string_view needle(reinterpret_cast<const char*>(sqlite3_value_text(args[2])),
                                  std::size_t(sqlite3_value_bytes(args[2])));
    const auto* name = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
    const int nameSize = sqlite3_value_bytes(args[0]);
    const auto* attributes = static_cast<const char*>(sqlite3_value_blob(args[1]));
    const int attributesSize = sqlite3_value_bytes(args[1]);
    const bool found = SpanCodec::textContains(name, nameSize, needle)
        || SpanCodec::attributesContain(attributes, attributesSize, needle);
    sqlite3_result_int(context, found ? 1 : 0);
}

// spanscope_cost(model_usage TEXT, prices POINTER "spanscope_prices"): TraceOrdering::costKey of a trace's model
// usage, the key of TraceOrder::Cost. The very function the trace list merges with, so a cursor's key (computed in
// C++) equals the row's. Traces without usage ('' or '[]') skip the JSON parse.
constexpr const char* PricesPointerType = "spanscope_prices";

void sqlCost(sqlite3_context* context, int, sqlite3_value** args)
{
    const auto* prices = static_cast<const PriceTable*>(sqlite3_value_pointer(args[1], PricesPointerType));
    const int size = sqlite3_value_bytes(args[0]);
    if (size <= 2) {
        sqlite3_result_double(context, 0);
        return;
    }
    const QByteArray json(reinterpret_cast<const char*>(sqlite3_value_text(args[0])), size);
    sqlite3_result_double(context, TraceOrdering::costKey(TraceSummary::modelUsageFromJson(json), prices));
}

#define SUMMARY_COLUMNS                                                                                              \
    "t.trace_id, t.root_service, t.root_name, t.start_time, t.end_time, t.span_count, t.error_count, t.has_root, " \
    "t.services, t.input_tokens, t.output_tokens, t.cached_input_tokens, t.llm_calls, t.tool_calls, t.model_usage, " \
    "t.conversation_id"

} // namespace

// ---------------------------------------------------------------------------------------------------------------
// Writer

class SqliteTraceStore::Writer {
public:
    explicit Writer(const QString& path) : m_path(path) { }

    SqliteConnection db;
    int walFrames = 0; // frames in the WAL after the last commit (sqlite3_wal_hook)
    qint64 walFrameBytes = 4096 + 24; // one WAL frame: a page and its 24-byte header
    // For preparePayloads; used by one write at a time (writes are serialized and wait for their payloads).
    ZstdContext zstd { ZSTD_createCCtx() };

    /// `payloads` (from preparePayloads) is waited for only after the spans are inserted.
    WriteResult write(const std::vector<IngestItem>& items, std::future<std::vector<PreparedPayload>> payloads);
    /// One chunk of setCostPrices' repricing (its own transaction); *done when no chunk is left or `generation` was
    /// superseded.
    bool repriceChunk(qint64 generation, const PriceTable& prices, bool* done);
    /// Starts keeping costs by `prices` (canonical JSON `json`), or goes on with it: *generation is its
    /// cost_prices.generation, *done when every trace is priced by it already.
    bool startCostPrices(const QByteArray& json, qint64* generation, bool* done);
    const QString& error() const { return m_error; }

private:
    bool fail(const QString& what);
    sqlite3_stmt* stmt(const char* sql);
    struct ResourceEntry {
        qint64 id = 0;
        QString service;
        std::string serviceUtf8;
    };

    bool storePayload(const IngestItem& item, const PreparedPayload& prepared, qint64* payloadId);
    const ResourceEntry* resourceEntry(const std::shared_ptr<const Resource>& resource);
    bool scopeId(const std::shared_ptr<const InstrumentationScope>& scope, qint64* id);
    bool insertSpan(const Span& span, const EncodedSpan& encoded, qint64 traceSeq, qint64 resourceId,
                    qint64 scopeId, const std::string& serviceUtf8, bool* inserted);
    bool insertLogRecord(const LogRecord& record, bool* inserted);
    bool lastTraceSeq(qint64* seq);
    bool updateSummary(const TraceId& traceId, TraceDelta& delta);
    bool recomputeSummary(qint64 traceSeq, TraceRow* row);
    bool readTraceRow(const TraceId& traceId, TraceDelta* delta);
    bool writeTraceRow(const TraceId& traceId, qint64 traceSeq, const TraceRow& row);
    bool upsertTraceServices(const TraceId& traceId, qint64 traceSeq, const QStringList& services,
                             std::uint64_t start);
    /// Reads cost_prices in the open transaction: m_costPrices is then the table traces.cost is kept by.
    bool loadCostPrices();
    /// Commits the open transaction when `ok` (false if that fails), else rolls it back and returns false.
    bool finish(bool ok);

    const QString m_path;
    QString m_error;

    // content hash -> row id of rows known to be committed; m_pending* hold rows of the open transaction and are
    // merged only after COMMIT, so a rollback cannot leave ids of rows that no longer exist.
    QHash<QByteArray, qint64> m_resourceIds;
    QHash<QByteArray, qint64> m_scopeIds;
    QHash<QByteArray, qint64> m_pendingResourceIds;
    QHash<QByteArray, qint64> m_pendingScopeIds;
    // Per write: spans of one request share their resource/scope object, so most lookups stop here.
    std::unordered_map<const Resource*, ResourceEntry> m_resourceByPointer;
    QHash<const InstrumentationScope*, qint64> m_scopeByPointer;
    ResourceEntry m_noResource;
    // The per-span statements, kept here to skip hashing their SQL text for the connection's cache per span.
    sqlite3_stmt* m_insertSpan = nullptr;
    sqlite3_stmt* m_updateSpan = nullptr;

    std::string m_encoded; // reused encode buffer for resources and scopes
    TraceTextIndex::TextBuilder m_text; // reused for a trace's text index row

    // traces.cost is TraceOrdering::costKey by these prices (cost_prices.prices; null: no row, every key 0 or -1).
    // Re-read when cost_prices.generation changes, which another connection or process may do.
    std::shared_ptr<const PriceTable> m_costPrices;
    qint64 m_costGeneration = -1;
};

bool SqliteTraceStore::Writer::fail(const QString& what)
{
    if (m_error.isEmpty())
        m_error = what;
    return false;
}

sqlite3_stmt* SqliteTraceStore::Writer::stmt(const char* sql)
{
    QString error;
    sqlite3_stmt* s = db.statement(sql, &error);
    if (!s)
        fail(error);
    return s;
}

WriteResult SqliteTraceStore::Writer::write(const std::vector<IngestItem>& items,
                                            std::future<std::vector<PreparedPayload>> payloads)
{
    WriteResult result;
    m_error.clear();
    m_pendingResourceIds.clear();
    m_pendingScopeIds.clear();
    m_resourceByPointer.clear();
    m_scopeByPointer.clear();

    // Insertion order of changed traces is kept for the result; the map holds the accumulated deltas (node based,
    // so pointers to them stay valid while it grows).
    std::vector<TraceId> order;
    std::unordered_map<TraceId, TraceDelta> deltas;
    std::vector<std::vector<qint64>> itemTraces(items.size()); // trace seqs per item, for payload_traces
    std::vector<TraceId> logTraces; // traces with new log records and no spans in this call

    // Pass 1: validate, and find or assign every trace's seq (one random trace-id lookup per trace, not per span).
    struct PendingSpan {
        qint64 seq;
        const Span* span;
        const EncodedSpan* encoded;
        TraceDelta* delta;
    };
    std::vector<PendingSpan> pending;
    std::size_t spanTotal = 0;
    for (const IngestItem& item : items)
        spanTotal += item.batch.spans.size();
    pending.reserve(spanTotal);

    // Items that SqliteTraceStore::prepare did not see are prepared here (their payloads are handled apart).
    std::vector<std::unique_ptr<SqlitePreparedItem>> preparedHere;
    qint64 lastSeq = 0;
    bool ok = db.exec("BEGIN IMMEDIATE", &m_error) && lastTraceSeq(&lastSeq) && loadCostPrices();
    for (std::size_t itemIndex = 0; ok && itemIndex < items.size(); ++itemIndex) {
        const IngestItem& item = items[itemIndex];
        const auto* prepared = dynamic_cast<const SqlitePreparedItem*>(item.prepared.get());
        if (!prepared || prepared->spans.size() != item.batch.spans.size()) {
            auto own = std::make_unique<SqlitePreparedItem>();
            own->spans.resize(item.batch.spans.size());
            for (std::size_t i = 0; i < item.batch.spans.size(); ++i)
                encodeSpan(item.batch.spans[i], &own->spans[i]);
            buildTraceTexts(item.batch.spans, own->spans, &own->texts);
            prepared = preparedHere.emplace_back(std::move(own)).get();
        }
        for (std::size_t spanIndex = 0; spanIndex < item.batch.spans.size(); ++spanIndex) {
            const Span& span = item.batch.spans[spanIndex];
            if (!span.traceId.isValid() || !span.spanId.isValid()) {
                ok = fail(QStringLiteral("item %1 holds a span with an invalid trace id or span id (%2/%3)")
                              .arg(itemIndex)
                              .arg(span.traceId.toHex(), span.spanId.toHex()));
                break;
            }
            auto [it, isNew] = deltas.try_emplace(span.traceId);
            TraceDelta& d = it->second;
            if (isNew) {
                order.push_back(span.traceId);
                ok = readTraceRow(span.traceId, &d);
                if (!ok)
                    break;
                if (!d.stored)
                    d.seq = ++lastSeq;
            }
            if (isNew || d.lastItem != itemIndex) {
                d.lastItem = itemIndex;
                itemTraces[itemIndex].push_back(d.seq);
            }
            pending.push_back(PendingSpan { d.seq, &span, &prepared->spans[spanIndex], &d });
        }
        for (const TraceText& text : prepared->texts) {
            const auto it = deltas.find(text.traceId);
            if (it != deltas.end() && !text.text.empty())
                it->second.texts.push_back(text.text);
        }
    }

    // Pass 2: insert in key order, so a new trace's spans append at the right edge of the spans B-tree. Stable: a
    // span sent twice in one call keeps its order, and the later copy replaces the earlier one.
    std::stable_sort(pending.begin(), pending.end(), [](const PendingSpan& a, const PendingSpan& b) {
        return a.seq != b.seq ? a.seq < b.seq : a.span->spanId < b.span->spanId;
    });
    for (const PendingSpan& p : pending) {
        if (!ok)
            break;
        const Span& span = *p.span;
        const ResourceEntry* resource = resourceEntry(span.resource);
        qint64 sid = 0;
        ok = resource && scopeId(span.scope, &sid);
        if (!ok)
            break;
        const EncodedSpan* encoded = p.encoded;
        bool inserted = false;
        ok = insertSpan(span, *encoded, p.seq, resource->id, sid, resource->serviceUtf8, &inserted);
        if (!ok)
            break;
        ++result.spansWritten;

        TraceDelta& d = *p.delta;
        if (!inserted) {
            d.fullRecompute = true;
            continue;
        }
        ++d.spanCount;
        if (span.statusCode == StatusCode::Error)
            ++d.errorCount;
        d.genai.addGenAi(encoded->genai);
        d.start = std::min(d.start, span.startTimeUnixNano);
        d.end = std::max(d.end, span.endTimeUnixNano);
        const RootKey key { span.isRoot(), span.startTimeUnixNano, span.spanId };
        if (d.spanCount == 1 || key.before(d.rootKey)) {
            d.rootKey = key;
            d.rootService = resource->service;
            d.rootName = span.name;
        }
        if (!resource->service.isEmpty() && !d.services.contains(resource->service))
            d.services.append(resource->service);
    }

    // Log records: inserted unless an identical one is stored; a trace that got one is reported as changed.
    for (std::size_t itemIndex = 0; ok && itemIndex < items.size(); ++itemIndex) {
        for (const LogRecord& record : items[itemIndex].batch.logs) {
            bool inserted = false;
            ok = insertLogRecord(record, &inserted);
            if (!ok)
                break;
            if (!inserted)
                continue;
            ++result.logRecordsWritten;
            if (record.traceId.isValid() && deltas.find(record.traceId) == deltas.end()
                && (logTraces.empty() || logTraces.back() != record.traceId))
                logTraces.push_back(record.traceId);
        }
    }

    // Always wait: the future reads `items`, which must stay alive until it is done.
    const std::vector<PreparedPayload> prepared = payloads.get();
    for (std::size_t itemIndex = 0; ok && itemIndex < items.size(); ++itemIndex) {
        // The raw view shows the requests that carried a trace's spans; a logs request is kept as its records.
        if (items[itemIndex].payload.signal != RawPayload::Signal::Traces)
            continue;
        qint64 payloadId = 0;
        ok = storePayload(items[itemIndex], prepared[itemIndex], &payloadId);
        if (!ok || payloadId == 0)
            continue;
        sqlite3_stmt* s = stmt("INSERT OR IGNORE INTO payload_traces (trace_seq, payload_id) VALUES (?1, ?2)");
        ok = s != nullptr;
        for (const qint64 seq : itemTraces[itemIndex]) {
            if (!ok)
                break;
            SqliteQuery q(s);
            q.bindInt64(1, seq);
            q.bindInt64(2, payloadId);
            ok = q.exec() || fail(db.errorMessage());
        }
    }

    for (std::size_t i = 0; ok && i < order.size(); ++i)
        ok = updateSummary(order[i], deltas[order[i]]);

    // The text index, one row per trace, in rowid order: FTS5 writes out its pending rows whenever a rowid is not
    // above the previous one, and small segments cost merges. A replaced span's old strings stay: they only add a
    // candidate, which the span scan drops.
    std::vector<const TraceDelta*> texts;
    for (const TraceId& id : order)
        if (const TraceDelta& d = deltas[id]; !d.texts.empty())
            texts.push_back(&d);
    std::sort(texts.begin(), texts.end(), [](const TraceDelta* a, const TraceDelta* b) { return a->seq < b->seq; });
    sqlite3_stmt* insertText = ok && !texts.empty() ? stmt("INSERT INTO trace_text (rowid, text) VALUES (?1, ?2)") : nullptr;
    for (const TraceDelta* d : texts) {
        if (!ok || !insertText) {
            ok = false;
            break;
        }
        std::string_view text = d->texts.front();
        if (d->texts.size() > 1) { // the trace's spans came in several items: their common lines once
            m_text.clear();
            for (const std::string_view part : d->texts)
                m_text.addLines(part);
            text = m_text.text();
        }
        SqliteQuery q(insertText);
        q.bindInt64(1, d->seq);
        q.bindTextStatic(2, text.data(), qsizetype(text.size()));
        ok = q.exec() || fail(db.errorMessage());
    }

    ok = ok && db.exec("COMMIT", &m_error);
    if (!ok) {
        if (sqlite3_get_autocommit(db.handle()) == 0)
            db.exec("ROLLBACK", nullptr);
        result.ok = false;
        // No path (it reaches /healthz) and no log line: the caller reports failures (the ingest pipeline once per
        // outage, not once per retried request).
        result.error = QStringLiteral("cannot write to the SQLite trace store: %1").arg(m_error);
        result.spansWritten = 0;
        result.logRecordsWritten = 0;
        return result;
    }

    if (m_resourceIds.size() + m_pendingResourceIds.size() > MaxCachedIds)
        m_resourceIds.clear();
    m_resourceIds.insert(m_pendingResourceIds);
    if (m_scopeIds.size() + m_pendingScopeIds.size() > MaxCachedIds)
        m_scopeIds.clear();
    m_scopeIds.insert(m_pendingScopeIds);

    result.ok = true;
    result.changedTraces = std::move(order);
    for (const TraceId& id : logTraces)
        if (std::find(result.changedTraces.begin(), result.changedTraces.end(), id) == result.changedTraces.end())
            result.changedTraces.push_back(id);
    return result;
}

bool SqliteTraceStore::Writer::storePayload(const IngestItem& item, const PreparedPayload& prepared, qint64* payloadId)
{
    *payloadId = 0;
    const RawPayload& p = item.payload;
    if (p.body.isEmpty())
        return true; // nothing to keep (e.g. spans built in memory)
    if (!prepared.ok)
        return fail(QStringLiteral("cannot compress a payload of %1 bytes").arg(p.body.size()));
    const QByteArray& hash = prepared.hash;
    const QByteArray& compressed = prepared.compressed;

    sqlite3_stmt* find = stmt("SELECT id FROM payloads WHERE hash = ?1");
    if (!find)
        return false;
    {
        SqliteQuery q(find);
        q.bindBlobStatic(1, hash.constData(), hash.size());
        const int rc = q.step();
        if (rc == SQLITE_ROW) {
            *payloadId = q.columnInt64(0);
            return true;
        }
        if (rc != SQLITE_DONE)
            return fail(db.errorMessage());
    }

    sqlite3_stmt* insert = stmt("INSERT INTO payloads (hash, body, body_size, compression, content_type, "
                                "content_encoding, wire_size, received_at, peer, span_count) "
                                "VALUES (?1, ?2, ?3, 'zstd', ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!insert)
        return false;
    SqliteQuery q(insert);
    q.bindBlobStatic(1, hash.constData(), hash.size());
    q.bindBlobStatic(2, compressed.constData(), compressed.size());
    q.bindInt64(3, p.body.size());
    q.bindText(4, p.contentType);
    q.bindText(5, p.contentEncoding);
    q.bindInt64(6, p.wireSize);
    q.bindInt64(7, toDb(p.receivedAtUnixNano));
    q.bindText(8, p.peer);
    q.bindInt64(9, p.spanCount > 0 ? p.spanCount : qint64(item.batch.spans.size()));
    if (!q.exec())
        return fail(db.errorMessage());
    *payloadId = sqlite3_last_insert_rowid(db.handle());
    return true;
}

const SqliteTraceStore::Writer::ResourceEntry*
SqliteTraceStore::Writer::resourceEntry(const std::shared_ptr<const Resource>& resource)
{
    if (!resource)
        return &m_noResource;
    const auto cached = m_resourceByPointer.find(resource.get());
    if (cached != m_resourceByPointer.end())
        return &cached->second;
    m_encoded.clear();
    SpanCodec::appendResource(m_encoded, *resource);
    const QByteArray hash = contentHash(m_encoded.data(), qsizetype(m_encoded.size()));
    ResourceEntry entry;
    entry.service = resource->serviceName();
    SpanCodec::appendUtf8(entry.serviceUtf8, entry.service);

    entry.id = m_pendingResourceIds.value(hash, 0);
    if (!entry.id)
        entry.id = m_resourceIds.value(hash, 0);
    if (!entry.id) {
        sqlite3_stmt* s = stmt("INSERT INTO resources (hash, service_name, content) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id");
        if (!s)
            return nullptr;
        SqliteQuery q(s);
        q.bindBlobStatic(1, hash.constData(), hash.size());
        q.bindTextStatic(2, entry.serviceUtf8);
        q.bindBlobStatic(3, m_encoded.data(), qsizetype(m_encoded.size()));
        if (q.step() != SQLITE_ROW)
            return fail(db.errorMessage()), nullptr;
        entry.id = q.columnInt64(0);
        if (q.step() != SQLITE_DONE)
            return fail(db.errorMessage()), nullptr;
        m_pendingResourceIds.insert(hash, entry.id);
    }
    return &m_resourceByPointer.emplace(resource.get(), std::move(entry)).first->second;
}

bool SqliteTraceStore::Writer::scopeId(const std::shared_ptr<const InstrumentationScope>& scope, qint64* id)
{
    *id = 0;
    if (!scope)
        return true;
    const auto cached = m_scopeByPointer.constFind(scope.get());
    if (cached != m_scopeByPointer.constEnd()) {
        *id = *cached;
        return true;
    }
    m_encoded.clear();
    SpanCodec::appendScope(m_encoded, *scope);
    const QByteArray hash = contentHash(m_encoded.data(), qsizetype(m_encoded.size()));

    qint64 found = m_pendingScopeIds.value(hash, 0);
    if (!found)
        found = m_scopeIds.value(hash, 0);
    if (!found) {
        sqlite3_stmt* s = stmt("INSERT INTO scopes (hash, name, version, content) VALUES (?1, ?2, ?3, ?4) "
                               "ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id");
        if (!s)
            return false;
        SqliteQuery q(s);
        q.bindBlobStatic(1, hash.constData(), hash.size());
        q.bindText(2, scope->name);
        q.bindText(3, scope->version);
        q.bindBlobStatic(4, m_encoded.data(), qsizetype(m_encoded.size()));
        if (q.step() != SQLITE_ROW)
            return fail(db.errorMessage());
        found = q.columnInt64(0);
        if (q.step() != SQLITE_DONE)
            return fail(db.errorMessage());
        m_pendingScopeIds.insert(hash, found);
    }
    m_scopeByPointer.insert(scope.get(), found);
    *id = found;
    return true;
}

bool SqliteTraceStore::Writer::insertSpan(const Span& span, const EncodedSpan& encoded, qint64 traceSeq,
                                          qint64 resourceId, qint64 scopeId, const std::string& serviceUtf8,
                                          bool* inserted)
{
    // Insert first; a conflict means the span was sent before (a retry or a duplicate) and is replaced below.
    static const char insertSql[]
        = "INSERT INTO spans (trace_seq, span_id, parent_span_id, name, kind, start_time, end_time, status_code, "
          "status_message, trace_state, flags, resource_id, scope_id, service, attributes, events, links, "
          "dropped_attributes_count, dropped_events_count, dropped_links_count, input_tokens, output_tokens, genai_role, "
          "cached_input_tokens, model, conversation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
          "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26) "
          "ON CONFLICT (trace_seq, span_id) DO NOTHING";
    static const char updateSql[]
        = "UPDATE spans SET parent_span_id = ?3, name = ?4, kind = ?5, start_time = ?6, end_time = ?7, "
          "status_code = ?8, status_message = ?9, trace_state = ?10, flags = ?11, resource_id = ?12, scope_id = ?13, "
          "service = ?14, attributes = ?15, events = ?16, links = ?17, dropped_attributes_count = ?18, "
          "dropped_events_count = ?19, dropped_links_count = ?20, input_tokens = ?21, output_tokens = ?22, "
          "genai_role = ?23, cached_input_tokens = ?24, model = ?25, conversation_id = ?26 "
          "WHERE trace_seq = ?1 AND span_id = ?2";

    const auto bind = [&](SqliteQuery& q) {
        q.bindInt64(1, traceSeq);
        q.bindBlobStatic(2, span.spanId.data(), SpanId::Size);
        if (span.parentSpanId.isValid())
            q.bindBlobStatic(3, span.parentSpanId.data(), SpanId::Size);
        else
            q.bindNull(3);
        q.bindTextStatic(4, encoded.name);
        q.bindInt64(5, int(span.kind));
        q.bindInt64(6, toDb(span.startTimeUnixNano));
        q.bindInt64(7, toDb(span.endTimeUnixNano));
        q.bindInt64(8, int(span.statusCode));
        q.bindTextStatic(9, encoded.statusMessage);
        q.bindTextStatic(10, encoded.traceState);
        q.bindInt64(11, span.flags);
        if (resourceId)
            q.bindInt64(12, resourceId);
        else
            q.bindNull(12);
        if (scopeId)
            q.bindInt64(13, scopeId);
        else
            q.bindNull(13);
        q.bindTextStatic(14, serviceUtf8);
        const auto blobOrNull = [&q](int index, const std::string& b) {
            if (b.empty())
                q.bindNull(index);
            else
                q.bindBlobStatic(index, b.data(), qsizetype(b.size()));
        };
        blobOrNull(15, encoded.attributes);
        blobOrNull(16, encoded.events);
        blobOrNull(17, encoded.links);
        q.bindInt64(18, span.droppedAttributesCount);
        q.bindInt64(19, span.droppedEventsCount);
        q.bindInt64(20, span.droppedLinksCount);
        q.bindInt64(21, encoded.genai.inputTokens);
        q.bindInt64(22, encoded.genai.outputTokens);
        q.bindInt64(23, int(encoded.genai.role));
        q.bindInt64(24, encoded.genai.cachedInputTokens);
        q.bindText(25, encoded.genai.model);
        q.bindText(26, encoded.genai.conversationId);
    };

    if (!m_insertSpan && !(m_insertSpan = stmt(insertSql)))
        return false;
    {
        SqliteQuery q(m_insertSpan);
        bind(q);
        if (!q.exec())
            return fail(db.errorMessage());
    }
    *inserted = sqlite3_changes(db.handle()) == 1;
    if (*inserted)
        return true;

    if (!m_updateSpan && !(m_updateSpan = stmt(updateSql)))
        return false;
    SqliteQuery q(m_updateSpan);
    bind(q);
    return q.exec() || fail(db.errorMessage());
}

bool SqliteTraceStore::Writer::insertLogRecord(const LogRecord& record, bool* inserted)
{
    if (record.spanId.isValid() && !record.traceId.isValid())
        return fail(QStringLiteral("a log record has span id %1 but no trace id").arg(record.spanId.toHex()));
    const ResourceEntry* resource = resourceEntry(record.resource);
    qint64 sid = 0;
    if (!resource || !scopeId(record.scope, &sid))
        return false;
    sqlite3_stmt* s = stmt("INSERT INTO logs (hash, trace_id, span_id, time_unix_nano, observed_time_unix_nano, "
                           "severity_number, severity_text, body, attributes, event_name, flags, "
                           "dropped_attributes_count, resource_id, scope_id) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                           "ON CONFLICT (hash) DO NOTHING");
    if (!s)
        return false;
    const QByteArray hash = SpanCodec::logRecordHash(record);
    std::string body;
    if (record.body.type != AnyValue::Type::Empty)
        SpanCodec::appendAnyValue(body, record.body);
    std::string attributes;
    if (!record.attributes.empty())
        SpanCodec::appendAttributes(attributes, record.attributes);
    SqliteQuery q(s);
    q.bindBlobStatic(1, hash.constData(), hash.size());
    if (record.traceId.isValid())
        q.bindBlobStatic(2, record.traceId.data(), TraceId::Size);
    else
        q.bindNull(2);
    if (record.spanId.isValid())
        q.bindBlobStatic(3, record.spanId.data(), SpanId::Size);
    else
        q.bindNull(3);
    q.bindInt64(4, toDb(record.timeUnixNano));
    q.bindInt64(5, toDb(record.observedTimeUnixNano));
    q.bindInt64(6, record.severityNumber);
    q.bindText(7, record.severityText);
    if (body.empty())
        q.bindNull(8);
    else
        q.bindBlobStatic(8, body.data(), qsizetype(body.size()));
    if (attributes.empty())
        q.bindNull(9);
    else
        q.bindBlobStatic(9, attributes.data(), qsizetype(attributes.size()));
    q.bindText(10, record.eventName);
    q.bindInt64(11, record.flags);
    q.bindInt64(12, record.droppedAttributesCount);
    if (resource->id)
        q.bindInt64(13, resource->id);
    else
        q.bindNull(13);
    if (sid)
        q.bindInt64(14, sid);
    else
        q.bindNull(14);
    if (!q.exec())
        return fail(db.errorMessage());
    *inserted = sqlite3_changes(db.handle()) == 1;
    return true;
}

bool SqliteTraceStore::Writer::lastTraceSeq(qint64* seq)
{
    // Read inside the write transaction, so another process writing the same file cannot hand out the same seq.
    sqlite3_stmt* s = stmt("SELECT coalesce(max(seq), 0) FROM traces");
    if (!s)
        return false;
    SqliteQuery q(s);
    if (q.step() != SQLITE_ROW)
        return fail(db.errorMessage());
    *seq = q.columnInt64(0);
    return true;
}

bool SqliteTraceStore::Writer::readTraceRow(const TraceId& traceId, TraceDelta* delta)
{
    sqlite3_stmt* s = stmt("SELECT root_service, root_name, root_span_id, root_start_time, has_root, start_time, "
                           "end_time, span_count, error_count, services, input_tokens, output_tokens, seq, "
                           "cached_input_tokens, llm_calls, tool_calls, model_usage, conversation_id "
                           "FROM traces WHERE trace_id = ?1");
    if (!s)
        return false;
    SqliteQuery q(s);
    q.bindBlobStatic(1, traceId.data(), TraceId::Size);
    const int rc = q.step();
    if (rc == SQLITE_DONE) {
        delta->stored = false;
        return true;
    }
    if (rc != SQLITE_ROW)
        return fail(db.errorMessage());
    delta->stored = true;
    delta->seq = q.columnInt64(12);
    TraceRow* row = &delta->row;
    row->rootService = q.columnText(0);
    row->rootName = q.columnText(1);
    qsizetype size = 0;
    const char* rootSpanId = q.columnBlob(2, &size);
    row->rootKey.spanId = size == SpanId::Size ? SpanId::fromRaw(rootSpanId) : SpanId();
    row->rootKey.start = fromDb(q.columnInt64(3));
    row->rootKey.isRoot = q.columnInt64(4) != 0;
    row->start = fromDb(q.columnInt64(5));
    row->end = fromDb(q.columnInt64(6));
    row->spanCount = q.columnInt64(7);
    row->errorCount = q.columnInt64(8);
    row->services = splitServices(q.columnText(9));
    row->genai.inputTokens = q.columnInt64(10);
    row->genai.outputTokens = q.columnInt64(11);
    row->genai.cachedInputTokens = q.columnInt64(13);
    row->genai.llmCalls = q.columnInt64(14);
    row->genai.toolCalls = q.columnInt64(15);
    row->genai.modelUsage = TraceSummary::modelUsageFromJson(q.columnText(16).toUtf8());
    row->genai.conversationId = q.columnText(17);
    return true;
}

bool SqliteTraceStore::Writer::writeTraceRow(const TraceId& traceId, qint64 traceSeq, const TraceRow& row)
{
    // An upsert updates in place (REPLACE would delete and re-insert the row and all its index entries).
    sqlite3_stmt* s = stmt("INSERT INTO traces (trace_id, root_service, root_name, root_span_id, root_start_time, "
                           "has_root, start_time, end_time, span_count, error_count, services, input_tokens, "
                           "output_tokens, seq, cached_input_tokens, llm_calls, tool_calls, model_usage, "
                           "conversation_id, cost) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                           "?15, ?16, ?17, ?18, ?19, ?20) "
                           "ON CONFLICT (seq) DO UPDATE SET root_service = excluded.root_service, "
                           "root_name = excluded.root_name, root_span_id = excluded.root_span_id, "
                           "root_start_time = excluded.root_start_time, has_root = excluded.has_root, "
                           "start_time = excluded.start_time, end_time = excluded.end_time, "
                           "span_count = excluded.span_count, error_count = excluded.error_count, "
                           "services = excluded.services, input_tokens = excluded.input_tokens, "
                           "output_tokens = excluded.output_tokens, cached_input_tokens = excluded.cached_input_tokens, "
                           "llm_calls = excluded.llm_calls, tool_calls = excluded.tool_calls, "
                           "model_usage = excluded.model_usage, conversation_id = excluded.conversation_id, "
                           "cost = excluded.cost");
    if (!s)
        return false;
    SqliteQuery q(s);
    q.bindBlobStatic(1, traceId.data(), TraceId::Size);
    q.bindText(2, row.rootService);
    q.bindText(3, row.rootName);
    q.bindBlobStatic(4, row.rootKey.spanId.data(), SpanId::Size);
    q.bindInt64(5, toDb(row.rootKey.start));
    q.bindInt64(6, row.rootKey.isRoot ? 1 : 0);
    q.bindInt64(7, toDb(row.start));
    q.bindInt64(8, toDb(row.end));
    q.bindInt64(9, row.spanCount);
    q.bindInt64(10, row.errorCount);
    q.bindText(11, joinServices(row.services));
    q.bindInt64(12, row.genai.inputTokens);
    q.bindInt64(13, row.genai.outputTokens);
    q.bindInt64(14, traceSeq);
    q.bindInt64(15, row.genai.cachedInputTokens);
    q.bindInt64(16, row.genai.llmCalls);
    q.bindInt64(17, row.genai.toolCalls);
    if (row.genai.modelUsage.empty())
        q.bindText(18, QString());
    else
        q.bindText(18, QString::fromUtf8(TraceSummary::modelUsageToJson(row.genai.modelUsage)));
    q.bindText(19, row.genai.conversationId);
    q.bindDouble(20, row.genai.modelUsage.empty() ? 0 : TraceOrdering::costKey(row.genai.modelUsage, m_costPrices.get()));
    return q.exec() || fail(db.errorMessage());
}

bool SqliteTraceStore::Writer::loadCostPrices()
{
    sqlite3_stmt* s = stmt("SELECT generation, prices FROM cost_prices WHERE id = 1");
    if (!s)
        return false;
    SqliteQuery q(s);
    const int rc = q.step();
    if (rc == SQLITE_DONE) {
        m_costPrices.reset();
        m_costGeneration = 0;
        return true;
    }
    if (rc != SQLITE_ROW)
        return fail(db.errorMessage());
    const qint64 generation = q.columnInt64(0);
    if (generation == m_costGeneration)
        return true;
    QString why;
    std::optional<PriceTable> table = PriceTable::fromJson(q.columnBlobCopy(1), &why);
    if (!table) {
        // Written by setCostPrices from a table that parsed; a broken row prices nothing, and matches no query's
        // prices, so queries price each trace themselves. Writes go on.
        qCWarning(lcStorage).noquote() << "the stored cost prices do not parse:" << why;
        table = PriceTable();
    }
    m_costPrices = std::make_shared<const PriceTable>(std::move(*table));
    m_costGeneration = generation;
    return true;
}

bool SqliteTraceStore::Writer::finish(bool ok)
{
    if (ok && db.exec("COMMIT", &m_error))
        return true;
    if (sqlite3_get_autocommit(db.handle()) == 0)
        db.exec("ROLLBACK", nullptr);
    return false;
}

bool SqliteTraceStore::Writer::startCostPrices(const QByteArray& json, qint64* generation, bool* done)
{
    m_error.clear();
    *done = false;
    if (!db.exec("BEGIN IMMEDIATE", &m_error))
        return false;
    sqlite3_stmt* read = stmt("SELECT generation, prices, repriced_to_seq IS NULL FROM cost_prices WHERE id = 1");
    sqlite3_stmt* write = stmt("INSERT OR REPLACE INTO cost_prices (id, generation, prices, repriced_to_seq) "
                               "VALUES (1, ?1, ?2, 0)");
    bool ok = read && write;
    if (ok) {
        SqliteQuery q(read);
        const int rc = q.step();
        ok = rc == SQLITE_ROW || rc == SQLITE_DONE || fail(db.errorMessage());
        *generation = rc == SQLITE_ROW ? q.columnInt64(0) + 1 : 1;
        if (ok && rc == SQLITE_ROW && q.columnBlobCopy(1) == json) {
            *generation -= 1; // the same prices: go on where the last call stopped, if it did
            *done = q.columnInt64(2) != 0;
            q.reset();
            return finish(true);
        }
    }
    if (ok) {
        SqliteQuery q(write);
        q.bindInt64(1, *generation);
        q.bindTextStatic(2, json.constData(), json.size()); // UTF-8 JSON: readable with the sqlite3 shell
        ok = q.exec() || fail(db.errorMessage());
    }
    return finish(ok);
}

bool SqliteTraceStore::Writer::repriceChunk(qint64 generation, const PriceTable& prices, bool* done)
{
    m_error.clear();
    *done = true;
    if (!db.exec("BEGIN IMMEDIATE", &m_error))
        return false;
    sqlite3_stmt* read = stmt("SELECT generation, coalesce(repriced_to_seq, -1), (SELECT coalesce(max(seq), 0) FROM traces) "
                              "FROM cost_prices WHERE id = 1");
    sqlite3_stmt* update = stmt("UPDATE traces SET cost = spanscope_cost(model_usage, ?1) "
                                "WHERE seq > ?2 AND seq <= ?3 AND model_usage != ''");
    sqlite3_stmt* progress = stmt("UPDATE cost_prices SET repriced_to_seq = ?1 WHERE id = 1");
    bool ok = read && update && progress;
    qint64 from = 0;
    qint64 last = 0;
    if (ok) {
        SqliteQuery q(read);
        const int rc = q.step();
        ok = rc == SQLITE_ROW || rc == SQLITE_DONE || fail(db.errorMessage());
        // Superseded by another table (or the row is gone), or already complete: nothing to do.
        if (ok && rc == SQLITE_ROW && q.columnInt64(0) == generation && q.columnInt64(1) >= 0) {
            from = q.columnInt64(1);
            last = q.columnInt64(2);
            *done = false;
        }
    }
    if (ok && !*done) {
        const qint64 to = from + CostRepriceChunkTraces;
        {
            SqliteQuery q(update);
            q.bindPointer(1, const_cast<PriceTable*>(&prices), PricesPointerType);
            q.bindInt64(2, from);
            q.bindInt64(3, to);
            ok = q.exec() || fail(db.errorMessage());
        }
        if (ok) {
            SqliteQuery q(progress);
            if (to >= last)
                q.bindNull(1);
            else
                q.bindInt64(1, to);
            ok = q.exec() || fail(db.errorMessage());
            *done = to >= last;
        }
    }
    return finish(ok);
}

bool SqliteTraceStore::Writer::upsertTraceServices(const TraceId& traceId, qint64 traceSeq,
                                                   const QStringList& services, std::uint64_t start)
{
    sqlite3_stmt* s = stmt("INSERT INTO trace_services (trace_id, service, start_time, trace_seq) "
                           "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (trace_seq, service) "
                           "DO UPDATE SET start_time = excluded.start_time WHERE start_time != excluded.start_time");
    if (!s)
        return false;
    for (const QString& service : services) {
        SqliteQuery q(s);
        q.bindBlobStatic(1, traceId.data(), TraceId::Size);
        q.bindText(2, service);
        q.bindInt64(3, toDb(start));
        q.bindInt64(4, traceSeq);
        if (!q.exec())
            return fail(db.errorMessage());
    }
    return true;
}

bool SqliteTraceStore::Writer::recomputeSummary(qint64 traceSeq, TraceRow* row)
{
    sqlite3_stmt* agg = stmt("SELECT min(start_time), max(end_time), count(*), total(status_code = 2), "
                             "total(input_tokens), total(output_tokens), total(cached_input_tokens), "
                             "total(genai_role = 1), total(genai_role = 2), "
                             "min(CASE WHEN conversation_id != '' THEN conversation_id END) "
                             "FROM spans WHERE trace_seq = ?1");
    sqlite3_stmt* models = stmt("SELECT model, count(*), total(input_tokens), total(output_tokens), "
                                "total(cached_input_tokens) FROM spans WHERE trace_seq = ?1 AND genai_role = 1 "
                                "GROUP BY model");
    sqlite3_stmt* root = stmt("SELECT service, name, span_id, start_time, parent_span_id IS NULL FROM spans "
                              "WHERE trace_seq = ?1 ORDER BY parent_span_id IS NOT NULL, start_time, span_id LIMIT 1");
    sqlite3_stmt* services = stmt("SELECT DISTINCT service FROM spans WHERE trace_seq = ?1 AND service != ''");
    if (!agg || !root || !services || !models)
        return false;
    {
        SqliteQuery q(agg);
        q.bindInt64(1, traceSeq);
        if (q.step() != SQLITE_ROW)
            return fail(db.errorMessage());
        row->start = fromDb(q.columnInt64(0));
        row->end = fromDb(q.columnInt64(1));
        row->spanCount = q.columnInt64(2);
        row->errorCount = q.columnInt64(3);
        // total() is a REAL: converting it to an integer holds it at INT64_MAX, as saturatingAdd does.
        row->genai.inputTokens = q.columnInt64(4);
        row->genai.outputTokens = q.columnInt64(5);
        row->genai.cachedInputTokens = q.columnInt64(6);
        row->genai.llmCalls = q.columnInt64(7);
        row->genai.toolCalls = q.columnInt64(8);
        row->genai.conversationId = q.columnText(9); // min(): BINARY collation is code point order
    }
    {
        SqliteQuery q(models);
        q.bindInt64(1, traceSeq);
        row->genai.modelUsage.clear();
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
            TraceSummary::addModelUsage(&row->genai.modelUsage,
                ModelUsage { q.columnText(0), q.columnInt64(1), q.columnInt64(2), q.columnInt64(3),
                    q.columnInt64(4) });
        if (rc != SQLITE_DONE)
            return fail(db.errorMessage());
    }
    {
        SqliteQuery q(root);
        q.bindInt64(1, traceSeq);
        if (q.step() != SQLITE_ROW)
            return fail(db.errorMessage());
        row->rootService = q.columnText(0);
        row->rootName = q.columnText(1);
        qsizetype size = 0;
        const char* id = q.columnBlob(2, &size);
        row->rootKey.spanId = size == SpanId::Size ? SpanId::fromRaw(id) : SpanId();
        row->rootKey.start = fromDb(q.columnInt64(3));
        row->rootKey.isRoot = q.columnInt64(4) != 0;
    }
    row->services.clear();
    SqliteQuery q(services);
    q.bindInt64(1, traceSeq);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        row->services.append(q.columnText(0));
    if (rc != SQLITE_DONE)
        return fail(db.errorMessage());
    row->services.sort();
    return true;
}

bool SqliteTraceStore::Writer::updateSummary(const TraceId& traceId, TraceDelta& delta)
{
    TraceRow& row = delta.row;
    if (delta.fullRecompute) {
        if (!recomputeSummary(delta.seq, &row) || !writeTraceRow(traceId, delta.seq, row))
            return false;
        sqlite3_stmt* del = stmt("DELETE FROM trace_services WHERE trace_seq = ?1");
        if (!del)
            return false;
        {
            SqliteQuery q(del);
            q.bindInt64(1, delta.seq);
            if (!q.exec())
                return fail(db.errorMessage());
        }
        return upsertTraceServices(traceId, delta.seq, row.services, row.start);
    }

    const std::uint64_t oldStart = row.start;
    if (!delta.stored) {
        row.start = delta.start;
        row.end = delta.end;
        row.rootKey = delta.rootKey;
        row.rootService = delta.rootService;
        row.rootName = delta.rootName;
    } else {
        row.start = std::min(row.start, delta.start);
        row.end = std::max(row.end, delta.end);
        if (delta.rootKey.before(row.rootKey)) {
            row.rootKey = delta.rootKey;
            row.rootService = delta.rootService;
            row.rootName = delta.rootName;
        }
    }
    row.spanCount += delta.spanCount;
    row.errorCount += delta.errorCount;
    row.genai.mergeGenAi(delta.genai);
    QStringList added;
    for (const QString& service : delta.services)
        if (!row.services.contains(service))
            added.append(service);
    if (!added.isEmpty()) {
        row.services += added;
        row.services.sort();
    }
    if (!writeTraceRow(traceId, delta.seq, row))
        return false;
    // trace_services carries the trace start so the service filter pages on its own index.
    if (delta.stored && row.start != oldStart)
        return upsertTraceServices(traceId, delta.seq, row.services, row.start);
    return upsertTraceServices(traceId, delta.seq, added, row.start);
}

// ---------------------------------------------------------------------------------------------------------------
// Read connections

/// A pooled read connection, returned to the pool when the lease ends.
class SqliteTraceStore::ReadLease {
public:
    ReadLease(SqliteTraceStore* store, QString* error) : m_store(store), m_db(store->acquireReader(error)) { }
    ~ReadLease()
    {
        if (m_db) {
            if (sqlite3_get_autocommit(m_db->handle()) == 0)
                m_db->exec("ROLLBACK", nullptr);
            m_store->releaseReader(std::move(m_db));
        }
    }
    ReadLease(const ReadLease&) = delete;
    ReadLease& operator=(const ReadLease&) = delete;

    explicit operator bool() const { return m_db != nullptr; }
    SqliteConnection& db() { return *m_db; }

private:
    SqliteTraceStore* m_store;
    std::unique_ptr<SqliteConnection> m_db;
};

std::unique_ptr<SqliteConnection> SqliteTraceStore::acquireReader(QString* error)
{
    {
        QMutexLocker lock(&m_readMutex);
        if (!m_open) {
            if (error)
                *error = QStringLiteral("trace store %1 is not open").arg(m_filePath);
            return nullptr;
        }
        if (!m_idleReaders.empty()) {
            auto db = std::move(m_idleReaders.back());
            m_idleReaders.pop_back();
            return db;
        }
    }
    // Opened outside the lock: another reader may be opening one at the same time, which is fine.
    auto db = std::make_unique<SqliteConnection>();
    QString message;
    if (!db->open(m_filePath, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, &message)
        || !db->exec("PRAGMA query_only = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY", &message)) {
        if (error)
            *error = QStringLiteral("cannot open a read connection to %1: %2").arg(m_filePath, message);
        return nullptr;
    }
    sqlite3_busy_timeout(db->handle(), BusyTimeoutMs);
    if (sqlite3_create_function_v2(db->handle(), "spanscope_contains", 3,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr, &sqlContains,
                                   nullptr, nullptr, nullptr)
        != SQLITE_OK
        || sqlite3_create_function_v2(db->handle(), "spanscope_cost", 2,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr, &sqlCost,
                                      nullptr, nullptr, nullptr)
            != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot open a read connection to %1: %2").arg(m_filePath, db->errorMessage());
        return nullptr;
    }
    return db;
}

void SqliteTraceStore::releaseReader(std::unique_ptr<SqliteConnection> connection)
{
    QMutexLocker lock(&m_readMutex);
    m_idleReaders.push_back(std::move(connection));
}

// ---------------------------------------------------------------------------------------------------------------
// SqliteTraceStore

SqliteTraceStore::SqliteTraceStore(const QString& filePath)
    : m_filePath(QFileInfo(filePath).absoluteFilePath())
{
    // SQLite's allocation statistics take a global mutex on every malloc and free; nothing here reads them. Only
    // possible before SQLite is initialized in this process (otherwise SQLITE_MISUSE, harmless).
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

namespace {

// sqlite3_wal_hook callback on the writer connection: records how many frames the WAL holds after each commit.
int noteWalFrames(void* frames, sqlite3*, const char*, int walFrames)
{
    *static_cast<int*>(frames) = walFrames;
    return SQLITE_OK;
}

} // namespace

/**
 * Keeps the WAL bounded (SQLite "Checkpointing"; docs/storage.md, "Checkpointing: the WAL stays bounded").
 *
 * - Its own thread (`sqlite-ckpt`) runs PASSIVE checkpoints on its own connection, so the bulk of the copying back
 *   (and its fsyncs) is off the writer, the serial part of ingest: whenever MinFramesToCheckpoint new frames have
 *   been committed, after every commit in the last MinFramesToCheckpoint before a restart (so the writer is left
 *   about one commit to copy), and CheckpointIntervalMs after the last commit for the rest. A round copies the
 *   newest version of each page once and syncs twice: batches write less than a round per commit. PASSIVE never
 *   blocks the writer or readers; frames a reader still needs are copied by a later round.
 * - A WAL only starts over from its beginning after a checkpoint has copied every frame, and while the writer keeps
 *   appending, a PASSIVE checkpoint on another connection always leaves a tail. So restart() runs on the writer's
 *   thread between transactions when a commit leaves more than SqliteTraceStore::WalRestartBytes in the WAL: a
 *   RESTART checkpoint copies that tail, waits at most RestartBusyTimeoutMs for readers of older snapshots, and the
 *   next commit writes from the start of the file (which `journal_size_limit` then cuts back). Readers never wait.
 *
 * Thread affinity: wrote() and restart() are called by the writer with the store's write mutex held; the rest runs
 * on the checkpointer's thread. Errors other than SQLITE_BUSY are logged, never fatal.
 */
class SqliteTraceStore::Checkpointer {
public:
    static constexpr int CheckpointIntervalMs = 250;
    static constexpr int MinFramesToCheckpoint = 2048; // ~8 MiB of 4 KiB pages
    // The writer's wait for readers of older snapshots before the WAL can restart (ms); a restart that times out
    // is retried after the next commit, so a long read only delays it.
    static constexpr int RestartBusyTimeoutMs = 100;

    /// `restartFrames`: the WAL length (frames) at which the writer calls restart().
    Checkpointer(std::unique_ptr<SqliteConnection> db, int restartFrames)
        : m_db(std::move(db))
        , m_restartFrames(restartFrames)
        , m_thread([this] { run(); })
    {
    }
    ~Checkpointer()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }

    /// Opens the WAL on `db`: a connection that has never read the database has not, and a checkpoint on it does
    /// nothing (sqlite3_wal_checkpoint_v2 reports -1 frames). False with *error set when the read fails.
    static bool attachToWal(SqliteConnection& db, QString* error)
    {
        return db.exec("SELECT 1 FROM sqlite_schema LIMIT 1", error);
    }

    /// Called after each commit with the frames the WAL now holds (0 after a restart).
    void wrote(int walFrames)
    {
        {
            std::lock_guard lock(m_mutex);
            m_dirty = true;
            m_walFrames = walFrames;
        }
        m_wake.notify_one();
    }

    /// On the writer's thread, outside a transaction: checkpoints the rest of the WAL on `writer` and restarts it.
    /// Blocks while the checkpointer thread runs a round (SQLite would answer SQLITE_BUSY without waiting) and
    /// up to RestartBusyTimeoutMs for readers. True when the next commit starts the WAL over.
    bool restart(sqlite3* writer)
    {
        std::lock_guard checkpointing(m_checkpointMutex);
        sqlite3_busy_timeout(writer, RestartBusyTimeoutMs);
        int logFrames = 0;
        int copiedFrames = 0;
        const int rc = sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_RESTART, &logFrames, &copiedFrames);
        sqlite3_busy_timeout(writer, BusyTimeoutMs);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            qCWarning(lcStorage).noquote() << "WAL checkpoint failed:" << sqlite3_errmsg(writer);
        return rc == SQLITE_OK;
    }

private:
    void run()
    {
        pthread_setname_np(pthread_self(), "sqlite-ckpt");
        std::unique_lock lock(m_mutex);
        int seenUpTo = 0; // the WAL's length at the last round (it restarted when it holds fewer frames now)
        bool retry = false; // the last round left frames that a reader still needed
        const auto batchReady = [&] {
            const int fresh = m_walFrames >= seenUpTo ? m_walFrames - seenUpTo : m_walFrames;
            // Close to a restart, after every commit: what is left for the writer to copy is one commit.
            return m_stop || fresh >= MinFramesToCheckpoint
                || (fresh > 0 && m_walFrames >= m_restartFrames - MinFramesToCheckpoint);
        };
        while (!m_stop) {
            const bool batch = m_wake.wait_for(lock, std::chrono::milliseconds(CheckpointIntervalMs), batchReady);
            if (m_stop)
                break;
            if (!batch && !m_dirty && !retry)
                continue;
            m_dirty = false;
            lock.unlock();
            int logFrames = 0;
            int copiedFrames = 0;
            {
                std::lock_guard checkpointing(m_checkpointMutex);
                // Cheap when there is little to do: SQLite only reads the WAL index.
                int rc = sqlite3_wal_checkpoint_v2(
                    m_db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedFrames);
                if (rc == SQLITE_OK && logFrames < 0) {
                    QString message; // not attached to the WAL (see attachToWal): attach and try once more
                    if (!attachToWal(*m_db, &message))
                        qCWarning(lcStorage).noquote() << "WAL checkpoint failed:" << message;
                    rc = sqlite3_wal_checkpoint_v2(
                        m_db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copiedFrames);
                }
                if (rc != SQLITE_OK && rc != SQLITE_BUSY)
                    qCWarning(lcStorage).noquote() << "WAL checkpoint failed:" << m_db->errorMessage();
            }
            lock.lock();
            seenUpTo = std::max(0, logFrames);
            retry = logFrames > copiedFrames;
        }
    }

    std::unique_ptr<SqliteConnection> m_db;
    const int m_restartFrames;
    std::mutex m_checkpointMutex; // one checkpoint at a time: this thread's or the writer's restart()
    std::mutex m_mutex; // guards m_stop, m_dirty and m_walFrames
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_dirty = false; // a commit since the last round
    int m_walFrames = 0;
    std::thread m_thread; // last: starts after the members it uses
};

SqliteTraceStore::~SqliteTraceStore() = default;

QString SqliteTraceStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/spanscope.db");
}

QString SqliteTraceStore::description() const
{
    return QStringLiteral("sqlite:") + m_filePath;
}

QString SqliteTraceStore::kind() const { return QStringLiteral("sqlite"); }

bool SqliteTraceStore::open(QString* error)
{
    QMutexLocker lock(&m_writeMutex);
    if (m_writer)
        return true;
    const auto failed = [&](const QString& why) {
        const QString message = QStringLiteral("cannot open trace store %1: %2").arg(m_filePath, why);
        qCWarning(lcStorage).noquote() << message;
        if (error)
            *error = message;
        return false;
    };

    const QString dir = QFileInfo(m_filePath).absolutePath();
    if (!QDir().mkpath(dir))
        return failed(QStringLiteral("cannot create the folder %1").arg(dir));

    auto writer = std::make_unique<Writer>(m_filePath);
    QString message;
    if (!writer->db.open(m_filePath, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, &message))
        return failed(message);
    if (sqlite3_db_readonly(writer->db.handle(), "main") == 1)
        return failed(QStringLiteral("the file is read-only"));
    sqlite3_busy_timeout(writer->db.handle(), BusyTimeoutMs);

    // WAL: readers never block the writer and vice versa. synchronous=NORMAL: in WAL mode a commit is durable
    // once written to the WAL file, so an application crash loses nothing; only an OS crash or power loss may
    // lose the last commits (never corrupting the file). That trade buys the ingest rate (no fsync per commit).
    {
        sqlite3_stmt* s = writer->db.statement("PRAGMA journal_mode = WAL", &message);
        if (!s)
            return failed(message);
        SqliteQuery q(s);
        if (q.step() != SQLITE_ROW)
            return failed(writer->db.errorMessage());
        const QString mode = q.columnText(0);
        if (mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return failed(QStringLiteral("cannot switch to WAL mode (journal mode is %1)").arg(mode));
    }
    static_assert(JournalSizeLimitBytes == 67108864, "journal_size_limit below");
    if (!writer->db.exec("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; "
                         // The Checkpointer copies the WAL back on its own connection and thread; inside COMMIT
                         // on the writer it took ~20% of the writer's time, and the writer is the serial part.
                         "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864",
                         &message))
        return failed(message);
    // After wal_autocheckpoint, which would replace it: the WAL's length after each commit, for restart().
    sqlite3_wal_hook(writer->db.handle(), &noteWalFrames, &writer->walFrames);
    if (!SqliteMigrations::migrate(writer->db, &message))
        return failed(message);
    // setCostPrices' repricing runs on the writer.
    if (sqlite3_create_function_v2(writer->db.handle(), "spanscope_cost", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr, &sqlCost, nullptr,
                                   nullptr, nullptr)
        != SQLITE_OK)
        return failed(writer->db.errorMessage());
    {
        // Migration 1 was changed before the first release (spans keyed by traces.seq); a file made by an earlier
        // development build says version 1 but has the old layout.
        sqlite3_stmt* s = writer->db.statement(
            "SELECT count(*) FROM pragma_table_info('spans') WHERE name = 'trace_seq'", &message);
        if (!s)
            return failed(message);
        SqliteQuery q(s);
        if (q.step() != SQLITE_ROW)
            return failed(writer->db.errorMessage());
        if (q.columnInt64(0) == 0)
            return failed(QStringLiteral("the file was made by a pre-release Spanscope with an older schema; "
                                         "move it away to start a new store"));
    }

    {
        sqlite3_stmt* s = writer->db.statement("PRAGMA page_size", &message);
        if (!s)
            return failed(message);
        SqliteQuery q(s);
        if (q.step() != SQLITE_ROW)
            return failed(writer->db.errorMessage());
        writer->walFrameBytes = q.columnInt64(0) + 24;
    }
    {
        // The checkpointer's own connection; without it the WAL would only be copied back when the last
        // connection closes.
        auto ckptDb = std::make_unique<SqliteConnection>();
        if (!ckptDb->open(m_filePath, SQLITE_OPEN_READWRITE, &message)
            || !ckptDb->exec("PRAGMA busy_timeout = 5000", &message) || !Checkpointer::attachToWal(*ckptDb, &message))
            return failed(message);
        m_checkpointer
            = std::make_unique<Checkpointer>(std::move(ckptDb), int(WalRestartBytes / writer->walFrameBytes));
    }
    m_writer = std::move(writer);
    QMutexLocker readLock(&m_readMutex);
    m_open = true;
    return true;
}

WriteResult SqliteTraceStore::write(const std::vector<IngestItem>& items)
{
    QMutexLocker lock(&m_writeMutex);
    if (!m_writer) {
        WriteResult result;
        result.error = QStringLiteral("trace store %1 is not open").arg(m_filePath);
        return result;
    }
    // Payloads compressed by prepare() are used as they are; otherwise the request bodies are compressed on another
    // thread while this one inserts the spans: the writer is the serial part of the ingest pipeline.
    std::future<std::vector<PreparedPayload>> payloads;
    const bool allPrepared = std::all_of(items.begin(), items.end(), [](const IngestItem& i) {
        return i.payload.body.isEmpty() || dynamic_cast<const SqlitePreparedItem*>(i.prepared.get());
    });
    const bool anyBody
        = std::any_of(items.begin(), items.end(), [](const IngestItem& i) { return !i.payload.body.isEmpty(); });
    if (anyBody && allPrepared) {
        std::vector<PreparedPayload> ready(items.size());
        for (std::size_t i = 0; i < items.size(); ++i)
            if (const auto* p = dynamic_cast<const SqlitePreparedItem*>(items[i].prepared.get()))
                ready[i] = p->payload;
        std::promise<std::vector<PreparedPayload>> promise;
        promise.set_value(std::move(ready));
        payloads = promise.get_future();
    } else if (anyBody) {
        try {
            payloads = std::async(std::launch::async, preparePayloads, std::cref(items), m_writer->zstd.get());
        } catch (const std::system_error&) {
            // no thread available: prepare below, synchronously
        }
    }
    if (!payloads.valid()) {
        std::promise<std::vector<PreparedPayload>> ready;
        ready.set_value(anyBody ? preparePayloads(items, m_writer->zstd.get())
                                : std::vector<PreparedPayload>(items.size()));
        payloads = ready.get_future();
    }
    WriteResult result = m_writer->write(items, std::move(payloads));
    if (result.ok)
        wrote();
    return result;
}

static bool setError(QString* error, const QString& message)
{
    if (error)
        *error = message;
    qCWarning(lcStorage).noquote() << message;
    return false;
}

void SqliteTraceStore::wrote()
{
    if (!m_checkpointer)
        return;
    // The checkpointer copies most frames meanwhile; past the limit this writer finishes the copy and restarts
    // the WAL before its next transaction (backpressure on ingest, see Checkpointer).
    if (qint64(m_writer->walFrames) * m_writer->walFrameBytes >= WalRestartBytes
        && m_checkpointer->restart(m_writer->db.handle()))
        m_writer->walFrames = 0;
    m_checkpointer->wrote(m_writer->walFrames);
}

QByteArray SqliteTraceStore::costPricesKey(const PriceTable& prices)
{
    PriceTable key = prices; // what prices a trace: not where the table comes from, nor its date
    key.source.clear();
    key.asOf.clear();
    return key.toJson();
}

bool SqliteTraceStore::setCostPrices(const PriceTable& prices, QString* error, const std::function<bool()>& cancelled)
{
    const QByteArray json = costPricesKey(prices);
    qint64 generation = 0;
    bool done = false;
    {
        QMutexLocker lock(&m_writeMutex);
        if (!m_writer)
            return setError(error, QStringLiteral("trace store %1 is not open").arg(m_filePath));
        if (!m_writer->startCostPrices(json, &generation, &done))
            return setError(error, QStringLiteral("cannot store the cost prices: %1").arg(m_writer->error()));
        wrote();
    }
    while (!done) {
        if (cancelled && cancelled())
            return setError(error, QStringLiteral("repricing the traces was cancelled"));
        QMutexLocker lock(&m_writeMutex); // taken per chunk: writes go in between
        if (!m_writer)
            return setError(error, QStringLiteral("trace store %1 is not open").arg(m_filePath));
        if (!m_writer->repriceChunk(generation, prices, &done))
            return setError(error, QStringLiteral("cannot reprice the traces: %1").arg(m_writer->error()));
        wrote();
    }
    return true;
}

void SqliteTraceStore::prepare(IngestItem& item) const
{
    auto prepared = std::make_shared<SqlitePreparedItem>();
    prepared->spans.resize(item.batch.spans.size());
    for (std::size_t i = 0; i < item.batch.spans.size(); ++i)
        encodeSpan(item.batch.spans[i], &prepared->spans[i]);
    buildTraceTexts(item.batch.spans, prepared->spans, &prepared->texts);
    if (!item.payload.body.isEmpty() && item.payload.signal == RawPayload::Signal::Traces) {
        thread_local ZstdContext context { ZSTD_createCCtx() };
        prepared->payload.ok = compressPayload(context.get(), item.payload.body, &prepared->payload.compressed);
        if (prepared->payload.ok)
            prepared->payload.hash
                = contentHash(prepared->payload.compressed.constData(), prepared->payload.compressed.size());
    }
    item.prepared = std::move(prepared);
}


namespace {

// How a filter's text (TraceQuery::text) finds its traces. The span scan (spanscope_contains over a trace's spans)
// decides in every plan; the index (TraceTextIndex) only narrows down which traces it checks.
enum class TextPlan {
    None, // no text
    Scan, // every trace on the way (terms without a trigram, or common terms while walking an order's index)
    Index, // the index's candidates (t.seq IN ...), checked: the planner picks the order
    HitsFirst, // the index's candidates, sorted, then checked until `limit` pass (listTraces only: rare terms)
};

struct TextFilter {
    TextPlan plan = TextPlan::None;
    std::string folded; // SpanCodec::searchFolded(text), for the scan (?6)
    std::string match; // TraceTextIndex::matchExpression(folded), for Index and HitsFirst (?12)
};

/// `indexPlan` (Index or HitsFirst) when the index can narrow `text` down, else Scan (or None without text).
TextFilter textFilter(const QString& text, TextPlan indexPlan)
{
    TextFilter f;
    f.folded = SpanCodec::searchFolded(text);
    if (f.folded.empty())
        return f;
    if (!TraceTextIndex::serves(f.folded)) {
        f.plan = TextPlan::Scan;
        return f;
    }
    f.plan = indexPlan;
    f.match = TraceTextIndex::matchExpression(f.folded);
    return f;
}

// The span scan of a trace (`seq`: its traces.seq), the text filter's final word.
#define SPANSCOPE_TEXT_SCAN(seq)                                                                                     \
    "EXISTS (SELECT 1 FROM spans s WHERE s.trace_seq = " seq " AND spanscope_contains(s.name, s.attributes, ?6))"

// The trace list's filter, shared with traceTimeSeries and operationStats (defined below).
QByteArray traceFilterSql(const TraceQuery& filter, const TextFilter& text, bool serviceJoin = true);
void bindTraceFilter(SqliteQuery& q, const TraceQuery& filter, const TextFilter& text);

// Up to this many candidates, listTraces sorts the index's candidates and checks them in order; with more, the term
// is common enough that walking the order's index and scanning each trace on the way finds `limit` matches sooner.
constexpr int HitsFirstMaxRows = 20000;

} // namespace

namespace {

/// A read transaction: the statements run while it lives read one snapshot. Declare it before their SqliteQuery.
class ReadSnapshot {
public:
    explicit ReadSnapshot(SqliteConnection& db) : m_db(db) { m_open = db.exec("BEGIN", nullptr); }
    ~ReadSnapshot()
    {
        if (m_open)
            m_db.exec("COMMIT", nullptr);
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;
    bool isOpen() const { return m_open; }

private:
    SqliteConnection& m_db;
    bool m_open = false;
};

/// cost_prices.prices when every trace's cost is kept by it, else empty.
QByteArray completeCostPrices(SqliteConnection& db)
{
    sqlite3_stmt* s = db.statement("SELECT prices FROM cost_prices WHERE id = 1 AND repriced_to_seq IS NULL", nullptr);
    if (!s)
        return QByteArray();
    SqliteQuery q(s);
    return q.step() == SQLITE_ROW ? q.columnBlobCopy(0) : QByteArray();
}

} // namespace

std::vector<TraceSummary> SqliteTraceStore::listTraces(const TraceQuery& query, QString* error)
{
    std::vector<TraceSummary> result;
    ReadLease lease(this, error);
    if (!lease)
        return result;

    // TraceOrder::Cost walks traces_cost when the store keeps the costs by the query's prices (setCostPrices); read
    // in the snapshot of the query itself, so a repricing that commits in between cannot mix two tables.
    std::optional<ReadSnapshot> snapshot;
    bool costIndexed = false;
    if (query.order == TraceOrder::Cost && query.prices) {
        snapshot.emplace(lease.db());
        costIndexed = snapshot->isOpen() && completeCostPrices(lease.db()) == costPricesKey(*query.prices);
    }

    // Each order walks an index and stops after `limit` matches: traces(start_time, trace_id), or for a service
    // filter trace_services(service, start_time, trace_id), which carries the trace start for this; the other keys
    // have indexes of their own (migrations 2, 5 and 6). Cost by other prices than the kept ones sorts the matches.
    const char* t = query.serviceName.isEmpty() ? "t" : "ts"; // traceFilterSql joins trace_services as ts
    QByteArray key;
    QByteArray tieBreak = "t.trace_id";
    bool textKey = false;
    bool realKey = false;
    std::int64_t intKey = 0;
    switch (query.order) {
    case TraceOrder::StartTime:
        key = QByteArray(t) + ".start_time";
        tieBreak = QByteArray(t) + ".trace_id";
        intKey = toDb(query.cursor.startTimeUnixNano);
        break;
    case TraceOrder::Duration:
        key = "max(t.end_time - t.start_time, 0)"; // the expression of the index traces_duration
        intKey = toDb(query.cursor.durationNanos());
        break;
    case TraceOrder::SpanCount:
        key = "t.span_count";
        intKey = query.cursor.spanCount;
        break;
    case TraceOrder::ErrorCount:
        key = "t.error_count";
        intKey = query.cursor.errorCount;
        break;
    case TraceOrder::Service:
        key = "t.root_service";
        textKey = true;
        break;
    case TraceOrder::Name:
        key = "t.root_name";
        textKey = true;
        break;
    case TraceOrder::Tokens:
        // Saturated like TraceSummary::totalTokens (an overflowing + gives a REAL in SQLite).
        key = "min(t.input_tokens + t.output_tokens, 9223372036854775807)";
        intKey = query.cursor.totalTokens();
        break;
    case TraceOrder::LlmCalls:
        key = "t.llm_calls";
        intKey = query.cursor.llmCalls;
        break;
    case TraceOrder::ToolCalls:
        key = "t.tool_calls";
        intKey = query.cursor.toolCalls;
        break;
    case TraceOrder::InputTokens:
        key = "t.input_tokens";
        intKey = query.cursor.inputTokens;
        break;
    case TraceOrder::OutputTokens:
        key = "t.output_tokens";
        intKey = query.cursor.outputTokens;
        break;
    case TraceOrder::Cost:
        key = costIndexed ? "t.cost" : "spanscope_cost(t.model_usage, ?11)";
        realKey = true;
        break;
    }
    const QByteArray direction = query.descending ? " DESC" : " ASC";
    QByteArray sql = "SELECT " SUMMARY_COLUMNS;
    TextFilter text = textFilter(query.text, TextPlan::HitsFirst);
    // Cost by other prices sorts every match anyway.
    if (text.plan == TextPlan::HitsFirst && (query.order != TraceOrder::Cost || costIndexed)) {
        QString message;
        sqlite3_stmt* count = lease.db().statement(
            "SELECT count(*) FROM (SELECT 1 FROM trace_text WHERE trace_text MATCH ?1 LIMIT ?2)", &message);
        if (!count) {
            setError(error, QStringLiteral("cannot list traces: %1").arg(message));
            return result;
        }
        SqliteQuery q(count);
        q.bindTextStatic(1, text.match);
        q.bindInt64(2, HitsFirstMaxRows);
        if (q.step() != SQLITE_ROW) {
            setError(error, QStringLiteral("cannot list traces: %1").arg(lease.db().errorMessage()));
            return result;
        }
        if (q.columnInt64(0) >= HitsFirstMaxRows)
            text.plan = TextPlan::Scan;
    }
    // A service filter joins trace_services first only where it gives the order (start time) or the candidates are
    // few; otherwise it is a check per trace on the walk of the order's index.
    const bool serviceJoin = query.order == TraceOrder::StartTime || text.plan == TextPlan::HitsFirst;
    QByteArray filterSql = traceFilterSql(query, text, serviceJoin);
    if (query.hasCursor)
        filterSql += " AND (" + key + ", " + tieBreak + (query.descending ? ") < (?1, ?2)" : ") > (?1, ?2)");
    filterSql += " ORDER BY " + key + direction + ", " + tieBreak + direction;
    if (text.plan == TextPlan::HitsFirst) {
        // The candidates in order, then the span scan of each until `limit` pass: it checks about `limit` of them,
        // not all. LIMIT -1 keeps SQLite from flattening the inner query (its order is the outer query's order).
        sql = "SELECT c.trace_id, c.root_service, c.root_name, c.start_time, c.end_time, c.span_count, c.error_count, "
              "c.has_root, c.services, c.input_tokens, c.output_tokens, c.cached_input_tokens, c.llm_calls, "
              "c.tool_calls, c.model_usage, c.conversation_id FROM (SELECT t.seq AS hit_seq, " SUMMARY_COLUMNS
            + filterSql + " LIMIT -1) c WHERE " SPANSCOPE_TEXT_SCAN("c.hit_seq") " LIMIT ?7";
    } else {
        sql += filterSql + " LIMIT ?7";
    }
    if (query.offset > 0)
        sql += " OFFSET ?9"; // counted from the cursor: rows after it, then skip

    QString message;
    sqlite3_stmt* s = lease.db().statement(sql, &message);
    if (!s) {
        setError(error, QStringLiteral("cannot list traces: %1").arg(message));
        return result;
    }
    SqliteQuery q(s);
    if (textKey)
        q.bindText(1, query.order == TraceOrder::Service ? query.cursor.rootServiceName : query.cursor.rootSpanName);
    else if (realKey)
        q.bindDouble(1, TraceOrdering::costKey(query.cursor.modelUsage, query.prices.get()));
    else
        q.bindInt64(1, intKey);
    q.bindBlobStatic(2, query.cursor.traceId.data(), TraceId::Size);
    bindTraceFilter(q, query, text);
    q.bindInt64(7, std::max(0, query.limit));
    if (query.offset > 0)
        q.bindInt64(9, query.offset);
    if (query.order == TraceOrder::Cost && !costIndexed) // the query keeps `prices` alive until q resets the statement
        q.bindPointer(11, const_cast<PriceTable*>(query.prices.get()), PricesPointerType);
    int rc;
    result.reserve(std::size_t(std::max(0, std::min(query.limit, 1000))));
    while ((rc = q.step()) == SQLITE_ROW)
        result.push_back(readSummary(q));
    if (rc != SQLITE_DONE) {
        setError(error, QStringLiteral("cannot list traces: %1").arg(lease.db().errorMessage()));
        result.clear();
    }
    return result;
}

std::optional<TraceSummary> SqliteTraceStore::traceSummary(const TraceId& traceId, QString* error)
{
    ReadLease lease(this, error);
    if (!lease)
        return std::nullopt;
    QString message;
    sqlite3_stmt* s = lease.db().statement("SELECT " SUMMARY_COLUMNS " FROM traces t WHERE t.trace_id = ?1", &message);
    if (!s) {
        setError(error, QStringLiteral("cannot read trace summary: %1").arg(message));
        return std::nullopt;
    }
    SqliteQuery q(s);
    q.bindBlobStatic(1, traceId.data(), TraceId::Size);
    const int rc = q.step();
    if (rc == SQLITE_ROW)
        return readSummary(q);
    if (rc != SQLITE_DONE)
        setError(error, QStringLiteral("cannot read trace summary: %1").arg(lease.db().errorMessage()));
    return std::nullopt;
}

namespace {

/// The resources and scopes that one read's rows refer to by id, each read from its table and decoded once.
class ResourceScopeCache {
public:
    ResourceScopeCache(sqlite3_stmt* resourceStmt, sqlite3_stmt* scopeStmt)
        : m_resourceStmt(resourceStmt)
        , m_scopeStmt(scopeStmt)
    {
    }

    /// Sets item.resource and item.scope from the ids in columns `column` and `column + 1` of q's row (NULL: none);
    /// false, with `why`, when one is missing or corrupt.
    template <typename Item> bool attach(const SqliteQuery& q, int column, Item& item, QString* why)
    {
        if (!q.columnIsNull(column)
            && !load(m_resources, m_resourceStmt, q.columnInt64(column), "resource", SpanCodec::decodeResource,
                item.resource, why))
            return false;
        return q.columnIsNull(column + 1)
            || load(m_scopes, m_scopeStmt, q.columnInt64(column + 1), "scope", SpanCodec::decodeScope, item.scope, why);
    }

private:
    template <typename T>
    static bool load(QHash<qint64, std::shared_ptr<const T>>& cache, sqlite3_stmt* stmt, qint64 id, const char* what,
        bool (*decode)(const char*, qsizetype, T*), std::shared_ptr<const T>& out, QString* why)
    {
        auto it = cache.find(id);
        if (it == cache.end()) {
            SqliteQuery r(stmt);
            r.bindInt64(1, id);
            auto content = std::make_shared<T>();
            if (r.step() != SQLITE_ROW) {
                *why = QLatin1StringView(what) + QStringLiteral(" %1 is missing").arg(id);
                return false;
            }
            qsizetype size = 0;
            const char* data = r.columnBlob(0, &size);
            if (!decode(data, size, content.get())) {
                *why = QLatin1StringView(what) + QStringLiteral(" %1 is corrupt").arg(id);
                return false;
            }
            it = cache.insert(id, std::move(content));
        }
        out = *it;
        return true;
    }

    sqlite3_stmt* m_resourceStmt;
    sqlite3_stmt* m_scopeStmt;
    QHash<qint64, std::shared_ptr<const Resource>> m_resources;
    QHash<qint64, std::shared_ptr<const InstrumentationScope>> m_scopes;
};

} // namespace

std::vector<Span> SqliteTraceStore::traceSpans(const TraceId& traceId, QString* error)
{
    return readSpans(traceId, nullptr, false, error);
}

std::vector<Span> SqliteTraceStore::traceSpanOutlines(const TraceId& traceId, QString* error)
{
    return readSpans(traceId, nullptr, true, error);
}

std::vector<Span> SqliteTraceStore::firstSpanOutlines(const TraceId& traceId, std::size_t count, QString* error)
{
    if (count == 0)
        return {};
    return readSpans(traceId, nullptr, true, error, count);
}

std::optional<Span> SqliteTraceStore::span(const TraceId& traceId, const SpanId& spanId, QString* error)
{
    std::vector<Span> spans = readSpans(traceId, &spanId, false, error);
    if (spans.empty())
        return std::nullopt;
    return std::move(spans.front());
}

std::vector<Span> SqliteTraceStore::readSpans(const TraceId& traceId, const SpanId* only, bool outline, QString* error,
                                              std::size_t first)
{
    std::vector<Span> spans;
    ReadLease lease(this, error);
    if (!lease)
        return spans;
    SqliteConnection& db = lease.db();
    QString message;
    const auto failed = [&](const QString& why) {
        setError(error, QStringLiteral("cannot read trace %1: %2").arg(traceId.toHex(), why));
        spans.clear();
        return spans;
    };

#define SPANSCOPE_SPAN_COLUMNS                                                                                       \
    "SELECT span_id, parent_span_id, name, kind, start_time, end_time, status_code, status_message, trace_state, "    \
    "flags, resource_id, scope_id, attributes, events, links, dropped_attributes_count, dropped_events_count, "        \
    "dropped_links_count FROM spans WHERE trace_seq = (SELECT seq FROM traces WHERE trace_id = ?1) "
    // In primary key order, sorted below: an ORDER BY start_time made SQLite sort whole rows (attributes and all)
    // before the first one came out, 5.9 s of the 6.5 s it took to read a 1,000,000-span trace. The first `first`
    // spans by start time: their keys from a narrow top-N scan, then their rows by primary key.
    sqlite3_stmt* spanStmt = only
        ? db.statement(SPANSCOPE_SPAN_COLUMNS "AND span_id = ?2", &message) // the primary key finds the row
        : first > 0
        ? db.statement(SPANSCOPE_SPAN_COLUMNS "AND span_id IN (SELECT span_id FROM spans WHERE trace_seq = "
                                              "(SELECT seq FROM traces WHERE trace_id = ?1) "
                                              "ORDER BY start_time, span_id LIMIT ?2)",
                       &message)
        : db.statement(SPANSCOPE_SPAN_COLUMNS, &message);
#undef SPANSCOPE_SPAN_COLUMNS
    sqlite3_stmt* resourceStmt = db.statement("SELECT content FROM resources WHERE id = ?1", &message);
    sqlite3_stmt* scopeStmt = db.statement("SELECT content FROM scopes WHERE id = ?1", &message);
    if (!spanStmt || !resourceStmt || !scopeStmt)
        return failed(message);
    // One read transaction, so spans and the resources they reference come from the same snapshot.
    if (!db.exec("BEGIN", &message))
        return failed(message);

    // Room for every span at once: growing a vector of a million spans moved each of them about twenty times.
    if (!only) {
        sqlite3_stmt* countStmt = db.statement("SELECT span_count FROM traces WHERE trace_id = ?1", &message);
        if (!countStmt)
            return failed(message);
        SqliteQuery count(countStmt);
        count.bindBlobStatic(1, traceId.data(), TraceId::Size);
        if (count.step() == SQLITE_ROW)
            spans.reserve(std::size_t(std::clamp<std::int64_t>(count.columnInt64(0), 0, first > 0 ? std::int64_t(first)
                                                                                               : std::int64_t(1) << 26)));
        count.reset();
    }
    ResourceScopeCache contents(resourceStmt, scopeStmt);
    SqliteQuery q(spanStmt);
    q.bindBlobStatic(1, traceId.data(), TraceId::Size);
    if (only)
        q.bindBlobStatic(2, only->data(), SpanId::Size);
    else if (first > 0)
        q.bindInt64(2, std::int64_t(std::min<std::size_t>(first, std::size_t(std::numeric_limits<std::int64_t>::max()))));
    SpanOutline::StringPool names;
    int rc;
    qsizetype size = 0;
    const char* data = nullptr;
    while ((rc = q.step()) == SQLITE_ROW) {
        Span span;
        span.traceId = traceId;
        data = q.columnBlob(0, &size);
        if (size != SpanId::Size)
            return failed(QStringLiteral("a stored span id is corrupt"));
        span.spanId = SpanId::fromRaw(data);
        data = q.columnBlob(1, &size);
        if (size == SpanId::Size)
            span.parentSpanId = SpanId::fromRaw(data);
        span.name = q.columnText(2);
        span.kind = SpanKind(q.columnInt64(3));
        span.startTimeUnixNano = fromDb(q.columnInt64(4));
        span.endTimeUnixNano = fromDb(q.columnInt64(5));
        span.statusCode = StatusCode(q.columnInt64(6));
        span.statusMessage = q.columnText(7);
        span.traceState = q.columnText(8);
        span.flags = std::uint32_t(q.columnInt64(9));
        data = q.columnBlob(12, &size);
        bool ok = SpanCodec::decodeAttributes(data, size, &span.attributes);
        data = q.columnBlob(13, &size);
        ok = ok && SpanCodec::decodeEvents(data, size, &span.events);
        data = q.columnBlob(14, &size);
        ok = ok && SpanCodec::decodeLinks(data, size, &span.links);
        if (!ok)
            return failed(QStringLiteral("the stored data of span %1 is corrupt").arg(span.spanId.toHex()));
        span.droppedAttributesCount = std::uint32_t(q.columnInt64(15));
        span.droppedEventsCount = std::uint32_t(q.columnInt64(16));
        span.droppedLinksCount = std::uint32_t(q.columnInt64(17));

        if (QString why; !contents.attach(q, 10, span, &why))
            return failed(why);
        if (outline) {
            SpanOutline::strip(span);
            names.intern(span);
        }
        spans.push_back(std::move(span));
    }
    if (rc != SQLITE_DONE)
        return failed(db.errorMessage());
    q.reset();
    db.exec("COMMIT", nullptr);
    // The order SQL's ORDER BY start_time, span_id gives: times as the stored (signed) integers, ids as bytes. Sorted
    // as indexes, then each span moved once (a span is a large object).
    const auto before = [&spans](std::uint32_t a, std::uint32_t b) {
        const std::int64_t at = toDb(spans[a].startTimeUnixNano), bt = toDb(spans[b].startTimeUnixNano);
        if (at != bt)
            return at < bt;
        return std::memcmp(spans[a].spanId.data(), spans[b].spanId.data(), SpanId::Size) < 0;
    };
    std::vector<std::uint32_t> order(spans.size());
    for (std::uint32_t i = 0; i < order.size(); ++i)
        order[i] = i;
    if (!std::is_sorted(order.begin(), order.end(), before)) {
        std::sort(order.begin(), order.end(), before);
        std::vector<Span> sorted;
        sorted.reserve(spans.size());
        for (const std::uint32_t i : order)
            sorted.push_back(std::move(spans[i]));
        spans = std::move(sorted);
    }
    return spans;
}

std::vector<LogRecord> SqliteTraceStore::traceLogs(const TraceId& traceId, QString* error)
{
    std::vector<LogRecord> logs;
    ReadLease lease(this, error);
    if (!lease)
        return logs;
    SqliteConnection& db = lease.db();
    QString message;
    const auto failed = [&](const QString& why) {
        setError(error, QStringLiteral("cannot read the log records of trace %1: %2").arg(traceId.toHex(), why));
        logs.clear();
        return logs;
    };
    // Effective time = time, else observed time (the OTLP rule); the index finds the trace's rows.
    sqlite3_stmt* logStmt = db.statement(
        "SELECT span_id, time_unix_nano, observed_time_unix_nano, severity_number, severity_text, body, attributes, "
        "event_name, flags, dropped_attributes_count, resource_id, scope_id FROM logs WHERE trace_id = ?1 "
        "ORDER BY CASE WHEN time_unix_nano <> 0 THEN time_unix_nano ELSE observed_time_unix_nano END, "
        "observed_time_unix_nano, id",
        &message);
    sqlite3_stmt* resourceStmt = db.statement("SELECT content FROM resources WHERE id = ?1", &message);
    sqlite3_stmt* scopeStmt = db.statement("SELECT content FROM scopes WHERE id = ?1", &message);
    if (!logStmt || !resourceStmt || !scopeStmt)
        return failed(message);
    if (!db.exec("BEGIN", &message))
        return failed(message);

    ResourceScopeCache contents(resourceStmt, scopeStmt);
    SqliteQuery q(logStmt);
    q.bindBlobStatic(1, traceId.data(), TraceId::Size);
    int rc;
    qsizetype size = 0;
    const char* data = nullptr;
    while ((rc = q.step()) == SQLITE_ROW) {
        LogRecord record;
        record.traceId = traceId;
        data = q.columnBlob(0, &size);
        if (size == SpanId::Size)
            record.spanId = SpanId::fromRaw(data);
        record.timeUnixNano = fromDb(q.columnInt64(1));
        record.observedTimeUnixNano = fromDb(q.columnInt64(2));
        record.severityNumber = int(q.columnInt64(3));
        record.severityText = q.columnText(4);
        data = q.columnBlob(5, &size);
        bool ok = SpanCodec::decodeAnyValue(data, size, &record.body);
        data = q.columnBlob(6, &size);
        ok = ok && SpanCodec::decodeAttributes(data, size, &record.attributes);
        if (!ok)
            return failed(QStringLiteral("the stored data of a log record is corrupt"));
        record.eventName = q.columnText(7);
        record.flags = std::uint32_t(q.columnInt64(8));
        record.droppedAttributesCount = std::uint32_t(q.columnInt64(9));
        if (QString why; !contents.attach(q, 10, record, &why))
            return failed(why);
        logs.push_back(std::move(record));
    }
    if (rc != SQLITE_DONE)
        return failed(db.errorMessage());
    q.reset();
    db.exec("COMMIT", nullptr);
    return logs;
}

std::vector<RawPayload> SqliteTraceStore::tracePayloads(const TraceId& traceId, QString* error)
{
    std::vector<RawPayload> payloads;
    ReadLease lease(this, error);
    if (!lease)
        return payloads;
    QString message;
    sqlite3_stmt* s = lease.db().statement(
        "SELECT p.id, p.body, p.body_size, p.compression, p.content_type, p.content_encoding, p.wire_size, "
        "p.received_at, p.peer, p.span_count FROM traces t CROSS JOIN payload_traces pt ON pt.trace_seq = t.seq "
        "CROSS JOIN payloads p ON p.id = pt.payload_id WHERE t.trace_id = ?1 ORDER BY p.received_at, p.id",
        &message);
    const auto failed = [&](const QString& why) {
        setError(error, QStringLiteral("cannot read the payloads of trace %1: %2").arg(traceId.toHex(), why));
        payloads.clear();
        return payloads;
    };
    if (!s)
        return failed(message);
    SqliteQuery q(s);
    q.bindBlobStatic(1, traceId.data(), TraceId::Size);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        RawPayload p;
        p.id = q.columnInt64(0);
        qsizetype size = 0;
        const char* data = q.columnBlob(1, &size);
        const qint64 bodySize = q.columnInt64(2);
        const QString compression = q.columnText(3);
        if (compression == QLatin1String("zstd") || compression == QLatin1String("zlib")) {
            if (!inflatePayload(compression, data, size, bodySize, &p.body))
                return failed(QStringLiteral("payload %1 is corrupt").arg(p.id));
        } else {
            p.body = QByteArray(data, size);
        }
        p.contentType = q.columnText(4);
        p.contentEncoding = q.columnText(5);
        p.wireSize = q.columnInt64(6);
        p.receivedAtUnixNano = fromDb(q.columnInt64(7));
        p.peer = q.columnText(8);
        p.spanCount = q.columnInt64(9);
        payloads.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE)
        return failed(lease.db().errorMessage());
    return payloads;
}

QStringList SqliteTraceStore::services(QString* error)
{
    QStringList result;
    ReadLease lease(this, error);
    if (!lease)
        return result;
    QString message;
    sqlite3_stmt* s = lease.db().statement("SELECT DISTINCT service FROM trace_services", &message);
    if (!s) {
        setError(error, QStringLiteral("cannot list services: %1").arg(message));
        return result;
    }
    SqliteQuery q(s);
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        result.append(q.columnText(0));
    if (rc != SQLITE_DONE) {
        setError(error, QStringLiteral("cannot list services: %1").arg(lease.db().errorMessage()));
        return {};
    }
    result.sort();
    return result;
}

static qint64 singleInteger(SqliteConnection& db, const char* sql, const QString& what, QString* error)
{
    QString message;
    sqlite3_stmt* s = db.statement(sql, &message);
    if (!s) {
        setError(error, QStringLiteral("cannot count %1: %2").arg(what, message));
        return 0;
    }
    SqliteQuery q(s);
    if (q.step() != SQLITE_ROW) {
        setError(error, QStringLiteral("cannot count %1: %2").arg(what, db.errorMessage()));
        return 0;
    }
    return q.columnInt64(0);
}

qint64 SqliteTraceStore::spanCount(QString* error)
{
    ReadLease lease(this, error);
    if (!lease)
        return 0;
    // The summaries are exact and kept in the same transactions; summing them avoids scanning every span.
    return singleInteger(lease.db(), "SELECT coalesce(sum(span_count), 0) FROM traces", QStringLiteral("spans"),
                         error);
}

qint64 SqliteTraceStore::logRecordCount(QString* error)
{
    ReadLease lease(this, error);
    if (!lease)
        return 0;
    return singleInteger(lease.db(), "SELECT count(*) FROM logs", QStringLiteral("log records"), error);
}

qint64 SqliteTraceStore::payloadCount(QString* error)
{
    ReadLease lease(this, error);
    if (!lease)
        return 0;
    return singleInteger(lease.db(), "SELECT count(*) FROM payloads", QStringLiteral("payloads"), error);
}

namespace {

/**
 * The trace list's filter (listTraces' conditions and parameter numbers, ?3 to ?10) as "FROM ... WHERE ..." over
 * `traces t`, joined with `trace_services ts` for a service filter. `text` is textFilter(filter.text, ...);
 * bindTraceFilter binds the parameters. For listTraces (which adds its cursor, order and limit), traceTimeSeries and
 * operationStats.
 */
QByteArray traceFilterSql(const TraceQuery& filter, const TextFilter& text, bool serviceJoin)
{
    const bool byService = !filter.serviceName.isEmpty();
    const char* t = byService && serviceJoin ? "ts" : "t";
    QByteArray sql;
    if (text.plan == TextPlan::HitsFirst) {
        // CROSS JOIN keeps this join order: from the candidates to their rows, by primary key. The span scan is
        // listTraces' (after sorting).
        sql = " FROM (SELECT rowid AS seq FROM trace_text WHERE trace_text MATCH ?12) h CROSS JOIN traces t ON t.seq = h.seq";
        if (byService)
            sql += " CROSS JOIN trace_services ts ON ts.trace_seq = t.seq AND ts.service = ?8";
        sql += " WHERE 1";
    } else if (byService && serviceJoin) {
        sql = " FROM trace_services ts CROSS JOIN traces t ON t.seq = ts.trace_seq WHERE ts.service = ?8";
    } else if (byService) {
        sql = " FROM traces t WHERE EXISTS (SELECT 1 FROM trace_services ts WHERE ts.trace_seq = t.seq "
              "AND ts.service = ?8)";
    } else {
        sql = " FROM traces t WHERE 1";
    }
    if (filter.startTimeFromUnixNano)
        sql += QByteArray(" AND ") + t + ".start_time >= ?3";
    if (filter.startTimeToUnixNano)
        sql += QByteArray(" AND ") + t + ".start_time <= ?4";
    if (filter.errorsOnly)
        sql += " AND t.error_count > 0";
    // The != term is the partial index traces_conversation's condition, which lets the planner use it.
    if (!filter.conversationId.isEmpty())
        sql += " AND t.conversation_id = ?10 AND t.conversation_id != ''";
    if (filter.minDurationNanos)
        sql += " AND t.end_time - t.start_time >= ?5";
    switch (text.plan) {
    case TextPlan::None:
    case TextPlan::HitsFirst:
        break;
    case TextPlan::Scan:
        sql += " AND " SPANSCOPE_TEXT_SCAN("t.seq");
        break;
    case TextPlan::Index:
        sql += " AND t.seq IN (SELECT rowid FROM trace_text WHERE trace_text MATCH ?12) AND " SPANSCOPE_TEXT_SCAN("t.seq");
        break;
    }
    return sql;
}

/// Binds the parameters of traceFilterSql(filter, text); `text` must outlive the statement's use.
void bindTraceFilter(SqliteQuery& q, const TraceQuery& filter, const TextFilter& text)
{
    if (filter.startTimeFromUnixNano)
        q.bindInt64(3, toDb(filter.startTimeFromUnixNano));
    if (filter.startTimeToUnixNano)
        q.bindInt64(4, toDb(filter.startTimeToUnixNano));
    if (filter.minDurationNanos)
        q.bindInt64(
            5, toDb(std::min<std::uint64_t>(filter.minDurationNanos, std::numeric_limits<std::int64_t>::max())));
    if (text.plan != TextPlan::None)
        q.bindTextStatic(6, text.folded);
    if (text.plan == TextPlan::Index || text.plan == TextPlan::HitsFirst)
        q.bindTextStatic(12, text.match);
    if (!filter.serviceName.isEmpty())
        q.bindText(8, filter.serviceName);
    if (!filter.conversationId.isEmpty())
        q.bindText(10, filter.conversationId);
}

} // namespace

std::vector<TraceTimeBucket> SqliteTraceStore::traceTimeSeries(const TraceQuery& filter, std::uint64_t bucketNanos,
                                                               QString* error)
{
    std::vector<TraceTimeBucket> result;
    if (error)
        error->clear();
    if (!checkBucketSize(bucketNanos, error))
        return result;
    ReadLease lease(this, error);
    if (!lease)
        return result;
    // The filter as listTraces writes it (same parameter numbers). Token sums in two halves, high 32 bits and low 32
    // bits, which cannot overflow SQLite's integer sum() the way saturated per-trace sums would; joined and clamped
    // below as the default implementation clamps.
    const bool byService = !filter.serviceName.isEmpty();
    const char* t = byService ? "ts" : "t";
    const TextFilter text = textFilter(filter.text, TextPlan::Index);
    QByteArray sql = QByteArray("SELECT ") + t + ".start_time - " + t
        + ".start_time % ?1 AS bucket, count(*), sum(t.span_count), sum(t.error_count > 0), sum(t.error_count), "
          "sum(t.input_tokens >> 32), sum(t.input_tokens & 4294967295), "
          "sum(t.output_tokens >> 32), sum(t.output_tokens & 4294967295)"
        + traceFilterSql(filter, text);
    sql += " GROUP BY bucket ORDER BY bucket";

    QString message;
    sqlite3_stmt* s = lease.db().statement(sql, &message);
    if (!s) {
        setError(error, QStringLiteral("cannot compute the time series: %1").arg(message));
        return result;
    }
    SqliteQuery q(s);
    q.bindInt64(1, toDb(bucketNanos));
    bindTraceFilter(q, filter, text);
    const auto joined = [&q](int high) {
        return TraceTimeSeries::clampToInt64(__int128(q.columnInt64(high)) * (__int128(1) << 32)
                                             + __int128(q.columnInt64(high + 1)));
    };
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        TraceTimeBucket b;
        b.startTimeUnixNano = fromDb(q.columnInt64(0));
        b.traces = q.columnInt64(1);
        b.spans = q.columnInt64(2);
        b.errorTraces = q.columnInt64(3);
        b.errorSpans = q.columnInt64(4);
        b.inputTokens = joined(5);
        b.outputTokens = joined(7);
        result.push_back(b);
    }
    if (rc != SQLITE_DONE) {
        setError(error, QStringLiteral("cannot compute the time series: %1").arg(lease.db().errorMessage()));
        result.clear();
    }
    return result;
}


std::vector<OperationStats> SqliteTraceStore::operationStats(
    const TraceQuery& filter, QString* error, const std::function<bool()>& cancelled, bool keepDurations)
{
    if (error)
        error->clear();
    ReadLease lease(this, error);
    if (!lease)
        return {};
    // One statement, so one snapshot: the matching traces' keys (the list's filter), then each one's range of the
    // spans primary key, in key order, so a trace's rows come together. Only the columns statistics need.
    const TextFilter text = textFilter(filter.text, TextPlan::Index);
    const QByteArray sql = "SELECT sp.trace_seq, sp.span_id, sp.parent_span_id, sp.service, sp.name, sp.start_time, "
                           "sp.end_time, sp.status_code FROM spans sp WHERE sp.trace_seq IN (SELECT t.seq"
        + traceFilterSql(filter, text) + ") ORDER BY sp.trace_seq";
    const auto failed = [error](const QString& why) {
        setError(error, QStringLiteral("cannot compute the statistics: %1").arg(why));
        return std::vector<OperationStats>();
    };
    QString message;
    sqlite3_stmt* s = lease.db().statement(sql, &message);
    if (!s)
        return failed(message);
    SqliteQuery q(s);
    bindTraceFilter(q, filter, text);

    OperationStatsBuilder builder;
    OperationStatsRows rows(&builder);
    QString service; // the previous row's, reused while it repeats (spans of a trace mostly share a few)
    QByteArray serviceUtf8;
    std::int64_t trace = 0;
    int rc;
    qsizetype size = 0;
    const char* data = nullptr;
    while ((rc = q.step()) == SQLITE_ROW) {
        const std::int64_t seq = q.columnInt64(0);
        if (seq != trace) {
            rows.endTrace();
            trace = seq;
            if (cancelled && cancelled())
                return {};
        }
        data = q.columnBlob(1, &size);
        if (size != SpanId::Size)
            return failed(QStringLiteral("a stored span id is corrupt"));
        const SpanId spanId = SpanId::fromRaw(data);
        SpanId parent;
        data = q.columnBlob(2, &size);
        if (size == SpanId::Size)
            parent = SpanId::fromRaw(data);
        data = q.columnBlob(3, &size);
        if (QByteArrayView(data, size) != QByteArrayView(serviceUtf8)) {
            serviceUtf8 = QByteArray(data, size);
            service = QString::fromUtf8(serviceUtf8);
        }
        rows.add(spanId, parent, service, q.columnText(4), fromDb(q.columnInt64(5)), fromDb(q.columnInt64(6)),
            StatusCode(q.columnInt64(7)) == StatusCode::Error);
    }
    if (rc != SQLITE_DONE)
        return failed(lease.db().errorMessage());
    rows.endTrace();
    return builder.result(keepDurations);
}
