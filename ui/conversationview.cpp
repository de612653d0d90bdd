#include "ui/conversationview.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace {

QColor mix(const QColor& a, const QColor& b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

/// Text with its line breaks and spaces kept, safe for the HTML around it.
QString textBlock(const QString& text)
{
    return QStringLiteral("<p style=\"white-space: pre-wrap; margin: 2px 0;\">%1</p>").arg(text.toHtmlEscaped());
}

QString prettyJson(const QJsonValue& v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    if (v.isString())
        return v.toString();
    if (v.isNull() || v.isUndefined())
        return QString();
    return QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

QString codeBlock(const QString& text)
{
    return QStringLiteral("<pre style=\"margin: 2px 0 2px 12px;\">%1</pre>").arg(text.toHtmlEscaped());
}

QString partHtml(const GenAi::Part& part)
{
    using Type = GenAi::Part::Type;
    switch (part.type) {
    case Type::Text:
        return textBlock(part.content);
    case Type::ToolCall: {
        QString html = QStringLiteral("<p style=\"margin: 4px 0 0 0;\">&#8594; <b>%1</b> %2</p>")
                           .arg(ConversationView::tr("tool call"), part.name.toHtmlEscaped());
        if (!part.id.isEmpty())
            html += QStringLiteral("<p style=\"margin: 0;\"><small>%1</small></p>")
                        .arg(ConversationView::tr("id %1").arg(part.id.toHtmlEscaped()));
        const QString args = prettyJson(part.arguments);
        html += args.isEmpty() ? QStringLiteral("<p><i>%1</i></p>").arg(ConversationView::tr("arguments not captured"))
                               : codeBlock(args);
        return html;
    }
    case Type::ToolCallResponse: {
        QString html = QStringLiteral("<p style=\"margin: 4px 0 0 0;\">&#8592; <b>%1</b>%2</p>")
                           .arg(ConversationView::tr("tool result"),
                                part.id.isEmpty() ? QString()
                                                  : QStringLiteral(" <small>%1</small>")
                                                        .arg(ConversationView::tr("for %1").arg(part.id.toHtmlEscaped())));
        const QString response = prettyJson(part.response);
        return html + (response.contains(QLatin1Char('\n')) || part.response.isObject() || part.response.isArray()
                           ? codeBlock(response)
                           : textBlock(response));
    }
    case Type::Other: {
        const QString type = part.other.value(QLatin1String("type")).toString();
        return QStringLiteral("<p style=\"margin: 4px 0 0 0;\"><i>%1</i></p>").arg(type.toHtmlEscaped())
            + (part.content.isEmpty() ? codeBlock(prettyJson(part.other)) : textBlock(part.content));
    }
    }
    return QString();
}

} // namespace

ConversationView::ConversationView(QWidget* parent)
    : QWidget(parent)
    , m_header(new QLabel(this))
    , m_copyJson(new QPushButton(tr("Copy as JSON"), this))
    , m_browser(new QTextBrowser(this))
{
    m_header->setObjectName(QStringLiteral("conversationHeader"));
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copyJson->setObjectName(QStringLiteral("copyCallJson"));
    m_copyJson->setToolTip(tr("Copy this LLM call with its messages as JSON (the query API's shape)"));
    m_browser->setObjectName(QStringLiteral("conversation"));
    m_browser->setOpenLinks(false);
    m_browser->setOpenExternalLinks(false);
    connect(m_browser, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.toString() == QLatin1String("spanscope:toggle-system"))
            setSystemInstructionsShown(!m_systemShown);
    });
    connect(m_copyJson, &QPushButton::clicked, this, [this] {
        if (m_call)
            QApplication::clipboard()->setText(
                QString::fromUtf8(QJsonDocument(GenAi::callToJson(*m_call)).toJson(QJsonDocument::Indented)));
    });

    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_copyJson, 0, Qt::AlignTop);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_browser, 1);
    setCall(std::nullopt);
}

ConversationView::~ConversationView() = default;

void ConversationView::setCall(std::optional<GenAi::LlmCall> call, const QString& placeholder)
{
    m_call = std::move(call);
    m_placeholder = placeholder;
    render();
}

void ConversationView::setSystemInstructionsShown(bool shown)
{
    if (m_systemShown == shown)
        return;
    m_systemShown = shown;
    render();
}

QString ConversationView::transcriptText() const
{
    return m_browser->toPlainText();
}

void ConversationView::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        render(); // the bubbles' colours come from the palette
}

void ConversationView::render()
{
    m_copyJson->setEnabled(m_call.has_value());
    if (!m_call) {
        m_header->clear();
        m_browser->setHtml(QStringLiteral("<p><i>%1</i></p>")
                               .arg((m_placeholder.isEmpty() ? tr("Select an LLM call to read its conversation.") : m_placeholder)
                                        .toHtmlEscaped()));
        return;
    }
    const GenAi::LlmCall& c = *m_call;
    const QLocale locale;

    // The facts, one line each group.
    QStringList facts;
    facts << QStringLiteral("<b>%1</b>").arg((c.operation.isEmpty() ? c.name : c.operation).toHtmlEscaped());
    if (!c.provider.isEmpty())
        facts << c.provider.toHtmlEscaped();
    QString model = c.requestModel.toHtmlEscaped();
    if (!c.responseModel.isEmpty() && c.responseModel != c.requestModel)
        model += (model.isEmpty() ? QString() : QStringLiteral(" &#8594; ")) + c.responseModel.toHtmlEscaped();
    if (!model.isEmpty())
        facts << model;
    facts << tr("%1 ms").arg(locale.toString(double(c.durationNanos) / 1e6, 'f', 1));
    if (c.isError)
        facts << QStringLiteral("<b>%1</b>").arg(tr("error"));
    QStringList usage;
    if (c.inputTokens || c.outputTokens) {
        usage << tr("%1 input tokens").arg(c.inputTokens ? locale.toString(*c.inputTokens) : tr("?"))
              << tr("%1 output tokens").arg(c.outputTokens ? locale.toString(*c.outputTokens) : tr("?"));
        if (c.cachedInputTokens)
            usage << tr("%1 cached").arg(locale.toString(*c.cachedInputTokens));
        usage << (c.cost ? c.cost->toString() : tr("no price"));
    }
    if (!c.finishReasons.isEmpty())
        usage << tr("finish: %1").arg(c.finishReasons.join(QStringLiteral(", ")).toHtmlEscaped());
    QStringList parameters;
    for (auto it = c.parameters.begin(); it != c.parameters.end(); ++it) {
        const QString value = it.value().isString() ? it.value().toString()
                                                    : QString::fromUtf8(QJsonDocument(QJsonArray { it.value() })
                                                                            .toJson(QJsonDocument::Compact))
                                                          .mid(1)
                                                          .chopped(1);
        parameters << QStringLiteral("%1 %2").arg(it.key().toHtmlEscaped(), value.left(200).toHtmlEscaped());
    }
    QString header = facts.join(QStringLiteral(" &middot; "));
    if (!usage.isEmpty())
        header += QStringLiteral("<br/>") + usage.join(QStringLiteral(" &middot; "));
    if (!parameters.isEmpty())
        header += QStringLiteral("<br/><small>") + parameters.join(QStringLiteral(" &middot; ")) + QStringLiteral("</small>");
    m_header->setText(header);

    // The transcript.
    const QPalette pal = palette();
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const auto bubble = [&](const QString& role) {
        if (role == QLatin1String("user"))
            return mix(base, pal.color(QPalette::Highlight), 0.16);
        if (role == QLatin1String("assistant"))
            return mix(base, QColor(0x2e, 0xa0, 0x43), 0.16);
        if (role == QLatin1String("tool"))
            return mix(base, QColor(0xd0, 0x8a, 0x1c), 0.18);
        return mix(base, text, 0.08);
    };
    const auto messageHtml = [&](const QString& role, const QString& body, const QString& footnote) {
        return QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"6\" bgcolor=\"%1\" "
                              "style=\"margin-bottom: 6px;\"><tr><td><small><b>%2</b></small>%3%4</td></tr></table>")
            .arg(bubble(role).name(), role.toUpper().toHtmlEscaped(), body,
                 footnote.isEmpty() ? QString() : QStringLiteral("<p align=\"right\"><small>%1</small></p>").arg(footnote));
    };
    const QString missing = QStringLiteral("<p><i>%1</i></p>").arg(tr("content not captured"));
    const auto messagesHtml = [&](const std::vector<GenAi::Message>& messages) {
        QString html;
        for (const GenAi::Message& m : messages) {
            QString body;
            for (const GenAi::Part& p : m.parts)
                body += partHtml(p);
            if (m.contentMissing || m.parts.empty())
                body += missing;
            html += messageHtml(m.role.isEmpty() ? tr("message") : m.role, body,
                                m.finishReason.isEmpty() ? QString() : tr("finish: %1").arg(m.finishReason.toHtmlEscaped()));
        }
        return html;
    };

    QString html = QStringLiteral("<html><body style=\"color: %1;\">").arg(text.name());
    if (!c.hasContent()) {
        html += QStringLiteral("<p><i>%1</i></p>")
                    .arg(tr("The messages of this call were not captured. Turn on content capture in the "
                            "instrumentation (for example OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)."));
    }
    if (!c.systemInstructions.empty()) {
        html += QStringLiteral("<p><a href=\"spanscope:toggle-system\">%1 %2</a></p>")
                    .arg(m_systemShown ? QStringLiteral("&#9662;") : QStringLiteral("&#9656;"),
                         tr("System instructions (%n part(s))", nullptr, int(c.systemInstructions.size())));
        if (m_systemShown) {
            QString body;
            for (const GenAi::Part& p : c.systemInstructions)
                body += partHtml(p);
            html += messageHtml(QStringLiteral("system"), body, QString());
        }
    }
    if (!c.inputMessages.empty())
        html += QStringLiteral("<h4>%1</h4>").arg(tr("Input")) + messagesHtml(c.inputMessages);
    if (!c.outputMessages.empty())
        html += QStringLiteral("<h4>%1</h4>").arg(tr("Output")) + messagesHtml(c.outputMessages);
    html += QStringLiteral("</body></html>");
    m_browser->setHtml(html);
}
