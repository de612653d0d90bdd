#pragma once

#include "model/genai.h"
#include "model/spantreemodel.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

/**
 * Two runs of an agent side by side (issue 10 "Compare two runs"): the span trees of traces A and B aligned by the
 * path of span names from the root (the k-th span with the same path matches the k-th), with durations, tokens and
 * cost of each side, and which steps B added or removed; for LLM calls matched on both sides, the difference of
 * their messages. Pure functions of two SpanTrees and their GenAI runs; any thread.
 */
namespace RunComparison {

enum class Change { Same, Changed, Added, Removed }; ///< Added: only in B; Removed: only in A

/// One aligned row: a span of A, of B, or of both.
struct Row {
    int spanA = -1; ///< index into A's spans, -1 when only in B
    int spanB = -1;
    int depth = 0; ///< nesting in the aligned tree
    int parent = -1; ///< index into rows, -1 at the top
    QString name;
    Change change = Change::Same; ///< Changed: matched, with different messages (LLM calls) or status
    int callA = -1; ///< index into A's run calls when the span is an LLM call there
    int callB = -1;
};

/// One line of a message diff.
struct DiffLine {
    enum class Kind { Same, OnlyA, OnlyB };
    Kind kind = Kind::Same;
    QString text;
};

/// The whole comparison.
struct Result {
    std::shared_ptr<const SpanTree> a, b;
    std::shared_ptr<const GenAi::Run> runA, runB;
    std::vector<Row> rows; ///< pre-order of the aligned tree
    int added = 0;
    int removed = 0;
    int changed = 0;
};

/// Aligns B to A. The runs must belong to the trees (GenAi::analyze of each).
Result compare(std::shared_ptr<const SpanTree> a, std::shared_ptr<const GenAi::Run> runA, std::shared_ptr<const SpanTree> b,
               std::shared_ptr<const GenAi::Run> runB);

/// A call's conversation as text lines: "[role]" headers, text, "-> tool name(args)", "<- result (id)", per message;
/// system instructions first. What messageDiff compares.
QStringList conversationLines(const GenAi::LlmCall& call);

/// Line diff of two calls' conversations (longest common subsequence of lines; both sides in order).
std::vector<DiffLine> messageDiff(const GenAi::LlmCall& a, const GenAi::LlmCall& b);

} // namespace RunComparison
