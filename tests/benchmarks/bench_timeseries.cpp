// TraceStore::traceTimeSeries on a temporary SqliteTraceStore: the store's one GROUP BY query against the default
// implementation (TraceStore's, which walks every matching summary with listTraces), each run a few times, and
// prints the best time of each and the traces per second. Traces start one second apart (SpanGenerator).
//
//   bench_timeseries [--traces N] [--spans-per-trace K] [--runs R]
//
// Defaults: 200,000 traces of 5 spans, 3 runs; bucket sizes 1 min and 1 h, with and without a service filter.

#include "storage/sqlitetracestore.h"
#include "tests/benchmarks/spangenerator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    qint64 traces = 200000;
    int spansPerTrace = 5;
    int runs = 3;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--traces"))
            traces = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--spans-per-trace"))
            spansPerTrace = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--runs"))
            runs = args[i + 1].toInt();
    }
    traces = std::max<qint64>(1, traces);
    spansPerTrace = std::max(1, spansPerTrace);
    runs = std::max(1, runs);

    QTemporaryDir dir;
    SqliteTraceStore store(dir.filePath(QStringLiteral("bench.db")));
    QString error;
    if (!dir.isValid() || !store.open(&error)) {
        std::fprintf(stderr, "cannot open the store: %s\n", qPrintable(error));
        return 1;
    }
    const SpanGenerator gen(spansPerTrace);
    const qint64 spans = traces * spansPerTrace;
    QElapsedTimer fill;
    fill.start();
    for (qint64 i = 0; i < spans;) {
        IngestItem item;
        for (const qint64 end = std::min(spans, i + 20000); i < end; ++i)
            item.batch.spans.push_back(gen.span(i));
        const WriteResult w = store.write({ item });
        if (!w.ok) {
            std::fprintf(stderr, "write failed: %s\n", qPrintable(w.error));
            return 1;
        }
    }
    std::printf("stored %lld traces (%lld spans) in %.1f s\n", static_cast<long long>(traces),
                static_cast<long long>(spans), double(fill.elapsed()) / 1000);

    struct Case {
        const char* name;
        std::uint64_t bucket;
        QString service;
    };
    const Case cases[] = { { "1 min, every trace", 60'000'000'000ULL, QString() },
        { "1 h, every trace", 3'600'000'000'000ULL, QString() },
        { "1 min, service svc-2", 60'000'000'000ULL, QStringLiteral("svc-2") } };
    std::printf("%-24s %10s %12s %12s %14s\n", "case", "buckets", "store ms", "default ms", "store traces/s");
    for (const Case& c : cases) {
        TraceQuery filter;
        filter.serviceName = c.service;
        double best[2] = { 1e300, 1e300 };
        std::size_t buckets[2] = { 0, 0 };
        for (int r = 0; r < runs; ++r) {
            for (int which = 0; which < 2; ++which) {
                QElapsedTimer t;
                t.start();
                const std::vector<TraceTimeBucket> series = which == 0
                    ? store.traceTimeSeries(filter, c.bucket, &error)
                    : store.TraceStore::traceTimeSeries(filter, c.bucket, &error);
                best[which] = std::min(best[which], double(t.nsecsElapsed()) / 1e6);
                buckets[which] = series.size();
                if (!error.isEmpty()) {
                    std::fprintf(stderr, "%s: %s\n", c.name, qPrintable(error));
                    return 1;
                }
            }
        }
        if (buckets[0] != buckets[1]) {
            std::fprintf(stderr, "%s: %zu buckets from the store, %zu from the default\n", c.name, buckets[0], buckets[1]);
            return 1;
        }
        const qint64 matching = c.service.isEmpty() ? traces : (traces + 2) / 5;
        std::printf("%-24s %10zu %12.1f %12.1f %14.0f\n", c.name, buckets[0], best[0], best[1],
                    double(matching) / (best[0] / 1000));
    }
    return 0;
}
