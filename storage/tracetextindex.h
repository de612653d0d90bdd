#pragma once

#include <QString>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

class SqliteConnection;

/**
 * The SQLite store's index for the trace list's text filter (TraceQuery::text; schema migration 5,
 * docs/storage.md "Text filter index"): the contentless FTS5 table `trace_text` (trigram tokenizer, case-sensitive,
 * detail=none) over text folded by SpanCodec::appendSearchFoldedUtf8. Each write adds one row per trace it touches,
 * with rowid = traces.seq, holding the distinct folded strings that the text filter searches in that write's spans
 * of the trace (span names and string attribute values, as SpanCodec::textContains and attributesContain search
 * them), each followed by Separator. Rows of one rowid add up (FTS5 keeps a term's newest entry per rowid, and
 * detail=none entries say only "present"), so the index tells which traces have every trigram of a term: a superset
 * of the traces that have the term, which the span scan then checks. Stale strings of a replaced span only add
 * candidates. Terms shorter than three code points have no trigram: they scan.
 */
namespace TraceTextIndex {

constexpr char Separator = '\n';

/// True when the index can narrow down `foldedNeedle` (SpanCodec::searchFolded): three code points or more.
bool serves(std::string_view foldedNeedle);
/// `foldedNeedle` as an FTS5 MATCH expression: every distinct trigram of it, quoted, all required.
std::string matchExpression(std::string_view foldedNeedle);

/// The text of one row: distinct folded strings, each followed by Separator. Not thread-safe.
class TextBuilder {
public:
    /// Adds the searched strings of an encoded span (UTF-8 name, SpanCodec attributes). `stable`: the bytes stay
    /// valid until clear(), so they are not copied for deduplication.
    void addSpan(std::string_view nameUtf8, std::string_view attributes, bool stable);
    /// Adds the lines of another builder's text that this one lacks; `text` must stay valid until clear().
    void addLines(std::string_view text);
    const std::string& text() const { return m_text; }
    void clear();

private:
    void addString(const char* utf8, qsizetype size, bool stable);

    std::unordered_set<std::string_view> m_seen; // strings (as given) already added
    std::deque<std::string> m_copies; // what m_seen points to for strings that were not stable
    std::string m_text;
};

/// Migration 5: fills `trace_text` from every stored span, one row per trace. In the caller's transaction.
bool backfill(SqliteConnection& db, QString* error);

} // namespace TraceTextIndex
