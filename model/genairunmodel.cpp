#include "model/genairunmodel.h"

#include "model/genaiicons.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace {

constexpr int MaxDetail = 300;

QString compactJson(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isNull() || v.isUndefined())
        return QString();
    const QByteArray json = v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
        : v.isArray()                    ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                         : QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return QString::fromUtf8(json);
}

QString oneLine(const QString& text)
{
    QString line = text.simplified();
    return line.size() > MaxDetail ? line.left(MaxDetail) + QChar(0x2026) : line;
}

} // namespace

GenAiRunModel::GenAiRunModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

GenAiRunModel::~GenAiRunModel() = default;

void GenAiRunModel::setRun(std::shared_ptr<const GenAi::Run> run, std::shared_ptr<const SpanTree> tree)
{
    beginResetModel();
    m_run = std::move(run);
    m_tree = std::move(tree);
    m_steps.clear();
    m_top.clear();
    m_stepOfSpan.clear();
    if (m_run && m_tree) {
        const auto add = [&](GenAi::SpanRole kind, int item, int spanIndex) {
            if (spanIndex < 0 || size_t(spanIndex) >= m_tree->spans.size())
                return;
            m_stepOfSpan.insert(spanIndex, int(m_steps.size()));
            Step step;
            step.kind = kind;
            step.item = item;
            step.spanIndex = spanIndex;
            m_steps.push_back(std::move(step));
        };
        for (size_t i = 0; i < m_run->agents.size(); ++i)
            add(GenAi::SpanRole::Agent, int(i), m_run->agents[i].spanIndex);
        for (size_t i = 0; i < m_run->calls.size(); ++i)
            add(GenAi::SpanRole::LlmCall, int(i), m_run->calls[i].spanIndex);
        for (size_t i = 0; i < m_run->toolCalls.size(); ++i)
            add(GenAi::SpanRole::ToolCall, int(i), m_run->toolCalls[i].spanIndex);
        // Start order is span index order (SpanTree sorts by start).
        std::vector<int> order(m_steps.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = int(i);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return m_steps[size_t(a)].spanIndex < m_steps[size_t(b)].spanIndex; });
        for (const int s : order) {
            Step& step = m_steps[size_t(s)];
            // Under the nearest agent among the span's ancestors (the chain is bounded: the tree has no cycles).
            for (int up = m_tree->nodes[size_t(step.spanIndex)].parent; up >= 0; up = m_tree->nodes[size_t(up)].parent) {
                const int owner = m_stepOfSpan.value(up, -1);
                if (owner >= 0 && m_steps[size_t(owner)].kind == GenAi::SpanRole::Agent) {
                    step.parent = owner;
                    break;
                }
            }
            std::vector<int>& siblings = step.parent < 0 ? m_top : m_steps[size_t(step.parent)].children;
            step.row = int(siblings.size());
            siblings.push_back(s);
        }
    }
    endResetModel();
}

QModelIndex GenAiRunModel::indexOfSpan(int spanIndex) const
{
    const int s = m_stepOfSpan.value(spanIndex, -1);
    if (s < 0)
        return {};
    return createIndex(m_steps[size_t(s)].row, 0, quintptr(s + 1));
}

QModelIndex GenAiRunModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    const std::vector<int>& rows = parent.isValid() ? m_steps[size_t(parent.internalId() - 1)].children : m_top;
    if (size_t(row) >= rows.size())
        return {};
    return createIndex(row, column, quintptr(rows[size_t(row)] + 1));
}

QModelIndex GenAiRunModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const int p = m_steps[size_t(child.internalId() - 1)].parent;
    return p < 0 ? QModelIndex() : createIndex(m_steps[size_t(p)].row, 0, quintptr(p + 1));
}

int GenAiRunModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(parent.isValid() ? m_steps[size_t(parent.internalId() - 1)].children.size() : m_top.size());
}

int GenAiRunModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

QString GenAiRunModel::stepText(const Step& step) const
{
    switch (step.kind) {
    case GenAi::SpanRole::Agent: {
        const GenAi::AgentInvocation& a = m_run->agents[size_t(step.item)];
        return tr("%1 %2").arg(a.operation, a.agentName);
    }
    case GenAi::SpanRole::LlmCall: {
        const GenAi::LlmCall& c = m_run->calls[size_t(step.item)];
        const QString model = c.requestModel.isEmpty() ? c.responseModel : c.requestModel; // the shorter one
        return model.isEmpty() ? c.name : QStringLiteral("%1 %2").arg(c.operation, model);
    }
    case GenAi::SpanRole::ToolCall:
        return m_run->toolCalls[size_t(step.item)].name;
    case GenAi::SpanRole::None:
        break;
    }
    return QString();
}

QString GenAiRunModel::detailText(const Step& step) const
{
    switch (step.kind) {
    case GenAi::SpanRole::LlmCall: {
        const GenAi::LlmCall& c = m_run->calls[size_t(step.item)];
        QStringList said;
        QStringList asked;
        for (const GenAi::Message& m : c.outputMessages)
            for (const GenAi::Part& p : m.parts) {
                if (p.type == GenAi::Part::Type::Text && !p.content.trimmed().isEmpty())
                    said << p.content;
                else if (p.type == GenAi::Part::Type::ToolCall)
                    asked << p.name;
            }
        if (!asked.isEmpty())
            return tr("asks for %1").arg(asked.join(QStringLiteral(", ")));
        if (!said.isEmpty())
            return oneLine(said.join(QLatin1Char(' ')));
        if (!c.hasContent())
            return tr("(content not captured)");
        return c.finishReasons.join(QStringLiteral(", "));
    }
    case GenAi::SpanRole::ToolCall: {
        const GenAi::ToolCall& t = m_run->toolCalls[size_t(step.item)];
        const QString args = compactJson(t.arguments);
        const QString result = compactJson(t.result);
        return oneLine(QStringLiteral("(%1)").arg(args) + (result.isEmpty() ? QString() : QStringLiteral(" \u2192 ") + result));
    }
    case GenAi::SpanRole::Agent:
    case GenAi::SpanRole::None:
        break;
    }
    return QString();
}

QVariant GenAiRunModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || !m_run)
        return {};
    const Step& step = m_steps[size_t(index.internalId() - 1)];
    const SpanTree::Record& span = m_tree->spans[size_t(step.spanIndex)];
    const GenAi::LlmCall* call = step.kind == GenAi::SpanRole::LlmCall ? &m_run->calls[size_t(step.item)] : nullptr;
    const QLocale locale;
    switch (role) {
    case SpanIndexRole:
        return step.spanIndex;
    case SpanIdRole:
        return span.spanId.toHex();
    case StepRole:
        return int(step.kind);
    case Qt::DecorationRole:
        return index.column() == StepColumn ? QVariant(GenAiIcons::icon(step.kind)) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == StepColumn)
            return QStringLiteral("%1: %2").arg(GenAiIcons::roleName(step.kind), m_tree->nameOf(step.spanIndex));
        if (index.column() == DetailColumn)
            return detailText(step);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == TokensColumn || index.column() == CostColumn || index.column() == DurationColumn
            ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    case SortRole:
        switch (index.column()) {
        case StepColumn:
            return qulonglong(span.startTimeUnixNano);
        case DetailColumn:
            return detailText(step);
        case TokensColumn:
            return call ? call->inputTokens.value_or(0) + call->outputTokens.value_or(0) : 0;
        case CostColumn:
            return call && call->cost ? call->cost->amount : -1.0;
        case DurationColumn:
            return qulonglong(span.durationNanos());
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case StepColumn:
            return stepText(step);
        case DetailColumn:
            return detailText(step);
        case TokensColumn:
            if (!call || (!call->inputTokens && !call->outputTokens))
                return QString();
            return QStringLiteral("%1 \u2192 %2")
                .arg(call->inputTokens ? locale.toString(*call->inputTokens) : QStringLiteral("?"),
                     call->outputTokens ? locale.toString(*call->outputTokens) : QStringLiteral("?"));
        case CostColumn:
            if (!call || (!call->inputTokens && !call->outputTokens))
                return QString();
            return call->cost ? call->cost->toString() : tr("no price");
        case DurationColumn:
            return tr("%1 ms").arg(locale.toString(double(span.durationNanos()) / 1e6, 'f', 1));
        }
        return {};
    default:
        return {};
    }
}

QVariant GenAiRunModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StepColumn:
        return tr("Step");
    case DetailColumn:
        return tr("Said / did");
    case TokensColumn:
        return tr("Tokens in \u2192 out");
    case CostColumn:
        return tr("Cost");
    case DurationColumn:
        return tr("Duration");
    }
    return {};
}
