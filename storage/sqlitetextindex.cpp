#include "sqlitetextindex.h"

#include "spancodec.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

namespace SqliteTextIndex {

void appendRecord(std::string& out, const char* utf8, qsizetype size)
{
    const std::size_t lengthAt = out.size();
    out.append(sizeof(std::uint32_t), '\0');
    SpanCodec::appendSearchFoldedUtf8(out, utf8, size);
    const auto length = std::uint32_t(out.size() - lengthAt - sizeof(std::uint32_t));
    std::memcpy(out.data() + lengthAt, &length, sizeof length);
}

void appendSpanRecords(std::string& out, std::string_view nameUtf8, const char* attributes, qsizetype attributesSize)
{
    appendRecord(out, nameUtf8.data(), qsizetype(nameUtf8.size()));
    SpanCodec::forEachAttributeString(
        attributes, attributesSize, [&out](std::string_view s) { appendRecord(out, s.data(), qsizetype(s.size())); });
}

SearchText::SearchText()
    : m_text(std::make_unique<std::string>())
    , m_seen(16, Hash { m_text.get() }, Equal { m_text.get() })
{
}

std::size_t SearchText::Hash::operator()(const Piece& p) const
{
    return std::hash<std::string_view>()(std::string_view(text->data() + p.offset, p.size));
}

bool SearchText::Equal::operator()(const Piece& a, const Piece& b) const
{
    return std::string_view(text->data() + a.offset, a.size) == std::string_view(text->data() + b.offset, b.size);
}

void SearchText::add(std::string_view folded)
{
    if (folded.empty())
        return;
    // Appended tentatively so the set can compare it in place; taken back when it was there already.
    const std::size_t before = m_text->size();
    if (before)
        m_text->push_back('\n');
    const Piece piece { std::uint32_t(m_text->size()), std::uint32_t(folded.size()) };
    m_text->append(folded);
    if (!m_seen.insert(piece).second)
        m_text->resize(before);
}

void SearchText::addRecords(std::string_view records)
{
    std::size_t at = 0;
    while (records.size() - at >= sizeof(std::uint32_t)) {
        std::uint32_t length = 0;
        std::memcpy(&length, records.data() + at, sizeof length);
        at += sizeof length;
        if (length > records.size() - at)
            return;
        add(records.substr(at, length));
        at += length;
    }
}

bool canNarrow(std::string_view foldedNeedle)
{
    int codePoints = 0;
    for (const char c : foldedNeedle)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80 && ++codePoints >= 3)
            return true;
    return false;
}

std::vector<std::string> quotedTrigrams(std::string_view foldedNeedle)
{
    // Byte offsets of the code points, and the end.
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < foldedNeedle.size(); ++i)
        if ((static_cast<unsigned char>(foldedNeedle[i]) & 0xC0) != 0x80)
            starts.push_back(i);
    const std::size_t n = starts.size();
    starts.push_back(foldedNeedle.size());
    std::vector<std::string> out;
    std::vector<std::string_view> seen;
    for (std::size_t first = 0; first + 3 <= n; ++first) {
        const std::string_view trigram = foldedNeedle.substr(starts[first], starts[first + 3] - starts[first]);
        if (std::find(seen.begin(), seen.end(), trigram) != seen.end())
            continue;
        seen.push_back(trigram);
        std::string quoted = "\"";
        for (const char c : trigram) {
            quoted.push_back(c);
            if (c == '"')
                quoted.push_back('"');
        }
        quoted.push_back('"');
        out.push_back(std::move(quoted));
    }
    return out;
}

std::string joinAnd(const std::vector<std::string>& terms)
{
    std::string out;
    for (const std::string& t : terms) {
        if (!out.empty())
            out += " AND ";
        out += t;
    }
    return out;
}

std::string matchExpression(std::string_view foldedNeedle) { return joinAnd(quotedTrigrams(foldedNeedle)); }

namespace {

    void searchTextStep(sqlite3_context* context, int, sqlite3_value** args)
    {
        auto** slot = static_cast<SearchText**>(sqlite3_aggregate_context(context, sizeof(SearchText*)));
        if (!slot) {
            sqlite3_result_error_nomem(context);
            return;
        }
        if (!*slot)
            *slot = new SearchText;
        thread_local std::string records;
        records.clear();
        const auto* name = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
        const auto* attributes = static_cast<const char*>(sqlite3_value_blob(args[1]));
        appendSpanRecords(records, std::string_view(name ? name : "", std::size_t(sqlite3_value_bytes(args[0]))),
            attributes, sqlite3_value_bytes(args[1]));
        (*slot)->addRecords(records);
    }

    void searchTextFinal(sqlite3_context* context)
    {
        auto** slot = static_cast<SearchText**>(sqlite3_aggregate_context(context, 0));
        if (!slot || !*slot) {
            sqlite3_result_text(context, "", 0, SQLITE_STATIC);
            return;
        }
        const std::string& text = (*slot)->text();
        sqlite3_result_text64(context, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        delete *slot;
        *slot = nullptr;
    }

} // namespace

bool registerFunctions(sqlite3* db)
{
    return sqlite3_create_function_v2(db, "spanscope_search_text", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, nullptr,
               &searchTextStep, &searchTextFinal, nullptr)
        == SQLITE_OK;
}

} // namespace SqliteTextIndex
