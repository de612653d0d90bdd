#include "storage/s3blobstore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <functional>
#include <future>

// Two groups of tests:
//  - the SigV4 signer against AWS's published S3 examples ("Examples of Signature Calculations", in the S3 API
//    reference page "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"),
//    replayed through S3BlobStore::request to a local socket that captures what libcurl sends; always run;
//  - the store against a real S3 server (tests/servers/swift.sh: OpenStack Swift with s3api) named by
//    SPANSCOPE_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY; skipped without it, failed without it when CI is set.

namespace {

const QString ExampleAccessKey = QStringLiteral("AKIAIOSFODNN7EXAMPLE");
const QString ExampleSecretKey = QStringLiteral("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

struct Captured {
    QByteArray requestLine;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QList<QByteArray> values(const QByteArray& name) const
    {
        QList<QByteArray> out;
        for (const auto& [key, value] : headers)
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                out.append(value);
        return out;
    }
    QByteArray value(const QByteArray& name) const
    {
        const QList<QByteArray> all = values(name);
        return all.isEmpty() ? QByteArray() : all.first();
    }
};

// Runs `send` on another thread and answers its one HTTP request on this one with 200 and an empty body.
Captured capture(
    QTcpServer& server, const std::function<S3BlobStore::Response()>& send, S3BlobStore::Response* response = nullptr)
{
    Captured captured;
    auto future = std::async(std::launch::async, send);
    if (server.waitForNewConnection(10000)) {
        QTcpSocket* socket = server.nextPendingConnection();
        QByteArray data;
        qsizetype headerEnd = -1;
        while (headerEnd < 0 && socket->waitForReadyRead(10000)) {
            data += socket->readAll();
            headerEnd = data.indexOf("\r\n\r\n");
        }
        const QList<QByteArray> lines = data.left(headerEnd).split('\n');
        captured.requestLine = lines.value(0).trimmed();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                captured.headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
        }
        if (captured.value("Expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            socket->waitForBytesWritten(10000);
        }
        const qsizetype length = captured.value("Content-Length").toLongLong();
        captured.body = data.mid(headerEnd + 4);
        while (captured.body.size() < length && socket->waitForReadyRead(10000))
            captured.body += socket->readAll();
        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        socket->waitForBytesWritten(10000);
        socket->disconnectFromHost();
        delete socket;
    }
    const S3BlobStore::Response r = future.get();
    if (response)
        *response = r;
    return captured;
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." -> its three parts.
QMap<QByteArray, QByteArray> authorizationParts(const QByteArray& header)
{
    QMap<QByteArray, QByteArray> parts;
    if (!header.startsWith("AWS4-HMAC-SHA256 "))
        return parts;
    for (const QByteArray& item : header.mid(17).split(',')) {
        const qsizetype eq = item.indexOf('=');
        if (eq > 0)
            parts.insert(item.left(eq).trimmed(), item.mid(eq + 1).trimmed());
    }
    return parts;
}

S3Config exampleConfig(quint16 port)
{
    // Virtual-hosted style (no bucket in the path), as in AWS's examples; the Host header names the bucket.
    S3Config config;
    config.endpoint = QStringLiteral("http://127.0.0.1:%1").arg(port);
    config.bucket.clear();
    config.region = QStringLiteral("us-east-1");
    config.accessKeyId = ExampleAccessKey;
    config.secretAccessKey = ExampleSecretKey;
    return config;
}

QByteArray sha256Hex(const QByteArray& data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(rng.bounded(256));
    return out;
}

bool inCi() { return !qEnvironmentVariableIsEmpty("CI"); }

} // namespace

#define REQUIRE_S3()                                                                                                   \
    do {                                                                                                               \
        if (!m_haveServer) {                                                                                           \
            if (inCi())                                                                                                \
                QFAIL("CI is set but SPANSCOPE_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY are not "                      \
                      "(eval \"$(tests/servers/swift.sh start DIR)\")");                                               \
            QSKIP("no S3 server: eval \"$(tests/servers/swift.sh start DIR)\" to run this test");                      \
        }                                                                                                              \
    } while (false)

class TestS3BlobStore : public QObject {
    Q_OBJECT

private:
    bool m_haveServer = false;
    S3Config m_config; // a bucket of its own for this run
    QString m_awsCli = QStringLiteral("/usr/bin/aws");

    S3Config serverConfig() const { return m_config; }

private Q_SLOTS:
    void initTestCase()
    {
        m_config.endpoint = qEnvironmentVariable("SPANSCOPE_TEST_S3_ENDPOINT");
        m_config.accessKeyId = qEnvironmentVariable("SPANSCOPE_TEST_S3_ACCESS_KEY");
        m_config.secretAccessKey = qEnvironmentVariable("SPANSCOPE_TEST_S3_SECRET_KEY");
        m_config.bucket
            = QStringLiteral("spanscope-test-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
        m_haveServer
            = !m_config.endpoint.isEmpty() && !m_config.accessKeyId.isEmpty() && !m_config.secretAccessKey.isEmpty();
        if (m_haveServer) {
            S3BlobStore store(m_config);
            QString error;
            QVERIFY2(store.ensureBucket(&error), qPrintable(error));
        }
    }

    // ---- SigV4 against AWS's published examples (no server) ----

    // GET Object: GET /test.txt, Range: bytes=0-9, 20130524T000000Z.
    void signsAwsGetObjectExample()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        S3BlobStore store(exampleConfig(server.serverPort()));
        S3BlobStore::Request request;
        request.method = "GET";
        request.key = QStringLiteral("test.txt");
        // libcurl 7.88 signs with a given x-amz-date instead of the clock (and signs every header given here).
        request.headers
            = { "Host: examplebucket.s3.amazonaws.com", "Range: bytes=0-9", "x-amz-date: 20130524T000000Z" };
        S3BlobStore::Response response;
        const Captured got = capture(
            server, [&] { return store.request(request); }, &response);

        QCOMPARE(response.status, 200L);
        QCOMPARE(got.requestLine, QByteArray("GET /test.txt HTTP/1.1"));
        QCOMPARE(got.value("x-amz-content-sha256"),
            QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        const auto parts = authorizationParts(got.value("Authorization"));
        QCOMPARE(parts.value("Credential"), QByteArray("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"));
        QCOMPARE(parts.value("SignedHeaders"), QByteArray("host;range;x-amz-content-sha256;x-amz-date"));
        QCOMPARE(
            parts.value("Signature"), QByteArray("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    }

    // PUT Object: PUT /test$file.text with "Welcome to Amazon S3.", Date and x-amz-storage-class headers. Also checks
    // the key encoding ('$' -> %24) and that the body's SHA-256 goes into x-amz-content-sha256.
    void signsAwsPutObjectExample()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        S3BlobStore store(exampleConfig(server.serverPort()));
        S3BlobStore::Request request;
        request.method = "PUT";
        request.key = QStringLiteral("test$file.text");
        request.headers = { "Host: examplebucket.s3.amazonaws.com", "Date: Fri, 24 May 2013 00:00:00 GMT",
            "x-amz-storage-class: REDUCED_REDUNDANCY", "x-amz-date: 20130524T000000Z" };
        request.body = "Welcome to Amazon S3.";
        const Captured got = capture(server, [&] { return store.request(request); });

        QCOMPARE(got.requestLine, QByteArray("PUT /test%24file.text HTTP/1.1"));
        QCOMPARE(got.body, QByteArray("Welcome to Amazon S3."));
        QCOMPARE(got.value("x-amz-content-sha256"),
            QByteArray("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"));
        const auto parts = authorizationParts(got.value("Authorization"));
        QCOMPARE(
            parts.value("SignedHeaders"), QByteArray("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"));
        QCOMPARE(
            parts.value("Signature"), QByteArray("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
    }

    // GET Bucket (List Objects): GET /?max-keys=2&prefix=J. Given unsorted here: the canonical order is ours to make.
    void signsAwsListObjectsExample()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        S3BlobStore store(exampleConfig(server.serverPort()));
        S3BlobStore::Request request;
        request.method = "GET";
        request.query = { { QStringLiteral("prefix"), QStringLiteral("J") },
            { QStringLiteral("max-keys"), QStringLiteral("2") } };
        request.headers = { "Host: examplebucket.s3.amazonaws.com", "x-amz-date: 20130524T000000Z" };
        const Captured got = capture(server, [&] { return store.request(request); });

        QCOMPARE(got.requestLine, QByteArray("GET /?max-keys=2&prefix=J HTTP/1.1"));
        const auto parts = authorizationParts(got.value("Authorization"));
        QCOMPARE(parts.value("SignedHeaders"), QByteArray("host;x-amz-content-sha256;x-amz-date"));
        QCOMPARE(
            parts.value("Signature"), QByteArray("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
    }

    // GET Bucket Lifecycle: GET /?lifecycle, whose canonical query is "lifecycle=" (a parameter without a value).
    void signsAwsBucketLifecycleExample()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        S3BlobStore store(exampleConfig(server.serverPort()));
        S3BlobStore::Request request;
        request.method = "GET";
        request.query = { { QStringLiteral("lifecycle"), QString() } };
        request.headers = { "Host: examplebucket.s3.amazonaws.com", "x-amz-date: 20130524T000000Z" };
        const Captured got = capture(server, [&] { return store.request(request); });

        QCOMPARE(got.requestLine, QByteArray("GET /?lifecycle= HTTP/1.1"));
        const auto parts = authorizationParts(got.value("Authorization"));
        QCOMPARE(
            parts.value("Signature"), QByteArray("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
    }

    // What put() really sends, path-style: bucket and encoded key in the path, a signed Content-Type, the payload
    // hash, and an access key with a colon (Swift's account:user) intact in the Credential.
    void putSendsPathStyleSignedRequest()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        S3Config config = exampleConfig(server.serverPort());
        config.bucket = QStringLiteral("otel-traces");
        config.accessKeyId = QStringLiteral("test:tester");
        config.region = QStringLiteral("eu-west-3");
        S3BlobStore store(config);
        const QByteArray body = randomBytes(1000, 7);
        bool ok = false;
        QString error;
        const Captured got = capture(server, [&] {
            ok = store.put(
                QStringLiteral("prod/a b/ü+%/x/../.json.gz"), body, QStringLiteral("application/gzip"), &error);
            return S3BlobStore::Response();
        });
        QVERIFY2(ok, qPrintable(error));
        QCOMPARE(got.requestLine, QByteArray("PUT /otel-traces/prod/a%20b/%C3%BC%2B%25/x/../.json.gz HTTP/1.1"));
        QCOMPARE(got.body, body);
        QCOMPARE(got.value("Content-Type"), QByteArray("application/gzip"));
        QCOMPARE(got.value("x-amz-content-sha256"), sha256Hex(body));
        QCOMPARE(got.value("Host"), QByteArray("127.0.0.1:") + QByteArray::number(server.serverPort()));
        const auto parts = authorizationParts(got.value("Authorization"));
        QVERIFY2(parts.value("Credential").startsWith("test:tester/"), parts.value("Credential").constData());
        QVERIFY(parts.value("Credential").endsWith("/eu-west-3/s3/aws4_request"));
        QCOMPARE(parts.value("SignedHeaders"), QByteArray("content-type;host;x-amz-content-sha256;x-amz-date"));
        QCOMPARE(parts.value("Signature").size(), 64);
    }

    void uriEncode_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("keepSlash");
        QTest::addColumn<QByteArray>("encoded");
        QTest::newRow("unreserved") << QStringLiteral("AZaz09-._~") << true << QByteArray("AZaz09-._~");
        QTest::newRow("slash kept in paths") << QStringLiteral("a/b") << true << QByteArray("a/b");
        QTest::newRow("slash encoded in queries") << QStringLiteral("a/b") << false << QByteArray("a%2Fb");
        QTest::newRow("space") << QStringLiteral("a b") << true << QByteArray("a%20b");
        QTest::newRow("reserved") << QStringLiteral("+=&?#%$!*'(),;:@[]") << true
                                  << QByteArray("%2B%3D%26%3F%23%25%24%21%2A%27%28%29%2C%3B%3A%40%5B%5D");
        QTest::newRow("utf-8, upper-case hex")
            << QStringLiteral("é€😀") << true << QByteArray("%C3%A9%E2%82%AC%F0%9F%98%80");
    }
    void uriEncode()
    {
        QFETCH(QString, text);
        QFETCH(bool, keepSlash);
        QFETCH(QByteArray, encoded);
        QCOMPARE(S3BlobStore::uriEncode(text, keepSlash), encoded);
    }

    void traceObjectKey_data()
    {
        QTest::addColumn<QString>("environment");
        QTest::addColumn<QString>("service");
        QTest::addColumn<quint64>("startNs");
        QTest::addColumn<QString>("key");
        const QString id = QStringLiteral("5b8efff798038103d269b633813fc60c");
        // 2024-02-29T23:59:59.999999999Z: the date is the UTC day of the start, never rounded up.
        const quint64 leapNight = 1709251199999999999ull;
        QTest::newRow("plain") << QStringLiteral("prod") << QStringLiteral("checkout") << leapNight
                               << QStringLiteral("prod/checkout/2024-02-29/") + id + QStringLiteral(".json.gz");
        QTest::newRow("next day") << QStringLiteral("prod") << QStringLiteral("checkout") << leapNight + 1
                                  << QStringLiteral("prod/checkout/2024-03-01/") + id + QStringLiteral(".json.gz");
        QTest::newRow("epoch, defaults") << QString() << QString() << quint64(0)
                                         << QStringLiteral("default/unknown_service/1970-01-01/") + id
                + QStringLiteral(".json.gz");
        QTest::newRow("slashes stay one level")
            << QStringLiteral("eu/prod") << QStringLiteral("/api/v2/") << leapNight
            << QStringLiteral("eu_prod/_api_v2_/2024-02-29/") + id + QStringLiteral(".json.gz");
        QTest::newRow("dot segments") << QStringLiteral(".") << QStringLiteral("..") << leapNight
                                      << QStringLiteral("_/__/2024-02-29/") + id + QStringLiteral(".json.gz");
        QTest::newRow("unicode and spaces kept")
            << QStringLiteral("staging 2") << QStringLiteral("Bestellung-ü") << leapNight
            << QStringLiteral("staging 2/Bestellung-ü/2024-02-29/") + id + QStringLiteral(".json.gz");
    }
    void traceObjectKey()
    {
        QFETCH(QString, environment);
        QFETCH(QString, service);
        QFETCH(quint64, startNs);
        QFETCH(QString, key);
        const TraceId id = TraceId::fromHex(u"5B8EFFF798038103D269B633813FC60C");
        QCOMPARE(S3BlobStore::traceObjectKey(environment, service, startNs, id), key);
    }

    void configFromEnvironment()
    {
        const QByteArrayList names = { "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION" };
        QList<QPair<QByteArray, std::optional<QByteArray>>> saved;
        for (const QByteArray& name : names)
            saved.append({ name,
                qEnvironmentVariableIsSet(name.constData()) ? std::optional<QByteArray>(qgetenv(name.constData()))
                                                            : std::nullopt });
        auto restore = qScopeGuard([&] {
            for (const auto& [name, value] : saved)
                value ? qputenv(name.constData(), *value) : qunsetenv(name.constData());
        });
        for (const QByteArray& name : names)
            qunsetenv(name.constData());

        S3Config config = S3Config::fromEnvironment();
        QCOMPARE(config.endpoint, QString());
        QCOMPARE(config.region, QStringLiteral("us-east-1"));
        QCOMPARE(config.bucket, QStringLiteral("otel-traces"));

        qputenv("AWS_ENDPOINT_URL", "http://generic:1");
        qputenv("AWS_DEFAULT_REGION", "eu-central-1");
        config = S3Config::fromEnvironment();
        QCOMPARE(config.endpoint, QStringLiteral("http://generic:1"));
        QCOMPARE(config.region, QStringLiteral("eu-central-1"));

        qputenv("AWS_ENDPOINT_URL_S3", "http://s3only:2");
        qputenv("AWS_REGION", "ap-south-1");
        qputenv("AWS_ACCESS_KEY_ID", "test:tester");
        qputenv("AWS_SECRET_ACCESS_KEY", "testing");
        config = S3Config::fromEnvironment();
        QCOMPARE(config.endpoint, QStringLiteral("http://s3only:2"));
        QCOMPARE(config.region, QStringLiteral("ap-south-1"));
        QCOMPARE(config.accessKeyId, QStringLiteral("test:tester"));
        QCOMPARE(config.secretAccessKey, QStringLiteral("testing"));
    }

    void missingConfigurationIsAnError()
    {
        S3BlobStore noEndpoint(S3Config {});
        QString error;
        QVERIFY(!noEndpoint.put(QStringLiteral("k"), "x", QString(), &error));
        QVERIFY2(error.contains(QLatin1String("no S3 endpoint")), qPrintable(error));

        S3Config config;
        config.endpoint = QStringLiteral("http://127.0.0.1:1");
        S3BlobStore noCredentials(config);
        QVERIFY(!noCredentials.get(QStringLiteral("k"), &error));
        QVERIFY2(error.contains(QLatin1String("no S3 credentials")), qPrintable(error));
    }

    // Nothing listens: a clear connection error naming the endpoint, at once.
    void serverNotRunning()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        S3Config config = exampleConfig(port);
        config.bucket = QStringLiteral("otel-traces");
        S3BlobStore store(config);
        QString error;
        QVERIFY(!store.put(QStringLiteral("a/b.json.gz"), "x", QString(), &error));
        QVERIFY2(error.startsWith(QStringLiteral("PUT otel-traces/a/b.json.gz @ http://127.0.0.1:%1: ").arg(port)),
            qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("Couldn't connect to server")), qPrintable(error));
        QVERIFY(!store.get(QStringLiteral("a/b.json.gz"), &error));
        QVERIFY2(error.contains(QLatin1String("Couldn't connect to server")), qPrintable(error));
        QStringList keys;
        QVERIFY(!store.list(QString(), &keys, &error));
        QVERIFY(!store.ensureBucket(&error));
        QVERIFY2(error.contains(QLatin1String("Couldn't connect to server")), qPrintable(error));
    }

    // Credentials in the endpoint's user info (issue 8 section 5): used (a '/' in the secret may stay unencoded), sent
    // only as the SigV4 signature, and never in the description or an error.
    void endpointCredentials()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        S3Config config;
        config.endpoint = QStringLiteral("http://AKIDINURL:Url/Secret%2Bkey@") + hostPort;
        config.bucket = QStringLiteral("otel-traces");
        S3BlobStore store(config);
        QCOMPARE(store.config().endpoint, QStringLiteral("http://") + hostPort);
        QCOMPARE(store.config().accessKeyId, QStringLiteral("AKIDINURL"));
        QCOMPARE(store.config().secretAccessKey, QStringLiteral("Url/Secret+key"));
        QCOMPARE(store.description(), QStringLiteral("s3://otel-traces @ http://") + hostPort);
        const Captured got = capture(server, [&] {
            S3BlobStore::Request head;
            head.method = QByteArrayLiteral("HEAD");
            return store.request(head);
        });
        QCOMPARE(got.requestLine, QByteArray("HEAD /otel-traces HTTP/1.1"));
        QVERIFY(authorizationParts(got.value("Authorization")).value("Credential").startsWith("AKIDINURL/"));
        for (const auto& [name, value] : got.headers)
            QVERIFY2(!value.contains("Secret"), name.constData());

        // They win over credentials from elsewhere (e.g. AWS_ACCESS_KEY_ID); a user without a password only replaces
        // the access key id.
        config.accessKeyId = QStringLiteral("AKIDENV");
        config.secretAccessKey = QStringLiteral("env-secret");
        S3BlobStore fromUrl(config);
        QCOMPARE(fromUrl.config().accessKeyId, QStringLiteral("AKIDINURL"));
        QCOMPARE(fromUrl.config().secretAccessKey, QStringLiteral("Url/Secret+key"));
        config.endpoint = QStringLiteral("http://AKIDINURL@") + hostPort;
        S3BlobStore userOnly(config);
        QCOMPARE(userOnly.config().accessKeyId, QStringLiteral("AKIDINURL"));
        QCOMPARE(userOnly.config().secretAccessKey, QStringLiteral("env-secret"));
        QCOMPARE(userOnly.config().endpoint, QStringLiteral("http://") + hostPort);
    }

    void endpointCredentialsNeverInErrors()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        S3Config config;
        config.endpoint = QStringLiteral("http://AKIDINURL:UrlSecretKey@127.0.0.1:%1").arg(port);
        S3BlobStore store(config);
        QString error;
        QVERIFY(!store.put(QStringLiteral("a/b.json.gz"), "x", QString(), &error));
        QVERIFY2(error.startsWith(QStringLiteral("PUT otel-traces/a/b.json.gz @ http://127.0.0.1:%1: ").arg(port)),
            qPrintable(error));
        QVERIFY(!store.ensureBucket(&error));
        for (const QString& text : { error, store.description() }) {
            QVERIFY2(!text.contains(QLatin1String("UrlSecretKey")), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1String("AKIDINURL")), qPrintable(text));
        }

        // A name libcurl cannot resolve: its message names the host, never the credentials.
        config.endpoint = QStringLiteral("http://AKIDINURL:UrlSecretKey@no-such-host.invalid:9000");
        S3BlobStore unresolvable(config);
        QVERIFY(!unresolvable.get(QStringLiteral("k"), &error));
        QVERIFY2(!error.contains(QLatin1String("UrlSecretKey")) && !error.contains(QLatin1String("AKIDINURL")),
            qPrintable(error));
    }

    // A server that accepts the connection and never answers: the request ends with libcurl's timeout error.
    void silentServerTimesOut()
    {
        QTcpServer silent; // the kernel accepts; nobody reads or answers
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        S3Config config = exampleConfig(silent.serverPort());
        config.bucket = QStringLiteral("otel-traces");
        config.requestTimeoutMs = 300;
        S3BlobStore store(config);
        QString error;
        QVERIFY(!store.get(QStringLiteral("k"), &error));
        QVERIFY2(error.contains(QLatin1String("Timeout was reached")), qPrintable(error));
    }

    // ---- against a real S3 server ----

    void ensureBucketCreatesOnce()
    {
        REQUIRE_S3();
        S3Config config = serverConfig();
        config.bucket += QStringLiteral("-new");
        S3BlobStore store(config);
        S3BlobStore::Request head;
        head.method = "HEAD";
        QCOMPARE(store.request(head).status, 404L);
        QString error;
        QVERIFY2(store.ensureBucket(&error), qPrintable(error));
        QCOMPARE(store.request(head).status, 200L);
        QVERIFY2(store.ensureBucket(&error), qPrintable(error)); // exists: HEAD only
        QVERIFY2(store.put(QStringLiteral("k"), "v", QString(), &error), qPrintable(error));
    }

    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("contentType");
        QByteArray allBytes;
        for (int i = 0; i < 4 * 256; ++i)
            allBytes += char(i % 256);
        QTest::newRow("binary") << allBytes << QStringLiteral("application/gzip");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("application/json");
        QTest::newRow("5 MiB") << randomBytes(qsizetype(5) * 1024 * 1024, 42) << QString();
    }
    void roundTrip()
    {
        REQUIRE_S3();
        QFETCH(QByteArray, data);
        QFETCH(QString, contentType);
        S3BlobStore store(serverConfig());
        const QString key = QStringLiteral("roundtrip/%1.bin").arg(QString::fromLatin1(QTest::currentDataTag()));
        QString error;
        QVERIFY2(store.put(key, data, contentType, &error), qPrintable(error));

        const std::optional<QByteArray> got = store.get(key, &error);
        QVERIFY2(got, qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(got->size(), data.size());
        QVERIFY(*got == data);

        const std::optional<BlobInfo> info = store.head(key, &error);
        QVERIFY2(info, qPrintable(error));
        QCOMPARE(info->size, qint64(data.size()));
        // Single-part PUT: the ETag is the MD5 of the bytes (S3 and Swift alike), unquoted here.
        QCOMPARE(info->etag, QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Md5).toHex()));
        QCOMPARE(info->contentType, contentType.isEmpty() ? QStringLiteral("application/octet-stream") : contentType);
        QVERIFY(info->lastModified.isValid());
        QCOMPARE(info->lastModified.timeSpec(), Qt::UTC);

        // Overwrite replaces.
        QVERIFY2(store.put(key, "replaced", contentType, &error), qPrintable(error));
        QCOMPARE(store.get(key, &error).value_or(QByteArray()), QByteArray("replaced"));
    }

    void missingKeyIsNotAnError()
    {
        REQUIRE_S3();
        S3BlobStore store(serverConfig());
        QString error = QStringLiteral("stale");
        QVERIFY(!store.get(QStringLiteral("no/such/key.json.gz"), &error));
        QCOMPARE(error, QString());
        error = QStringLiteral("stale");
        QVERIFY(!store.head(QStringLiteral("no/such/key.json.gz"), &error));
        QCOMPARE(error, QString());
    }

    void missingBucketIsAnError()
    {
        REQUIRE_S3();
        S3Config config = serverConfig();
        config.bucket += QStringLiteral("-absent");
        S3BlobStore store(config);
        QString error;
        QVERIFY(!store.get(QStringLiteral("k"), &error));
        QVERIFY2(error.contains(QLatin1String("404 NoSuchBucket")), qPrintable(error));
        QVERIFY(!store.head(QStringLiteral("k"), &error));
        QVERIFY2(error.contains(QLatin1String("NoSuchBucket")), qPrintable(error));
        QStringList keys;
        QVERIFY(!store.list(QString(), &keys, &error));
        QVERIFY2(error.contains(QLatin1String("404 NoSuchBucket")), qPrintable(error));
        QVERIFY(!store.put(QStringLiteral("k"), "v", QString(), &error));
        QVERIFY2(error.contains(QLatin1String("404 NoSuchBucket")), qPrintable(error));
        QVERIFY(!store.remove(QStringLiteral("k"), &error));
        QVERIFY2(error.contains(QLatin1String("404 NoSuchBucket")), qPrintable(error));
    }

    // DeleteObject removes exactly that key; the same delete again, or of a key never written, succeeds.
    void removeDeletesTheObject()
    {
        REQUIRE_S3();
        S3BlobStore store(serverConfig());
        const QString key = QStringLiteral("remove/5b8efff798038103d269b633813fc60c.json.gz");
        const QString neighbour = key + QStringLiteral(".keep");
        QString error;
        QVERIFY2(store.put(key, "old object", QStringLiteral("application/gzip"), &error), qPrintable(error));
        QVERIFY2(store.put(neighbour, "neighbour", QString(), &error), qPrintable(error));

        QVERIFY2(store.remove(key, &error), qPrintable(error));
        error = QStringLiteral("stale");
        QVERIFY(!store.get(key, &error));
        QCOMPARE(error, QString()); // gone, not failing
        QVERIFY(!store.head(key, &error));
        QCOMPARE(error, QString());
        QStringList keys;
        QVERIFY2(store.list(QStringLiteral("remove/"), &keys, &error), qPrintable(error));
        QCOMPARE(keys, QStringList { neighbour });
        QCOMPARE(store.get(neighbour, &error).value_or(QByteArray("<missing>")), QByteArray("neighbour"));

        error.clear();
        QVERIFY2(store.remove(key, &error), qPrintable(error)); // already gone
        QVERIFY2(store.remove(QStringLiteral("remove/never/written.json.gz"), &error), qPrintable(error));
        QCOMPARE(error, QString());

        QVERIFY(!store.remove(QString(), &error)); // would address the bucket
        QVERIFY2(error.contains(QLatin1String("empty object key")), qPrintable(error));
        QVERIFY2(store.list(QStringLiteral("remove/"), &keys, &error), qPrintable(error));
        QCOMPARE(keys, QStringList { neighbour });
    }

    // 25 keys under the prefix in pages of 7 (4 ListObjectsV2 requests), with neighbours that must not match.
    void listFollowsContinuation()
    {
        REQUIRE_S3();
        S3BlobStore store(serverConfig());
        QString error;
        QStringList expected;
        for (int i = 0; i < 25; ++i) {
            const QString key = QStringLiteral("list/%1.json.gz").arg(i, 3, 10, QLatin1Char('0'));
            QVERIFY2(store.put(key, QByteArray::number(i), QString(), &error), qPrintable(error));
            expected.append(key);
        }
        for (const QString& other : { QStringLiteral("lisT/x"), QStringLiteral("listx/y"), QStringLiteral("lis") })
            QVERIFY2(store.put(other, "n", QString(), &error), qPrintable(error));

        store.setListPageSize(7);
        QStringList keys;
        QVERIFY2(store.list(QStringLiteral("list/"), &keys, &error), qPrintable(error));
        QCOMPARE(keys, expected);

        store.setListPageSize(1000);
        QVERIFY2(store.list(QStringLiteral("list/"), &keys, &error), qPrintable(error));
        QCOMPARE(keys, expected);

        QVERIFY2(store.list(QStringLiteral("nothing-here/"), &keys, &error), qPrintable(error));
        QVERIFY(keys.isEmpty());
    }

    void specialKeys_data()
    {
        QTest::addColumn<QString>("key");
        QTest::newRow("spaces") << QStringLiteral("special/with  two spaces .json");
        QTest::newRow("unicode") << QStringLiteral("special/Grüße/日本語/😀.json.gz");
        QTest::newRow("plus and percent") << QStringLiteral("special/a+b%20c%2Fd");
        QTest::newRow("query characters") << QStringLiteral("special/q?x=1&y=2#frag");
        QTest::newRow("reserved") << QStringLiteral("special/!$'()*,;:@[]~=");
        QTest::newRow("empty segment") << QStringLiteral("special/a//b");
        QTest::newRow("trailing slash") << QStringLiteral("special/dir/");
    }
    void specialKeys()
    {
        REQUIRE_S3();
        QFETCH(QString, key);
        S3BlobStore store(serverConfig());
        QString error;
        const QByteArray data = key.toUtf8();
        QVERIFY2(store.put(key, data, QString(), &error), qPrintable(error));
        QCOMPARE(store.get(key, &error).value_or(QByteArray("<missing>")), data);
        QVERIFY2(store.head(key, &error), qPrintable(error));
        QStringList keys;
        QVERIFY2(store.list(key, &keys, &error), qPrintable(error));
        QVERIFY2(keys.contains(key), qPrintable(keys.join(QLatin1Char('|'))));
    }

    void wrongSecretIsSignatureDoesNotMatch()
    {
        REQUIRE_S3();
        S3Config config = serverConfig();
        config.secretAccessKey = QStringLiteral("not-the-secret");
        S3BlobStore store(config);
        const QString key = QStringLiteral("a/b.json.gz");
        QString error;
        QVERIFY(!store.put(key, "x", QString(), &error));
        QVERIFY2(
            error.startsWith(QStringLiteral("PUT %1/%2: HTTP 403 SignatureDoesNotMatch: ").arg(config.bucket, key)),
            qPrintable(error));
        QVERIFY(!store.get(key, &error));
        QVERIFY2(error.contains(QLatin1String("403 SignatureDoesNotMatch")), qPrintable(error));
        QVERIFY(!store.head(key, &error));
        QVERIFY2(error.contains(QLatin1String("403")), qPrintable(error));
        QStringList keys;
        QVERIFY(!store.list(QString(), &keys, &error));
        QVERIFY2(error.contains(QLatin1String("403 SignatureDoesNotMatch")), qPrintable(error));

        // A refused delete leaves the object where it was.
        S3BlobStore good(serverConfig());
        const QString kept = QStringLiteral("wrong-secret/kept.json.gz");
        QVERIFY2(good.put(kept, "still here", QString(), &error), qPrintable(error));
        QVERIFY(!store.remove(kept, &error));
        QVERIFY2(
            error.startsWith(QStringLiteral("DELETE %1/%2: HTTP 403 SignatureDoesNotMatch: ").arg(config.bucket, kept)),
            qPrintable(error));
        QCOMPARE(good.get(kept, &error).value_or(QByteArray("<missing>")), QByteArray("still here"));
    }

    // The real server with its credentials in the endpoint URL only (Swift's access key "test:tester" has a ':',
    // percent-encoded in the user info).
    void endpointCredentialsAgainstServer()
    {
        REQUIRE_S3();
        S3Config config = serverConfig();
        QString endpoint = config.endpoint;
        endpoint.insert(endpoint.indexOf(QLatin1String("://")) + 3,
            QString::fromLatin1(QUrl::toPercentEncoding(config.accessKeyId) + ':'
                + QUrl::toPercentEncoding(config.secretAccessKey) + '@'));
        config.endpoint = endpoint;
        config.accessKeyId.clear();
        config.secretAccessKey.clear();
        S3BlobStore store(config);
        QString error;
        QVERIFY2(
            store.put(QStringLiteral("url-credentials/a.json.gz"), "payload", QString(), &error), qPrintable(error));
        QCOMPARE(store.get(QStringLiteral("url-credentials/a.json.gz"), &error).value_or(QByteArray()),
            QByteArray("payload"));
        QVERIFY2(!store.description().contains(serverConfig().secretAccessKey), qPrintable(store.description()));
    }

    // Many threads on one store: the handle cache hands each call its own easy handle.
    void concurrentCalls()
    {
        REQUIRE_S3();
        S3BlobStore store(serverConfig());
        std::vector<std::future<QString>> results;
        results.reserve(6);
        for (int t = 0; t < 6; ++t) {
            results.push_back(std::async(std::launch::async, [&store, t] {
                for (int i = 0; i < 10; ++i) {
                    const QString key = QStringLiteral("concurrent/%1/%2").arg(t).arg(i);
                    const QByteArray data = randomBytes(1000 + i, quint32(t * 100 + i));
                    QString error;
                    if (!store.put(key, data, QString(), &error))
                        return error;
                    if (store.get(key, &error).value_or(QByteArray()) != data)
                        return QStringLiteral("%1 read back differently: %2").arg(key, error);
                }
                return QString();
            }));
        }
        for (auto& result : results) {
            const QString error = result.get();
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        QStringList keys;
        QString error;
        QVERIFY2(store.list(QStringLiteral("concurrent/"), &keys, &error), qPrintable(error));
        QCOMPARE(keys.size(), 60);
    }

    // Debian's AWS CLI reads what we wrote and writes what we read (same server, independent SigV4 implementation).
    void awsCliCrossCheck()
    {
        REQUIRE_S3();
        if (!QFile::exists(m_awsCli)) {
            if (inCi())
                QFAIL("CI is set but /usr/bin/aws is missing (packaging/install-deps.sh --test)");
            QSKIP("/usr/bin/aws (Debian's awscli) is not installed");
        }
        QTemporaryDir home;
        QVERIFY(home.isValid());
        {
            // Path-style addressing: bucket names need no DNS; a whole signed body per request (Swift answers
            // aws-chunked uploads with 501).
            QFile configFile(home.filePath(QStringLiteral("config")));
            QVERIFY(configFile.open(QIODevice::WriteOnly));
            configFile.write("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n"
                             "    payload_signing_enabled = true\n");
        }
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("AWS_CONFIG_FILE"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("AWS_SHARED_CREDENTIALS_FILE"), home.filePath(QStringLiteral("credentials")));
        env.insert(QStringLiteral("AWS_ACCESS_KEY_ID"), m_config.accessKeyId);
        env.insert(QStringLiteral("AWS_SECRET_ACCESS_KEY"), m_config.secretAccessKey);
        env.insert(QStringLiteral("AWS_EC2_METADATA_DISABLED"), QStringLiteral("true"));
        env.insert(QStringLiteral("AWS_PAGER"), QString());
        for (const char* name : { "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                 "AWS_REGION", "AWS_DEFAULT_REGION" })
            env.remove(QString::fromLatin1(name));
        auto aws = [&](const QStringList& args, const QByteArray& input, QByteArray* out) -> QString {
            QProcess process;
            process.setProcessEnvironment(env);
            process.start(m_awsCli, QStringList { QStringLiteral("--endpoint-url"), m_config.endpoint } + args);
            if (!process.waitForStarted(30000))
                return QStringLiteral("aws did not start: ") + process.errorString();
            process.write(input);
            process.closeWriteChannel();
            if (!process.waitForFinished(120000))
                return QStringLiteral("aws did not finish");
            if (out)
                *out = process.readAllStandardOutput();
            if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
                return QStringLiteral("aws %1 failed (%2): %3")
                    .arg(args.join(QLatin1Char(' ')))
                    .arg(process.exitCode())
                    .arg(QString::fromUtf8(process.readAllStandardError()));
            return QString();
        };

        S3BlobStore store(serverConfig());
        QString error;
        const QByteArray ours = randomBytes(qsizetype(300) * 1024, 99);
        const QString ourKey = QStringLiteral("cross/written by spanscope ü.bin");
        QVERIFY2(store.put(ourKey, ours, QString(), &error), qPrintable(error));
        QByteArray read;
        error = aws({ QStringLiteral("s3"), QStringLiteral("cp"),
                        QStringLiteral("s3://%1/%2").arg(m_config.bucket, ourKey), QStringLiteral("-") },
            {}, &read);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(read == ours);

        const QByteArray theirs = randomBytes(qsizetype(200) * 1024, 100);
        const QString theirKey = QStringLiteral("cross/written by aws + cli é.bin");
        const QString file = home.filePath(QStringLiteral("upload.bin"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(theirs);
        }
        error = aws({ QStringLiteral("s3"), QStringLiteral("cp"), file,
                        QStringLiteral("s3://%1/%2").arg(m_config.bucket, theirKey) },
            {}, nullptr);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const std::optional<QByteArray> got = store.get(theirKey, &error);
        QVERIFY2(got, qPrintable(error));
        QVERIFY(*got == theirs);

        QStringList keys;
        QVERIFY2(store.list(QStringLiteral("cross/"), &keys, &error), qPrintable(error));
        QCOMPARE(keys, (QStringList { theirKey, ourKey }));

        // Our DeleteObject, as the CLI sees it.
        QVERIFY2(store.remove(theirKey, &error), qPrintable(error));
        QByteArray listing;
        error
            = aws({ QStringLiteral("s3"), QStringLiteral("ls"), QStringLiteral("s3://%1/cross/").arg(m_config.bucket) },
                {}, &listing);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(listing.contains("written by spanscope"), listing.constData());
        QVERIFY2(!listing.contains("written by aws"), listing.constData());
    }
};

QTEST_GUILESS_MAIN(TestS3BlobStore)
#include "tst_s3blobstore.moc"
