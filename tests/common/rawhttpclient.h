#pragma once

// A blocking HTTP/1.1 client over a plain socket, for tests that must control the bytes on the wire (stop halfway
// through a body, keep a connection alive for many requests) from threads of their own.

#include <QByteArray>
#include <QList>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

/// One blocking TCP connection to 127.0.0.1:port with a receive timeout; plain POSIX so that a test can stop
/// halfway through a request.
class RawHttpConnection {
public:
    explicit RawHttpConnection(quint16 port, int timeoutSeconds = 30)
        : m_fd(connectLoopback(port, timeoutSeconds))
    {
    }

    /// A blocking TCP socket connected to 127.0.0.1:port with send and receive timeouts and TCP_NODELAY, or -1.
    /// The caller closes it.
    static int connectLoopback(quint16 port, int timeoutSeconds)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            return -1;
        timeval tv { timeoutSeconds, 0 };
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }
    ~RawHttpConnection()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    RawHttpConnection(const RawHttpConnection&) = delete;
    RawHttpConnection& operator=(const RawHttpConnection&) = delete;

    bool ok() const { return m_fd >= 0; }

    /// A POST /v1/traces request; `keepAlive` false adds "Connection: close".
    static QByteArray post(const QByteArray& contentType, const QByteArray& body, bool keepAlive)
    {
        return QByteArray("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ") + contentType
            + "\r\nContent-Length: " + QByteArray::number(body.size())
            + (keepAlive ? QByteArray() : QByteArray("\r\nConnection: close")) + "\r\n\r\n" + body;
    }
    static QByteArray get(const QByteArray& path, bool keepAlive)
    {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1"
            + (keepAlive ? QByteArray() : QByteArray("\r\nConnection: close")) + "\r\n\r\n";
    }

    bool send(const QByteArray& bytes)
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::send(m_fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            done += n;
        }
        return true;
    }

    /// Reads one reply (an interim "100 Continue" counts as one); its status code, or 0 when the connection closed or
    /// timed out first. `text`, when given, receives the reply's bytes (status line, headers, body).
    int readReply(bool* serverClosed, QByteArray* text = nullptr)
    {
        qsizetype headerEnd = -1;
        while ((headerEnd = m_buffer.indexOf("\r\n\r\n")) < 0) {
            if (!fill())
                return 0;
        }
        const QByteArray head = m_buffer.left(headerEnd);
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        const int status = statusLine.value(1).toInt();
        qsizetype length = 0;
        *serverClosed = false;
        for (const QByteArray& line : lines) {
            const QByteArray lower = line.trimmed().toLower();
            if (lower.startsWith("content-length:"))
                length = lower.mid(15).trimmed().toLongLong();
            else if (lower == "connection: close")
                *serverClosed = true;
        }
        const qsizetype total = headerEnd + 4 + length;
        while (m_buffer.size() < total) {
            if (!fill())
                return 0;
        }
        if (text)
            *text = m_buffer.left(total);
        m_buffer.remove(0, total);
        return status;
    }

    /// Reads until the server closes the connection (true) or the receive timeout passes first (false); what it
    /// sent meanwhile is appended to `text` when given.
    bool waitForClose(QByteArray* text = nullptr)
    {
        for (;;) {
            char chunk[16384];
            const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
            if (n > 0) {
                if (text)
                    text->append(chunk, n);
                continue;
            }
            if (n == 0)
                return true;
            return errno == ECONNRESET;
        }
    }

private:
    bool fill()
    {
        char chunk[16384];
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            return false;
        m_buffer.append(chunk, n);
        return true;
    }

    int m_fd = -1;
    QByteArray m_buffer;
};
