#pragma once

#include "model/logrecord.h"
#include "model/span.h"

#include <QAbstractItemModel>
#include <QHash>

#include <memory>
#include <vector>

/**
 * The spans of one trace arranged as a tree by parent span id. Immutable once built, so it can be built on a
 * worker thread and then shared (as shared_ptr<const SpanTree>) by SpanTreeModel and the waterfall.
 *
 * `spans` are sorted by start time (ties: longer first, then span id); `nodes` is parallel to `spans`. Children
 * of a node and the roots are in start-time order. A span whose parent is not in the trace (dangling parent),
 * or that sits on a parent cycle, becomes a root. If a span id occurs twice, the first occurrence is the one
 * children attach to. Times in Unix ns.
 */
struct SpanTree {
    struct Node {
        int parent = -1; ///< index into spans; -1 for roots
        int row = 0; ///< position among the parent's children (or among the roots)
        int depth = 0; ///< 0 for roots
        std::vector<int> children; ///< indexes into spans
    };

    std::vector<Span> spans;
    std::vector<Node> nodes;
    std::vector<int> roots;
    QHash<SpanId, int> indexById;
    std::uint64_t startTimeUnixNano = 0; ///< earliest span start
    std::uint64_t endTimeUnixNano = 0; ///< latest span end
    int maxDepth = 0;
    /// The trace's OTLP log records (those with this trace id), by time (LogRecord::effectiveTimeUnixNano), then
    /// observed time; records of spans that are not in `spans` are kept too.
    std::vector<LogRecord> logs;
    QHash<SpanId, std::vector<int>> logsBySpan; ///< indexes into logs, per span id, in time order
    /// The spans are outlines (SpanOutline: attributes and event attributes left out, except on possible GenAI
    /// steps), as large traces are loaded; read a span in full from the store (TraceStore::span) to show it.
    bool outline = false;

    /// Sorts the spans by start and links them into a tree (cycles cut open); sorts and indexes the log records.
    static std::shared_ptr<const SpanTree> build(std::vector<Span> spans, std::vector<LogRecord> logs = {},
                                                 bool outline = false);

    /// The log records of one span, in time order (empty when it has none).
    std::vector<const LogRecord*> logsOf(const SpanId& id) const;

    /// Index into spans, or -1 when the span is not in this trace.
    int indexOf(const SpanId& id) const { return indexById.value(id, -1); }
    std::uint64_t durationNanos() const
    {
        return endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0;
    }
    TraceId traceId() const { return spans.empty() ? TraceId() : spans.front().traceId; }
    /// True when `ancestor` is on the parent chain of `index` (not counting `index` itself).
    bool isAncestor(int ancestor, int index) const;
};

/**
 * Tree model over a SpanTree: one row per span under its parent, columns name, service, duration and start
 * offset from the trace start. GUI thread only; setTree() replaces the content with a model reset.
 */
class SpanTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, ServiceColumn, DurationColumn, StartOffsetColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< raw value: name, service, duration ns, start offset ns
        SpanIdRole, ///< QString, hex span id
        SpanIndexRole, ///< int, index into SpanTree::spans
        IsErrorRole, ///< bool, status code is error
    };

    explicit SpanTreeModel(QObject* parent = nullptr);
    ~SpanTreeModel() override;

    void setTree(std::shared_ptr<const SpanTree> tree);
    void setSpans(std::vector<Span> spans) { setTree(SpanTree::build(std::move(spans))); }
    void clear() { setTree(nullptr); }
    std::shared_ptr<const SpanTree> tree() const { return m_tree; }

    QModelIndex indexForSpan(const SpanId& id, int column = 0) const;
    /// The span behind `index`, or nullptr.
    const Span* spanAt(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const SpanTree> m_tree;
};
