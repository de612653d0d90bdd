// Real GenAI instrumentations end to end (issue 10 §4): the `openai` npm client talks to a mock OpenAI server
// (written in tests/e2e/js/run-openai-agent.mjs: one completion that asks for a tool call, then the final answer)
// under @opentelemetry/instrumentation-openai (messages as log records), @arizeai/openinference-instrumentation-openai
// (OpenInference attributes) and @traceloop/instrumentation-openai (OpenLLMetry; semantic-convention attributes in
// its current version), exporting to `spanscope serve`. For each, `spanscope genai TRACE_ID` on the stored trace must
// say what the mock server saw and answered: roles, texts, tool call id/name/arguments, tool result, tokens, models.
// Against SQLite, and against PostgreSQL (worker mode; SPANSCOPE_TEST_PG_URL, started by packaging/test.sh).

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>
#include <sqlite3.h>

namespace {

bool inCi()
{
    return !qEnvironmentVariableIsEmpty("CI");
}

/// A tool call's arguments or result as the model shows them: the JSON value when the text parses.
QJsonValue parsed(const QString& text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (doc.isObject())
        return doc.object();
    if (doc.isArray())
        return doc.array();
    return text;
}

QJsonObject textPart(const QString& content)
{
    return { { QStringLiteral("type"), QStringLiteral("text") }, { QStringLiteral("content"), content } };
}

/// The parts of an OpenAI chat message in the semantic conventions' shape.
QJsonArray partsOf(const QJsonObject& message)
{
    QJsonArray parts;
    const QString role = message.value(QLatin1String("role")).toString();
    const QJsonValue content = message.value(QLatin1String("content"));
    if (role == QLatin1String("tool")) {
        parts.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_call_response") },
                                   { QStringLiteral("id"), message.value(QLatin1String("tool_call_id")) },
                                   { QStringLiteral("response"), parsed(content.toString()) } });
        return parts;
    }
    if (content.isString() && !content.toString().isEmpty())
        parts.append(textPart(content.toString()));
    for (const QJsonValue& v : message.value(QLatin1String("tool_calls")).toArray()) {
        const QJsonObject call = v.toObject();
        const QJsonObject function = call.value(QLatin1String("function")).toObject();
        parts.append(QJsonObject { { QStringLiteral("type"), QStringLiteral("tool_call") },
                                   { QStringLiteral("id"), call.value(QLatin1String("id")) },
                                   { QStringLiteral("name"), function.value(QLatin1String("name")) },
                                   { QStringLiteral("arguments"), parsed(function.value(QLatin1String("arguments")).toString()) } });
    }
    return parts;
}

/// {"role", "parts"} only: what is compared (finish reasons are compared on their own).
QJsonArray rolesAndParts(const QJsonArray& messages)
{
    QJsonArray out;
    for (const QJsonValue& v : messages)
        out.append(QJsonObject { { QStringLiteral("role"), v.toObject().value(QLatin1String("role")) },
                                 { QStringLiteral("parts"), v.toObject().value(QLatin1String("parts")) } });
    return out;
}

/// OpenAI's finish reasons and the semantic conventions' ("tool_calls" is "tool_call" there).
QString normalizedFinishReason(const QString& reason)
{
    return reason == QLatin1String("tool_calls") || reason == QLatin1String("function_call") ? QStringLiteral("tool_call")
                                                                                               : reason;
}

QString show(const QJsonValue& v)
{
    return QString::fromUtf8(v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
                                          : QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
}

} // namespace

class TestGenAiEndToEnd : public QObject {
    Q_OBJECT

    QString m_node;
    const QString m_jsDir = QStringLiteral(SPANSCOPE_E2E_JS_DIR);

    /// Starts serve on free ports; returns the OTLP/HTTP base URL (http://127.0.0.1:PORT), empty on failure.
    QByteArray startServe(QProcess& serve, const QStringList& storeArgs, const QByteArray& readyText)
    {
        serve.setProcessChannelMode(QProcess::SeparateChannels);
        serve.start(QStringLiteral(SPANSCOPE_BINARY),
            QStringList { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--grpc-listen"), QStringLiteral("127.0.0.1:0") }
                + storeArgs);
        if (!serve.waitForStarted(10000))
            return {};
        QByteArray banner;
        while (!(banner.contains("/v1/traces") && banner.contains(readyText)) && serve.waitForReadyRead(30000))
            banner += serve.readAllStandardOutput();
        const int http = banner.indexOf("http://");
        if (http < 0 || !banner.contains(readyText)) {
            qWarning("serve did not start: %s %s", banner.constData(), serve.readAllStandardError().constData());
            return {};
        }
        return banner.mid(http, banner.indexOf("/v1/traces", http) - http);
    }

    /// Runs the instrumented agent against `endpoint`; its ground truth (one JSON line), or an empty object.
    QJsonObject runAgent(const QString& instrumentation, const QByteArray& endpoint)
    {
        QProcess client;
        client.setWorkingDirectory(m_jsDir);
        client.start(m_node, { QStringLiteral("run-openai-agent.mjs"), QStringLiteral("--instrumentation"), instrumentation,
                               QStringLiteral("--endpoint"), QString::fromLatin1(endpoint) });
        if (!client.waitForFinished(60000) || client.exitStatus() != QProcess::NormalExit || client.exitCode() != 0) {
            qWarning("run-openai-agent.mjs %s failed: %s %s", qPrintable(instrumentation),
                     client.readAllStandardOutput().constData(), client.readAllStandardError().constData());
            return {};
        }
        return QJsonDocument::fromJson(client.readAllStandardOutput().trimmed()).object();
    }

    /// `spanscope genai TRACE_ID STORE...`, retried until the run has both LLM calls with their messages (worker
    /// mode stores after the acknowledgement). The last answer, empty when the command never succeeded.
    QJsonObject genAi(const QString& traceId, const QStringList& storeArgs, bool messagesAsLogs)
    {
        QJsonObject last;
        QDeadlineTimer deadline(60000);
        do {
            QProcess cli;
            cli.start(QStringLiteral(SPANSCOPE_BINARY), QStringList { QStringLiteral("genai"), traceId } + storeArgs);
            if (cli.waitForFinished(30000) && cli.exitCode() == 0) {
                last = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
                const QJsonArray calls = last.value(QLatin1String("calls")).toArray();
                const bool complete = calls.size() == 2 && last.value(QLatin1String("tool_calls")).toArray().size() == 1
                    && (!messagesAsLogs
                        || calls.at(1).toObject().value(QLatin1String("output_messages")).toArray().size() == 1);
                if (complete)
                    return last;
            }
            QTest::qWait(200);
        } while (!deadline.hasExpired());
        return last;
    }

    /// Everything the stored run says against what the mock server saw and answered.
    void compare(const QJsonObject& run, const QJsonObject& truth)
    {
        const QString instrumentation = truth.value(QLatin1String("instrumentation")).toString();
        QCOMPARE(run.value(QLatin1String("trace_id")).toString(), truth.value(QLatin1String("trace_id")).toString());
        const QJsonObject totals = run.value(QLatin1String("totals")).toObject();
        QCOMPARE(totals.value(QLatin1String("llm_calls")).toInt(), 2);
        QCOMPARE(totals.value(QLatin1String("tool_calls")).toInt(), 1);
        QCOMPARE(totals.value(QLatin1String("agents")).toInt(), 1);
        const QJsonArray calls = run.value(QLatin1String("calls")).toArray();
        const QJsonArray truthCalls = truth.value(QLatin1String("calls")).toArray();
        QCOMPARE(calls.size(), truthCalls.size());
        qint64 inputTokens = 0, outputTokens = 0;
        for (int i = 0; i < calls.size(); ++i) {
            const QJsonObject call = calls.at(i).toObject();
            const QJsonObject sent = truthCalls.at(i).toObject();
            const QJsonObject answer = sent.value(QLatin1String("response")).toObject();
            const QJsonObject usage = sent.value(QLatin1String("usage")).toObject();
            const QString where = QStringLiteral("%1, call %2: ").arg(instrumentation).arg(i + 1);
            QVERIFY2(call.value(QLatin1String("content_captured")).toBool(), qPrintable(where + show(call)));
            QCOMPARE(call.value(QLatin1String("operation")).toString(), QStringLiteral("chat"));
            QCOMPARE(call.value(QLatin1String("provider")).toString(), QStringLiteral("openai"));
            QCOMPARE(call.value(QLatin1String("request_model")).toString(),
                     sent.value(QLatin1String("request")).toObject().value(QLatin1String("model")).toString());
            QCOMPARE(call.value(QLatin1String("response_model")).toString(), answer.value(QLatin1String("model")).toString());
            QCOMPARE(call.value(QLatin1String("input_tokens")).toInteger(), usage.value(QLatin1String("prompt_tokens")).toInteger());
            QCOMPARE(call.value(QLatin1String("output_tokens")).toInteger(), usage.value(QLatin1String("completion_tokens")).toInteger());
            inputTokens += usage.value(QLatin1String("prompt_tokens")).toInteger();
            outputTokens += usage.value(QLatin1String("completion_tokens")).toInteger();

            // What was sent: the system prompt as instructions, the rest as input messages, in order.
            QJsonArray system, input;
            for (const QJsonValue& v : sent.value(QLatin1String("request_messages")).toArray()) {
                const QJsonObject m = v.toObject();
                if (m.value(QLatin1String("role")).toString() == QLatin1String("system"))
                    system.append(textPart(m.value(QLatin1String("content")).toString()));
                else
                    input.append(QJsonObject { { QStringLiteral("role"), m.value(QLatin1String("role")) },
                                               { QStringLiteral("parts"), partsOf(m) } });
            }
            QVERIFY2(call.value(QLatin1String("system_instructions")).toArray() == system,
                     qPrintable(where + show(call.value(QLatin1String("system_instructions"))) + QStringLiteral(" != ") + show(system)));
            const QJsonArray storedInput = rolesAndParts(call.value(QLatin1String("input_messages")).toArray());
            QVERIFY2(storedInput == input, qPrintable(where + show(storedInput) + QStringLiteral(" != ") + show(input)));

            // What was answered.
            const QJsonObject choice = answer.value(QLatin1String("choices")).toArray().at(0).toObject();
            const QJsonArray output { QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                                                    { QStringLiteral("parts"), partsOf(choice.value(QLatin1String("message")).toObject()) } } };
            const QJsonArray storedOutput = rolesAndParts(call.value(QLatin1String("output_messages")).toArray());
            QVERIFY2(storedOutput == output, qPrintable(where + show(storedOutput) + QStringLiteral(" != ") + show(output)));
            const QJsonArray reasons = call.value(QLatin1String("finish_reasons")).toArray();
            QCOMPARE(reasons.size(), 1);
            QCOMPARE(normalizedFinishReason(reasons.at(0).toString()),
                     normalizedFinishReason(choice.value(QLatin1String("finish_reason")).toString()));
        }
        QCOMPARE(totals.value(QLatin1String("input_tokens")).toInteger(), inputTokens);
        QCOMPARE(totals.value(QLatin1String("output_tokens")).toInteger(), outputTokens);
        // gpt-4o-mini is in the shipped price table.
        QVERIFY2(totals.value(QLatin1String("cost")).toDouble() > 0, qPrintable(show(totals)));

        const QJsonObject tool = run.value(QLatin1String("tool_calls")).toArray().at(0).toObject();
        const QJsonObject truthTool = truth.value(QLatin1String("tool_call")).toObject();
        QCOMPARE(tool.value(QLatin1String("name")).toString(), truthTool.value(QLatin1String("name")).toString());
        QCOMPARE(tool.value(QLatin1String("call_id")).toString(), truthTool.value(QLatin1String("id")).toString());
        QCOMPARE(tool.value(QLatin1String("arguments")), parsed(truthTool.value(QLatin1String("arguments")).toString()));
        QCOMPARE(tool.value(QLatin1String("result")), parsed(truthTool.value(QLatin1String("result")).toString()));
        QCOMPARE(tool.value(QLatin1String("requested_by_span_id")).toString(),
                 calls.at(0).toObject().value(QLatin1String("span_id")).toString());
        QCOMPARE(run.value(QLatin1String("agents")).toArray().at(0).toObject().value(QLatin1String("name")).toString(),
                 truth.value(QLatin1String("agent_name")).toString());
    }

    void runAll(const QStringList& storeArgs, const QByteArray& readyText)
    {
        QProcess serve;
        const QByteArray endpoint = startServe(serve, storeArgs, readyText);
        QVERIFY(!endpoint.isEmpty());
        const auto stop = qScopeGuard([&] {
            serve.terminate();
            serve.waitForFinished(30000);
        });
        for (const QString& instrumentation : { QStringLiteral("otel"), QStringLiteral("openinference"), QStringLiteral("traceloop") }) {
            const QJsonObject truth = runAgent(instrumentation, endpoint);
            QVERIFY2(!truth.isEmpty(), qPrintable(instrumentation));
            const QString traceId = truth.value(QLatin1String("trace_id")).toString();
            const QJsonObject run = genAi(traceId, storeArgs, instrumentation == QLatin1String("otel"));
            QVERIFY2(!run.isEmpty(), qPrintable(QStringLiteral("spanscope genai %1 failed").arg(traceId)));
            compare(run, truth);
            if (QTest::currentTestFailed())
                return;
            qInfo("%s: 2 LLM calls, 1 tool call as sent and answered", qPrintable(instrumentation));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        const bool haveModules = QFile::exists(m_jsDir + QStringLiteral("/node_modules/openai/package.json"));
        if (m_node.isEmpty() || !haveModules) {
            const QByteArray why = "node or the test client's npm packages are missing (run npm ci in tests/e2e/js)";
            if (inCi())
                QFAIL(why.constData());
            QSKIP(why.constData());
        }
    }

    void sqlite()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("genai.db"));
        runAll({ QStringLiteral("--store"), QStringLiteral("sqlite:") + path }, "/v1/traces");
        if (QTest::currentTestFailed())
            return;
        // serve keeps the traces' costs by the prices its query API uses (the shipped table prices gpt-4o-mini), so
        // ordering by cost walks an index (SqliteTraceStore::setCostPrices).
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        const auto close = qScopeGuard([db] { sqlite3_close(db); });
        sqlite3_stmt* stmt = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db,
                     "SELECT (SELECT count(*) FROM cost_prices WHERE repriced_to_seq IS NULL "
                     "AND prices LIKE '%gpt-4o-mini%'), (SELECT count(*) FROM traces WHERE cost > 0)",
                     -1, &stmt, nullptr),
            SQLITE_OK);
        QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
        const int kept = sqlite3_column_int(stmt, 0);
        const int priced = sqlite3_column_int(stmt, 1);
        sqlite3_finalize(stmt);
        QCOMPARE(kept, 1);
        QCOMPARE(priced, 3); // one agent run per instrumentation
    }

    void postgres()
    {
        const QString pgUrl = qEnvironmentVariable("SPANSCOPE_TEST_PG_URL");
        if (pgUrl.isEmpty()) {
            if (inCi())
                QFAIL("SPANSCOPE_TEST_PG_URL is not set (packaging/test.sh starts PostgreSQL)");
            QSKIP("SPANSCOPE_TEST_PG_URL is not set: start tests/servers/postgres.sh");
        }
        const QString schema = QStringLiteral("genai_e2e_") + QString::number(QRandomGenerator::global()->generate64(), 36);
        const auto dropSchema = qScopeGuard([&] {
            try {
                pqxx::connection c(pgUrl.toStdString());
                pqxx::work tx(c);
                tx.exec0("DROP SCHEMA IF EXISTS " + tx.quote_name(schema.toStdString()) + " CASCADE");
                tx.commit();
            } catch (const std::exception& e) {
                qWarning("cannot drop schema %s: %s", qPrintable(schema), e.what());
            }
        });
        runAll({ QStringLiteral("--store"), pgUrl, QStringLiteral("--pg-schema"), schema }, "worker mode");
    }
};

QTEST_GUILESS_MAIN(TestGenAiEndToEnd)
#include "tst_genai_e2e.moc"
