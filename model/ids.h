#pragma once

#include <QByteArray>
#include <QHashFunctions>
#include <QString>

#include <array>
#include <cstdint>
#include <cstring>

/**
 * Fixed-size binary identifier as defined by the OTLP trace data model
 * (opentelemetry/proto/trace/v1/trace.proto): a trace id is 16 bytes, a span id 8 bytes.
 * An id whose bytes are all zero is invalid per the spec; a default-constructed id is that invalid id.
 * Plain value type, usable from any thread.
 */
template <std::size_t N>
class FixedId {
public:
    static constexpr std::size_t Size = N;

    FixedId() { m_bytes.fill(0); }

    /// From exactly N raw bytes; any other length gives the invalid (all-zero) id and sets *ok to false.
    static FixedId fromBytes(const QByteArray& bytes, bool* ok = nullptr)
    {
        FixedId id;
        const bool good = bytes.size() == static_cast<qsizetype>(N);
        if (good)
            std::memcpy(id.m_bytes.data(), bytes.constData(), N);
        if (ok)
            *ok = good;
        return id;
    }
    static FixedId fromRaw(const void* data)
    {
        FixedId id;
        std::memcpy(id.m_bytes.data(), data, N);
        return id;
    }
    /// From 2*N hex digits, upper or lower case (OTLP/JSON encoding); anything else sets *ok to false.
    static FixedId fromHex(QStringView hex, bool* ok = nullptr)
    {
        FixedId id;
        bool good = hex.size() == static_cast<qsizetype>(2 * N);
        for (std::size_t i = 0; good && i < N; ++i) {
            const int hi = hexValue(hex[2 * i].unicode());
            const int lo = hexValue(hex[2 * i + 1].unicode());
            if (hi < 0 || lo < 0)
                good = false;
            else
                id.m_bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
        }
        if (!good)
            id = FixedId();
        if (ok)
            *ok = good;
        return id;
    }

    /// Like fromHex, but accepts 1..2*N hex digits and left-pads them with zeros (Jaeger and Zipkin drop leading
    /// zeros; a Zipkin 64-bit trace id becomes the low half of a 128-bit one).
    static FixedId fromShortHex(const QString& hex, bool* ok = nullptr)
    {
        const qsizetype width = static_cast<qsizetype>(2 * N);
        if (hex.isEmpty() || hex.size() > width) {
            if (ok)
                *ok = false;
            return FixedId();
        }
        return fromHex(QString(QString(width - hex.size(), QLatin1Char('0')) + hex), ok);
    }

    bool isValid() const
    {
        for (auto b : m_bytes)
            if (b)
                return true;
        return false;
    }
    QByteArray toBytes() const { return QByteArray(reinterpret_cast<const char*>(m_bytes.data()), N); }
    /// Lower-case hex, 2*N characters.
    QString toHex() const { return QString::fromLatin1(toBytes().toHex()); }
    const std::uint8_t* data() const { return m_bytes.data(); }

    friend bool operator==(const FixedId& a, const FixedId& b) { return a.m_bytes == b.m_bytes; }
    friend bool operator!=(const FixedId& a, const FixedId& b) { return a.m_bytes != b.m_bytes; }
    friend bool operator<(const FixedId& a, const FixedId& b) { return a.m_bytes < b.m_bytes; }
    friend size_t qHash(const FixedId& id, size_t seed = 0) noexcept
    {
        return qHashBits(id.m_bytes.data(), N, seed);
    }

private:
    static int hexValue(char16_t c)
    {
        if (c >= u'0' && c <= u'9')
            return c - u'0';
        if (c >= u'a' && c <= u'f')
            return c - u'a' + 10;
        if (c >= u'A' && c <= u'F')
            return c - u'A' + 10;
        return -1;
    }
    std::array<std::uint8_t, N> m_bytes;
};

using TraceId = FixedId<16>;
using SpanId = FixedId<8>;

template <std::size_t N>
struct std::hash<FixedId<N>> {
    size_t operator()(const FixedId<N>& id) const noexcept { return qHash(id); }
};
