#pragma once

#include "model/ids.h"
#include "model/rawpayload.h"
#include "model/spantreemodel.h"
#include "model/tracesummary.h"
#include "ui/storeconnection.h"
#include "ui/storesession.h"
#include "ui/traceloader.h"

#include <QFuture>
#include <QList>
#include <QMainWindow>
#include <QSet>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

class ConversationView;
class CriticalPathView;
class StatisticsView;
class TraceChartPane;
class TraceScatterView;
class TraceTimeSeriesView;
class FlameGraphView;
class FileJobRunner;
class InspectorWidget;
class LogsView;
class QAction;
class QComboBox;
class QDragEnterEvent;
class QDropEvent;
class QLabel;
class QLineEdit;
class QMenu;
class QTabWidget;
class QTableView;
class QTimer;
class RawPayloadView;
class RunView;
class TraceFileService;
class TraceListModel;
class TraceListPane;
class TraceStore;
class TraceViewPane;
class WaterfallView;

/**
 * Spanscope's main window: trace list with filter bar and Sessions tab (top left, TraceListPane), span waterfall
 * with find bar (bottom left, TraceViewPane), Inspector | Logs | Raw payload tabs (right), status bar with receiver, spans
 * received and store. It owns the layout, the menus and the wiring; the work is done by three controllers:
 * StoreSession (which store is shown, connecting), TraceLoader (loading the open trace) and FileJobRunner (imports
 * and exports).
 *
 * Reads go through `store` on the GUI thread, except that traces of 2000 spans or more are loaded and laid out
 * on a worker thread (the store must be usable from any thread, as TraceStore promises). `store` must outlive
 * the window unless the window owns it (adoptStore). GUI thread only.
 *
 * Trace files (with a TraceFileService set): File > Open and drag and drop open files in a new viewer window on a
 * scratch store (the main store is not touched); File > Import adds files to this window's store; File > Export
 * writes the selected traces or every trace matching the filter. Imports and exports run on a worker thread with
 * a progress dialog that can cancel them. Recent files are kept in QSettings ("recentFiles", at most 10).
 *
 * Stores (with a StoreOpener set): File > Connect to Store (ConnectionDialog) and File > Switch Store show the local
 * store (setLocalStore, the one the receiver writes into) or another one: PostgreSQL (+ S3) or another SQLite file.
 * The store is opened on a worker thread while the current one stays usable (busy indicator and Cancel in the status
 * bar); a failure keeps the current store and shows the error; a PostgreSQL password the server asks for is asked
 * once and kept in memory for the session. A PostgreSQL store is read entirely off the GUI thread: trace list pages
 * (TraceListModel's asynchronous mode), services and every trace load. Saved connections live in QSettings
 * ("connections", never a password or secret). The title and the status bar name the store shown.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Traces with at least this many spans load off the GUI thread.
    static constexpr qint64 AsyncLoadThreshold = TraceLoader::AsyncLoadThreshold;
    /// Live updates refresh the trace list at most once per this many ms.
    static constexpr int RefreshIntervalMs = 250;

    explicit MainWindow(TraceStore* store, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Shows another store (the previous one must stay alive until this returns): closes the open trace and
    /// reloads the trace list and services. `store` may be nullptr.
    void setStore(TraceStore* store);
    TraceStore* store() const { return m_session->store(); }
    /// Shows `store` and owns it (deleted with the window or when another store is set).
    void adoptStore(std::unique_ptr<TraceStore> store);

    /// Enables File > Connect to Store and Switch Store. Not owned; must outlive the window.
    void setStoreOpener(StoreOpener* opener);
    StoreOpener* storeOpener() const { return m_session->opener(); }
    /**
     * Shows `store` (may be nullptr when it could not be opened) as `connection`: the app's local store, listed first
     * under Switch Store. Live updates (notifyTracesChanged) refresh the trace list only while it is shown. Not owned;
     * must outlive the window.
     */
    void setLocalStore(TraceStore* store, const StoreConnection& connection);
    StoreConnection localConnection() const { return m_session->localConnection(); }
    /// True while the local store (setLocalStore) is shown, also when none was set.
    bool isLocalStoreShown() const;
    /**
     * Shows the store `connection` names: the local store at once, any other after the StoreOpener opened it on a
     * worker thread. Returns at once; connectFinished tells the outcome. Refused while an import or export runs.
     */
    void connectToStore(const StoreConnection& connection);
    /// Gives up waiting for a pending connectToStore (the current store stays); its store is closed when it arrives.
    void cancelConnect();
    bool isConnecting() const { return m_session->isConnecting(); }
    /// The connection shown (empty name when the store came from setStore or adoptStore).
    StoreConnection currentConnection() const { return m_session->currentConnection(); }
    /// File > Connect to Store: the connection dialog (window-modal; returns at once).
    void showConnectionDialog();
    /// The saved connections (QSettings "connections"), without the local store.
    static QList<StoreConnection> savedConnections();
    static void saveConnections(const QList<StoreConnection>& connections);
    /// Passwords and secrets typed this session (memory only).
    SessionSecrets& sessionSecrets() { return m_session->sessionSecrets(); }
    /// The status bar's store label text, e.g. "Store: Team store".
    QString storeLabelText() const;
    /// Reloads the trace list and services from the store (View > Refresh, F5; live updates do it for the local store).
    void reload();

    /// Enables File > Open / Import / Export and drag and drop. Not owned; must outlive the window.
    void setFileService(TraceFileService* service);
    /**
     * Opens `paths` for viewing in a new window on a scratch store (nothing is added to this window's store) and
     * imports them there. Returns the new window (deleted when closed), or nullptr with an error shown.
     */
    MainWindow* openFiles(const QStringList& paths);
    /**
     * A window viewing `paths` on a scratch store: what `spanscope FILE...` shows. The window deletes itself when
     * closed. nullptr (with *error) when no scratch store can be created.
     */
    static MainWindow* createFileViewer(TraceFileService* service,
        std::function<QString(const RawPayload&)> formatter, const QStringList& paths, QString* error);
    /// Imports `paths` one after another into this window's store, with a progress dialog. Returns at once.
    void importFiles(const QStringList& paths);
    /// Exports on a worker thread with a progress dialog; for tests and the Export dialog. Returns at once.
    void exportToFile(const QString& path, int format, bool gzip, bool selectedOnly);
    /// Ids of the selected rows of the trace list, in list order.
    std::vector<TraceId> selectedTraceIds() const;
    /// True while an import or export runs.
    bool isFileJobRunning() const;
    /// (ok, status bar summary) of the last finished import or export; (false, "") before the first.
    std::pair<bool, QString> lastFileJobResult() const;
    /// Recently opened or imported files, newest first.
    static QStringList recentFiles();

    /// Turns a raw payload into pretty OTLP/JSON text for the Raw payload tab.
    void setPayloadFormatter(std::function<QString(const RawPayload&)> formatter);
    /// e.g. "Receiving on http://127.0.0.1:4318"
    void setReceiverStatus(const QString& text);
    void setStorePath(const QString& text);
    /// Shows the message in a (non-blocking) message box and the status bar, and logs it; passwords and URL
    /// credentials in it are masked first (ConnectionStrings::redact).
    void showError(const QString& message);
    /// Shows the message in the status bar for 10 s.
    void showStatusMessage(const QString& message);

    /// Opens a trace in the waterfall, inspector and raw payload view (asynchronously for large traces).
    void openTrace(const TraceId& id);
    /// Selects a span of the open trace (or of the trace being loaded, once it is loaded).
    void selectSpan(const SpanId& id);
    void updateLogsTabTitle(); ///< "Logs (N)" for the open trace's log records
    TraceId openTraceId() const { return m_openTrace; }
    /// True while a trace is being loaded on a worker thread.
    bool isLoading() const { return m_loader->isLoading(); }
    TraceLoader* traceLoader() const { return m_loader; }
    /// Whether live updates are paused (the "Pause live updates" toggle).
    bool isPaused() const;
    void setPaused(bool paused);

    TraceListModel* traceListModel() const { return m_traceModel; }
    QTableView* traceListView() const;
    WaterfallView* waterfall() const { return m_waterfall; }
    InspectorWidget* inspector() const { return m_inspector; }
    LogsView* logsView() const { return m_logsView; }
    ConversationView* conversationView() const { return m_conversation; }
    RunView* runView() const { return m_runView; }
    CriticalPathView* criticalPathView() const { return m_criticalPathView; }
    StatisticsView* statisticsView() const { return m_statsView; }
    TraceScatterView* traceScatter() const { return m_scatter; }
    /// The chart above the trace list (Scatter, Throughput, Error rate, Tokens) and its time series view.
    TraceChartPane* traceCharts() const { return m_charts; }
    TraceTimeSeriesView* traceTimeSeries() const;
    FlameGraphView* flameGraphView() const { return m_flameGraphView; }
    /// The open trace's agent run (GenAi::analyze), or null.
    std::shared_ptr<const GenAi::Run> openRun() const { return m_run; }

    /// The model prices that price LLM calls (Settings > Model Prices; saved in PriceTable::userFilePath()).
    const PriceTable& priceTable() const { return m_loader->priceTable(); }
    /// Uses `prices` from now on: the open trace is read again, the trace list's costs follow, and the store keeps
    /// its traces' costs by them (TraceStore::setCostPrices, on a worker).
    void setPriceTable(const PriceTable& prices);
    /// The store's repricing started by the last store or price change (an error message, empty when done); for
    /// tests. Finished when none runs.
    QFuture<QString> storeRepricing() const { return m_repricing; }
    /// Settings > Model Prices: edits the table and saves it (window-modal; returns at once).
    void showModelPrices();
    /**
     * Trace > Compare Selected Traces: loads the two traces selected in the list (first = A, second = B) off the GUI
     * thread and shows them side by side in a window of their own (CompareView). Returns the window, or nullptr
     * (with a status message) unless exactly two traces are selected; the window fills in when both are loaded.
     */
    QWidget* compareSelectedTraces();
    RawPayloadView* rawPayloadView() const { return m_rawView; }
    QLineEdit* findEdit() const;
    QComboBox* serviceFilter() const;

public Q_SLOTS:
    /// From the ingest pipeline (queued): these traces got spans. Coalesced to at most ~4 refreshes a second.
    void notifyTracesChanged(const QVector<TraceId>& traceIds);
    void setSpansReceived(qint64 count);

Q_SIGNALS:
    /// A trace finished loading and is shown (a large one once it is whole, not when its head is shown).
    void traceLoaded(const TraceId& id);
    /// An import or export finished; `summary` is what the status bar says, `ok` false on error or cancel.
    void fileJobFinished(bool ok, const QString& summary);
    /// connectToStore finished: `ok` with the new store shown, else the error (the previous store is still shown).
    void connectFinished(bool ok, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // Store controls (mainwindowstores.cpp).
    void createStoreControls();
    void rebuildSwitchMenu();
    void updateStoreTitle();
    // File menu (mainwindowfiles.cpp).
    void createMenus();
    void rebuildRecentMenu();
    void showExportDialog();

    void showStore();
    /// Hands the shown store priceTable() on a worker, so it orders by cost through an index (GenAI part).
    void keepStoreCosts();
    /// Stops that (between two chunks) and waits for it: before the store it reads may go.
    void stopKeepingStoreCosts();
    void applyServices(const QStringList& services, const QString& error);
    void applySessions(const std::vector<SessionSummary>& sessions, const QString& error);
    void selectOpenTraceRow();
    void loadTraceInto(const TraceId& id, bool keepState);
    void applyLoadedTrace(const TraceLoader::Trace& loaded);
    void applyFilter();
    void updateStatisticsSource();
    /// The time series charts read the store shown with the list's filter.
    void updateTimeSeriesSource();
    void updateScatter();
    /// Sets the filter bar's time range to [from, to] (Unix ns, widened to whole seconds): the list then shows
    /// the traces that started then, with the bar's other filters.
    void filterTimeRange(std::uint64_t fromUnixNano, std::uint64_t toUnixNano);
    void refreshServices();
    void flushPendingChanges();
    void followLink(const TraceId& traceId, const SpanId& spanId);
    // GenAI panes and menus (mainwindowgenai.cpp).
    void createGenAiMenus();
    void showGenAiOfSpan(const SpanId& id);
    void updateGenAiTabs();

    StoreSession* m_session;
    TraceLoader* m_loader;
    FileJobRunner* m_files;

    QMenu* m_switchMenu = nullptr;
    QAction* m_connectAction = nullptr;
    QWidget* m_connectBox = nullptr;
    QLabel* m_connectLabel = nullptr;
    std::function<QString(const RawPayload&)> m_formatter;
    QMenu* m_recentMenu = nullptr;
    QList<QAction*> m_fileActions;

    TraceListModel* m_traceModel;
    TraceListPane* m_listPane = nullptr;
    TraceViewPane* m_tracePane = nullptr;
    WaterfallView* m_waterfall = nullptr; // m_tracePane's
    InspectorWidget* m_inspector = nullptr;
    LogsView* m_logsView = nullptr;
    QTabWidget* m_detailTabs = nullptr;
    RawPayloadView* m_rawView = nullptr;
    ConversationView* m_conversation = nullptr;
    RunView* m_runView = nullptr;
    CriticalPathView* m_criticalPathView = nullptr;
    StatisticsView* m_statsView = nullptr;
    TraceChartPane* m_charts = nullptr;
    TraceScatterView* m_scatter = nullptr; // m_charts'
    FlameGraphView* m_flameGraphView = nullptr;
    std::shared_ptr<const GenAi::Run> m_run;

    QTimer* m_refreshTimer;
    QTimer* m_servicesTimer;

    QLabel* m_receiverLabel;
    QLabel* m_spansLabel;
    QLabel* m_storeLabel;

    QFuture<QString> m_repricing;
    std::shared_ptr<std::atomic_bool> m_repriceCancel;

    TraceId m_openTrace;
    TraceId m_shownTrace;
    SpanId m_pendingSpan;
    QSet<TraceId> m_pendingChanges;
    bool m_haveChanges = false;
    bool m_keepTraceState = false; // the pending load refreshes the open trace (keeps selection, expansion)
    bool m_headShown = false; // the shown trace is the head of a large trace (TraceLoader::Trace::complete false)
    bool m_openFirstListed = false; // a session was chosen while the list loaded: open its first trace
};
