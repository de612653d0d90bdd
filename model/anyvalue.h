#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

struct KeyValue;

/**
 * An OTLP AnyValue (opentelemetry/proto/common/v1/common.proto): a string, bool, 64-bit integer,
 * double, bytes, array of AnyValue or key/value list, or empty. Plain value type, any thread.
 */
struct AnyValue {
    enum class Type : std::uint8_t { Empty, String, Bool, Int, Double, Bytes, Array, Map };

    /// Deepest nesting of arrays and key/value lists Spanscope accepts: a value inside MaxDepth containers is the
    /// deepest allowed. Decoders reject a span with deeper attributes (the store could not read it back).
    static constexpr int MaxDepth = 64;

    Type type = Type::Empty;
    bool boolValue = false;
    std::int64_t intValue = 0;
    double doubleValue = 0;
    QString stringValue;
    QByteArray bytesValue;
    std::vector<AnyValue> arrayValue;
    std::vector<KeyValue> mapValue;

    static AnyValue fromString(const QString& s);
    static AnyValue fromBool(bool b);
    static AnyValue fromInt(std::int64_t i);
    static AnyValue fromDouble(double d);
    static AnyValue fromBytes(const QByteArray& b);

    /// Human-readable text: strings as-is, numbers in C locale, bytes as hex, arrays/maps as JSON-like text.
    QString toDisplayString() const;
    /// Containers (arrays, key/value lists) around the most deeply nested value inside this one: 0 for a scalar or
    /// an empty container, 1 for an array of scalars. Stops counting past MaxDepth + 1 (input may be hostile).
    int nestingDepth() const;
    /// "string", "int", "double", "bool", "bytes", "array", "map" or "empty" (OTLP value case names).
    QString typeName() const;

    friend bool operator==(const AnyValue& a, const AnyValue& b);
    friend bool operator!=(const AnyValue& a, const AnyValue& b) { return !(a == b); }
};

/// An OTLP KeyValue: attribute key and its value.
struct KeyValue {
    QString key;
    AnyValue value;

    friend bool operator==(const KeyValue& a, const KeyValue& b) { return a.key == b.key && a.value == b.value; }
    friend bool operator!=(const KeyValue& a, const KeyValue& b) { return !(a == b); }
};

/// Attributes in the order they were received (OTLP repeated KeyValue).
using Attributes = std::vector<KeyValue>;

/// The deepest AnyValue::nestingDepth() among `attributes` (0 when there are none).
int nestingDepth(const Attributes& attributes);

/// The value of the first attribute named `key`, or nullptr.
const AnyValue* findAttribute(const Attributes& attributes, QStringView key);
