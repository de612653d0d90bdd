#include "traceviewpane.h"

#include "ui/minimapview.h"
#include "ui/waterfallview.h"
#include "ui/zoomcontrol.h"

#include <QHBoxLayout>
#include <QAction>
#include <QKeySequence>
#include <QSettings>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

TraceViewPane::TraceViewPane(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);

    auto* bar = new QHBoxLayout;
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("traceTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_findEdit = new QLineEdit;
    m_findEdit->setObjectName(QStringLiteral("findInTrace"));
    m_findEdit->setPlaceholderText(tr("Find in trace (Ctrl+F)"));
    m_findEdit->setClearButtonEnabled(true);
    m_findEdit->setMinimumWidth(m_findEdit->fontMetrics().horizontalAdvance(m_findEdit->placeholderText()) + 40);
    m_findEdit->setMaximumWidth(360);
    m_findStatus = new QLabel;
    m_findStatus->setMinimumWidth(m_findStatus->fontMetrics().horizontalAdvance(QStringLiteral("000 of 000")));
    auto makeButton = [](const QString& text, const QString& tip) {
        auto* button = new QToolButton;
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(true);
        return button;
    };
    QToolButton* previous = makeButton(QStringLiteral("▲"), tr("Previous match (Shift+F3)"));
    QToolButton* next = makeButton(QStringLiteral("▼"), tr("Next match (F3, Enter)"));
    QToolButton* zoomOut = makeButton(QStringLiteral("−"), tr("Zoom out (-)"));
    QToolButton* zoomIn = makeButton(QStringLiteral("+"), tr("Zoom in (+, Ctrl+wheel)"));
    QToolButton* zoomFit = makeButton(tr("Fit"), tr("Show the whole trace (0)"));
    bar->addWidget(m_title, 1);
    bar->addWidget(m_findEdit);
    bar->addWidget(m_findStatus);
    bar->addWidget(previous);
    bar->addWidget(next);
    bar->addSpacing(8);
    m_criticalPathAction = new QAction(tr("Critical &Path"), this);
    m_criticalPathAction->setObjectName(QStringLiteral("actionCriticalPath"));
    m_criticalPathAction->setCheckable(true);
    m_criticalPathAction->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    m_criticalPathAction->setToolTip(tr("Highlight the critical path: the spans the trace's latency waited on "
                                         "(Ctrl+Shift+C); the Critical path tab lists them"));
    auto* criticalPath = new QToolButton;
    criticalPath->setObjectName(QStringLiteral("criticalPathButton"));
    criticalPath->setDefaultAction(m_criticalPathAction);
    criticalPath->setAutoRaise(true);
    bar->addWidget(criticalPath);
    m_collapseGapsAction = new QAction(tr("Collapse &Idle Gaps"), this);
    m_collapseGapsAction->setObjectName(QStringLiteral("actionCollapseGaps"));
    m_collapseGapsAction->setCheckable(true);
    m_collapseGapsAction->setShortcut(QKeySequence(tr("Ctrl+Shift+I")));
    m_collapseGapsAction->setToolTip(tr("Collapse long idle gaps on the time axis: stretches of at least 5% of the "
                                        "trace in which no span runs shrink to a break marker (Ctrl+Shift+I)"));
    auto* collapseGaps = new QToolButton;
    collapseGaps->setObjectName(QStringLiteral("collapseGapsButton"));
    collapseGaps->setDefaultAction(m_collapseGapsAction);
    collapseGaps->setAutoRaise(true);
    bar->addWidget(collapseGaps);
    bar->addSpacing(8);
    bar->addWidget(zoomOut);
    bar->addWidget(zoomIn);
    bar->addWidget(zoomFit);
    layout->addLayout(bar);

    m_waterfall = new WaterfallView;
    m_waterfall->setObjectName(QStringLiteral("waterfall"));
    m_minimap = new MinimapView(m_waterfall);
    m_minimap->setObjectName(QStringLiteral("minimap"));
    layout->addWidget(m_minimap);
    layout->addWidget(m_waterfall, 1);

    connect(m_findEdit, &QLineEdit::textChanged, m_waterfall, &WaterfallView::setFindText);
    connect(m_findEdit, &QLineEdit::returnPressed, m_waterfall, &WaterfallView::findNext);
    connect(previous, &QToolButton::clicked, m_waterfall, &WaterfallView::findPrevious);
    connect(next, &QToolButton::clicked, m_waterfall, &WaterfallView::findNext);
    connect(m_waterfall, &WaterfallView::findResultChanged, this, &TraceViewPane::updateFindStatus);
    ZoomControl* zoom = m_waterfall->zoomControl();
    connect(zoomIn, &QToolButton::clicked, zoom,
        [zoom] { zoom->zoom(1.5, (zoom->rangeStart() + zoom->rangeEnd()) / 2); });
    connect(zoomOut, &QToolButton::clicked, zoom,
        [zoom] { zoom->zoom(1 / 1.5, (zoom->rangeStart() + zoom->rangeEnd()) / 2); });
    connect(zoomFit, &QToolButton::clicked, zoom, &ZoomControl::reset);

    connect(m_criticalPathAction, &QAction::toggled, this, [this](bool on) {
        m_waterfall->setCriticalPathShown(on);
        QSettings().setValue(QStringLiteral("trace/showCriticalPath"), on);
    });
    m_criticalPathAction->setChecked(QSettings().value(QStringLiteral("trace/showCriticalPath"), false).toBool());
    addAction(m_criticalPathAction);
    connect(m_collapseGapsAction, &QAction::toggled, this, [this](bool on) {
        m_waterfall->setIdleGapsCollapsed(on);
        QSettings().setValue(QStringLiteral("trace/collapseIdleGaps"), on);
    });
    m_collapseGapsAction->setChecked(QSettings().value(QStringLiteral("trace/collapseIdleGaps"), false).toBool());
    addAction(m_collapseGapsAction);

    auto* find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, [this] {
        m_findEdit->setFocus(Qt::ShortcutFocusReason);
        m_findEdit->selectAll();
    });
    auto* findNext = new QShortcut(QKeySequence::FindNext, this);
    connect(findNext, &QShortcut::activated, m_waterfall, &WaterfallView::findNext);
    auto* findPrevious = new QShortcut(QKeySequence::FindPrevious, this);
    connect(findPrevious, &QShortcut::activated, m_waterfall, &WaterfallView::findPrevious);
    updateFindStatus(-1, 0);
}

TraceViewPane::~TraceViewPane() = default;

void TraceViewPane::setTitle(const QString& text, const QString& toolTip)
{
    m_title->setText(text);
    m_title->setToolTip(toolTip);
}

void TraceViewPane::updateFindStatus(int current, int count)
{
    if (m_findEdit->text().isEmpty())
        m_findStatus->clear();
    else if (count == 0)
        m_findStatus->setText(tr("no match"));
    else if (current < 0)
        m_findStatus->setText(tr("%n match(es)", nullptr, count));
    else
        m_findStatus->setText(tr("%1 of %2").arg(current + 1).arg(count));
}
