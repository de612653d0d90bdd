// The minimap over the waterfall (ui/minimapview.h) and collapsing idle gaps (WaterfallView::setIdleGapsCollapsed,
// the pane's Collapse Idle Gaps action): the plot lines up with the waterfall's timeline, a drag across it zooms
// the waterfall to that range, a drag inside the window pans, a click outside centres the window there, a
// double-click fits, the wheel zooms; the window follows the waterfall's zoom; density and errors are painted where
// the spans are; collapsing gaps moves the bars after a gap, keeps the visible time range, and is remembered.

#include "model/timeoverview.h"
#include "ui/minimapview.h"
#include "ui/traceviewpane.h"
#include "ui/waterfallview.h"
#include "ui/zoomcontrol.h"

#include <QAction>
#include <QApplication>
#include <QImage>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

#include "../common/numberedspans.h"

namespace {

using NumberedSpans::T0;
using NumberedSpans::spanIdOf;
constexpr std::uint64_t Ms = 1'000'000ULL;
constexpr std::uint64_t Minute = 60'000 * Ms;

Span make(int id, int parent, std::uint64_t start, std::uint64_t end, bool error = false)
{
    static const auto service = [] {
        auto r = std::make_shared<Resource>();
        r->attributes.push_back({ QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("batch")) });
        return std::shared_ptr<const Resource>(r);
    }();
    Span s = NumberedSpans::span(id, parent, start, end);
    s.resource = service;
    s.statusCode = error ? StatusCode::Error : StatusCode::Unset;
    return s;
}

/// 1 s of work without idle gaps: a root and ten 100 ms children one after another; child 8 (700-800 ms) failed.
std::shared_ptr<const SpanTree> busyTree()
{
    std::vector<Span> spans { make(1, 0, 0, 1000 * Ms) };
    for (int i = 0; i < 10; ++i)
        spans.push_back(make(2 + i, 1, std::uint64_t(i) * 100 * Ms, std::uint64_t(i + 1) * 100 * Ms, i == 7));
    return SpanTree::build(std::move(spans));
}

/// Two bursts of a batch job 5 minutes apart: 0-200 ms (spans 1, 2) and 5 min to 5 min 300 ms (spans 3, 4); no
/// span covers the time between them.
std::shared_ptr<const SpanTree> burstTree()
{
    std::vector<Span> spans { make(1, 0, 0, 200 * Ms), make(2, 1, 50 * Ms, 150 * Ms),
        make(3, 0, 5 * Minute, 5 * Minute + 300 * Ms), make(4, 3, 5 * Minute + 100 * Ms, 5 * Minute + 250 * Ms, true) };
    return SpanTree::build(std::move(spans));
}

void drag(QWidget* widget, int fromX, int toX, int y)
{
    QTest::mousePress(widget, Qt::LeftButton, {}, QPoint(fromX, y));
    for (int i = 1; i <= 4; ++i)
        QTest::mouseMove(widget, QPoint(fromX + (toX - fromX) * i / 4, y));
    QTest::mouseRelease(widget, Qt::LeftButton, {}, QPoint(toX, y));
}

} // namespace

class TestMinimap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_settingsDir.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("spanscope-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_minimap"));
    }

    void init()
    {
        QSettings().remove(QStringLiteral("trace/collapseIdleGaps"));
        m_pane = std::make_unique<TraceViewPane>();
        m_pane->resize(1200, 600);
        m_pane->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_pane.get()));
    }

    void cleanup() { m_pane.reset(); }

    void plotLinesUpWithTimeline()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(busyTree());
        QCoreApplication::processEvents();
        const auto globalX = [](QWidget* w, int x) { return w->mapToGlobal(QPoint(x, 0)).x(); };
        QCOMPARE(globalX(minimap, minimap->plotRect().left()), globalX(waterfall->viewport(), waterfall->timelineLeft()));
        // The divider between the span names and the timeline moves the plot along.
        waterfall->setNameColumnWidth(waterfall->nameColumnWidth() + 57);
        QCOMPARE(globalX(minimap, minimap->plotRect().left()), globalX(waterfall->viewport(), waterfall->timelineLeft()));
        QCOMPARE(globalX(minimap, int(minimap->xForAxis(waterfall->zoomControl()->traceDuration()))),
            globalX(waterfall->viewport(), waterfall->timelineRight()));
    }

    void dragAcrossZoomsWaterfall()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(busyTree());
        QCoreApplication::processEvents();
        const QRect plot = minimap->plotRect();
        const int x1 = plot.left() + plot.width() / 4;
        const int x2 = plot.left() + plot.width() / 2;
        drag(minimap, x2, x1, plot.center().y()); // right to left works too
        const double nsPerPixel = 1000.0 * Ms / plot.width();
        const auto [start, end] = waterfall->visibleTimeRange();
        QVERIFY2(std::abs(start - 250.0 * Ms) <= 2 * nsPerPixel, qPrintable(QString::number(start)));
        QVERIFY2(std::abs(end - 500.0 * Ms) <= 2 * nsPerPixel, qPrintable(QString::number(end)));
        // The waterfall draws that range across its timeline.
        QVERIFY(std::abs(waterfall->xForTime(start) - waterfall->timelineLeft()) < 0.5);
        QVERIFY(std::abs(waterfall->xForTime(end) - waterfall->timelineRight()) < 0.5);
    }

    void dragInsideWindowPans()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(busyTree());
        ZoomControl* zoom = waterfall->zoomControl();
        zoom->setRange(200.0 * Ms, 400.0 * Ms);
        const int windowCenter = int(minimap->xForAxis(300.0 * Ms));
        const double before = zoom->rangeDuration();
        drag(minimap, windowCenter, windowCenter + 100, minimap->plotRect().center().y());
        QCOMPARE(zoom->rangeDuration(), before);
        QVERIFY(std::abs(zoom->rangeStart() - (200.0 * Ms + minimap->axisForX(100) - minimap->axisForX(0))) < 1);
        // A click outside the window centres it there.
        const int x = int(std::lround(minimap->xForAxis(800.0 * Ms)));
        QTest::mouseClick(minimap, Qt::LeftButton, {}, QPoint(x, minimap->plotRect().center().y()));
        QVERIFY(std::abs((zoom->rangeStart() + zoom->rangeEnd()) / 2 - minimap->axisForX(x)) < 1);
        QCOMPARE(zoom->rangeDuration(), before);
    }

    void doubleClickFits()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(busyTree());
        waterfall->zoomControl()->setRange(100.0 * Ms, 150.0 * Ms);
        QVERIFY(waterfall->zoomControl()->isZoomed());
        QTest::mouseDClick(minimap, Qt::LeftButton, {}, QPoint(minimap->plotRect().right() - 5, 10));
        QVERIFY(!waterfall->zoomControl()->isZoomed());
        const auto [start, end] = waterfall->visibleTimeRange();
        QCOMPARE(start, 0.0);
        QCOMPARE(end, 1000.0 * Ms);
    }

    void wheelZoomsAroundPointer()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(busyTree());
        const QPointF pos(minimap->xForAxis(250.0 * Ms), minimap->plotRect().center().y());
        QWheelEvent wheel(pos, minimap->mapToGlobal(pos), QPoint(), QPoint(0, 480), Qt::NoButton, Qt::NoModifier,
            Qt::NoScrollPhase, false);
        QApplication::sendEvent(minimap, &wheel);
        ZoomControl* zoom = waterfall->zoomControl();
        QVERIFY(zoom->isZoomed());
        QVERIFY(zoom->rangeDuration() < 1000.0 * Ms / 1.5);
        // The time under the pointer keeps its place in the window: a quarter in.
        QVERIFY(std::abs((250.0 * Ms - zoom->rangeStart()) / zoom->rangeDuration() - 0.25) < 1e-6);
    }

    void windowFollowsWaterfall()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(busyTree());
        const QColor highlight = minimap->palette().color(QPalette::Highlight);
        // The top row of the plot: above the density bars, on the window's outline.
        const int y = minimap->plotRect().top();
        const auto pixel = [&](int x) { return minimap->grab().toImage().pixelColor(x, y); };
        const int x = int(std::floor(minimap->xForAxis(600.0 * Ms)));
        QVERIFY(pixel(x) != highlight);
        // Zooming the waterfall (here with its keys) moves the window's outline.
        waterfall->zoomControl()->setRange(600.0 * Ms, 700.0 * Ms);
        QCOMPARE(pixel(x), highlight);
        waterfall->setFocus();
        QTest::keyClick(waterfall, Qt::Key_0);
        QVERIFY(pixel(x) != highlight);
    }

    void densityAndErrors()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(burstTree());
        QCoreApplication::processEvents();
        const QRect plot = minimap->plotRect();
        const QImage image = minimap->grab().toImage();
        const QColor base = minimap->palette().color(QPalette::Base);
        const QColor highlight = minimap->palette().color(QPalette::Highlight);
        const QColor error(0xd3, 0x2f, 0x2f);
        const auto xOf = [&](double nanos) { return int(minimap->xForAxis(nanos)); };
        // In the first burst two spans run at 100 ms: the tallest bar, reaching the plot's top.
        QCOMPARE(minimap->countsAt(xOf(100.0 * Ms)), std::make_pair(2, 0));
        QCOMPARE(image.pixelColor(xOf(100.0 * Ms), plot.top() + 2), highlight);
        // Idle in between: nothing.
        QCOMPARE(minimap->countsAt(xOf(2.5 * Minute)), std::make_pair(0, 0));
        QCOMPARE(image.pixelColor(xOf(2.5 * Minute), plot.bottom()), base);
        // The second burst holds the error span: red at the bottom of its column.
        const double failed = 5.0 * Minute + 200.0 * Ms;
        QCOMPARE(minimap->countsAt(xOf(failed)), std::make_pair(2, 1));
        QCOMPARE(image.pixelColor(xOf(failed), plot.bottom()), error);
        QCOMPARE(minimap->countsAt(plot.left() - 3), std::make_pair(-1, -1));
    }

    void collapsingGapsMovesBarsAfterTheGap()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        QAction* collapse = m_pane->collapseGapsAction();
        QVERIFY(!collapse->isChecked()); // off by default
        waterfall->setTree(burstTree());
        const double secondBurst = double(5 * Minute);
        const double plainX = waterfall->xForTime(secondBurst);
        const double width = waterfall->timelineRight() - waterfall->timelineLeft();
        // 5 min of 5 min 300 ms: the second burst starts near the right edge.
        QVERIFY(plainX > waterfall->timelineLeft() + 0.99 * width);
        QVERIFY(waterfall->timeOverview());
        QCOMPARE(int(waterfall->timeOverview()->gaps.size()), 1);

        collapse->trigger();
        QVERIFY(waterfall->areIdleGapsCollapsed());
        QVERIFY(waterfall->timeAxis().isCollapsed());
        QCOMPARE(QSettings().value(QStringLiteral("trace/collapseIdleGaps")).toBool(), true);
        // Busy 500 ms, the gap shrunk to 3% of it (15 ms): the second burst starts at 215 of 515 axis ms.
        const double collapsedX = waterfall->xForTime(secondBurst);
        QVERIFY2(std::abs(collapsedX - (waterfall->timelineLeft() + 215.0 / 515.0 * width)) < 1,
            qPrintable(QString::number(collapsedX)));
        // The bars keep their width in time: 300 ms of the second burst take 300/515 of the timeline.
        QVERIFY(std::abs(waterfall->xForTime(secondBurst + 300.0 * Ms) - collapsedX - 300.0 / 515.0 * width) < 1);
        // Hit testing maps back through the same axis.
        QVERIFY(std::abs(waterfall->timeForX(collapsedX + 10) - (secondBurst + 10.0 / width * 515.0 * Ms)) < 1000);
        const auto [start, end] = waterfall->visibleTimeRange();
        QCOMPARE(start, 0.0);
        QCOMPARE(end, double(5 * Minute + 300 * Ms));

        collapse->trigger();
        QVERIFY(!waterfall->areIdleGapsCollapsed());
        QCOMPARE(waterfall->xForTime(secondBurst), plainX);
        QCOMPARE(QSettings().value(QStringLiteral("trace/collapseIdleGaps")).toBool(), false);
    }

    void collapsingKeepsTheVisibleRange()
    {
        WaterfallView* waterfall = m_pane->waterfall();
        MinimapView* minimap = m_pane->minimap();
        waterfall->setTree(burstTree());
        waterfall->setVisibleTimeRange(double(5 * Minute + 50 * Ms), double(5 * Minute + 250 * Ms));
        waterfall->setIdleGapsCollapsed(true);
        auto [start, end] = waterfall->visibleTimeRange();
        QVERIFY(std::abs(start - double(5 * Minute + 50 * Ms)) < 1000);
        QVERIFY(std::abs(end - double(5 * Minute + 250 * Ms)) < 1000);
        // With the gap collapsed, the minimap gives the bursts most of its width: a drag across the first burst's
        // part shows the first burst.
        QCOMPARE(minimap->xForAxis(waterfall->zoomControl()->traceDuration()), double(minimap->plotRect().left() + minimap->plotRect().width()));
        const int x1 = int(std::ceil(minimap->xForAxis(waterfall->timeAxis().toAxis(10.0 * Ms))));
        const int x2 = int(std::floor(minimap->xForAxis(waterfall->timeAxis().toAxis(190.0 * Ms))));
        QVERIFY(x2 - x1 > 100);
        drag(minimap, x1, x2, minimap->plotRect().center().y());
        std::tie(start, end) = waterfall->visibleTimeRange();
        QVERIFY2(start >= 10.0 * Ms && end <= 190.0 * Ms && end - start > 150.0 * Ms,
            qPrintable(QStringLiteral("%1 %2").arg(start).arg(end)));
        // Only the action is remembered; a new pane starts as it was last left.
        TraceViewPane other;
        QVERIFY(other.collapseGapsAction()->isChecked() == false);
        m_pane->collapseGapsAction()->setChecked(true);
        TraceViewPane remembered;
        QVERIFY(remembered.collapseGapsAction()->isChecked());
        QVERIFY(remembered.waterfall()->areIdleGapsCollapsed());
    }

    void followsPalette()
    {
        // A dark palette: the plot's background and the density take its colours.
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0xae, 0xe9));
        dark.setColor(QPalette::Text, Qt::white);
        dark.setColor(QPalette::WindowText, Qt::white);
        m_pane->setPalette(dark);
        MinimapView* minimap = m_pane->minimap();
        m_pane->waterfall()->setTree(burstTree());
        QCoreApplication::processEvents();
        const QImage image = minimap->grab().toImage();
        const QRect plot = minimap->plotRect();
        QCOMPARE(image.pixelColor(int(minimap->xForAxis(2.5 * Minute)), plot.bottom()), QColor(0x1e, 0x1e, 0x1e));
        QCOMPARE(image.pixelColor(int(minimap->xForAxis(100.0 * Ms)), plot.bottom()), QColor(0x3d, 0xae, 0xe9));
    }

    void tickLabelsAfterLongStretches()
    {
        // Zoomed in minutes into a trace (or after a collapsed gap), ticks 50 ms apart read in seconds.
        QCOMPARE(ZoomControl::tickLabel(250'050.0 * Ms, 50.0 * Ms), QStringLiteral("250.05 s"));
        QCOMPARE(ZoomControl::tickLabel(10'050'000.0, 50'000.0), QStringLiteral("10.05 ms"));
        // Near the start the step's unit stays.
        QCOMPARE(ZoomControl::tickLabel(1500.0 * Ms, 500.0 * Ms), QStringLiteral("1500 ms"));
        QCOMPARE(ZoomControl::tickLabel(2.5e9, 0.5e9), QStringLiteral("2500 ms"));
        QCOMPARE(ZoomControl::tickLabel(0, 1e3), QStringLiteral("0 µs"));
    }

    void emptyAndNoTree()
    {
        MinimapView* minimap = m_pane->minimap();
        const QPoint center = minimap->plotRect().center();
        drag(minimap, center.x() - 50, center.x() + 50, center.y());
        QTest::mouseDClick(minimap, Qt::LeftButton, {}, center);
        QVERIFY(!minimap->grab().isNull());
        m_pane->waterfall()->setTree(SpanTree::build({}));
        m_pane->waterfall()->setIdleGapsCollapsed(true);
        drag(minimap, center.x() - 50, center.x() + 50, center.y());
        QVERIFY(!minimap->grab().isNull());
        QCOMPARE(minimap->countsAt(center.x()), std::make_pair(0, 0));
    }

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<TraceViewPane> m_pane;
};

QTEST_MAIN(TestMinimap)
#include "tst_minimap.moc"
