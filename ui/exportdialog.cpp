#include "exportdialog.h"

#include "ui/tracefileservice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace {

const char* const Extensions[] = { ".jsonl.gz", ".binpb.gz", ".json.gz", ".pb.gz", ".jsonl", ".ndjson", ".binpb",
                                   ".json", ".pb" };

QString stripTraceExtension(const QString& path)
{
    for (const char* ext : Extensions) {
        const QLatin1String e(ext);
        if (path.endsWith(e, Qt::CaseInsensitive))
            return path.left(path.size() - e.size());
    }
    return path;
}

} // namespace

ExportDialog::ExportDialog(int selectedCount, const QString& filterDescription, const QString& initialPath,
                           QWidget* parent)
    : QDialog(parent)
    , m_selected(new QRadioButton(tr("&Selected traces (%n)", nullptr, selectedCount)))
    , m_filtered(new QRadioButton(filterDescription.isEmpty()
                                      ? tr("&All traces in the store")
                                      : tr("&All traces matching the filter (%1)").arg(filterDescription)))
    , m_format(new QComboBox)
    , m_gzip(new QCheckBox(tr("Compress with &gzip")))
    , m_path(new QLineEdit)
{
    setWindowTitle(tr("Export Traces"));
    setObjectName(QStringLiteral("exportDialog"));
    m_selected->setEnabled(selectedCount > 0);
    (selectedCount > 0 ? m_selected : m_filtered)->setChecked(true);

    m_format->addItem(tr("OTLP/JSON (compact)"), int(TraceFileService::Format::OtlpJson));
    m_format->addItem(tr("OTLP/JSON (indented)"), int(TraceFileService::Format::OtlpJsonPretty));
    m_format->addItem(tr("OTLP/JSON Lines (one request per trace)"), int(TraceFileService::Format::OtlpJsonLines));
    m_format->addItem(tr("OTLP protobuf"), int(TraceFileService::Format::OtlpProtobuf));
    m_format->setObjectName(QStringLiteral("exportFormat"));
    m_gzip->setObjectName(QStringLiteral("exportGzip"));
    m_path->setObjectName(QStringLiteral("exportPath"));
    m_path->setMinimumWidth(420);
    m_path->setText(initialPath);

    auto* browse = new QPushButton(tr("&Browse…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);

    auto* form = new QFormLayout;
    auto* scope = new QVBoxLayout;
    scope->addWidget(m_selected);
    scope->addWidget(m_filtered);
    form->addRow(tr("Export:"), scope);
    auto* formatLabel = new QLabel(tr("&Format:"));
    formatLabel->setBuddy(m_format);
    form->addRow(formatLabel, m_format);
    form->addRow(QString(), m_gzip);
    auto* pathLabel = new QLabel(tr("&File:"));
    pathLabel->setBuddy(m_path);
    form->addRow(pathLabel, pathRow);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::updateExtension);
    connect(m_gzip, &QCheckBox::toggled, this, &ExportDialog::updateExtension);
    updateExtension();
}

QString ExportDialog::filePath() const
{
    return m_path->text().trimmed();
}

int ExportDialog::format() const
{
    return m_format->currentData().toInt();
}

bool ExportDialog::gzip() const
{
    return m_gzip->isChecked();
}

bool ExportDialog::selectedOnly() const
{
    return m_selected->isChecked();
}

void ExportDialog::setFilePath(const QString& path)
{
    m_path->setText(path);
}

void ExportDialog::setFormat(int format)
{
    const int index = m_format->findData(format);
    if (index >= 0)
        m_format->setCurrentIndex(index);
}

void ExportDialog::setGzip(bool gzip)
{
    m_gzip->setChecked(gzip);
}

QString ExportDialog::extensionFor(int format, bool gzip)
{
    QString ext;
    switch (TraceFileService::Format(format)) {
    case TraceFileService::Format::OtlpJsonLines:
        ext = QStringLiteral(".jsonl");
        break;
    case TraceFileService::Format::OtlpProtobuf:
        ext = QStringLiteral(".binpb");
        break;
    default:
        ext = QStringLiteral(".json");
        break;
    }
    return gzip ? ext + QStringLiteral(".gz") : ext;
}

void ExportDialog::updateExtension()
{
    const QString path = filePath();
    if (path.isEmpty())
        return;
    m_path->setText(stripTraceExtension(path) + extensionFor(format(), gzip()));
}

void ExportDialog::browse()
{
    const QString ext = extensionFor(format(), gzip());
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Export Traces"), filePath(),
        tr("Trace files (*%1)").arg(ext) + QStringLiteral(";;") + tr("All files (*)"), nullptr,
        QFileDialog::DontConfirmOverwrite);
    if (!chosen.isEmpty())
        m_path->setText(QDir::toNativeSeparators(chosen));
}

void ExportDialog::accept()
{
    const QString path = filePath();
    if (path.isEmpty()) {
        QMessageBox::warning(this, windowTitle(), tr("Choose a file to export to."));
        return;
    }
    const QFileInfo info(path);
    if (info.isDir()) {
        QMessageBox::warning(this, windowTitle(), tr("%1 is a folder; choose a file name.").arg(path));
        return;
    }
    if (!info.absoluteDir().exists()) {
        QMessageBox::warning(this, windowTitle(), tr("The folder %1 does not exist.").arg(info.absolutePath()));
        return;
    }
    if (info.exists()
        && QMessageBox::question(this, windowTitle(), tr("%1 already exists. Replace it?").arg(info.fileName()))
            != QMessageBox::Yes)
        return;
    QDialog::accept();
}
