#include "ingest/codec/gzip.h"
#include "storage/sqlitetracestore.h"

#include "../common/testdata.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QMap>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

// Runs the built spanscope binary without a display: `import` and `export` use QCoreApplication.

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run spanscope(const QStringList& args, const QString& platform = QString(), const QString& workingDirectory = QString(),
    const QMap<QString, QString>& extraEnvironment = {})
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    if (!platform.isEmpty())
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), platform);
    for (auto it = extraEnvironment.cbegin(); it != extraEnvironment.cend(); ++it)
        env.insert(it.key(), it.value());
    p.setProcessEnvironment(env);
    if (!workingDirectory.isEmpty())
        p.setWorkingDirectory(workingDirectory);
    p.start(QStringLiteral(SPANSCOPE_BINARY), args);
    if (!p.waitForFinished(120000))
        qFatal("spanscope %s did not finish", qPrintable(args.join(u' ')));
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
             QString::fromUtf8(p.readAllStandardError()) };
}

/// One HTTP/1.1 request to 127.0.0.1:port with "Connection: close"; the whole reply (head and body), empty when
/// there is none within 10 s.
QByteArray httpRequest(quint16 port, const QByteArray& method, const QByteArray& path,
    const QByteArray& contentType = QByteArray(), const QByteArray& body = QByteArray())
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(10000))
        return {};
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!contentType.isEmpty())
        request += "Content-Type: " + contentType + "\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    socket.write(request);
    QByteArray reply;
    QDeadlineTimer deadline(10000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        socket.waitForReadyRead(200);
        reply += socket.readAll();
    }
    return reply + socket.readAll();
}

/// Everything `process` wrote so far (its channels merged).
QString drain(QProcess& process, QString* sofar)
{
    *sofar += QString::fromUtf8(process.readAll());
    return *sofar;
}

qint64 storedSpans(const QString& path)
{
    SqliteTraceStore store(path);
    QString error;
    if (!store.open(&error))
        qFatal("%s", qPrintable(error));
    return store.spanCount();
}

} // namespace

class TestTraceImportCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void viewFileLeavesStoreAlone()
    {
        // `spanscope FILE` opens a viewer window (offscreen here) on a scratch store: the --store file is not even
        // created, and no receiver listens. SIGTERM closes the window; exit code 0.
        SPANSCOPE_TEST_FILE(file, QStringLiteral("otlp-json/checkout-fanout.json"));
        const QString db = m_dir.filePath(QStringLiteral("view-untouched.db"));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.path());
        env.insert(QStringLiteral("LANG"), QStringLiteral("C")); // plural forms come from the English fallback
        env.remove(QStringLiteral("LC_ALL"));
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral(SPANSCOPE_BINARY),
            { QStringLiteral("--store"), QStringLiteral("sqlite:") + db, QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:0"), file });
        QVERIFY(p.waitForStarted());
        QByteArray output;
        QDeadlineTimer deadline(60000);
        while (!output.contains("Opened 22 spans in 1 trace from 1 file") && !deadline.hasExpired()
            && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            output += p.readAll();
        }
        QVERIFY2(output.contains("Opened 22 spans in 1 trace from 1 file"), output.constData());
        p.terminate();
        QVERIFY(p.waitForFinished(30000));
        output += p.readAll();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == 0, output.constData());
        QVERIFY(!output.contains("Receiving"));
        QVERIFY(!QFile::exists(db));
    }

    void viewMissingFileFails()
    {
        const Run run = spanscope({ m_dir.filePath(QStringLiteral("no-such-trace.json")) }, QStringLiteral("offscreen"));
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QLatin1String("no-such-trace.json: no such file")), qPrintable(run.err));
    }

    void import_data()
    {
        QTest::addColumn<QString>("otlpFile");
        QTest::addColumn<QString>("zipkinFile");
        QTest::addColumn<QString>("db");
        QTest::addColumn<int>("otlpSpans");
        QTest::addColumn<int>("zipkinSpans");
        QTest::newRow("project") << QStringLiteral("otlp-json/checkout-fanout.json")
                                 << QStringLiteral("zipkin-json/orders-messaging.json") << QStringLiteral("cli.db")
                                 << 22 << 8;
        QTest::newRow("conformance") << TestData::conformanceFile("otlp-json/hotrod-n-plus-one-concurrent.json")
                                     << TestData::conformanceFile("zipkin-json/messaging-kafka.json")
                                     << QStringLiteral("conformance.db") << 40 << 28;
    }

    void import()
    {
        QFETCH(QString, otlpFile);
        QFETCH(QString, zipkinFile);
        QFETCH(QString, db);
        QFETCH(int, otlpSpans);
        QFETCH(int, zipkinSpans);
        SPANSCOPE_TEST_FILE(otlp, otlpFile);
        SPANSCOPE_TEST_FILE(zipkin, zipkinFile);
        const QString dbPath = m_dir.filePath(db);
        const Run run = spanscope(
            { QStringLiteral("import"), otlp, zipkin, QStringLiteral("--store"), QStringLiteral("sqlite:") + dbPath });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("imported %1 spans in 1 traces (otlp-json)").arg(otlpSpans)),
            qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("imported %1 spans in 1 traces (zipkin-json)").arg(zipkinSpans)),
            qPrintable(run.out));
        QCOMPARE(storedSpans(dbPath), otlpSpans + zipkinSpans);
    }

    void importFailure()
    {
        SPANSCOPE_TEST_FILE(good, QStringLiteral("otlp-json/checkout-single-span.json"));
        const QString db = m_dir.filePath(QStringLiteral("fail.db"));
        const QString bad = m_dir.filePath(QStringLiteral("bad.jsonl"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"resourceSpans\":[]}\nnot json\n");
        f.close();
        const Run run = spanscope({ QStringLiteral("--store"), db, QStringLiteral("import"), bad, good });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("bad.jsonl: line 2: invalid JSON")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("bad.jsonl: no valid spans found")), qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("imported 1 spans in 1 traces")), qPrintable(run.out));
        QCOMPARE(storedSpans(db), 1);

        const Run none = spanscope({ QStringLiteral("import"), QStringLiteral("--store"), db });
        QCOMPARE(none.exitCode, 1);
        const Run missing = spanscope({ QStringLiteral("import"), m_dir.filePath(QStringLiteral("nope.json")),
                                        QStringLiteral("--store"), db });
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains(QStringLiteral("nope.json: cannot open")), qPrintable(missing.err));
    }

    void importSaysEachProblemOnce()
    {
        // One line per problem: not logged and printed, not repeated in "no valid spans found", no summary around it.
        const QString db = m_dir.filePath(QStringLiteral("once.db"));
        const QString some = m_dir.filePath(QStringLiteral("some-bad.json"));
        const QString none = m_dir.filePath(QStringLiteral("none-valid.json"));
        for (const auto& [path, spans] :
            { std::pair { some, QByteArray(R"({"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"},)"
                                           R"({"traceId":"xyz","spanId":"b7ad6b7169203332"})") },
                std::pair { none, QByteArray(R"({"traceId":"abc","spanId":"b7ad6b7169203332"})") } }) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}");
        }
        const Run run = spanscope({ QStringLiteral("import"), some, none, QStringLiteral("--store"), db });
        QCOMPARE(run.exitCode, 2);
        const QStringList lines = run.err.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("spanscope: skipped: ") + some + QStringLiteral(": line 1: span ")
                     + QStringLiteral("resourceSpans[0].scopeSpans[0].spans[1]: traceId: expected 32 hex digits (or ")
                     + QStringLiteral("base64 of 16 bytes), got \"xyz\""));
        QVERIFY2(lines[1].endsWith(QStringLiteral("spans[0]: traceId: expected 32 hex digits (or base64 of 16 bytes), got "
                                                  "\"abc\"")),
            qPrintable(run.err));
        QCOMPARE(lines[2], QStringLiteral("spanscope: ") + none + QStringLiteral(": no valid spans found"));
        QVERIFY2(run.out.contains(QStringLiteral("imported 1 spans in 1 traces (otlp-jsonl); 1 spans rejected")),
            qPrintable(run.out));
    }

    void importNamesTheLineInPrettyJson()
    {
        // The line of the bad value in a pretty-printed file, not "line 1".
        SPANSCOPE_TEST_FILE(pretty, QStringLiteral("otlp-json/pretty-bad-trace-id.json"));
        const Run run = spanscope({ QStringLiteral("import"), pretty, QStringLiteral("--store"),
            QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("pretty.db")) });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QStringList lines = run.err.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].endsWith(QStringLiteral("pretty-bad-trace-id.json: line 21: span resourceSpans[0].scopeSpans[0]."
                                                  "spans[1]: traceId: expected 32 hex digits (or base64 of 16 bytes), got "
                                                  "\"not-a-trace-id\"")),
            qPrintable(run.err));
        QVERIFY2(lines[1].endsWith(QStringLiteral("pretty-bad-trace-id.json: line 27: span resourceSpans[0].scopeSpans[0]."
                                                  "spans[2]: traceId is empty (must be 16 bytes)")),
            qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("imported 1 spans in 1 traces (otlp-json); 2 spans rejected")),
            qPrintable(run.out));
    }

    void importNamesTheFileAsGiven()
    {
        // Relative paths stay as typed in every message, "sub/.." included: not made absolute or canonical.
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("sub")));
        SPANSCOPE_READ_TEST_FILE(pretty, QStringLiteral("otlp-json/pretty-bad-trace-id.json"));
        QFile f(m_dir.filePath(QStringLiteral("given.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(pretty);
        f.close();
        const QString given = QStringLiteral("sub/../given.json");
        const Run run = spanscope({ QStringLiteral("import"), given, QStringLiteral("missing.json"),
                                      QStringLiteral("--store"), QStringLiteral("sqlite:given.db") },
            QString(), m_dir.path());
        QCOMPARE(run.exitCode, 2);
        const QStringList lines = run.err.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith(QStringLiteral("spanscope: skipped: sub/../given.json: line 21: ")), qPrintable(run.err));
        QVERIFY2(lines[1].startsWith(QStringLiteral("spanscope: skipped: sub/../given.json: line 27: ")), qPrintable(run.err));
        QVERIFY2(lines[2].startsWith(QStringLiteral("spanscope: missing.json: cannot open")), qPrintable(run.err));
        QVERIFY2(run.out.startsWith(QStringLiteral("sub/../given.json: imported 1 spans")), qPrintable(run.out));
    }

    void importNamesTheKeysOfUnknownJson()
    {
        const QString unknown = m_dir.filePath(QStringLiteral("unknown.json"));
        QFile f(unknown);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"batches\": [],\n  \"result\": 1\n}\n");
        f.close();
        const Run run = spanscope({ QStringLiteral("import"), unknown, QStringLiteral("--store"),
            QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("unknown.db")) });
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.split(u'\n', Qt::SkipEmptyParts),
            QStringList { QStringLiteral("spanscope: ") + unknown
                + QStringLiteral(": not a known trace format: top-level keys \"batches\", \"result\"; expected OTLP "
                                 "(resourceSpans), Jaeger (data, or traceID with spans) or Zipkin v2 (traceId with id)") });
    }

    void exportAndReimport()
    {
        const QString db = m_dir.filePath(QStringLiteral("cli.db")); // filled by import("project")
        const QString all = m_dir.filePath(QStringLiteral("all.jsonl.gz"));
        const Run run = spanscope({ QStringLiteral("export"), QStringLiteral("-o"), all, QStringLiteral("--store"), db });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(
            run.out.contains(QStringLiteral("exported 30 spans in 2 traces (otlp-jsonl, gzip")), qPrintable(run.out));
        QVERIFY(Gzip::looksGzipped([&] {
            QFile f(all);
            return f.open(QIODevice::ReadOnly) ? f.read(2) : QByteArray();
        }()));

        const QString one = m_dir.filePath(QStringLiteral("one.out"));
        const Run single = spanscope({ QStringLiteral("--store"), db, QStringLiteral("export"),
            QStringLiteral("--trace"), QStringLiteral("8a6b4c2d0e1f23344556677889900aab"), QStringLiteral("--format"),
            QStringLiteral("otlp-proto"), QStringLiteral("-o"), one });
        QVERIFY2(single.exitCode == 0, qPrintable(single.err));
        QVERIFY2(
            single.out.contains(QStringLiteral("exported 8 spans in 1 traces (otlp-proto")), qPrintable(single.out));

        const QString pretty = m_dir.filePath(QStringLiteral("checkout.json"));
        const Run byService
            = spanscope({ QStringLiteral("export"), QStringLiteral("--service"), QStringLiteral("redis-cache"),
                QStringLiteral("--pretty"), QStringLiteral("-o"), pretty, QStringLiteral("--store"), db });
        QVERIFY2(byService.exitCode == 0, qPrintable(byService.err));
        QVERIFY2(byService.out.contains(QStringLiteral("exported 22 spans in 1 traces (otlp-json")),
            qPrintable(byService.out));

        const QString db2 = m_dir.filePath(QStringLiteral("again.db"));
        const Run back = spanscope({ QStringLiteral("import"), all, one, pretty, QStringLiteral("--store"), db2 });
        QVERIFY2(back.exitCode == 0, qPrintable(back.err));
        QCOMPARE(storedSpans(db2), 30);

        QCOMPARE(spanscope({ QStringLiteral("export"), QStringLiteral("--store"), db }).exitCode, 1);
        QCOMPARE(spanscope({ QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("xml"), QStringLiteral("-o"),
                             one, QStringLiteral("--store"), db })
                     .exitCode,
                 1);
    }

    void exportNamesEachTraceOnceAndRefusesUnknownIds()
    {
        const QString db = m_dir.filePath(QStringLiteral("cli.db")); // filled by import("project")
        const QString twice = m_dir.filePath(QStringLiteral("twice.json"));
        const QString id = QStringLiteral("8a6b4c2d0e1f23344556677889900aab");
        const Run run = spanscope({ QStringLiteral("export"), QStringLiteral("--trace"), id, QStringLiteral("--trace"),
            id.toUpper(), QStringLiteral("-o"), twice, QStringLiteral("--store"), db });
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("exported 8 spans in 1 traces")), qPrintable(run.out));

        // An id the store does not have: said, exit code 2, no file.
        const QString none = m_dir.filePath(QStringLiteral("none.json"));
        const Run missing = spanscope({ QStringLiteral("export"), QStringLiteral("--trace"), id,
            QStringLiteral("--trace"), QStringLiteral("0123456789abcdef0123456789abcdef"), QStringLiteral("-o"), none,
            QStringLiteral("--store"), db });
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains(QStringLiteral("trace 0123456789abcdef0123456789abcdef is not in the store")),
            qPrintable(missing.err));
        QVERIFY(!QFile::exists(none));
    }

    void serveRefusesToExposeWithoutKey()
    {
        // Listening beyond loopback needs --api-key (or SPANSCOPE_API_KEY) or an explicit --allow-unauthenticated.
        const QString db = m_dir.filePath(QStringLiteral("exposed.db"));
        const Run refused = spanscope({ QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"),
            QStringLiteral("--store"), QStringLiteral("sqlite:") + db });
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("--api-key")), qPrintable(refused.err));
        QVERIFY2(refused.err.contains(QStringLiteral("--allow-unauthenticated")), qPrintable(refused.err));
        QVERIFY(!QFile::exists(db));
    }

    // A receiver address that cannot be used stops `serve` at start with exit code 2 and the kernel's reason, for
    // either protocol (issue 9 §2); a malformed one is a usage error (1).
    void serveRefusesUnusableAddresses()
    {
        QTcpServer taken; // holds a port on 127.0.0.1
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const QString busy = QStringLiteral("127.0.0.1:%1").arg(taken.serverPort());
        const QString db = m_dir.filePath(QStringLiteral("unusable.db"));
        const QStringList store { QStringLiteral("--store"), QStringLiteral("sqlite:") + db };
        struct Case {
            QStringList args;
            int exitCode;
            QString says;
        };
        const QList<Case> cases {
            { { QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"), busy }, 2,
              busy + QStringLiteral(": Address already in use") },
            { { QStringLiteral("--listen"), busy, QStringLiteral("--grpc-listen"), QStringLiteral("off") }, 2,
              QStringLiteral("in use") },
            // TEST-NET-1 (RFC 5737) is no address of this machine.
            { { QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"),
                QStringLiteral("192.0.2.1:4317"), QStringLiteral("--allow-unauthenticated") }, 2,
              QStringLiteral("192.0.2.1:4317: Cannot assign requested address") },
            { { QStringLiteral("--grpc-listen"), QStringLiteral("localhost") }, 1,
              QStringLiteral("--grpc-listen expects HOST:PORT, got \"localhost\"") },
            { { QStringLiteral("--grpc-listen"), QStringLiteral("300.1.1.1:4317") }, 1,
              QStringLiteral("--grpc-listen: \"300.1.1.1\" is not an IP address") },
        };
        for (const Case& c : cases) {
            const Run run = spanscope(QStringList { QStringLiteral("serve") } + c.args + store);
            const QString what = c.args.join(u' ') + QLatin1String(": ") + run.out + run.err;
            QCOMPARE(run.exitCode, c.exitCode);
            QVERIFY2(run.err.contains(c.says), qPrintable(what));
        }
    }

    // `--store "host=... password=..."` is the PostgreSQL store, as in libpq, not an SQLite file named after it; what
    // the commands print when it cannot be reached (nobody listens on port 1) names no password (issue 8 section 5).
    void storeKeywordStringIsPostgres()
    {
        QTemporaryDir cwd;
        QVERIFY(cwd.isValid());
        SPANSCOPE_TEST_FILE(file, QStringLiteral("otlp-json/checkout-single-span.json"));
        const QString keywords = QStringLiteral("host=127.0.0.1 port=1 user=u password='Cli S3cretPw' dbname=otel");
        const QList<QStringList> commands {
            { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"), QStringLiteral("off") },
            { QStringLiteral("import"), file },
            { QStringLiteral("export"), QStringLiteral("-o"), cwd.filePath(QStringLiteral("out.json")) },
            { QStringLiteral("migrate") },
        };
        for (const QStringList& command : commands) {
            const Run run
                = spanscope(command + QStringList { QStringLiteral("--store"), keywords }, QString(), cwd.path());
            const QString what = command.first() + QLatin1String(": ") + run.out + run.err;
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(QLatin1String("PostgreSQL")), qPrintable(what));
            QVERIFY2(run.err.contains(QLatin1String("127.0.0.1")), qPrintable(what));
            QVERIFY2(!what.contains(QLatin1String("S3cretPw")), qPrintable(what));
        }
        // A mistyped keyword is refused, not taken as a file name.
        const Run typo
            = spanscope({ QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"), QStringLiteral("off"),
                            QStringLiteral("--store"), QStringLiteral("host=127.0.0.1 pasword=CliS3cretPw") },
                QString(), cwd.path());
        QCOMPARE(typo.exitCode, 1);
        QVERIFY2(typo.err.contains(QLatin1String("invalid connection option \"pasword\"")), qPrintable(typo.err));
        QVERIFY2(!QString(typo.out + typo.err).contains(QLatin1String("S3cretPw")), qPrintable(typo.err));
        QVERIFY2(QDir(cwd.path()).isEmpty(), qPrintable(QDir(cwd.path()).entryList().join(u' ')));
    }

    // `--help` shows no secret from the environment it describes.
    void helpNamesNoSecret()
    {
        const QMap<QString, QString> env { { QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("EnvS3cretKey") },
            { QStringLiteral("AWS_ENDPOINT_URL_S3"), QStringLiteral("http://AKIDENV:EnvUrlS3cret@127.0.0.1:9000") },
            { QStringLiteral("PGPASSWORD"), QStringLiteral("EnvPgS3cret") },
            { QStringLiteral("SPANSCOPE_API_KEY"), QStringLiteral("EnvApiKeyS3cret") } };
        for (const QStringList& args : { QStringList { QStringLiteral("--help") },
                 QStringList { QStringLiteral("serve"), QStringLiteral("--help") },
                 QStringList { QStringLiteral("import"), QStringLiteral("--help") },
                 QStringList { QStringLiteral("migrate"), QStringLiteral("--help") } }) {
            const Run run = spanscope(args, QString(), QString(), env);
            QCOMPARE(run.exitCode, 0);
            QVERIFY2(!QString(run.out + run.err).contains(QLatin1String("S3cret")), qPrintable(run.out + run.err));
            QVERIFY2(!QString(run.out + run.err).contains(QLatin1String("AKIDENV")), qPrintable(run.out + run.err));
        }
    }

    // `spanscope serve` in worker mode with an S3 endpoint that has credentials in its URL and cannot be reached: the
    // log and /healthz (worker.last_error) show the endpoint without them. Needs PostgreSQL (SPANSCOPE_TEST_PG_URL).
    void serveNamesNoS3Secret()
    {
        const QString pgUrl = qEnvironmentVariable("SPANSCOPE_TEST_PG_URL");
        if (pgUrl.isEmpty()) {
            if (qEnvironmentVariableIsSet("CI"))
                QFAIL("SPANSCOPE_TEST_PG_URL is not set (CI needs PostgreSQL: tests/servers/postgres.sh start DIR)");
            QSKIP("SPANSCOPE_TEST_PG_URL is not set (eval \"$(tests/servers/postgres.sh start DIR)\")");
        }
        SPANSCOPE_READ_TEST_FILE(body, QStringLiteral("otlp-json/checkout-single-span.json"));
        const QString schema
            = QStringLiteral("cli_secrets_%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
        auto dropSchema = qScopeGuard([&] {
            try {
                pqxx::connection db(pgUrl.toStdString());
                pqxx::nontransaction tx(db);
                tx.exec0("DROP SCHEMA IF EXISTS \"" + schema.toStdString() + "\" CASCADE");
            } catch (const std::exception& e) {
                qWarning() << "cannot drop the test schema:" << e.what();
            }
        });
        QProcess server;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL_S3",
                 "AWS_ENDPOINT_URL", "SPANSCOPE_API_KEY" })
            env.remove(QString::fromLatin1(name));
        server.setProcessEnvironment(env);
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(QStringLiteral(SPANSCOPE_BINARY),
            { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--grpc-listen"), QStringLiteral("off"),
                QStringLiteral("--store"), pgUrl, QStringLiteral("--pg-schema"), schema,
                QStringLiteral("--s3-endpoint"), QStringLiteral("http://AKIDCLI:CliS3cret%2FKey@127.0.0.1:1"),
                QStringLiteral("--s3-bucket"), QStringLiteral("cli-secrets") });
        QVERIFY2(server.waitForStarted(), qPrintable(server.errorString()));
        auto stop = qScopeGuard([&] {
            if (server.state() == QProcess::Running) {
                server.terminate();
                if (!server.waitForFinished(30000))
                    server.kill();
            }
        });
        QString output;
        quint16 port = 0;
        const QRegularExpression listening(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)/v1/traces"));
        for (QDeadlineTimer deadline(60000); !port && !deadline.hasExpired() && server.state() == QProcess::Running;) {
            server.waitForReadyRead(200);
            const auto m = listening.match(drain(server, &output));
            if (m.hasMatch())
                port = quint16(m.captured(1).toUInt());
        }
        QVERIFY2(port, qPrintable(output));
        const QByteArray posted = httpRequest(port, "POST", "/v1/traces", "application/json", body);
        QVERIFY2(posted.startsWith("HTTP/1.1 200"), posted.constData());

        // The coordinator tries the upload, fails, and says so in the status.
        QByteArray health;
        for (QDeadlineTimer deadline(60000); !deadline.hasExpired();) {
            health = httpRequest(port, "GET", "/healthz");
            if (health.contains("\"blob_store\":\"down\"") && !health.contains("\"last_error\":\"\""))
                break;
            QTest::qWait(200);
        }
        QVERIFY2(health.contains("\"blob_store\":\"down\""), health.constData());
        server.terminate();
        QVERIFY(server.waitForFinished(60000));
        drain(server, &output);
        const QString everything = output + QString::fromUtf8(health);
        QVERIFY2(everything.contains(QLatin1String("@ http://127.0.0.1:1")), qPrintable(everything));
        QVERIFY2(!everything.contains(QLatin1String("CliS3cret")) && !everything.contains(QLatin1String("AKIDCLI")),
            qPrintable(everything));
    }

    void helpAndVersionWithoutDisplay()
    {
        // No DISPLAY, no QT_QPA_PLATFORM: --help and --version used to abort looking for a display.
        const Run help = spanscope({ QStringLiteral("--help") });
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.contains(QStringLiteral("--listen")) && help.out.contains(QStringLiteral("--store")),
            qPrintable(help.out + help.err));
        const Run version = spanscope({ QStringLiteral("--version") });
        QCOMPARE(version.exitCode, 0);
        QVERIFY2(version.out.startsWith(QStringLiteral("spanscope ")), qPrintable(version.out + version.err));
        const Run serveHelp = spanscope({ QStringLiteral("serve"), QStringLiteral("--help") });
        QCOMPARE(serveHelp.exitCode, 0);
        QVERIFY2(serveHelp.out.contains(QStringLiteral("--listen")), qPrintable(serveHelp.out + serveHelp.err));
    }
};

QTEST_GUILESS_MAIN(TestTraceImportCli)
#include "tst_traceimportcli.moc"
