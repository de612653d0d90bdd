#pragma once

#include <QObject>
#include <QString>

/**
 * Visible time window of the waterfall, shared by the axis and the bars. Times are nanoseconds relative to the
 * trace start; the trace spans [0, traceDuration]. The range never leaves the trace, never gets narrower than
 * MinimumRange ns, and setters emit only on change. GUI thread only.
 */
class ZoomControl : public QObject {
    Q_OBJECT
public:
    static constexpr double MinimumRange = 10.0; ///< ns

    explicit ZoomControl(QObject* parent = nullptr);
    ~ZoomControl() override;

    double traceDuration() const { return m_traceDuration; }
    double rangeStart() const { return m_rangeStart; }
    double rangeEnd() const { return m_rangeEnd; }
    double rangeDuration() const { return m_rangeEnd - m_rangeStart; }
    bool isZoomed() const { return m_rangeStart > 0 || m_rangeEnd < m_traceDuration; }

    /// New trace: shows all of it.
    void setTraceDuration(double nanos);
    void setRange(double start, double end);
    /// factor > 1 zooms in; `center` (ns) keeps its relative position in the window.
    void zoom(double factor, double center);
    void pan(double deltaNanos);
    void reset() { setRange(0, m_traceDuration); }

    /// Spacing of axis ticks: 1, 2 or 5 times a power of ten, at least `raw` (ns).
    static double niceStep(double raw);
    /// Label of the tick at `nanos` for ticks `step` ns apart, in the unit of the step ("1.5 ms"), or in a larger one
    /// when that would take 5 digits or more before the point ("250.05 s", not "250050 ms").
    static QString tickLabel(double nanos, double step);

Q_SIGNALS:
    void rangeChanged(double start, double end);
    void traceDurationChanged(double nanos);

private:
    double m_traceDuration = MinimumRange;
    double m_rangeStart = 0;
    double m_rangeEnd = MinimumRange;
};
