#include "rawpayloadview.h"

#include "model/tracelistmodel.h"
#include "ui/uilogging.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {
enum Column { ReceivedColumn, TypeColumn, EncodingColumn, SizeColumn, SpansColumn, PeerColumn, ColumnCount };
constexpr int MaxHexBytes = 64 * 1024;
}

RawPayloadView::RawPayloadView(QWidget* parent)
    : QWidget(parent)
    , m_list(new QTreeWidget(this))
    , m_text(new QPlainTextEdit(this))
    , m_info(new QLabel(this))
    , m_copy(new QPushButton(tr("&Copy"), this))
    , m_save(new QPushButton(tr("&Save as…"), this))
{
    m_list->setObjectName(QStringLiteral("rawPayloadList"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setColumnCount(ColumnCount);
    m_list->setHeaderLabels({ tr("Received"), tr("Content type"), tr("Encoding"), tr("Size"), tr("Spans"), tr("Peer") });
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(PeerColumn, QHeaderView::Stretch);
    m_list->setMaximumHeight(160);

    m_text->setObjectName(QStringLiteral("rawPayloadText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setPlaceholderText(tr("No raw payload for this trace"));

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_list);
    splitter->addWidget(m_text);
    splitter->setStretchFactor(1, 1);

    auto* buttons = new QHBoxLayout;
    m_info->setForegroundRole(QPalette::PlaceholderText);
    buttons->addWidget(m_info, 1);
    buttons->addWidget(m_copy);
    buttons->addWidget(m_save);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(splitter, 1);
    layout->addLayout(buttons);

    connect(m_list, &QTreeWidget::currentItemChanged, this,
        [this](QTreeWidgetItem* item) { setCurrentPayload(item ? m_list->indexOfTopLevelItem(item) : -1); });
    connect(m_copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(text()); });
    connect(m_save, &QPushButton::clicked, this, &RawPayloadView::saveAs);
    setPayloads({});
}

RawPayloadView::~RawPayloadView() = default;

void RawPayloadView::setFormatter(Formatter formatter)
{
    m_formatter = std::move(formatter);
    const int current = m_current;
    m_current = -1;
    setCurrentPayload(current);
}

void RawPayloadView::setPayloads(std::vector<RawPayload> payloads)
{
    m_payloads = std::move(payloads);
    m_current = -1;
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    const QLocale locale;
    for (const RawPayload& payload : m_payloads) {
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(ReceivedColumn, TraceListModel::formatTimestamp(payload.receivedAtUnixNano));
        item->setText(TypeColumn, payload.contentType);
        item->setText(EncodingColumn, payload.contentEncoding.isEmpty() ? tr("identity") : payload.contentEncoding);
        item->setText(SizeColumn, locale.formattedDataSize(payload.wireSize));
        item->setToolTip(SizeColumn, tr("%1 bytes on the wire, %2 bytes decoded")
                                         .arg(locale.toString(payload.wireSize), locale.toString(payload.body.size())));
        item->setText(SpansColumn, locale.toString(payload.spanCount));
        item->setText(PeerColumn, payload.peer);
        item->setTextAlignment(SizeColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(SpansColumn, Qt::AlignRight | Qt::AlignVCenter);
    }
    m_copy->setEnabled(!m_payloads.empty());
    m_save->setEnabled(!m_payloads.empty());
    m_info->setText(tr("%n request(s)", nullptr, static_cast<int>(m_payloads.size())));
    if (m_payloads.empty())
        m_text->clear();
    else
        setCurrentPayload(0);
}

void RawPayloadView::setCurrentPayload(int index)
{
    if (index < 0 || index >= payloadCount()) {
        m_current = -1;
        m_text->clear();
        return;
    }
    if (index == m_current)
        return;
    m_current = index;
    {
        const QSignalBlocker blocker(m_list);
        m_list->setCurrentItem(m_list->topLevelItem(index));
    }
    m_text->setPlainText(format(m_payloads[static_cast<std::size_t>(index)]));
}

QString RawPayloadView::text() const
{
    return m_text->toPlainText();
}

QString RawPayloadView::format(const RawPayload& payload) const
{
    if (m_formatter) {
        const QString text = m_formatter(payload);
        if (!text.isEmpty())
            return text;
    }
    if (payload.contentType.contains(QLatin1String("json"))) {
        const QJsonDocument doc = QJsonDocument::fromJson(payload.body);
        if (!doc.isNull())
            return QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
        return QString::fromUtf8(payload.body);
    }
    // Binary without a formatter: a hex dump is better than nothing.
    QString out = tr("%1 bytes of %2; hex dump:").arg(payload.body.size()).arg(payload.contentType) + QLatin1Char('\n');
    const QByteArray head = payload.body.left(MaxHexBytes);
    for (qsizetype offset = 0; offset < head.size(); offset += 16)
        out += QStringLiteral("%1  ").arg(offset, 8, 16, QLatin1Char('0'))
            + QString::fromLatin1(head.mid(offset, 16).toHex(' ')) + QLatin1Char('\n');
    if (payload.body.size() > MaxHexBytes)
        out += tr("… %1 more bytes").arg(payload.body.size() - MaxHexBytes);
    return out;
}

void RawPayloadView::saveAs()
{
    if (m_current < 0)
        return;
    const RawPayload& payload = m_payloads[static_cast<std::size_t>(m_current)];
    const QString suggested = QStringLiteral("payload-%1.json").arg(payload.id);
    const QString path = QFileDialog::getSaveFileName(this, tr("Save payload as"), suggested,
        tr("OTLP JSON (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text().toUtf8()) < 0) {
        qCWarning(lcUi) << "cannot save payload to" << path << file.errorString();
        QMessageBox::warning(this, tr("Save payload"), tr("Cannot write %1: %2").arg(path, file.errorString()));
    }
}
