// MainWindow: trace files (File menu, drag and drop, import/export jobs, recent files).

#include "mainwindow.h"

#include "model/guardedjob.h"
#include "model/tracelistmodel.h"
#include "storage/tracestore.h"
#include "ui/exportdialog.h"
#include "ui/tracefileservice.h"
#include "ui/uilogging.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QCheckBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMutex>
#include <QPointer>
#include <QProgressDialog>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>

#include <atomic>

namespace {

constexpr int MaxRecentFiles = 10;
const char RecentFilesKey[] = "recentFiles";

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QStringList localFiles(const QMimeData* mime)
{
    QStringList paths;
    if (!mime || !mime->hasUrls())
        return paths;
    for (const QUrl& url : mime->urls()) {
        if (!url.isLocalFile())
            return {};
        const QString path = url.toLocalFile();
        if (!QFileInfo(path).isFile())
            return {};
        paths << path;
    }
    return paths;
}

} // namespace

/// State shared between the GUI thread and the worker of one import or export.
struct MainWindow::FileJob {
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
};

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Trace File…"), this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open Trace Files"),
            QSettings().value(QStringLiteral("lastFileDir")).toString(),
            m_fileService ? m_fileService->importNameFilters().join(QStringLiteral(";;")) : QString());
        if (!paths.isEmpty())
            openFiles(paths);
    });
    open->setShortcut(QKeySequence::Open);
    open->setObjectName(QStringLiteral("actionOpen"));
    open->setToolTip(tr("View trace files in a new window without adding them to the store"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    QAction* import = file->addAction(tr("&Import into Store…"), this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Import Trace Files"),
            QSettings().value(QStringLiteral("lastFileDir")).toString(),
            m_fileService ? m_fileService->importNameFilters().join(QStringLiteral(";;")) : QString());
        if (!paths.isEmpty())
            importFiles(paths);
    });
    import->setShortcut(QKeySequence(tr("Ctrl+I")));
    import->setObjectName(QStringLiteral("actionImport"));
    QAction* exportAction = file->addAction(tr("&Export Traces…"), this, &MainWindow::showExportDialog);
    exportAction->setShortcut(QKeySequence(tr("Ctrl+E")));
    exportAction->setObjectName(QStringLiteral("actionExport"));
    file->addSeparator();
    QAction* close = file->addAction(tr("&Close Window"), this, &QWidget::close);
    close->setShortcut(QKeySequence::Close);
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    m_fileActions = { open, import, exportAction };
    for (QAction* action : std::as_const(m_fileActions))
        action->setEnabled(false);
    m_recentMenu->setEnabled(false);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Spanscope"), this, [this] {
        QMessageBox::about(this, tr("About Spanscope"),
            tr("<h3>Spanscope %1</h3><p>A desktop OpenTelemetry trace explorer.</p>"
               "<p>Point an OTLP/HTTP exporter at the receiver shown in the status bar, or open a trace file.</p>")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::setFileService(TraceFileService* service)
{
    m_fileService = service;
    for (QAction* action : std::as_const(m_fileActions))
        action->setEnabled(service != nullptr);
    m_recentMenu->setEnabled(service != nullptr);
    setAcceptDrops(service != nullptr);
}

QStringList MainWindow::recentFiles()
{
    return QSettings().value(QLatin1String(RecentFilesKey)).toStringList();
}

void MainWindow::addRecentFile(const QString& path)
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

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
        return;
    }
    int n = 0;
    for (const QString& path : files) {
        ++n;
        const QString text = n < 10 ? tr("&%1 %2").arg(n).arg(QFileInfo(path).fileName())
                                    : QFileInfo(path).fileName();
        QAction* action = m_recentMenu->addAction(text, this, [this, path] {
            if (!QFileInfo(path).isFile()) {
                QStringList files = recentFiles();
                files.removeAll(path);
                QSettings().setValue(QLatin1String(RecentFilesKey), files);
                showError(tr("%1 no longer exists; it was removed from the recent files.")
                              .arg(QDir::toNativeSeparators(path)));
                return;
            }
            openFiles({ path });
        });
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("&Clear Menu"), this, [] { QSettings().remove(QLatin1String(RecentFilesKey)); });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (m_fileService && !m_fileJobRunning && !localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList paths = localFiles(event->mimeData());
    if (paths.isEmpty() || !m_fileService)
        return;
    event->acceptProposedAction();
    // A viewer window takes more files into its view; the main window opens them in a new viewer.
    if (m_session->ownsStore())
        importFiles(paths);
    else
        openFiles(paths);
}

MainWindow* MainWindow::createFileViewer(TraceFileService* service,
    std::function<QString(const RawPayload&)> formatter, const QStringList& paths, QString* error)
{
    std::unique_ptr<TraceStore> scratch = service->createScratchStore(error);
    if (!scratch)
        return nullptr;
    auto* viewer = new MainWindow(nullptr);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    if (formatter)
        viewer->setPayloadFormatter(std::move(formatter));
    viewer->setFileService(service);
    viewer->adoptStore(std::move(scratch));
    QString title = QFileInfo(paths.value(0)).fileName();
    if (paths.size() > 1)
        title = tr("%1 and %n more", nullptr, static_cast<int>(paths.size() - 1)).arg(title);
    viewer->setWindowTitle(tr("%1 — Spanscope").arg(title));
    viewer->setReceiverStatus(tr("Viewing files; the store is not changed"));
    viewer->m_spansLabel->hide();
    viewer->setStorePath(tr("%1 (temporary)").arg(title));
    viewer->show();
    viewer->importFiles(paths);
    return viewer;
}

MainWindow* MainWindow::openFiles(const QStringList& paths)
{
    if (!m_fileService || paths.isEmpty())
        return nullptr;
    QString error;
    MainWindow* viewer = createFileViewer(m_fileService, m_formatter, paths, &error);
    if (!viewer)
        showError(tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(paths.first()), error));
    return viewer;
}

void MainWindow::importFiles(const QStringList& paths)
{
    if (!m_fileService || paths.isEmpty())
        return;
    if (!store()) {
        showError(tr("There is no store to import into."));
        return;
    }
    if (m_fileJobRunning) {
        showError(tr("Another import or export is running."));
        return;
    }
    TraceFileService* service = m_fileService;
    TraceStore* store = this->store();
    const bool viewer = m_session->ownsStore();
    runFileJob(paths.size() == 1 ? tr("Importing %1").arg(QFileInfo(paths.first()).fileName())
                                 : tr("Importing %n file(s)", nullptr, static_cast<int>(paths.size())),
        [service, store, paths, viewer](FileJob& job) {
            qint64 spans = 0;
            qint64 traces = 0;
            int filesOk = 0;
            QStringList errors;
            for (const QString& path : paths) {
                const QString name = QFileInfo(path).fileName();
                job.setLabel(tr("Reading %1…").arg(name));
                job.done = 0;
                job.total = QFileInfo(path).size();
                TraceFileService::Control control;
                control.cancelRequested = [&job] { return job.cancel.load(); };
                control.progress = [&job](qint64 done, qint64 total) {
                    job.done = done;
                    job.total = total;
                };
                const TraceFileService::Result result = service->importFile(path, store, control);
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

std::vector<TraceId> MainWindow::selectedTraceIds() const
{
    std::vector<TraceId> ids;
    QModelIndexList rows = m_traceView->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const QModelIndex& index : std::as_const(rows)) {
        const TraceId id = TraceId::fromHex(index.data(TraceListModel::TraceIdRole).toString());
        if (id.isValid())
            ids.push_back(id);
    }
    return ids;
}

void MainWindow::showExportDialog()
{
    if (!m_fileService || !store())
        return;
    const std::vector<TraceId> selected = selectedTraceIds();
    const TraceQuery query = m_traceModel->query();
    QStringList filter;
    if (!query.serviceName.isEmpty())
        filter << tr("service %1").arg(query.serviceName);
    if (!query.text.isEmpty())
        filter << tr("text \"%1\"").arg(query.text);
    if (query.errorsOnly)
        filter << tr("errors only");

    QSettings settings;
    QString dir = settings.value(QStringLiteral("lastExportDir")).toString();
    if (dir.isEmpty() || !QDir(dir).exists())
        dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QDir(dir).exists())
        dir = QDir::homePath();
    const QString base = selected.size() == 1 ? QStringLiteral("trace-%1").arg(selected.front().toHex().left(16))
                                              : QStringLiteral("traces");
    ExportDialog dialog(static_cast<int>(selected.size()), filter.join(QStringLiteral(", ")),
        QDir::toNativeSeparators(QDir(dir).filePath(base + QStringLiteral(".json"))), this);
    dialog.setFormat(settings.value(QStringLiteral("exportFormat"), 0).toInt());
    dialog.setGzip(settings.value(QStringLiteral("exportGzip"), false).toBool());
    if (dialog.exec() != QDialog::Accepted)
        return;
    settings.setValue(QStringLiteral("exportFormat"), dialog.format());
    settings.setValue(QStringLiteral("exportGzip"), dialog.gzip());
    settings.setValue(QStringLiteral("lastExportDir"), QFileInfo(dialog.filePath()).absolutePath());
    exportToFile(dialog.filePath(), dialog.format(), dialog.gzip(), dialog.selectedOnly());
}

void MainWindow::exportToFile(const QString& path, int format, bool gzip, bool selectedOnly)
{
    if (!m_fileService || !store())
        return;
    if (m_fileJobRunning) {
        showError(tr("Another import or export is running."));
        return;
    }
    TraceFileService::ExportRequest request;
    request.path = path;
    request.format = TraceFileService::Format(format);
    request.gzip = gzip;
    if (selectedOnly) {
        request.traceIds = selectedTraceIds();
        if (request.traceIds.empty()) {
            showError(tr("No trace is selected."));
            return;
        }
    } else {
        request.query = m_traceModel->query();
        request.query.hasCursor = false;
        request.query.offset = 0;
        request.query.limit = 500;
    }
    TraceFileService* service = m_fileService;
    TraceStore* store = this->store();
    const QString name = QFileInfo(path).fileName();
    runFileJob(tr("Exporting to %1").arg(name), [service, store, request, name](FileJob& job) {
        job.setLabel(tr("Writing %1…").arg(name));
        job.total = static_cast<qint64>(request.traceIds.size());
        TraceFileService::Control control;
        control.cancelRequested = [&job] { return job.cancel.load(); };
        control.progress = [&job](qint64 done, qint64 total) {
            job.done = done;
            job.total = total;
        };
        const TraceFileService::Result result = service->exportTraces(store, request, control);
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

void MainWindow::cancelFileJob()
{
    // The worker uses this window's store: stop it and wait before the store can go.
    if (m_fileJob)
        m_fileJob->cancel = true;
    m_fileJobFuture.waitForFinished();
}

void MainWindow::runFileJob(const QString& title, std::function<void(FileJob&)> work)
{
    m_fileJobRunning = true;
    for (QAction* action : std::as_const(m_fileActions))
        action->setEnabled(false);
    auto job = std::make_shared<FileJob>();
    m_fileJob = job;

    auto* progress = new QProgressDialog(title, tr("Cancel"), 0, 1000, this);
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
    m_fileJobFuture = GuardedJob::run(nullptr, [job, work = std::move(work)] { work(*job); });
    GuardedJob::deliver(m_fileJobFuture, this, [this, job, dialog] {
        delete dialog.data();
        m_fileJob.reset();
        m_fileJobRunning = false;
        for (QAction* action : std::as_const(m_fileActions))
            action->setEnabled(m_fileService != nullptr);
        for (const QString& path : std::as_const(job->succeededFiles))
            addRecentFile(path);
        if (job->storeChanged) {
            refreshServices();
            applyFilter();
            if (!m_openTrace.isValid() && m_traceModel->rowCount() > 0)
                openTrace(m_traceModel->traceIdAt(0));
        }
        statusBar()->showMessage(job->summary, 15000);
        qCInfo(lcUi).noquote() << job->summary;
        if (!job->error.isEmpty()) {
            auto* box = new QMessageBox(job->ok ? QMessageBox::Information : QMessageBox::Warning,
                tr("Spanscope"), job->summary.isEmpty() ? job->error : job->summary + QStringLiteral("\n\n") + job->error,
                QMessageBox::Ok, this);
            box->setObjectName(QStringLiteral("fileJobMessage"));
            if (!job->details.isEmpty())
                box->setDetailedText(job->details.join(QLatin1Char('\n')));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            qCWarning(lcUi).noquote() << job->error;
        }
        m_lastFileJobResult = { job->ok, job->summary };
        Q_EMIT fileJobFinished(job->ok, job->summary);
    });
}
