#include "memorytracestore.h"

#include "storage/spancodec.h"

#include <QMutexLocker>
#include <QSet>
#include <QThread>

#include <algorithm>

MemoryTraceStore::MemoryTraceStore() = default;
MemoryTraceStore::~MemoryTraceStore() = default;

bool MemoryTraceStore::open(QString*)
{
    return true;
}

QString MemoryTraceStore::description() const
{
    return QStringLiteral("memory:");
}

WriteResult MemoryTraceStore::write(const std::vector<IngestItem>& items)
{
    QMutexLocker lock(&m_mutex);
    WriteResult result;
    // As the real stores: a log record naming a span of no trace fails the whole call.
    for (const IngestItem& item : items)
        for (const LogRecord& record : item.batch.logs)
            if (record.spanId.isValid() && !record.traceId.isValid()) {
                result.error = QStringLiteral("a log record has a span id but no trace id");
                return result;
            }
    result.ok = true;
    QSet<TraceId> changed;
    for (const IngestItem& item : items) {
        RawPayload payload = item.payload;
        payload.id = static_cast<qint64>(m_payloads.size()) + 1;
        payload.spanCount = static_cast<qint64>(item.batch.spans.size());
        payload.logRecordCount = static_cast<qint64>(item.batch.logs.size());
        m_payloads.push_back(payload);
        for (const LogRecord& record : item.batch.logs) {
            if (!m_logs.emplace(SpanCodec::logRecordHash(record), record).second)
                continue;
            ++result.logRecordsWritten;
            if (record.traceId.isValid() && !changed.contains(record.traceId)) {
                changed.insert(record.traceId);
                result.changedTraces.push_back(record.traceId);
            }
        }
        for (const Span& span : item.batch.spans) {
            Trace& trace = m_traces[span.traceId];
            trace.spans[span.spanId] = span;
            if (trace.payloadIds.empty() || trace.payloadIds.back() != payload.id)
                trace.payloadIds.push_back(payload.id);
            ++result.spansWritten;
            if (!changed.contains(span.traceId)) {
                changed.insert(span.traceId);
                result.changedTraces.push_back(span.traceId);
            }
        }
    }
    return result;
}

TraceSummary MemoryTraceStore::summarize(const TraceId& id, const Trace& trace) const
{
    TraceSummary s;
    s.traceId = id;
    const Span* root = nullptr;
    const Span* earliest = nullptr;
    QSet<QString> services;
    bool first = true;
    for (const auto& entry : trace.spans) {
        const Span& span = entry.second;
        if (first || span.startTimeUnixNano < s.startTimeUnixNano)
            s.startTimeUnixNano = span.startTimeUnixNano;
        if (first || span.endTimeUnixNano > s.endTimeUnixNano)
            s.endTimeUnixNano = span.endTimeUnixNano;
        first = false;
        if (span.isRoot() && (!root || span.startTimeUnixNano < root->startTimeUnixNano))
            root = &span;
        if (!earliest || span.startTimeUnixNano < earliest->startTimeUnixNano)
            earliest = &span;
        if (span.statusCode == StatusCode::Error)
            ++s.errorCount;
        const QString service = span.serviceName();
        if (!service.isEmpty())
            services.insert(service);
        s.addGenAi(SpanGenAiFigures::of(span));
    }
    s.spanCount = static_cast<qint64>(trace.spans.size());
    s.hasRoot = root != nullptr;
    const Span* named = root ? root : earliest;
    if (named) {
        s.rootServiceName = named->serviceName();
        s.rootSpanName = named->name;
    }
    s.services = QStringList(services.begin(), services.end());
    s.services.sort();
    return s;
}

bool MemoryTraceStore::matches(const TraceQuery& q, const TraceSummary& s, const Trace& trace) const
{
    if (!q.serviceName.isEmpty() && !s.services.contains(q.serviceName))
        return false;
    if (q.errorsOnly && s.errorCount == 0)
        return false;
    if (!q.conversationId.isEmpty() && s.conversationId != q.conversationId)
        return false;
    if (q.minDurationNanos && s.durationNanos() < q.minDurationNanos)
        return false;
    if (q.startTimeFromUnixNano && s.startTimeUnixNano < q.startTimeFromUnixNano)
        return false;
    if (q.startTimeToUnixNano && s.startTimeUnixNano > q.startTimeToUnixNano)
        return false;
    if (q.text.isEmpty())
        return true;
    for (const auto& entry : trace.spans) {
        if (entry.second.name.contains(q.text, Qt::CaseInsensitive))
            return true;
        for (const KeyValue& kv : entry.second.attributes)
            if (kv.value.type == AnyValue::Type::String && kv.value.stringValue.contains(q.text, Qt::CaseInsensitive))
                return true;
    }
    return false;
}

std::vector<TraceSummary> MemoryTraceStore::listTraces(const TraceQuery& query, QString*)
{
    QMutexLocker lock(&m_mutex);
    ++m_listCalls;
    std::vector<TraceSummary> all;
    for (const auto& entry : m_traces) {
        TraceSummary s = summarize(entry.first, entry.second);
        if (matches(query, s, entry.second))
            all.push_back(std::move(s));
    }
    const auto before = [&query](const TraceSummary& a, const TraceSummary& b) {
        return TraceOrdering::before(a, b, query.order, query.descending, query.prices.get());
    };
    std::sort(all.begin(), all.end(), before);
    std::vector<TraceSummary> page;
    int toSkip = std::max(0, query.offset);
    for (TraceSummary& s : all) {
        if (query.hasCursor && !before(query.cursor, s))
            continue;
        if (toSkip > 0) {
            --toSkip;
            continue;
        }
        if (static_cast<int>(page.size()) >= query.limit)
            break;
        page.push_back(std::move(s));
    }
    return page;
}

std::optional<TraceSummary> MemoryTraceStore::traceSummary(const TraceId& traceId, QString*)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_traces.find(traceId);
    if (it == m_traces.end())
        return std::nullopt;
    return summarize(traceId, it->second);
}

std::vector<Span> MemoryTraceStore::traceSpans(const TraceId& traceId, QString*)
{
    QMutexLocker lock(&m_mutex);
    std::vector<Span> spans;
    auto it = m_traces.find(traceId);
    if (it == m_traces.end())
        return spans;
    for (const auto& entry : it->second.spans)
        spans.push_back(entry.second);
    std::stable_sort(spans.begin(), spans.end(),
        [](const Span& a, const Span& b) { return a.startTimeUnixNano < b.startTimeUnixNano; });
    return spans;
}

std::vector<RawPayload> MemoryTraceStore::tracePayloads(const TraceId& traceId, QString*)
{
    QMutexLocker lock(&m_mutex);
    std::vector<RawPayload> payloads;
    auto it = m_traces.find(traceId);
    if (it == m_traces.end())
        return payloads;
    for (qint64 id : it->second.payloadIds)
        payloads.push_back(m_payloads[static_cast<std::size_t>(id - 1)]);
    return payloads;
}

std::vector<LogRecord> MemoryTraceStore::traceLogs(const TraceId& traceId, QString*)
{
    QMutexLocker lock(&m_mutex);
    std::vector<LogRecord> logs;
    for (const auto& entry : m_logs)
        if (entry.second.traceId == traceId)
            logs.push_back(entry.second);
    std::stable_sort(logs.begin(), logs.end(), [](const LogRecord& a, const LogRecord& b) {
        return std::pair(a.effectiveTimeUnixNano(), a.observedTimeUnixNano)
            < std::pair(b.effectiveTimeUnixNano(), b.observedTimeUnixNano);
    });
    return logs;
}

qint64 MemoryTraceStore::logRecordCount(QString*)
{
    QMutexLocker lock(&m_mutex);
    return static_cast<qint64>(m_logs.size());
}

QStringList MemoryTraceStore::services(QString*)
{
    QMutexLocker lock(&m_mutex);
    QSet<QString> names;
    for (const auto& trace : m_traces)
        for (const auto& entry : trace.second.spans)
            if (!entry.second.serviceName().isEmpty())
                names.insert(entry.second.serviceName());
    QStringList list(names.begin(), names.end());
    list.sort();
    return list;
}

qint64 MemoryTraceStore::spanCount(QString*)
{
    QMutexLocker lock(&m_mutex);
    qint64 n = 0;
    for (const auto& trace : m_traces)
        n += static_cast<qint64>(trace.second.spans.size());
    return n;
}

WriteResult MemoryTraceStore::addSpans(std::vector<Span> spans)
{
    IngestItem item;
    item.payload.contentType = QStringLiteral("application/json");
    item.payload.body = QByteArrayLiteral("{\"resourceSpans\":[]}");
    item.payload.wireSize = item.payload.body.size();
    item.payload.peer = QStringLiteral("127.0.0.1:5555");
    item.payload.receivedAtUnixNano = spans.empty() ? 0 : spans.front().startTimeUnixNano;
    item.batch.spans = std::move(spans);
    return write({ item });
}

int MemoryTraceStore::listCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_listCalls;
}

bool MemoryTraceStore::setCostPrices(const PriceTable& prices, QString* error, const std::function<bool()>& cancelled)
{
    {
        QMutexLocker lock(&m_mutex);
        m_costPriceCalls.push_back(prices.toJson());
    }
    if (!m_blockCostPrices)
        return true;
    while (!(cancelled && cancelled()))
        QThread::msleep(2);
    QMutexLocker lock(&m_mutex);
    ++m_cancelledCostPrices;
    if (error)
        *error = QStringLiteral("cancelled");
    return false;
}

std::vector<QByteArray> MemoryTraceStore::costPriceCalls() const
{
    QMutexLocker lock(&m_mutex);
    return m_costPriceCalls;
}

void MemoryTraceStore::setBlockCostPrices(bool block)
{
    m_blockCostPrices = block;
}

int MemoryTraceStore::cancelledCostPrices() const
{
    QMutexLocker lock(&m_mutex);
    return m_cancelledCostPrices;
}

namespace TestSpans {
std::shared_ptr<const Resource> resource(const QString& serviceName)
{
    auto r = std::make_shared<Resource>();
    r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(serviceName) });
    return r;
}

Span make(const TraceId& trace, quint64 spanId, quint64 parentId, const QString& name,
    const std::shared_ptr<const Resource>& resource, std::uint64_t startNs, std::uint64_t endNs)
{
    Span s;
    s.traceId = trace;
    s.spanId = TestSpans::spanId(spanId);
    if (parentId)
        s.parentSpanId = TestSpans::spanId(parentId);
    s.name = name;
    s.kind = SpanKind::Internal;
    s.resource = resource;
    s.startTimeUnixNano = startNs;
    s.endTimeUnixNano = endNs;
    return s;
}

TraceId traceId(quint64 n)
{
    QByteArray bytes(16, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[15 - i] = char((n >> (8 * i)) & 0xff);
    bytes[0] = 0x7a;
    return TraceId::fromBytes(bytes);
}

SpanId spanId(quint64 n)
{
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[7 - i] = char((n >> (8 * i)) & 0xff);
    return SpanId::fromBytes(bytes);
}
}
