#pragma once

#include "ui/tracefileservice.h"

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>

class QWidget;
class TraceStore;

/**
 * Runs one import or export at a time through a TraceFileService on a worker thread (the global pool), with a
 * window-modal progress dialog on `window` (objectName "fileJobProgress", shown after 300 ms) whose Cancel stops it.
 * The result comes back through GuardedJob: a one-line summary (jobFinished), a message box on `window` with the
 * errors and skipped records when there are any ("fileJobMessage"), and the files that imported in the recent files
 * (QSettings "recentFiles", newest first, at most 10).
 *
 * The store given to a job must outlive it: cancelAndWait() (also run by the destructor) stops the job and waits.
 * Errors are part of the result (jobFinished with ok false), never thrown. GUI thread only.
 */
class FileJobRunner : public QObject {
    Q_OBJECT
public:
    /// `window` parents the runner and its dialogs.
    explicit FileJobRunner(QWidget* window);
    ~FileJobRunner() override;

    /// Not owned; must outlive the runner. nullptr disables the jobs.
    void setService(TraceFileService* service) { m_service = service; }
    TraceFileService* service() const { return m_service; }

    /// True while an import or export runs.
    bool isRunning() const { return m_running; }
    /// (ok, summary) of the last finished job; (false, "") before the first.
    std::pair<bool, QString> lastResult() const { return m_lastResult; }

    /// Imports `paths` one after another into `store`; `viewer`: the store is a file viewer's ("Opened ..." rather
    /// than "Imported ..."). Returns at once; nothing happens while another job runs or without a service.
    void importFiles(TraceStore* store, const QStringList& paths, bool viewer);
    /// Writes what `request` asks for from `store`. Returns at once, like importFiles.
    void exportTraces(TraceStore* store, const TraceFileService::ExportRequest& request);
    /// Asks the running job, if any, to stop and waits for its worker (not for its result, which is dropped only if
    /// the runner goes too).
    void cancelAndWait();

    /// Recently opened or imported files, newest first.
    static QStringList recentFiles();
    static void addRecentFile(const QString& path);
    static void removeRecentFile(const QString& path);
    static void clearRecentFiles();

Q_SIGNALS:
    void runningChanged(bool running);
    /// A finished import stored spans; emitted before jobFinished.
    void storeChanged();
    /// A job finished; `summary` is one line for the status bar, `ok` false on error or cancel.
    void jobFinished(bool ok, const QString& summary);

private:
    struct Job;
    void run(const QString& title, std::function<void(Job&)> work);

    QWidget* m_window;
    TraceFileService* m_service = nullptr;
    bool m_running = false;
    std::shared_ptr<Job> m_job;
    QFuture<void> m_future;
    std::pair<bool, QString> m_lastResult;
};
