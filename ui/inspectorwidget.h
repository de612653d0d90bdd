#pragma once

#include "model/spantreemodel.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

class AttributeModel;
class QLabel;
class QGroupBox;
class QPlainTextEdit;
class QTreeView;
class QTreeWidget;
class QTreeWidgetItem;

/**
 * Details of the selected span: name, ids (parent clickable), kind, status, UTC timing with ns, duration,
 * attributes with typed and nested values, events, its OTLP log records, links (click to jump), resource and scope.
 * GUI thread only.
 */
class InspectorWidget : public QWidget {
    Q_OBJECT
public:
    explicit InspectorWidget(QWidget* parent = nullptr);
    ~InspectorWidget() override;

    /// The trace the spans come from (for the parent link and event offsets); clears the shown span.
    void setTree(std::shared_ptr<const SpanTree> tree);
    /// Shows a span of the current trace; an unknown or invalid id shows the placeholder.
    void showSpan(const SpanId& id);
    SpanId shownSpan() const { return m_spanId; }
    /**
     * Reads a span in full (TraceStore::span) when the tree holds outlines (SpanTree::outline): called on the GUI
     * thread, so only for a store that answers at once (a local one). nullopt (or no source) shows the outline.
     */
    using SpanSource = std::function<std::optional<Span>(const TraceId& traceId, const SpanId& spanId)>;
    void setSpanSource(SpanSource source) { m_spanSource = std::move(source); }

    AttributeModel* attributeModel() const { return m_attributes; }
    AttributeModel* resourceModel() const { return m_resource; }
    AttributeModel* scopeModel() const { return m_scope; }
    QTreeWidget* eventsView() const { return m_events; }
    QTreeWidget* linksView() const { return m_links; }
    /// The shown span's OTLP log records (SpanTree::logsOf): offset, severity and body, attributes below.
    QTreeWidget* logsView() const { return m_logs; }
    /// Text of a header field: "name", "traceId", "spanId", "parentSpanId", "kind", "status", "start", "end",
    /// "duration", "service", "schemaUrl", "scope".
    QString fieldText(const QString& field) const;
    /// Same as clicking the link at `index` of the links list.
    void activateLink(int index);

    /// "2026-08-19T12:20:04.505251740Z"
    static QString formatUtcNanos(std::uint64_t unixNanos);

Q_SIGNALS:
    /// The user asked to go to a span: the parent, or a link target (possibly in another trace).
    void linkActivated(const TraceId& traceId, const SpanId& spanId);

private:
    QLabel* addField(class QFormLayout* form, const QString& label, const QString& key);
    QTreeView* makeAttributeView(AttributeModel* model);
    void showValue(const QModelIndex& index);
    void linkItemActivated(QTreeWidgetItem* item);

    std::shared_ptr<const SpanTree> m_tree;
    SpanSource m_spanSource;
    SpanId m_spanId;

    QWidget* m_content = nullptr;
    QLabel* m_placeholder = nullptr;
    QLabel* m_title = nullptr;
    QHash<QString, QLabel*> m_fields;
    AttributeModel* m_attributes;
    AttributeModel* m_resource;
    AttributeModel* m_scope;
    QTreeView* m_attributesView = nullptr;
    QPlainTextEdit* m_valueView = nullptr;
    QTreeWidget* m_events = nullptr;
    QTreeWidget* m_links = nullptr;
    QTreeWidget* m_logs = nullptr;
    QGroupBox* m_attributesBox = nullptr;
    QGroupBox* m_eventsBox = nullptr;
    QGroupBox* m_linksBox = nullptr;
    QGroupBox* m_logsBox = nullptr;
    QGroupBox* m_resourceBox = nullptr;
    QGroupBox* m_scopeBox = nullptr;
};
