#include "model/logrecordmodel.h"

#include "model/tracelistmodel.h"

#include <QBrush>
#include <QColor>

LogRecordModel::LogRecordModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

LogRecordModel::~LogRecordModel() = default;

void LogRecordModel::setTree(std::shared_ptr<const SpanTree> tree)
{
    beginResetModel();
    m_tree = std::move(tree);
    endResetModel();
}

const LogRecord* LogRecordModel::recordAt(int row) const
{
    if (!m_tree || row < 0 || row >= static_cast<int>(m_tree->logs.size()))
        return nullptr;
    return &m_tree->logs[row];
}

int LogRecordModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_tree ? 0 : static_cast<int>(m_tree->logs.size());
}

int LogRecordModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LogRecordModel::severityName(int severityNumber, const QString& severityText)
{
    if (!severityText.isEmpty())
        return severityText;
    if (severityNumber < 1 || severityNumber > 24)
        return QString();
    static const char* const ranges[] = { "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" };
    const int range = (severityNumber - 1) / 4;
    const int step = (severityNumber - 1) % 4;
    QString name = QLatin1String(ranges[range]);
    if (step > 0)
        name += QString::number(step + 1);
    return name;
}

QString LogRecordModel::attributesLine(const Attributes& attributes)
{
    QStringList parts;
    for (const KeyValue& kv : attributes)
        parts << kv.key + QLatin1Char('=') + kv.value.toDisplayString();
    return parts.join(QStringLiteral(", "));
}

QVariant LogRecordModel::data(const QModelIndex& index, int role) const
{
    const LogRecord* record = index.isValid() ? recordAt(index.row()) : nullptr;
    if (!record)
        return {};
    switch (role) {
    case SpanIdRole:
        return record->spanId.isValid() ? record->spanId.toHex() : QString();
    case TimeUnixNanoRole:
        return QVariant::fromValue<qulonglong>(record->effectiveTimeUnixNano());
    case SeverityNumberRole:
        return record->severityNumber;
    case Qt::ForegroundRole:
        if (index.column() == SeverityColumn && record->severityNumber >= 17)
            return QBrush(QColor(0xd3, 0x2f, 0x2f));
        if (index.column() == SeverityColumn && record->severityNumber >= 13)
            return QBrush(QColor(0xe6, 0x7e, 0x22));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == BodyColumn || index.column() == AttributesColumn)
            return data(index, Qt::DisplayRole);
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case TimeColumn: {
        const std::uint64_t t = record->effectiveTimeUnixNano();
        if (t == 0)
            return tr("no time");
        const std::uint64_t start = m_tree->startTimeUnixNano;
        if (m_tree->spans.empty() || t >= start)
            return QString(QStringLiteral("+") + TraceListModel::formatDuration(m_tree->spans.empty() ? 0 : t - start));
        return QString(QStringLiteral("-") + TraceListModel::formatDuration(start - t));
    }
    case SeverityColumn:
        return severityName(record->severityNumber, record->severityText);
    case SpanColumn: {
        if (!record->spanId.isValid())
            return tr("(no span)");
        const int span = m_tree->indexOf(record->spanId);
        return span >= 0 ? m_tree->nameOf(span) : record->spanId.toHex();
    }
    case EventColumn:
        return record->eventName;
    case BodyColumn: {
        QString body = record->body.toDisplayString();
        body.replace(QLatin1Char('\n'), QChar(0x21b5)); // one line per record; the tooltip has it whole
        return body;
    }
    case AttributesColumn:
        return attributesLine(record->attributes);
    }
    return {};
}

QVariant LogRecordModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case SeverityColumn: return tr("Severity");
    case SpanColumn: return tr("Span");
    case EventColumn: return tr("Event");
    case BodyColumn: return tr("Body");
    case AttributesColumn: return tr("Attributes");
    }
    return {};
}
