#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QRadioButton;

/**
 * File > Export: what to export (the selected traces, or every trace matching the trace list's filter), the
 * format (TraceFileService::Format order: OTLP/JSON, OTLP/JSON pretty, OTLP/JSON Lines, OTLP protobuf), gzip,
 * and the file. The file name's extension follows the format and gzip choice until the user edits it.
 * GUI thread only.
 */
class ExportDialog : public QDialog {
    Q_OBJECT
public:
    /// `selectedCount` 0 disables "selected traces"; `filterDescription` e.g. "service checkout, errors only".
    ExportDialog(int selectedCount, const QString& filterDescription, const QString& initialPath,
                 QWidget* parent = nullptr);

    QString filePath() const;
    int format() const; ///< a TraceFileService::Format value
    bool gzip() const;
    bool selectedOnly() const;

    void setFilePath(const QString& path);
    void setFormat(int format);
    void setGzip(bool gzip);

    /// The extension for a format: ".json", ".jsonl" or ".binpb", plus ".gz" with gzip.
    static QString extensionFor(int format, bool gzip);

    void accept() override;

private:
    void updateExtension();
    void browse();

    QRadioButton* m_selected;
    QRadioButton* m_filtered;
    QComboBox* m_format;
    QCheckBox* m_gzip;
    QLineEdit* m_path;
};
