// libFuzzer harness: the OTLP/HTTP receiver fed arbitrary bytes over loopback TCP. One receiver (IngestPipeline over
// the in-memory test store) serves every input; each input is sent on a new connection, the write side is then
// closed, and the receiver must answer or close the connection within its idle timeout (2 s here), never crash. Every 256 inputs
// a GET /healthz checks that it still serves.

#include "fuzzcommon.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlphttpreceiver.h"
#include "tests/common/memorytracestore.h"
#include "tests/common/rawhttpclient.h"

#include <QCoreApplication>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

constexpr int ReplyTimeoutSeconds = 10;
constexpr int ReplyWaitMs = 50;

// Reachable until exit on purpose: created once, stopped by an atexit handler.
QCoreApplication* s_app = nullptr;
MemoryTraceStore* s_store = nullptr;
IngestPipeline* s_pipeline = nullptr;
OtlpHttpReceiver* s_receiver = nullptr;
quint16 s_port = 0;
unsigned s_inputs = 0;

/// Sends `bytes`, waits briefly for an answer, half-closes, reads until the server closes. Returns what the server
/// sent; fails the run when the server neither closes nor stops talking within ReplyTimeoutSeconds.
QByteArray exchange(const char* bytes, std::size_t size)
{
    const int fd = RawHttpConnection::connectLoopback(s_port, ReplyTimeoutSeconds);
    if (fd < 0)
        FuzzCommon::fail("http", QStringLiteral("the receiver no longer accepts connections"));

    // The server may answer and close before it has read everything (e.g. 413): a failed send is fine.
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::send(fd, bytes + done, size - done, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        done += std::size_t(n);
    }
    // A request with a complete header may be answered while the connection is open; give it a moment, then close
    // the write side (the receiver drops what it owes a client that has gone: also a path worth fuzzing).
    const QByteArray sent = QByteArray::fromRawData(bytes, qsizetype(size));
    if (sent.contains("\r\n\r\n")) {
        pollfd p { fd, POLLIN, 0 };
        ::poll(&p, 1, ReplyWaitMs);
    }
    ::shutdown(fd, SHUT_WR);

    QByteArray reply;
    char chunk[16384];
    for (;;) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            reply.append(chunk, n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            FuzzCommon::fail("http", QStringLiteral("no answer and no close within %1 s").arg(ReplyTimeoutSeconds));
        break; // closed (or reset)
    }
    ::close(fd);
    return reply;
}

void checkStillServing()
{
    static const char request[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const QByteArray reply = exchange(request, sizeof request - 1);
    if (!reply.startsWith("HTTP/1.1 200"))
        FuzzCommon::fail("http",
            QStringLiteral("GET /healthz after %1 inputs: ").arg(s_inputs) + QString::fromLatin1(reply.left(200)));
}

void stopReceiver()
{
    s_receiver->stop(500);
    s_pipeline->stop();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    FuzzCommon::quietLogging();
    s_app = new QCoreApplication(*argc, *argv);
    s_store = new MemoryTraceStore;
    QString error;
    if (!s_store->open(&error))
        FuzzCommon::fail("http", QStringLiteral("cannot open the store: ") + error);
    s_pipeline = new IngestPipeline(s_store);
    s_pipeline->start();
    OtlpHttpReceiver::Options options;
    options.port = 0;
    options.maxBodyBytes = 1024 * 1024; // small inputs only; 413 past it
    // Some broken requests (e.g. a header line ended by a bare CR, then the client half-closes) are neither answered
    // nor closed by libmicrohttpd before the idle timeout: keep it well under ReplyTimeoutSeconds.
    options.idleTimeoutSeconds = 2;
    s_receiver = new OtlpHttpReceiver(s_pipeline, options);
    if (!s_receiver->start(&error))
        FuzzCommon::fail("http", QStringLiteral("cannot start the receiver: ") + error);
    s_port = s_receiver->port();
    std::atexit(stopReceiver);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray reply = exchange(reinterpret_cast<const char*>(data), size);
    // Whatever the server says must be an HTTP/1.1 status line.
    if (!reply.isEmpty() && !reply.startsWith("HTTP/1.1 "))
        FuzzCommon::fail("http", QStringLiteral("reply is not HTTP: ") + QString::fromLatin1(reply.left(200)));
    // Nothing runs the main thread's event loop otherwise; keep what is posted to it from piling up.
    QCoreApplication::processEvents();
    if (++s_inputs % 256 == 0)
        checkStillServing();
    return 0;
}
