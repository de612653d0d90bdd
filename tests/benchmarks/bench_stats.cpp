// TraceStore::operationStats: the store's implementation (narrow span rows of the matching traces, read in one
// query) against the default one (TraceStore's: listTraces page by page, then every span in full with traceSpans,
// trace by trace), on a temporary SqliteTraceStore and, when PostgreSQL is there, on a PostgresTraceStore in a schema
// of its own (dropped at the end). Prints the best time of each over R runs, the spans per second of the store's and
// how much faster it is; checks that both give the same statistics. Asserts nothing about time.
//
//   bench_stats [--traces N] [--spans-per-trace K] [--runs R] [--pg URL] [--no-pg]
//
// Defaults: 100,000 traces of 5 spans (SpanGenerator: a root and its children, 4 attributes each, 5 services, one
// trace per second), 2 runs. Cases: every trace, one service (a fifth of the traces), a time range (a tenth).
// PostgreSQL from --pg, else $SPANSCOPE_TEST_PG_URL; without it only SQLite is measured.

#include "storage/postgrestracestore.h"
#include "storage/sqlitetracestore.h"
#include "tests/benchmarks/spangenerator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

namespace {

constexpr std::uint64_t FirstStart = 1700000000000000000ULL; // SpanGenerator's trace 0
constexpr std::uint64_t S = 1000000000ULL;

bool sameStats(const std::vector<OperationStats>& a, const std::vector<OperationStats>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const OperationStats &x = a[i], &y = b[i];
        if (x.serviceName != y.serviceName || x.spanName != y.spanName || x.count != y.count || x.errors != y.errors
            || x.totalNanos != y.totalNanos || x.selfNanos != y.selfNanos || x.minNanos != y.minNanos
            || x.p50Nanos != y.p50Nanos || x.p95Nanos != y.p95Nanos || x.maxNanos != y.maxNanos)
            return false;
    }
    return true;
}

bool fill(TraceStore& store, qint64 traces, int spansPerTrace)
{
    const SpanGenerator gen(spansPerTrace);
    const qint64 spans = traces * spansPerTrace;
    QElapsedTimer t;
    t.start();
    for (qint64 i = 0; i < spans;) {
        IngestItem item;
        for (const qint64 end = std::min(spans, i + 20000); i < end; ++i)
            item.batch.spans.push_back(gen.span(i));
        const WriteResult w = store.write({ item });
        if (!w.ok) {
            std::fprintf(stderr, "write failed: %s\n", qPrintable(w.error));
            return false;
        }
    }
    std::printf("%s: stored %lld traces (%lld spans) in %.1f s\n", qPrintable(store.kind()),
        static_cast<long long>(traces), static_cast<long long>(spans), double(t.elapsed()) / 1000);
    return true;
}

bool measure(TraceStore& store, qint64 traces, int spansPerTrace, int runs)
{
    struct Case {
        const char* name;
        TraceQuery filter;
        qint64 traces;
    };
    std::vector<Case> cases(3);
    cases[0] = { "every trace", TraceQuery(), traces };
    cases[1] = { "service svc-2", TraceQuery(), (traces + 2) / 5 };
    cases[1].filter.serviceName = QStringLiteral("svc-2");
    const qint64 tenth = std::max<qint64>(1, traces / 10);
    cases[2] = { "a tenth of the time", TraceQuery(), tenth };
    cases[2].filter.startTimeFromUnixNano = FirstStart + std::uint64_t(traces / 2) * S;
    cases[2].filter.startTimeToUnixNano = FirstStart + std::uint64_t(traces / 2 + tenth - 1) * S;

    std::printf("%-10s %-20s %10s %8s %11s %11s %8s %14s\n", "store", "case", "traces", "ops", "store ms", "default ms",
        "speedup", "store spans/s");
    for (const Case& c : cases) {
        double best[2] = { 1e300, 1e300 };
        std::vector<OperationStats> result[2];
        for (int r = 0; r < runs; ++r) {
            for (int which = 0; which < 2; ++which) {
                QString error;
                QElapsedTimer t;
                t.start();
                result[which] = which == 0 ? store.operationStats(c.filter, &error)
                                           : store.TraceStore::operationStats(c.filter, &error);
                best[which] = std::min(best[which], double(t.nsecsElapsed()) / 1e6);
                if (!error.isEmpty()) {
                    std::fprintf(stderr, "%s: %s\n", c.name, qPrintable(error));
                    return false;
                }
            }
        }
        if (!sameStats(result[0], result[1])) {
            std::fprintf(stderr, "%s: the store's statistics differ from the default implementation's\n", c.name);
            return false;
        }
        qint64 spans = 0;
        for (const OperationStats& s : result[0])
            spans += s.count;
        if (spans != c.traces * spansPerTrace) {
            std::fprintf(stderr, "%s: %lld spans counted, %lld expected\n", c.name, static_cast<long long>(spans),
                static_cast<long long>(c.traces * spansPerTrace));
            return false;
        }
        std::printf("%-10s %-20s %10lld %8zu %11.1f %11.1f %7.1fx %14.0f\n", qPrintable(store.kind()), c.name,
            static_cast<long long>(c.traces), result[0].size(), best[0], best[1], best[1] / best[0],
            double(spans) / (best[0] / 1000));
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    qint64 traces = 100000;
    int spansPerTrace = 5;
    int runs = 2;
    QString url = qEnvironmentVariable("SPANSCOPE_TEST_PG_URL");
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        if (a == QLatin1String("--no-pg")) {
            url.clear();
            continue;
        }
        if (i + 1 >= args.size()) {
            std::fprintf(stderr, "%s needs a value\n", qPrintable(a));
            return 2;
        }
        const QString& v = args[++i];
        if (a == QLatin1String("--traces"))
            traces = v.toLongLong();
        else if (a == QLatin1String("--spans-per-trace"))
            spansPerTrace = v.toInt();
        else if (a == QLatin1String("--runs"))
            runs = v.toInt();
        else if (a == QLatin1String("--pg"))
            url = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", qPrintable(a));
            return 2;
        }
    }
    if (traces <= 0 || spansPerTrace <= 0 || runs <= 0) {
        std::fprintf(stderr, "sizes must be positive\n");
        return 2;
    }

    {
        QTemporaryDir dir;
        SqliteTraceStore store(dir.filePath(QStringLiteral("bench.db")));
        QString error;
        if (!dir.isValid() || !store.open(&error)) {
            std::fprintf(stderr, "cannot open the SQLite store: %s\n", qPrintable(error));
            return 1;
        }
        if (!fill(store, traces, spansPerTrace) || !measure(store, traces, spansPerTrace, runs))
            return 1;
    }

    if (url.isEmpty()) {
        std::printf("postgresql: not measured (set SPANSCOPE_TEST_PG_URL or --pg)\n");
        return 0;
    }
    const QString schema = QStringLiteral("bench_stats_") + QString::number(QRandomGenerator::global()->generate(), 36);
    bool ok = false;
    {
        PostgresTraceStore store(url, schema);
        QString error;
        if (!store.open(&error))
            std::fprintf(stderr, "PostgreSQL: %s\n", qPrintable(error));
        else
            ok = fill(store, traces, spansPerTrace) && measure(store, traces, spansPerTrace, runs);
    }
    QProcess psql;
    psql.start(QStringLiteral("psql"),
        { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-d"), url, QStringLiteral("-c"),
            QStringLiteral("DROP SCHEMA IF EXISTS \"%1\" CASCADE").arg(schema) });
    if (!psql.waitForFinished(-1) || psql.exitCode() != 0)
        std::fprintf(
            stderr, "could not drop the schema %s: %s\n", qPrintable(schema), psql.readAllStandardError().constData());
    return ok ? 0 : 1;
}
