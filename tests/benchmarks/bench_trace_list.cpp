// Trace list benchmark (issue 11 §1, "Trace list with 10,000,000 spans stored"): fills a SQLite store with N spans in
// generated traces (10-200 spans each, 3-5 of 12 services, names and attributes from an HTTP/DB/GenAI vocabulary, a few
// rare marker words), written as the receiver writes them (SqliteTraceStore::prepare on one thread, write() of
// groups of 512-span requests on another, a trace's spans spread over up to three requests), then times the trace
// list as the GUI asks for it (TraceListModel::PageSize rows) and prints machine-readable lines:
//   ingest_spans_per_s=                 while filling the store (prepare and write() on two threads)
//   write_spans_per_s=                  spans over the time spent in write() alone (the writer's share)
//   store_bytes=                        main file + WAL after filling (and after opening a reused store)
//   cost_prices_other_ms=, cost_prices_ms=, cost_prices_unchanged_ms=
//                                       SqliteTraceStore::setCostPrices with other prices, then the benchmark's
//                                       (every trace with model usage repriced twice), then the same again
//   first_page_ms_<order>_<asc|desc>=   the first page, every TraceOrder, both directions (cost: by the kept prices)
//   first_page_ms_cost_other_prices_desc=  cost by prices the store does not keep (every trace priced per query)
//   second_page_ms_<order>_<asc|desc>=  the page after it, through the cursor (same read connection)
//   text_filter_ms_<case>=              first page, newest first, with a text filter: common (a term in most traces),
//                                       medium (~2% of traces), rare (a handful of traces), none (no trace), short
//                                       (two characters), service (the common term and a service filter)
//   text_filter_ms_<case>_<order>=      the same, descending by every order
// Each figure is the median of --repeats runs (one run when it takes over 500 ms), each on a freshly opened store, so
// each reads through a new SQLite connection (the OS page cache stays warm, as for a GUI that has been running).
// Prints figures; asserts nothing.
//
// usage: bench_trace_list [--spans N] [--store PATH] [--repeats R]
//   --store PATH reuses (or creates, on first use) a store file holding the generated spans, so repeated runs skip
//   the write; without it the store lives in a temporary folder.

#include "model/anyvalue.h"
#include "model/pricetable.h"
#include "model/span.h"
#include "model/tracelistmodel.h"
#include "model/tracequery.h"
#include "storage/sqlitetracestore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <random>

namespace {

double msSince(const QElapsedTimer& t) { return double(t.nsecsElapsed()) / 1e6; }

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

qint64 storeBytes(const QString& path)
{
    return QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
}

// The marker words: RareWord is in one trace of RareEvery, MediumWord in one of MediumEvery, CommonWord in the
// db.statement of most traces. NoWord is nowhere.
constexpr int RareEvery = 19001;
constexpr int MediumEvery = 50;
const QString RareWord = QStringLiteral("quokkazanzibar");
const QString MediumWord = QStringLiteral("wombatcanary");
const QString CommonWord = QStringLiteral("select");
const QString NoWord = QStringLiteral("xylophonequasar");
const QString ShortWord = QStringLiteral("db");
const QString FilterService = QStringLiteral("payment");
// A figure whose first run takes longer than this is not repeated.
constexpr double SlowMs = 500;

const char* const ServiceNames[] = { "frontend", "checkout", "cart", "payment", "inventory", "shipping", "auth",
    "search", "recommendation", "llm-gateway", "db-proxy", "notification" };
const char* const Routes[] = { "/api/cart", "/api/cart/{id}", "/api/checkout", "/api/orders", "/api/orders/{id}",
    "/api/products", "/api/products/{id}", "/api/search", "/api/users/{id}", "/api/login", "/api/logout",
    "/api/recommendations", "/api/shipping/quote", "/api/payments", "/api/payments/{id}/refund", "/health",
    "/api/inventory/{sku}", "/api/chat", "/api/chat/{conversation}", "/api/notifications" };
const char* const Statements[] = { "SELECT * FROM orders WHERE id = $1",
    "SELECT id, total FROM carts WHERE user_id = $1", "UPDATE inventory SET count = count - $1 WHERE sku = $2",
    "INSERT INTO payments (order_id, amount) VALUES ($1, $2)", "SELECT * FROM products WHERE category = $1 LIMIT 50",
    "DELETE FROM sessions WHERE expires < now()", "SELECT name, price FROM products WHERE id = ANY($1)",
    "INSERT INTO events (kind, payload) VALUES ($1, $2)" };
const char* const Models[] = { "gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "llama-3.1-70b", "mistral-large" };
const char* const Tools[] = { "get_weather", "search_products", "lookup_order", "send_email" };

/// Generates traces 0, 1, 2, ... (their spans in request order) deterministically.
class TraceGenerator {
public:
    TraceGenerator()
        : m_rng(11)
    {
        for (const char* name : ServiceNames) {
            auto r = std::make_shared<Resource>();
            r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QLatin1String(name)) },
                { QStringLiteral("service.version"), AnyValue::fromString(QStringLiteral("2.4.1")) },
                { QStringLiteral("host.name"),
                    AnyValue::fromString(QStringLiteral("node-%1").arg(m_services.size())) } };
            m_services.push_back(std::move(r));
        }
        auto scope = std::make_shared<InstrumentationScope>();
        scope->name = QStringLiteral("bench_trace_list");
        scope->version = QStringLiteral("1");
        m_scope = std::move(scope);
    }

    /// The spans of trace `index`.
    std::vector<Span> trace(qint64 index)
    {
        const int count = 10 + int(m_rng() % 191);
        std::vector<Span> spans;
        spans.reserve(std::size_t(count));
        std::uint64_t raw[2] = { 0x7472616365000000ULL, std::uint64_t(index) * 0x9e3779b97f4a7c15ULL + 1 };
        const TraceId traceId = TraceId::fromRaw(raw);
        const std::uint64_t start = 1760000000000000000ULL + std::uint64_t(index) * 50000000ULL + m_rng() % 40000000ULL;
        const bool genai = m_rng() % 10 == 0;
        // Three to five services per trace, the root's first (a trace crosses some services, not all).
        std::size_t services[5] = { 0, 0, 0, 0, 0 };
        const std::size_t serviceCount = 3 + std::size_t(m_rng() % 3);
        for (std::size_t k = 0; k < serviceCount; ++k)
            services[k] = std::size_t(m_rng() % std::size(ServiceNames));
        const bool error = m_rng() % 20 == 0;
        for (int i = 0; i < count; ++i) {
            Span s;
            s.traceId = traceId;
            const std::uint64_t id = (std::uint64_t(index) << 16) + std::uint64_t(i) + 1;
            s.spanId = SpanId::fromRaw(&id);
            if (i > 0) {
                const std::uint64_t parent = (std::uint64_t(index) << 16) + std::uint64_t((i - 1) / 4) + 1;
                s.parentSpanId = SpanId::fromRaw(&parent);
            }
            const std::size_t service = i == 0 ? services[0] : services[m_rng() % serviceCount];
            s.resource = m_services[service];
            s.scope = m_scope;
            s.startTimeUnixNano = start + std::uint64_t(i) * 100000 + m_rng() % 50000;
            s.endTimeUnixNano = s.startTimeUnixNano + 1000 + m_rng() % (i == 0 ? 900000000 : 5000000);
            const QString route = QLatin1String(Routes[m_rng() % std::size(Routes)]);
            const int kind = i == 0 ? 0 : int(m_rng() % 4);
            if (kind == 0) { // HTTP server
                const char* method = m_rng() % 3 ? "GET" : "POST";
                s.name = QLatin1String(method) + QLatin1Char(' ') + route;
                s.kind = SpanKind::Server;
                s.attributes = { { QStringLiteral("http.request.method"), AnyValue::fromString(QLatin1String(method)) },
                    { QStringLiteral("http.route"), AnyValue::fromString(route) },
                    { QStringLiteral("http.response.status_code"), AnyValue::fromInt(error && i == 0 ? 500 : 200) },
                    { QStringLiteral("url.path"),
                        AnyValue::fromString(
                            QString(route).replace(QStringLiteral("{id}"), QString::number(m_rng() % 100000))) },
                    { QStringLiteral("user_agent.original"), AnyValue::fromString(QStringLiteral("Mozilla/5.0")) },
                    { QStringLiteral("enduser.id"),
                        AnyValue::fromString(QStringLiteral("user-%1").arg(m_rng() % 50000)) } };
            } else if (kind == 1) { // database
                const QString statement = QLatin1String(Statements[m_rng() % std::size(Statements)]);
                s.name = statement.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" shop");
                s.kind = SpanKind::Client;
                s.attributes = { { QStringLiteral("db.system"), AnyValue::fromString(QStringLiteral("postgresql")) },
                    { QStringLiteral("db.name"), AnyValue::fromString(QStringLiteral("shop")) },
                    { QStringLiteral("db.statement"), AnyValue::fromString(statement) },
                    { QStringLiteral("server.address"), AnyValue::fromString(QStringLiteral("db-primary")) } };
            } else if (kind == 2 && genai) { // an LLM call or a tool call
                if (m_rng() % 3) {
                    const QString model = QLatin1String(Models[m_rng() % std::size(Models)]);
                    s.name = QStringLiteral("chat ") + model;
                    s.kind = SpanKind::Client;
                    s.attributes = {
                        { QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) },
                        { QStringLiteral("gen_ai.system"), AnyValue::fromString(QStringLiteral("openai")) },
                        { QStringLiteral("gen_ai.request.model"), AnyValue::fromString(model) },
                        { QStringLiteral("gen_ai.usage.input_tokens"),
                            AnyValue::fromInt(qint64(100 + m_rng() % 4000)) },
                        { QStringLiteral("gen_ai.usage.output_tokens"), AnyValue::fromInt(qint64(10 + m_rng() % 800)) }
                    };
                } else {
                    const QString tool = QLatin1String(Tools[m_rng() % std::size(Tools)]);
                    s.name = QStringLiteral("execute_tool ") + tool;
                    s.attributes = { { QStringLiteral("gen_ai.operation.name"),
                                         AnyValue::fromString(QStringLiteral("execute_tool")) },
                        { QStringLiteral("gen_ai.tool.name"), AnyValue::fromString(tool) } };
                }
            } else { // internal work, or an outgoing call
                s.name = QStringLiteral("process ") + route.section(QLatin1Char('/'), 2, 2);
                s.attributes = { { QStringLiteral("code.function"),
                                     AnyValue::fromString(QStringLiteral("handle_%1").arg(m_rng() % 300)) },
                    { QStringLiteral("thread.id"), AnyValue::fromInt(qint64(m_rng() % 64)) } };
            }
            if (error && i == count / 2) {
                s.statusCode = StatusCode::Error;
                s.statusMessage = QStringLiteral("upstream timed out");
            }
            spans.push_back(std::move(s));
        }
        // The marker words, in an attribute value of a span in the middle of the trace.
        Span& marked = spans[spans.size() / 2];
        if (index % RareEvery == 7)
            marked.attributes.push_back(
                { QStringLiteral("note"), AnyValue::fromString(RareWord + QStringLiteral(" seen")) });
        if (index % MediumEvery == 3)
            marked.attributes.push_back(
                { QStringLiteral("note"), AnyValue::fromString(QStringLiteral("a ") + MediumWord) });
        return spans;
    }

private:
    std::mt19937_64 m_rng;
    std::vector<std::shared_ptr<const Resource>> m_services;
    std::shared_ptr<const InstrumentationScope> m_scope;
};

/**
 * Writes `total` spans as 512-span requests, eight traces in flight: each request takes the next slice of the
 * traces in flight, so a trace arrives in one to three requests, mixed with others (as from batching exporters).
 * Requests are prepared on another thread (the receiver's part) and written in groups of four (the writer's part).
 * Returns the spans/s of the whole, or -1 when a write fails.
 */
double fill(SqliteTraceStore& store, qint64 total, double* writeSeconds)
{
    constexpr std::size_t SpansPerRequest = 512;
    constexpr std::size_t RequestsPerWrite = 4;
    TraceGenerator generator;
    std::deque<std::vector<Span>> inFlight;
    qint64 nextTrace = 0;
    qint64 generated = 0;
    qint64 turn = 0;
    const auto nextRequests = [&]() {
        std::vector<IngestItem> items;
        while (items.size() < RequestsPerWrite && (generated < total || !inFlight.empty())) {
            IngestItem item;
            while (item.batch.spans.size() < SpansPerRequest) {
                while (inFlight.size() < 8 && generated < total) {
                    inFlight.push_back(generator.trace(nextTrace++));
                    if (generated + qint64(inFlight.back().size()) > total) // the last trace: exactly `total` in all
                        inFlight.back().resize(std::size_t(total - generated));
                    generated += qint64(inFlight.back().size());
                }
                if (inFlight.empty())
                    break;
                // Half of a trace's remaining spans, at least 64, from the traces in flight in turn.
                const std::size_t k = std::size_t(turn++) % inFlight.size();
                std::vector<Span>& trace = inFlight[k];
                const std::size_t take = std::min(trace.size(),
                    std::min(SpansPerRequest - item.batch.spans.size(), std::max<std::size_t>(64, trace.size() / 2)));
                std::move(trace.end() - std::ptrdiff_t(take), trace.end(), std::back_inserter(item.batch.spans));
                trace.resize(trace.size() - take);
                if (trace.empty())
                    inFlight.erase(inFlight.begin() + std::ptrdiff_t(k));
            }
            store.prepare(item);
            items.push_back(std::move(item));
        }
        return items;
    };
    QElapsedTimer clock;
    clock.start();
    qint64 written = 0;
    std::future<std::vector<IngestItem>> next = std::async(std::launch::async, nextRequests);
    for (;;) {
        std::vector<IngestItem> items = next.get();
        if (items.empty())
            break;
        next = std::async(std::launch::async, nextRequests);
        QElapsedTimer writing;
        writing.start();
        const WriteResult result = store.write(items);
        *writeSeconds += msSince(writing) / 1000;
        if (!result.ok) {
            std::fprintf(stderr, "bench_trace_list: write failed: %s\n", qPrintable(result.error));
            next.wait();
            return -1;
        }
        written += result.spansWritten;
        if (written / 1000000 != (written - result.spansWritten) / 1000000)
            std::fprintf(stderr, "  %lld spans written, %.0f spans/s\n", static_cast<long long>(written),
                double(written) / (msSince(clock) / 1000));
    }
    return double(written) / (msSince(clock) / 1000);
}

struct OrderName {
    TraceOrder order;
    const char* name;
};
const OrderName Orders[] = { { TraceOrder::StartTime, "start_time" }, { TraceOrder::Duration, "duration" },
    { TraceOrder::SpanCount, "span_count" }, { TraceOrder::ErrorCount, "error_count" },
    { TraceOrder::Service, "service" }, { TraceOrder::Name, "name" }, { TraceOrder::Tokens, "tokens" },
    { TraceOrder::LlmCalls, "llm_calls" }, { TraceOrder::ToolCalls, "tool_calls" },
    { TraceOrder::InputTokens, "input_tokens" }, { TraceOrder::OutputTokens, "output_tokens" },
    { TraceOrder::Cost, "cost" } };

std::shared_ptr<const PriceTable> benchPrices()
{
    auto prices = std::make_shared<PriceTable>();
    prices->prices = { { QStringLiteral("gpt-4o-mini*"), 0.15, 0.6, 0.075 },
        { QStringLiteral("gpt-4o*"), 2.5, 10, 1.25 }, { QStringLiteral("claude-3-5-sonnet*"), 3, 15, 0.3 },
        { QStringLiteral("llama-3.1-70b*"), 0.6, 0.6, {} } };
    return prices;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption spansOpt(
        QStringLiteral("spans"), QStringLiteral("spans to store"), QStringLiteral("N"), QStringLiteral("10000000"));
    QCommandLineOption storeOpt(QStringLiteral("store"), QStringLiteral("store file to reuse"), QStringLiteral("PATH"));
    QCommandLineOption repeatsOpt(QStringLiteral("repeats"), QStringLiteral("runs per figure (median)"),
        QStringLiteral("R"), QStringLiteral("5"));
    parser.addHelpOption();
    parser.addOptions({ spansOpt, storeOpt, repeatsOpt });
    parser.process(app);
    const qint64 spans = std::max<qint64>(1, parser.value(spansOpt).toLongLong());
    const int repeats = std::max(1, parser.value(repeatsOpt).toInt());

    QTemporaryDir dir;
    const QString path = parser.isSet(storeOpt) ? parser.value(storeOpt) : dir.filePath(QStringLiteral("bench.db"));
    {
        const bool reuse = parser.isSet(storeOpt) && QFileInfo::exists(path);
        SqliteTraceStore store(path);
        QString error;
        QElapsedTimer opening;
        opening.start();
        if (!store.open(&error)) {
            std::fprintf(stderr, "bench_trace_list: cannot open %s: %s\n", qPrintable(path), qPrintable(error));
            return 1;
        }
        if (reuse) {
            std::printf("open_ms=%.1f (a migration, if any, runs here)\n", msSince(opening));
            const qint64 stored = store.spanCount();
            if (stored != spans) {
                std::fprintf(stderr, "bench_trace_list: %s holds %lld spans, not %lld; use another file\n",
                    qPrintable(path), static_cast<long long>(stored), static_cast<long long>(spans));
                return 1;
            }
        } else {
            double writeSeconds = 0;
            const double rate = fill(store, spans, &writeSeconds);
            if (rate < 0)
                return 1;
            std::printf("ingest_spans_per_s=%.0f write_spans_per_s=%.0f (spans over the time spent in write())\n", rate,
                double(spans) / writeSeconds);
        }
    }
    std::printf(
        "spans=%lld store_bytes=%lld\n", static_cast<long long>(spans), static_cast<long long>(storeBytes(path)));
    std::fflush(stdout);

    // One figure: the median over `repeats` fresh stores of `run`'s time (ms); `run` returns false on an error.
    const auto measure = [&](const std::function<double(SqliteTraceStore&)>& run) {
        std::vector<double> times;
        for (int r = 0; r < repeats; ++r) {
            SqliteTraceStore store(path);
            QString error;
            if (!store.open(&error)) {
                std::fprintf(stderr, "bench_trace_list: cannot open %s: %s\n", qPrintable(path), qPrintable(error));
                std::exit(1);
            }
            times.push_back(run(store));
            if (times.back() > SlowMs) // the scans of a store without the index: one run tells enough
                break;
        }
        return median(times);
    };
    const auto list = [](SqliteTraceStore& store, const TraceQuery& query, std::vector<TraceSummary>* rows) {
        QString error;
        QElapsedTimer t;
        t.start();
        *rows = store.listTraces(query, &error);
        const double ms = msSince(t);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "bench_trace_list: listTraces failed: %s\n", qPrintable(error));
            std::exit(1);
        }
        return ms;
    };
    // The median time of `query`'s first page; *rows: its rows.
    const auto firstPage = [&](const TraceQuery& query, std::size_t* rows) {
        return measure([&](SqliteTraceStore& store) {
            std::vector<TraceSummary> page;
            const double ms = list(store, query, &page);
            *rows = page.size();
            return ms;
        });
    };
    const auto prices = benchPrices();
    {
        // The GUI and serve hand the store their prices at start: the first time (and after an edit) every trace
        // with model usage is repriced; the same prices again find nothing to do.
        SqliteTraceStore store(path);
        QString error;
        if (!store.open(&error)) {
            std::fprintf(stderr, "bench_trace_list: cannot open %s: %s\n", qPrintable(path), qPrintable(error));
            return 1;
        }
        PriceTable other = *prices;
        other.prices.front().outputPerMillion *= 2;
        const std::pair<const char*, const PriceTable*> steps[] = { { "cost_prices_other_ms", &other },
            { "cost_prices_ms", prices.get() }, { "cost_prices_unchanged_ms", prices.get() } };
        for (const auto& [name, table] : steps) {
            QElapsedTimer t;
            t.start();
            if (!store.setCostPrices(*table, &error)) {
                std::fprintf(stderr, "bench_trace_list: setCostPrices failed: %s\n", qPrintable(error));
                return 1;
            }
            std::printf("%s=%.1f\n", name, msSince(t));
        }
        std::fflush(stdout);
    }

    for (const OrderName& o : Orders) {
        for (const bool descending : { false, true }) {
            TraceQuery query;
            query.limit = TraceListModel::PageSize;
            query.order = o.order;
            query.descending = descending;
            query.prices = prices;
            std::size_t rows = 0;
            const double first = firstPage(query, &rows);
            const double second = measure([&](SqliteTraceStore& store) {
                std::vector<TraceSummary> page;
                list(store, query, &page);
                if (page.empty())
                    return 0.0;
                TraceQuery next = query;
                next.setCursor(page.back());
                return list(store, next, &page);
            });
            const char* dirName = descending ? "desc" : "asc";
            std::printf("first_page_ms_%s_%s=%.2f second_page_ms_%s_%s=%.2f rows=%zu\n", o.name, dirName, first, o.name,
                dirName, second, rows);
            std::fflush(stdout);
        }
    }

    {
        // Cost by prices the store does not keep: every matching trace priced and sorted.
        TraceQuery query;
        query.limit = TraceListModel::PageSize;
        query.order = TraceOrder::Cost;
        auto other = std::make_shared<PriceTable>(*prices);
        other->prices.back().inputPerMillion += 1;
        query.prices = other;
        std::size_t rows = 0;
        const double first = firstPage(query, &rows);
        std::printf("first_page_ms_cost_other_prices_desc=%.2f rows=%zu\n", first, rows);
        std::fflush(stdout);
    }

    struct TextCase {
        const char* name;
        QString text;
        QString service;
    };
    const TextCase cases[] = { { "common", CommonWord, {} }, { "medium", MediumWord, {} }, { "rare", RareWord, {} },
        { "none", NoWord, {} }, { "short", ShortWord, {} }, { "service", CommonWord, FilterService },
        { "service_rare", RareWord, FilterService } };
    for (const TextCase& c : cases) {
        for (const OrderName& o : Orders) {
            TraceQuery query;
            query.limit = TraceListModel::PageSize;
            query.order = o.order;
            query.prices = prices;
            query.text = c.text;
            query.serviceName = c.service;
            std::size_t rows = 0;
            const double ms = firstPage(query, &rows);
            if (o.order == TraceOrder::StartTime)
                std::printf("text_filter_ms_%s=%.2f rows=%zu (\"%s\"%s%s)\n", c.name, ms, rows, qPrintable(c.text),
                    c.service.isEmpty() ? "" : ", service ", qPrintable(c.service));
            std::printf("text_filter_ms_%s_%s=%.2f rows=%zu\n", c.name, o.name, ms, rows);
            std::fflush(stdout);
        }
    }
    return 0;
}
