#pragma once

#include "model/anyvalue.h"

#include <QAbstractItemModel>

#include <vector>

/**
 * Tree model of an OTLP attribute list: one row per key with its value and type; array elements ("[0]", ...)
 * and map entries are child rows of their array/map. Values are typed (string, int, double, bool, bytes,
 * array, map). GUI thread only; setAttributes() resets the model.
 */
class AttributeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< key; for values the raw number/bool/string
        FullValueRole, ///< complete value text (multi-line strings unabridged), for copying and the value viewer
        KeyPathRole, ///< "key", "key[1]", "key.sub" for nested rows
    };

    explicit AttributeModel(QObject* parent = nullptr);
    ~AttributeModel() override;

    void setAttributes(Attributes attributes);
    void clear() { setAttributes({}); }
    const Attributes& attributes() const { return m_attributes; }
    /// The value behind `index` (any column), or nullptr.
    const AnyValue* valueAt(const QModelIndex& index) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Item {
        QString key;
        QString path;
        const AnyValue* value = nullptr; // points into m_attributes, which is not modified while items exist
        int parent = -1;
        int row = 0;
        std::vector<int> children;
    };
    void addItems(const AnyValue& value, int itemIndex, int depth);
    int addItem(const QString& key, const AnyValue* value, int parent);

    Attributes m_attributes;
    std::vector<Item> m_items;
    std::vector<int> m_topLevel;
};
