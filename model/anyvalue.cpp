#include "anyvalue.h"

#include <QLocale>

#include <algorithm>

AnyValue AnyValue::fromString(const QString& s)
{
    AnyValue v;
    v.type = Type::String;
    v.stringValue = s;
    return v;
}

AnyValue AnyValue::fromBool(bool b)
{
    AnyValue v;
    v.type = Type::Bool;
    v.boolValue = b;
    return v;
}

AnyValue AnyValue::fromInt(std::int64_t i)
{
    AnyValue v;
    v.type = Type::Int;
    v.intValue = i;
    return v;
}

AnyValue AnyValue::fromDouble(double d)
{
    AnyValue v;
    v.type = Type::Double;
    v.doubleValue = d;
    return v;
}

AnyValue AnyValue::fromBytes(const QByteArray& b)
{
    AnyValue v;
    v.type = Type::Bytes;
    v.bytesValue = b;
    return v;
}

QString AnyValue::toDisplayString() const
{
    switch (type) {
    case Type::Empty:
        return QString();
    case Type::String:
        return stringValue;
    case Type::Bool:
        return boolValue ? QStringLiteral("true") : QStringLiteral("false");
    case Type::Int:
        return QString::number(intValue);
    case Type::Double:
        return QString::number(doubleValue, 'g', 17);
    case Type::Bytes:
        return QString::fromLatin1(bytesValue.toHex());
    case Type::Array: {
        QString out = QStringLiteral("[");
        for (std::size_t i = 0; i < arrayValue.size(); ++i) {
            if (i)
                out += QStringLiteral(", ");
            const auto& e = arrayValue[i];
            out += e.type == Type::String ? QLatin1Char('"') + e.stringValue + QLatin1Char('"') : e.toDisplayString();
        }
        return out + QLatin1Char(']');
    }
    case Type::Map: {
        QString out = QStringLiteral("{");
        for (std::size_t i = 0; i < mapValue.size(); ++i) {
            if (i)
                out += QStringLiteral(", ");
            const auto& e = mapValue[i].value;
            out += mapValue[i].key + QStringLiteral(": ")
                + (e.type == Type::String ? QLatin1Char('"') + e.stringValue + QLatin1Char('"') : e.toDisplayString());
        }
        return out + QLatin1Char('}');
    }
    }
    return QString();
}

QString AnyValue::typeName() const
{
    switch (type) {
    case Type::Empty:
        return QStringLiteral("empty");
    case Type::String:
        return QStringLiteral("string");
    case Type::Bool:
        return QStringLiteral("bool");
    case Type::Int:
        return QStringLiteral("int");
    case Type::Double:
        return QStringLiteral("double");
    case Type::Bytes:
        return QStringLiteral("bytes");
    case Type::Array:
        return QStringLiteral("array");
    case Type::Map:
        return QStringLiteral("map");
    }
    return QString();
}

bool operator==(const AnyValue& a, const AnyValue& b)
{
    if (a.type != b.type)
        return false;
    switch (a.type) {
    case AnyValue::Type::Empty:
        return true;
    case AnyValue::Type::String:
        return a.stringValue == b.stringValue;
    case AnyValue::Type::Bool:
        return a.boolValue == b.boolValue;
    case AnyValue::Type::Int:
        return a.intValue == b.intValue;
    case AnyValue::Type::Double:
        return a.doubleValue == b.doubleValue;
    case AnyValue::Type::Bytes:
        return a.bytesValue == b.bytesValue;
    case AnyValue::Type::Array:
        return a.arrayValue == b.arrayValue;
    case AnyValue::Type::Map:
        return a.mapValue == b.mapValue;
    }
    return false;
}

const AnyValue* findAttribute(const Attributes& attributes, QStringView key)
{
    for (const auto& kv : attributes)
        if (kv.key == key)
            return &kv.value;
    return nullptr;
}

namespace {
// Depth of the deepest value under `v`, counting from `depth`; stops at AnyValue::MaxDepth + 1.
int deepest(const AnyValue& v, int depth)
{
    if (depth > AnyValue::MaxDepth)
        return depth;
    int result = depth;
    if (v.type == AnyValue::Type::Array) {
        for (const AnyValue& e : v.arrayValue)
            result = std::max(result, deepest(e, depth + 1));
    } else if (v.type == AnyValue::Type::Map) {
        for (const KeyValue& kv : v.mapValue)
            result = std::max(result, deepest(kv.value, depth + 1));
    }
    return result;
}
}

int AnyValue::nestingDepth() const
{
    return deepest(*this, 0);
}

int nestingDepth(const Attributes& attributes)
{
    int result = 0;
    for (const KeyValue& kv : attributes)
        result = std::max(result, kv.value.nestingDepth());
    return result;
}
