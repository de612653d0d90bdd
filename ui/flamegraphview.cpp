#include "ui/flamegraphview.h"

#include "model/tracelistmodel.h"
#include "ui/servicecolors.h"
#include "ui/zoomcontrol.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolButton>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace {
constexpr int ScrollUnits = 100000; // horizontal scroll bar resolution over the whole trace
constexpr double MinBoxWidth = 1.0; // px; narrower spans are merged into runs
const QColor ErrorColor(0xd3, 0x2f, 0x2f);
}

FlameGraphView::FlameGraphView(QWidget* parent)
    : QAbstractScrollArea(parent)
    , m_zoom(new ZoomControl(this))
    , m_header(new QWidget(this))
    , m_summary(new QLabel(m_header))
    , m_resetButton(new QToolButton(m_header))
{
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);

    m_summary->setObjectName(QStringLiteral("flameGraphSummary"));
    m_resetButton->setObjectName(QStringLiteral("flameGraphResetZoom"));
    m_resetButton->setText(tr("Reset zoom"));
    m_resetButton->setToolTip(tr("Show the whole trace (Escape)"));
    m_resetButton->setEnabled(false);
    auto* layout = new QHBoxLayout(m_header);
    layout->setContentsMargins(6, 2, 2, 2);
    layout->addWidget(m_summary, 1);
    layout->addWidget(m_resetButton);
    connect(m_resetButton, &QToolButton::clicked, this, &FlameGraphView::resetZoom);

    connect(m_zoom, &ZoomControl::rangeChanged, this, [this] {
        updateScrollBars();
        updateHeader();
        viewport()->update();
    });
    connect(horizontalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (m_updatingScrollBars)
            return;
        const double start = double(value) / ScrollUnits * m_zoom->traceDuration();
        m_zoom->setRange(start, start + m_zoom->rangeDuration());
    });
    updateMetrics();
    updateHeader();
}

FlameGraphView::~FlameGraphView() = default;

QSize FlameGraphView::sizeHint() const { return { 500, 400 }; }

void FlameGraphView::updateMetrics()
{
    const QFontMetrics fm(font());
    m_rowHeight = fm.height() + 6;
    m_axisHeight = fm.height() + 10;
    layOutHeader();
}

void FlameGraphView::layOutHeader()
{
    const int height = m_header->sizeHint().height();
    setViewportMargins(0, height, 0, 0);
    const QRect r = contentsRect();
    m_header->setGeometry(r.left(), r.top(), r.width(), height);
}

void FlameGraphView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) {
        updateMetrics();
        updateScrollBars();
    }
    QAbstractScrollArea::changeEvent(event);
}

void FlameGraphView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    layOutHeader();
    updateScrollBars();
}

void FlameGraphView::scrollContentsBy(int, int) { viewport()->update(); }

void FlameGraphView::setTree(
    std::shared_ptr<const SpanTree> tree, bool keepState, std::shared_ptr<const FlameGraphLayout> layout)
{
    keepState = keepState && m_tree && tree;
    const SpanId selected = keepState && m_selected >= 0 ? m_tree->spans[std::size_t(m_selected)].spanId : SpanId();
    const double rangeStart = m_zoom->rangeStart();
    const double rangeEnd = m_zoom->rangeEnd();
    const bool wasZoomed = m_zoom->isZoomed();
    const int scroll = verticalScrollBar()->value();
    m_tree = std::move(tree);
    m_layout = m_tree ? (layout ? std::move(layout) : FlameGraphLayout::build(*m_tree)) : nullptr;
    m_selected = -1;
    m_serviceColors.clear();
    if (m_layout)
        for (const QString& service : m_layout->services)
            m_serviceColors.push_back(serviceColor(service));
    m_zoom->setTraceDuration(m_tree ? double(m_tree->durationNanos()) : 0);
    updateScrollBars();
    if (keepState) {
        if (wasZoomed)
            m_zoom->setRange(rangeStart, rangeEnd);
        verticalScrollBar()->setValue(scroll);
        m_selected = m_tree->indexOf(selected);
    } else {
        verticalScrollBar()->setValue(0);
    }
    updateHeader();
    viewport()->update();
}

void FlameGraphView::updateHeader()
{
    if (!m_tree) {
        m_summary->setText(tr("No trace open."));
    } else {
        const int spans = int(m_tree->spans.size());
        QString text = tr("%n span(s)", nullptr, spans) + QLatin1String(", ")
            + tr("%n level(s)", nullptr, spans ? m_tree->maxDepth + 1 : 0);
        if (m_zoom->isZoomed())
            text += QLatin1String(", ")
                + tr("showing %1 of %2")
                      .arg(TraceListModel::formatDuration(std::uint64_t(std::llround(m_zoom->rangeDuration()))),
                          TraceListModel::formatDuration(m_tree->durationNanos()));
        m_summary->setText(text);
    }
    m_resetButton->setEnabled(m_tree && m_zoom->isZoomed());
}

void FlameGraphView::updateScrollBars()
{
    m_updatingScrollBars = true;
    const int rowsHeight = (m_layout ? static_cast<int>(m_layout->rows.size()) : 0) * m_rowHeight;
    const int pageHeight = std::max(0, viewport()->height() - m_axisHeight);
    verticalScrollBar()->setRange(0, std::max(0, rowsHeight - pageHeight));
    verticalScrollBar()->setPageStep(std::max(1, pageHeight));
    verticalScrollBar()->setSingleStep(m_rowHeight);

    const double total = m_zoom->traceDuration();
    const int page = std::clamp(int(std::lround(m_zoom->rangeDuration() / total * ScrollUnits)), 1, ScrollUnits);
    horizontalScrollBar()->setRange(0, ScrollUnits - page);
    horizontalScrollBar()->setPageStep(page);
    horizontalScrollBar()->setSingleStep(std::max(1, page / 10));
    horizontalScrollBar()->setValue(int(std::lround(m_zoom->rangeStart() / total * ScrollUnits)));
    m_updatingScrollBars = false;
}

std::uint64_t FlameGraphView::selfTime(int spanIndex) const
{
    return m_layout && spanIndex >= 0 && std::size_t(spanIndex) < m_layout->selfTimes.size()
        ? m_layout->selfTimes[std::size_t(spanIndex)]
        : 0;
}

void FlameGraphView::selectSpan(int spanIndex)
{
    if (!m_tree || spanIndex < 0 || std::size_t(spanIndex) >= m_tree->spans.size())
        spanIndex = -1;
    if (spanIndex == m_selected)
        return;
    m_selected = spanIndex;
    if (spanIndex >= 0) {
        const int top = m_layout->rowOf[std::size_t(spanIndex)] * m_rowHeight;
        const int pageHeight = std::max(0, viewport()->height() - m_axisHeight);
        QScrollBar* bar = verticalScrollBar();
        if (top < bar->value())
            bar->setValue(top);
        else if (top + m_rowHeight > bar->value() + pageHeight)
            bar->setValue(top + m_rowHeight - pageHeight);
        // Zoomed in elsewhere: bring the span's start into the middle of the window, at the same zoom.
        const SpanTree::Record& span = m_tree->spans[std::size_t(spanIndex)];
        const double start = double(span.startTimeUnixNano - m_tree->startTimeUnixNano);
        const double end = start + double(span.durationNanos());
        if (end < m_zoom->rangeStart() || start > m_zoom->rangeEnd())
            m_zoom->pan(start - (m_zoom->rangeStart() + m_zoom->rangeEnd()) / 2);
    }
    viewport()->update();
}

void FlameGraphView::zoomToSpan(int spanIndex)
{
    if (!m_tree || spanIndex < 0 || std::size_t(spanIndex) >= m_tree->spans.size())
        return;
    const SpanTree::Record& span = m_tree->spans[std::size_t(spanIndex)];
    const double start = double(span.startTimeUnixNano - m_tree->startTimeUnixNano);
    const double duration = double(span.durationNanos());
    if (duration < ZoomControl::MinimumRange) {
        const double center = start + duration / 2;
        m_zoom->setRange(center - ZoomControl::MinimumRange / 2, center + ZoomControl::MinimumRange / 2);
    } else {
        m_zoom->setRange(start, start + duration);
    }
}

void FlameGraphView::resetZoom() { m_zoom->reset(); }

double FlameGraphView::xForTime(double nanos) const
{
    return (nanos - m_zoom->rangeStart()) / m_zoom->rangeDuration() * viewport()->width();
}

double FlameGraphView::timeForX(double x) const
{
    return m_zoom->rangeStart() + x / std::max(1, viewport()->width()) * m_zoom->rangeDuration();
}

int FlameGraphView::rowTop(int row) const { return m_axisHeight + row * m_rowHeight - verticalScrollBar()->value(); }

QRectF FlameGraphView::rectOfSpan(int spanIndex) const
{
    if (!m_tree || spanIndex < 0 || std::size_t(spanIndex) >= m_tree->spans.size())
        return {};
    const SpanTree::Record& span = m_tree->spans[std::size_t(spanIndex)];
    const double start = double(span.startTimeUnixNano - m_tree->startTimeUnixNano);
    const double x1 = xForTime(start);
    const double x2 = xForTime(start + double(span.durationNanos()));
    return QRectF(x1, rowTop(m_layout->rowOf[std::size_t(spanIndex)]), x2 - x1, m_rowHeight);
}

int FlameGraphView::spanAt(const QPoint& pos) const
{
    if (!m_layout || pos.y() < m_axisHeight)
        return -1;
    const int row = (pos.y() - m_axisHeight + verticalScrollBar()->value()) / m_rowHeight;
    if (row < 0 || std::size_t(row) >= m_layout->rows.size())
        return -1;
    const FlameGraphLayout::Level& level = m_layout->rows[std::size_t(row)];
    const double time = timeForX(pos.x() + 0.5);
    const double slack = 0.5 * m_zoom->rangeDuration() / std::max(1, viewport()->width()); // half a pixel
    // Boxes are painted in start order, so the last one that contains the point is on top.
    int i = level.endOfStartsUpTo(time + slack) - 1;
    for (; i >= 0 && level.maxEnd[std::size_t(i)] >= time - slack; --i)
        if (level.end[std::size_t(i)] >= time - slack)
            return level.spans[std::size_t(i)];
    return -1;
}

// ---- painting ----

void FlameGraphView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const QRect all = viewport()->rect();
    p.fillRect(all, palette().base());
    m_paintedBoxes = 0;
    const QRect rowsRect(0, m_axisHeight, all.width(), all.height() - m_axisHeight);
    if (m_layout && !m_layout->rows.empty()) {
        p.save();
        p.setClipRect(rowsRect);
        const int scroll = verticalScrollBar()->value();
        const int first = std::max(0, scroll / m_rowHeight);
        const int last = std::min(int(m_layout->rows.size()) - 1, (scroll + rowsRect.height()) / m_rowHeight);
        // When some depth takes several lanes, a faint line between depths keeps its rows reading as one.
        QColor band = palette().color(QPalette::Mid);
        band.setAlpha(90);
        const bool lanes = m_layout->rows.size() > std::size_t(m_layout->depthCount);
        for (int row = first; row <= last; ++row) {
            const std::size_t r = std::size_t(row);
            if (lanes && r > 0 && m_layout->rowDepth[r - 1] != m_layout->rowDepth[r])
                p.fillRect(QRect(0, rowTop(row), all.width(), 1), band);
            paintRow(p, row, rowTop(row));
        }
        p.restore();
    } else {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rowsRect, Qt::AlignCenter,
            m_tree ? tr("This trace has no spans") : tr("Select a trace to see its flame graph"));
    }
    paintAxis(p, QRect(0, 0, all.width(), m_axisHeight));
}

void FlameGraphView::paintAxis(QPainter& p, const QRect& rect)
{
    p.fillRect(rect, palette().window());
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(rect.bottomLeft(), rect.bottomRight());
    if (!m_tree)
        return;
    const QFontMetrics fm(font());
    const double pixels = std::max(1, rect.width());
    const double step = ZoomControl::niceStep(
        m_zoom->rangeDuration() / std::max(1.0, pixels / (fm.horizontalAdvance(QStringLiteral("000.00 ms")) + 24)));
    const double firstTick = std::ceil(m_zoom->rangeStart() / step) * step;
    for (double t = firstTick; t <= m_zoom->rangeEnd() + step * 0.001; t += step) {
        const int x = int(std::lround(xForTime(t)));
        p.setPen(palette().color(QPalette::Mid));
        p.drawLine(x, rect.bottom() - 5, x, rect.bottom());
        p.setPen(palette().color(QPalette::WindowText));
        const QString label = ZoomControl::tickLabel(t, step);
        const int w = fm.horizontalAdvance(label);
        const int lx = std::clamp(x - w / 2, 2, rect.width() - w - 2);
        p.drawText(QRect(lx, rect.top(), w + 2, rect.height() - 5), Qt::AlignVCenter | Qt::AlignLeft, label);
    }
}

void FlameGraphView::paintRow(QPainter& p, int row, int y)
{
    const FlameGraphLayout::Level& level = m_layout->rows[std::size_t(row)];
    const int to = level.endOfStartsUpTo(m_zoom->rangeEnd());
    int i = level.firstReaching(m_zoom->rangeStart());

    // A run of spans narrower than MinBoxWidth, painted as one box over the pixel columns [runLeft, runRight).
    bool inRun = false;
    int runLeft = 0;
    int runRight = 0;
    const QColor runColor = palette().color(QPalette::Mid);
    const auto flushRun = [&] {
        if (inRun) {
            p.fillRect(QRect(runLeft, y + 1, runRight - runLeft, m_rowHeight - 2), runColor);
            ++m_paintedBoxes;
        }
        inRun = false;
    };
    while (i < to) {
        const double start = level.start[std::size_t(i)];
        const double end = level.end[std::size_t(i)];
        if (end < m_zoom->rangeStart()) {
            // Left of the window but before a longer span that reaches into it.
            i = level.skipWithin(i, to, m_zoom->rangeStart());
            continue;
        }
        const double x1 = xForTime(start);
        const double x2 = xForTime(end);
        if (x2 - x1 >= MinBoxWidth) {
            flushRun();
            paintBox(p, level.spans[std::size_t(i)], x1, x2, y);
            ++i;
            continue;
        }
        // Narrow spans start at x >= -1 (they reach into the window).
        const int left = int(std::floor(x1));
        const int right = std::max(left + 1, int(std::ceil(x2)));
        if (inRun && left <= runRight) {
            runRight = std::max(runRight, right);
        } else {
            flushRun();
            inRun = true;
            runLeft = left;
            runRight = right;
        }
        // The spans that end within the next pixel column join the run without being looked at one by one; the
        // run then takes that column, so it grows by at least a pixel per step.
        const int next = level.skipWithin(i + 1, to, timeForX(runRight + 1));
        if (next > i + 1)
            ++runRight;
        i = next;
    }
    flushRun();
}

void FlameGraphView::paintBox(QPainter& p, int spanIndex, double x1, double x2, int y)
{
    const SpanTree::Record& span = m_tree->spans[std::size_t(spanIndex)];
    const double width = viewport()->width();
    // Doubles, clamped before converting: at deep zoom the unclipped coordinates exceed int range.
    const int left = int(std::floor(std::clamp(x1, -4.0, width + 4)));
    const int right = int(std::ceil(std::clamp(x2, -4.0, width + 4)));
    const QRect box(left, y + 1, std::max(1, right - left), m_rowHeight - 2);
    const bool selected = spanIndex == m_selected;
    const QColor color = m_serviceColors.empty()
        ? palette().color(QPalette::Mid)
        : m_serviceColors[std::min<std::size_t>(
            m_layout->serviceOf[std::size_t(spanIndex)], m_serviceColors.size() - 1)];
    const QColor fill = selected ? color.darker(125) : color;
    p.fillRect(box, fill);
    ++m_paintedBoxes;
    // A thin gap between neighbouring boxes so adjacent spans stay apart.
    if (box.width() > 3) {
        p.setPen(palette().color(QPalette::Base));
        p.drawLine(box.right(), box.top(), box.right(), box.bottom());
    }
    if (span.statusCode == StatusCode::Error) {
        p.setPen(QPen(ErrorColor, 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(box.adjusted(1, 1, -1, -1));
    }
    if (selected) {
        p.setPen(QPen(palette().color(QPalette::Text), 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(box.adjusted(1, 1, -1, -1));
    }

    // Label in the visible part of the box: name, then the duration when both fit; elided, or none.
    const int visibleLeft = std::max(box.left(), 0) + 4;
    const int visibleRight = std::min(box.right(), int(width)) - 4;
    const int room = visibleRight - visibleLeft;
    const QFontMetrics fm(font());
    if (room < fm.averageCharWidth() * 3)
        return;
    const QString duration = TraceListModel::formatDuration(span.durationNanos());
    const QString& name = m_tree->nameOf(spanIndex);
    const QString full = name + QLatin1String(" (") + duration + QLatin1Char(')');
    const QString text = fm.horizontalAdvance(full) <= room ? full : fm.elidedText(name, Qt::ElideRight, room);
    if (text.isEmpty() || text == QStringLiteral("…"))
        return;
    p.setPen(textColorOn(fill));
    p.drawText(QRect(visibleLeft, y, room, m_rowHeight), Qt::AlignVCenter | Qt::AlignLeft, text);
}

// ---- input ----

void FlameGraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const int spanIndex = spanAt(event->position().toPoint());
    if (spanIndex >= 0) {
        selectSpan(spanIndex);
        Q_EMIT spanActivated(spanIndex);
    }
    event->accept();
}

void FlameGraphView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        event->accept(); // the press did the work
    else
        QAbstractScrollArea::mouseReleaseEvent(event);
}

void FlameGraphView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mouseDoubleClickEvent(event);
        return;
    }
    const int spanIndex = spanAt(event->position().toPoint());
    if (spanIndex >= 0)
        zoomToSpan(spanIndex);
    else if (event->position().y() >= m_axisHeight)
        resetZoom();
    event->accept();
}

void FlameGraphView::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        m_zoom->zoom(std::pow(1.0015, delta.y()), timeForX(event->position().x()));
        event->accept();
        return;
    }
    const int horizontal = (event->modifiers() & Qt::ShiftModifier) ? delta.y() : delta.x();
    if (horizontal != 0) {
        m_zoom->pan(-horizontal / 120.0 * m_zoom->rangeDuration() * 0.1);
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void FlameGraphView::keyPressEvent(QKeyEvent* event)
{
    const double center = (m_zoom->rangeStart() + m_zoom->rangeEnd()) / 2;
    switch (event->key()) {
    case Qt::Key_Escape:
    case Qt::Key_0:
        if (!m_zoom->isZoomed())
            break;
        resetZoom();
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        m_zoom->zoom(1.25, center);
        return;
    case Qt::Key_Minus:
        m_zoom->zoom(0.8, center);
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_selected >= 0) {
            zoomToSpan(m_selected);
            return;
        }
        break;
    default:
        break;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

QString FlameGraphView::toolTipText(int spanIndex) const
{
    if (!m_tree || spanIndex < 0 || std::size_t(spanIndex) >= m_tree->spans.size())
        return {};
    const SpanTree::Record& span = m_tree->spans[std::size_t(spanIndex)];
    const double total = double(m_tree->durationNanos());
    const auto share = [total](std::uint64_t nanos) {
        return QLocale().toString(total > 0 ? 100.0 * double(nanos) / total : 0.0, 'f', 1);
    };
    const std::uint64_t self = selfTime(spanIndex);
    QString text = QStringLiteral("<b>%1</b><br>").arg(m_tree->nameOf(spanIndex).toHtmlEscaped())
        + tr("Service: %1").arg(m_tree->serviceNameOf(spanIndex).toHtmlEscaped()) + QStringLiteral("<br>")
        + tr("Duration: %1 (%2% of the trace)")
              .arg(TraceListModel::formatDuration(span.durationNanos()), share(span.durationNanos()))
        + QStringLiteral("<br>")
        + tr("Self time: %1 (%2% of the trace)").arg(TraceListModel::formatDuration(self), share(self));
    if (span.statusCode == StatusCode::Error)
        text += QStringLiteral("<br><span style=\"color:#d32f2f\">")
            + tr("Error: %1").arg(m_tree->statusMessageOf(spanIndex).toHtmlEscaped()) + QStringLiteral("</span>");
    return QStringLiteral("<nobr>") + text + QStringLiteral("</nobr>"); // lines break at <br> only
}

bool FlameGraphView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int spanIndex = spanAt(help->pos());
        if (spanIndex < 0)
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), toolTipText(spanIndex), viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}
