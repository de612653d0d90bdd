#include "spantreemodel.h"

#include "model/tracelistmodel.h"

#include <QFont>

#include <algorithm>
#include <cstring>

namespace {

// A span id's slot in SpanTree's open-addressing index: span ids are random per the spec, but not always, so mix.
std::size_t slotHash(const SpanId& id)
{
    std::uint64_t v;
    std::memcpy(&v, id.data(), sizeof v);
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return std::size_t(v);
}

// True when `span` carries more than a SpanTree::Record holds (with `traceId` the tree's).
bool needsFullSpan(const Span& span, const TraceId& traceId)
{
    return !span.attributes.empty() || !span.events.empty() || !span.links.empty() || !span.traceState.isEmpty()
        || !span.statusMessage.isEmpty() || span.droppedAttributesCount || span.droppedEventsCount
        || span.droppedLinksCount || span.traceId != traceId;
}

// The index of `key` among the distinct values of a tree (`values`, looked up through `index`), appending `value`
// the first time.
template <typename Key, typename Value>
std::uint32_t intern(QHash<Key, std::uint32_t>& index, const Key& key, std::vector<Value>& values, const Value& value)
{
    auto it = index.constFind(key);
    if (it == index.constEnd()) {
        it = index.insert(key, std::uint32_t(values.size()));
        values.push_back(value);
    }
    return *it;
}

} // namespace

std::shared_ptr<const SpanTree> SpanTree::build(std::vector<Span> spans, std::vector<LogRecord> logs, bool outline)
{
    auto tree = std::make_shared<SpanTree>();
    tree->outline = outline;
    std::stable_sort(logs.begin(), logs.end(), [](const LogRecord& a, const LogRecord& b) {
        if (a.effectiveTimeUnixNano() != b.effectiveTimeUnixNano())
            return a.effectiveTimeUnixNano() < b.effectiveTimeUnixNano();
        return a.observedTimeUnixNano < b.observedTimeUnixNano;
    });
    tree->logs = std::move(logs);
    for (int i = 0; i < static_cast<int>(tree->logs.size()); ++i)
        if (tree->logs[i].spanId.isValid())
            tree->logsBySpan[tree->logs[i].spanId].push_back(i);

    // Sort a permutation rather than the spans themselves (a Span is 248 bytes).
    const int count = static_cast<int>(spans.size());
    std::vector<int> order(spans.size());
    for (int i = 0; i < count; ++i)
        order[std::size_t(i)] = i;
    std::stable_sort(order.begin(), order.end(), [&spans](int ia, int ib) {
        const Span& a = spans[std::size_t(ia)];
        const Span& b = spans[std::size_t(ib)];
        if (a.startTimeUnixNano != b.startTimeUnixNano)
            return a.startTimeUnixNano < b.startTimeUnixNano;
        if (a.endTimeUnixNano != b.endTimeUnixNano)
            return a.endTimeUnixNano > b.endTimeUnixNano;
        return a.spanId < b.spanId;
    });

    // Records, with the distinct names, resources and scopes.
    tree->resources.emplace_back();
    tree->resourceServices.emplace_back();
    tree->scopes.emplace_back();
    if (count > 0)
        tree->m_traceId = spans[std::size_t(order.front())].traceId;
    QHash<QString, std::uint32_t> nameIndex;
    QHash<const Resource*, std::uint32_t> resourceIndex;
    QHash<const InstrumentationScope*, std::uint32_t> scopeIndex;
    tree->spans.resize(spans.size());
    for (int i = 0; i < count; ++i) {
        Span& span = spans[std::size_t(order[std::size_t(i)])];
        Record& record = tree->spans[std::size_t(i)];
        record.spanId = span.spanId;
        record.parentSpanId = span.parentSpanId;
        record.startTimeUnixNano = span.startTimeUnixNano;
        record.endTimeUnixNano = span.endTimeUnixNano;
        record.flags = span.flags;
        record.kind = span.kind;
        record.statusCode = span.statusCode;
        record.nameIndex = intern(nameIndex, span.name, tree->names, span.name);
        if (span.resource) {
            const std::size_t before = tree->resources.size();
            record.resourceIndex = intern(resourceIndex, span.resource.get(), tree->resources, span.resource);
            if (tree->resources.size() > before)
                tree->resourceServices.push_back(span.resource->serviceName());
        }
        if (span.scope)
            record.scopeIndex = intern(scopeIndex, span.scope.get(), tree->scopes, span.scope);
        if (needsFullSpan(span, tree->m_traceId)) {
            record.full = static_cast<std::int32_t>(tree->fullSpans.size());
            tree->fullSpans.push_back(std::move(span));
        }
    }
    std::vector<Span>().swap(spans);
    std::vector<int>().swap(order);
    tree->fullSpans.shrink_to_fit();

    if (count > 0) {
        tree->startTimeUnixNano = tree->spans.front().startTimeUnixNano;
        tree->endTimeUnixNano = tree->startTimeUnixNano;
    }
    std::size_t slotCount = 16;
    while (slotCount < 2 * std::size_t(count))
        slotCount *= 2;
    tree->m_idSlots.assign(slotCount, -1);
    for (int i = 0; i < count; ++i) {
        const Record& span = tree->spans[std::size_t(i)];
        tree->endTimeUnixNano = std::max({ tree->endTimeUnixNano, span.endTimeUnixNano, span.startTimeUnixNano });
        for (std::size_t slot = slotHash(span.spanId) & (slotCount - 1);; slot = (slot + 1) & (slotCount - 1)) {
            std::int32_t& entry = tree->m_idSlots[slot];
            if (entry < 0) {
                entry = i; // the first occurrence of an id is the one children attach to
                break;
            }
            if (tree->spans[std::size_t(entry)].spanId == span.spanId)
                break;
        }
    }

    // Parents, then the children of every node as one array (index order is start order, so children come sorted).
    tree->nodes.resize(tree->spans.size());
    std::vector<int> childCount(tree->spans.size(), 0);
    for (int i = 0; i < count; ++i) {
        const Record& span = tree->spans[std::size_t(i)];
        const int parent = span.parentSpanId.isValid() ? tree->indexOf(span.parentSpanId) : -1;
        if (parent >= 0 && parent != i) {
            tree->nodes[std::size_t(i)].parent = parent;
            ++childCount[std::size_t(parent)];
        }
    }
    const auto linkChildren = [&tree, count, &childCount] {
        int next = 0;
        for (int i = 0; i < count; ++i) {
            tree->nodes[std::size_t(i)].firstChild = next;
            next += childCount[std::size_t(i)];
        }
        tree->childIndexes.assign(std::size_t(next), 0);
        tree->roots.clear();
        std::vector<int> filled(std::size_t(count), 0);
        for (int i = 0; i < count; ++i) {
            const int parent = tree->nodes[std::size_t(i)].parent;
            if (parent < 0)
                tree->roots.push_back(i);
            else
                tree->childIndexes[std::size_t(tree->nodes[std::size_t(parent)].firstChild
                                               + filled[std::size_t(parent)]++)] = i;
        }
    };
    linkChildren();

    // Spans on a parent cycle are not reachable from any root: cut each cycle open at its earliest span.
    std::vector<char> reached(tree->spans.size(), 0);
    std::vector<int> stack;
    auto reach = [&](int from) {
        stack.push_back(from);
        while (!stack.empty()) {
            const int n = stack.back();
            stack.pop_back();
            reached[std::size_t(n)] = 1;
            for (int c : tree->children(n))
                if (tree->nodes[std::size_t(c)].parent == n) // not a span cut off its cycle since linkChildren
                    stack.push_back(c);
        }
    };
    for (int r : tree->roots)
        reach(r);
    bool cutCycle = false;
    for (int i = 0; i < count; ++i) {
        if (reached[std::size_t(i)])
            continue;
        --childCount[std::size_t(tree->nodes[std::size_t(i)].parent)];
        tree->nodes[std::size_t(i)].parent = -1;
        cutCycle = true;
        reach(i);
    }
    if (cutCycle)
        linkChildren();
    std::vector<int>().swap(childCount);

    for (int r = 0; r < static_cast<int>(tree->roots.size()); ++r) {
        const int root = tree->roots[std::size_t(r)];
        tree->nodes[std::size_t(root)].row = r;
        stack.push_back(root);
        while (!stack.empty()) {
            const int n = stack.back();
            stack.pop_back();
            const Node& node = tree->nodes[std::size_t(n)];
            tree->maxDepth = std::max(tree->maxDepth, node.depth);
            const SpanIndexRange children = tree->children(n);
            for (int c = 0; c < static_cast<int>(children.size()); ++c) {
                Node& child = tree->nodes[std::size_t(children[std::size_t(c)])];
                child.row = c;
                child.depth = node.depth + 1;
                stack.push_back(children[std::size_t(c)]);
            }
        }
    }
    return tree;
}

int SpanTree::indexOf(const SpanId& id) const
{
    if (m_idSlots.empty())
        return -1;
    const std::size_t mask = m_idSlots.size() - 1;
    for (std::size_t slot = slotHash(id) & mask;; slot = (slot + 1) & mask) {
        const std::int32_t entry = m_idSlots[slot];
        if (entry < 0)
            return -1;
        if (spans[std::size_t(entry)].spanId == id)
            return entry;
    }
}

const Attributes& SpanTree::attributesOf(int index) const
{
    static const Attributes none;
    const Span* full = fullSpanOf(index);
    return full ? full->attributes : none;
}

const std::vector<SpanEvent>& SpanTree::eventsOf(int index) const
{
    static const std::vector<SpanEvent> none;
    const Span* full = fullSpanOf(index);
    return full ? full->events : none;
}

const std::vector<SpanLink>& SpanTree::linksOf(int index) const
{
    static const std::vector<SpanLink> none;
    const Span* full = fullSpanOf(index);
    return full ? full->links : none;
}

const QString& SpanTree::statusMessageOf(int index) const
{
    static const QString none;
    const Span* full = fullSpanOf(index);
    return full ? full->statusMessage : none;
}

Span SpanTree::span(int index) const
{
    Span scratch;
    return spanView(index, scratch);
}

const Span& SpanTree::spanView(int index, Span& span) const
{
    if (const Span* full = fullSpanOf(index))
        return *full;
    const Record& record = spans[std::size_t(index)];
    span.traceId = m_traceId;
    span.spanId = record.spanId;
    span.parentSpanId = record.parentSpanId;
    span.name = names[record.nameIndex];
    span.startTimeUnixNano = record.startTimeUnixNano;
    span.endTimeUnixNano = record.endTimeUnixNano;
    span.resource = resources[record.resourceIndex];
    span.scope = scopes[record.scopeIndex];
    span.flags = record.flags;
    span.kind = record.kind;
    span.statusCode = record.statusCode;
    span.traceState.clear(); // what a record-only span does not carry, in case `span` held a whole one
    span.attributes.clear();
    span.events.clear();
    span.links.clear();
    span.statusMessage.clear();
    span.droppedAttributesCount = span.droppedEventsCount = span.droppedLinksCount = 0;
    return span;
}

std::vector<const LogRecord*> SpanTree::logsOf(const SpanId& id) const
{
    std::vector<const LogRecord*> out;
    const auto it = logsBySpan.constFind(id);
    if (it != logsBySpan.constEnd())
        for (int i : *it)
            out.push_back(&logs[i]);
    return out;
}

bool SpanTree::isAncestor(int ancestor, int index) const
{
    for (int p = nodes[index].parent; p >= 0; p = nodes[p].parent)
        if (p == ancestor)
            return true;
    return false;
}

SpanTreeModel::SpanTreeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

SpanTreeModel::~SpanTreeModel() = default;

void SpanTreeModel::setTree(std::shared_ptr<const SpanTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

QModelIndex SpanTreeModel::indexForSpan(const SpanId& id, int column) const
{
    if (!m_tree)
        return {};
    const int i = m_tree->indexOf(id);
    if (i < 0)
        return {};
    return createIndex(m_tree->nodes[i].row, column, quintptr(i));
}

int SpanTreeModel::spanIndexAt(const QModelIndex& index) const
{
    if (!m_tree || !index.isValid() || index.model() != this)
        return -1;
    return int(index.internalId());
}

QModelIndex SpanTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!m_tree || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const SpanIndexRange siblings = m_tree->children(parent.isValid() ? int(parent.internalId()) : -1);
    if (row >= static_cast<int>(siblings.size()))
        return {};
    return createIndex(row, column, quintptr(siblings[row]));
}

QModelIndex SpanTreeModel::parent(const QModelIndex& child) const
{
    if (!m_tree || !child.isValid())
        return {};
    const int p = m_tree->nodes[child.internalId()].parent;
    if (p < 0)
        return {};
    return createIndex(m_tree->nodes[p].row, 0, quintptr(p));
}

int SpanTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!m_tree)
        return 0;
    if (!parent.isValid())
        return static_cast<int>(m_tree->roots.size());
    if (parent.column() != 0)
        return 0;
    return m_tree->childCount(int(parent.internalId()));
}

int SpanTreeModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

QVariant SpanTreeModel::data(const QModelIndex& index, int role) const
{
    const int spanIndex = spanIndexAt(index);
    if (spanIndex < 0)
        return {};
    const SpanTree::Record* span = &m_tree->spans[std::size_t(spanIndex)];
    const std::uint64_t offset = span->startTimeUnixNano - m_tree->startTimeUnixNano;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return m_tree->nameOf(spanIndex);
        case ServiceColumn:
            return m_tree->serviceNameOf(spanIndex);
        case DurationColumn:
            return TraceListModel::formatDuration(span->durationNanos());
        case StartOffsetColumn:
            return TraceListModel::formatDuration(offset);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case NameColumn:
            return m_tree->nameOf(spanIndex);
        case ServiceColumn:
            return m_tree->serviceNameOf(spanIndex);
        case DurationColumn:
            return qulonglong(span->durationNanos());
        case StartOffsetColumn:
            return qulonglong(offset);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn || index.column() == StartOffsetColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        if (index.column() == NameColumn && span->statusCode == StatusCode::Error)
            return tr("Error: %1").arg(m_tree->statusMessageOf(spanIndex));
        break;
    case SpanIdRole:
        return span->spanId.toHex();
    case SpanIndexRole:
        return int(index.internalId());
    case IsErrorRole:
        return span->statusCode == StatusCode::Error;
    }
    return {};
}

QVariant SpanTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Span");
    case ServiceColumn:
        return tr("Service");
    case DurationColumn:
        return tr("Duration");
    case StartOffsetColumn:
        return tr("Start offset");
    }
    return {};
}
