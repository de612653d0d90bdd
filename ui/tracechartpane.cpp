#include "ui/tracechartpane.h"

#include "ui/tracescatterview.h"
#include "ui/tracetimeseriesview.h"

#include <QSettings>
#include <QStackedWidget>
#include <QTabBar>
#include <QVBoxLayout>

#include <algorithm>

namespace {
const QString s_settingsKey = QStringLiteral("traceList/chart");
// The settings' words for the charts, in Chart order (stable: kept across versions).
const QString s_keys[] = { QStringLiteral("scatter"), QStringLiteral("throughput"), QStringLiteral("errorRate"),
    QStringLiteral("tokens") };
}

TraceChartPane::TraceChartPane(QWidget* parent)
    : QWidget(parent)
    , m_tabs(new QTabBar)
    , m_stack(new QStackedWidget)
    , m_scatter(new TraceScatterView)
    , m_timeSeries(new TraceTimeSeriesView)
{
    setObjectName(QStringLiteral("traceCharts"));
    m_tabs->setObjectName(QStringLiteral("traceChartTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setDrawBase(false);
    m_tabs->setExpanding(false);
    QFont small = m_tabs->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_tabs->setFont(small);
    m_tabs->addTab(tr("Scatter"));
    m_tabs->setTabToolTip(0, tr("The listed traces by start time and duration"));
    m_tabs->addTab(tr("Throughput"));
    m_tabs->setTabToolTip(1, tr("Traces and spans per time bucket, of every trace the filter matches"));
    m_tabs->addTab(tr("Error rate"));
    m_tabs->setTabToolTip(2, tr("The share of traces with an error per time bucket, of every trace the filter matches"));
    m_tabs->addTab(tr("Tokens"));
    m_tabs->setTabToolTip(3, tr("LLM input and output tokens per time bucket, of every trace the filter matches"));
    m_stack->addWidget(m_scatter);
    m_stack->addWidget(m_timeSeries);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_tabs);
    layout->addWidget(m_stack, 1);

    int initial = 0;
    const QString saved = QSettings().value(s_settingsKey).toString();
    for (int i = 0; i < 4; ++i)
        if (saved == s_keys[i])
            initial = i;
    m_tabs->setCurrentIndex(initial);
    showChart(initial);
    connect(m_tabs, &QTabBar::currentChanged, this, [this](int index) {
        showChart(index);
        QSettings().setValue(s_settingsKey, s_keys[index]);
        Q_EMIT chartChanged(chart());
    });
}

TraceChartPane::~TraceChartPane() = default;

TraceChartPane::Chart TraceChartPane::chart() const
{
    return Chart(std::max(0, m_tabs->currentIndex()));
}

void TraceChartPane::setChart(Chart chart)
{
    m_tabs->setCurrentIndex(int(chart));
}

void TraceChartPane::showChart(int index)
{
    if (index <= 0) {
        m_stack->setCurrentWidget(m_scatter);
        return;
    }
    m_timeSeries->setMetric(index == 1 ? TraceTimeSeriesView::Metric::Throughput
            : index == 2               ? TraceTimeSeriesView::Metric::ErrorRate
                                       : TraceTimeSeriesView::Metric::Tokens);
    m_stack->setCurrentWidget(m_timeSeries);
}
