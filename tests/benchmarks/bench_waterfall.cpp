// Waterfall benchmark: builds a generated trace of N spans (default 10,000; a fan-out tree of depth ~6), shows it
// in a WaterfallView and prints the time to build the span tree, to lay out the rows, and per painted frame
// while scrolling and zooming (the 16 ms frame budget of DESIGN.md); then the minimap's: the time to build the
// trace's TimeOverview (density bins and idle gaps; done on the loader thread in the app) and per painted minimap
// frame while the waterfall zooms and pans, with and without collapsed gaps. Prints figures; asserts nothing.
//
// usage: bench_waterfall [--spans N] [--frames F]   (QT_QPA_PLATFORM=offscreen works)

#include "model/spantreemodel.h"
#include "model/timeoverview.h"
#include "ui/minimapview.h"
#include "ui/waterfallview.h"
#include "ui/zoomcontrol.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <random>

namespace {

std::vector<Span> generateTrace(int count)
{
    std::mt19937_64 rng(7);
    std::vector<Span> spans;
    spans.reserve(count);
    std::uint64_t traceRaw[2] = { rng(), rng() };
    const TraceId traceId = TraceId::fromRaw(traceRaw);
    std::vector<std::shared_ptr<Resource>> services;
    for (int s = 0; s < 12; ++s) {
        auto r = std::make_shared<Resource>();
        r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("service-%1").arg(s)) });
        services.push_back(r);
    }
    const std::uint64_t t0 = 1760000000000000000ULL;
    for (int i = 0; i < count; ++i) {
        Span s;
        s.traceId = traceId;
        const std::uint64_t id = std::uint64_t(i) + 1;
        s.spanId = SpanId::fromRaw(&id);
        if (i > 0) {
            const std::uint64_t parent = std::uint64_t((i - 1) / 8) + 1; // fan-out of 8
            s.parentSpanId = SpanId::fromRaw(&parent);
        }
        s.name = QStringLiteral("operation-%1").arg(i % 97);
        s.startTimeUnixNano = t0 + std::uint64_t(i) * 20000 + rng() % 5000;
        s.endTimeUnixNano = s.startTimeUnixNano + 1000 + rng() % 2000000;
        s.statusCode = i % 101 == 0 ? StatusCode::Error : StatusCode::Unset;
        s.resource = services[std::size_t(i) % services.size()];
        spans.push_back(std::move(s));
    }
    return spans;
}

double msSince(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption spansOpt(QStringLiteral("spans"), QStringLiteral("spans in the trace"), QStringLiteral("N"), QStringLiteral("10000"));
    QCommandLineOption framesOpt(QStringLiteral("frames"), QStringLiteral("frames per scenario"), QStringLiteral("F"), QStringLiteral("200"));
    parser.addHelpOption();
    parser.addOptions({ spansOpt, framesOpt });
    parser.process(app);
    const int count = std::max(1, parser.value(spansOpt).toInt());
    const int frames = std::max(1, parser.value(framesOpt).toInt());

    std::vector<Span> spans = generateTrace(count);
    QElapsedTimer t;
    t.start();
    auto tree = SpanTree::build(std::move(spans));
    const double buildMs = msSince(t);

    t.restart();
    auto overview = TimeOverview::build(*tree);
    const double overviewMs = msSince(t);

    WaterfallView view;
    view.resize(1400, 900);
    view.show();
    t.restart();
    view.setTree(tree, false, overview);
    view.expandAll();
    const double layoutMs = msSince(t);

    QImage canvas(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    auto paintFramesOf = [&](QWidget* widget, QImage& target, const char* label, const std::function<void(int)>& step) {
        std::vector<double> times;
        times.reserve(frames);
        for (int f = 0; f < frames; ++f) {
            step(f);
            QElapsedTimer ft;
            ft.start();
            widget->render(&target);
            times.push_back(msSince(ft));
        }
        std::sort(times.begin(), times.end());
        std::printf("  %-28s: median %6.2f ms, p99 %6.2f ms, max %6.2f ms per frame\n", label, times[times.size() / 2],
                    times[std::min(times.size() - 1, std::size_t(double(times.size()) * 0.99))], times.back());
    };

    std::printf("waterfall: %d spans, %d visible rows, viewport %dx%d\n", count, view.visibleRowCount(),
                view.viewport()->width(), view.viewport()->height());
    std::printf("  span tree build             : %6.2f ms\n", buildMs);
    std::printf("  row layout (expand all)     : %6.2f ms\n", layoutMs);
    std::printf("  time overview build         : %6.2f ms (%d bins, %zu idle gaps kept, peak %u spans at once)\n",
                overviewMs, overview->binCount(), overview->gaps.size(), overview->maxActive);
    auto paintFrames = [&](const char* label, const std::function<void(int)>& step) {
        paintFramesOf(view.viewport(), canvas, label, step);
    };
    QScrollBar* vbar = view.verticalScrollBar();
    paintFrames("scroll (whole trace)", [&](int f) { vbar->setValue(int(qint64(vbar->maximum()) * f / frames)); });
    ZoomControl* zoom = view.zoomControl();
    paintFrames("zoom in around the middle", [&](int) { zoom->zoom(0.93, zoom->traceDuration() / 2); });
    paintFrames("pan while zoomed", [&](int) { zoom->pan(zoom->rangeDuration() / 20); });
    zoom->reset();
    paintFrames("zoomed out, scrolling", [&](int f) { vbar->setValue(int(qint64(vbar->maximum()) * (frames - f) / frames)); });

    MinimapView minimap(&view);
    minimap.resize(view.width(), minimap.sizeHint().height());
    minimap.show();
    QImage minimapCanvas(minimap.size(), QImage::Format_ARGB32_Premultiplied);
    std::printf("minimap: %dx%d, plot %d px wide\n", minimap.width(), minimap.height(), minimap.plotRect().width());
    paintFramesOf(&minimap, minimapCanvas, "minimap, waterfall zooming", [&](int) { zoom->zoom(1.05, zoom->traceDuration() / 3); });
    paintFramesOf(&minimap, minimapCanvas, "minimap, waterfall panning", [&](int) { zoom->pan(zoom->rangeDuration() / 20); });
    view.setIdleGapsCollapsed(true);
    paintFramesOf(&minimap, minimapCanvas, "minimap, gaps collapsed", [&](int) { zoom->pan(-zoom->rangeDuration() / 20); });
    return 0;
}
