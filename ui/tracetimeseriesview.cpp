#include "ui/tracetimeseriesview.h"

#include "model/guardedjob.h"
#include "model/tracelistmodel.h"
#include "storage/tracestore.h"

#include <QAreaSeries>
#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {
constexpr int ClickSlop = 5; // px: a press and release further apart is no click
/// Past this many buckets the empty ones are not filled in (a 1-day step over decades of stray timestamps).
constexpr std::uint64_t MaxFilledBuckets = 5000;

double msOf(std::uint64_t unixNano) { return double(unixNano / 1'000'000ULL) + double(unixNano % 1'000'000ULL) / 1e6; }

/// A line through one step per bucket: (start, v), (end, v), so the area under it reads like bars on a time axis.
QLineSeries* steps(const std::vector<TraceTimeBucket>& buckets, std::uint64_t bucketNanos,
                   const std::function<double(const TraceTimeBucket&)>& value, QObject* parent)
{
    auto* line = new QLineSeries(parent);
    QList<QPointF> points;
    points.reserve(qsizetype(buckets.size() * 2));
    for (const TraceTimeBucket& b : buckets) {
        const double v = value(b);
        points.append(QPointF(msOf(b.startTimeUnixNano), v));
        points.append(QPointF(msOf(b.startTimeUnixNano + bucketNanos), v));
    }
    line->replace(points);
    return line;
}
} // namespace

TraceTimeSeriesView::Series TraceTimeSeriesView::compute(TraceStore& store, const TraceQuery& filter,
                                                         std::uint64_t nowUnixNano)
{
    Series out;
    std::uint64_t from = filter.startTimeFromUnixNano;
    std::uint64_t to = filter.startTimeToUnixNano;
    if (!from) {
        // The matching traces' range: the first and the last by start (each one row along the start time index).
        TraceQuery ends = filter;
        ends.order = TraceOrder::StartTime;
        ends.limit = 1;
        ends.offset = 0;
        ends.hasCursor = false;
        ends.descending = false;
        const std::vector<TraceSummary> first = store.listTraces(ends, &out.error);
        if (!out.error.isEmpty())
            return out;
        ends.descending = true;
        const std::vector<TraceSummary> last = to ? std::vector<TraceSummary>() : store.listTraces(ends, &out.error);
        if (!out.error.isEmpty())
            return out;
        if (first.empty()) { // nothing matches: the last hour, empty
            to = to ? to : nowUnixNano;
            from = to > 3600 * TraceTimeSeries::NanosPerSecond ? to - 3600 * TraceTimeSeries::NanosPerSecond : 0;
        } else {
            from = first.front().startTimeUnixNano;
            if (!to)
                to = last.empty() ? from : last.front().startTimeUnixNano;
        }
    } else if (!to) {
        to = std::max(from, nowUnixNano);
    }
    to = std::max(from, to);
    // At least a minute: a single trace gets 1 s buckets around it.
    const std::uint64_t range = std::max<std::uint64_t>(to - from, 60 * TraceTimeSeries::NanosPerSecond);
    out.bucketNanos = TraceTimeSeries::niceBucketSize(range);
    out.fromUnixNano = TraceTimeSeries::bucketStart(from, out.bucketNanos);
    out.toUnixNano = to;
    std::vector<TraceTimeBucket> sparse = store.traceTimeSeries(filter, out.bucketNanos, &out.error);
    if (!out.error.isEmpty())
        return out;
    out.buckets = (to - out.fromUnixNano) / out.bucketNanos > MaxFilledBuckets
        ? std::move(sparse)
        : TraceTimeSeries::filled(sparse, out.bucketNanos, out.fromUnixNano, to);
    return out;
}

TraceTimeSeriesView::TraceTimeSeriesView(QWidget* parent)
    : QChartView(parent)
{
    setObjectName(QStringLiteral("traceTimeSeries"));
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(110);
    setToolTip(tr("The traces matching the list's filter over time, by start time: click a bucket to filter the list "
                  "to it"));
    redraw();
}

TraceTimeSeriesView::~TraceTimeSeriesView()
{
    m_running.waitForFinished();
}

void TraceTimeSeriesView::setSource(Source source)
{
    m_running.waitForFinished(); // a computation reading through the previous source ends here
    m_source = std::move(source);
    ++m_generation; // its result is stale
    m_computing = false;
    m_dirty = true;
    if (m_timer) {
        killTimer(m_timer);
        m_timer = 0;
    }
    if (isVisible())
        start();
}

void TraceTimeSeriesView::refresh()
{
    m_dirty = true;
    if (!isVisible() || m_timer)
        return;
    const qint64 since = m_lastStart.isValid() ? m_lastStart.elapsed() : RefreshIntervalMs;
    if (since >= RefreshIntervalMs && !m_computing)
        start();
    else
        m_timer = startTimer(std::max<int>(1, RefreshIntervalMs - int(std::min<qint64>(since, RefreshIntervalMs))));
}

void TraceTimeSeriesView::timerEvent(QTimerEvent* event)
{
    if (event->timerId() != m_timer) {
        QChartView::timerEvent(event);
        return;
    }
    killTimer(m_timer);
    m_timer = 0;
    if (!m_dirty || !isVisible())
        return;
    if (m_computing) // again once this one is done
        m_timer = startTimer(RefreshIntervalMs);
    else
        start();
}

void TraceTimeSeriesView::showEvent(QShowEvent* event)
{
    QChartView::showEvent(event);
    if (m_dirty && !m_computing)
        start();
}

void TraceTimeSeriesView::start()
{
    m_dirty = false;
    m_lastStart.start();
    const quint64 generation = ++m_generation;
    if (!m_source) {
        m_computing = false;
        m_series = Series();
        redraw();
        Q_EMIT computed();
        return;
    }
    m_computing = true;
    QFuture<Series> work = GuardedJob::run(m_pool, [source = m_source] { return source(); });
    m_running = QFuture<void>(work);
    GuardedJob::deliver(work, this, [this, generation](const Series& series) {
        if (generation != m_generation)
            return;
        m_computing = false;
        m_series = series;
        redraw();
        Q_EMIT computed();
    });
}

void TraceTimeSeriesView::waitForIdle()
{
    m_running.waitForFinished();
    QCoreApplication::sendPostedEvents(); // deliver the result
}

void TraceTimeSeriesView::setMetric(Metric metric)
{
    if (metric == m_metric)
        return;
    m_metric = metric;
    redraw();
}

QString TraceTimeSeriesView::bucketUnit(std::uint64_t bucketNanos)
{
    constexpr std::uint64_t s = TraceTimeSeries::NanosPerSecond;
    if (bucketNanos == s)
        return tr("s");
    if (bucketNanos == 60 * s)
        return tr("min");
    if (bucketNanos == 3600 * s)
        return tr("h");
    if (bucketNanos == 86400 * s)
        return tr("day");
    if (bucketNanos % (86400 * s) == 0)
        return tr("%1 days").arg(bucketNanos / (86400 * s));
    if (bucketNanos % (3600 * s) == 0)
        return tr("%1 h").arg(bucketNanos / (3600 * s));
    if (bucketNanos % (60 * s) == 0)
        return tr("%1 min").arg(bucketNanos / (60 * s));
    if (bucketNanos % s == 0)
        return tr("%1 s").arg(bucketNanos / s);
    return TraceListModel::formatDuration(bucketNanos);
}

QString TraceTimeSeriesView::valueAxisTitle() const
{
    const auto* axis = chart()->axes(Qt::Vertical).isEmpty() ? nullptr : chart()->axes(Qt::Vertical).first();
    return axis ? axis->titleText() : QString();
}

void TraceTimeSeriesView::redraw()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const QColor text = palette().color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(40);
    auto* chart = new QChart;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 0, 4, 2));
    chart->legend()->setAlignment(Qt::AlignRight); // beside the plot: the pane is wide and low
    chart->legend()->setLabelColor(text);
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    chart->legend()->setFont(small);

    const std::vector<TraceTimeBucket>& buckets = m_series.buckets;
    const std::uint64_t size = m_series.bucketNanos;
    const QString unit = size ? bucketUnit(size) : tr("min");
    auto* x = new QDateTimeAxis;
    auto* y = new QValueAxis;
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractAxis* axis : { static_cast<QAbstractAxis*>(x), static_cast<QAbstractAxis*>(y) }) {
        axis->setLabelsColor(text);
        axis->setGridLineColor(grid);
        axis->setTitleBrush(text);
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
    }
    const QColor blue = dark ? QColor(0x64, 0xb5, 0xf6) : QColor(0x1e, 0x88, 0xe5);
    const QColor red = QColor(0xe5, 0x39, 0x35);
    const QColor orange = dark ? QColor(0xff, 0xb7, 0x4d) : QColor(0xfb, 0x8c, 0x00);
    const QColor purple = dark ? QColor(0xba, 0x68, 0xc8) : QColor(0x8e, 0x24, 0xaa);
    double most = 0;
    const auto area = [&](const QString& name, QLineSeries* upper, QLineSeries* lower, const QColor& color) {
        auto* series = new QAreaSeries(upper, lower);
        upper->setParent(series);
        if (lower)
            lower->setParent(series);
        series->setName(name);
        QColor fill = color;
        fill.setAlpha(170);
        series->setBrush(fill);
        series->setPen(QPen(color, 1));
        chart->addSeries(series);
        series->attachAxis(x);
        series->attachAxis(y);
        for (const QPointF& p : upper->points())
            most = std::max(most, p.y());
        return series;
    };
    m_positionSeries = nullptr;
    switch (m_metric) {
    case Metric::Throughput: {
        m_positionSeries = area(tr("Traces"), steps(buckets, size, [](const TraceTimeBucket& b) { return double(b.traces); }, nullptr),
                                nullptr, blue);
        y->setTitleText(tr("traces / %1").arg(unit));
        y->setTitleBrush(blue);
        auto* spans = steps(buckets, size, [](const TraceTimeBucket& b) { return double(b.spans); }, nullptr);
        spans->setName(tr("Spans"));
        spans->setPen(QPen(orange, 1.5));
        chart->addSeries(spans);
        auto* right = new QValueAxis;
        chart->addAxis(right, Qt::AlignRight);
        right->setLabelsColor(text);
        right->setGridLineVisible(false);
        right->setTitleBrush(text);
        right->setLabelsFont(small);
        right->setTitleFont(small);
        right->setTitleText(tr("spans / %1").arg(unit));
        right->setTitleBrush(orange);
        right->setLabelFormat(QStringLiteral("%.0f"));
        double mostSpans = 0;
        for (const TraceTimeBucket& b : buckets)
            mostSpans = std::max(mostSpans, double(b.spans));
        right->setRange(0, mostSpans > 0 ? mostSpans * 1.05 : 1);
        right->setTickCount(4);
        right->applyNiceNumbers();
        spans->attachAxis(x);
        spans->attachAxis(right);
        break;
    }
    case Metric::ErrorRate:
        m_positionSeries = area(tr("Traces with errors (%)"),
                                steps(buckets, size,
                                      [](const TraceTimeBucket& b) {
                                          return b.traces > 0 ? 100.0 * double(b.errorTraces) / double(b.traces) : 0.0;
                                      },
                                      nullptr),
                                nullptr, red);
        y->setTitleText(tr("% with errors / %1").arg(unit));
        y->setTitleBrush(red);
        break;
    case Metric::Tokens: {
        QLineSeries* input = steps(buckets, size, [](const TraceTimeBucket& b) { return double(b.inputTokens); }, nullptr);
        m_positionSeries = area(tr("Input tokens"), input, nullptr, blue);
        QLineSeries* lower = steps(buckets, size, [](const TraceTimeBucket& b) { return double(b.inputTokens); }, nullptr);
        QLineSeries* upper = steps(buckets, size, [](const TraceTimeBucket& b) {
            return double(b.inputTokens) + double(b.outputTokens);
        }, nullptr);
        area(tr("Output tokens"), upper, lower, purple);
        y->setTitleText(tr("tokens / %1").arg(unit));
        break;
    }
    }
    y->setRange(0, m_metric == Metric::ErrorRate ? 100.0 : most > 0 ? most * 1.05 : 1);
    y->setTickCount(4);
    if (m_metric != Metric::ErrorRate)
        y->applyNiceNumbers();
    y->setLabelFormat(QStringLiteral("%.0f"));
    std::uint64_t from = m_series.fromUnixNano, to = m_series.toUnixNano;
    if (!size) {
        const std::uint64_t now = std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL;
        from = now - 3600 * TraceTimeSeries::NanosPerSecond;
        to = now;
    } else {
        to = TraceTimeSeries::bucketStart(std::max(from, to), size) + size;
        if (!buckets.empty()) {
            from = std::min(from, buckets.front().startTimeUnixNano);
            to = std::max(to, buckets.back().startTimeUnixNano + size);
        }
    }
    const double spanMs = std::max(1000.0, msOf(to) - msOf(from));
    x->setRange(QDateTime::fromMSecsSinceEpoch(qint64(msOf(from))), QDateTime::fromMSecsSinceEpoch(qint64(msOf(to))));
    x->setFormat(spanMs > 300 * 24 * 3600'000.0 ? QStringLiteral("yyyy-MM-dd")
                     : spanMs > 36 * 3600'000.0  ? QStringLiteral("MM-dd HH:mm")
                                                 : QStringLiteral("HH:mm:ss"));
    x->setTickCount(6);
    if (!m_series.error.isEmpty()) {
        chart->setTitle(tr("Cannot compute the time series: %1").arg(m_series.error));
        chart->setTitleBrush(red);
        chart->setTitleFont(small);
    }
    for (QLegendMarker* marker : chart->legend()->markers())
        marker->setLabelBrush(text);
    QChart* old = this->chart();
    setChart(chart); // releases the previous chart without deleting it
    delete old;
}

QStringList TraceTimeSeriesView::seriesNames() const
{
    QStringList names;
    for (const QAbstractSeries* s : chart()->series())
        names << s->name();
    return names;
}

std::vector<double> TraceTimeSeriesView::seriesValues(const QString& name) const
{
    std::vector<double> values;
    for (QAbstractSeries* s : chart()->series()) {
        if (s->name() != name)
            continue;
        const QXYSeries* upper = qobject_cast<QXYSeries*>(s);
        const QXYSeries* lower = nullptr;
        if (auto* a = qobject_cast<QAreaSeries*>(s)) {
            upper = a->upperSeries();
            lower = a->lowerSeries();
        }
        if (!upper)
            return values;
        for (qsizetype i = 0; i < upper->count(); i += 2)
            values.push_back(upper->at(i).y() - (lower ? lower->at(i).y() : 0.0));
        return values;
    }
    return values;
}

double TraceTimeSeriesView::xOfBucketStart(std::size_t index) const
{
    return msOf(m_series.buckets[index].startTimeUnixNano);
}

int TraceTimeSeriesView::bucketAt(const QPoint& position) const
{
    if (!m_positionSeries || !m_series.bucketNanos)
        return -1;
    const QPointF value = chart()->mapToValue(chart()->mapFromScene(mapToScene(position)), m_positionSeries);
    const QRectF plot = chart()->plotArea();
    if (!plot.contains(chart()->mapFromScene(mapToScene(position))))
        return -1;
    const double bucketMs = msOf(m_series.bucketNanos);
    for (std::size_t i = 0; i < m_series.buckets.size(); ++i) {
        const double start = xOfBucketStart(i);
        if (value.x() >= start && value.x() < start + bucketMs)
            return int(i);
    }
    return -1;
}

QPoint TraceTimeSeriesView::positionOfBucket(int index) const
{
    if (!m_positionSeries || index < 0 || std::size_t(index) >= m_series.buckets.size())
        return QPoint(-1, -1);
    const double middle = xOfBucketStart(std::size_t(index)) + msOf(m_series.bucketNanos) / 2;
    const QPointF at = chart()->mapToPosition(QPointF(middle, 0), m_positionSeries);
    const QRectF plot = chart()->plotArea();
    return mapFromScene(chart()->mapToScene(QPointF(at.x(), plot.center().y())));
}

void TraceTimeSeriesView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QChartView::mousePressEvent(event);
        return;
    }
    m_pressPos = event->position().toPoint();
    event->accept();
}

void TraceTimeSeriesView::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton) {
        QChartView::mouseReleaseEvent(event);
        return;
    }
    event->accept();
    const QPoint pos = event->position().toPoint();
    if ((pos - m_pressPos).manhattanLength() > ClickSlop)
        return;
    const int index = bucketAt(pos);
    if (index < 0)
        return;
    const std::uint64_t start = m_series.buckets[std::size_t(index)].startTimeUnixNano;
    Q_EMIT timeRangeSelected(start, start + m_series.bucketNanos - 1);
}

void TraceTimeSeriesView::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        redraw();
}
