#pragma once

#include <QtGlobal>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

struct sqlite3;

/**
 * The SQLite store's text index (schema version 5): the FTS5 table `trace_text` with the trigram tokenizer, one row
 * per trace per write holding the distinct searchable strings the write brought (span names and string attribute
 * values, folded by SpanCodec's search folding, joined by newlines). Row ids are `traces.seq << RowShift` plus the
 * number of the trace's earlier rows, so one trace's rows are a rowid range. The index only narrows the candidates
 * of TraceQuery::text; the store still applies the exact match (spanscope_contains) to them. Pure functions, any
 * thread; a SearchText is used by one thread at a time.
 */
namespace SqliteTextIndex {

/// Bits of a trace_text rowid below the trace's seq: up to 2^20 rows per trace, seq up to 2^43.
constexpr int RowShift = 20;
constexpr std::int64_t RowsPerTrace = std::int64_t(1) << RowShift;

/// Appends `utf8` folded for search to `out` as one length-prefixed record (4 bytes host-order length, bytes).
void appendRecord(std::string& out, const char* utf8, qsizetype size);
/// Appends the records of one span: its name (UTF-8) and every string value of its encoded attributes.
void appendSpanRecords(std::string& out, std::string_view nameUtf8, const char* attributes, qsizetype attributesSize);

/// The distinct strings of one trace's rows, newline-joined; adding one seen before adds nothing.
class SearchText {
public:
    SearchText();
    SearchText(SearchText&&) = default;
    SearchText& operator=(SearchText&&) = default;

    void add(std::string_view folded);
    /// Adds every record of appendRecord/appendSpanRecords output.
    void addRecords(std::string_view records);
    const std::string& text() const { return *m_text; }
    bool isEmpty() const { return m_text->empty(); }

private:
    struct Piece {
        std::uint32_t offset;
        std::uint32_t size;
    };
    // Pieces of *m_text; it lives on the heap so that a moved SearchText's set still points at it.
    struct Hash {
        const std::string* text;
        std::size_t operator()(const Piece& p) const;
    };
    struct Equal {
        const std::string* text;
        bool operator()(const Piece& a, const Piece& b) const;
    };

    std::unique_ptr<std::string> m_text;
    std::unordered_set<Piece, Hash, Equal> m_seen;
};

/// True when the trigram index can narrow a search for `foldedNeedle`: it has at least 3 code points.
bool canNarrow(std::string_view foldedNeedle);
/**
 * An FTS5 MATCH expression for rows that may contain `foldedNeedle` (3+ code points): each of its distinct trigrams
 * quoted, joined by AND. Every row containing the needle matches; so does a row with those trigrams elsewhere (the
 * index keeps no positions; the caller checks candidates exactly). Empty for shorter needles.
 */
std::string matchExpression(std::string_view foldedNeedle);
/// The distinct trigrams of `foldedNeedle`, each quoted for MATCH, in needle order; matchExpression joins them.
std::vector<std::string> quotedTrigrams(std::string_view foldedNeedle);
/// `terms` joined by " AND ".
std::string joinAnd(const std::vector<std::string>& terms);

/// Registers the aggregate spanscope_search_text(name TEXT, attributes BLOB) that migration 5 backfills with: the
/// SearchText of a group's spans. False with SQLite's error code otherwise.
bool registerFunctions(sqlite3* db);

} // namespace SqliteTextIndex
