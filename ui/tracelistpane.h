#pragma once

#include "model/tracesummary.h"

#include "model/ids.h"
#include "model/tracequery.h"

#include <QDateTime>
#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;
class QToolButton;
class SessionListModel;
class TraceListModel;

/**
 * The trace list's pane, two tabs. Traces: the filter bar (service, session, text debounced by 300 ms, errors only,
 * "Loading…", pause live updates; below: minimum duration, debounced too, start time range, "Clear filters") over a
 * sortable multi-selection table of `model` (not owned; must outlive the pane). Sessions: one row per session (SessionListModel, sorted by a proxy, the most recently active first), or a
 * hint when there is none; activating a row does what choosing it in the Session filter does (openSession). The pane
 * does not set the model's query: filterChanged asks the window to (filterQuery()). GUI thread only.
 */
class TraceListPane : public QWidget {
    Q_OBJECT
public:
    explicit TraceListPane(TraceListModel* model, QWidget* parent = nullptr);
    ~TraceListPane() override;

    QTableView* view() const { return m_view; }
    QComboBox* serviceFilter() const { return m_serviceCombo; }
    /// Minimum duration (TraceListModel::parseDuration); text it does not accept filters nothing.
    QLineEdit* minDurationFilter() const { return m_minDuration; }
    /// Start time: any, the last N minutes/hours/days before filterQuery() is called, or a custom range.
    QComboBox* timeRangeFilter() const { return m_timeRange; }

    /// The filter bar's query, in the model's current order. A "Last N" time range ends now: it is counted back from
    /// the time of this call (the window calls it when the filter is applied, not on live refreshes).
    TraceQuery filterQuery() const;
    /**
     * Chooses the custom start time range `from` to `to` (local or any time spec; to the second: milliseconds are
     * dropped, and `to` takes in its whole second) in the time range filter, as the Custom… dialog does, and emits
     * filterChanged. False (nothing changes) when either is invalid, before 1970, or `from` is after `to`.
     */
    bool setCustomTimeRange(const QDateTime& from, const QDateTime& to);
    /// Resets every filter of the bar (service, session, text, errors only, min duration, time range) and emits
    /// filterChanged once, unless nothing was set.
    void clearFilters();
    /// Lists `services` in the service filter, keeping the one selected when still listed; no signal.
    void setServices(const QStringList& services);
    void clearServices();
    /// The sessions of the Session filter ("All sessions" first; the chosen one stays chosen if listed) and of the
    /// Sessions tab.
    void setSessions(const std::vector<SessionSummary>& sessions);
    QComboBox* sessionFilter() const { return m_sessionCombo; }
    QTableView* sessionView() const { return m_sessionView; }
    SessionListModel* sessionModel() const { return m_sessionModel; }
    /**
     * Shows the Traces tab with `conversationId` chosen in the Session filter, as if the user chose it there: its
     * traces listed oldest first, filterChanged, then sessionChosen. False (nothing changes) when it is not listed.
     */
    bool openSession(const QString& conversationId);
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
    QWidget* createSessionsPage();
    void rowActivated(const QModelIndex& index);
    /// What choosing the Session filter's current entry does.
    void sessionFilterChosen();
    void updateSessionsShown();
    QWidget* createTimeRangeFilter();
    void timeRangeChosen(int index);
    /// Opens the Custom… dialog; accepting it chooses the range, cancelling goes back to `previousIndex`.
    void chooseCustomTimeRange(int previousIndex);
    void updateMinDurationValidity();

    TraceListModel* m_model;
    QComboBox* m_serviceCombo;
    QComboBox* m_sessionCombo;
    QLineEdit* m_textFilter;
    QCheckBox* m_errorsOnly;
    QToolButton* m_pause;
    QLabel* m_loading;
    QTimer* m_textDebounce;
    QLineEdit* m_minDuration;
    QComboBox* m_timeRange;
    QToolButton* m_clearFilters;
    QDateTime m_customFrom; ///< the custom range (seconds precision), invalid when none was chosen
    QDateTime m_customTo;
    int m_timeRangeIndex = 0; ///< the range chosen last (Custom… goes back to it when cancelled)
    QTableView* m_view;
    QTabWidget* m_tabs;
    QWidget* m_tracesPage;
    SessionListModel* m_sessionModel;
    QSortFilterProxyModel* m_sessionProxy;
    QStackedWidget* m_sessionStack = nullptr;
    QLabel* m_noSessions = nullptr;
    QTableView* m_sessionView = nullptr;
    bool m_syncingSelection = false;
};
