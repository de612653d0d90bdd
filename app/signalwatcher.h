#pragma once

#include <QObject>

class QSocketNotifier;

/**
 * Turns SIGINT and SIGTERM into a Qt signal delivered on the thread that created the watcher (self-pipe
 * pattern: the handler only writes one byte to a socketpair; Qt docs "Calling Qt Functions From Unix Signal
 * Handlers"). One instance per process.
 */
class SignalWatcher : public QObject {
    Q_OBJECT
public:
    explicit SignalWatcher(QObject* parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier* m_notifier = nullptr;
};
