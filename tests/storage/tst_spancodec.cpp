#include "storage/spancodec.h"

#include <QTest>

#include <limits>

class TestSpanCodec : public QObject {
    Q_OBJECT

private:
    static Attributes everyType()
    {
        AnyValue nestedMap;
        nestedMap.type = AnyValue::Type::Map;
        nestedMap.mapValue = { { QStringLiteral("inner"), AnyValue::fromInt(-1) },
                               { QStringLiteral("bytes"), AnyValue::fromBytes(QByteArray("\x00\xff\x10", 3)) } };
        AnyValue array;
        array.type = AnyValue::Type::Array;
        array.arrayValue = { AnyValue::fromString(QStringLiteral("a")), AnyValue::fromDouble(-0.5), nestedMap,
                             AnyValue() };
        return {
            { QStringLiteral("s"), AnyValue::fromString(QStringLiteral("héllo wörld \U0001F600")) },
            { QStringLiteral("empty-string"), AnyValue::fromString(QString()) },
            { QStringLiteral("t"), AnyValue::fromBool(true) },
            { QStringLiteral("f"), AnyValue::fromBool(false) },
            { QStringLiteral("i"), AnyValue::fromInt(std::numeric_limits<std::int64_t>::min()) },
            { QStringLiteral("imax"), AnyValue::fromInt(std::numeric_limits<std::int64_t>::max()) },
            { QStringLiteral("d"), AnyValue::fromDouble(3.141592653589793) },
            { QStringLiteral("inf"), AnyValue::fromDouble(std::numeric_limits<double>::infinity()) },
            { QStringLiteral("b"), AnyValue::fromBytes(QByteArray(300, 'x')) },
            { QStringLiteral("arr"), array },
            { QStringLiteral("map"), nestedMap },
            { QStringLiteral("none"), AnyValue() },
            { QString(200, QLatin1Char('k')), AnyValue::fromInt(0) },
        };
    }

private Q_SLOTS:
    void attributesRoundTrip()
    {
        const Attributes attrs = everyType();
        std::string buf;
        SpanCodec::appendAttributes(buf, attrs);
        Attributes decoded;
        QVERIFY(SpanCodec::decodeAttributes(buf.data(), qsizetype(buf.size()), &decoded));
        QVERIFY(decoded == attrs);
    }

    void eventsLinksResourceScopeRoundTrip()
    {
        std::vector<SpanEvent> events(2);
        events[0].timeUnixNano = 1700000000123456789ull;
        events[0].name = QStringLiteral("exception");
        events[0].attributes = everyType();
        events[0].droppedAttributesCount = 3;
        std::vector<SpanLink> links(1);
        links[0].traceId = TraceId::fromHex(u"0102030405060708090a0b0c0d0e0f10");
        links[0].spanId = SpanId::fromHex(u"1112131415161718");
        links[0].traceState = QStringLiteral("k=v");
        links[0].attributes = everyType();
        links[0].droppedAttributesCount = 1;
        links[0].flags = 0x301;
        Resource resource;
        resource.attributes = { { QStringLiteral("service.name"), AnyValue::fromString(QStringLiteral("svc")) } };
        resource.droppedAttributesCount = 7;
        resource.schemaUrl = QStringLiteral("https://opentelemetry.io/schemas/1.21.0");
        InstrumentationScope scope;
        scope.name = QStringLiteral("lib");
        scope.version = QStringLiteral("1.2");
        scope.attributes = everyType();
        scope.droppedAttributesCount = 2;
        scope.schemaUrl = QStringLiteral("x");

        std::string e, l, r, s;
        SpanCodec::appendEvents(e, events);
        SpanCodec::appendLinks(l, links);
        SpanCodec::appendResource(r, resource);
        SpanCodec::appendScope(s, scope);
        std::vector<SpanEvent> events2;
        std::vector<SpanLink> links2;
        Resource resource2;
        InstrumentationScope scope2;
        QVERIFY(SpanCodec::decodeEvents(e.data(), qsizetype(e.size()), &events2));
        QVERIFY(SpanCodec::decodeLinks(l.data(), qsizetype(l.size()), &links2));
        QVERIFY(SpanCodec::decodeResource(r.data(), qsizetype(r.size()), &resource2));
        QVERIFY(SpanCodec::decodeScope(s.data(), qsizetype(s.size()), &scope2));
        QVERIFY(events2 == events);
        QVERIFY(links2 == links);
        QVERIFY(resource2 == resource);
        QVERIFY(scope2 == scope);
    }

    void corruptInputIsRejected()
    {
        std::string buf;
        SpanCodec::appendAttributes(buf, everyType());
        Attributes out;
        // Every truncation must fail cleanly, never read out of bounds (run under ASan to prove the latter).
        for (std::size_t n = 1; n < buf.size(); ++n)
            QVERIFY(!SpanCodec::decodeAttributes(buf.data(), qsizetype(n), &out));
        std::string bad = buf;
        bad[2] = char(0x7f); // an unknown value tag or a bogus length
        SpanCodec::decodeAttributes(bad.data(), qsizetype(bad.size()), &out);
        const std::string hugeCount("\xff\xff\xff\xff\x0f", 5);
        QVERIFY(!SpanCodec::decodeAttributes(hugeCount.data(), qsizetype(hugeCount.size()), &out));
        std::string deep("\x01\x00", 2); // one attribute with an empty key, then arrays nested 1000 deep
        for (int i = 0; i < 1000; ++i)
            deep += "\x07\x01";
        deep.push_back('\0');
        QVERIFY(!SpanCodec::decodeAttributes(deep.data(), qsizetype(deep.size()), &out));
    }

    void attributesContainMatchesStringValues()
    {
        std::string buf;
        SpanCodec::appendAttributes(buf, everyType());
        const auto contains = [&](QStringView needle) {
            return SpanCodec::attributesContain(buf.data(), qsizetype(buf.size()), SpanCodec::searchFolded(needle));
        };
        QVERIFY(contains(u"HÉLLO"));
        QVERIFY(contains(u"wörld \U0001F600"));
        QVERIFY(contains(u"a")); // inside the array
        QVERIFY(!contains(u"inner")); // a key, not a value
        QVERIFY(!contains(u"3.14"));
        QVERIFY(!contains(u"nothing like it"));
        QVERIFY(!SpanCodec::attributesContain(buf.data(), qsizetype(buf.size()) / 2, "zzz"));
        QVERIFY(SpanCodec::textContains("GET /Users", 10, "/users"));
    }

    void forEachAttributeStringVisitsWhatIsSearched()
    {
        std::string buf;
        SpanCodec::appendAttributes(buf, everyType());
        QStringList visited;
        SpanCodec::forEachAttributeString(buf.data(), qsizetype(buf.size()),
            [&](const char* utf8, qsizetype size) { visited.append(QString::fromUtf8(utf8, size)); });
        // String values in order, also inside arrays; not keys, bytes or numbers.
        QCOMPARE(visited, QStringList({ QStringLiteral("héllo wörld \U0001F600"), QString(), QStringLiteral("a") }));
        visited.clear();
        SpanCodec::forEachAttributeString(buf.data(), qsizetype(buf.size()) / 2,
            [&](const char* utf8, qsizetype size) { visited.append(QString::fromUtf8(utf8, size)); });
        QCOMPARE(visited.size(), 2); // up to the corrupt cut
    }

    void foldsUtf8AsTheSearchDoes()
    {
        std::string folded = "x";
        const QByteArray text = QStringLiteral("GET /Über STRAßE \U0001F600").toUtf8();
        SpanCodec::appendSearchFoldedUtf8(folded, text.constData(), text.size());
        QCOMPARE(QString::fromStdString(folded), QStringLiteral("xget /über straße \U0001F600"));
        QCOMPARE(folded.substr(1), SpanCodec::searchFolded(QString::fromUtf8(text)));
    }

    void searchFolding()
    {
        QCOMPARE(SpanCodec::searchFolded(u"GET /Users"), std::string("get /users"));
        QCOMPARE(QString::fromStdString(SpanCodec::searchFolded(u"ÄÖÜ Straße")), QStringLiteral("äöü straße"));
        std::string utf8;
        SpanCodec::appendUtf8(utf8, u"a\U0001F600b");
        QCOMPARE(QByteArray::fromStdString(utf8), QStringLiteral("a\U0001F600b").toUtf8());
    }
};

QTEST_GUILESS_MAIN(TestSpanCodec)
#include "tst_spancodec.moc"
