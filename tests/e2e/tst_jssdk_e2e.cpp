// End to end with a real client: the OpenTelemetry JS SDK's OTLP exporters (protobuf+gzip and JSON) send
// agent-shaped traces to `spanscope serve`; the stored spans are compared with what the SDK says it sent,
// field by field, times to the nanosecond. Also checks that SIGTERM commits and exits 0.

#include "storage/sqlitetracestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <map>

namespace {

bool inCi()
{
    return !qEnvironmentVariableIsEmpty("CI");
}

AnyValue expectedValue(const QJsonObject& v)
{
    if (v.contains(QStringLiteral("string")))
        return AnyValue::fromString(v.value(QStringLiteral("string")).toString());
    if (v.contains(QStringLiteral("bool")))
        return AnyValue::fromBool(v.value(QStringLiteral("bool")).toBool());
    if (v.contains(QStringLiteral("int")))
        return AnyValue::fromInt(v.value(QStringLiteral("int")).toString().toLongLong());
    if (v.contains(QStringLiteral("double")))
        return AnyValue::fromDouble(v.value(QStringLiteral("double")).toDouble());
    AnyValue array;
    array.type = AnyValue::Type::Array;
    for (const auto& e : v.value(QStringLiteral("array")).toArray())
        array.arrayValue.push_back(expectedValue(e.toObject()));
    return array;
}

Attributes expectedAttributes(const QJsonValue& list)
{
    Attributes out;
    for (const auto& kv : list.toArray()) {
        const QJsonObject o = kv.toObject();
        out.push_back({ o.value(QStringLiteral("key")).toString(), expectedValue(o.value(QStringLiteral("value")).toObject()) });
    }
    return out;
}

std::uint64_t ns(const QJsonValue& v)
{
    return v.toString().toULongLong();
}

} // namespace

class TestJsSdkEndToEnd : public QObject {
    Q_OBJECT

    QString m_node;
    QString m_jsDir = QStringLiteral(SPANSCOPE_E2E_JS_DIR);

    void compareSpan(const QJsonObject& e, const Span& s)
    {
        const QString id = e.value(QStringLiteral("name")).toString();
        QCOMPARE(s.traceId.toHex(), e.value(QStringLiteral("traceId")).toString());
        QCOMPARE(s.spanId.toHex(), e.value(QStringLiteral("spanId")).toString());
        const QString parent = e.value(QStringLiteral("parentSpanId")).toString();
        QCOMPARE(s.parentSpanId.isValid() ? s.parentSpanId.toHex() : QString(), parent);
        QCOMPARE(s.name, id);
        QCOMPARE(int(s.kind), e.value(QStringLiteral("kind")).toInt());
        QCOMPARE(s.startTimeUnixNano, ns(e.value(QStringLiteral("startTimeUnixNano"))));
        QCOMPARE(s.endTimeUnixNano, ns(e.value(QStringLiteral("endTimeUnixNano"))));
        QCOMPARE(int(s.flags & 0xff), e.value(QStringLiteral("traceFlags")).toInt());
        QCOMPARE(s.attributes, expectedAttributes(e.value(QStringLiteral("attributes"))));

        const QJsonArray events = e.value(QStringLiteral("events")).toArray();
        QCOMPARE(s.events.size(), std::size_t(events.size()));
        for (int i = 0; i < events.size(); ++i) {
            const QJsonObject ev = events[i].toObject();
            QCOMPARE(s.events[i].name, ev.value(QStringLiteral("name")).toString());
            QCOMPARE(s.events[i].timeUnixNano, ns(ev.value(QStringLiteral("timeUnixNano"))));
            QCOMPARE(s.events[i].attributes, expectedAttributes(ev.value(QStringLiteral("attributes"))));
        }
        const QJsonArray links = e.value(QStringLiteral("links")).toArray();
        QCOMPARE(s.links.size(), std::size_t(links.size()));
        for (int i = 0; i < links.size(); ++i) {
            const QJsonObject l = links[i].toObject();
            QCOMPARE(s.links[i].traceId.toHex(), l.value(QStringLiteral("traceId")).toString());
            QCOMPARE(s.links[i].spanId.toHex(), l.value(QStringLiteral("spanId")).toString());
            QCOMPARE(s.links[i].attributes, expectedAttributes(l.value(QStringLiteral("attributes"))));
        }
        const QJsonObject status = e.value(QStringLiteral("status")).toObject();
        QCOMPARE(int(s.statusCode), status.value(QStringLiteral("code")).toInt());
        QCOMPARE(s.statusMessage, status.value(QStringLiteral("message")).toString());
        QVERIFY(s.resource);
        QCOMPARE(s.resource->attributes, expectedAttributes(e.value(QStringLiteral("resource"))));
        QVERIFY(s.scope);
        const QJsonObject scope = e.value(QStringLiteral("scope")).toObject();
        QCOMPARE(s.scope->name, scope.value(QStringLiteral("name")).toString());
        QCOMPARE(s.scope->version, scope.value(QStringLiteral("version")).toString());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        const bool haveModules = QFile::exists(m_jsDir + QStringLiteral("/node_modules/@opentelemetry/sdk-trace/package.json"));
        if (m_node.isEmpty() || !haveModules) {
            const QByteArray why = "node or the test client's npm packages are missing (run npm ci in tests/e2e/js)";
            if (inCi())
                QFAIL(why.constData());
            QSKIP(why.constData());
        }
    }

    void sdkExportersToServe()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("e2e.db"));
        QProcess serve;
        serve.setProcessChannelMode(QProcess::SeparateChannels);
        serve.start(QStringLiteral(SPANSCOPE_BINARY),
                    { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("--grpc-listen"), QStringLiteral("127.0.0.1:0"),
                      QStringLiteral("--store"), QStringLiteral("sqlite:") + db });
        QVERIFY2(serve.waitForStarted(10000), qPrintable(serve.errorString()));
        QByteArray banner;
        while (!banner.contains("OTLP/gRPC on") && serve.waitForReadyRead(10000))
            banner += serve.readAllStandardOutput();
        const int at = banner.indexOf("http://");
        QVERIFY2(at >= 0, QByteArray(banner + serve.readAllStandardError()).constData());
        const QByteArray endpoint = banner.mid(at, banner.indexOf("/v1/traces", at) + 10 - at);
        const int grpcAt = banner.indexOf("OTLP/gRPC on ") + 13;
        const QByteArray grpcEndpoint = "http://" + banner.mid(grpcAt, banner.indexOf('\n', grpcAt) - grpcAt).trimmed();

        struct Run {
            QString protocol, compression, file;
        };
        const std::vector<Run> runs { { QStringLiteral("proto"), QStringLiteral("gzip"), dir.filePath(QStringLiteral("proto.json")) },
                                      { QStringLiteral("json"), QStringLiteral("none"), dir.filePath(QStringLiteral("json.json")) },
                                      { QStringLiteral("grpc"), QStringLiteral("gzip"), dir.filePath(QStringLiteral("grpc.json")) } };
        for (const Run& run : runs) {
            QProcess node;
            node.setWorkingDirectory(m_jsDir);
            node.setProcessChannelMode(QProcess::MergedChannels);
            const QByteArray url = run.protocol == QLatin1String("grpc") ? grpcEndpoint : endpoint;
            node.start(m_node, { QStringLiteral("send-agent-trace.mjs"), QString::fromLatin1(url), run.protocol,
                                 run.compression, run.file });
            QVERIFY(node.waitForFinished(60000));
            const QByteArray output = node.readAll();
            QVERIFY2(node.exitStatus() == QProcess::NormalExit && node.exitCode() == 0, output.constData());
            qInfo().noquote() << QString::fromUtf8(output).trimmed();
        }

        // SIGTERM: stops accepting, commits what it acknowledged, exits 0.
        serve.terminate();
        QVERIFY(serve.waitForFinished(20000));
        const QByteArray serveOut = serve.readAllStandardOutput() + serve.readAllStandardError();
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QVERIFY2(serve.exitCode() == 0, serveOut.constData());

        SqliteTraceStore store(db);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        for (const Run& run : runs) {
            QFile f(run.file);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QJsonArray expected = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("spans")).toArray();
            QCOMPARE(expected.size(), 6);
            const TraceId traceId = TraceId::fromHex(expected[0].toObject().value(QStringLiteral("traceId")).toString());
            const std::vector<Span> stored = store.traceSpans(traceId, &error);
            QCOMPARE(stored.size(), std::size_t(expected.size()));
            std::map<QString, const Span*> byId;
            for (const Span& s : stored)
                byId[s.spanId.toHex()] = &s;
            for (const auto& v : expected) {
                const QJsonObject e = v.toObject();
                const auto it = byId.find(e.value(QStringLiteral("spanId")).toString());
                QVERIFY2(it != byId.end(), qPrintable(e.value(QStringLiteral("name")).toString()));
                compareSpan(e, *it->second);
                if (QTest::currentTestFailed())
                    return;
            }
            const auto summary = store.traceSummary(traceId, &error);
            QVERIFY(summary);
            QVERIFY(summary->hasRoot);
            QCOMPARE(summary->rootSpanName, QStringLiteral("session"));
            QCOMPARE(summary->rootServiceName, QStringLiteral("agent-e2e-") + run.protocol);
            QCOMPARE(summary->spanCount, 6);
            QCOMPARE(summary->errorCount, 1);
            QCOMPARE(summary->inputTokens, 812 + 1290);
            QCOMPARE(summary->outputTokens, 96 + 410);
            const auto payloads = store.tracePayloads(traceId, &error);
            QCOMPARE(payloads.size(), std::size_t(1));
            QCOMPARE(payloads[0].contentType,
                     run.protocol == QLatin1String("json") ? QStringLiteral("application/json")
                                                           : QStringLiteral("application/x-protobuf"));
            // OTLP/gRPC: gRPC undid its own message compression, so the stored body is plain protobuf.
            const bool gzipped = run.compression == QLatin1String("gzip") && run.protocol != QLatin1String("grpc");
            QCOMPARE(payloads[0].contentEncoding, gzipped ? QStringLiteral("gzip") : QString());
        }
    }
};

QTEST_GUILESS_MAIN(TestJsSdkEndToEnd)
#include "tst_jssdk_e2e.moc"
