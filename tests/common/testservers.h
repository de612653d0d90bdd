#pragma once

// A PostgreSQL cluster or Swift (S3) instance of one test's own, run by tests/servers/postgres.sh or swift.sh, so the
// test may stop and start it mid-stream without disturbing tests that share the common servers. Header-only; the
// test target defines SPANSCOPE_SERVERS_DIR (the tests/servers folder).

#include <QDir>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QTemporaryDir>

class TestServer {
public:
    /// `script` is "postgres.sh" or "swift.sh"; the server lives in a new folder under the system temp folder.
    explicit TestServer(const QString& script)
        : m_script(QStringLiteral(SPANSCOPE_SERVERS_DIR "/") + script)
    {
        // PostgreSQL runs as the postgres user when the tests run as root: it must be able to pass through.
        QFile::setPermissions(m_parent.path(), QFile::permissions(m_parent.path()) | QFile::ExeGroup | QFile::ExeOther);
    }
    ~TestServer()
    {
        if (m_running)
            stop(nullptr);
    }
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    /// Starts (first time: creates) the server and waits until it answers; the export lines go to value().
    bool start(QString* error)
    {
        QString out;
        if (!run(QStringLiteral("start"), &out, error))
            return false;
        static const QRegularExpression exportLine(
            QStringLiteral("^export ([A-Z0-9_]+)=(.*)$"), QRegularExpression::MultilineOption);
        for (auto it = exportLine.globalMatch(out); it.hasNext();) {
            const auto m = it.next();
            m_values.insert(m.captured(1), m.captured(2).trimmed());
        }
        m_running = true;
        return true;
    }
    bool stop(QString* error)
    {
        m_running = false;
        return run(QStringLiteral("stop"), nullptr, error);
    }
    bool isRunning() const { return m_running; }
    /// An exported value, e.g. SPANSCOPE_TEST_PG_URL or SPANSCOPE_TEST_S3_ENDPOINT.
    QString value(const QString& name) const { return m_values.value(name); }
    QString directory() const { return m_parent.filePath(QStringLiteral("server")); }

private:
    bool run(const QString& command, QString* out, QString* error)
    {
        QProcess p;
        p.start(QStringLiteral("bash"), { m_script, command, directory() });
        const bool finished = p.waitForFinished(180000);
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput());
        if (finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0)
            return true;
        if (error)
            *error = QStringLiteral("%1 %2: %3").arg(m_script, command, QString::fromUtf8(p.readAllStandardError()));
        return false;
    }

    QString m_script;
    QTemporaryDir m_parent;
    QMap<QString, QString> m_values;
    bool m_running = false;
};
