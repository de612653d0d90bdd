#include "model/runcomparison.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace RunComparison {

namespace {

/// Key of a child among its siblings: its name and which occurrence of that name it is (start order).
using Key = std::pair<QString, int>;

std::vector<Key> keysOf(const SpanTree& tree, SpanIndexRange children)
{
    std::vector<Key> keys;
    keys.reserve(children.size());
    QHash<QString, int> seen;
    for (const int c : children) {
        const QString& name = tree.nameOf(c);
        keys.push_back({ name, seen[name]++ });
    }
    return keys;
}

/// The children of a matched pair (or of one side alone) as aligned pairs: A's order, B's own children placed
/// where B has them. -1 on the side that lacks the span.
std::vector<std::pair<int, int>> mergeChildren(const SpanTree& a, SpanIndexRange childrenA, const SpanTree& b,
                                               SpanIndexRange childrenB)
{
    const std::vector<Key> keysA = keysOf(a, childrenA);
    const std::vector<Key> keysB = keysOf(b, childrenB);
    QHash<QString, QHash<int, int>> inA, inB; // name -> occurrence -> position
    for (size_t i = 0; i < keysA.size(); ++i)
        inA[keysA[i].first][keysA[i].second] = int(i);
    for (size_t j = 0; j < keysB.size(); ++j)
        inB[keysB[j].first][keysB[j].second] = int(j);
    const auto find = [](const QHash<QString, QHash<int, int>>& in, const Key& key) {
        const auto byName = in.constFind(key.first);
        return byName == in.constEnd() ? -1 : byName->value(key.second, -1);
    };
    std::vector<std::pair<int, int>> pairs;
    std::vector<bool> usedB(keysB.size(), false);
    size_t j = 0;
    for (size_t i = 0; i < keysA.size(); ++i) {
        const int match = find(inB, keysA[i]);
        // B's children before this one's match that A does not have: added here.
        while (j < keysB.size() && (usedB[j] || find(inA, keysB[j]) < 0)) {
            if (!usedB[j])
                pairs.push_back({ -1, childrenB[j] });
            usedB[j] = true;
            ++j;
        }
        if (match >= 0) {
            usedB[size_t(match)] = true;
            pairs.push_back({ childrenA[i], childrenB[size_t(match)] });
        } else {
            pairs.push_back({ childrenA[i], -1 });
        }
    }
    for (; j < keysB.size(); ++j)
        if (!usedB[j])
            pairs.push_back({ -1, childrenB[j] });
    return pairs;
}

QString jsonText(const QJsonValue& v)
{
    if (v.isString())
        return v.toString();
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isNull() || v.isUndefined())
        return QString();
    return QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

void appendParts(const std::vector<GenAi::Part>& parts, QStringList* lines)
{
    for (const GenAi::Part& p : parts) {
        switch (p.type) {
        case GenAi::Part::Type::Text:
            *lines << p.content.split(QLatin1Char('\n'));
            break;
        case GenAi::Part::Type::ToolCall:
            *lines << QStringLiteral("-> %1(%2)").arg(p.name, jsonText(p.arguments));
            break;
        case GenAi::Part::Type::ToolCallResponse:
            *lines << QStringLiteral("<- %1").arg(jsonText(p.response));
            break;
        case GenAi::Part::Type::Other:
            *lines << QStringLiteral("[%1] %2").arg(p.other.value(QLatin1String("type")).toString(),
                                                     p.content.isEmpty() ? jsonText(p.other) : p.content);
            break;
        }
    }
}

} // namespace

QStringList conversationLines(const GenAi::LlmCall& call)
{
    QStringList lines;
    if (!call.systemInstructions.empty()) {
        lines << QStringLiteral("[system]");
        appendParts(call.systemInstructions, &lines);
    }
    const auto messages = [&](const std::vector<GenAi::Message>& list, const QString& side) {
        for (const GenAi::Message& m : list) {
            lines << QStringLiteral("[%1%2]").arg(side, m.role);
            if (m.contentMissing && m.parts.empty())
                lines << QStringLiteral("(content not captured)");
            appendParts(m.parts, &lines);
        }
    };
    messages(call.inputMessages, QString());
    messages(call.outputMessages, QStringLiteral("output: "));
    return lines;
}

std::vector<DiffLine> messageDiff(const GenAi::LlmCall& a, const GenAi::LlmCall& b)
{
    const QStringList la = conversationLines(a);
    const QStringList lb = conversationLines(b);
    // Common prefix and suffix first: conversations of two runs mostly share their history.
    qsizetype prefix = 0;
    while (prefix < la.size() && prefix < lb.size() && la[prefix] == lb[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < la.size() - prefix && suffix < lb.size() - prefix && la[la.size() - 1 - suffix] == lb[lb.size() - 1 - suffix])
        ++suffix;
    const qsizetype n = la.size() - prefix - suffix;
    const qsizetype m = lb.size() - prefix - suffix;
    std::vector<DiffLine> out;
    for (qsizetype i = 0; i < prefix; ++i)
        out.push_back({ DiffLine::Kind::Same, la[i] });
    // LCS table over the middle; it is small unless the runs differ throughout (bounded: past 4M cells, one block).
    if (n * m <= 4'000'000) {
        std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
        for (qsizetype i = n - 1; i >= 0; --i)
            for (qsizetype j = m - 1; j >= 0; --j)
                lcs[size_t(i)][size_t(j)] = la[prefix + i] == lb[prefix + j]
                    ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                    : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
        qsizetype i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && la[prefix + i] == lb[prefix + j]) {
                out.push_back({ DiffLine::Kind::Same, la[prefix + i] });
                ++i;
                ++j;
            } else if (j < m && (i == n || lcs[size_t(i)][size_t(j + 1)] >= lcs[size_t(i + 1)][size_t(j)])) {
                out.push_back({ DiffLine::Kind::OnlyB, lb[prefix + j++] });
            } else {
                out.push_back({ DiffLine::Kind::OnlyA, la[prefix + i++] });
            }
        }
    } else {
        for (qsizetype i = 0; i < n; ++i)
            out.push_back({ DiffLine::Kind::OnlyA, la[prefix + i] });
        for (qsizetype j = 0; j < m; ++j)
            out.push_back({ DiffLine::Kind::OnlyB, lb[prefix + j] });
    }
    for (qsizetype i = la.size() - suffix; i < la.size(); ++i)
        out.push_back({ DiffLine::Kind::Same, la[i] });
    return out;
}

Result compare(std::shared_ptr<const SpanTree> a, std::shared_ptr<const GenAi::Run> runA, std::shared_ptr<const SpanTree> b,
               std::shared_ptr<const GenAi::Run> runB)
{
    Result result;
    result.a = std::move(a);
    result.b = std::move(b);
    result.runA = std::move(runA);
    result.runB = std::move(runB);
    if (!result.a || !result.b)
        return result;
    std::vector<int> callOfSpanA(result.a->spans.size(), -1), callOfSpanB(result.b->spans.size(), -1);
    if (result.runA)
        for (size_t c = 0; c < result.runA->calls.size(); ++c)
            callOfSpanA[size_t(result.runA->calls[c].spanIndex)] = int(c);
    if (result.runB)
        for (size_t c = 0; c < result.runB->calls.size(); ++c)
            callOfSpanB[size_t(result.runB->calls[c].spanIndex)] = int(c);
    // Pre-order with an explicit stack: trees can be deeper than the call stack.
    struct Pending {
        int spanA, spanB, depth, parent;
    };
    std::vector<Pending> stack;
    const auto pushChildren = [&](SpanIndexRange childrenA, SpanIndexRange childrenB, int depth, int parent) {
        const auto pairs = mergeChildren(*result.a, childrenA, *result.b, childrenB);
        for (auto it = pairs.rbegin(); it != pairs.rend(); ++it)
            stack.push_back({ it->first, it->second, depth, parent });
    };
    pushChildren(result.a->children(-1), result.b->children(-1), 0, -1);
    const SpanIndexRange none;
    while (!stack.empty()) {
        const Pending p = stack.back();
        stack.pop_back();
        Row row;
        row.spanA = p.spanA;
        row.spanB = p.spanB;
        row.depth = p.depth;
        row.parent = p.parent;
        row.name = p.spanA >= 0 ? result.a->nameOf(p.spanA) : result.b->nameOf(p.spanB);
        row.change = p.spanA < 0 ? Change::Added : p.spanB < 0 ? Change::Removed : Change::Same;
        row.callA = p.spanA >= 0 ? callOfSpanA[size_t(p.spanA)] : -1;
        row.callB = p.spanB >= 0 ? callOfSpanB[size_t(p.spanB)] : -1;
        const int self = int(result.rows.size());
        result.rows.push_back(row);
        pushChildren(p.spanA >= 0 ? result.a->children(p.spanA) : none,
                     p.spanB >= 0 ? result.b->children(p.spanB) : none, p.depth + 1, self);
    }
    for (Row& row : result.rows) {
        if (row.change == Change::Added)
            ++result.added;
        else if (row.change == Change::Removed)
            ++result.removed;
        else {
            const SpanTree::Record& sa = result.a->spans[size_t(row.spanA)];
            const SpanTree::Record& sb = result.b->spans[size_t(row.spanB)];
            bool differs = sa.statusCode != sb.statusCode;
            if (!differs && row.callA >= 0 && row.callB >= 0)
                differs = conversationLines(result.runA->calls[size_t(row.callA)])
                    != conversationLines(result.runB->calls[size_t(row.callB)]);
            if (differs) {
                row.change = Change::Changed;
                ++result.changed;
            }
        }
    }
    return result;
}

} // namespace RunComparison
