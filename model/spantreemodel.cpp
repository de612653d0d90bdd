#include "spantreemodel.h"

#include "model/tracelistmodel.h"

#include <QFont>

#include <algorithm>

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
    std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        if (a.startTimeUnixNano != b.startTimeUnixNano)
            return a.startTimeUnixNano < b.startTimeUnixNano;
        if (a.endTimeUnixNano != b.endTimeUnixNano)
            return a.endTimeUnixNano > b.endTimeUnixNano;
        return a.spanId < b.spanId;
    });
    tree->spans = std::move(spans);
    const int count = static_cast<int>(tree->spans.size());
    tree->nodes.resize(tree->spans.size());
    tree->indexById.reserve(count);

    if (count > 0) {
        tree->startTimeUnixNano = tree->spans.front().startTimeUnixNano;
        tree->endTimeUnixNano = tree->startTimeUnixNano;
    }
    for (int i = 0; i < count; ++i) {
        const Span& span = tree->spans[i];
        tree->endTimeUnixNano = std::max({ tree->endTimeUnixNano, span.endTimeUnixNano, span.startTimeUnixNano });
        if (!tree->indexById.contains(span.spanId))
            tree->indexById.insert(span.spanId, i);
    }

    // Index order is start order, so appending in index order keeps children sorted by start.
    for (int i = 0; i < count; ++i) {
        const Span& span = tree->spans[i];
        const int parent = span.parentSpanId.isValid() ? tree->indexOf(span.parentSpanId) : -1;
        if (parent < 0 || parent == i) {
            tree->roots.push_back(i);
        } else {
            tree->nodes[i].parent = parent;
            tree->nodes[parent].children.push_back(i);
        }
    }

    // Spans on a parent cycle are not reachable from any root: cut each cycle open at its earliest span.
    std::vector<char> reached(tree->spans.size(), 0);
    std::vector<int> stack;
    auto reach = [&](int from) {
        stack.push_back(from);
        while (!stack.empty()) {
            const int n = stack.back();
            stack.pop_back();
            reached[n] = 1;
            for (int c : tree->nodes[n].children)
                stack.push_back(c);
        }
    };
    for (int r : tree->roots)
        reach(r);
    bool cutCycle = false;
    for (int i = 0; i < count; ++i) {
        if (reached[i])
            continue;
        auto& siblings = tree->nodes[tree->nodes[i].parent].children;
        siblings.erase(std::find(siblings.begin(), siblings.end(), i));
        tree->nodes[i].parent = -1;
        tree->roots.push_back(i);
        cutCycle = true;
        reach(i);
    }
    if (cutCycle)
        std::sort(tree->roots.begin(), tree->roots.end());

    for (int r = 0; r < static_cast<int>(tree->roots.size()); ++r) {
        const int root = tree->roots[r];
        tree->nodes[root].row = r;
        stack.push_back(root);
        while (!stack.empty()) {
            const int n = stack.back();
            stack.pop_back();
            const auto& node = tree->nodes[n];
            tree->maxDepth = std::max(tree->maxDepth, node.depth);
            for (int c = 0; c < static_cast<int>(node.children.size()); ++c) {
                auto& child = tree->nodes[node.children[c]];
                child.row = c;
                child.depth = node.depth + 1;
                stack.push_back(node.children[c]);
            }
        }
    }
    return tree;
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

const Span* SpanTreeModel::spanAt(const QModelIndex& index) const
{
    if (!m_tree || !index.isValid() || index.model() != this)
        return nullptr;
    return &m_tree->spans[index.internalId()];
}

QModelIndex SpanTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!m_tree || row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const std::vector<int>& siblings
        = parent.isValid() ? m_tree->nodes[parent.internalId()].children : m_tree->roots;
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
    return static_cast<int>(m_tree->nodes[parent.internalId()].children.size());
}

int SpanTreeModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

QVariant SpanTreeModel::data(const QModelIndex& index, int role) const
{
    const Span* span = spanAt(index);
    if (!span)
        return {};
    const std::uint64_t offset = span->startTimeUnixNano - m_tree->startTimeUnixNano;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return span->name;
        case ServiceColumn:
            return span->serviceName();
        case DurationColumn:
            return TraceListModel::formatDuration(span->durationNanos());
        case StartOffsetColumn:
            return TraceListModel::formatDuration(offset);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case NameColumn:
            return span->name;
        case ServiceColumn:
            return span->serviceName();
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
            return tr("Error: %1").arg(span->statusMessage);
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
