// The Flame graph tab (ui/flamegraphview.h): boxes at their span's time and depth, several roots side by side,
// overlapping spans of a depth in lanes, click selects, double-click zooms to a span and on empty space zooms out,
// Escape and the Reset zoom button zoom out, Ctrl+wheel zooms around the pointer, the tooltip's self time, and
// painting big and deep trees.

#include "ui/flamegraphview.h"
#include "ui/zoomcontrol.h"

#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

namespace {

constexpr std::uint64_t T0 = 1'700'000'000'000'000'000ULL;
constexpr std::uint64_t Ms = 1'000'000ULL;

std::shared_ptr<const Resource> resource(const QString& service)
{
    auto r = std::make_shared<Resource>();
    r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(service) });
    return r;
}

SpanId spanIdOf(int id) { return SpanId::fromHex(QStringLiteral("%1").arg(id, 16, 16, QLatin1Char('0'))); }

Span make(int id, int parent, const QString& name, const std::shared_ptr<const Resource>& service,
    std::uint64_t startMs, std::uint64_t endMs)
{
    Span s;
    s.traceId = TraceId::fromHex(QStringLiteral("0af7651916cd43dd8448eb211c80319c"));
    s.spanId = spanIdOf(id);
    if (parent)
        s.parentSpanId = spanIdOf(parent);
    s.name = name;
    s.resource = service;
    s.startTimeUnixNano = T0 + startMs * Ms;
    s.endTimeUnixNano = T0 + endMs * Ms;
    return s;
}

/*
 *   1 checkout (frontend)          0 .. 1000 ms
 *     2 reserve (stock)            0 ..  400 ms
 *     3 charge (payments), error 500 ..  900 ms
 *       4 card (bank)            600 ..  700 ms
 *   5 late (mail), parent missing 1000 .. 1200 ms
 */
std::shared_ptr<const SpanTree> smallTree()
{
    std::vector<Span> spans;
    spans.push_back(make(1, 0, QStringLiteral("checkout"), resource(QStringLiteral("frontend")), 0, 1000));
    spans.push_back(make(2, 1, QStringLiteral("reserve"), resource(QStringLiteral("stock")), 0, 400));
    Span charge = make(3, 1, QStringLiteral("charge"), resource(QStringLiteral("payments")), 500, 900);
    charge.statusCode = StatusCode::Error;
    charge.statusMessage = QStringLiteral("declined");
    spans.push_back(charge);
    spans.push_back(make(4, 3, QStringLiteral("card"), resource(QStringLiteral("bank")), 600, 700));
    spans.push_back(make(5, 77, QStringLiteral("late"), resource(QStringLiteral("mail")), 1000, 1200));
    return SpanTree::build(std::move(spans));
}

/// `count` spans, fan-out `fanOut` (1: a chain), each child inside its parent's interval.
std::shared_ptr<const SpanTree> generatedTree(int count, int fanOut)
{
    std::vector<Span> spans;
    spans.reserve(std::size_t(count));
    const auto service = resource(QStringLiteral("svc"));
    std::vector<std::uint64_t> start(static_cast<std::size_t>(count)), end(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        const int parent = i == 0 ? -1 : (i - 1) / fanOut;
        if (parent < 0) {
            start[0] = 0;
            end[0] = std::uint64_t(count) * 1000;
        } else {
            const std::uint64_t slot = (end[std::size_t(parent)] - start[std::size_t(parent)]) / std::uint64_t(fanOut);
            const std::uint64_t k = std::uint64_t((i - 1) % fanOut);
            start[std::size_t(i)] = start[std::size_t(parent)] + k * slot + (slot > 2 ? 1 : 0);
            end[std::size_t(i)] = start[std::size_t(i)] + (slot > 2 ? slot - 2 : slot);
        }
        Span s = make(i + 1, parent + 1, QStringLiteral("op %1").arg(i % 50), service, 0, 0);
        s.startTimeUnixNano = T0 + start[std::size_t(i)];
        s.endTimeUnixNano = T0 + end[std::size_t(i)];
        spans.push_back(std::move(s));
    }
    return SpanTree::build(std::move(spans));
}

} // namespace

class TestFlameGraph : public QObject {
    Q_OBJECT
private:
    /// x of `ms` after the trace start, for a trace of `totalMs` shown whole.
    static double xOf(const FlameGraphView& view, double ms, double totalMs)
    {
        return ms / totalMs * view.viewport()->width();
    }

private Q_SLOTS:
    void emptyView()
    {
        FlameGraphView view;
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.spanAt(QPoint(100, 100)), -1);
        QVERIFY(view.rectOfSpan(0).isEmpty());
        view.setTree(SpanTree::build({}));
        view.viewport()->repaint();
        QCOMPARE(view.paintedBoxCount(), 0);
    }

    void boxesAtTheirTimesAndDepths()
    {
        FlameGraphView view;
        view.resize(1000, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto tree = smallTree();
        view.setTree(tree);
        const auto at = [&](int id) { return tree->indexOf(spanIdOf(id)); };

        const QRectF root = view.rectOfSpan(at(1));
        QCOMPARE(root.left(), 0.0);
        QVERIFY(qAbs(root.width() - xOf(view, 1000, 1200)) < 0.01);
        QVERIFY(root.top() > 0); // below the time axis
        QCOMPARE(root.height(), double(view.rowHeight()));
        // The second root beside the first, on the same row.
        const QRectF late = view.rectOfSpan(at(5));
        QCOMPARE(late.top(), root.top());
        QVERIFY(qAbs(late.left() - xOf(view, 1000, 1200)) < 0.01);
        // Children one row down per depth, at their own times.
        const QRectF charge = view.rectOfSpan(at(3));
        QCOMPARE(charge.top(), root.top() + view.rowHeight());
        QVERIFY(qAbs(charge.left() - xOf(view, 500, 1200)) < 0.01);
        QVERIFY(qAbs(charge.width() - xOf(view, 400, 1200)) < 0.01);
        QCOMPARE(view.rectOfSpan(at(4)).top(), root.top() + 2 * view.rowHeight());

        for (int id : { 1, 2, 3, 4, 5 })
            QCOMPARE(view.spanAt(view.rectOfSpan(at(id)).center().toPoint()), at(id));
        // The gap between reserve and charge, and below the deepest row.
        QCOMPARE(view.spanAt(QPointF(xOf(view, 450, 1200), charge.center().y()).toPoint()), -1);
        QCOMPARE(view.spanAt(QPoint(10, int(root.top()) + 4 * view.rowHeight())), -1);

        view.viewport()->repaint();
        QCOMPARE(view.paintedBoxCount(), 5);

        // Self time: charge waits 100 ms on card; the tooltip says so, with its share of the trace.
        QCOMPARE(view.selfTime(at(3)), 300 * Ms);
        QCOMPARE(view.selfTime(at(1)), 200 * Ms);
        const QString tip = view.toolTipText(at(3));
        QVERIFY2(tip.contains(QLatin1String("charge")) && tip.contains(QLatin1String("payments"))
                && tip.contains(QLatin1String("300 ms")) && tip.contains(QLatin1String("25.0%"))
                && tip.contains(QLatin1String("declined")),
            qPrintable(tip));
    }

    void overlappingSpansTakeLanes()
    {
        // Three concurrent calls under one root: three lanes at depth 1; the child of the third one row below them.
        std::vector<Span> spans;
        const auto web = resource(QStringLiteral("web"));
        spans.push_back(make(1, 0, QStringLiteral("root"), web, 0, 1000));
        spans.push_back(make(2, 1, QStringLiteral("a"), web, 100, 800));
        spans.push_back(make(3, 1, QStringLiteral("b"), web, 200, 700));
        spans.push_back(make(4, 1, QStringLiteral("c"), web, 300, 600));
        spans.push_back(make(5, 4, QStringLiteral("c1"), web, 350, 500));
        spans.push_back(make(6, 1, QStringLiteral("after a"), web, 800, 900)); // a's lane is free again
        const auto tree = SpanTree::build(std::move(spans));
        FlameGraphView view;
        view.resize(1000, 400);
        view.setTree(tree);
        const auto at = [&](int id) { return tree->indexOf(spanIdOf(id)); };
        const double top = view.rectOfSpan(at(1)).top();
        const int h = view.rowHeight();
        QCOMPARE(view.rectOfSpan(at(2)).top(), top + h);
        QCOMPARE(view.rectOfSpan(at(3)).top(), top + 2 * h);
        QCOMPARE(view.rectOfSpan(at(4)).top(), top + 3 * h);
        QCOMPARE(view.rectOfSpan(at(5)).top(), top + 4 * h);
        QCOMPARE(view.rectOfSpan(at(6)).top(), top + h);
        for (int id = 1; id <= 6; ++id)
            QCOMPARE(view.spanAt(view.rectOfSpan(at(id)).center().toPoint()), at(id));
    }

    void clickSelects()
    {
        FlameGraphView view;
        view.resize(1000, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto tree = smallTree();
        view.setTree(tree);
        QSignalSpy spy(&view, &FlameGraphView::spanActivated);
        const int charge = tree->indexOf(spanIdOf(3));
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.rectOfSpan(charge).center().toPoint());
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toInt(), charge);
        QCOMPARE(view.selectedSpan(), charge);
        // A click on empty space selects nothing.
        QTest::mouseClick(
            view.viewport(), Qt::LeftButton, {}, QPoint(view.viewport()->width() - 2, view.viewport()->height() - 2));
        QCOMPARE(spy.count(), 1);
        // selectSpan outlines without a signal.
        view.selectSpan(tree->indexOf(spanIdOf(4)));
        QCOMPARE(view.selectedSpan(), tree->indexOf(spanIdOf(4)));
        QCOMPARE(spy.count(), 1);
        view.viewport()->repaint();
    }

    void doubleClickZoomsAndEscapeResets()
    {
        FlameGraphView view;
        view.resize(1000, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto tree = smallTree();
        view.setTree(tree);
        ZoomControl* zoom = view.zoomControl();
        auto* reset = view.findChild<QToolButton*>(QStringLiteral("flameGraphResetZoom"));
        QVERIFY(reset);
        QVERIFY(!reset->isEnabled());
        const int charge = tree->indexOf(spanIdOf(3));
        const int card = tree->indexOf(spanIdOf(4));

        // Double-click: the span's interval fills the width; its child keeps its place inside it.
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, view.rectOfSpan(charge).center().toPoint());
        QVERIFY(zoom->isZoomed());
        QCOMPARE(zoom->rangeStart(), double(500 * Ms));
        QCOMPARE(zoom->rangeEnd(), double(900 * Ms));
        QVERIFY(qAbs(view.rectOfSpan(charge).left()) < 0.01);
        QVERIFY(qAbs(view.rectOfSpan(charge).width() - view.viewport()->width()) < 0.01);
        QVERIFY(qAbs(view.rectOfSpan(card).left() - view.viewport()->width() / 4.0) < 0.01);
        QVERIFY(reset->isEnabled());
        view.viewport()->repaint();

        QTest::keyClick(&view, Qt::Key_Escape);
        QVERIFY(!zoom->isZoomed());
        QVERIFY(!reset->isEnabled());

        // Double-click on empty space zooms out too, and so does the button.
        view.zoomToSpan(card);
        QCOMPARE(zoom->rangeDuration(), double(100 * Ms));
        const QRectF cardBox = view.rectOfSpan(card);
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, QPoint(10, int(cardBox.bottom()) + view.rowHeight()));
        QVERIFY(!zoom->isZoomed());
        view.zoomToSpan(charge);
        QVERIFY(zoom->isZoomed());
        QTest::mouseClick(reset, Qt::LeftButton);
        QVERIFY(!zoom->isZoomed());

        // Selecting a span outside the zoomed window pans to it, keeping the zoom.
        view.zoomToSpan(card);
        view.selectSpan(tree->indexOf(spanIdOf(2)));
        QCOMPARE(zoom->rangeDuration(), double(100 * Ms));
        QCOMPARE(zoom->rangeStart(), 0.0);
    }

    void ctrlWheelZoomsAroundThePointer()
    {
        FlameGraphView view;
        view.resize(1000, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto tree = smallTree();
        view.setTree(tree);
        ZoomControl* zoom = view.zoomControl();
        const QPointF pos(view.viewport()->width() / 4.0, view.rectOfSpan(0).center().y());
        const double timeAtPointer = zoom->rangeStart() + pos.x() / view.viewport()->width() * zoom->rangeDuration();
        QWheelEvent wheel(pos, view.viewport()->mapToGlobal(pos), QPoint(), QPoint(0, 240), Qt::NoButton,
            Qt::ControlModifier, Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(view.viewport(), &wheel);
        QVERIFY(zoom->isZoomed());
        QVERIFY(zoom->rangeDuration() < zoom->traceDuration());
        const double after = zoom->rangeStart() + pos.x() / view.viewport()->width() * zoom->rangeDuration();
        QVERIFY2(qAbs(after - timeAtPointer) < 1e-6 * zoom->traceDuration(), qPrintable(QString::number(after)));
    }

    void liveReloadKeepsZoomAndSelection()
    {
        FlameGraphView view;
        view.resize(1000, 400);
        const auto tree = smallTree();
        view.setTree(tree);
        view.selectSpan(tree->indexOf(spanIdOf(4)));
        view.zoomToSpan(tree->indexOf(spanIdOf(3)));
        view.setTree(smallTree(), true);
        QCOMPARE(view.selectedSpan(), view.tree()->indexOf(spanIdOf(4)));
        QCOMPARE(view.zoomControl()->rangeStart(), double(500 * Ms));
        view.setTree(smallTree());
        QCOMPARE(view.selectedSpan(), -1);
        QVERIFY(!view.zoomControl()->isZoomed());
    }

    void bigTreePaintsMergedBoxes()
    {
        FlameGraphView view;
        view.resize(1200, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto tree = generatedTree(100000, 8);
        view.setTree(tree);
        QImage canvas(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
        view.viewport()->render(&canvas);
        // Far fewer boxes than spans: what is narrower than a pixel is merged, at most a few boxes per pixel column.
        QVERIFY(view.paintedBoxCount() > 0);
        QVERIFY2(view.paintedBoxCount() <= (tree->maxDepth + 1) * view.viewport()->width(),
            qPrintable(QString::number(view.paintedBoxCount())));
        // Zoomed in and panned across: every span of the visible window, nothing of the rest.
        ZoomControl* zoom = view.zoomControl();
        for (int step = 0; step < 20; ++step) {
            zoom->zoom(1.6, zoom->traceDuration() * step / 20);
            view.viewport()->render(&canvas);
        }
        const int last = int(tree->spans.size()) - 1;
        view.zoomToSpan(last);
        view.viewport()->render(&canvas);
        QCOMPARE(view.spanAt(view.rectOfSpan(last).center().toPoint()), last);
        zoom->reset();
        view.viewport()->render(&canvas);
    }

    void deepTreeScrollsRows()
    {
        FlameGraphView view;
        view.resize(800, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto tree = generatedTree(3000, 1); // a chain: 3000 rows
        view.setTree(tree);
        QVERIFY(view.verticalScrollBar()->maximum() > 0);
        view.viewport()->repaint();
        const int rows = view.viewport()->height() / view.rowHeight() + 2;
        QVERIFY2(view.paintedBoxCount() <= rows, qPrintable(QString::number(view.paintedBoxCount())));
        // Selecting the deepest span scrolls to it.
        const int deepest = int(tree->spans.size()) - 1;
        view.selectSpan(deepest);
        const QRectF box = view.rectOfSpan(deepest);
        QVERIFY(box.top() >= 0 && box.bottom() <= view.viewport()->height());
        QCOMPARE(view.spanAt(box.center().toPoint()), deepest);
    }
};

QTEST_MAIN(TestFlameGraph)
#include "tst_flamegraph.moc"
