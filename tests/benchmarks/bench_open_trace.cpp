// Open-trace benchmark (issue 11 §6): writes one generated trace of N spans into a real SQLite store (through
// SqliteTraceStore::write, as the receiver does), then opens it in the real MainWindow (offscreen works) and prints
// machine-readable figures:
//   first_paint_ms=     openTrace() until the waterfall has painted a frame showing the trace
//   fully_loaded_ms=    openTrace() until every view of the trace is filled (MainWindow::traceLoaded)
//   bytes_per_span=     growth of the process's resident set from before openTrace() to fully loaded, / N
//   frame_p99_ms=       p50/p99 of waterfall frames while scrolling, zooming and panning the open trace
// Prints figures; asserts nothing.
//
// usage: bench_open_trace [--spans N] [--frames F] [--store PATH] [--whole]
//   --whole loads whole spans (no outlines, TraceLoader::OutlineThreshold out of reach), for comparison.
//   --store PATH reuses (or creates, on first use) a store file holding the generated trace, so repeated runs skip
//   the write; without it the store lives in a temporary folder.

#include "model/anyvalue.h"
#include "model/span.h"
#include "storage/sqlitetracestore.h"
#include "ui/mainwindow.h"
#include "ui/waterfallview.h"
#include "ui/zoomcontrol.h"

#include <QAbstractScrollArea>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>

namespace {

/// Resident set size of this process, bytes (/proc/self/statm).
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

double msSince(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

const TraceId BenchTrace = [] {
    const std::uint64_t raw[2] = { 0x0b0e0c0d0e0f1011ULL, 0x1213141516171819ULL };
    return TraceId::fromRaw(raw);
}();
/// A one-span trace that starts after the big one, so that it is the one the window opens by itself at start.
const TraceId NewestTrace = [] {
    const std::uint64_t raw[2] = { 0x0b0e0c0d0e0f1011ULL, 0x1213141516171820ULL };
    return TraceId::fromRaw(raw);
}();

/**
 * Span i of the generated trace: a fan-out-8 tree (depth ~7 at a million spans) over 12 services and 97 operation
 * names, with the attributes an HTTP/DB/GenAI instrumentation sets (8 per span) and an event on every 16th span.
 */
Span generatedSpan(int i, std::mt19937_64& rng, const std::vector<std::shared_ptr<const Resource>>& services,
                   const std::shared_ptr<const InstrumentationScope>& scope)
{
    Span s;
    s.traceId = BenchTrace;
    const std::uint64_t id = std::uint64_t(i) + 1;
    s.spanId = SpanId::fromRaw(&id);
    if (i > 0) {
        const std::uint64_t parent = std::uint64_t((i - 1) / 8) + 1;
        s.parentSpanId = SpanId::fromRaw(&parent);
    }
    s.name = QStringLiteral("operation-%1").arg(i % 97);
    s.kind = i == 0 ? SpanKind::Server : SpanKind::Internal;
    const std::uint64_t t0 = 1760000000000000000ULL;
    s.startTimeUnixNano = t0 + std::uint64_t(i) * 20000 + rng() % 5000;
    s.endTimeUnixNano = s.startTimeUnixNano + 1000 + rng() % 2000000;
    s.statusCode = i % 101 == 0 ? StatusCode::Error : StatusCode::Unset;
    if (s.statusCode == StatusCode::Error)
        s.statusMessage = QStringLiteral("upstream returned 503");
    s.attributes = {
        { QStringLiteral("http.request.method"), AnyValue::fromString(QStringLiteral("GET")) },
        { QStringLiteral("url.path"), AnyValue::fromString(QStringLiteral("/api/items/%1").arg(rng() % 100000)) },
        { QStringLiteral("http.response.status_code"), AnyValue::fromInt(200) },
        { QStringLiteral("db.system"), AnyValue::fromString(QStringLiteral("postgresql")) },
        { QStringLiteral("db.statement"),
          AnyValue::fromString(QStringLiteral("SELECT * FROM items WHERE id = $1 AND tenant = $2")) },
        { QStringLiteral("user.id"), AnyValue::fromString(QStringLiteral("user-%1").arg(rng() % 5000)) },
        { QStringLiteral("thread.id"), AnyValue::fromInt(qint64(rng() % 64)) },
        { QStringLiteral("retry.count"), AnyValue::fromInt(qint64(rng() % 3)) },
    };
    if (i % 16 == 0) {
        SpanEvent e;
        e.timeUnixNano = s.startTimeUnixNano + 500;
        e.name = QStringLiteral("cache.miss");
        e.attributes = { { QStringLiteral("cache.key"), AnyValue::fromString(QStringLiteral("item:%1").arg(i)) } };
        s.events.push_back(std::move(e));
    }
    s.resource = services[std::size_t(i) % services.size()];
    s.scope = scope;
    return s;
}

/// Writes the N-span trace in requests of 10,000 spans; false (and a message) when the store refuses.
bool writeTrace(SqliteTraceStore& store, int count)
{
    std::mt19937_64 rng(7);
    std::vector<std::shared_ptr<const Resource>> services;
    for (int s = 0; s < 12; ++s) {
        auto r = std::make_shared<Resource>();
        r->attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("service-%1").arg(s)) },
                          { QStringLiteral("host.name"), AnyValue::fromString(QStringLiteral("host-%1").arg(s)) } };
        services.push_back(std::move(r));
    }
    auto scope = std::make_shared<InstrumentationScope>();
    scope->name = QStringLiteral("bench_open_trace");
    scope->version = QStringLiteral("1");
    constexpr int PerWrite = 10000;
    for (int first = 0; first < count; first += PerWrite) {
        std::vector<IngestItem> items(1);
        const int last = std::min(count, first + PerWrite);
        items[0].batch.spans.reserve(std::size_t(last - first));
        for (int i = first; i < last; ++i)
            items[0].batch.spans.push_back(generatedSpan(i, rng, services, scope));
        if (last == count) {
            Span newest = generatedSpan(count, rng, services, scope);
            newest.traceId = NewestTrace;
            newest.parentSpanId = SpanId();
            newest.startTimeUnixNano += 60ULL * 1000000000ULL;
            newest.endTimeUnixNano += 60ULL * 1000000000ULL;
            items[0].batch.spans.push_back(std::move(newest));
        }
        const WriteResult result = store.write(items);
        if (!result.ok) {
            std::fprintf(stderr, "bench_open_trace: write failed: %s\n", qPrintable(result.error));
            return false;
        }
    }
    return true;
}

/// Runs the event loop (sleeping in it, not spinning) until done() or timeoutMs; returns done().
bool waitUntil(const std::function<bool()>& done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < timeoutMs) {
        QEventLoop loop;
        QTimer::singleShot(2, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return done();
}

/// Paints the waterfall's viewport now; returns the frame time in ms.
double frame(QAbstractScrollArea* area)
{
    QElapsedTimer t;
    t.start();
    area->viewport()->repaint();
    return msSince(t);
}

struct Percentiles {
    double p50 = 0;
    double p99 = 0;
};

Percentiles percentiles(std::vector<double> v)
{
    if (v.empty())
        return {};
    std::sort(v.begin(), v.end());
    const auto at = [&](double q) { return v[std::min(v.size() - 1, std::size_t(q * double(v.size())))]; };
    return { at(0.50), at(0.99) };
}

/// Counts the paints of a widget; `armed` makes the next paint record the time since `clock` started.
class PaintWatcher : public QObject {
public:
    bool armed = false;
    double firstPaintMs = -1;
    const QElapsedTimer* clock = nullptr;
    std::function<bool()> showsTrace;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() != QEvent::Paint || !armed || !showsTrace || !showsTrace())
            return false;
        armed = false;
        watched->event(event); // paints now, so that the time below includes the frame
        firstPaintMs = msSince(*clock);
        return true;
    }
};

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption spansOpt(QStringLiteral("spans"), QStringLiteral("spans in the trace"), QStringLiteral("N"),
                                QStringLiteral("100000"));
    QCommandLineOption framesOpt(QStringLiteral("frames"), QStringLiteral("frames per interaction"), QStringLiteral("F"),
                                 QStringLiteral("60"));
    QCommandLineOption storeOpt(QStringLiteral("store"), QStringLiteral("store file to reuse"), QStringLiteral("PATH"));
    parser.addHelpOption();
    QCommandLineOption wholeOpt(QStringLiteral("whole"), QStringLiteral("load whole spans, not outlines"));
    parser.addOptions({ spansOpt, framesOpt, storeOpt, wholeOpt });
    parser.process(app);
    const int count = std::max(1, parser.value(spansOpt).toInt());
    const int frames = std::max(1, parser.value(framesOpt).toInt());

    QTemporaryDir dir;
    const QString path = parser.isSet(storeOpt) ? parser.value(storeOpt) : dir.filePath(QStringLiteral("bench.db"));
    const bool reuse = parser.isSet(storeOpt) && QFile::exists(path);
    SqliteTraceStore store(path);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "bench_open_trace: cannot open %s: %s\n", qPrintable(path), qPrintable(error));
        return 1;
    }
    if (reuse) {
        const auto summary = store.traceSummary(BenchTrace);
        if (!summary || summary->spanCount != count) {
            std::fprintf(stderr, "bench_open_trace: %s holds no %d-span trace of this benchmark; use another file\n",
                         qPrintable(path), count);
            return 1;
        }
    } else {
        QElapsedTimer writing;
        writing.start();
        if (!writeTrace(store, count))
            return 1;
        std::printf("store: %d spans written in %.1f s (%.0f spans/s), %s\n", count, msSince(writing) / 1000,
                    count / (msSince(writing) / 1000), qPrintable(path));
    }

    MainWindow window(&store);
    if (parser.isSet(wholeOpt))
        window.traceLoader()->setOutlineThreshold(std::numeric_limits<qint64>::max());
    window.resize(1400, 860);
    window.show();
    QApplication::processEvents();
    auto* waterfall = window.findChild<WaterfallView*>();
    if (!waterfall) {
        std::fprintf(stderr, "bench_open_trace: no waterfall in the window\n");
        return 1;
    }
    // The window opens the newest trace (the one-span one) by itself: wait for that, so that nothing else loads.
    waitUntil([&] { return window.openTraceId() == NewestTrace; }, 10000);
    waitUntil([] { return false; }, 500); // the trace list's first page, fonts, caches: settled before measuring
    malloc_trim(0);
    const qint64 rssBefore = residentBytes();

    QElapsedTimer clock;
    PaintWatcher watcher;
    watcher.clock = &clock;
    watcher.showsTrace = [waterfall] { return waterfall->tree() && waterfall->tree()->traceId() == BenchTrace; };
    waterfall->viewport()->installEventFilter(&watcher);
    bool loaded = false;
    QObject::connect(&window, &MainWindow::traceLoaded, &window, [&](const TraceId& id) { loaded = id == BenchTrace; });
    watcher.armed = true;
    clock.start();
    window.openTrace(BenchTrace);
    waitUntil([&] { return loaded; }, 600000);
    const double fullyLoadedMs = msSince(clock);
    // The waterfall paints on a later pass of the event loop than the one that gave it the trace.
    waitUntil([&] { return watcher.firstPaintMs >= 0; }, 10000);
    waterfall->viewport()->removeEventFilter(&watcher);
    const qint64 rssLoaded = residentBytes();
    malloc_trim(0);
    const qint64 rssTrimmed = residentBytes();
    if (!loaded) {
        std::fprintf(stderr, "bench_open_trace: the trace did not load within 10 minutes\n");
        return 1;
    }

    // Frames: scroll down through the rows, zoom in step by step, pan across the zoomed timeline.
    std::vector<double> scrollFrames, zoomFrames, panFrames;
    QScrollBar* vbar = waterfall->verticalScrollBar();
    for (int i = 0; i < frames; ++i) {
        vbar->setValue(int(qint64(vbar->maximum()) * i / frames));
        scrollFrames.push_back(frame(waterfall));
    }
    vbar->setValue(0);
    ZoomControl* zoom = waterfall->zoomControl();
    for (int i = 0; i < frames; ++i) {
        zoom->zoom(0.93, zoom->traceDuration() / 3);
        zoomFrames.push_back(frame(waterfall));
    }
    for (int i = 0; i < frames; ++i) {
        zoom->pan(zoom->rangeDuration() / 20);
        panFrames.push_back(frame(waterfall));
    }
    // Collapsing and expanding the root: a subtree of every other span.
    const auto tree = waterfall->tree();
    const SpanId root = tree->spans[std::size_t(tree->roots.front())].spanId;
    QElapsedTimer toggling;
    toggling.start();
    waterfall->setExpanded(root, false);
    waterfall->viewport()->repaint();
    const double collapseMs = msSince(toggling);
    toggling.restart();
    waterfall->setExpanded(root, true);
    waterfall->viewport()->repaint();
    const double expandMs = msSince(toggling);

    std::vector<double> all = scrollFrames;
    all.insert(all.end(), zoomFrames.begin(), zoomFrames.end());
    all.insert(all.end(), panFrames.begin(), panFrames.end());
    const Percentiles scroll = percentiles(scrollFrames), zoomed = percentiles(zoomFrames), pan = percentiles(panFrames),
                      overall = percentiles(all);

    std::printf("open trace: %d spans from the SQLite store as %s, window %dx%d (%s)\n", count,
                parser.isSet(wholeOpt) || count < TraceLoader::OutlineThreshold ? "whole spans" : "outlines",
                window.width(), window.height(), qPrintable(QGuiApplication::platformName()));
    std::printf("  first paint      : %8.1f ms\n", watcher.firstPaintMs);
    std::printf("  fully loaded     : %8.1f ms\n", fullyLoadedMs);
    std::printf("  memory           : RSS %.1f MiB -> %.1f MiB (%.1f MiB after malloc_trim), %.0f bytes/span\n",
                double(rssBefore) / 1048576, double(rssLoaded) / 1048576, double(rssTrimmed) / 1048576,
                double(rssTrimmed - rssBefore) / count);
    std::printf("  frames (ms)      : scroll p50 %.2f p99 %.2f, zoom p50 %.2f p99 %.2f, pan p50 %.2f p99 %.2f\n",
                scroll.p50, scroll.p99, zoomed.p50, zoomed.p99, pan.p50, pan.p99);
    std::printf("  root subtree     : collapse %.1f ms, expand %.1f ms (%d spans under it, frame included)\n",
                collapseMs, expandMs, count - 1);
    std::printf("spans=%d first_paint_ms=%.1f fully_loaded_ms=%.1f bytes_per_span=%.0f frame_p50_ms=%.2f "
                "frame_p99_ms=%.2f collapse_ms=%.1f expand_ms=%.1f\n",
                count, watcher.firstPaintMs, fullyLoadedMs, double(rssTrimmed - rssBefore) / count, overall.p50,
                overall.p99, collapseMs, expandMs);
    return 0;
}
