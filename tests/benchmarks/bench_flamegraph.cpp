// Flame graph benchmark: for each size (default 100,000 and 1,000,000 spans; a fan-out-8 tree whose children lie
// inside their parent, 12 services, some errors) shows the trace in a FlameGraphView offscreen and prints the time
// to build the span tree, to lay out the flame graph (FlameGraphLayout::build, done by the trace loader off the GUI
// thread), to show it (setTree), and per painted frame zoomed out, while zooming in, while panning zoomed in, and
// scrolling the rows, as
//   flamegraph_paint_ms=<p50>/<p99> spans=<n> scenario=<name> boxes=<boxes painted in the last frame>
// Prints figures; asserts nothing.
//
// usage: bench_flamegraph [--spans N[,N...]] [--frames F]   (QT_QPA_PLATFORM=offscreen)

#include "model/flamegraphlayout.h"
#include "model/spantreemodel.h"
#include "ui/flamegraphview.h"
#include "ui/zoomcontrol.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>

namespace {

std::vector<Span> generateTrace(int count)
{
    std::mt19937_64 rng(11);
    std::vector<Span> spans;
    spans.reserve(std::size_t(count));
    std::uint64_t traceRaw[2] = { rng(), rng() };
    const TraceId traceId = TraceId::fromRaw(traceRaw);
    std::vector<std::shared_ptr<Resource>> services;
    for (int s = 0; s < 12; ++s) {
        auto r = std::make_shared<Resource>();
        r->attributes.push_back(
            { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("service-%1").arg(s)) });
        services.push_back(r);
    }
    constexpr int FanOut = 8;
    const std::uint64_t t0 = 1760000000000000000ULL;
    std::vector<std::uint64_t> start(static_cast<std::size_t>(count)), end(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        Span s;
        s.traceId = traceId;
        const std::uint64_t id = std::uint64_t(i) + 1;
        s.spanId = SpanId::fromRaw(&id);
        if (i == 0) {
            start[0] = 0;
            end[0] = std::uint64_t(count) * 10000; // 10 µs per span
        } else {
            const int parent = (i - 1) / FanOut;
            const std::uint64_t parentRaw = std::uint64_t(parent) + 1;
            s.parentSpanId = SpanId::fromRaw(&parentRaw);
            // A slot of the parent each, partly used, so there is self time and some gaps.
            const std::uint64_t slot = (end[std::size_t(parent)] - start[std::size_t(parent)]) / FanOut;
            start[std::size_t(i)] = start[std::size_t(parent)] + std::uint64_t((i - 1) % FanOut) * slot
                + (slot ? rng() % (slot / 8 + 1) : 0);
            end[std::size_t(i)] = std::min(
                end[std::size_t(parent)], start[std::size_t(i)] + slot / 2 + (slot ? rng() % (slot / 2 + 1) : 0));
        }
        s.name = QStringLiteral("operation-%1").arg(i % 97);
        s.startTimeUnixNano = t0 + start[std::size_t(i)];
        s.endTimeUnixNano = t0 + end[std::size_t(i)];
        s.statusCode = i % 101 == 0 ? StatusCode::Error : StatusCode::Unset;
        s.resource = services[std::size_t(i) % services.size()];
        spans.push_back(std::move(s));
    }
    return spans;
}

double msSince(const QElapsedTimer& t) { return double(t.nsecsElapsed()) / 1e6; }

void run(int count, int frames)
{
    QElapsedTimer t;
    std::vector<Span> spans = generateTrace(count);
    t.start();
    auto tree = SpanTree::build(std::move(spans));
    const double buildMs = msSince(t);

    FlameGraphView view;
    view.resize(1400, 700);
    view.show();
    t.restart();
    auto layout = FlameGraphLayout::build(*tree);
    const double layoutMs = msSince(t);
    t.restart();
    view.setTree(tree, false, layout);
    const double setTreeMs = msSince(t);
    std::printf("flamegraph: %d spans, %d levels, viewport %dx%d\n", count, tree->maxDepth + 1,
        view.viewport()->width(), view.viewport()->height());
    std::printf("  span tree build                : %8.2f ms\n", buildMs);
    std::printf("  flame graph layout (loader)    : %8.2f ms\n", layoutMs);
    std::printf("  setTree (GUI thread)           : %8.2f ms\n", setTreeMs);

    QImage canvas(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    const auto paintFrames = [&](const char* scenario, const std::function<void(int)>& step) {
        std::vector<double> times;
        times.reserve(std::size_t(frames));
        for (int f = 0; f < frames; ++f) {
            step(f);
            QElapsedTimer ft;
            ft.start();
            view.viewport()->render(&canvas);
            times.push_back(msSince(ft));
        }
        std::sort(times.begin(), times.end());
        const double p50 = times[times.size() / 2];
        const double p99 = times[std::min(times.size() - 1, std::size_t(double(times.size()) * 0.99))];
        std::printf("flamegraph_paint_ms=%.2f/%.2f spans=%d scenario=%s boxes=%d (p50/p99, max %.2f ms)\n", p50, p99,
            count, scenario, view.paintedBoxCount(), times.back());
        std::fflush(stdout);
    };

    // The first frame also fills the font caches: shown on its own, not mixed into the percentiles.
    t.restart();
    view.viewport()->render(&canvas);
    std::printf("  first frame                    : %8.2f ms\n", msSince(t));
    ZoomControl* zoom = view.zoomControl();
    paintFrames("zoomed-out", [](int) {});
    // Around a span in the middle of the trace, so that the window keeps spans in it.
    const SpanTree::Record& middle = tree->spans[tree->spans.size() / 2];
    const double center = double(middle.startTimeUnixNano - tree->startTimeUnixNano);
    paintFrames("zoom-in", [&](int) { zoom->zoom(1.08, center); });
    paintFrames("pan-zoomed", [&](int) { zoom->pan(zoom->rangeDuration() / 20); });
    zoom->setRange(zoom->traceDuration() * 0.25, zoom->traceDuration() * 0.75);
    paintFrames("half-width-pan", [&](int f) { zoom->pan((f % 2 ? -1 : 1) * zoom->rangeDuration() / 10); });
    zoom->reset();
    view.resize(1400, 120); // fewer rows than levels: vertical scrolling
    QScrollBar* vbar = view.verticalScrollBar();
    paintFrames("scroll-rows", [&](int f) { vbar->setValue(f % (vbar->maximum() + 1)); });
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption spansOpt(QStringLiteral("spans"), QStringLiteral("spans in the trace, comma-separated sizes"),
        QStringLiteral("N"), QStringLiteral("100000,1000000"));
    QCommandLineOption framesOpt(
        QStringLiteral("frames"), QStringLiteral("frames per scenario"), QStringLiteral("F"), QStringLiteral("100"));
    parser.addHelpOption();
    parser.addOptions({ spansOpt, framesOpt });
    parser.process(app);
    const int frames = std::max(1, parser.value(framesOpt).toInt());
    for (const QString& size : parser.value(spansOpt).split(QLatin1Char(','), Qt::SkipEmptyParts))
        run(std::max(1, size.toInt()), frames);
    return 0;
}
