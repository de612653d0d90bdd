#pragma once

#include "model/operationstats.h"
#include "model/span.h"

#include <QHash>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

/**
 * Feeds an OperationStatsBuilder from the few columns statistics need, read row by row (the stores'
 * TraceStore::operationStats, which read those instead of whole spans): add() every span of one trace, then
 * endTrace(); then the next trace. Each trace goes through SpanTree::build and OperationStatsBuilder::addTrace, so
 * the tree (dangling parents, cycles, duplicate ids) and the self times are exactly those of whole spans. Spans of
 * one service share one Resource holding only service.name. Plain value; one thread at a time.
 */
class OperationStatsRows {
public:
    explicit OperationStatsRows(OperationStatsBuilder* builder)
        : m_builder(builder)
    {
    }
    /// One span of the current trace: ids, resource service.name (empty: none), name, start and end (Unix ns).
    void add(const SpanId& spanId, const SpanId& parentSpanId, const QString& serviceName, QString name,
        std::uint64_t startTimeUnixNano, std::uint64_t endTimeUnixNano, bool error);
    /// Adds the current trace's spans (if any) to the builder and starts the next trace.
    void endTrace();

private:
    OperationStatsBuilder* m_builder;
    std::vector<Span> m_spans;
    QHash<QString, std::shared_ptr<const Resource>> m_resources;
    QString m_lastService; // the previous span's, and its resource
    std::shared_ptr<const Resource> m_lastResource;
};
