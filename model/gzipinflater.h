#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

/**
 * Streaming gzip (RFC 1952, also several concatenated members) and zlib (RFC 1950) decompression with zlib: the
 * one place that inflates, for HTTP bodies, .gz trace files and stored raw objects.
 *
 * Give it compressed chunks with feed() and take inflated bytes with read(), or both at once with write(); then
 * finish() says whether the input ended where a stream ends. Sizes and offsets are bytes. At most
 * `maxOutputBytes` are ever produced: a stream that would inflate to more fails with TooLarge there (a "gzip
 * bomb" costs no more memory than the limit). After a failure the instance stays failed; error() and
 * errorString() say why, bytesIn() where (compressed bytes consumed).
 *
 * Not thread-safe: an instance belongs to one thread at a time. Instances are independent.
 */
class GzipInflater {
public:
    enum class Format {
        /// A gzip member or a zlib stream, told apart by its header. After it only gzip members (starting with
        /// 1f 8b) may follow; anything else is TrailingGarbage.
        GzipOrZlib,
        /// gzip members only. Whatever follows a member is read as the next member's header, so garbage there is
        /// BadHeader (zlib's "incorrect header check") and a lone byte is Truncated.
        Gzip,
    };
    enum class Error {
        None,
        BadHeader, ///< not gzip/zlib, unknown method or flags, header CRC (errorString: zlib's words)
        BadData, ///< invalid deflate data (errorString: zlib's words)
        BadChecksum, ///< CRC-32 / Adler-32 or length in the trailer does not match (errorString: zlib's words)
        Truncated, ///< the input ends inside a stream, or is empty
        TrailingGarbage, ///< bytes after a complete stream that are not another gzip member (GzipOrZlib)
        TooLarge, ///< the output would exceed maxOutputBytes
        ZlibFailure, ///< zlib could not be set up or ran out of memory
    };
    static constexpr qint64 Unlimited = -1;

    /// `maxOutputBytes` < 0: Unlimited.
    explicit GzipInflater(Format format = Format::GzipOrZlib, qint64 maxOutputBytes = Unlimited);
    ~GzipInflater();
    GzipInflater(const GzipInflater&) = delete;
    GzipInflater& operator=(const GzipInflater&) = delete;

    /// Queues compressed bytes (shared, not copied, when nothing else is queued). Ignored after a failure.
    void feed(const QByteArray& compressed);
    /**
     * Inflates into `out`, at most `maxBytes` (> 0). Returns the bytes written; 0 when the queued input is used up
     * (feed more, or finish()); -1 on a failure.
     */
    qsizetype read(char* out, qsizetype maxBytes);
    /// feed() then read() until the input is used up, appending to `*out`. False on a failure (`*out` then holds
    /// what came before it).
    bool write(const QByteArray& compressed, QByteArray* out);
    /// Declares the end of the input, once read() returned 0: false (Truncated, TrailingGarbage) unless it ends
    /// right after a complete stream.
    bool finish();

    bool failed() const;
    Error error() const;
    /// Empty while error() is None.
    QString errorString() const;
    /// Compressed bytes consumed so far; after a failure, where it was found.
    qint64 bytesIn() const;
    /// Inflated bytes produced so far.
    qint64 bytesOut() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};
