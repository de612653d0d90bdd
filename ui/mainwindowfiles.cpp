// MainWindow: trace files (File menu, drag and drop, recent files) wired to its FileJobRunner.

#include "mainwindow.h"

#include "model/tracelistmodel.h"
#include "storage/tracestore.h"
#include "ui/shortcutsdialog.h"
#include "ui/exportdialog.h"
#include "ui/filejobrunner.h"
#include "ui/tracelistpane.h"
#include "ui/tracefileservice.h"
#include "ui/uilogging.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>

namespace {

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

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Trace File…"), this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open Trace Files"),
            QSettings().value(QStringLiteral("lastFileDir")).toString(),
            m_files->service() ? m_files->service()->importNameFilters().join(QStringLiteral(";;")) : QString());
        if (!paths.isEmpty())
            openFiles(paths);
    });
    open->setShortcut(QKeySequence::Open);
    open->setObjectName(QStringLiteral("actionOpen"));
    open->setToolTip(tr("View trace files in a new window without adding them to the store"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("recentFiles"));
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    QAction* import = file->addAction(tr("&Import into Store…"), this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Import Trace Files"),
            QSettings().value(QStringLiteral("lastFileDir")).toString(),
            m_files->service() ? m_files->service()->importNameFilters().join(QStringLiteral(";;")) : QString());
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
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        auto* dialog = new ShortcutsDialog(menuBar(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    shortcuts->setObjectName(QStringLiteral("actionShortcuts"));
    shortcuts->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Spanscope"), this, [this] {
        QMessageBox::about(this, tr("About Spanscope"),
            tr("<h3>Spanscope %1</h3><p>A desktop OpenTelemetry trace explorer.</p>"
               "<p>Point an OTLP/HTTP exporter at the receiver shown in the status bar, or open a trace file.</p>")
                .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::setFileService(TraceFileService* service)
{
    m_files->setService(service);
    for (QAction* action : std::as_const(m_fileActions))
        action->setEnabled(service != nullptr);
    m_recentMenu->setEnabled(service != nullptr);
    setAcceptDrops(service != nullptr);
}

bool MainWindow::isFileJobRunning() const
{
    return m_files->isRunning();
}

std::pair<bool, QString> MainWindow::lastFileJobResult() const
{
    return m_files->lastResult();
}

QStringList MainWindow::recentFiles()
{
    return FileJobRunner::recentFiles();
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
                FileJobRunner::removeRecentFile(path);
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
    m_recentMenu->addAction(tr("&Clear Menu"), this, &FileJobRunner::clearRecentFiles);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (m_files->service() && !m_files->isRunning() && !localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QStringList paths = localFiles(event->mimeData());
    if (paths.isEmpty() || !m_files->service())
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
    if (!m_files->service() || paths.isEmpty())
        return nullptr;
    QString error;
    MainWindow* viewer = createFileViewer(m_files->service(), m_formatter, paths, &error);
    if (!viewer)
        showError(tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(paths.first()), error));
    return viewer;
}

void MainWindow::importFiles(const QStringList& paths)
{
    if (!m_files->service() || paths.isEmpty())
        return;
    if (!store()) {
        showError(tr("There is no store to import into."));
        return;
    }
    if (m_files->isRunning()) {
        showError(tr("Another import or export is running."));
        return;
    }
    m_files->importFiles(store(), paths, m_session->ownsStore());
}

std::vector<TraceId> MainWindow::selectedTraceIds() const
{
    return m_listPane->selectedTraceIds();
}

void MainWindow::showExportDialog()
{
    if (!m_files->service() || !store())
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
    if (!m_files->service() || !store())
        return;
    if (m_files->isRunning()) {
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
    m_files->exportTraces(store(), request);
}
