#include "waterfallview.h"

#include "model/genaiicons.h"
#include "model/tracelistmodel.h"
#include "ui/servicecolors.h"
#include "ui/zoomcontrol.h"

#include <QHash>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QPainter>
#include <QScrollBar>
#include <QSet>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace {
constexpr int ScrollUnits = 100000; // horizontal scroll bar resolution over the whole trace
constexpr int IndentStep = 14;
constexpr int ChipSize = 8;
constexpr int DividerGrip = 4;
const QColor ErrorColor(0xd3, 0x2f, 0x2f);
}

WaterfallView::WaterfallView(QWidget* parent)
    : QAbstractScrollArea(parent)
    , m_zoom(new ZoomControl(this))
{
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    updateMetrics();

    connect(m_zoom, &ZoomControl::rangeChanged, this, [this] {
        updateScrollBars();
        viewport()->update();
    });
    connect(horizontalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (m_updatingScrollBars)
            return;
        const double start = double(value) / ScrollUnits * m_zoom->traceDuration();
        m_zoom->setRange(start, start + m_zoom->rangeDuration());
    });
}

WaterfallView::~WaterfallView() = default;

QSize WaterfallView::sizeHint() const
{
    return { 900, 400 };
}

void WaterfallView::updateMetrics()
{
    const QFontMetrics fm(font());
    m_rowHeight = fm.height() + 8;
    m_axisHeight = fm.height() + 12;
}

void WaterfallView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange) {
        updateMetrics();
        updateScrollBars();
    }
    QAbstractScrollArea::changeEvent(event);
}

void WaterfallView::setTree(
    std::shared_ptr<const SpanTree> tree, bool keepState, std::shared_ptr<const TimeOverview> overview)
{
    QSet<SpanId> collapsed;
    SpanId selected;
    double rangeStart = 0;
    double rangeEnd = 0;
    const bool wasZoomed = m_zoom->isZoomed();
    const int scroll = verticalScrollBar()->value();
    if (keepState && m_tree) {
        for (std::size_t i = 0; i < m_collapsed.size(); ++i)
            if (m_collapsed[i])
                collapsed.insert(m_tree->spans[i].spanId);
        selected = selectedSpan();
        std::tie(rangeStart, rangeEnd) = visibleTimeRange();
    }

    if (!keepState || !tree || !m_tree || tree->spans.size() != m_tree->spans.size()) {
        m_stepRoles.clear();
        m_criticalPath.reset();
        m_pathSections.clear();
    }
    m_tree = std::move(tree);
    const std::size_t count = m_tree ? m_tree->spans.size() : 0;
    m_collapsed.assign(count, 0);
    m_preorder.clear(); // made by the first find (preorder())
    m_selected = -1;
    if (m_tree && !collapsed.isEmpty())
        for (std::size_t i = 0; i < count; ++i)
            if (collapsed.contains(m_tree->spans[i].spanId))
                m_collapsed[i] = 1;
    m_overview = m_tree ? (overview ? std::move(overview) : TimeOverview::build(*m_tree)) : nullptr;
    updateAxis();
    if (keepState && wasZoomed)
        setVisibleTimeRange(rangeStart, rangeEnd);
    rebuildRows();
    if (keepState) {
        verticalScrollBar()->setValue(scroll);
        if (selected.isValid() && m_tree)
            m_selected = m_tree->indexOf(selected);
    }
    runFind();
    viewport()->update();
    Q_EMIT timeAxisChanged();
}

void WaterfallView::updateAxis()
{
    if (m_collapseGaps && m_overview)
        m_axis = TimeAxis::collapsing(*m_overview);
    else
        m_axis = TimeAxis(m_tree ? double(m_tree->durationNanos()) : 0.0);
    m_zoom->setTraceDuration(m_axis.length());
}

void WaterfallView::setIdleGapsCollapsed(bool collapsed)
{
    if (collapsed == m_collapseGaps)
        return;
    const bool wasZoomed = m_zoom->isZoomed();
    const auto [start, end] = visibleTimeRange();
    m_collapseGaps = collapsed;
    updateAxis();
    if (wasZoomed)
        setVisibleTimeRange(start, end);
    updateScrollBars();
    viewport()->update();
    Q_EMIT timeAxisChanged();
}

std::pair<double, double> WaterfallView::visibleTimeRange() const
{
    return { m_axis.fromAxis(m_zoom->rangeStart()), m_axis.fromAxis(m_zoom->rangeEnd()) };
}

void WaterfallView::setVisibleTimeRange(double start, double end)
{
    m_zoom->setRange(m_axis.toAxis(start), m_axis.toAxis(end));
}

void WaterfallView::rebuildRows()
{
    m_rows.clear();
    const std::size_t count = m_tree ? m_tree->spans.size() : 0;
    m_rowOfSpan.assign(count, -1);
    if (m_tree) {
        m_rows.reserve(count);
        std::vector<int> stack(m_tree->roots.rbegin(), m_tree->roots.rend());
        while (!stack.empty()) {
            const int n = stack.back();
            stack.pop_back();
            m_rowOfSpan[n] = static_cast<int>(m_rows.size());
            m_rows.push_back(n);
            if (!m_collapsed[n]) {
                const auto& children = m_tree->children(n);
                stack.insert(stack.end(), children.rbegin(), children.rend());
            }
        }
    }
    updateScrollBars();
    viewport()->update();
}

void WaterfallView::updateScrollBars()
{
    m_updatingScrollBars = true;
    const int rowsHeight = static_cast<int>(m_rows.size()) * m_rowHeight;
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

void WaterfallView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    setNameColumnWidth(m_nameWidth);
    updateScrollBars();
    Q_EMIT timelineGeometryChanged(timelineLeft(), timelineRight());
}

void WaterfallView::scrollContentsBy(int, int)
{
    viewport()->update();
}

void WaterfallView::setNameColumnWidth(int width)
{
    const int maximum = std::max(120, viewport()->width() - 150);
    width = std::clamp(width, 120, maximum);
    if (width == m_nameWidth)
        return;
    m_nameWidth = width;
    viewport()->update();
    Q_EMIT timelineGeometryChanged(timelineLeft(), timelineRight());
}

SpanId WaterfallView::spanAtRow(int row) const
{
    if (row < 0 || row >= visibleRowCount())
        return {};
    return m_tree->spans[m_rows[row]].spanId;
}

QString WaterfallView::rowText(int row) const
{
    if (row < 0 || row >= visibleRowCount())
        return {};
    return m_tree->nameOf(m_rows[row]);
}

int WaterfallView::rowDepth(int row) const
{
    if (row < 0 || row >= visibleRowCount())
        return -1;
    return m_tree->nodes[m_rows[row]].depth;
}

int WaterfallView::rowOfSpan(const SpanId& id) const
{
    if (!m_tree)
        return -1;
    const int i = m_tree->indexOf(id);
    return i < 0 ? -1 : m_rowOfSpan[i];
}

std::pair<int, int> WaterfallView::visibleRowRange() const
{
    if (m_rows.empty())
        return { -1, -1 };
    const int top = verticalScrollBar()->value();
    const int first = top / m_rowHeight;
    const int last = std::min(visibleRowCount() - 1, (top + viewport()->height() - m_axisHeight - 1) / m_rowHeight);
    return { first, std::max(first, last) };
}

SpanId WaterfallView::selectedSpan() const
{
    return m_selected >= 0 ? m_tree->spans[m_selected].spanId : SpanId();
}

void WaterfallView::selectSpan(const SpanId& id)
{
    selectIndex(m_tree ? m_tree->indexOf(id) : -1);
}

void WaterfallView::selectIndex(int spanIndex)
{
    if (spanIndex >= 0) {
        bool expanded = false;
        for (int p = m_tree->nodes[spanIndex].parent; p >= 0; p = m_tree->nodes[p].parent) {
            if (m_collapsed[p]) {
                m_collapsed[p] = 0;
                expanded = true;
            }
        }
        if (expanded)
            rebuildRows();
        ensureRowVisible(m_rowOfSpan[spanIndex]);
        // Bring the bar into view when zoomed in elsewhere.
        const SpanTree::Record& span = m_tree->spans[spanIndex];
        const double start = m_axis.toAxis(double(span.startTimeUnixNano - m_tree->startTimeUnixNano));
        const double end = m_axis.toAxis(double(span.startTimeUnixNano - m_tree->startTimeUnixNano + span.durationNanos()));
        if (end < m_zoom->rangeStart() || start > m_zoom->rangeEnd())
            m_zoom->pan(start - m_zoom->rangeStart() - m_zoom->rangeDuration() * 0.1);
    }
    if (spanIndex == m_selected)
        return;
    m_selected = spanIndex;
    viewport()->update();
    Q_EMIT spanSelected(selectedSpan());
}

void WaterfallView::ensureRowVisible(int row)
{
    if (row < 0)
        return;
    const int top = row * m_rowHeight;
    const int pageHeight = viewport()->height() - m_axisHeight;
    QScrollBar* bar = verticalScrollBar();
    if (top < bar->value())
        bar->setValue(top);
    else if (top + m_rowHeight > bar->value() + pageHeight)
        bar->setValue(top + m_rowHeight - pageHeight);
}

bool WaterfallView::isExpanded(const SpanId& id) const
{
    const int i = m_tree ? m_tree->indexOf(id) : -1;
    return i >= 0 && !m_collapsed[i];
}

void WaterfallView::setExpanded(const SpanId& id, bool expanded)
{
    const int i = m_tree ? m_tree->indexOf(id) : -1;
    if (i >= 0)
        setCollapsed(i, !expanded);
}

void WaterfallView::setCollapsed(int spanIndex, bool collapsed)
{
    if (bool(m_collapsed[spanIndex]) == collapsed || m_tree->children(spanIndex).empty())
        return;
    m_collapsed[spanIndex] = collapsed;
    // A selection that disappears under the collapsed span moves to it.
    if (collapsed && m_selected >= 0 && m_tree->isAncestor(spanIndex, m_selected)) {
        rebuildRows();
        selectIndex(spanIndex);
        return;
    }
    rebuildRows();
}

void WaterfallView::expandAll()
{
    std::fill(m_collapsed.begin(), m_collapsed.end(), 0);
    rebuildRows();
}

void WaterfallView::collapseAll()
{
    if (!m_tree)
        return;
    for (std::size_t i = 0; i < m_collapsed.size(); ++i)
        m_collapsed[i] = !m_tree->children(i).empty();
    if (m_selected >= 0) {
        int top = m_selected;
        while (m_tree->nodes[top].parent >= 0)
            top = m_tree->nodes[top].parent;
        rebuildRows();
        selectIndex(top);
        return;
    }
    rebuildRows();
}

void WaterfallView::moveSelection(int rowDelta)
{
    if (m_rows.empty())
        return;
    const int current = m_selected >= 0 ? m_rowOfSpan[m_selected] : -1;
    const int row = current < 0 ? 0 : std::clamp(current + rowDelta, 0, visibleRowCount() - 1);
    selectIndex(m_rows[row]);
}

// ---- find ----

void WaterfallView::setFindText(const QString& text)
{
    if (text == m_findText)
        return;
    m_findText = text;
    runFind();
    if (!m_matches.empty())
        gotoMatch(0);
}

void WaterfallView::runFind()
{
    m_matches.clear();
    const std::size_t count = m_tree ? m_tree->spans.size() : 0;
    m_isMatch.assign(count, 0);
    m_currentMatch = -1;
    if (!m_findText.isEmpty() && m_tree) {
        const QString needle = m_findText.trimmed();
        for (std::size_t i = 0; i < count && !needle.isEmpty(); ++i) {
            const SpanTree::Record& span = m_tree->spans[i];
            bool hit = m_tree->nameOf(int(i)).contains(needle, Qt::CaseInsensitive)
                || serviceNameOf(int(i)).contains(needle, Qt::CaseInsensitive)
                || span.spanId.toHex().compare(needle, Qt::CaseInsensitive) == 0;
            const Attributes& attributes = m_tree->attributesOf(int(i));
            for (std::size_t a = 0; !hit && a < attributes.size(); ++a) {
                const AnyValue& v = attributes[a].value;
                hit = v.type == AnyValue::Type::String && v.stringValue.contains(needle, Qt::CaseInsensitive);
            }
            if (hit) {
                m_isMatch[i] = 1;
                m_matches.push_back(static_cast<int>(i));
            }
        }
        const std::vector<int>& order = preorder();
        std::sort(m_matches.begin(), m_matches.end(), [&order](int a, int b) { return order[a] < order[b]; });
        // Keep counting from the selection, as editors do.
        if (m_selected >= 0 && m_isMatch[m_selected])
            m_currentMatch = int(std::find(m_matches.begin(), m_matches.end(), m_selected) - m_matches.begin());
    }
    viewport()->update();
    Q_EMIT findResultChanged(m_currentMatch, matchCount());
}

const std::vector<int>& WaterfallView::preorder() const
{
    if (m_tree && m_preorder.size() != m_tree->spans.size()) {
        m_preorder.assign(m_tree->spans.size(), 0);
        int position = 0;
        std::vector<int> stack(m_tree->roots.rbegin(), m_tree->roots.rend());
        while (!stack.empty()) {
            const int n = stack.back();
            stack.pop_back();
            m_preorder[std::size_t(n)] = position++;
            const SpanIndexRange children = m_tree->children(n);
            stack.insert(stack.end(), children.rbegin(), children.rend());
        }
    }
    return m_preorder;
}

void WaterfallView::gotoMatch(int match)
{
    if (m_matches.empty())
        return;
    m_currentMatch = (match % matchCount() + matchCount()) % matchCount();
    selectIndex(m_matches[m_currentMatch]);
    viewport()->update();
    Q_EMIT findResultChanged(m_currentMatch, matchCount());
}

void WaterfallView::findNext()
{
    if (m_currentMatch < 0 && m_selected >= 0 && !m_matches.empty()) {
        // Next match after the selection in tree order.
        const std::vector<int>& order = preorder();
        const auto it = std::upper_bound(m_matches.begin(), m_matches.end(), order[m_selected],
            [&order](int position, int span) { return position < order[span]; });
        gotoMatch(int(it - m_matches.begin()));
        return;
    }
    gotoMatch(m_currentMatch + 1);
}

void WaterfallView::findPrevious()
{
    gotoMatch(m_currentMatch < 0 ? matchCount() - 1 : m_currentMatch - 1);
}

// ---- geometry ----

int WaterfallView::rowAt(int y) const
{
    if (y < m_axisHeight)
        return -1;
    const int row = (y - m_axisHeight + verticalScrollBar()->value()) / m_rowHeight;
    return row < visibleRowCount() ? row : -1;
}

int WaterfallView::indentOf(int depth) const
{
    // Deep trees compress their indentation instead of pushing names out of the column; past the budget the indent
    // stops and the row shows its depth instead.
    const int budget = std::max(0, m_nameWidth - 140);
    const int maxDepth = m_tree ? std::max(1, m_tree->maxDepth) : 1;
    const int step = std::min(IndentStep, std::max(4, budget / maxDepth));
    return 6 + int(std::min<qint64>(qint64(depth) * step, budget));
}

bool WaterfallView::isIndentCapped(int depth) const
{
    return depth > 0 && indentOf(depth) == indentOf(depth - 1);
}

int WaterfallView::timelineLeft() const
{
    return m_nameWidth + 10;
}

int WaterfallView::timelineRight() const
{
    return std::max(timelineLeft() + 10, viewport()->width() - 14);
}

double WaterfallView::xForTime(double nanos) const
{
    const double width = timelineRight() - timelineLeft();
    return timelineLeft() + (m_axis.toAxis(nanos) - m_zoom->rangeStart()) / m_zoom->rangeDuration() * width;
}

double WaterfallView::axisForX(double x) const
{
    const double width = timelineRight() - timelineLeft();
    return m_zoom->rangeStart() + (x - timelineLeft()) / width * m_zoom->rangeDuration();
}

double WaterfallView::timeForX(double x) const
{
    return m_axis.fromAxis(axisForX(x));
}

// ---- painting ----

void WaterfallView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const QRect all = viewport()->rect();
    p.fillRect(all, palette().base());

    const QRect rowsRect(0, m_axisHeight, all.width(), all.height() - m_axisHeight);
    p.save();
    p.setClipRect(rowsRect);
    const auto [first, last] = visibleRowRange();
    if (first >= 0) {
        const int top = verticalScrollBar()->value();
        for (int row = first; row <= last; ++row)
            paintRow(p, row, m_axisHeight + row * m_rowHeight - top);
        paintGaps(p, QRect());
    } else {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rowsRect, Qt::AlignCenter, m_tree ? tr("This trace has no spans") : tr("Select a trace to see its spans"));
    }
    p.restore();

    // Divider between the tree and the timeline.
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(m_nameWidth, 0, m_nameWidth, all.height());
    paintAxis(p, QRect(0, 0, all.width(), m_axisHeight));
}

void WaterfallView::paintAxis(QPainter& p, const QRect& rect)
{
    p.fillRect(rect, palette().window());
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(rect.bottomLeft(), rect.bottomRight());
    p.drawLine(m_nameWidth, rect.top(), m_nameWidth, rect.bottom());

    p.setPen(palette().color(QPalette::WindowText));
    const QRect title(8, rect.top(), m_nameWidth - 16, rect.height());
    const QString caption = m_tree ? tr("Spans (%1)").arg(QLocale().toString(qlonglong(m_tree->spans.size())))
                                   : tr("Spans");
    p.drawText(title, Qt::AlignVCenter | Qt::AlignLeft, caption);
    if (!m_tree)
        return;
    const QString total = tr("Trace %1").arg(TraceListModel::formatDuration(m_tree->durationNanos()));
    p.drawText(title, Qt::AlignVCenter | Qt::AlignRight, total);

    const double pixels = timelineRight() - timelineLeft();
    const QFontMetrics fm(font());
    // Outside collapsed gaps an axis ns is a ns, so one tick step serves the whole ruler.
    const double step = ZoomControl::niceStep(m_zoom->rangeDuration() / std::max(1.0, pixels / (fm.horizontalAdvance(QStringLiteral("000.00 ms")) + 24)));
    const auto [visibleStart, visibleEnd] = visibleTimeRange();
    std::vector<double> ticks;
    for (double t = std::ceil(visibleStart / step) * step; t <= visibleEnd + step * 0.001;) {
        const int gap = m_axis.gapAt(t);
        if (gap >= 0) {
            t = std::ceil(m_axis.gaps()[std::size_t(gap)].end / step) * step;
            continue;
        }
        ticks.push_back(t);
        t += step;
    }
    const int bottom = rect.bottom();
    p.setClipRect(QRect(m_nameWidth + 1, rect.top(), rect.width() - m_nameWidth - 1, rect.height()));
    paintGaps(p, rect);
    struct GapLabel {
        QRect rect;
        QString text;
    };
    std::vector<GapLabel> gapLabels;
    for (const TimeAxis::Segment& gap : m_axis.gaps()) {
        const double center = (xForTime(gap.start) + xForTime(gap.end)) / 2;
        if (center < timelineLeft() - 200 || center > rect.width() + 200)
            continue;
        const QString text = TraceListModel::formatDuration(std::uint64_t(gap.end - gap.start));
        const int w = fm.horizontalAdvance(text) + 8;
        gapLabels.push_back({ QRect(int(center) - w / 2, rect.top() + 2, w, rect.height() - 9), text });
    }
    for (double t : ticks) {
        const int x = int(std::lround(xForTime(t)));
        p.setPen(palette().color(QPalette::Mid));
        p.drawLine(x, bottom - 5, x, bottom);
        p.setPen(palette().color(QPalette::WindowText));
        const QString label = ZoomControl::tickLabel(t, step);
        const int w = fm.horizontalAdvance(label);
        const int lx = std::clamp(x - w / 2, timelineLeft() - 8, int(timelineRight()) + 12 - w);
        const QRect labelRect(lx, rect.top(), w + 2, rect.height() - 5);
        if (std::any_of(gapLabels.begin(), gapLabels.end(),
                [&](const GapLabel& gap) { return gap.rect.intersects(labelRect); }))
            continue;
        p.drawText(labelRect, Qt::AlignVCenter | Qt::AlignLeft, label);
    }
    // Each collapsed gap's duration over its break marker.
    for (const GapLabel& gap : gapLabels) {
        p.setPen(palette().color(QPalette::Mid));
        p.setBrush(palette().base());
        p.drawRoundedRect(gap.rect, 3, 3);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(gap.rect, Qt::AlignCenter, gap.text);
    }
    p.setClipping(false);

    // Grid lines through the rows, painted here so they share the tick positions.
    QColor grid = palette().color(QPalette::Mid);
    grid.setAlpha(60);
    p.setPen(grid);
    for (double t : ticks) {
        const int x = int(std::lround(xForTime(t)));
        if (x > m_nameWidth)
            p.drawLine(x, rect.bottom() + 1, x, viewport()->height());
    }
}

void WaterfallView::paintGaps(QPainter& p, const QRect& axisRect)
{
    // Collapsed idle gaps: a hatched band through the rows, and a break marker (two slanted strokes) on the ruler.
    const int height = viewport()->height();
    const int width = viewport()->width();
    QColor band = palette().color(QPalette::Window);
    band.setAlpha(150); // a duration label beside a bar may reach into the gap: keep it legible
    QColor hatch = palette().color(QPalette::Mid);
    hatch.setAlpha(120);
    p.save();
    for (const TimeAxis::Segment& gap : m_axis.gaps()) {
        const double x1 = std::max(double(m_nameWidth + 1), xForTime(gap.start));
        const double x2 = std::min(double(width), xForTime(gap.end));
        if (x2 <= x1)
            continue;
        const int left = int(std::floor(x1));
        const int w = std::max(1, int(std::ceil(x2)) - left);
        if (axisRect.isNull()) {
            const QRect rect(left, m_axisHeight, w, height - m_axisHeight);
            p.fillRect(rect, band);
            p.fillRect(rect, QBrush(hatch, Qt::BDiagPattern));
            p.setPen(hatch);
            p.drawLine(left, m_axisHeight, left, height);
            p.drawLine(left + w - 1, m_axisHeight, left + w - 1, height);
            continue;
        }
        const QRect rect(left, axisRect.top(), w, axisRect.height());
        p.fillRect(rect, palette().window());
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(palette().color(QPalette::WindowText), 1.5));
        const double cx = (x1 + x2) / 2;
        const double top = axisRect.bottom() - 9;
        const double bottom = axisRect.bottom() + 1;
        for (double dx : { -3.0, 3.0 })
            p.drawLine(QPointF(cx + dx - 3, bottom), QPointF(cx + dx + 3, top));
        p.setRenderHint(QPainter::Antialiasing, false);
    }
    p.restore();
}

void WaterfallView::paintRow(QPainter& p, int row, int y)
{
    const int spanIndex = m_rows[row];
    const SpanTree::Record& span = m_tree->spans[spanIndex];
    const SpanTree::Node& node = m_tree->nodes[spanIndex];
    const int width = viewport()->width();
    const QRect rowRect(0, y, width, m_rowHeight);
    const bool selected = spanIndex == m_selected;
    const bool error = span.statusCode == StatusCode::Error;
    const QColor color = serviceColor(serviceNameOf(spanIndex));

    if (selected) {
        QColor highlight = palette().color(QPalette::Highlight);
        highlight.setAlpha(hasFocus() ? 70 : 45);
        p.fillRect(rowRect, highlight);
    } else if (m_isMatch.size() > std::size_t(spanIndex) && m_isMatch[spanIndex]) {
        const bool current = m_currentMatch >= 0 && m_matches[m_currentMatch] == spanIndex;
        p.fillRect(rowRect, current ? QColor(255, 213, 79, 200) : QColor(255, 236, 179, 160));
    } else if (row % 2) {
        p.fillRect(rowRect, palette().color(QPalette::AlternateBase));
    }

    // Name column.
    const int x0 = indentOf(node.depth);
    const int cy = y + m_rowHeight / 2;
    if (m_tree->childCount(spanIndex) > 0) {
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(Qt::NoPen);
        p.setBrush(palette().color(QPalette::Text));
        QPolygonF triangle;
        if (m_collapsed[spanIndex])
            triangle << QPointF(x0 + 2, cy - 4) << QPointF(x0 + 7, cy) << QPointF(x0 + 2, cy + 4);
        else
            triangle << QPointF(x0, cy - 2) << QPointF(x0 + 8, cy - 2) << QPointF(x0 + 4, cy + 3);
        p.drawPolygon(triangle);
        p.setRenderHint(QPainter::Antialiasing, false);
    }
    const int chipX = x0 + 12;
    if (isIndentCapped(node.depth)) {
        // The indent stopped: the depth, right-aligned before the arrow, says how deep the row is.
        QFont small = font();
        small.setPointSizeF(font().pointSizeF() * 0.8);
        p.setFont(small);
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(0, y, std::max(0, x0 - 2), m_rowHeight), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(node.depth));
        p.setFont(font());
    }
    p.fillRect(QRect(chipX, cy - ChipSize / 2, ChipSize, ChipSize), color);
    int textRight = m_nameWidth - 6;
    if (error) {
        // Error marker at the right edge of the name column.
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(Qt::NoPen);
        p.setBrush(ErrorColor);
        p.drawEllipse(QPointF(m_nameWidth - 11, cy), 5, 5);
        p.setPen(Qt::white);
        QFont bold = font();
        bold.setBold(true);
        bold.setPointSizeF(font().pointSizeF() * 0.8);
        p.setFont(bold);
        p.drawText(QRectF(m_nameWidth - 16, cy - 5, 10, 10), Qt::AlignCenter, QStringLiteral("!"));
        p.setFont(font());
        p.setRenderHint(QPainter::Antialiasing, false);
        textRight -= 14;
    }
    const QFontMetrics fm(font());
    int textX = chipX + ChipSize + 6;
    const GenAi::SpanRole step = stepRole(spanIndex);
    if (step != GenAi::SpanRole::None) {
        const int iconSize = std::min(16, m_rowHeight - 4);
        GenAiIcons::icon(step).paint(&p, QRect(textX, cy - iconSize / 2, iconSize, iconSize));
        textX += iconSize + 4;
    }
    QString label = m_tree->nameOf(spanIndex);
    if (m_collapsed[spanIndex] && m_tree->childCount(spanIndex) > 0)
        label += QStringLiteral(" (%1)").arg(m_tree->childCount(spanIndex));
    p.setPen(error ? ErrorColor : palette().color(selected ? QPalette::Text : QPalette::Text));
    p.drawText(QRect(textX, y, std::max(0, textRight - textX), m_rowHeight), Qt::AlignVCenter | Qt::AlignLeft,
        fm.elidedText(label, Qt::ElideRight, std::max(0, textRight - textX)));
    // Service name, dimmed, when there is room after the span name.
    const int nameWidth = fm.horizontalAdvance(label);
    const int serviceX = textX + nameWidth + 8;
    if (serviceX + 30 < textRight && !serviceNameOf(spanIndex).isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(serviceX, y, textRight - serviceX, m_rowHeight), Qt::AlignVCenter | Qt::AlignLeft,
            fm.elidedText(serviceNameOf(spanIndex), Qt::ElideRight, textRight - serviceX));
    }

    // Timeline: clip so bars never spill into the name column.
    p.save();
    p.setClipRect(QRect(m_nameWidth + 1, y, width - m_nameWidth - 1, m_rowHeight), Qt::IntersectClip);
    const double start = double(span.startTimeUnixNano - m_tree->startTimeUnixNano);
    const double duration = double(span.durationNanos());
    const double left = timelineLeft() - 20.0;
    const double right = width + 20.0;
    // Doubles, clamped before converting: at deep zoom the unclipped coordinates exceed int range.
    const double x1 = std::clamp(xForTime(start), left, right);
    const double x2 = std::clamp(xForTime(start + duration), left, right);
    const int barTop = y + 4;
    const int barHeight = m_rowHeight - 8;
    // Spans narrower than a pixel still get one, so nothing vanishes at low zoom.
    const int bx = int(std::floor(x1));
    const int bw = std::max(1, int(std::ceil(x2)) - bx);
    const QRect bar(bx, barTop, bw, barHeight);
    const bool pathShown = m_showCriticalPath && m_criticalPath;
    const bool onPath = pathShown && isOnCriticalPath(spanIndex);
    QColor barColor = selected ? color.darker(125) : color;
    if (pathShown && !onPath)
        barColor.setAlpha(70); // off the critical path: faded
    p.fillRect(bar, barColor);
    if (onPath) {
        // The stretches the trace waited on this span itself: a stripe in the text colour along the bar's bottom.
        const QColor stripe = palette().color(QPalette::Text);
        const int stripeHeight = std::max(3, barHeight / 4);
        const auto [firstSection, lastSection] = pathSectionsOf(spanIndex);
        for (auto it = firstSection; it != lastSection; ++it) {
            const CriticalPath::Section& section = *it;
            const double sx1 = std::clamp(xForTime(double(section.startUnixNano - m_tree->startTimeUnixNano)), left, right);
            const double sx2 = std::clamp(xForTime(double(section.endUnixNano - m_tree->startTimeUnixNano)), left, right);
            const int sx = int(std::floor(sx1));
            p.fillRect(QRect(sx, barTop + barHeight - stripeHeight, std::max(1, int(std::ceil(sx2)) - sx), stripeHeight),
                stripe);
        }
    }
    if (error) {
        p.setPen(QPen(ErrorColor, 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar.adjusted(1, 1, -1, -1));
    } else if (selected) {
        p.setPen(color.darker(170));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar.adjusted(0, 0, -1, -1));
    }
    // Events as ticks on the bar.
    const std::vector<SpanEvent>& events = m_tree->eventsOf(spanIndex);
    if (bw > 3 && !events.empty()) {
        p.setPen(color.darker(220));
        for (const SpanEvent& event : events) {
            if (event.timeUnixNano < m_tree->startTimeUnixNano)
                continue;
            const double ex = xForTime(double(event.timeUnixNano - m_tree->startTimeUnixNano));
            if (ex >= bx && ex <= bx + bw)
                p.drawLine(int(ex), barTop + 1, int(ex), barTop + barHeight - 2);
        }
    }

    // Duration label inside the bar, else beside it, else not at all.
    const QString text = TraceListModel::formatDuration(span.durationNanos());
    const int tw = fm.horizontalAdvance(text);
    const int visibleLeft = std::max(bx, timelineLeft());
    const int visibleRight = std::min(bx + bw, width);
    if (visibleRight - visibleLeft >= tw + 8) {
        p.setPen(pathShown && !onPath ? palette().color(QPalette::Text) : textColorOn(selected ? color.darker(125) : color));
        p.drawText(QRect(visibleLeft + 4, y, visibleRight - visibleLeft - 8, m_rowHeight), Qt::AlignVCenter | Qt::AlignLeft,
            text);
    } else if (bx + bw + 4 + tw < width - 4) {
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(bx + bw + 4, y, tw + 2, m_rowHeight), Qt::AlignVCenter | Qt::AlignLeft, text);
    } else if (bx - 4 - tw > timelineLeft()) {
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(bx - 4 - tw, y, tw + 2, m_rowHeight), Qt::AlignVCenter | Qt::AlignLeft, text);
    }
    p.restore();
}

// ---- input ----

void WaterfallView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_pressPos = event->position().toPoint();
    m_lastDragPos = m_pressPos;
    m_drag = std::abs(m_pressPos.x() - m_nameWidth) <= DividerGrip ? DragMode::ResizeColumn : DragMode::Pending;
    event->accept();
}

void WaterfallView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (m_drag == DragMode::None) {
        viewport()->setCursor(std::abs(pos.x() - m_nameWidth) <= DividerGrip ? Qt::SplitHCursor : Qt::ArrowCursor);
        return;
    }
    if (m_drag == DragMode::ResizeColumn) {
        setNameColumnWidth(pos.x());
        return;
    }
    if (m_drag == DragMode::Pending && (pos - m_pressPos).manhattanLength() > 4) {
        m_drag = DragMode::Pan;
        viewport()->setCursor(Qt::ClosedHandCursor);
    }
    if (m_drag == DragMode::Pan) {
        const QPoint delta = pos - m_lastDragPos;
        m_lastDragPos = pos;
        if (m_pressPos.x() > m_nameWidth) {
            const double nanosPerPixel = m_zoom->rangeDuration() / std::max(1, timelineRight() - timelineLeft());
            m_zoom->pan(-delta.x() * nanosPerPixel);
        }
        verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
    }
}

void WaterfallView::mouseReleaseEvent(QMouseEvent* event)
{
    const DragMode mode = m_drag;
    m_drag = DragMode::None;
    viewport()->setCursor(Qt::ArrowCursor);
    if (event->button() != Qt::LeftButton || mode != DragMode::Pending)
        return;
    const QPoint pos = event->position().toPoint();
    const int row = rowAt(pos.y());
    if (row < 0)
        return;
    const int spanIndex = m_rows[row];
    const int x0 = indentOf(m_tree->nodes[spanIndex].depth);
    if (!m_tree->children(spanIndex).empty() && pos.x() >= x0 - 4 && pos.x() <= x0 + 11) {
        setCollapsed(spanIndex, !m_collapsed[spanIndex]);
        return;
    }
    selectIndex(spanIndex);
}

void WaterfallView::mouseDoubleClickEvent(QMouseEvent* event)
{
    const int row = rowAt(event->position().toPoint().y());
    if (row >= 0 && event->button() == Qt::LeftButton)
        setCollapsed(m_rows[row], !m_collapsed[m_rows[row]]);
}

void WaterfallView::wheelEvent(QWheelEvent* event)
{
    const QPoint delta = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        const double x = event->position().x();
        const double center = x > timelineLeft() ? axisForX(x) : (m_zoom->rangeStart() + m_zoom->rangeEnd()) / 2;
        m_zoom->zoom(std::pow(1.0015, delta.y()), center);
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

void WaterfallView::keyPressEvent(QKeyEvent* event)
{
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    const double center = (m_zoom->rangeStart() + m_zoom->rangeEnd()) / 2;
    const int pageRows = std::max(1, (viewport()->height() - m_axisHeight) / m_rowHeight - 1);
    switch (event->key()) {
    case Qt::Key_Up:
        moveSelection(-1);
        break;
    case Qt::Key_Down:
        moveSelection(1);
        break;
    case Qt::Key_PageUp:
        moveSelection(-pageRows);
        break;
    case Qt::Key_PageDown:
        moveSelection(pageRows);
        break;
    case Qt::Key_Home:
        if (!m_rows.empty())
            selectIndex(m_rows.front());
        break;
    case Qt::Key_End:
        if (!m_rows.empty())
            selectIndex(m_rows.back());
        break;
    case Qt::Key_Left:
        if (shift) {
            m_zoom->pan(-m_zoom->rangeDuration() * 0.1);
        } else if (m_selected >= 0) {
            if (!m_tree->children(m_selected).empty() && !m_collapsed[m_selected])
                setCollapsed(m_selected, true);
            else if (m_tree->nodes[m_selected].parent >= 0)
                selectIndex(m_tree->nodes[m_selected].parent);
        }
        break;
    case Qt::Key_Right:
        if (shift) {
            m_zoom->pan(m_zoom->rangeDuration() * 0.1);
        } else if (m_selected >= 0 && !m_tree->children(m_selected).empty()) {
            if (m_collapsed[m_selected])
                setCollapsed(m_selected, false);
            else
                selectIndex(m_tree->children(m_selected).front());
        }
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        m_zoom->zoom(1.5, center);
        break;
    case Qt::Key_Minus:
        m_zoom->zoom(1 / 1.5, center);
        break;
    case Qt::Key_0:
        m_zoom->reset();
        break;
    case Qt::Key_F3:
        if (shift)
            findPrevious();
        else
            findNext();
        break;
    case Qt::Key_Asterisk:
        expandAll();
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

void WaterfallView::setStepRoles(std::vector<GenAi::SpanRole> roles)
{
    if (!m_tree || roles.size() != m_tree->spans.size())
        roles.clear();
    if (roles == m_stepRoles)
        return;
    m_stepRoles = std::move(roles);
    viewport()->update();
}

void WaterfallView::setCriticalPath(std::shared_ptr<const CriticalPath::Result> path)
{
    const std::size_t count = m_tree ? m_tree->spans.size() : 0;
    if (path && (path->root < 0 || std::size_t(path->root) >= count))
        path.reset();
    m_criticalPath = std::move(path);
    m_pathSections.clear();
    if (m_criticalPath) {
        m_pathSections = m_criticalPath->sections;
        std::stable_sort(m_pathSections.begin(), m_pathSections.end(),
            [](const CriticalPath::Section& a, const CriticalPath::Section& b) { return a.span < b.span; });
    }
    if (m_showCriticalPath)
        viewport()->update();
}

void WaterfallView::setCriticalPathShown(bool shown)
{
    if (shown == m_showCriticalPath)
        return;
    m_showCriticalPath = shown;
    viewport()->update();
}

bool WaterfallView::isOnCriticalPath(int spanIndex) const
{
    const auto [first, last] = pathSectionsOf(spanIndex);
    return first != last;
}

std::pair<std::vector<CriticalPath::Section>::const_iterator, std::vector<CriticalPath::Section>::const_iterator>
WaterfallView::pathSectionsOf(int spanIndex) const
{
    CriticalPath::Section key;
    key.span = spanIndex;
    return std::equal_range(m_pathSections.begin(), m_pathSections.end(), key,
        [](const CriticalPath::Section& a, const CriticalPath::Section& b) { return a.span < b.span; });
}

GenAi::SpanRole WaterfallView::stepRole(int spanIndex) const
{
    return spanIndex >= 0 && std::size_t(spanIndex) < m_stepRoles.size() ? m_stepRoles[std::size_t(spanIndex)]
                                                                         : GenAi::SpanRole::None;
}

bool WaterfallView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_tree) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int row = rowAt(help->pos().y());
        if (row < 0) {
            QToolTip::hideText();
            return true;
        }
        const SpanTree::Record& span = m_tree->spans[m_rows[row]];
        const GenAi::SpanRole step = stepRole(m_rows[row]);
        QString text = QStringLiteral("<b>%1</b><br>").arg(m_tree->nameOf(m_rows[row]).toHtmlEscaped())
            + (step == GenAi::SpanRole::None ? QString() : GenAiIcons::roleName(step) + QStringLiteral("<br>"))
            + tr("Service: %1").arg(serviceNameOf(m_rows[row]).toHtmlEscaped()) + QStringLiteral("<br>")
            + tr("Duration: %1").arg(TraceListModel::formatDuration(span.durationNanos())) + QStringLiteral("<br>")
            + tr("Start: +%1").arg(TraceListModel::formatDuration(span.startTimeUnixNano - m_tree->startTimeUnixNano));
        if (span.statusCode == StatusCode::Error)
            text += QStringLiteral("<br><span style=\"color:#d32f2f\">")
                + tr("Error: %1").arg(m_tree->statusMessageOf(m_rows[row]).toHtmlEscaped()) + QStringLiteral("</span>");
        QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}
