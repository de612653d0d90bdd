#pragma once

#include "model/genai.h"

#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;
class QTextBrowser;

/**
 * The "Conversation" tab: one LLM call (GenAi::LlmCall) as a chat transcript. On top the call's facts: operation,
 * provider, request and response model, parameters, input / output / cached tokens, cost (or "no price"), finish
 * reasons, latency (ms). Below, the system instructions (folded, click to unfold), the input messages and the
 * output messages, each with its role; text keeps its line breaks and is never cut; tool calls show their name, id
 * and pretty-printed JSON arguments, tool results their id and pretty-printed response. Content the telemetry did
 * not capture is said to be missing, not shown as an empty message. Text can be selected and copied; "Copy as JSON"
 * copies the call in the query API's shape (GenAi::callToJson). Follows the palette (dark mode). GUI thread only.
 */
class ConversationView : public QWidget {
    Q_OBJECT
public:
    explicit ConversationView(QWidget* parent = nullptr);
    ~ConversationView() override;

    /// Shows `call`; std::nullopt shows `placeholder` (e.g. "Select an LLM call").
    void setCall(std::optional<GenAi::LlmCall> call, const QString& placeholder = QString());
    const std::optional<GenAi::LlmCall>& call() const { return m_call; }

    /// Unfolds or folds the system instructions.
    void setSystemInstructionsShown(bool shown);
    bool systemInstructionsShown() const { return m_systemShown; }

    /// The transcript as plain text (what a select-all + copy gives), for tests and the clipboard.
    QString transcriptText() const;
    QTextBrowser* browser() const { return m_browser; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void render();

    QLabel* m_header;
    QPushButton* m_copyJson;
    QTextBrowser* m_browser;
    std::optional<GenAi::LlmCall> m_call;
    QString m_placeholder;
    bool m_systemShown = false;
};
