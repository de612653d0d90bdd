#include "ingest/files/jsonlocator.h"

#include <algorithm>
#include <numeric>

namespace {

struct Step {
    QByteArray key; ///< empty for an array index
    QByteArray snakeKey;
    qint64 index = -1;
};

QByteArray snakeCase(const QByteArray& key)
{
    QByteArray out;
    out.reserve(key.size() + 4);
    for (char c : key) {
        if (c >= 'A' && c <= 'Z') {
            out += '_';
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            out += c;
        }
    }
    return out;
}

/// `a.b[2].c` -> a, b, [2], c (`$` and `` -> none: the root); false when the path is malformed.
bool parsePath(const QString& path, std::vector<Step>* out)
{
    std::vector<Step>& steps = *out;
    const QByteArray p = path.toUtf8();
    qsizetype i = p.startsWith('$') ? 1 : 0;
    while (i < p.size()) {
        if (p[i] == '.') {
            ++i;
            continue;
        }
        if (p[i] == '[') {
            const qsizetype close = p.indexOf(']', i);
            bool ok = false;
            const qint64 index = close < 0 ? -1 : p.mid(i + 1, close - i - 1).toLongLong(&ok);
            if (!ok || index < 0)
                return false;
            steps.push_back({ {}, {}, index });
            i = close + 1;
            continue;
        }
        qsizetype end = i;
        while (end < p.size() && p[end] != '.' && p[end] != '[')
            ++end;
        const QByteArray key = p.mid(i, end - i);
        steps.push_back({ key, snakeCase(key), -1 });
        i = end;
    }
    return true;
}

/// Walks the text once, descending only into values some path goes through and skipping the rest.
class Scanner {
public:
    Scanner(const QByteArray& json, const std::vector<std::vector<Step>>& paths, std::vector<qint64>& offsets)
        : m_json(json)
        , m_paths(paths)
        , m_offsets(offsets)
        , m_resolved(paths.size(), false)
    {
    }

    /// Looks for the paths listed in `wanted` (indexes into `paths`).
    void run(const std::vector<int>& wanted)
    {
        m_unresolved = static_cast<qsizetype>(wanted.size());
        if (!wanted.empty())
            walk(0, wanted);
    }

private:
    char peek() const { return m_pos < m_json.size() ? m_json[m_pos] : '\0'; }

    void skipSpace()
    {
        while (m_pos < m_json.size()
            && (m_json[m_pos] == ' ' || m_json[m_pos] == '\n' || m_json[m_pos] == '\r' || m_json[m_pos] == '\t'))
            ++m_pos;
    }

    /// At '"': past the closing quote.
    bool skipString()
    {
        ++m_pos;
        while (m_pos < m_json.size()) {
            const char c = m_json[m_pos];
            if (c == '\\') {
                m_pos += 2;
                continue;
            }
            ++m_pos;
            if (c == '"')
                return true;
        }
        return false;
    }

    /// Past one value of any depth (iterative: nesting in the file does not deepen the stack).
    bool skipValue()
    {
        skipSpace();
        const char first = peek();
        if (first == '"')
            return skipString();
        if (first == '{' || first == '[') {
            qint64 depth = 0;
            while (m_pos < m_json.size()) {
                const char c = m_json[m_pos];
                if (c == '"') {
                    if (!skipString())
                        return false;
                    continue;
                }
                ++m_pos;
                if (c == '{' || c == '[') {
                    ++depth;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0)
                        return true;
                }
            }
            return false;
        }
        const qsizetype start = m_pos;
        while (m_pos < m_json.size()) {
            const char c = m_json[m_pos];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
                break;
            ++m_pos;
        }
        return m_pos > start;
    }

    /// The value at m_pos is step `depth` of every path in `candidates`. False on malformed text or when done.
    bool walk(std::size_t depth, const std::vector<int>& candidates)
    {
        skipSpace();
        if (m_pos >= m_json.size())
            return false;
        std::vector<int> deeper;
        for (int c : candidates) {
            if (depth > 0 || m_paths[std::size_t(c)].empty()) // the root alone is no match for a path with steps
                m_offsets[std::size_t(c)] = m_pos;
            if (m_paths[std::size_t(c)].size() > depth)
                deeper.push_back(c);
            else if (!m_resolved[std::size_t(c)]) {
                m_resolved[std::size_t(c)] = true;
                --m_unresolved;
            }
        }
        if (m_unresolved == 0)
            return false; // every path found: stop reading
        if (deeper.empty())
            return skipValue();
        const char open = peek();
        if (open != '{' && open != '[')
            return skipValue();
        ++m_pos;
        skipSpace();
        if (peek() == (open == '{' ? '}' : ']')) {
            ++m_pos;
            return true;
        }
        std::vector<int> next;
        for (qint64 index = 0;; ++index) {
            next.clear();
            skipSpace();
            if (open == '{') {
                if (peek() != '"')
                    return false;
                const qsizetype keyStart = m_pos + 1;
                if (!skipString())
                    return false;
                const QByteArrayView key(m_json.constData() + keyStart, m_pos - 1 - keyStart);
                skipSpace();
                if (peek() != ':')
                    return false;
                ++m_pos;
                for (int c : deeper) {
                    const Step& step = m_paths[std::size_t(c)][depth];
                    if (step.index < 0 && (key == step.key || key == step.snakeKey))
                        next.push_back(c);
                }
            } else {
                for (int c : deeper)
                    if (m_paths[std::size_t(c)][depth].index == index)
                        next.push_back(c);
            }
            if (!(next.empty() ? skipValue() : walk(depth + 1, next)))
                return false;
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == (open == '{' ? '}' : ']')) {
                ++m_pos;
                return true;
            }
            return false;
        }
    }

    const QByteArray& m_json;
    const std::vector<std::vector<Step>>& m_paths;
    std::vector<qint64>& m_offsets;
    std::vector<bool> m_resolved;
    qsizetype m_pos = 0;
    qsizetype m_unresolved = 0;
};

} // namespace

std::vector<qint64> JsonLocator::offsetsOf(const QByteArray& json, const QStringList& paths)
{
    std::vector<std::vector<Step>> parsed(std::size_t(paths.size()));
    std::vector<int> wanted;
    for (qsizetype i = 0; i < paths.size(); ++i)
        if (parsePath(paths.at(i), &parsed[std::size_t(i)]))
            wanted.push_back(static_cast<int>(i));
    std::vector<qint64> offsets(parsed.size(), -1);
    Scanner(json, parsed, offsets).run(wanted);
    return offsets;
}

std::vector<qint64> JsonLocator::linesOf(const QByteArray& text, const std::vector<qint64>& offsets)
{
    std::vector<std::size_t> order(offsets.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return offsets[a] < offsets[b]; });
    std::vector<qint64> lines(offsets.size(), 0);
    qint64 line = 1;
    qsizetype counted = 0;
    for (std::size_t i : order) {
        if (offsets[i] < 0)
            continue;
        const qsizetype to = std::min<qsizetype>(offsets[i], text.size());
        line += std::count(text.constData() + counted, text.constData() + to, '\n');
        counted = to;
        lines[i] = line;
    }
    return lines;
}
