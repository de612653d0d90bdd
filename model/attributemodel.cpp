#include "attributemodel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace {
// Deeper nesting is shown as text only; the decoder accepts what the sender wrote.
constexpr int MaxDepth = 32;
constexpr int MaxDisplayLength = 500;

QString abridged(const QString& text)
{
    QString line = text;
    line.replace(QLatin1Char('\n'), QChar(0x21b5));
    if (line.size() > MaxDisplayLength)
        line = line.left(MaxDisplayLength) + QChar(0x2026);
    return line;
}
}

AttributeModel::AttributeModel(QObject* parent)
    : QAbstractItemModel(parent)
{
}

AttributeModel::~AttributeModel() = default;

int AttributeModel::addItem(const QString& key, const AnyValue* value, int parent)
{
    Item item;
    item.key = key;
    item.value = value;
    item.parent = parent;
    if (parent < 0) {
        item.path = key;
        item.row = static_cast<int>(m_topLevel.size());
    } else {
        const Item& p = m_items[parent];
        item.path = key.startsWith(QLatin1Char('[')) ? QString(p.path + key) : QString(p.path + QLatin1Char('.') + key);
        item.row = static_cast<int>(p.children.size());
    }
    const int index = static_cast<int>(m_items.size());
    m_items.push_back(std::move(item));
    if (parent < 0)
        m_topLevel.push_back(index);
    else
        m_items[parent].children.push_back(index);
    return index;
}

void AttributeModel::addItems(const AnyValue& value, int itemIndex, int depth)
{
    if (depth >= MaxDepth)
        return;
    if (value.type == AnyValue::Type::Array) {
        for (std::size_t i = 0; i < value.arrayValue.size(); ++i) {
            const int child = addItem(QLatin1Char('[') + QString::number(i) + QLatin1Char(']'), &value.arrayValue[i], itemIndex);
            addItems(value.arrayValue[i], child, depth + 1);
        }
    } else if (value.type == AnyValue::Type::Map) {
        for (const KeyValue& kv : value.mapValue) {
            const int child = addItem(kv.key, &kv.value, itemIndex);
            addItems(kv.value, child, depth + 1);
        }
    }
}

void AttributeModel::setAttributes(Attributes attributes)
{
    beginResetModel();
    m_items.clear();
    m_topLevel.clear();
    m_attributes = std::move(attributes);
    for (const KeyValue& kv : m_attributes) {
        const int item = addItem(kv.key, &kv.value, -1);
        addItems(kv.value, item, 1);
    }
    endResetModel();
}

const AnyValue* AttributeModel::valueAt(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    return m_items[index.internalId()].value;
}

QModelIndex AttributeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const std::vector<int>& siblings = parent.isValid() ? m_items[parent.internalId()].children : m_topLevel;
    if (row >= static_cast<int>(siblings.size()))
        return {};
    return createIndex(row, column, quintptr(siblings[row]));
}

QModelIndex AttributeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const int p = m_items[child.internalId()].parent;
    if (p < 0)
        return {};
    return createIndex(m_items[p].row, 0, quintptr(p));
}

int AttributeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_topLevel.size());
    if (parent.column() != 0)
        return 0;
    return static_cast<int>(m_items[parent.internalId()].children.size());
}

int AttributeModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

QVariant AttributeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Item& item = m_items[index.internalId()];
    const AnyValue& value = *item.value;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            return item.key;
        case ValueColumn:
            if (value.type == AnyValue::Type::Array)
                return tr("[%n item(s)]", nullptr, static_cast<int>(value.arrayValue.size()));
            if (value.type == AnyValue::Type::Map)
                return tr("{%n entry(s)}", nullptr, static_cast<int>(value.mapValue.size()));
            if (value.type == AnyValue::Type::Double) // 0.3, not 0.29999999999999999
                return QString::number(value.doubleValue, 'g', QLocale::FloatingPointShortest);
            return abridged(value.toDisplayString());
        case TypeColumn:
            return value.typeName();
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ValueColumn) {
            const QString full = value.toDisplayString();
            return full.size() > 4000 ? full.left(4000) + QChar(0x2026) : full;
        }
        if (index.column() == KeyColumn)
            return item.path;
        break;
    case FullValueRole:
        if (value.type == AnyValue::Type::Double)
            return QString::number(value.doubleValue, 'g', QLocale::FloatingPointShortest);
        return value.toDisplayString();
    case KeyPathRole:
        return item.path;
    case SortRole:
        if (index.column() != ValueColumn)
            return data(index, Qt::DisplayRole);
        switch (value.type) {
        case AnyValue::Type::Int:
            return qlonglong(value.intValue);
        case AnyValue::Type::Double:
            return value.doubleValue;
        case AnyValue::Type::Bool:
            return value.boolValue;
        default:
            return value.toDisplayString();
        }
    case Qt::ForegroundRole:
        if (index.column() == TypeColumn)
            return QBrush(QColor(0x75, 0x75, 0x75));
        if (index.column() == ValueColumn && value.type == AnyValue::Type::Empty)
            return QBrush(QColor(0x9e, 0x9e, 0x9e));
        break;
    }
    return {};
}

QVariant AttributeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}
