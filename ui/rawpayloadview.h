#pragma once

#include "model/rawpayload.h"

#include <QWidget>

#include <functional>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTreeWidget;

/**
 * The raw requests that carried the open trace: a list (received time, content type, encoding, wire size,
 * span count, peer) and the selected one pretty-printed as OTLP/JSON by the formatter the app injects
 * (ui/ does not depend on ingest/). Copy and Save as… act on the pretty text. GUI thread only.
 */
class RawPayloadView : public QWidget {
    Q_OBJECT
public:
    using Formatter = std::function<QString(const RawPayload&)>;

    explicit RawPayloadView(QWidget* parent = nullptr);
    ~RawPayloadView() override;

    void setFormatter(Formatter formatter);
    void setPayloads(std::vector<RawPayload> payloads);
    void clear() { setPayloads({}); }

    int payloadCount() const { return static_cast<int>(m_payloads.size()); }
    int currentPayload() const { return m_current; }
    void setCurrentPayload(int index);
    /// The pretty text shown for the current payload.
    QString text() const;
    QTreeWidget* listView() const { return m_list; }

private:
    QString format(const RawPayload& payload) const;
    void saveAs();

    Formatter m_formatter;
    std::vector<RawPayload> m_payloads;
    int m_current = -1;
    QTreeWidget* m_list;
    QPlainTextEdit* m_text;
    QLabel* m_info;
    QPushButton* m_copy;
    QPushButton* m_save;
};
