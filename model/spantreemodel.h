#pragma once

#include "model/logrecord.h"
#include "model/span.h"

#include <QAbstractItemModel>
#include <QHash>

#include <iterator>
#include <memory>
#include <vector>

/**
 * Indexes into SpanTree::spans: the children of one span, or the roots (SpanTree::children). A view into the tree,
 * valid while the tree lives.
 */
class SpanIndexRange {
public:
    SpanIndexRange() = default;
    SpanIndexRange(const int* first, const int* last)
        : m_begin(first)
        , m_end(last)
    {
    }
    const int* begin() const { return m_begin; }
    const int* end() const { return m_end; }
    std::reverse_iterator<const int*> rbegin() const { return std::reverse_iterator<const int*>(m_end); }
    std::reverse_iterator<const int*> rend() const { return std::reverse_iterator<const int*>(m_begin); }
    std::size_t size() const { return std::size_t(m_end - m_begin); }
    bool empty() const { return m_begin == m_end; }
    int operator[](std::size_t i) const { return m_begin[i]; }
    int front() const { return *m_begin; }
    int back() const { return m_end[-1]; }

private:
    const int* m_begin = nullptr;
    const int* m_end = nullptr;
};

/**
 * The spans of one trace arranged as a tree by parent span id. Immutable once built, so it can be built on a
 * worker thread and then shared (as shared_ptr<const SpanTree>) by SpanTreeModel and the waterfall.
 *
 * `spans` are sorted by start time (ties: longer first, then span id); `nodes` is parallel to `spans`. Children
 * of a node and the roots are in start-time order. A span whose parent is not in the trace (dangling parent),
 * or that sits on a parent cycle, becomes a root. If a span id occurs twice, the first occurrence is the one
 * children attach to. Times in Unix ns.
 *
 * Memory: a span is a 56-byte Record (ids, times, kind, status, flags and indexes into the tree's distinct names,
 * resources and scopes), a 16-byte Node, one int among the children and about 8 bytes of id index. Whatever else a
 * span carries (attributes, events, links, trace state, status message, dropped counts, another trace id) makes the
 * tree keep the whole Span beside its record (fullSpanOf); outlines (SpanOutline) carry little, so a large trace
 * holds about 90 bytes per span plus its distinct strings.
 */
struct SpanTree {
    /// One span without what only some spans carry (see fullSpanOf). Field names as in Span.
    struct Record {
        SpanId spanId;
        SpanId parentSpanId;
        std::uint64_t startTimeUnixNano = 0;
        std::uint64_t endTimeUnixNano = 0;
        std::uint32_t nameIndex = 0; ///< into names
        std::uint32_t resourceIndex = 0; ///< into resources (0: none)
        std::uint32_t scopeIndex = 0; ///< into scopes (0: none)
        std::int32_t full = -1; ///< index into fullSpans, -1 when the record is the whole span
        std::uint32_t flags = 0;
        SpanKind kind = SpanKind::Unspecified;
        StatusCode statusCode = StatusCode::Unset;

        std::uint64_t durationNanos() const
        {
            return endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0;
        }
        bool isRoot() const { return !parentSpanId.isValid(); }
    };
    struct Node {
        int parent = -1; ///< index into spans; -1 for roots
        int row = 0; ///< position among the parent's children (or among the roots)
        int depth = 0; ///< 0 for roots
        int firstChild = 0; ///< into childIndexes; its children end where the next node's begin
    };

    std::vector<Record> spans;
    std::vector<Node> nodes;
    std::vector<int> childIndexes; ///< the children of every node, node after node (Node::firstChild)
    std::vector<int> roots;
    std::vector<QString> names; ///< distinct span names
    std::vector<std::shared_ptr<const Resource>> resources; ///< distinct resources; [0] is null
    std::vector<QString> resourceServices; ///< service.name per entry of resources
    std::vector<std::shared_ptr<const InstrumentationScope>> scopes; ///< distinct scopes; [0] is null
    std::vector<Span> fullSpans; ///< the spans that carry more than their Record (Record::full)
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
    int indexOf(const SpanId& id) const;
    /// The children of spans[index] in start order; the roots for index -1.
    SpanIndexRange children(int index) const
    {
        if (index < 0)
            return SpanIndexRange(roots.data(), roots.data() + roots.size());
        const int* first = childIndexes.data() + nodes[std::size_t(index)].firstChild;
        return SpanIndexRange(first, first + childCount(index));
    }
    /// How many children spans[index] has.
    int childCount(int index) const
    {
        const std::size_t next = std::size_t(index) + 1;
        return (next < nodes.size() ? nodes[next].firstChild : int(childIndexes.size()))
            - nodes[std::size_t(index)].firstChild;
    }
    const QString& nameOf(int index) const { return names[spans[std::size_t(index)].nameIndex]; }
    /// The service.name of the span's resource (empty without one).
    const QString& serviceNameOf(int index) const { return resourceServices[spans[std::size_t(index)].resourceIndex]; }
    const std::shared_ptr<const Resource>& resourceOf(int index) const
    {
        return resources[spans[std::size_t(index)].resourceIndex];
    }
    const std::shared_ptr<const InstrumentationScope>& scopeOf(int index) const
    {
        return scopes[spans[std::size_t(index)].scopeIndex];
    }
    /// The whole span when it carries more than its Record, else nullptr.
    const Span* fullSpanOf(int index) const
    {
        const std::int32_t full = spans[std::size_t(index)].full;
        return full < 0 ? nullptr : &fullSpans[std::size_t(full)];
    }
    const Attributes& attributesOf(int index) const; ///< empty when the span has none (or is an outline)
    const std::vector<SpanEvent>& eventsOf(int index) const;
    const std::vector<SpanLink>& linksOf(int index) const;
    const QString& statusMessageOf(int index) const;
    /// A copy of spans[index] as a Span, everything the tree holds of it.
    Span span(int index) const;
    /// spans[index] as a Span without copying a whole one: the stored whole span (fullSpanOf), or `scratch` filled
    /// from the record. The reference lives as long as the tree and `scratch`.
    const Span& spanView(int index, Span& scratch) const;

    std::uint64_t durationNanos() const
    {
        return endTimeUnixNano > startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0;
    }
    TraceId traceId() const { return m_traceId; }
    /// True when `ancestor` is on the parent chain of `index` (not counting `index` itself).
    bool isAncestor(int ancestor, int index) const;

private:
    TraceId m_traceId; ///< of the earliest span; a span with another one is kept whole (fullSpans)
    std::vector<std::int32_t> m_idSlots; ///< open addressing by span id: indexes into spans, -1 free
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
    /// The index into SpanTree::spans behind `index`, or -1.
    int spanIndexAt(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const SpanTree> m_tree;
};
