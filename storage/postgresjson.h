#pragma once

#include "model/span.h"

#include <QString>

#include <string>
#include <string_view>
#include <vector>

/**
 * The JSON the PostgreSQL store writes into its JSONB columns and reads back (docs/storage.md, "PostgreSQL").
 *
 * Attributes are one flat object `{"key": value}` that SQL can query (`attributes->>'http.method'`): strings,
 * booleans and null (an empty AnyValue) as JSON has them; int64 as JSON integers; doubles always with a decimal
 * point ("2.0", never "2", not in exponent form), so they read back as doubles, and the shortest digits that give
 * the same double; arrays as arrays; maps (kvlist) as objects. What JSON cannot carry is changed in a fixed way:
 * bytes become their base64 text (a string, as OTLP/JSON writes them), NaN and infinities become the strings "NaN",
 * "Infinity", "-Infinity", U+0000 (which PostgreSQL text cannot hold) becomes U+FFFD, -0.0 becomes 0.0, and of a
 * key given twice only the last value is kept (JSON objects have unique keys).
 *
 * JSONB keeps object keys sorted (by length, then bytes), not in the order they were written. So the original
 * order of the keys of an attribute list is kept beside it as a permutation (keyOrder), and nested maps come back
 * in that sorted order.
 *
 * Pure functions, any thread. Parsing is bounds checked and returns false on malformed input, never crashes.
 */
namespace PostgresJson {

/// Appends `s` as a JSON string literal (UTF-8, control characters escaped, U+0000 replaced by U+FFFD).
void appendString(std::string& out, QStringView s);
/// Appends a double as described above (never an exponent, always a '.', NaN/Inf as strings).
void appendDouble(std::string& out, double value);
void appendValue(std::string& out, const AnyValue& value);
/// `{"key": value, ...}`; keys in the given order (JSONB sorts them).
void appendAttributes(std::string& out, const Attributes& attributes);
/**
 * The order of the distinct keys of `attributes` (first occurrence) as indexes into the same keys sorted the way
 * sortedKeyLess sorts; empty when that is already the order (the usual case for one or no attribute).
 */
std::vector<int> keyOrder(const Attributes& attributes);
/// Appends `[i, j, ...]`.
void appendIntArray(std::string& out, const std::vector<int>& values);
/// JSONB's key order: shorter UTF-8 first, then bytewise.
bool sortedKeyLess(const std::string& a, const std::string& b);

/**
 * `[{"name": ..., "time_unix_nano": N, "attributes": {...}, "attribute_order": [...],
 * "dropped_attributes_count": N}, ...]`; members with default values (empty, 0) are left out.
 */
void appendEvents(std::string& out, const std::vector<SpanEvent>& events);
/**
 * `[{"trace_id": "32 hex", "span_id": "16 hex", "trace_state": ..., "flags": N, "attributes": {...},
 * "attribute_order": [...], "dropped_attributes_count": N}, ...]`; defaults left out as for events.
 */
void appendLinks(std::string& out, const std::vector<SpanLink>& links);

/**
 * Reads an attributes object written by appendAttributes (as PostgreSQL prints the JSONB) into `out`, in the key
 * order `order` gives (keyOrder of the original), or sorted when `order` is empty or does not fit the keys.
 */
bool parseAttributes(std::string_view json, const std::vector<int>& order, Attributes* out);
bool parseEvents(std::string_view json, std::vector<SpanEvent>* out);
bool parseLinks(std::string_view json, std::vector<SpanLink>* out);
/// Reads one value written by appendValue (a log record's body); maps come back in JSONB's key order.
bool parseValue(std::string_view json, AnyValue* out);
/// Reads `[i, j, ...]`; an empty view gives an empty list.
bool parseIntArray(std::string_view json, std::vector<int>* out);
/**
 * The key orders column: `{"span": [...], "resource": [...], "scope": [...]}` with only the non-empty ones, or an
 * empty string when all are empty (the column is then NULL).
 */
std::string keyOrders(const std::vector<int>& span, const std::vector<int>& resource, const std::vector<int>& scope);
bool parseKeyOrders(std::string_view json, std::vector<int>* span, std::vector<int>* resource, std::vector<int>* scope);

} // namespace PostgresJson
