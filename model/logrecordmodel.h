#pragma once

#include "model/spantreemodel.h"

#include <QAbstractTableModel>

#include <memory>

/**
 * The OTLP log records of one trace as a table, in time order (SpanTree::logs): offset from the trace's start,
 * severity, the span it belongs to, event name, body and attributes on one line each. The trace view's "Logs" tab
 * shows it; a row's SpanIdRole leads back to the span in the waterfall. GUI thread only.
 */
class LogRecordModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, SeverityColumn, SpanColumn, EventColumn, BodyColumn, AttributesColumn, ColumnCount };
    enum Role {
        SpanIdRole = Qt::UserRole + 1, ///< QString: hex span id, empty without trace context
        TimeUnixNanoRole, ///< qulonglong: LogRecord::effectiveTimeUnixNano, ns
        SeverityNumberRole, ///< int: OTLP SeverityNumber (0 unspecified, 1..24)
    };

    explicit LogRecordModel(QObject* parent = nullptr);
    ~LogRecordModel() override;

    /// Shows the tree's log records (none for a null tree).
    void setTree(std::shared_ptr<const SpanTree> tree);
    const LogRecord* recordAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// "INFO", "WARN2", ... from the OTLP SeverityNumber ranges (logs data model, "Field: SeverityNumber"), the
    /// record's severity_text when it has one; empty for 0 without text.
    static QString severityName(int severityNumber, const QString& severityText = {});
    /// Attributes as `key=value, key=value` on one line (values by AnyValue::toDisplayString).
    static QString attributesLine(const Attributes& attributes);

private:
    std::shared_ptr<const SpanTree> m_tree;
};
