#include "ui/tracescatterview.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QMouseEvent>
#include <QRubberBand>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {
constexpr int PickRadius = 6; // px
constexpr int DragThreshold = 5; // px
double msOf(const TraceSummary& t) { return double(t.durationNanos()) / 1e6; }
double xOf(const TraceSummary& t) { return double(t.startTimeUnixNano / 1'000'000ULL); } // ms since the epoch
}

TraceScatterView::TraceScatterView(QWidget* parent)
    : QChartView(parent)
    , m_ok(new QScatterSeries)
    , m_errors(new QScatterSeries)
    , m_x(new QDateTimeAxis)
    , m_y(new QValueAxis)
{
    setObjectName(QStringLiteral("traceScatter"));
    setRenderHint(QPainter::Antialiasing);
    setToolTip(tr("Traces by start time and duration: click a point to open its trace, drag across to filter the "
                  "list to that time range"));
    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    m_ok->setName(tr("Traces"));
    m_errors->setName(tr("With errors"));
    for (QScatterSeries* s : { m_ok, m_errors }) {
        s->setMarkerSize(7);
        s->setBorderColor(Qt::transparent);
        chart->addSeries(s);
    }
    m_x->setFormat(QStringLiteral("HH:mm:ss"));
    m_x->setTickCount(6);
    m_y->setLabelFormat(QStringLiteral("%.0f ms"));
    m_y->setTickCount(4);
    chart->addAxis(m_x, Qt::AlignBottom);
    chart->addAxis(m_y, Qt::AlignLeft);
    for (QScatterSeries* s : { m_ok, m_errors }) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    // setChart() releases the chart QChartView made for itself without deleting it.
    QChart* initial = this->chart();
    setChart(chart);
    delete initial;
    applyTheme();
    setMinimumHeight(110);
}

TraceScatterView::~TraceScatterView() = default;

void TraceScatterView::setTraces(std::vector<TraceSummary> traces, bool now)
{
    m_pending = std::move(traces);
    m_dirty = true;
    if (now || !m_everDrawn) {
        redraw();
        return;
    }
    if (!m_timer)
        m_timer = startTimer(RedrawIntervalMs);
}

void TraceScatterView::timerEvent(QTimerEvent* event)
{
    if (event->timerId() != m_timer) {
        QChartView::timerEvent(event);
        return;
    }
    killTimer(m_timer);
    m_timer = 0;
    if (m_dirty)
        redraw();
}

void TraceScatterView::redraw()
{
    m_dirty = false;
    m_everDrawn = true;
    m_drawn = m_pending;
    QList<QPointF> ok, errors;
    double minX = 0, maxX = 0, maxY = 0;
    bool first = true;
    for (const TraceSummary& t : m_drawn) {
        const QPointF p(xOf(t), msOf(t));
        (t.errorCount > 0 ? errors : ok).append(p);
        minX = first ? p.x() : std::min(minX, p.x());
        maxX = first ? p.x() : std::max(maxX, p.x());
        maxY = std::max(maxY, p.y());
        first = false;
    }
    m_ok->replace(ok);
    m_errors->replace(errors);
    if (first) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        minX = double(now - 60'000);
        maxX = double(now);
    }
    // A margin so the extreme points are not cut in half; one second at least on the time axis.
    const double span = std::max(1000.0, maxX - minX);
    m_x->setRange(QDateTime::fromMSecsSinceEpoch(qint64(minX - span * 0.03)),
                  QDateTime::fromMSecsSinceEpoch(qint64(maxX + span * 0.03)));
    m_x->setFormat(span > 300 * 24 * 3600'000.0 ? QStringLiteral("yyyy-MM-dd")
                       : span > 36 * 3600'000.0  ? QStringLiteral("MM-dd HH:mm")
                                                 : QStringLiteral("HH:mm:ss"));
    m_y->setRange(0, maxY > 0 ? maxY * 1.1 : 1);
    m_y->setLabelFormat(maxY >= 10 ? QStringLiteral("%.0f ms") : QStringLiteral("%.2f ms"));
}

int TraceScatterView::pointCount() const
{
    return int(m_ok->count() + m_errors->count());
}

int TraceScatterView::errorPointCount() const
{
    return int(m_errors->count());
}

QPoint TraceScatterView::positionOf(const TraceId& id) const
{
    for (const TraceSummary& t : m_drawn)
        if (t.traceId == id) {
            const QPointF scene = chart()->mapToPosition(QPointF(xOf(t), msOf(t)), t.errorCount > 0 ? m_errors : m_ok);
            return mapFromScene(chart()->mapToScene(scene));
        }
    return QPoint(-1, -1);
}

TraceId TraceScatterView::traceAt(const QPoint& position) const
{
    TraceId best;
    double bestDistance = PickRadius * PickRadius + 1;
    for (const TraceSummary& t : m_drawn) {
        const QPointF scene = chart()->mapToPosition(QPointF(xOf(t), msOf(t)), t.errorCount > 0 ? m_errors : m_ok);
        const QPointF at = mapFromScene(chart()->mapToScene(scene));
        const double dx = at.x() - position.x(), dy = at.y() - position.y();
        if (dx * dx + dy * dy < bestDistance) {
            bestDistance = dx * dx + dy * dy;
            best = t.traceId;
        }
    }
    return best;
}

void TraceScatterView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QChartView::mousePressEvent(event);
        return;
    }
    m_pressPos = event->position().toPoint();
    m_dragging = false;
    event->accept();
}

void TraceScatterView::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton)) {
        QChartView::mouseMoveEvent(event);
        return;
    }
    const QPoint pos = event->position().toPoint();
    if (!m_dragging && std::abs(pos.x() - m_pressPos.x()) < DragThreshold)
        return;
    m_dragging = true;
    if (!m_band)
        m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
    const QRectF plot = chart()->plotArea();
    const QRect rows = mapFromScene(chart()->mapToScene(plot)).boundingRect();
    m_band->setGeometry(QRect(QPoint(std::min(pos.x(), m_pressPos.x()), rows.top()),
                              QPoint(std::max(pos.x(), m_pressPos.x()), rows.bottom())));
    m_band->show();
    event->accept();
}

void TraceScatterView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QChartView::mouseReleaseEvent(event);
        return;
    }
    const QPoint pos = event->position().toPoint();
    if (m_band)
        m_band->hide();
    if (m_dragging) {
        m_dragging = false;
        const auto msAt = [this](int x) {
            const QPointF scene = mapToScene(QPoint(x, 0));
            return chart()->mapToValue(chart()->mapFromScene(scene), m_ok).x();
        };
        const double a = msAt(std::min(pos.x(), m_pressPos.x()));
        const double b = msAt(std::max(pos.x(), m_pressPos.x()));
        if (b > a && b > 0)
            Q_EMIT timeRangeSelected(std::uint64_t(std::max(0.0, a)) * 1'000'000ULL,
                                     std::uint64_t(std::max(0.0, b)) * 1'000'000ULL + 999'999ULL);
        event->accept();
        return;
    }
    const TraceId id = traceAt(pos);
    if (id.isValid())
        Q_EMIT traceActivated(id);
    event->accept();
}

void TraceScatterView::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyTheme();
}

void TraceScatterView::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    chart()->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart()->setBackgroundBrush(palette().color(QPalette::Base));
    const QColor text = palette().color(QPalette::Text);
    for (QAbstractAxis* axis : { static_cast<QAbstractAxis*>(m_x), static_cast<QAbstractAxis*>(m_y) }) {
        axis->setLabelsColor(text);
        QColor grid = text;
        grid.setAlpha(40);
        axis->setGridLineColor(grid);
    }
    m_ok->setColor(dark ? QColor(0x64, 0xb5, 0xf6) : QColor(0x1e, 0x88, 0xe5));
    m_errors->setColor(QColor(0xe5, 0x39, 0x35));
    for (QScatterSeries* s : { m_ok, m_errors })
        s->setBorderColor(Qt::transparent);
}
