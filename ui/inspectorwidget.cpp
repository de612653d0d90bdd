#include "inspectorwidget.h"

#include "model/spanoutline.h"

#include "model/attributemodel.h"
#include "model/logrecordmodel.h"
#include "model/tracelistmodel.h"
#include "ui/servicecolors.h"

#include <QApplication>
#include <QClipboard>
#include <QColor>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int LinkTraceRole = Qt::UserRole + 1;
constexpr int LinkSpanRole = Qt::UserRole + 2;

// Tree views inside the scrolling inspector show all their rows instead of scrolling themselves.
int expandedRows(const QTreeView* view, const QModelIndex& parent, int limit)
{
    const QAbstractItemModel* model = view->model();
    int rows = 0;
    for (int row = 0; row < model->rowCount(parent) && rows < limit; ++row) {
        ++rows;
        const QModelIndex child = model->index(row, 0, parent);
        if (view->isExpanded(child))
            rows += expandedRows(view, child, limit - rows);
    }
    return rows;
}

void fitHeight(QTreeView* view)
{
    const int rows = view->model() ? expandedRows(view, QModelIndex(), 500) : 0;
    view->setVisible(rows > 0);
    if (rows == 0)
        return;
    view->doItemsLayout();
    const int rowHeight = std::max(view->sizeHintForRow(0), view->fontMetrics().height());
    const int header = view->header()->isHidden() ? 0 : view->header()->sizeHint().height();
    view->setFixedHeight(header + rows * rowHeight + 2 * view->frameWidth() + 2);
}

void keepFitted(QTreeView* view)
{
    view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view->setUniformRowHeights(true);
    view->setTextElideMode(Qt::ElideRight);
    QObject::connect(view, &QTreeView::expanded, view, [view] { fitHeight(view); });
    QObject::connect(view, &QTreeView::collapsed, view, [view] { fitHeight(view); });
    fitHeight(view);
}

QString abridged(QString text)
{
    text.replace(QLatin1Char('\n'), QChar(0x21b5));
    return text.size() > 300 ? text.left(300) + QChar(0x2026) : text;
}

void addAttributeItems(QTreeWidgetItem* parent, const Attributes& attributes)
{
    for (const KeyValue& kv : attributes) {
        auto* item = new QTreeWidgetItem(parent);
        item->setText(0, kv.key);
        const QString value = kv.value.toDisplayString();
        item->setText(1, abridged(value));
        item->setToolTip(1, value.left(4000));
    }
}

QString kindText(SpanKind kind)
{
    switch (kind) {
    case SpanKind::Unspecified:
        return InspectorWidget::tr("unspecified");
    case SpanKind::Internal:
        return InspectorWidget::tr("internal");
    case SpanKind::Server:
        return InspectorWidget::tr("server");
    case SpanKind::Client:
        return InspectorWidget::tr("client");
    case SpanKind::Producer:
        return InspectorWidget::tr("producer");
    case SpanKind::Consumer:
        return InspectorWidget::tr("consumer");
    }
    return {};
}
}

InspectorWidget::InspectorWidget(QWidget* parent)
    : QWidget(parent)
    , m_attributes(new AttributeModel(this))
    , m_resource(new AttributeModel(this))
    , m_scope(new AttributeModel(this))
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);

    m_placeholder = new QLabel(tr("Select a span in the waterfall to see its details."), this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    outer->addWidget(m_placeholder);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    outer->addWidget(scroll);
    m_content = scroll;

    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(8, 8, 8, 8);
    m_title = new QLabel(page);
    m_title->setObjectName(QStringLiteral("inspectorTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    layout->addWidget(m_title);

    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignLeft);
    addField(form, tr("Service"), QStringLiteral("service"));
    addField(form, tr("Duration"), QStringLiteral("duration"));
    addField(form, tr("Start"), QStringLiteral("start"));
    addField(form, tr("End"), QStringLiteral("end"));
    addField(form, tr("Status"), QStringLiteral("status"));
    addField(form, tr("Kind"), QStringLiteral("kind"));
    addField(form, tr("Trace ID"), QStringLiteral("traceId"));
    addField(form, tr("Span ID"), QStringLiteral("spanId"));
    QLabel* parentLabel = addField(form, tr("Parent"), QStringLiteral("parentSpanId"));
    parentLabel->setTextInteractionFlags(Qt::TextBrowserInteraction);
    connect(parentLabel, &QLabel::linkActivated, this, [this](const QString& link) {
        Q_EMIT linkActivated(m_tree ? m_tree->traceId() : TraceId(), SpanId::fromHex(link));
    });
    addField(form, tr("Trace state"), QStringLiteral("traceState"));
    layout->addLayout(form);

    m_attributesBox = new QGroupBox(page);
    auto* attributesLayout = new QVBoxLayout(m_attributesBox);
    m_attributesView = makeAttributeView(m_attributes);
    m_attributesView->setObjectName(QStringLiteral("inspectorAttributes"));
    attributesLayout->addWidget(m_attributesView);
    m_valueView = new QPlainTextEdit(m_attributesBox);
    m_valueView->setReadOnly(true);
    m_valueView->setMaximumHeight(160);
    m_valueView->setPlaceholderText(tr("Select an attribute to see its full value"));
    m_valueView->hide();
    attributesLayout->addWidget(m_valueView);
    connect(m_attributesView->selectionModel(), &QItemSelectionModel::currentChanged, this,
        [this](const QModelIndex& current) { showValue(current); });
    layout->addWidget(m_attributesBox);

    m_eventsBox = new QGroupBox(page);
    auto* eventsLayout = new QVBoxLayout(m_eventsBox);
    m_events = new QTreeWidget(m_eventsBox);
    m_events->setObjectName(QStringLiteral("inspectorEvents"));
    m_events->setColumnCount(2);
    m_events->setHeaderLabels({ tr("Offset / key"), tr("Event / value") });
    m_events->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    keepFitted(m_events);
    eventsLayout->addWidget(m_events);
    layout->addWidget(m_eventsBox);

    m_logsBox = new QGroupBox(page);
    auto* logsLayout = new QVBoxLayout(m_logsBox);
    m_logs = new QTreeWidget(m_logsBox);
    m_logs->setObjectName(QStringLiteral("inspectorLogs"));
    m_logs->setColumnCount(2);
    m_logs->setHeaderLabels({ tr("Offset / key"), tr("Log record / value") });
    m_logs->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_logs->setWordWrap(true);
    keepFitted(m_logs);
    logsLayout->addWidget(m_logs);
    layout->addWidget(m_logsBox);

    m_linksBox = new QGroupBox(page);
    auto* linksLayout = new QVBoxLayout(m_linksBox);
    m_links = new QTreeWidget(m_linksBox);
    m_links->setObjectName(QStringLiteral("inspectorLinks"));
    m_links->setColumnCount(2);
    m_links->setHeaderLabels({ tr("Trace / key"), tr("Span / value") });
    m_links->setToolTip(tr("Click a link to go to the linked span"));
    keepFitted(m_links);
    connect(m_links, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) { linkItemActivated(item); });
    connect(m_links, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        if (!item->parent())
            linkItemActivated(item);
    });
    linksLayout->addWidget(m_links);
    layout->addWidget(m_linksBox);

    m_resourceBox = new QGroupBox(page);
    auto* resourceLayout = new QVBoxLayout(m_resourceBox);
    auto* resourceForm = new QFormLayout;
    addField(resourceForm, tr("Schema URL"), QStringLiteral("schemaUrl"));
    resourceLayout->addLayout(resourceForm);
    resourceLayout->addWidget(makeAttributeView(m_resource));
    layout->addWidget(m_resourceBox);

    m_scopeBox = new QGroupBox(page);
    auto* scopeLayout = new QVBoxLayout(m_scopeBox);
    auto* scopeForm = new QFormLayout;
    addField(scopeForm, tr("Scope"), QStringLiteral("scope"));
    scopeLayout->addLayout(scopeForm);
    scopeLayout->addWidget(makeAttributeView(m_scope));
    layout->addWidget(m_scopeBox);
    layout->addStretch(1);

    scroll->setWidget(page);
    showSpan(SpanId());
}

InspectorWidget::~InspectorWidget() = default;

QLabel* InspectorWidget::addField(QFormLayout* form, const QString& label, const QString& key)
{
    auto* value = new QLabel;
    value->setObjectName(QStringLiteral("inspector_") + key);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    value->setMinimumWidth(40);
    auto* caption = new QLabel(label);
    caption->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(caption, value);
    m_fields.insert(key, value);
    return value;
}

QTreeView* InspectorWidget::makeAttributeView(AttributeModel* model)
{
    auto* view = new QTreeView;
    view->setModel(model);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(AttributeModel::KeyColumn, QHeaderView::Interactive);
    view->header()->setSectionResizeMode(AttributeModel::ValueColumn, QHeaderView::Stretch);
    view->header()->setSectionResizeMode(AttributeModel::TypeColumn, QHeaderView::ResizeToContents);
    view->header()->resizeSection(AttributeModel::KeyColumn, 180);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, view, [view](const QPoint& pos) {
        const QModelIndex index = view->indexAt(pos);
        if (!index.isValid())
            return;
        const QString key = index.siblingAtColumn(AttributeModel::KeyColumn).data(AttributeModel::KeyPathRole).toString();
        const QString value = index.siblingAtColumn(AttributeModel::ValueColumn).data(AttributeModel::FullValueRole).toString();
        QMenu menu;
        menu.addAction(InspectorWidget::tr("Copy value"), [value] { QApplication::clipboard()->setText(value); });
        menu.addAction(InspectorWidget::tr("Copy key"), [key] { QApplication::clipboard()->setText(key); });
        menu.addAction(InspectorWidget::tr("Copy key and value"),
            [key, value] { QApplication::clipboard()->setText(key + QStringLiteral(" = ") + value); });
        menu.exec(view->viewport()->mapToGlobal(pos));
    });
    connect(model, &QAbstractItemModel::modelReset, view, [view] {
        view->expandToDepth(0);
        fitHeight(view);
        view->resizeColumnToContents(AttributeModel::KeyColumn);
        view->header()->resizeSection(AttributeModel::KeyColumn,
            std::clamp(view->header()->sectionSize(AttributeModel::KeyColumn), 80, std::max(120, view->width() * 2 / 5)));
    });
    keepFitted(view);
    return view;
}

void InspectorWidget::showValue(const QModelIndex& index)
{
    const QString value = index.isValid()
        ? index.siblingAtColumn(AttributeModel::ValueColumn).data(AttributeModel::FullValueRole).toString()
        : QString();
    // Long and multi-line values (prompts, SQL, stack traces) do not fit a cell.
    const bool worthShowing = value.size() > 60 || value.contains(QLatin1Char('\n'));
    m_valueView->setPlainText(worthShowing ? value : QString());
    m_valueView->setVisible(worthShowing);
}

void InspectorWidget::setTree(std::shared_ptr<const SpanTree> tree)
{
    m_tree = std::move(tree);
    showSpan(SpanId());
}

QString InspectorWidget::formatUtcNanos(std::uint64_t unixNanos)
{
    const auto seconds = static_cast<qint64>(unixNanos / 1000000000ull);
    const auto nanos = static_cast<qint64>(unixNanos % 1000000000ull);
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"))
        + QLatin1Char('.') + QStringLiteral("%1").arg(nanos, 9, 10, QLatin1Char('0')) + QLatin1Char('Z');
}

QString InspectorWidget::fieldText(const QString& field) const
{
    if (field == QLatin1String("name"))
        return m_title->text();
    QLabel* label = m_fields.value(field);
    return label ? label->text() : QString();
}

void InspectorWidget::showSpan(const SpanId& id)
{
    const int index = m_tree && id.isValid() ? m_tree->indexOf(id) : -1;
    m_spanId = index >= 0 ? id : SpanId();
    m_placeholder->setVisible(index < 0);
    m_content->setVisible(index >= 0);
    m_valueView->hide();
    if (index < 0) {
        m_title->clear();
        for (QLabel* label : std::as_const(m_fields))
            label->clear();
        m_attributes->clear();
        m_resource->clear();
        m_scope->clear();
        m_events->clear();
        m_logs->clear();
        m_links->clear();
        return;
    }
    // An outline has no attributes: the store has them (one indexed row; a failed read shows the outline).
    Span scratch;
    const Span& outline = m_tree->spanView(index, scratch);
    std::optional<Span> full;
    if (m_tree->outline && m_spanSource && !SpanOutline::keepsDetails(outline))
        full = m_spanSource(m_tree->traceId(), id);
    const Span& span = full ? *full : outline;
    auto set = [this](const QString& key, const QString& text) { m_fields.value(key)->setText(text); };

    m_title->setText(span.name.isEmpty() ? tr("(unnamed span)") : span.name);
    const QString service = span.serviceName();
    set(QStringLiteral("service"),
        QStringLiteral("<span style=\"color:%1\">&#9632;</span> %2")
            .arg(serviceColor(service).name(), service.isEmpty() ? tr("(no service.name)") : service.toHtmlEscaped()));
    m_fields.value(QStringLiteral("service"))->setTextFormat(Qt::RichText);
    set(QStringLiteral("duration"),
        tr("%1 (starts at +%2)")
            .arg(TraceListModel::formatDuration(span.durationNanos()),
                TraceListModel::formatDuration(span.startTimeUnixNano - m_tree->startTimeUnixNano)));
    set(QStringLiteral("start"), formatUtcNanos(span.startTimeUnixNano));
    set(QStringLiteral("end"), formatUtcNanos(span.endTimeUnixNano));
    QLabel* status = m_fields.value(QStringLiteral("status"));
    QString statusText;
    switch (span.statusCode) {
    case StatusCode::Unset:
        statusText = tr("unset");
        break;
    case StatusCode::Ok:
        statusText = tr("ok");
        break;
    case StatusCode::Error:
        statusText = tr("error");
        break;
    }
    if (!span.statusMessage.isEmpty())
        statusText = tr("%1: %2").arg(statusText, span.statusMessage);
    status->setText(statusText);
    status->setStyleSheet(span.statusCode == StatusCode::Error ? QStringLiteral("color: #d32f2f; font-weight: bold;")
                                                               : QString());
    set(QStringLiteral("kind"), kindText(span.kind));
    set(QStringLiteral("traceId"), span.traceId.toHex());
    set(QStringLiteral("spanId"), span.spanId.toHex());
    set(QStringLiteral("traceState"), span.traceState.isEmpty() ? tr("–") : span.traceState);

    QLabel* parent = m_fields.value(QStringLiteral("parentSpanId"));
    if (!span.parentSpanId.isValid()) {
        parent->setTextFormat(Qt::PlainText);
        parent->setText(tr("none (root span)"));
    } else if (m_tree->indexOf(span.parentSpanId) >= 0) {
        const QString& parentName = m_tree->nameOf(m_tree->indexOf(span.parentSpanId));
        parent->setTextFormat(Qt::RichText);
        parent->setText(QStringLiteral("<a href=\"%1\">%1</a> %2")
                            .arg(span.parentSpanId.toHex(), parentName.toHtmlEscaped()));
    } else {
        parent->setTextFormat(Qt::PlainText);
        parent->setText(tr("%1 (not in this trace)").arg(span.parentSpanId.toHex()));
    }

    m_attributes->setAttributes(span.attributes);
    m_attributesBox->setTitle(span.droppedAttributesCount
            ? tr("Attributes (%1, %2 dropped)").arg(span.attributes.size()).arg(span.droppedAttributesCount)
            : tr("Attributes (%1)").arg(span.attributes.size()));
    m_attributesBox->setVisible(true);

    m_events->clear();
    std::vector<const SpanEvent*> events;
    for (const SpanEvent& event : span.events)
        events.push_back(&event);
    std::stable_sort(events.begin(), events.end(),
        [](const SpanEvent* a, const SpanEvent* b) { return a->timeUnixNano < b->timeUnixNano; });
    for (const SpanEvent* eventPointer : events) {
        const SpanEvent& event = *eventPointer;
        auto* item = new QTreeWidgetItem(m_events);
        const std::uint64_t offset = event.timeUnixNano >= span.startTimeUnixNano ? event.timeUnixNano - span.startTimeUnixNano : 0;
        item->setText(0, event.timeUnixNano >= span.startTimeUnixNano ? QStringLiteral("+") + TraceListModel::formatDuration(offset)
                                                                      : tr("before start"));
        item->setToolTip(0, formatUtcNanos(event.timeUnixNano));
        item->setText(1, event.name);
        addAttributeItems(item, event.attributes);
    }
    m_events->expandAll();
    fitHeight(m_events);
    m_eventsBox->setTitle(tr("Events (%1)").arg(span.events.size()));
    m_eventsBox->setVisible(!span.events.empty());

    // OTLP log records correlated to the span (their span_id), e.g. the gen_ai.* events of GenAI instrumentations.
    m_logs->clear();
    const std::vector<const LogRecord*> logs = m_tree->logsOf(span.spanId);
    for (const LogRecord* record : logs) {
        auto* item = new QTreeWidgetItem(m_logs);
        const std::uint64_t t = record->effectiveTimeUnixNano();
        item->setText(0, t == 0 ? tr("no time")
                : t >= span.startTimeUnixNano ? QStringLiteral("+") + TraceListModel::formatDuration(t - span.startTimeUnixNano)
                                              : tr("before start"));
        item->setToolTip(0, t ? formatUtcNanos(t) : QString());
        const QString severity = LogRecordModel::severityName(record->severityNumber, record->severityText);
        QStringList head;
        if (!severity.isEmpty())
            head << severity;
        if (!record->eventName.isEmpty())
            head << record->eventName;
        const QString body = record->body.toDisplayString();
        const QString firstLine = body.section(QLatin1Char('\n'), 0, 0);
        item->setText(1, head.join(QLatin1Char(' ')) + (head.isEmpty() || body.isEmpty() ? QString() : QStringLiteral(": "))
                             + firstLine + (firstLine.size() < body.size() ? QStringLiteral(" …") : QString()));
        item->setToolTip(1, body);
        if (record->severityNumber >= 17)
            item->setForeground(1, QColor(0xd3, 0x2f, 0x2f));
        if (!body.isEmpty()) {
            auto* bodyItem = new QTreeWidgetItem(item);
            bodyItem->setText(0, tr("body"));
            bodyItem->setText(1, body);
            bodyItem->setToolTip(1, body);
        }
        addAttributeItems(item, record->attributes);
    }
    m_logs->expandAll();
    fitHeight(m_logs);
    m_logsBox->setTitle(tr("Log records (%1)").arg(logs.size()));
    m_logsBox->setVisible(!logs.empty());

    m_links->clear();
    for (const SpanLink& link : span.links) {
        auto* item = new QTreeWidgetItem(m_links);
        const bool sameTrace = link.traceId == span.traceId;
        item->setText(0, sameTrace ? tr("this trace") : link.traceId.toHex());
        item->setToolTip(0, link.traceId.toHex());
        item->setText(1, link.spanId.toHex());
        item->setData(0, LinkTraceRole, link.traceId.toHex());
        item->setData(0, LinkSpanRole, link.spanId.toHex());
        QFont font = item->font(1);
        font.setUnderline(true);
        item->setFont(1, font);
        item->setForeground(1, palette().color(QPalette::Link));
        addAttributeItems(item, link.attributes);
    }
    m_links->expandAll();
    fitHeight(m_links);
    m_linksBox->setTitle(tr("Links (%1)").arg(span.links.size()));
    m_linksBox->setVisible(!span.links.empty());

    const Resource* resource = span.resource.get();
    m_resource->setAttributes(resource ? resource->attributes : Attributes());
    set(QStringLiteral("schemaUrl"), resource && !resource->schemaUrl.isEmpty() ? resource->schemaUrl : tr("–"));
    m_resourceBox->setTitle(tr("Resource (%1)").arg(resource ? resource->attributes.size() : 0));

    const InstrumentationScope* scope = span.scope.get();
    QString scopeText = scope && !scope->name.isEmpty() ? scope->name : tr("(unnamed)");
    if (scope && !scope->version.isEmpty())
        scopeText += QLatin1Char(' ') + scope->version;
    set(QStringLiteral("scope"), scopeText);
    m_scope->setAttributes(scope ? scope->attributes : Attributes());
    m_scopeBox->setTitle(tr("Instrumentation scope"));
}

void InspectorWidget::activateLink(int index)
{
    if (QTreeWidgetItem* item = m_links->topLevelItem(index))
        linkItemActivated(item);
}

void InspectorWidget::linkItemActivated(QTreeWidgetItem* item)
{
    while (item && item->parent())
        item = item->parent();
    if (!item)
        return;
    Q_EMIT linkActivated(TraceId::fromHex(item->data(0, LinkTraceRole).toString()),
        SpanId::fromHex(item->data(0, LinkSpanRole).toString()));
}
