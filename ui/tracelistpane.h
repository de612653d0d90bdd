#pragma once

#include "model/tracesummary.h"

#include "model/ids.h"
#include "model/tracequery.h"

#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QTableView;
class QTimer;
class QToolButton;
class TraceListModel;

/**
 * The trace list's pane: the filter bar (service, text debounced by 300 ms, errors only, "Loading…", pause live
 * updates) over a sortable multi-selection table of `model` (not owned; must outlive the pane). It does not set the
 * model's query: filterChanged asks the window to (filterQuery()). GUI thread only.
 */
class TraceListPane : public QWidget {
    Q_OBJECT
public:
    explicit TraceListPane(TraceListModel* model, QWidget* parent = nullptr);
    ~TraceListPane() override;

    QTableView* view() const { return m_view; }
    QComboBox* serviceFilter() const { return m_serviceCombo; }

    /// The filter bar's query, in the model's current order.
    TraceQuery filterQuery() const;
    /// Lists `services` in the service filter, keeping the one selected when still listed; no signal.
    void setServices(const QStringList& services);
    void clearServices();
    /// The sessions offered by the Session filter ("All sessions" first); the chosen one stays chosen if listed.
    void setSessions(const std::vector<SessionSummary>& sessions);
    QComboBox* sessionFilter() const { return m_sessionCombo; }
    bool isPaused() const;
    void setPaused(bool paused);

    /// Makes `id`'s row current if it is listed and not current yet, without traceActivated.
    void selectTrace(const TraceId& id);
    /// Makes `id`'s row the current and only selected one, unless it is current already (keeps a multiple
    /// selection made in the list); clears the selection when `id` is not listed. No traceActivated.
    void showTrace(const TraceId& id);
    /// Ids of the selected rows, in list order.
    std::vector<TraceId> selectedTraceIds() const;

Q_SIGNALS:
    /// The user changed the filter (the text after the debounce, or at once with Enter).
    void filterChanged();
    /// A session was chosen in the Session filter: its traces are listed oldest first (the window opens the first).
    void sessionChosen(const QString& conversationId);
    /// The user made a trace's row current.
    void traceActivated(const TraceId& id);
    void pausedChanged(bool paused);

private:
    void rowActivated(const QModelIndex& index);

    TraceListModel* m_model;
    QComboBox* m_serviceCombo;
    QComboBox* m_sessionCombo;
    QLineEdit* m_textFilter;
    QCheckBox* m_errorsOnly;
    QToolButton* m_pause;
    QLabel* m_loading;
    QTimer* m_textDebounce;
    QTableView* m_view;
    bool m_syncingSelection = false;
};
