#pragma once

#include <cstddef>

/**
 * Appends `size` bytes of UTF-8 as one JSON string literal (RFC 8259 section 7): quotes and backslashes escaped,
 * \n \r \t \b \f by name, other control characters as \u00XX, everything else (valid UTF-8 is assumed) as is.
 * `Out` is any byte container with `+=` for `char` and `const char*` (std::string, QByteArray).
 * With `nulAsReplacement`, U+0000 is written as U+FFFD instead of \u0000 (PostgreSQL text and JSONB cannot hold
 * U+0000). Any thread.
 */
template <typename Out>
void appendJsonString(Out& out, const char* utf8, std::size_t size, bool nulAsReplacement = false)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < size; ++i) {
        const char c = utf8[i];
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        default:
            if (u == 0 && nulAsReplacement) {
                out += "\xef\xbf\xbd";
            } else if (u < 0x20) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 15];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}
