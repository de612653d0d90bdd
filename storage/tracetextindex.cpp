#include "tracetextindex.h"

#include "spancodec.h"
#include "sqliteconnection.h"

#include <QString>

#include <sqlite3.h>

#include <algorithm>
#include <set>
#include <vector>

namespace TraceTextIndex {

namespace {

    bool startsCodePoint(char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }

} // namespace

bool serves(std::string_view foldedNeedle)
{
    return std::count_if(foldedNeedle.begin(), foldedNeedle.end(), startsCodePoint) >= 3;
}

std::string matchExpression(std::string_view foldedNeedle)
{
    std::vector<std::size_t> starts; // byte offset of each code point
    for (std::size_t i = 0; i < foldedNeedle.size(); ++i)
        if (startsCodePoint(foldedNeedle[i]))
            starts.push_back(i);
    starts.push_back(foldedNeedle.size());
    std::set<std::string_view> trigrams;
    for (std::size_t i = 0; i + 3 < starts.size(); ++i)
        trigrams.insert(foldedNeedle.substr(starts[i], starts[i + 3] - starts[i]));
    std::string out;
    for (const std::string_view trigram : trigrams) {
        if (!out.empty())
            out.push_back(' ');
        out.push_back('"');
        for (const char c : trigram) {
            if (c == '"')
                out.push_back('"');
            out.push_back(c);
        }
        out.push_back('"');
    }
    return out;
}

void TextBuilder::addString(const char* utf8, qsizetype size, bool stable)
{
    if (size == 0) // contains no term
        return;
    std::string_view view(utf8, std::size_t(size));
    if (m_seen.count(view))
        return;
    if (!stable)
        view = m_copies.emplace_back(view);
    m_seen.insert(view);
    SpanCodec::appendSearchFoldedUtf8(m_text, utf8, size);
    m_text.push_back(Separator);
}

void TextBuilder::addSpan(std::string_view nameUtf8, std::string_view attributes, bool stable)
{
    addString(nameUtf8.data(), qsizetype(nameUtf8.size()), stable);
    SpanCodec::forEachAttributeString(attributes.data(), qsizetype(attributes.size()),
        [this, stable](const char* utf8, qsizetype size) { addString(utf8, size, stable); });
}

void TextBuilder::addLines(std::string_view text)
{
    while (!text.empty()) {
        const std::size_t end = text.find(Separator);
        const std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (!line.empty() && m_seen.insert(line).second) {
            m_text.append(line);
            m_text.push_back(Separator);
        }
    }
}

void TextBuilder::clear()
{
    m_seen.clear();
    m_copies.clear();
    m_text.clear();
}

bool backfill(SqliteConnection& db, QString* error)
{
    const auto failed = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    QString message;
    sqlite3_stmt* spans = db.statement("SELECT trace_seq, name, attributes FROM spans ORDER BY trace_seq", &message);
    sqlite3_stmt* insert
        = spans ? db.statement("INSERT INTO trace_text (rowid, text) VALUES (?1, ?2)", &message) : nullptr;
    if (!insert)
        return failed(message);
    TextBuilder builder;
    std::int64_t trace = -1;
    const auto flush = [&] {
        if (trace < 0 || builder.text().empty())
            return true;
        SqliteQuery q(insert);
        q.bindInt64(1, trace);
        q.bindTextStatic(2, builder.text());
        return q.exec();
    };
    SqliteQuery q(spans);
    int rc;
    qsizetype nameSize = 0;
    qsizetype attributesSize = 0;
    while ((rc = q.step()) == SQLITE_ROW) {
        const std::int64_t seq = q.columnInt64(0);
        if (seq != trace) {
            if (!flush())
                return failed(db.errorMessage());
            builder.clear();
            trace = seq;
        }
        const char* name = q.columnBlob(1, &nameSize);
        const char* attributes = q.columnBlob(2, &attributesSize);
        builder.addSpan(std::string_view(name, std::size_t(nameSize)),
            std::string_view(attributes, std::size_t(attributesSize)), false);
    }
    if (rc != SQLITE_DONE || !flush())
        return failed(db.errorMessage());
    return true;
}

} // namespace TraceTextIndex
