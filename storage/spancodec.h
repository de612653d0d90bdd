#pragma once

#include "model/logrecord.h"
#include "model/span.h"

#include <QByteArray>
#include <QStringView>

#include <functional>

#include <string>
#include <string_view>
#include <vector>

/**
 * Compact binary encoding of the variable parts of a span (attributes, events, links) and of resources and
 * scopes, as stored in SQLite BLOB columns. Format (all integers are LEB128 varints unless noted):
 *
 *   string     = length, UTF-8 bytes
 *   value      = tag byte, then: Empty/BoolFalse/BoolTrue: nothing; String/Bytes: length, bytes;
 *                Int: zigzag varint; Double: 8 bytes IEEE 754 little endian; Array: count, values;
 *                Map: count, (key string, value)...
 *   attributes = count, (key string, value)...
 *   events     = count, (time ns, name string, attributes, dropped count)...
 *   links      = count, (16 bytes trace id, 8 bytes span id, trace state string, attributes, dropped count, flags)...
 *   resource   = attributes, dropped count, schema url string
 *   scope      = name string, version string, attributes, dropped count, schema url string
 *
 * Encoders append to `out`. Decoders are bounds checked: corrupt input gives false, never a crash, and nesting
 * deeper than 64 levels is rejected. Pure functions, any thread.
 */
namespace SpanCodec {

void appendAttributes(std::string& out, const Attributes& attributes);
void appendEvents(std::string& out, const std::vector<SpanEvent>& events);
void appendLinks(std::string& out, const std::vector<SpanLink>& links);
void appendResource(std::string& out, const Resource& resource);
void appendScope(std::string& out, const InstrumentationScope& scope);

bool decodeAttributes(const char* data, qsizetype size, Attributes* out);
bool decodeEvents(const char* data, qsizetype size, std::vector<SpanEvent>* out);
bool decodeLinks(const char* data, qsizetype size, std::vector<SpanLink>* out);
bool decodeResource(const char* data, qsizetype size, Resource* out);
bool decodeScope(const char* data, qsizetype size, InstrumentationScope* out);

/// One AnyValue (a log record's body) as `value` above.
void appendAnyValue(std::string& out, const AnyValue& value);
bool decodeAnyValue(const char* data, qsizetype size, AnyValue* out);

/**
 * The identity of a log record, the key both stores deduplicate log records by: BLAKE2b-256 (32 bytes) of every
 * member in the encoding above (ids, times, severity, texts, body, attributes, flags, dropped count, and the
 * resource's and scope's encodings). Two records that differ in anything differ here; an identical record sent
 * again has the same key.
 */
QByteArray logRecordHash(const LogRecord& record);

/// Appends `text` as UTF-8 (lone surrogates become U+FFFD, as with QString::toUtf8).
void appendUtf8(std::string& out, QStringView text);
/// Appends `text` case-folded for substring search (simple per-code-point lower case) as UTF-8.
void appendSearchFolded(std::string& out, QStringView text);
/// `text` folded by appendSearchFolded, for a search term.
std::string searchFolded(QStringView text);
/// Appends UTF-8 `text` folded as textContains folds what it searches (appendSearchFolded of its code points).
void appendSearchFoldedUtf8(std::string& out, const char* utf8, qsizetype size);
/// True when the folded UTF-8 `text` contains `foldedNeedle` (from searchFolded).
bool textContains(const char* utf8, qsizetype size, std::string_view foldedNeedle);
/**
 * True when any string value in encoded attributes (appendAttributes output, also inside arrays and maps) contains
 * `foldedNeedle` case-insensitively. Works on the encoding without building AnyValues; corrupt input gives false.
 */
bool attributesContain(const char* data, qsizetype size, std::string_view foldedNeedle);
/**
 * Calls `visit(utf8, size)` for every string value that attributesContain searches, in encoding order; stops at
 * corrupt input (what came before it was visited).
 */
void forEachAttributeString(const char* data, qsizetype size, const std::function<void(const char*, qsizetype)>& visit);

} // namespace SpanCodec
