#include "filejobrunner.h"

#include "model/guardedjob.h"
#include "ui/uilogging.h"

#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QMutex>
#include <QProgressDialog>
#include <QSettings>
#include <QTimer>

#include <atomic>

namespace {

constexpr int MaxRecentFiles = 10;
const char RecentFilesKey[] = "recentFiles";

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

/// State shared between the GUI thread and the worker of one import or export.
struct FileJobRunner::Job {
    std::atomic<bool> cancel { false };
    std::atomic<qint64> done { 0 };
    std::atomic<qint64> total { 0 };
    QMutex mutex;
    QString label; ///< guarded by mutex

    // Results, written by the worker, read on the GUI thread after it finished.
    bool ok = true;
    bool cancelled = false;
    QString summary; ///< one line for the status bar
    QString error; ///< shown in a message box when set
    QStringList details; ///< skipped records etc., the message box's details
    QStringList succeededFiles;
    bool storeChanged = false;

    void setLabel(const QString& text)
    {
        QMutexLocker lock(&mutex);
        label = text;
    }
    QString currentLabel()
    {
        QMutexLocker lock(&mutex);
        return label;
    }
    TraceFileService::Control control()
    {
        TraceFileService::Control control;
        control.cancelRequested = [this] { return cancel.load(); };
        control.progress = [this](qint64 doneNow, qint64 totalNow) {
            done = doneNow;
            total = totalNow;
        };
        return control;
    }
};

FileJobRunner::FileJobRunner(QWidget* window)
    : QObject(window)
    , m_window(window)
{
}

FileJobRunner::~FileJobRunner()
{
    cancelAndWait();
}

QStringList FileJobRunner::recentFiles()
{
    return QSettings().value(QLatin1String(RecentFilesKey)).toStringList();
}

void FileJobRunner::addRecentFile(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    QSettings settings;
    settings.setValue(QLatin1String(RecentFilesKey), files);
    settings.setValue(QStringLiteral("lastFileDir"), QFileInfo(absolute).absolutePath());
}

void FileJobRunner::removeRecentFile(const QString& path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    QSettings().setValue(QLatin1String(RecentFilesKey), files);
}

void FileJobRunner::clearRecentFiles()
{
    QSettings().remove(QLatin1String(RecentFilesKey));
}

void FileJobRunner::importFiles(TraceStore* store, const QStringList& paths, bool viewer)
{
    if (!m_service || m_running || paths.isEmpty())
        return;
    TraceFileService* service = m_service;
    run(paths.size() == 1 ? tr("Importing %1").arg(QFileInfo(paths.first()).fileName())
                          : tr("Importing %n file(s)", nullptr, static_cast<int>(paths.size())),
        [service, store, paths, viewer](Job& job) {
            qint64 spans = 0;
            qint64 traces = 0;
            int filesOk = 0;
            QStringList errors;
            for (const QString& path : paths) {
                const QString name = QFileInfo(path).fileName();
                job.setLabel(tr("Reading %1…").arg(name));
                job.done = 0;
                job.total = QFileInfo(path).size();
                const TraceFileService::Result result = service->importFile(path, store, job.control());
                if (result.cancelled || job.cancel) {
                    job.cancelled = true;
                    job.ok = false;
                    job.summary = tr("Import of %1 cancelled; nothing of it was stored").arg(name);
                    break;
                }
                if (result.spans > 0 && result.ok)
                    job.storeChanged = true;
                job.details += result.problems;
                if (!result.ok) {
                    errors << (result.error.isEmpty() ? tr("%1: nothing could be imported").arg(name) : result.error);
                    continue;
                }
                ++filesOk;
                spans += result.spans;
                traces += result.traces;
                job.succeededFiles << path;
                if (result.problemCount > 0)
                    errors << tr("%1: %n record(s) skipped (see details)", nullptr,
                                  static_cast<int>(result.problemCount)).arg(name);
            }
            if (!job.cancelled && filesOk == 0) {
                job.summary = paths.size() == 1 ? tr("Could not import %1").arg(QFileInfo(paths.first()).fileName())
                                                : tr("None of the %n files could be imported", nullptr,
                                                      static_cast<int>(paths.size()));
                job.ok = false;
            } else if (!job.cancelled) {
                job.summary = (viewer ? tr("Opened %n span(s)", nullptr, static_cast<int>(spans))
                                      : tr("Imported %n span(s)", nullptr, static_cast<int>(spans)))
                    + tr(" in %n trace(s)", nullptr, static_cast<int>(traces))
                    + tr(" from %n file(s)", nullptr, filesOk);
                job.ok = errors.isEmpty();
            }
            if (!errors.isEmpty())
                job.error = errors.join(QLatin1Char('\n'));
        });
}

void FileJobRunner::exportTraces(TraceStore* store, const TraceFileService::ExportRequest& request)
{
    if (!m_service || m_running)
        return;
    TraceFileService* service = m_service;
    const QString name = QFileInfo(request.path).fileName();
    run(tr("Exporting to %1").arg(name), [service, store, request, name](Job& job) {
        job.setLabel(tr("Writing %1…").arg(name));
        job.total = static_cast<qint64>(request.traceIds.size());
        const TraceFileService::Result result = service->exportTraces(store, request, job.control());
        if (result.cancelled || job.cancel) {
            job.ok = false;
            job.cancelled = true;
            job.summary = tr("Export cancelled; %1 was not written").arg(name);
            return;
        }
        if (!result.ok) {
            job.ok = false;
            job.summary = tr("Export to %1 failed").arg(name);
            job.error = result.error;
            return;
        }
        job.summary = tr("Exported %n trace(s)", nullptr, static_cast<int>(result.traces))
            + tr(" (%n span(s))", nullptr, static_cast<int>(result.spans))
            + tr(" to %1, %2").arg(name, formatBytes(result.bytes));
    });
}

void FileJobRunner::cancelAndWait()
{
    // The worker uses a store that may go next: stop it and wait.
    if (m_job)
        m_job->cancel = true;
    m_future.waitForFinished();
}

void FileJobRunner::run(const QString& title, std::function<void(Job&)> work)
{
    m_running = true;
    Q_EMIT runningChanged(true);
    auto job = std::make_shared<Job>();
    m_job = job;

    auto* progress = new QProgressDialog(title, tr("Cancel"), 0, 1000, m_window);
    progress->setObjectName(QStringLiteral("fileJobProgress"));
    progress->setWindowTitle(title);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    progress->setValue(0);
    connect(progress, &QProgressDialog::canceled, this, [job, progress] {
        job->cancel = true;
        progress->setLabelText(tr("Cancelling…"));
    });
    auto* timer = new QTimer(progress);
    timer->setInterval(100);
    connect(timer, &QTimer::timeout, progress, [job, progress] {
        if (job->cancel)
            return;
        const qint64 total = job->total.load();
        const qint64 done = job->done.load();
        if (total > 0) {
            progress->setMaximum(1000);
            progress->setValue(static_cast<int>(std::min<qint64>(1000, done * 1000 / total)));
        } else {
            progress->setMaximum(0); // busy indicator
        }
        const QString label = job->currentLabel();
        if (!label.isEmpty())
            progress->setLabelText(label);
    });
    timer->start();

    QPointer<QProgressDialog> dialog(progress);
    m_future = GuardedJob::run(nullptr, [job, work = std::move(work)] { work(*job); });
    GuardedJob::deliver(m_future, this, [this, job, dialog] {
        delete dialog.data();
        m_job.reset();
        m_running = false;
        Q_EMIT runningChanged(false);
        for (const QString& path : std::as_const(job->succeededFiles))
            addRecentFile(path);
        if (job->storeChanged)
            Q_EMIT storeChanged();
        qCInfo(lcUi).noquote() << job->summary;
        if (!job->error.isEmpty()) {
            auto* box = new QMessageBox(job->ok ? QMessageBox::Information : QMessageBox::Warning,
                tr("Spanscope"), job->summary.isEmpty() ? job->error : job->summary + QStringLiteral("\n\n") + job->error,
                QMessageBox::Ok, m_window);
            box->setObjectName(QStringLiteral("fileJobMessage"));
            if (!job->details.isEmpty())
                box->setDetailedText(job->details.join(QLatin1Char('\n')));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            qCWarning(lcUi).noquote() << job->error;
        }
        m_lastResult = { job->ok, job->summary };
        Q_EMIT jobFinished(job->ok, job->summary);
    });
}
