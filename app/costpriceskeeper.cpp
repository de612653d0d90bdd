#include "costpriceskeeper.h"

#include "model/pricetable.h"
#include "storage/tracestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

CostPricesKeeper::CostPricesKeeper(TraceStore* store, const QString& pricesPath, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_pricesPath(pricesPath.isEmpty() ? PriceTable::userFilePath() : pricesPath)
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(200);
    connect(&m_settle, &QTimer::timeout, this, [this] {
        watch(); // a replaced file is a new one to watch
        reprice();
    });
    const auto changed = [this] { m_settle.start(); };
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, changed);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, changed);
    watch();
    reprice();
}

CostPricesKeeper::~CostPricesKeeper()
{
    stopRunning();
}

void CostPricesKeeper::watch()
{
    const QFileInfo file(m_pricesPath);
    if (file.exists() && !m_watcher.files().contains(m_pricesPath))
        m_watcher.addPath(m_pricesPath);
    // The folder too (made if missing, as saving prices would): the file may not exist yet, and an editor or the GUI
    // replaces it rather than writing it in place.
    const QString folder = file.absolutePath();
    if ((QFileInfo::exists(folder) || QDir().mkpath(folder)) && !m_watcher.directories().contains(folder))
        m_watcher.addPath(folder);
}

void CostPricesKeeper::stopRunning()
{
    if (m_cancel)
        m_cancel->store(true);
    if (m_thread.joinable())
        m_thread.join();
}

void CostPricesKeeper::reprice()
{
    stopRunning();
    ++m_started;
    auto cancel = std::make_shared<std::atomic_bool>(false);
    m_cancel = cancel;
    m_thread = std::thread([store = m_store, path = m_pricesPath, cancel] {
        QString why;
        const PriceTable prices = PriceTable::load(&why, path);
        if (!why.isEmpty())
            std::fprintf(stderr, "spanscope: %s\n", qPrintable(why));
        why.clear();
        if (!store->setCostPrices(prices, &why, [cancel] { return cancel->load(); }) && !cancel->load())
            std::fprintf(stderr, "spanscope: %s\n",
                qPrintable(QCoreApplication::translate("main", "cannot keep the trace costs in the store: %1").arg(why)));
    });
}
