#include "model/anyvalue.h"
#include "model/ids.h"

#include <QTest>

class TestIds : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hexRoundTrip_data()
    {
        QTest::addColumn<QString>("hex");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("lower");
        QTest::newRow("upper") << QStringLiteral("5B8EFFF798038103D269B633813FC60C") << true
                               << QStringLiteral("5b8efff798038103d269b633813fc60c");
        QTest::newRow("lower") << QStringLiteral("0102030405060708090a0b0c0d0e0f10") << true
                               << QStringLiteral("0102030405060708090a0b0c0d0e0f10");
        QTest::newRow("short") << QStringLiteral("0102") << false << QStringLiteral("00000000000000000000000000000000");
        QTest::newRow("nonhex") << QStringLiteral("zz02030405060708090a0b0c0d0e0f10") << false
                                << QStringLiteral("00000000000000000000000000000000");
    }
    void hexRoundTrip()
    {
        QFETCH(QString, hex);
        QFETCH(bool, valid);
        QFETCH(QString, lower);
        bool ok = false;
        const TraceId id = TraceId::fromHex(hex, &ok);
        QCOMPARE(ok, valid);
        QCOMPARE(id.toHex(), lower);
        QCOMPARE(id.isValid(), valid);
    }
    void bytes()
    {
        bool ok = true;
        SpanId::fromBytes(QByteArray(7, 'a'), &ok);
        QVERIFY(!ok);
        const SpanId s = SpanId::fromBytes(QByteArray::fromHex("eee19b7ec3c1b174"), &ok);
        QVERIFY(ok);
        QCOMPARE(s.toHex(), QStringLiteral("eee19b7ec3c1b174"));
        QCOMPARE(s, SpanId::fromHex(u"EEE19B7EC3C1B174"));
    }
    void anyValueEquality()
    {
        AnyValue a;
        a.type = AnyValue::Type::Array;
        a.arrayValue = { AnyValue::fromInt(1), AnyValue::fromString(QStringLiteral("x")) };
        AnyValue b = a;
        QCOMPARE(a, b);
        b.arrayValue[0] = AnyValue::fromDouble(1);
        QVERIFY(a != b);
        QCOMPARE(a.toDisplayString(), QStringLiteral("[1, \"x\"]"));
    }
};

QTEST_GUILESS_MAIN(TestIds)
#include "tst_ids.moc"
