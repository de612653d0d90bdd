#include "ingest/files/jsonlocator.h"

#include <QTest>

// Offsets are found by hand in the test texts (QByteArray::indexOf on a unique marker), never by the locator.

namespace {

qint64 at(const QByteArray& text, const char* marker)
{
    const qint64 offset = text.indexOf(marker);
    if (offset < 0)
        qFatal("marker %s not in the test text", marker);
    return offset;
}

} // namespace

class TestJsonLocator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void offsets_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("marker"); // the text at the expected offset; empty: -1

        const QByteArray otlp = R"({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "a"}, )"
                                R"({"spanId": "b", "traceId": "xyz"}]}, {"spans": [{"name": "c"}]}]}]})";
        QTest::newRow("value") << otlp << QStringLiteral("resourceSpans[0].scopeSpans[0].spans[1].traceId")
                               << QByteArray(R"("xyz")");
        QTest::newRow("element") << otlp << QStringLiteral("resourceSpans[0].scopeSpans[1].spans[0]")
                                 << QByteArray(R"({"name": "c"})");
        QTest::newRow("missing key: the deepest value there")
            << otlp << QStringLiteral("resourceSpans[0].scopeSpans[1].spans[0].traceId")
            << QByteArray(R"({"name": "c"})");
        QTest::newRow("index past the end") << otlp << QStringLiteral("resourceSpans[0].scopeSpans[5].spans[0]")
                                            << QByteArray(R"([{"spans": [{"traceId")");
        QTest::newRow("first step missing") << otlp << QStringLiteral("data[0]") << QByteArray();
        QTest::newRow("root") << otlp << QStringLiteral("$") << QByteArray(R"({"resourceSpans")");

        const QByteArray snake = R"({"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"q"}]}]}]})";
        QTest::newRow("snake_case keys") << snake << QStringLiteral("resourceSpans[0].scopeSpans[0].spans[0].traceId")
                                         << QByteArray(R"("q")");

        // Not a raw string: moc misreads a backslash in one.
        const QByteArray tricky = "{\"a\": \"}]\\\"[{\", \"b\": [ \"x\" , {\"c\":\"]\"} , 7 ], "
                                  "\"d\": {\"e\": [[1,2],[3,{\"f\":true}]]}}";
        QTest::newRow("strings with brackets and escapes")
            << tricky << QStringLiteral("b[1].c") << QByteArray("\"]\"}");
        QTest::newRow("scalar in an array") << tricky << QStringLiteral("b[2]") << QByteArray("7 ]");
        QTest::newRow("nested arrays") << tricky << QStringLiteral("d.e[1][1].f") << QByteArray("true");
        QTest::newRow("through a scalar") << tricky << QStringLiteral("b[2].x") << QByteArray("7 ]");

        const QByteArray jaeger = R"([{"traceID": "t", "spans": [{"spanID": "1"}, {"spanID": "2"}]}])";
        QTest::newRow("root array") << jaeger << QStringLiteral("[0].spans[1]") << QByteArray(R"({"spanID": "2"})");
        QTest::newRow("$ prefix") << QByteArray(R"({"spans": [{"id": 1}, {"id": 2}]})")
                                  << QStringLiteral("$.spans[1].id") << QByteArray("2}");
        QTest::newRow("malformed path") << otlp << QStringLiteral("resourceSpans[x]") << QByteArray();
        QTest::newRow("truncated text") << QByteArray(R"({"a": [{"c": 1}, {"b")") << QStringLiteral("a[1].b")
                                        << QByteArray(R"({"b")");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("a") << QByteArray();
    }

    void offsets()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, path);
        QFETCH(QByteArray, marker);
        const std::vector<qint64> found = JsonLocator::offsetsOf(json, { path });
        QCOMPARE(found.size(), std::size_t(1));
        QCOMPARE(found[0], marker.isEmpty() ? qint64(-1) : at(json, marker.constData()));
    }

    void manyPathsOnePass()
    {
        // Answers in the order asked, whatever the order in the text; shared prefixes; the same path twice.
        const QByteArray json = R"({"x": [{"id": "A"}, {"id": "B"}, {"id": "C"}], "y": {"z": "D"}})";
        const std::vector<qint64> found = JsonLocator::offsetsOf(json,
            { QStringLiteral("y.z"), QStringLiteral("x[2].id"), QStringLiteral("x[0].id"), QStringLiteral("x[2].id"),
                QStringLiteral("nope") });
        const std::vector<qint64> expected
            = { at(json, R"("D")"), at(json, R"("C")"), at(json, R"("A")"), at(json, R"("C")"), -1 };
        QCOMPARE(found, expected);
    }

    void deepNestingIsSkippedWithoutRecursion()
    {
        // 200,000 levels in a value no path goes through, then the value asked for.
        QByteArray json = R"({"deep": )";
        json += QByteArray(200000, '[') + QByteArray(200000, ']');
        json += R"(, "here": 1})";
        QCOMPARE(JsonLocator::offsetsOf(json, { QStringLiteral("here") }), std::vector<qint64> { json.size() - 2 });
    }

    void lines()
    {
        const QByteArray text = "{\r\n  \"a\": 1,\n\n  \"b\": [\n    2\n  ]\n}";
        const std::vector<qint64> lines = JsonLocator::linesOf(
            text, { at(text, "2"), at(text, "\"a\""), -1, 0, at(text, "}"), qint64(text.size()) + 10 });
        QCOMPARE(lines, (std::vector<qint64> { 5, 2, 0, 1, 7, 7 }));
    }
};

QTEST_GUILESS_MAIN(TestJsonLocator)
#include "tst_jsonlocator.moc"
