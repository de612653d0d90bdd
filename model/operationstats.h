#pragma once

#include "model/spantreemodel.h"

#include <QHash>
#include <QString>

#include <cstdint>
#include <vector>

/**
 * Statistics per operation, an operation being a (service.name, span name) pair: how often it ran, how long (total,
 * its own self time, min / mean / p50 / p95 / max of its durations) and how often it failed (status ERROR). Times in
 * ns. Percentiles by the nearest-rank method over every duration (exact, no sketch).
 */
struct OperationStats {
    QString serviceName;
    QString spanName;
    qint64 count = 0;
    qint64 errors = 0;
    std::uint64_t totalNanos = 0; ///< sum of durations (saturated)
    std::uint64_t selfNanos = 0; ///< sum of self times (SpanSelfTime), saturated
    std::uint64_t minNanos = 0;
    std::uint64_t p50Nanos = 0;
    std::uint64_t p95Nanos = 0;
    std::uint64_t maxNanos = 0;
    /// Every duration, sorted (ns); filled only by OperationStatsBuilder::result(true), for histograms.
    std::vector<std::uint64_t> durations;

    /**
     * The durations in `buckets` equal-width bins from minNanos to maxNanos (the last bin includes the max): the
     * count per bin and each bin's lower edge (ns). Empty without durations.
     */
    struct Histogram {
        std::vector<std::uint64_t> lowerEdges;
        std::vector<qint64> counts;
        std::uint64_t binWidthNanos = 0;
    };
    Histogram histogram(int buckets) const;

    double meanNanos() const { return count > 0 ? double(totalNanos) / double(count) : 0.0; }
};

/**
 * Collects OperationStats over the spans of one or many traces: addTrace() per trace, then result(). Keeps every
 * duration until result() (8 bytes per span) for exact percentiles. Plain value; one thread at a time.
 */
class OperationStatsBuilder {
public:
    /// Adds every span of `tree` (self times from SpanSelfTime::compute).
    void addTrace(const SpanTree& tree);
    /// Adds one span: its service, name, duration (ns, 0 when the end is not after the start), self time, error.
    void addSpan(const QString& serviceName, const QString& spanName, std::uint64_t durationNanos,
                 std::uint64_t selfNanos, bool error);
    /// The operations, by total time, longest first (ties: service, then name, by code point); with
    /// `keepDurations`, each with its sorted durations (OperationStats::durations).
    std::vector<OperationStats> result(bool keepDurations = false) const;
    qint64 spanCount() const { return m_spans; }

private:
    struct Group {
        OperationStats stats;
        std::vector<std::uint64_t> durations;
    };
    QHash<QPair<QString, QString>, int> m_index;
    std::vector<Group> m_groups;
    qint64 m_spans = 0;
};
