#include "ui/traceloader.h"

#include "ui/storeconnection.h"

#include "../common/memorytracestore.h"

#include <QPointer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

#include <atomic>
#include <thread>

using namespace TestSpans;

namespace {

const TraceId SmallTrace = traceId(1);
const TraceId BigTrace = traceId(2);
const TraceId OtherBigTrace = traceId(3);

/// A MemoryTraceStore whose span reads (but those of SmallTrace) can be held at a gate, or made to fail.
class GatedStore : public MemoryTraceStore {
public:
    std::vector<Span> traceSpans(const TraceId& traceId, QString* error = nullptr) override
    {
        ++reads;
        if (gated && traceId != SmallTrace)
            gate.acquire();
        if (failing) {
            if (error)
                *error = QStringLiteral("disk on fire");
            return {};
        }
        return MemoryTraceStore::traceSpans(traceId, error);
    }

    std::atomic<bool> gated { false };
    std::atomic<bool> failing { false };
    std::atomic<int> reads { 0 };
    QSemaphore gate;
};

void addTrace(MemoryTraceStore& store, const TraceId& id, int spanCount)
{
    const auto service = resource(QStringLiteral("svc"));
    std::vector<Span> spans;
    spans.push_back(make(id, 1, 0, QStringLiteral("root"), service, 1000, 1000000));
    for (int i = 2; i <= spanCount; ++i)
        spans.push_back(make(id, quint64(i), 1, QStringLiteral("child"), service, 1000 + i, 2000 + i));
    store.addSpans(std::move(spans));
}

} // namespace

class TestTraceLoader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_store = std::make_shared<GatedStore>();
        addTrace(*m_store, SmallTrace, 3);
        addTrace(*m_store, BigTrace, int(TraceLoader::AsyncLoadThreshold));
        addTrace(*m_store, OtherBigTrace, int(TraceLoader::AsyncLoadThreshold) + 1);
    }

    void cleanup()
    {
        QThreadPool::globalInstance()->waitForDone();
        m_store.reset();
    }

    void smallTraceLoadsAtOnce()
    {
        TraceLoader loader;
        loader.setStore(m_store.get());
        QSignalSpy started(&loader, &TraceLoader::loadStarted);
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        loader.load(SmallTrace);
        QCOMPARE(available.count(), 1);
        QCOMPARE(started.count(), 0);
        QVERIFY(!loader.isLoading());
        const auto trace = available.at(0).at(0).value<TraceLoader::Trace>();
        QCOMPARE(trace.id, SmallTrace);
        QVERIFY(trace.tree);
        QCOMPARE(trace.tree->spans.size(), size_t(3));
        QVERIFY(!trace.loadedAsynchronously);
        QCOMPARE(trace.payloads.size(), size_t(1));
    }

    void bigTraceLoadsOnAWorker()
    {
        TraceLoader loader;
        loader.setStore(m_store.get());
        QSignalSpy started(&loader, &TraceLoader::loadStarted);
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        loader.load(BigTrace);
        QVERIFY(loader.isLoading());
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(1).toLongLong(), TraceLoader::AsyncLoadThreshold);
        QCOMPARE(available.count(), 0);
        QVERIFY(available.wait(10000));
        QVERIFY(!loader.isLoading());
        const auto trace = available.at(0).at(0).value<TraceLoader::Trace>();
        QCOMPARE(trace.id, BigTrace);
        QCOMPARE(trace.tree->spans.size(), size_t(TraceLoader::AsyncLoadThreshold));
        QVERIFY(trace.loadedAsynchronously);
    }

    void largeTracesLoadAsOutlines()
    {
        // An attribute on every span, and one span that may be a GenAI step: only that one keeps its attributes.
        const TraceId traceOfOutlines = traceId(9);
        const auto service = resource(QStringLiteral("svc"));
        std::vector<Span> spans;
        for (int i = 1; i <= 30; ++i) {
            Span s = make(traceOfOutlines, quint64(i), i == 1 ? 0 : 1, QStringLiteral("step"), service, 1000 + i, 5000);
            s.attributes = { { QStringLiteral("http.route"), AnyValue::fromString(QStringLiteral("/r/%1").arg(i)) } };
            if (i == 7)
                s.attributes.push_back({ QStringLiteral("gen_ai.operation.name"), AnyValue::fromString(QStringLiteral("chat")) });
            spans.push_back(std::move(s));
        }
        m_store->addSpans(spans);

        TraceLoader loader;
        loader.setStore(m_store.get());
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        loader.load(traceOfOutlines); // under the threshold: whole spans
        QCOMPARE(available.count(), 1);
        auto trace = available.takeFirst().at(0).value<TraceLoader::Trace>();
        QVERIFY(!trace.tree->outline);
        for (int i = 0; i < int(trace.tree->spans.size()); ++i)
            QVERIFY(!trace.tree->attributesOf(i).empty());

        loader.setOutlineThreshold(30);
        loader.load(traceOfOutlines);
        QCOMPARE(available.count(), 1);
        trace = available.takeFirst().at(0).value<TraceLoader::Trace>();
        QVERIFY(trace.tree->outline);
        QCOMPARE(trace.tree->spans.size(), size_t(30));
        for (int i = 0; i < int(trace.tree->spans.size()); ++i)
            QCOMPARE(trace.tree->attributesOf(i).size(),
                     trace.tree->spans[size_t(i)].spanId == spanId(7) ? size_t(2) : size_t(0));
        // The agent view reads the GenAI step from the outlines as from whole spans.
        QCOMPARE(trace.run->calls.size(), size_t(1));

        // A store read asynchronously (a remote one) never gives outlines: the inspector could not read a span.
        loader.setStore(m_store.get(), nullptr, true);
        loader.load(traceOfOutlines);
        QVERIFY(available.wait(10000));
        trace = available.takeFirst().at(0).value<TraceLoader::Trace>();
        QVERIFY(!trace.tree->outline);
    }

    void largestTracesShowTheirHeadFirst()
    {
        // 2,000 spans; the head is the first 50 by start time. The last child ends long after every span of the head.
        const TraceId id = traceId(11);
        const auto service = resource(QStringLiteral("svc"));
        std::vector<Span> spans;
        spans.push_back(make(id, 1, 0, QStringLiteral("root"), service, 1000, 5000));
        for (int i = 2000; i >= 2; --i) // stored out of start order
            spans.push_back(make(id, quint64(i), 1, QStringLiteral("child"), service, 1000 + i, i == 2000 ? 900000 : 1010 + i));
        m_store->addSpans(spans);

        TraceLoader loader;
        loader.setStore(m_store.get());
        loader.setOutlineThreshold(100);
        loader.setProgressiveLoading(1000, 50);
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        m_store->gated = true;
        loader.load(id);
        m_store->gate.release(1); // the head's read; the whole read waits at the gate
        QVERIFY(available.wait(10000));
        QCOMPARE(available.count(), 1);
        QVERIFY(loader.isLoading()); // the rest is still coming
        auto head = available.takeFirst().at(0).value<TraceLoader::Trace>();
        QCOMPARE(head.id, id);
        QVERIFY(!head.complete);
        QCOMPARE(head.spanCount, qint64(2000));
        QVERIFY(head.tree->outline);
        QCOMPARE(head.tree->spans.size(), size_t(50));
        for (std::size_t i = 0; i < head.tree->spans.size(); ++i) // the root, then children 2..50 by start
            QCOMPARE(head.tree->spans[i].spanId, spanId(i == 0 ? 1 : quint64(i + 1)));
        QCOMPARE(head.tree->roots.size(), size_t(1));
        QCOMPARE(head.tree->startTimeUnixNano, std::uint64_t(1000));
        QCOMPARE(head.tree->endTimeUnixNano, std::uint64_t(900000)); // the whole trace's end, from its summary
        QVERIFY(head.run && head.criticalPath && head.flameGraph && head.timeOverview);
        QVERIFY(head.payloads.empty());

        m_store->gate.release(1);
        QVERIFY(available.wait(10000));
        QCOMPARE(available.count(), 1);
        QVERIFY(!loader.isLoading());
        auto whole = available.takeFirst().at(0).value<TraceLoader::Trace>();
        QVERIFY(whole.complete);
        QCOMPARE(whole.tree->spans.size(), size_t(2000));
        QCOMPARE(whole.spanCount, qint64(2000));
        QCOMPARE(whole.tree->endTimeUnixNano, std::uint64_t(900000));

        // Under the threshold: one answer, whole.
        loader.setProgressiveLoading(2001, 50);
        loader.load(id);
        m_store->gate.release(1);
        QVERIFY(available.wait(10000));
        QThreadPool::globalInstance()->waitForDone();
        QTest::qWait(50);
        QCOMPARE(available.count(), 1);
        QVERIFY(available.takeFirst().at(0).value<TraceLoader::Trace>().complete);

        // A newer request drops both answers of the older one, head included.
        loader.setProgressiveLoading(1000, 50);
        loader.load(id);
        loader.load(OtherBigTrace);
        m_store->gate.release(4);
        QThreadPool::globalInstance()->waitForDone();
        QTRY_VERIFY_WITH_TIMEOUT(!loader.isLoading(), 10000);
        QTest::qWait(50);
        QVERIFY(!available.isEmpty());
        for (const QList<QVariant>& answer : available)
            QCOMPARE(answer.at(0).value<TraceLoader::Trace>().id, OtherBigTrace);
        QVERIFY(available.last().at(0).value<TraceLoader::Trace>().complete);
        m_store->gated = false;
    }

    void staleResultsAreDropped()
    {
        TraceLoader loader;
        loader.setStore(m_store.get());
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        m_store->gated = true;
        loader.load(BigTrace);
        loader.load(OtherBigTrace);
        m_store->gate.release(2);
        QVERIFY(available.wait(10000));
        QThreadPool::globalInstance()->waitForDone();
        QTest::qWait(50);
        QCOMPARE(available.count(), 1);
        QCOMPARE(available.at(0).at(0).value<TraceLoader::Trace>().id, OtherBigTrace);

        // A small trace asked for while a big one loads answers at once and wins.
        available.clear();
        m_store->gated = true;
        loader.load(BigTrace);
        loader.load(SmallTrace);
        QVERIFY(!loader.isLoading());
        QCOMPARE(available.count(), 1);
        m_store->gate.release();
        QThreadPool::globalInstance()->waitForDone();
        QTest::qWait(50);
        QCOMPARE(available.count(), 1);
        QCOMPARE(available.at(0).at(0).value<TraceLoader::Trace>().id, SmallTrace);

        // cancel() and another store drop the pending result too.
        available.clear();
        m_store->gated = false;
        loader.load(BigTrace);
        loader.cancel();
        QVERIFY(!loader.isLoading());
        loader.load(OtherBigTrace);
        loader.setStore(m_store.get()); // waits for both reads
        QThreadPool::globalInstance()->waitForDone();
        QTest::qWait(50);
        QCOMPARE(available.count(), 0);
    }

    void errorIsReported()
    {
        TraceLoader loader;
        loader.setStore(m_store.get());
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        QSignalSpy failed(&loader, &TraceLoader::loadFailed);
        m_store->failing = true;
        loader.load(SmallTrace);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.at(0).at(0).value<TraceId>(), SmallTrace);
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("disk on fire"));
        loader.load(BigTrace);
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.count(), 2);
        QCOMPARE(failed.at(1).at(0).value<TraceId>(), BigTrace);
        QCOMPARE(available.count(), 0);
        QVERIFY(!loader.isLoading());
    }

    void missingTraceIsAnEmptyTree()
    {
        TraceLoader loader;
        loader.setStore(m_store.get());
        QSignalSpy available(&loader, &TraceLoader::traceAvailable);
        loader.load(traceId(99));
        QCOMPARE(available.count(), 1);
        QVERIFY(available.at(0).at(0).value<TraceLoader::Trace>().tree->spans.empty());

        // Without a store nothing is answered.
        loader.setStore(nullptr);
        loader.load(SmallTrace);
        QCOMPARE(available.count(), 1);
        QVERIFY(!loader.isLoading());
    }

    void destroyedWhileLoadingAStoreItDoesNotKeep()
    {
        auto* loader = new TraceLoader;
        loader->setStore(m_store.get());
        QSignalSpy started(loader, &TraceLoader::loadStarted);
        m_store->gated = true;
        loader->load(BigTrace);
        QTRY_COMPARE(m_store->reads.load(), 1);
        // The destructor waits for the read of the store it does not keep: open the gate from elsewhere.
        std::thread opener([this] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            m_store->gate.release();
        });
        delete loader;
        opener.join();
        QTest::qWait(50); // no delivery to the deleted loader
    }

    void destroyedWhileLoadingAKeptStore()
    {
        std::shared_ptr<TraceStore> kept = m_store;
        QPointer<TraceLoader> loader = new TraceLoader;
        loader->setStore(kept.get(), kept, true);
        m_store->gated = true;
        loader->load(BigTrace);
        QVERIFY(loader->isLoading());
        QTRY_COMPARE(m_store->reads.load(), 1);
        delete loader.data(); // does not wait for a kept store
        kept.reset();
        std::weak_ptr<GatedStore> watch = m_store;
        m_store->gate.release();
        m_store.reset(); // the load still holds it
        QVERIFY(StoreOpener::threadPool()->waitForDone(10000));
        QTest::qWait(50);
        QVERIFY(watch.expired());
    }

private:
    std::shared_ptr<GatedStore> m_store;
};

QTEST_GUILESS_MAIN(TestTraceLoader)
#include "tst_traceloader.moc"
