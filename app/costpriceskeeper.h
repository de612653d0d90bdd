#pragma once

#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <memory>
#include <thread>

class TraceStore;

/**
 * `spanscope serve`'s side of TraceStore::setCostPrices: keeps the store's trace costs by the price table its query
 * API prices with (PriceTable::load of `pricesPath`, default the user's prices.json, else the shipped table), at
 * start and whenever that file changes: saved by the GUI's Settings > Model Prices or an editor (watched with
 * QFileSystemWatcher on the file and its folder, since editors replace files; changes within 200 ms are taken once).
 *
 * Each repricing runs on a thread of its own (a large store takes a while the first time; writes go on meanwhile); a
 * newer one cancels the older between two chunks and waits for it, and so does the destructor: the store must
 * outlive this object. Problems are printed to stderr. Thread affinity: create and use it on one thread with an event
 * loop (serve's main thread).
 */
class CostPricesKeeper : public QObject {
    Q_OBJECT
public:
    CostPricesKeeper(TraceStore* store, const QString& pricesPath = QString(), QObject* parent = nullptr);
    ~CostPricesKeeper() override;

    /// Starts a repricing by the file's current table (after cancelling a running one).
    void reprice();
    /// Repricings started so far (for tests and logs).
    int started() const { return m_started; }

private:
    void watch();
    void stopRunning();

    TraceStore* m_store;
    const QString m_pricesPath; ///< the file read; PriceTable::userFilePath() when none was given
    QFileSystemWatcher m_watcher;
    QTimer m_settle;
    std::shared_ptr<std::atomic_bool> m_cancel;
    std::thread m_thread;
    int m_started = 0;
};
