#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QThreadPool>

#include <memory>
#include <type_traits>
#include <utility>

/**
 * The one way results of work on another thread come back to a QObject in Spanscope.
 *
 * GuardedJob::deliver(future, receiver, handler) calls handler(result) on receiver's thread once future has its
 * result, and never once receiver is destroyed: a QFutureWatcher parented to receiver carries the result, so the
 * receiver's destruction disconnects it (under the future's lock) and drops the queued delivery with it. Nothing
 * is touched through a raw receiver pointer from the worker thread.
 *
 * This replaces QFuture::then(context, ...), which in Qt 6.4 can run its continuation after the context is gone
 * (ASSERT "context" in qfuture_impl.h) and crashed in QFutureInterfaceBase::reportStarted under load
 * (issue 8 §3; hotspot's jobtracker.h solves the same problem with a guarded pointer and a queued call).
 *
 * A future that finishes without a result (cancelled: its promise was destroyed unfinished) delivers nothing
 * unless an onCancel callback is given. The handler gets a copy of the result (other copies of the future, kept to
 * wait for the work, still see it): big results are shared, e.g. std::shared_ptr<const SpanTree>. Stale results (a
 * newer request was started) are the caller's to drop, with a generation counter checked in the handler.
 *
 * Thread affinity: deliver() must be called on receiver's thread. run() may be called from any thread.
 */
namespace GuardedJob {

/// Runs work() on pool (QThreadPool::globalInstance() when null) and returns the future of its result.
/// Like QtConcurrent::run, without linking Qt Concurrent. work must not throw.
template <typename Work> auto run(QThreadPool* pool, Work work) -> QFuture<std::invoke_result_t<Work&>>
{
    using Result = std::invoke_result_t<Work&>;
    auto promise = std::make_shared<QPromise<Result>>();
    QFuture<Result> future = promise->future();
    promise->start();
    (pool ? pool : QThreadPool::globalInstance())->start([promise, work = std::move(work)]() mutable {
        if constexpr (std::is_void_v<Result>) {
            work();
        } else {
            promise->addResult(work());
        }
        promise->finish();
    });
    return future;
}

/// Calls handler(T&&) (handler() for QFuture<void>) on receiver's thread when future finishes, unless receiver is
/// destroyed first. onCancel() runs instead when the future finishes without a result.
template <typename T, typename Handler, typename OnCancel = std::nullptr_t>
void deliver(const QFuture<T>& future, QObject* receiver, Handler handler, OnCancel onCancel = nullptr)
{
    auto* watcher = new QFutureWatcher<T>(receiver);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
        [watcher, handler = std::move(handler), onCancel = std::move(onCancel)]() mutable {
            watcher->deleteLater();
            QFuture<T> done = watcher->future();
            if constexpr (std::is_void_v<T>) {
                if (done.isCanceled()) {
                    if constexpr (!std::is_null_pointer_v<OnCancel>)
                        onCancel();
                    return;
                }
                handler();
            } else {
                if (done.resultCount() < 1) {
                    if constexpr (!std::is_null_pointer_v<OnCancel>)
                        onCancel();
                    return;
                }
                handler(done.result());
            }
        });
    watcher->setFuture(future);
}

/// run() on pool, then deliver() to receiver: the usual pair.
template <typename Work, typename Handler> void start(QThreadPool* pool, QObject* receiver, Work work, Handler handler)
{
    deliver(run(pool, std::move(work)), receiver, std::move(handler));
}

} // namespace GuardedJob
