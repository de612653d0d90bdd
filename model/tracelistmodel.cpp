#include "tracelistmodel.h"

#include "model/guardedjob.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QLocale>
#include <QThreadPool>

#include <climits>
#include <cmath>
#include <limits>

#include <algorithm>
#include <utility>

namespace {
// The keyset order of TraceStore::listTraces for this query: (key, trace id), descending or ascending.
bool sortsBefore(const TraceQuery& query, const TraceSummary& a, const TraceSummary& b)
{
    return TraceOrdering::before(a, b, query.order, query.descending, query.prices.get());
}

constexpr TraceOrder s_columnOrders[TraceListModel::ColumnCount] = {
    TraceOrder::StartTime,
    TraceOrder::Service,
    TraceOrder::Name,
    TraceOrder::Duration,
    TraceOrder::SpanCount,
    TraceOrder::ErrorCount,
    TraceOrder::LlmCalls,
    TraceOrder::ToolCalls,
    TraceOrder::InputTokens,
    TraceOrder::OutputTokens,
    TraceOrder::Cost,
};

bool sameSummary(const TraceSummary& a, const TraceSummary& b)
{
    return a.traceId == b.traceId && a.rootServiceName == b.rootServiceName && a.rootSpanName == b.rootSpanName
        && a.startTimeUnixNano == b.startTimeUnixNano && a.endTimeUnixNano == b.endTimeUnixNano
        && a.spanCount == b.spanCount && a.errorCount == b.errorCount && a.hasRoot == b.hasRoot
        && a.services == b.services && a.inputTokens == b.inputTokens && a.outputTokens == b.outputTokens
        && a.cachedInputTokens == b.cachedInputTokens && a.llmCalls == b.llmCalls && a.toolCalls == b.toolCalls
        && a.modelUsage == b.modelUsage && a.conversationId == b.conversationId;
}

bool usedTokens(const TraceSummary& s)
{
    return s.inputTokens > 0 || s.outputTokens > 0;
}

QString significant(double value)
{
    return QLocale::c().toString(value, 'g', 3);
}

}

TraceListModel::TraceListModel(QObject* parent)
    : QAbstractTableModel(parent)
    , m_prices(PriceTable::defaults())
{
    m_query.prices = std::make_shared<const PriceTable>(m_prices);
}

void TraceListModel::setPriceTable(const PriceTable& prices)
{
    if (prices.toJson() == m_prices.toJson())
        return;
    m_prices = prices;
    m_query.prices = std::make_shared<const PriceTable>(m_prices);
    if (m_query.order == TraceOrder::Cost) {
        setQuery(m_query); // other prices, another order
        return;
    }
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, CostColumn), index(rowCount() - 1, CostColumn));
    // Tooltips of the other GenAI columns name costs too.
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, LlmCallsColumn), index(rowCount() - 1, OutputTokensColumn),
                           { Qt::ToolTipRole });
}

QString TraceListModel::costText(const TraceSummary& s) const
{
    if (s.llmCalls == 0)
        return QString();
    if (const std::optional<Cost> cost = s.cost(m_prices))
        return cost->toString();
    return usedTokens(s) ? tr("no price") : QString();
}

QString TraceListModel::genAiToolTip(const TraceSummary& s) const
{
    if (s.llmCalls == 0 && s.toolCalls == 0)
        return s.conversationId.isEmpty() ? QString() : tr("Conversation: %1").arg(s.conversationId);
    const QLocale locale;
    QStringList lines;
    lines << tr("%n LLM call(s), %1 tool call(s)", nullptr, int(std::min<qint64>(s.llmCalls, INT_MAX)))
                 .arg(locale.toString(s.toolCalls));
    lines << tr("Input tokens: %1 (cached: %2), output tokens: %3")
                 .arg(locale.toString(s.inputTokens), locale.toString(s.cachedInputTokens),
                      locale.toString(s.outputTokens));
    for (const ModelUsage& u : s.modelUsage) {
        const std::optional<Cost> cost = m_prices.cost(u.model, u.inputTokens, u.outputTokens, u.cachedInputTokens);
        const QString price = cost ? cost->toString() : tr("no price");
        lines << tr("%1: %2 calls, %3 input (%4 cached), %5 output tokens, %6")
                     .arg(u.model.isEmpty() ? tr("(no model)") : u.model, locale.toString(u.calls),
                          locale.toString(u.inputTokens), locale.toString(u.cachedInputTokens),
                          locale.toString(u.outputTokens), price);
    }
    if (!s.conversationId.isEmpty())
        lines << tr("Conversation: %1").arg(s.conversationId);
    return lines.join(QLatin1Char('\n'));
}

TraceListModel::~TraceListModel() = default;

void TraceListModel::setSource(TraceSource source)
{
    m_source = std::move(source);
    setQuery(m_query);
}

void TraceListModel::setSource(TraceSource source, const TraceQuery& query)
{
    m_source = std::move(source);
    setQuery(query);
}

void TraceListModel::setAsynchronous(bool asynchronous)
{
    if (m_async == asynchronous)
        return;
    m_async = asynchronous;
    ++m_generation;
    m_firstPageRunning = m_moreRunning = m_refreshRunning = m_refreshQueued = false;
    m_queuedChanges.clear();
    updateLoading();
}

void TraceListModel::setThreadPool(QThreadPool* pool)
{
    m_pool = pool;
}

void TraceListModel::updateLoading()
{
    const bool loading = m_firstPageRunning || m_moreRunning || m_refreshRunning;
    if (loading == m_loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

void TraceListModel::setQuery(const TraceQuery& query)
{
    std::shared_ptr<const PriceTable> prices = m_query.prices; // the model's, whatever the caller's query holds
    m_query = query;
    m_query.prices = std::move(prices);
    m_query.hasCursor = false;
    m_query.limit = PageSize;
    if (m_async) {
        ++m_generation;
        m_moreRunning = m_refreshRunning = m_refreshQueued = false;
        m_queuedChanges.clear();
        {
            const ChangeGuard guard(this);
            beginResetModel();
            m_rows.clear();
            m_hasMore = false;
            rebuildIndex();
            endResetModel();
        }
        startFirstPage();
        return;
    }
    const ChangeGuard guard(this);
    beginResetModel();
    QString error;
    m_rows = fetchPage(m_source, m_query, nullptr, &error);
    m_hasMore = static_cast<int>(m_rows.size()) >= PageSize;
    rebuildIndex();
    endResetModel();
    if (!error.isEmpty())
        Q_EMIT loadFailed(error);
}

void TraceListModel::startFirstPage()
{
    m_firstPageRunning = false;
    if (!m_source.listTraces) {
        updateLoading();
        return;
    }
    m_firstPageRunning = true;
    updateLoading();
    const quint64 generation = m_generation;
    const TraceSource source = m_source;
    const TraceQuery query = m_query;
    struct Page {
        std::vector<TraceSummary> rows;
        QString error;
    };
    GuardedJob::start(m_pool, this, [source, query] {
        Page page;
        page.rows = fetchPage(source, query, nullptr, &page.error);
        return page;
    }, [this, generation](Page page) {
        if (generation != m_generation)
            return;
        m_firstPageRunning = false;
        m_hasMore = static_cast<int>(page.rows.size()) >= PageSize;
        if (!page.rows.empty()) {
            const ChangeGuard guard(this);
            beginInsertRows(QModelIndex(), 0, static_cast<int>(page.rows.size()) - 1);
            m_rows = std::move(page.rows);
            rebuildIndex();
            endInsertRows();
        }
        if (m_refreshQueued) {
            m_refreshQueued = false;
            startRefresh(std::exchange(m_queuedChanges, {}));
        }
        updateLoading();
        if (!page.error.isEmpty())
            Q_EMIT loadFailed(page.error);
    });
}

std::vector<TraceSummary> TraceListModel::fetchPage(const TraceSource& source, const TraceQuery& query,
    const TraceSummary* after, QString* error)
{
    if (!source.listTraces)
        return {};
    TraceQuery q = query;
    q.limit = PageSize;
    q.hasCursor = false;
    if (after)
        q.setCursor(*after);
    QString message;
    auto rows = source.listTraces(q, &message);
    if (!message.isEmpty() && error && error->isEmpty())
        *error = message;
    return rows;
}

void TraceListModel::sort(int column, Qt::SortOrder order)
{
    if (!isStoreSorted(column))
        return;
    const TraceOrder traceOrder = orderOfColumn(column);
    const bool descending = order == Qt::DescendingOrder;
    if (traceOrder == m_query.order && descending == m_query.descending)
        return;
    TraceQuery query = m_query;
    query.order = traceOrder;
    query.descending = descending;
    setQuery(query);
}

TraceOrder TraceListModel::orderOfColumn(int column)
{
    return column >= 0 && column < ColumnCount ? s_columnOrders[column] : TraceOrder::StartTime;
}

int TraceListModel::columnOfOrder(TraceOrder order)
{
    for (int column = 0; column < ColumnCount; ++column)
        if (s_columnOrders[column] == order)
            return column;
    return StartColumn;
}

void TraceListModel::rebuildIndex()
{
    m_rowById.clear();
    m_rowById.reserve(static_cast<qsizetype>(m_rows.size()));
    for (int i = 0; i < static_cast<int>(m_rows.size()); ++i)
        m_rowById.insert(m_rows[i].traceId, i);
}

void TraceListModel::removeRowAt(int row)
{
    beginRemoveRows(QModelIndex(), row, row);
    m_rows.erase(m_rows.begin() + row);
    endRemoveRows();
}

bool TraceListModel::listedBefore(const TraceSummary& a, const TraceSummary& b) const
{
    return sortsBefore(m_query, a, b);
}

void TraceListModel::insertSorted(std::vector<TraceSummary> rows)
{
    // A trace that sorts after the last loaded row arrives with fetchMore; inserting it now would duplicate it there.
    if (m_hasMore && !m_rows.empty()) {
        const TraceSummary last = m_rows.back();
        rows.erase(
            std::remove_if(rows.begin(), rows.end(), [&](const TraceSummary& s) { return !listedBefore(s, last); }),
            rows.end());
    }
    if (rows.empty())
        return;
    std::sort(
        rows.begin(), rows.end(), [this](const TraceSummary& a, const TraceSummary& b) { return listedBefore(a, b); });
    auto positionOf = [this](const TraceSummary& s) {
        return static_cast<int>(std::partition_point(m_rows.begin(), m_rows.end(), [&](const TraceSummary& r) {
            return listedBefore(r, s);
        }) - m_rows.begin());
    };
    std::size_t k = 0;
    while (k < rows.size()) {
        const int pos = positionOf(rows[k]);
        std::size_t j = k + 1;
        while (j < rows.size() && positionOf(rows[j]) == pos)
            ++j;
        beginInsertRows(QModelIndex(), pos, pos + static_cast<int>(j - k) - 1);
        m_rows.insert(m_rows.begin() + pos, rows.begin() + k, rows.begin() + j);
        endInsertRows();
        k = j;
    }
}

TraceListModel::Changed TraceListModel::changedAmong(const QVector<TraceId>& traceIds) const
{
    // Loaded traces beyond the first page only learn about late spans this way; skip it for huge bursts.
    Changed changed;
    if (!m_source.traceSummary || traceIds.size() > 2 * PageSize)
        return changed;
    // Newest first, a trace not loaded stays behind the loaded ones (its start only gets earlier) or is new (the
    // first page brings it). In another order it may move among the loaded rows beyond the first page: read it too,
    // unless the text filter, which a summary cannot answer, is on.
    const bool newestFirst = m_query.order == TraceOrder::StartTime && m_query.descending;
    const bool readUnloaded = !newestFirst && m_query.text.isEmpty();
    for (const TraceId& id : traceIds) {
        if (m_rowById.contains(id))
            changed.loaded << id;
        else if (readUnloaded)
            changed.unloaded << id;
    }
    return changed;
}

bool TraceListModel::summaryMatches(const TraceQuery& query, const TraceSummary& summary)
{
    // TraceStore::listTraces's filters, but the text filter.
    return (query.serviceName.isEmpty() || summary.services.contains(query.serviceName))
        && (!query.errorsOnly || summary.errorCount > 0)
        && (query.conversationId.isEmpty() || summary.conversationId == query.conversationId)
        && (!query.minDurationNanos || summary.durationNanos() >= query.minDurationNanos)
        && (!query.startTimeFromUnixNano || summary.startTimeUnixNano >= query.startTimeFromUnixNano)
        && (!query.startTimeToUnixNano || summary.startTimeUnixNano <= query.startTimeToUnixNano);
}

TraceListModel::RefreshData TraceListModel::collectRefresh(const TraceSource& source, const TraceQuery& query,
    const Changed& changed, const std::optional<TraceSummary>& newestLoaded)
{
    RefreshData data;
    if (source.traceSummary) {
        for (const TraceId& id : changed.loaded) {
            QString error;
            if (auto summary = source.traceSummary(id, &error))
                data.incoming.push_back(std::move(*summary));
        }
        for (const TraceId& id : changed.unloaded) {
            QString error;
            if (auto summary = source.traceSummary(id, &error); summary && summaryMatches(query, *summary))
                data.incoming.push_back(std::move(*summary));
        }
    }

    // Newest pages until they overlap what is loaded (bounded, in case of a burst of new traces).
    std::vector<TraceSummary> page = fetchPage(source, query, nullptr, &data.error);
    for (int pages = 1;; ++pages) {
        const bool full = static_cast<int>(page.size()) >= PageSize;
        const bool overlaps = !newestLoaded || (!page.empty() && !sortsBefore(query, page.back(), *newestLoaded));
        std::move(page.begin(), page.end(), std::back_inserter(data.incoming));
        if (!full) {
            data.reachedEnd = true;
            break;
        }
        if (overlaps)
            break;
        if (pages == 5) {
            data.gap = true;
            break;
        }
        page = fetchPage(source, query, &data.incoming.back(), &data.error);
    }
    return data;
}

void TraceListModel::refresh(const QVector<TraceId>& changedTraces)
{
    if (!m_source.listTraces || m_changing)
        return;
    if (m_async) {
        if (m_firstPageRunning || m_refreshRunning) {
            // One refresh at a time; the next one reads what changed meanwhile.
            m_refreshQueued = true;
            m_queuedChanges += changedTraces;
            return;
        }
        startRefresh(changedTraces);
        return;
    }
    RefreshData data = collectRefresh(m_source, m_query, changedAmong(changedTraces),
        m_rows.empty() ? std::nullopt : std::optional<TraceSummary>(m_rows.front()));
    applyRefresh(std::move(data));
}

void TraceListModel::startRefresh(const QVector<TraceId>& changedTraces)
{
    m_refreshRunning = true;
    updateLoading();
    const quint64 generation = m_generation;
    const TraceSource source = m_source;
    const TraceQuery query = m_query;
    const Changed changed = changedAmong(changedTraces);
    const std::optional<TraceSummary> newest
        = m_rows.empty() ? std::nullopt : std::optional<TraceSummary>(m_rows.front());
    GuardedJob::start(m_pool, this, [source, query, changed, newest] {
        return collectRefresh(source, query, changed, newest);
    }, [this, generation](RefreshData data) {
        if (generation != m_generation)
            return;
        m_refreshRunning = false;
        applyRefresh(std::move(data));
        if (m_refreshQueued && generation == m_generation) {
            m_refreshQueued = false;
            startRefresh(std::exchange(m_queuedChanges, {}));
        }
        updateLoading();
    });
}

void TraceListModel::applyRefresh(RefreshData data)
{
    const ChangeGuard guard(this);
    if (!data.error.isEmpty())
        Q_EMIT loadFailed(data.error);

    if (data.gap) {
        // Traces between the fetched pages and the loaded rows are unknown; drop the loaded tail so that
        // fetchMore continues from the fetched pages without a hole.
        if (!m_rows.empty()) {
            beginRemoveRows(QModelIndex(), 0, static_cast<int>(m_rows.size()) - 1);
            m_rows.clear();
            endRemoveRows();
        }
        rebuildIndex();
        m_hasMore = true;
        if (m_moreRunning) {
            // Its page continues after rows that are gone.
            ++m_generation;
            m_moreRunning = false;
        }
    } else if (data.reachedEnd && m_rows.empty()) {
        m_hasMore = false;
    } else if (m_rows.empty()) {
        m_hasMore = true;
    }

    std::vector<TraceSummary> added;
    QVector<TraceId> updated;
    QHash<TraceId, bool> seen;
    for (TraceSummary& s : data.incoming) {
        if (seen.contains(s.traceId))
            continue;
        seen.insert(s.traceId, true);
        const int row = m_rowById.value(s.traceId, -1);
        if (row < 0 || row >= static_cast<int>(m_rows.size()) || m_rows[row].traceId != s.traceId) {
            added.push_back(std::move(s));
            continue;
        }
        if (sameSummary(m_rows[row], s))
            continue;
        updated << s.traceId;
        if (TraceOrdering::compare(m_rows[row], s, m_query.order, m_query.prices.get()) == 0)
            m_rows[row] = std::move(s);
        else
            moveToSortedRow(row, std::move(s)); // a late span changed its key (or its start, for every order)
    }

    insertSorted(std::move(added));
    rebuildIndex();

    int firstChanged = -1;
    int lastChanged = -1;
    for (const TraceId& id : std::as_const(updated)) {
        const int row = m_rowById.value(id, -1);
        if (row < 0)
            continue;
        firstChanged = firstChanged < 0 ? row : std::min(firstChanged, row);
        lastChanged = std::max(lastChanged, row);
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
}

void TraceListModel::moveToSortedRow(int row, TraceSummary summary)
{
    // Every other row is in order: the new place is in the part before the row or in the part after it.
    const auto before = [&](const TraceSummary& r) { return listedBefore(r, summary); };
    const auto begin = m_rows.begin();
    int to = static_cast<int>(std::partition_point(begin, begin + row, before) - begin);
    if (to == row)
        to = static_cast<int>(std::partition_point(begin + row + 1, m_rows.end(), before) - begin) - 1;
    const int last = static_cast<int>(m_rows.size()) - 1;
    if (to == last && m_hasMore && !listedBefore(summary, m_rows[row])) {
        // It moved back past the last loaded row, maybe past rows not loaded yet: fetchMore brings it.
        removeRowAt(row);
        rebuildIndex();
        return;
    }
    m_rows[row] = std::move(summary);
    if (to == row)
        return;
    // beginMoveRows keeps persistent indexes (the views' selection and current row) on the moved row.
    beginMoveRows(QModelIndex(), row, row, QModelIndex(), to > row ? to + 1 : to);
    if (to > row)
        std::rotate(begin + row, begin + row + 1, begin + to + 1);
    else
        std::rotate(begin + to, begin + row, begin + row + 1);
    endMoveRows();
    rebuildIndex();
}

bool TraceListModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && m_hasMore && !m_moreRunning;
}

void TraceListModel::fetchMore(const QModelIndex& parent)
{
    if (parent.isValid() || !m_hasMore)
        return;
    if (m_changing) {
        // Listeners of modelReset/rowsInserted (views, the model tester) may ask for more while a change is
        // still being announced; inserting rows then would nest one change inside another.
        if (!m_fetchQueued) {
            m_fetchQueued = true;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_fetchQueued = false;
                    fetchMore(QModelIndex());
                },
                Qt::QueuedConnection);
        }
        return;
    }
    if (m_async) {
        if (m_moreRunning || m_firstPageRunning || !m_source.listTraces)
            return;
        m_moreRunning = true;
        updateLoading();
        const quint64 generation = m_generation;
        const TraceSource source = m_source;
        const TraceQuery query = m_query;
        const std::optional<TraceSummary> last
            = m_rows.empty() ? std::nullopt : std::optional<TraceSummary>(m_rows.back());
        struct Page {
            std::vector<TraceSummary> rows;
            QString error;
        };
        GuardedJob::start(m_pool, this, [source, query, last] {
            Page page;
            page.rows = fetchPage(source, query, last ? &*last : nullptr, &page.error);
            return page;
        }, [this, generation](Page page) {
            if (generation != m_generation)
                return;
            m_moreRunning = false;
            if (!page.error.isEmpty()) {
                // Keep m_hasMore: scrolling down again retries.
                updateLoading();
                Q_EMIT loadFailed(page.error);
                return;
            }
            applyMore(std::move(page.rows));
            updateLoading();
        });
        return;
    }
    QString error;
    auto page = fetchPage(m_source, m_query, m_rows.empty() ? nullptr : &m_rows.back(), &error);
    if (!error.isEmpty())
        Q_EMIT loadFailed(error);
    applyMore(std::move(page));
}

void TraceListModel::applyMore(std::vector<TraceSummary> page)
{
    m_hasMore = static_cast<int>(page.size()) >= PageSize;
    page.erase(std::remove_if(page.begin(), page.end(), [this](const TraceSummary& s) { return m_rowById.contains(s.traceId); }),
        page.end());
    if (page.empty())
        return;
    const ChangeGuard guard(this);
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(page.size()) - 1);
    std::move(page.begin(), page.end(), std::back_inserter(m_rows));
    endInsertRows();
    rebuildIndex();
}

TraceId TraceListModel::traceIdAt(int row) const
{
    const TraceSummary* s = summaryAt(row);
    return s ? s->traceId : TraceId();
}

const TraceSummary* TraceListModel::summaryAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return nullptr;
    return &m_rows[row];
}

int TraceListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TraceListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TraceSummary& s = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case StartColumn:
            return formatTimestamp(s.startTimeUnixNano);
        case ServiceColumn:
            return s.rootServiceName;
        case NameColumn:
            return s.hasRoot ? s.rootSpanName : tr("%1 (incomplete)").arg(s.rootSpanName);
        case DurationColumn:
            return formatDuration(s.durationNanos());
        case SpansColumn:
            return QLocale().toString(s.spanCount);
        case ErrorsColumn:
            return s.errorCount ? QLocale().toString(s.errorCount) : QString();
        case LlmCallsColumn:
            return s.llmCalls ? QLocale().toString(s.llmCalls) : QString();
        case ToolCallsColumn:
            return s.toolCalls ? QLocale().toString(s.toolCalls) : QString();
        case InputTokensColumn:
            return s.llmCalls ? QLocale().toString(s.inputTokens) : QString();
        case OutputTokensColumn:
            return s.llmCalls ? QLocale().toString(s.outputTokens) : QString();
        case CostColumn:
            return costText(s);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case StartColumn:
            return qulonglong(s.startTimeUnixNano);
        case ServiceColumn:
            return s.rootServiceName;
        case NameColumn:
            return s.rootSpanName;
        case DurationColumn:
            return qulonglong(s.durationNanos());
        case SpansColumn:
            return s.spanCount;
        case ErrorsColumn:
            return s.errorCount;
        case LlmCallsColumn:
            return s.llmCalls;
        case ToolCallsColumn:
            return s.toolCalls;
        case InputTokensColumn:
            return s.inputTokens;
        case OutputTokensColumn:
            return s.outputTokens;
        case CostColumn:
            return TraceOrdering::costKey(s.modelUsage, &m_prices); // the key of TraceOrder::Cost
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case NameColumn:
            return s.hasRoot ? s.rootSpanName : tr("No root span received (yet); earliest span: %1").arg(s.rootSpanName);
        case ServiceColumn:
            return tr("Services: %1").arg(s.services.join(QStringLiteral(", ")));
        case LlmCallsColumn:
        case ToolCallsColumn:
        case InputTokensColumn:
        case OutputTokensColumn:
        case CostColumn:
            return genAiToolTip(s);
        case StartColumn:
            return tr("Trace %1").arg(s.traceId.toHex());
        }
        break;
    case Qt::FontRole:
        if (index.column() == NameColumn && !s.hasRoot) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == ErrorsColumn && s.errorCount > 0)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        break;
    case Qt::DecorationRole:
        if (index.column() == NameColumn && s.errorCount > 0)
            return QColor(0xd3, 0x2f, 0x2f);
        break;
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case DurationColumn:
        case SpansColumn:
        case ErrorsColumn:
        case LlmCallsColumn:
        case ToolCallsColumn:
        case InputTokensColumn:
        case OutputTokensColumn:
        case CostColumn:
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        }
        break;
    case TraceIdRole:
        return s.traceId.toHex();
    case HasErrorsRole:
        return s.errorCount > 0;
    }
    return {};
}

QVariant TraceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::InitialSortOrderRole) {
        // A header's first click: the newest, longest, biggest first; text A to Z.
        const bool text = section == ServiceColumn || section == NameColumn;
        return QVariant::fromValue(text ? Qt::AscendingOrder : Qt::DescendingOrder);
    }
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        switch (section) {
        case LlmCallsColumn:
            return tr("LLM calls (chat, completion, embeddings spans)");
        case ToolCallsColumn:
            return tr("Tool calls (execute_tool spans)");
        case InputTokensColumn:
            return tr("Input tokens, counted once: on LLM calls, not again on the agent spans that sum them");
        case OutputTokensColumn:
            return tr("Output tokens, counted once");
        case CostColumn:
            return tr("Cost from Settings > Model Prices; \"no price\" when a model has none");
        }
        return {};
    }
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StartColumn:
        return tr("Start");
    case ServiceColumn:
        return tr("Service");
    case NameColumn:
        return tr("Name");
    case DurationColumn:
        return tr("Duration");
    case SpansColumn:
        return tr("Spans");
    case ErrorsColumn:
        return tr("Errors");
    case LlmCallsColumn:
        return tr("LLM");
    case ToolCallsColumn:
        return tr("Tools");
    case InputTokensColumn:
        return tr("In tok");
    case OutputTokensColumn:
        return tr("Out tok");
    case CostColumn:
        return tr("Cost");
    }
    return {};
}

QString TraceListModel::formatDuration(std::uint64_t nanos)
{
    if (nanos < 1000)
        return tr("%1 ns").arg(nanos);
    double value = double(nanos) / 1e3;
    if (value < 999.5)
        return tr("%1 µs").arg(significant(value));
    value /= 1e3;
    if (value < 999.5)
        return tr("%1 ms").arg(significant(value));
    value /= 1e3;
    if (value < 99.95)
        return tr("%1 s").arg(significant(value));
    value /= 60;
    if (value < 99.95)
        return tr("%1 min").arg(significant(value));
    return tr("%1 h").arg(significant(value / 60));
}

std::optional<std::uint64_t> TraceListModel::parseDuration(QStringView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return 0;
    qsizetype i = 0;
    std::uint64_t whole = 0;
    bool digits = false;
    for (; i < text.size() && text[i].isDigit() && text[i].unicode() < 128; ++i) {
        if (whole > (std::numeric_limits<std::uint64_t>::max() - 9) / 10)
            return std::nullopt;
        whole = whole * 10 + std::uint64_t(text[i].unicode() - '0');
        digits = true;
    }
    const qsizetype fractionStart = i;
    if (i < text.size() && text[i] == QLatin1Char('.')) {
        ++i;
        while (i < text.size() && text[i].isDigit() && text[i].unicode() < 128) {
            ++i;
            digits = true;
        }
    }
    if (!digits)
        return std::nullopt;
    // "0.xyz" read as a double is exact enough: the largest unit (1 h) times its error stays far below 1 ns.
    const double fraction = i - fractionStart > 1
        ? QString(QStringLiteral("0") + text.mid(fractionStart, i - fractionStart)).toDouble()
        : 0.0;

    const QString unit = text.mid(i).trimmed().toString().toLower();
    std::uint64_t nanosPerUnit = 0;
    if (unit.isEmpty() || unit == QLatin1String("ms"))
        nanosPerUnit = 1000000ull;
    else if (unit == QLatin1String("ns"))
        nanosPerUnit = 1;
    else if (unit == QLatin1String("us") || unit == QStringLiteral("\u00b5s") || unit == QStringLiteral("\u03bcs"))
        nanosPerUnit = 1000ull;
    else if (unit == QLatin1String("s"))
        nanosPerUnit = 1000000000ull;
    else if (unit == QLatin1String("m") || unit == QLatin1String("min"))
        nanosPerUnit = 60ull * 1000000000ull;
    else if (unit == QLatin1String("h"))
        nanosPerUnit = 3600ull * 1000000000ull;
    else
        return std::nullopt;

    const auto limit = std::uint64_t(std::numeric_limits<std::int64_t>::max());
    const auto fractionNanos = std::uint64_t(std::llround(fraction * double(nanosPerUnit)));
    if (whole > (limit - fractionNanos) / nanosPerUnit)
        return std::nullopt;
    return whole * nanosPerUnit + fractionNanos;
}

QString TraceListModel::formatTimestamp(std::uint64_t unixNanos)
{
    const auto dt = QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(unixNanos / 1000000));
    return dt.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
}
