// The trace list over a large SQLite store (issue 11 §1): fills a store through SqliteTraceStore::write with generated
// traces, then times TraceStore::listTraces as TraceListModel calls it (pages of TraceListModel::PageSize).
//
//   bench_tracelist [--spans N] [--spans-per-trace K] [--store PATH] [--runs R] [--text-candidate-limit L]
//                   [--text-sort-limit S] [--text-scan-first-ms MS]
//
// N spans (default 10,000,000) in traces of K spans (default 10). --store keeps the store in PATH; when PATH already
// holds traces the fill is skipped and the store is measured as it is. Without --store the store is a temporary file,
// removed at the end. --text-*: SqliteTraceStore::setTextIndexLimits (candidate limit -1: no index). Each figure is the
// median of R runs (default 5) after one unmeasured run: warm figures, with the file in the OS page cache and SQLite's
// cache of the read connection filled. Every line is `key=value` pairs.

#include "model/tracelistmodel.h"
#include "storage/sqlitetracestore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <vector>

namespace {

// Realistic enough for the trace list: several services, a few hundred span names, HTTP routes, SQL statements,
// user ids, some errors, some LLM calls with token counts. Deterministic (fixed seed).
class TraceGenerator {
public:
    explicit TraceGenerator(int spansPerTrace)
        : m_spansPerTrace(spansPerTrace)
    {
        const char* services[]
            = { "frontend", "checkout", "cart", "payment", "inventory", "auth", "search", "llm-gateway" };
        for (const char* name : services) {
            auto r = std::make_shared<Resource>();
            r->attributes.push_back(
                { QStringLiteral("service.name"), AnyValue::fromString(QString::fromLatin1(name)) });
            r->attributes.push_back(
                { QStringLiteral("deployment.environment"), AnyValue::fromString(QStringLiteral("production")) });
            m_resources.push_back(std::move(r));
        }
        auto scope = std::make_shared<InstrumentationScope>();
        scope->name = QStringLiteral("bench_tracelist");
        scope->version = QStringLiteral("1.0");
        m_scope = std::move(scope);
        const char* nouns[] = { "items", "orders", "carts", "users", "payments", "refunds", "invoices", "shipments",
            "reviews", "coupons", "products", "categories", "sessions", "tokens", "addresses", "wishlists", "returns",
            "stores", "prices", "stock", "suppliers", "warehouses", "reports", "exports", "imports", "notifications",
            "messages", "tickets", "agents", "conversations", "documents", "embeddings", "models", "prompts",
            "feedback", "events", "metrics", "alerts", "settings", "plans" };
        const char* methods[] = { "GET", "POST", "PUT", "DELETE" };
        for (const char* noun : nouns) {
            const QString n = QString::fromLatin1(noun);
            m_routes.push_back(QStringLiteral("/api/v1/%1/{id}").arg(n));
            m_tables.push_back(n);
            for (const char* method : methods)
                m_httpNames.push_back(QString::fromLatin1(method) + QStringLiteral(" /api/v1/") + n);
            m_dbNames.push_back(QStringLiteral("SELECT shop.") + n);
            m_dbNames.push_back(QStringLiteral("UPDATE shop.") + n);
            m_internalNames.push_back(QStringLiteral("render ") + n);
            m_internalNames.push_back(QStringLiteral("validate ") + n);
        }
    }

    /// The user id of trace `trace`: one of 100,000.
    static QString userOf(qint64 trace)
    {
        std::mt19937_64 rng(std::uint64_t(trace) * 31 + 7);
        return QStringLiteral("user-%1").arg(qint64(rng() % 100000), 6, 10, QLatin1Char('0'));
    }

    /// The spans of trace `trace` (0-based).
    void trace(qint64 trace, std::vector<Span>* out)
    {
        std::mt19937_64 rng(std::uint64_t(trace) * 0x9E3779B97F4A7C15ull + 1);
        const auto pick = [&rng](std::size_t n) { return std::size_t(rng() % n); };
        QByteArray tid(16, '\0');
        for (int i = 0; i < 16; ++i)
            tid[i] = char(rng() >> 56);
        tid[0] = char(tid[0] | 1); // never all zero
        const TraceId traceId = TraceId::fromBytes(tid);
        const std::uint64_t start = 1'700'000'000'000'000'000ull + std::uint64_t(trace) * 50'000'000ull;
        // Log-uniform durations from 1 ms to ~10 s.
        const double exponent = double(rng() % 10000) / 10000.0 * 4.0;
        const std::uint64_t total = std::uint64_t(1e6 * std::pow(10.0, exponent));
        const bool error = rng() % 100 < 3;
        const bool llm = rng() % 100 < 10;
        const QString user = userOf(trace);
        const std::size_t rootService = pick(3); // frontend, checkout or cart receive the requests

        for (int i = 0; i < m_spansPerTrace; ++i) {
            Span s;
            s.traceId = traceId;
            QByteArray sid(8, '\0');
            const std::uint64_t idValue = (std::uint64_t(trace) << 16) + std::uint64_t(i) + 1;
            for (int b = 0; b < 8; ++b)
                sid[b] = char(idValue >> (56 - 8 * b));
            s.spanId = SpanId::fromBytes(sid);
            if (i > 0) {
                const std::uint64_t parent = (std::uint64_t(trace) << 16) + std::uint64_t(i > 3 ? 1 + pick(3) : 0) + 1;
                for (int b = 0; b < 8; ++b)
                    sid[b] = char(parent >> (56 - 8 * b));
                s.parentSpanId = SpanId::fromBytes(sid);
            }
            const std::uint64_t offset = i == 0 ? 0 : total * pick(50) / 100;
            s.startTimeUnixNano = start + offset;
            s.endTimeUnixNano = i == 0 ? start + total : s.startTimeUnixNano + (total - offset) * (1 + pick(50)) / 100;
            s.scope = m_scope;
            const std::size_t noun = pick(m_routes.size());
            if (i == 0) {
                s.kind = SpanKind::Server;
                s.name = m_httpNames[noun * 4 + pick(4)];
                s.resource = m_resources[rootService];
                s.attributes.push_back({ QStringLiteral("http.request.method"),
                    AnyValue::fromString(s.name.section(QLatin1Char(' '), 0, 0)) });
                s.attributes.push_back({ QStringLiteral("http.route"), AnyValue::fromString(m_routes[noun]) });
                s.attributes.push_back(
                    { QStringLiteral("http.response.status_code"), AnyValue::fromInt(error ? 500 : 200) });
                s.attributes.push_back({ QStringLiteral("enduser.id"), AnyValue::fromString(user) });
            } else if (llm && i == 1) {
                s.kind = SpanKind::Client;
                s.name = QStringLiteral("chat gpt-4o-mini");
                s.resource = m_resources[7];
                s.attributes.push_back(
                    { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
                s.attributes.push_back(
                    { QStringLiteral("gen_ai.system"), AnyValue::fromString(QStringLiteral("openai")) });
                s.attributes.push_back(
                    { QStringLiteral("gen_ai.request.model"), AnyValue::fromString(QStringLiteral("gpt-4o-mini")) });
                s.attributes.push_back(
                    { QStringLiteral("gen_ai.usage.input_tokens"), AnyValue::fromInt(qint64(200 + pick(4000))) });
                s.attributes.push_back(
                    { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(qint64(20 + pick(800))) });
            } else if (i % 3 == 1) {
                s.kind = SpanKind::Client;
                s.name = m_dbNames[noun * 2 + pick(2)];
                s.resource = m_resources[3 + pick(4)];
                s.attributes.push_back(
                    { QStringLiteral("db.system"), AnyValue::fromString(QStringLiteral("postgresql")) });
                s.attributes.push_back({ QStringLiteral("db.statement"),
                    AnyValue::fromString(QStringLiteral("SELECT id, payload FROM shop.%1 WHERE owner = $1 LIMIT %2")
                                             .arg(m_tables[noun])
                                             .arg(qint64(10 + pick(90)))) });
            } else if (i % 3 == 2) {
                s.kind = SpanKind::Client;
                s.name = m_httpNames[noun * 4 + pick(4)];
                s.resource = m_resources[pick(7)];
                s.attributes.push_back({ QStringLiteral("http.route"), AnyValue::fromString(m_routes[noun]) });
                s.attributes.push_back({ QStringLiteral("url.full"),
                    AnyValue::fromString(QStringLiteral("http://%1.internal/api/v1/%2/%3")
                                             .arg(m_tables[pick(m_tables.size())], m_tables[noun])
                                             .arg(qint64(rng() % 1000000))) });
            } else {
                s.kind = SpanKind::Internal;
                s.name = m_internalNames[noun * 2 + pick(2)];
                s.resource = m_resources[pick(7)];
            }
            if (error && i == m_spansPerTrace - 1) {
                s.statusCode = StatusCode::Error;
                s.statusMessage = QStringLiteral("upstream timed out");
                s.attributes.push_back({ QStringLiteral("exception.message"),
                    AnyValue::fromString(QStringLiteral("deadline exceeded after %1 ms").arg(qint64(pick(5000)))) });
            }
            out->push_back(std::move(s));
        }
    }

private:
    int m_spansPerTrace;
    std::vector<std::shared_ptr<const Resource>> m_resources;
    std::shared_ptr<const InstrumentationScope> m_scope;
    std::vector<QString> m_routes, m_tables, m_httpNames, m_dbNames, m_internalNames;
};

double medianMs(int runs, const std::function<void()>& run)
{
    run(); // warm-up, not measured
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        run();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

const char* orderName(TraceOrder o)
{
    switch (o) {
    case TraceOrder::StartTime:
        return "start_time";
    case TraceOrder::Duration:
        return "duration";
    case TraceOrder::SpanCount:
        return "span_count";
    case TraceOrder::ErrorCount:
        return "error_count";
    case TraceOrder::Service:
        return "service";
    case TraceOrder::Name:
        return "name";
    case TraceOrder::Tokens:
        return "tokens";
    case TraceOrder::LlmCalls:
        return "llm_calls";
    case TraceOrder::ToolCalls:
        return "tool_calls";
    case TraceOrder::InputTokens:
        return "input_tokens";
    case TraceOrder::OutputTokens:
        return "output_tokens";
    case TraceOrder::Cost:
        return "cost";
    }
    return "?";
}

// Times the first page of `query` and the page after it (cursor at the first page's last row).
bool measureQuery(SqliteTraceStore& store, const char* what, TraceQuery query, int runs)
{
    query.limit = TraceListModel::PageSize;
    std::vector<TraceSummary> first;
    QString error;
    const double firstMs = medianMs(runs, [&] { first = store.listTraces(query, &error); });
    if (!error.isEmpty()) {
        std::fprintf(stderr, "bench_tracelist: %s\n", qPrintable(error));
        return false;
    }
    std::vector<TraceSummary> next;
    double nextMs = 0;
    if (!first.empty()) {
        TraceQuery q = query;
        q.setCursor(first.back());
        nextMs = medianMs(runs, [&] { next = store.listTraces(q, &error); });
    }
    std::printf("query=%s order=%s dir=%s first_page_ms=%.2f rows=%zu next_page_ms=%.2f next_rows=%zu runs=%d warm=1\n",
        what, orderName(query.order), query.descending ? "desc" : "asc", firstMs, first.size(), nextMs, next.size(),
        runs);
    std::fflush(stdout);
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    qint64 spans = 10'000'000;
    int perTrace = 10;
    int runs = 5;
    int candidateLimit = SqliteTraceStore::DefaultTextCandidateLimit;
    int sortLimit = SqliteTraceStore::DefaultTextSortLimit;
    int scanFirstMs = SqliteTraceStore::DefaultTextScanFirstMs;
    QString path;
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--spans"))
            spans = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--spans-per-trace"))
            perTrace = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--store"))
            path = args[i + 1];
        else if (args[i] == QLatin1String("--runs"))
            runs = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--text-candidate-limit"))
            candidateLimit = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--text-sort-limit"))
            sortLimit = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--text-scan-first-ms"))
            scanFirstMs = args[i + 1].toInt();
    }
    if (spans < 1 || perTrace < 1 || perTrace > 1000 || runs < 1) {
        std::fprintf(stderr,
            "usage: bench_tracelist [--spans N] [--spans-per-trace K] [--store PATH] [--runs R] "
            "[--text-candidate-limit L] [--text-sort-limit S] [--text-scan-first-ms MS]\n");
        return 1;
    }
    QTemporaryDir dir;
    if (path.isEmpty()) {
        if (!dir.isValid())
            return 2;
        path = dir.filePath(QStringLiteral("tracelist.db"));
    }

    SqliteTraceStore store(path);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "bench_tracelist: %s\n", qPrintable(error));
        return 2;
    }
    store.setTextIndexLimits(candidateLimit, sortLimit, scanFirstMs);
    const qint64 stored = store.spanCount(&error);
    if (stored > 0) {
        std::printf("fill skipped=1 spans=%lld store=%s\n", static_cast<long long>(stored), qPrintable(path));
    } else {
        // Writes as the ingest pipeline does: requests of 512 spans, prepared, committed 8 requests at a time.
        TraceGenerator gen(perTrace);
        const qint64 traces = (spans + perTrace - 1) / perTrace;
        constexpr std::size_t SpansPerRequest = 512;
        constexpr std::size_t RequestsPerWrite = 8;
        QElapsedTimer timer;
        timer.start();
        qint64 written = 0;
        std::vector<IngestItem> items;
        std::vector<Span> traceSpans;
        IngestItem item;
        const auto flush = [&](bool all) {
            if (!item.batch.spans.empty() && (all || item.batch.spans.size() >= SpansPerRequest)) {
                store.prepare(item);
                items.push_back(std::move(item));
                item = IngestItem();
            }
            if (!items.empty() && (all || items.size() >= RequestsPerWrite)) {
                const WriteResult r = store.write(items);
                if (!r.ok) {
                    std::fprintf(stderr, "bench_tracelist: %s\n", qPrintable(r.error));
                    return false;
                }
                written += r.spansWritten;
                items.clear();
            }
            return true;
        };
        for (qint64 t = 0; t < traces; ++t) {
            traceSpans.clear();
            gen.trace(t, &traceSpans);
            for (Span& s : traceSpans)
                item.batch.spans.push_back(std::move(s));
            if (!flush(false))
                return 2;
            if (t > 0 && t % 100000 == 0) {
                std::printf("progress traces=%lld seconds=%.1f\n", static_cast<long long>(t),
                    double(timer.nsecsElapsed()) / 1e9);
                std::fflush(stdout);
            }
        }
        if (!flush(true))
            return 2;
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        std::printf("fill spans=%lld traces=%lld seconds=%.1f spans_per_s=%.0f (generation included)\n",
            static_cast<long long>(written), static_cast<long long>(traces), seconds, double(written) / seconds);
    }
    qint64 bytes = 0;
    for (const char* suffix : { "", "-wal" })
        bytes += QFileInfo(path + QString::fromLatin1(suffix)).size();
    std::printf("store bytes=%lld mib=%.1f spans=%lld\n", static_cast<long long>(bytes), double(bytes) / 1048576.0,
        static_cast<long long>(store.spanCount()));
    std::fflush(stdout);

    const TraceOrder orders[] = { TraceOrder::StartTime, TraceOrder::Duration, TraceOrder::SpanCount,
        TraceOrder::ErrorCount, TraceOrder::Service, TraceOrder::Name, TraceOrder::Tokens, TraceOrder::LlmCalls,
        TraceOrder::ToolCalls, TraceOrder::InputTokens, TraceOrder::OutputTokens, TraceOrder::Cost };
    for (const TraceOrder order : orders) {
        for (const bool descending : { false, true }) {
            TraceQuery q;
            q.order = order;
            q.descending = descending;
            if (!measureQuery(store, "all", q, runs))
                return 2;
        }
    }
    TraceQuery q;
    q.serviceName = QStringLiteral("payment");
    measureQuery(store, "service", q, runs);
    q = TraceQuery();
    q.minDurationNanos = 5'000'000'000ull;
    measureQuery(store, "min_duration_5s", q, runs);
    q = TraceQuery();
    q.errorsOnly = true;
    measureQuery(store, "errors_only", q, runs);
    // The user of the middle trace, in upper case: at least one trace, about one in 100,000.
    const QByteArray rareNeedle = TraceGenerator::userOf(store.spanCount() / perTrace / 2).toUpper().toLatin1();
    const struct {
        const char* what;
        const char* needle;
    } needles[] = {
        { "text_rare", rareNeedle.constData() },
        { "text_uncommon", "Deadline Exceeded" }, // the exception message of errors: 3% of traces
        { "text_common", "select id" }, // the SQL statements: most traces
        { "text_2chars", "42" },
        { "text_none", "no-such-needle" },
    };
    for (const auto& n : needles) {
        for (const bool descending : { true, false }) {
            q = TraceQuery();
            q.text = QString::fromLatin1(n.needle);
            q.descending = descending;
            if (!measureQuery(store, n.what, q, runs))
                return 2;
        }
        q = TraceQuery();
        q.text = QString::fromLatin1(n.needle);
        q.order = TraceOrder::Duration;
        measureQuery(store, n.what, q, runs);
    }
    return 0;
}
