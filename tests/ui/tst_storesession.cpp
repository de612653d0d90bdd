#include "ui/storesession.h"

#include "storage/sqlitetracestore.h"

#include "../common/memorytracestore.h"

#include <QDir>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <atomic>

namespace {

/// Opens SQLite files (StoreConnection::Local with a path); can hold opens at a gate.
class SqliteOpener : public StoreOpener {
public:
    std::unique_ptr<TraceStore> open(
        const StoreConnection& connection, const QString&, const QString&, QString* error) override
    {
        if (gated)
            gate.acquire();
        if (connection.kind != StoreConnection::Local) {
            *error = QStringLiteral("only SQLite here");
            return nullptr;
        }
        auto store = std::make_unique<SqliteTraceStore>(connection.sqlitePath);
        if (!store->open(error))
            return nullptr;
        return store;
    }

    std::atomic<bool> gated { false };
    QSemaphore gate;
};

StoreConnection sqliteConnection(const QString& name, const QString& path)
{
    StoreConnection connection;
    connection.name = name;
    connection.kind = StoreConnection::Local;
    connection.sqlitePath = path;
    return connection;
}

} // namespace

class TestStoreSession : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { QVERIFY(StoreOpener::threadPool()->waitForDone(10000)); }

    void localStoreIsShownFirst()
    {
        MemoryTraceStore local;
        StoreSession session(nullptr);
        QSignalSpy changed(&session, &StoreSession::storeChanged);
        QSignalSpy shown(&session, &StoreSession::connectionShown);
        QVERIFY(session.isLocalStoreShown()); // none set yet
        session.setLocalStore(&local, StoreConnection());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(shown.count(), 1);
        QCOMPARE(session.store(), &local);
        QVERIFY(session.hasLocalStore());
        QVERIFY(session.isLocalStoreShown());
        QCOMPARE(session.currentConnection().name, QStringLiteral("Local store"));
        QVERIFY(!session.sharedStore());
        QVERIFY(!session.readsAsynchronously());
    }

    void opensAndSwitchesSqliteStores()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MemoryTraceStore local;
        SqliteOpener opener;
        StoreSession session(nullptr);
        session.setOpener(&opener);
        session.setLocalStore(&local, StoreConnection());
        QSignalSpy changed(&session, &StoreSession::storeChanged);
        QSignalSpy connecting(&session, &StoreSession::connectingChanged);
        QSignalSpy finished(&session, &StoreSession::connectFinished);
        QSignalSpy failed(&session, &StoreSession::connectFailed);

        const quint64 before = session.generation();
        const StoreConnection a = sqliteConnection(QStringLiteral("A"), dir.filePath(QStringLiteral("a.db")));
        session.connectToStore(a);
        QVERIFY(session.isConnecting());
        QCOMPARE(connecting.count(), 1);
        QVERIFY(!connecting.at(0).at(0).toString().isEmpty());
        QCOMPARE(session.store(), &local); // until it is open
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QCOMPARE(failed.count(), 0);
        QVERIFY(!session.isConnecting());
        QCOMPARE(connecting.last().at(0).toString(), QString());
        QCOMPARE(changed.count(), 1);
        QVERIFY(session.store() != &local);
        QCOMPARE(session.sharedStore().get(), session.store());
        QVERIFY(!session.readsAsynchronously());
        QVERIFY(!session.isLocalStoreShown());
        QVERIFY(session.generation() != before);
        QCOMPARE(session.currentConnection(), a);
        TraceStore* storeA = session.store();

        const StoreConnection b = sqliteConnection(QStringLiteral("B"), dir.filePath(QStringLiteral("b.db")));
        session.connectToStore(b);
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(finished.at(1).at(0).toBool(), true);
        QCOMPARE(changed.count(), 2);
        QVERIFY(session.store() != storeA);
        QCOMPARE(session.currentConnection(), b);

        // The local store comes back at once.
        session.connectToStore(session.localConnection());
        QCOMPARE(finished.count(), 3);
        QCOMPARE(finished.at(2).at(0).toBool(), true);
        QCOMPARE(session.store(), &local);
        QVERIFY(session.isLocalStoreShown());
        QVERIFY(!session.sharedStore());
        QCOMPARE(changed.count(), 3);
    }

    void failureKeepsTheStoreShown_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("a folder") << QStringLiteral("folder.db") << QByteArray(); // missing folders are made
        QTest::newRow("not a database") << QStringLiteral("garbage.db")
                                        << QByteArray("this is not an SQLite database, not even close\n").repeated(200);
    }

    void failureKeepsTheStoreShown()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(fileName);
        if (content.isEmpty()) {
            QVERIFY(QDir(dir.path()).mkdir(fileName));
        } else {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        MemoryTraceStore local;
        SqliteOpener opener;
        StoreSession session(nullptr);
        session.setOpener(&opener);
        session.setLocalStore(&local, StoreConnection());
        QSignalSpy changed(&session, &StoreSession::storeChanged);
        QSignalSpy finished(&session, &StoreSession::connectFinished);
        QSignalSpy failed(&session, &StoreSession::connectFailed);
        session.connectToStore(sqliteConnection(QStringLiteral("Broken"), path));
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(failed.count(), 1);
        const QString error = failed.at(0).at(0).toString();
        QVERIFY2(error.startsWith(QStringLiteral("Cannot open Broken: ")), qPrintable(error));
        QCOMPARE(finished.at(0).at(1).toString(), error);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(session.store(), &local);
        QVERIFY(session.isLocalStoreShown());
        QVERIFY(!session.isConnecting());
    }

    void withoutOpenerOnlyTheLocalStore()
    {
        MemoryTraceStore local;
        StoreSession session(nullptr);
        session.setLocalStore(&local, StoreConnection());
        QSignalSpy finished(&session, &StoreSession::connectFinished);
        QSignalSpy failed(&session, &StoreSession::connectFailed);
        session.connectToStore(sqliteConnection(QStringLiteral("A"), QStringLiteral("a.db")));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(session.store(), &local);
    }

    void cancelDropsTheLateStore()
    {
        QTemporaryDir dir;
        MemoryTraceStore local;
        SqliteOpener opener;
        opener.gated = true;
        StoreSession session(nullptr);
        session.setOpener(&opener);
        session.setLocalStore(&local, StoreConnection());
        QSignalSpy changed(&session, &StoreSession::storeChanged);
        QSignalSpy finished(&session, &StoreSession::connectFinished);
        session.connectToStore(sqliteConnection(QStringLiteral("A"), dir.filePath(QStringLiteral("a.db"))));
        QVERIFY(session.isConnecting());
        session.cancelConnect();
        QVERIFY(!session.isConnecting());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("cancelled"));
        opener.gate.release();
        QVERIFY(StoreOpener::threadPool()->waitForDone(10000));
        QTest::qWait(50);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(session.store(), &local);
    }

    void adoptedStoreIsOwned()
    {
        StoreSession session(nullptr);
        QSignalSpy changed(&session, &StoreSession::storeChanged);
        auto owned = std::make_unique<MemoryTraceStore>();
        TraceStore* raw = owned.get();
        session.adoptStore(std::move(owned));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(session.store(), raw);
        QVERIFY(session.ownsStore());
        QCOMPARE(session.currentConnection().name, QString());
        MemoryTraceStore other;
        session.setStore(&other);
        QCOMPARE(session.store(), &other);
        QCOMPARE(changed.count(), 2);
    }
};

QTEST_GUILESS_MAIN(TestStoreSession)
#include "tst_storesession.moc"
