#include "minimapview.h"

#include "model/timeoverview.h"
#include "model/tracelistmodel.h"
#include "ui/waterfallview.h"
#include "ui/zoomcontrol.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace {
const QColor ErrorColor(0xd3, 0x2f, 0x2f);
constexpr int DragThreshold = 3; // px: less is a click
}

MinimapView::MinimapView(WaterfallView* waterfall, QWidget* parent)
    : QWidget(parent)
    , m_waterfall(waterfall)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    ZoomControl* zoom = m_waterfall->zoomControl();
    connect(zoom, &ZoomControl::rangeChanged, this, qOverload<>(&QWidget::update));
    connect(zoom, &ZoomControl::traceDurationChanged, this, qOverload<>(&QWidget::update));
    connect(m_waterfall, &WaterfallView::timeAxisChanged, this, qOverload<>(&QWidget::update));
    connect(m_waterfall, &WaterfallView::timelineGeometryChanged, this, &MinimapView::syncGeometry);
    // The waterfall's vertical scroll bar comes and goes with the number of rows, moving its viewport's edge.
    connect(m_waterfall->verticalScrollBar(), &QScrollBar::rangeChanged, this, &MinimapView::syncGeometry);
}

MinimapView::~MinimapView() = default;

QSize MinimapView::sizeHint() const
{
    return { 400, fontMetrics().height() * 2 + 14 };
}

QSize MinimapView::minimumSizeHint() const
{
    return { 100, sizeHint().height() };
}

void MinimapView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    syncGeometry();
}

void MinimapView::moveEvent(QMoveEvent* event)
{
    QWidget::moveEvent(event);
    syncGeometry();
}

void MinimapView::syncGeometry()
{
    // The waterfall's timeline column, in our coordinates (the two need not share a parent).
    QWidget* viewport = m_waterfall->viewport();
    const int offset = viewport->mapToGlobal(QPoint(0, 0)).x() - mapToGlobal(QPoint(0, 0)).x();
    const int left = std::max(0, offset + m_waterfall->timelineLeft());
    const int right = std::min(width(), std::max(left + 10, offset + m_waterfall->timelineRight()));
    if (left == m_plotLeft && right == m_plotRight)
        return;
    m_plotLeft = left;
    m_plotRight = right;
    update();
}

QRect MinimapView::plotRect() const
{
    return QRect(m_plotLeft, 3, std::max(1, m_plotRight - m_plotLeft), height() - 6);
}

double MinimapView::xForAxis(double axisNanos) const
{
    const double length = m_waterfall->zoomControl()->traceDuration();
    return m_plotLeft + axisNanos / length * (m_plotRight - m_plotLeft);
}

double MinimapView::axisForX(double x) const
{
    const double length = m_waterfall->zoomControl()->traceDuration();
    return (x - m_plotLeft) / std::max(1, m_plotRight - m_plotLeft) * length;
}

std::pair<int, int> MinimapView::countsBetween(double x1, double x2) const
{
    const auto overview = m_waterfall->timeOverview();
    if (!overview || overview->binCount() == 0)
        return { 0, 0 };
    const TimeAxis& axis = m_waterfall->timeAxis();
    const double t1 = axis.fromAxis(axisForX(x1));
    const double t2 = axis.fromAxis(axisForX(x2));
    const int first = overview->binAt(t1);
    // The column's end belongs to the next column, unless the column sits inside one bin.
    const int last = std::max(first, overview->binAt(std::nextafter(t2, t1)));
    std::uint32_t active = 0;
    std::uint32_t errors = 0;
    for (int b = first; b <= last; ++b) {
        active = std::max(active, overview->active[std::size_t(b)]);
        errors = std::max(errors, overview->errors[std::size_t(b)]);
    }
    return { int(active), int(errors) };
}

std::pair<int, int> MinimapView::countsAt(int x) const
{
    if (x < m_plotLeft || x >= m_plotRight)
        return { -1, -1 };
    return countsBetween(x, x + 1);
}

void MinimapView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const QRect plot = plotRect();
    p.fillRect(plot, palette().base());

    const auto overview = m_waterfall->timeOverview();
    const QFontMetrics fm(font());
    const QRect caption(6, 0, std::max(0, m_plotLeft - 16), height());
    p.setPen(palette().color(QPalette::PlaceholderText));
    if (caption.width() > 20) {
        QString text = tr("Span density");
        if (overview && overview->maxActive > 0)
            text += QLatin1Char('\n') + tr("peak %n span(s) at once", nullptr, int(overview->maxActive));
        p.drawText(caption, Qt::AlignVCenter | Qt::AlignRight, text);
    }

    ZoomControl* zoom = m_waterfall->zoomControl();
    if (overview && overview->maxActive > 0) {
        QColor density = palette().color(QPalette::Highlight);
        const double scale = double(plot.height() - 1) / double(overview->maxActive);
        for (int x = plot.left(); x <= plot.right(); ++x) {
            const auto [active, errors] = countsBetween(x, x + 1);
            if (active <= 0)
                continue;
            const int h = std::max(1, int(std::lround(active * scale)));
            p.fillRect(QRect(x, plot.bottom() + 1 - h, 1, h), density);
            if (errors > 0) {
                const int e = std::max(2, int(std::lround(errors * scale)));
                p.fillRect(QRect(x, plot.bottom() + 1 - e, 1, e), ErrorColor);
            }
        }
    }

    // Collapsed gaps: hatched, with a break marker.
    QColor hatch = palette().color(QPalette::Mid);
    for (const TimeAxis::Segment& gap : m_waterfall->timeAxis().gaps()) {
        const double x1 = xForAxis(gap.axisStart);
        const double x2 = xForAxis(gap.axisEnd);
        const QRect band(int(std::floor(x1)), plot.top(), std::max(1, int(std::ceil(x2 - x1))), plot.height());
        p.fillRect(band, QBrush(hatch, Qt::BDiagPattern));
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(palette().color(QPalette::WindowText), 1.5));
        const double cx = (x1 + x2) / 2;
        for (double dx : { -3.0, 3.0 })
            p.drawLine(QPointF(cx + dx - 3, plot.bottom()), QPointF(cx + dx + 3, plot.bottom() - 8));
        p.setRenderHint(QPainter::Antialiasing, false);
    }

    // The visible range: the rest is dimmed, the window outlined.
    const int wx1 = std::clamp(int(std::floor(xForAxis(zoom->rangeStart()))), plot.left(), plot.right());
    const int wx2 = std::clamp(int(std::ceil(xForAxis(zoom->rangeEnd()))), wx1 + 1, plot.right() + 1);
    if (zoom->isZoomed()) {
        QColor dim = palette().color(QPalette::Window);
        dim.setAlpha(170);
        p.fillRect(QRect(plot.left(), plot.top(), wx1 - plot.left(), plot.height()), dim);
        p.fillRect(QRect(wx2, plot.top(), plot.right() + 1 - wx2, plot.height()), dim);
        QColor windowFill = palette().color(QPalette::Highlight);
        windowFill.setAlpha(40);
        p.fillRect(QRect(wx1, plot.top(), wx2 - wx1, plot.height()), windowFill);
        p.setPen(QPen(palette().color(QPalette::Highlight), 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRect(wx1, plot.top(), std::max(1, wx2 - wx1 - 1), plot.height() - 1));
    }

    if (m_drag == DragMode::Select) {
        QColor selection = palette().color(QPalette::Highlight);
        selection.setAlpha(80);
        const int x1 = std::clamp(std::min(m_pressX, m_lastX), plot.left(), plot.right());
        const int x2 = std::clamp(std::max(m_pressX, m_lastX), plot.left(), plot.right());
        p.fillRect(QRect(x1, plot.top(), std::max(1, x2 - x1), plot.height()), selection);
    }
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot.adjusted(-1, -1, 0, 0));
}

void MinimapView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !m_waterfall->tree()) {
        QWidget::mousePressEvent(event);
        return;
    }
    ZoomControl* zoom = m_waterfall->zoomControl();
    m_pressX = m_lastX = int(event->position().x());
    const double x1 = xForAxis(zoom->rangeStart());
    const double x2 = xForAxis(zoom->rangeEnd());
    m_pressInWindow = zoom->isZoomed() && m_pressX >= x1 - 2 && m_pressX <= x2 + 2;
    m_drag = DragMode::Pending;
    event->accept();
}

void MinimapView::mouseMoveEvent(QMouseEvent* event)
{
    const int x = int(event->position().x());
    if (m_drag == DragMode::None)
        return;
    if (m_drag == DragMode::Pending && std::abs(x - m_pressX) > DragThreshold) {
        m_drag = m_pressInWindow ? DragMode::Pan : DragMode::Select;
        setCursor(m_pressInWindow ? Qt::ClosedHandCursor : Qt::IBeamCursor);
    }
    if (m_drag == DragMode::Pan)
        m_waterfall->zoomControl()->pan(axisForX(x) - axisForX(m_lastX));
    m_lastX = x;
    if (m_drag == DragMode::Select)
        update();
}

void MinimapView::mouseReleaseEvent(QMouseEvent* event)
{
    const DragMode mode = m_drag;
    m_drag = DragMode::None;
    unsetCursor();
    if (event->button() != Qt::LeftButton)
        return;
    ZoomControl* zoom = m_waterfall->zoomControl();
    const int x = int(event->position().x());
    if (mode == DragMode::Select) {
        const double from = std::clamp(double(std::min(m_pressX, x)), double(m_plotLeft), double(m_plotRight));
        const double to = std::clamp(double(std::max(m_pressX, x)), double(m_plotLeft), double(m_plotRight));
        zoom->setRange(axisForX(from), axisForX(to));
        update();
    } else if (mode == DragMode::Pending && !m_pressInWindow && zoom->isZoomed()) {
        // A click outside the window brings that time to the window's centre.
        zoom->pan(axisForX(x) - (zoom->rangeStart() + zoom->rangeEnd()) / 2);
    }
}

void MinimapView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        m_drag = DragMode::None;
        m_waterfall->zoomControl()->reset();
        event->accept();
    }
}

void MinimapView::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0 || !m_waterfall->tree()) {
        QWidget::wheelEvent(event);
        return;
    }
    ZoomControl* zoom = m_waterfall->zoomControl();
    const double x = event->position().x();
    const double center = x >= m_plotLeft && x <= m_plotRight ? axisForX(x) : (zoom->rangeStart() + zoom->rangeEnd()) / 2;
    zoom->zoom(std::pow(1.0015, delta), center);
    event->accept();
}

bool MinimapView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int x = help->pos().x();
        const auto [active, errors] = countsAt(x);
        if (active < 0 || !m_waterfall->tree()) {
            QToolTip::hideText();
            return true;
        }
        const TimeAxis& axis = m_waterfall->timeAxis();
        const double t1 = std::max(0.0, axis.fromAxis(axisForX(x)));
        const double t2 = std::max(t1, axis.fromAxis(axisForX(x + 1)));
        // To the pixel's resolution: "+252.006 s".
        QString text = tr("At +%1").arg(ZoomControl::tickLabel(t1, std::max(1.0, t2 - t1))) + QLatin1Char('\n')
            + tr("%n span(s) active", nullptr, active);
        if (errors > 0)
            text += QLatin1Char('\n') + tr("%n with errors", nullptr, errors);
        const int gap = axis.gapAt((t1 + t2) / 2);
        if (gap >= 0) {
            const TimeAxis::Segment& s = axis.gaps()[std::size_t(gap)];
            text += QLatin1Char('\n')
                + tr("Idle for %1 (collapsed)").arg(TraceListModel::formatDuration(std::uint64_t(s.end - s.start)));
        }
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}
