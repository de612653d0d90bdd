#include "ingest/codec/gzip.h"

#include <QRandomGenerator>
#include <QTest>

// Oracles are independent of Gzip::deflate where possible: qCompress (zlib format) and hand-made bytes.

class TestGzip : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void zlibFormat();
    void knownGzipBytes();
    void bombStopped();
    void exactLimit();
    void corrupt_data();
    void corrupt();
    void concatenatedMembers();
    void errorMessages_data();
    void errorMessages();
    void looksGzipped();
};

static QByteArray randomBytes(qsizetype n, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray out(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        out[i] = char(rng.bounded(256));
    return out;
}

void TestGzip::roundTrip_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("small") << QByteArray("hello, trace");
    QTest::newRow("random 100k") << randomBytes(100000, 1);
    QTest::newRow("repetitive 3M") << QByteArray(3 * 1024 * 1024, 'a');
}

void TestGzip::roundTrip()
{
    QFETCH(QByteArray, data);
    const QByteArray compressed = Gzip::deflate(data);
    QVERIFY(Gzip::looksGzipped(compressed));
    QCOMPARE(compressed.at(2), char(8)); // CM = deflate (RFC 1952)
    QByteArray out("junk");
    QString error;
    QCOMPARE(Gzip::inflate(compressed, data.size() + 1, &out, &error), Gzip::Status::Ok);
    QCOMPARE(out, data);
    QVERIFY(error.isEmpty());
}

void TestGzip::zlibFormat()
{
    const QByteArray data = randomBytes(5000, 2) + QByteArray(5000, 'z');
    const QByteArray zlibStream = qCompress(data).mid(4); // qCompress prepends a 4-byte length
    QByteArray out;
    QCOMPARE(Gzip::inflate(zlibStream, 1 << 20, &out), Gzip::Status::Ok);
    QCOMPARE(out, data);
}

void TestGzip::knownGzipBytes()
{
    // `printf 'hi\n' | gzip -n` : written by GNU gzip, not by us.
    const QByteArray gz = QByteArray::fromHex("1f8b0800000000000003cbc8e402007a7a6fed03000000");
    QByteArray out;
    QString error;
    QCOMPARE(Gzip::inflate(gz, 100, &out, &error), Gzip::Status::Ok);
    QCOMPARE(out, QByteArray("hi\n"));
}

void TestGzip::bombStopped()
{
    const QByteArray bomb = Gzip::deflate(QByteArray(64 * 1024 * 1024, '\0'), 9);
    QVERIFY(bomb.size() < 100 * 1024);
    QByteArray out;
    QString error;
    QCOMPARE(Gzip::inflate(bomb, 1024 * 1024, &out, &error), Gzip::Status::TooLarge);
    QVERIFY(out.isEmpty());
    QVERIFY2(error.contains(QLatin1StringView("1048576")), qPrintable(error));
}

void TestGzip::exactLimit()
{
    const QByteArray data = randomBytes(10000, 3);
    const QByteArray gz = Gzip::deflate(data);
    QByteArray out;
    QCOMPARE(Gzip::inflate(gz, data.size(), &out), Gzip::Status::Ok);
    QCOMPARE(out, data);
    QCOMPARE(Gzip::inflate(gz, data.size() - 1, &out), Gzip::Status::TooLarge);
    QVERIFY(out.isEmpty());
    QCOMPARE(Gzip::inflate(gz, 0, &out), Gzip::Status::TooLarge);
}

void TestGzip::corrupt_data()
{
    QTest::addColumn<QByteArray>("input");
    const QByteArray good = Gzip::deflate(randomBytes(20000, 4));
    QByteArray flipped = good;
    flipped[good.size() / 2] = char(flipped[good.size() / 2] ^ 0x55);
    QByteArray badCrc = good;
    badCrc[good.size() - 6] = char(badCrc[good.size() - 6] ^ 1); // CRC32 sits in the last 8 bytes
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not compressed") << QByteArray("{\"resourceSpans\":[]}");
    QTest::newRow("flipped byte") << flipped;
    QTest::newRow("bad crc") << badCrc;
    QTest::newRow("truncated") << good.left(good.size() / 2);
    QTest::newRow("truncated trailer") << good.left(good.size() - 3);
    QTest::newRow("header only") << good.left(10);
    QTest::newRow("trailing garbage") << good + QByteArray("garbage");
}

void TestGzip::corrupt()
{
    QFETCH(QByteArray, input);
    QByteArray out("junk");
    QString error;
    QCOMPARE(Gzip::inflate(input, 1 << 20, &out, &error), Gzip::Status::Corrupt);
    QVERIFY(out.isEmpty());
    QVERIFY(!error.isEmpty());
}

void TestGzip::concatenatedMembers()
{
    // `printf 'hi\n' | gzip -n` twice: gunzip yields "hi\nhi\n".
    const QByteArray member = QByteArray::fromHex("1f8b0800000000000003cbc8e402007a7a6fed03000000");
    QByteArray out;
    QCOMPARE(Gzip::inflate(member + member, 100, &out), Gzip::Status::Ok);
    QCOMPARE(out, QByteArray("hi\nhi\n"));
    QCOMPARE(Gzip::inflate(member + member, 5, &out), Gzip::Status::TooLarge);
}

void TestGzip::errorMessages_data()
{
    // The exact words the HTTP receiver and the worker put in their answers; pinned before Gzip moved onto
    // GzipInflater so that the move changes none of them.
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    const QByteArray good = Gzip::deflate(randomBytes(20000, 4));
    const QByteArray member = QByteArray::fromHex("1f8b0800000000000003cbc8e402007a7a6fed03000000");
    QByteArray badCrc = good;
    badCrc[good.size() - 6] = char(badCrc[good.size() - 6] ^ 1);
    QByteArray badLength = good;
    badLength[good.size() - 2] = char(badLength[good.size() - 2] ^ 1);
    QByteArray badMethod = member;
    badMethod[2] = 9;
    const QByteArray zlib = qCompress(QByteArray("hello hello hello")).mid(4);
    QByteArray badAdler = zlib;
    badAdler[zlib.size() - 1] = char(badAdler[zlib.size() - 1] ^ 1);
    const int corrupt = int(Gzip::Status::Corrupt);
    const int tooLarge = int(Gzip::Status::TooLarge);
    const qint64 mib = 1 << 20;
    QTest::newRow("empty") << QByteArray() << mib << corrupt << "compressed body is empty";
    QTest::newRow("not compressed") << QByteArray("{\"resourceSpans\":[]}") << mib << corrupt
                                    << "incorrect header check";
    QTest::newRow("one byte") << QByteArray("\x1f", 1) << mib << corrupt << "compressed body is truncated";
    QTest::newRow("bad method") << badMethod << mib << corrupt << "unknown compression method";
    QTest::newRow("bad crc") << badCrc << mib << corrupt << "incorrect data check";
    QTest::newRow("bad length") << badLength << mib << corrupt << "incorrect length check";
    QTest::newRow("stored block length") << QByteArray::fromHex("1f8b0800000000000003000100000000") << mib << corrupt
                                         << "invalid stored block lengths";
    QTest::newRow("truncated") << good.left(good.size() / 2) << mib << corrupt << "compressed body is truncated";
    QTest::newRow("truncated trailer") << good.left(good.size() - 3) << mib << corrupt
                                       << "compressed body is truncated";
    QTest::newRow("header only") << good.left(10) << mib << corrupt << "compressed body is truncated";
    QTest::newRow("trailing garbage") << good + QByteArray("garbage") << mib << corrupt
                                      << "trailing data after the compressed stream";
    QTest::newRow("trailing 1f") << good + QByteArray("\x1f", 1) << mib << corrupt
                                 << "trailing data after the compressed stream";
    QTest::newRow("trailing zeros") << member + QByteArray(4, '\0') << mib << corrupt
                                    << "trailing data after the compressed stream";
    QTest::newRow("second member bad") << member + badMethod << mib << corrupt << "unknown compression method";
    QTest::newRow("second member truncated")
        << member + member.left(12) << mib << corrupt << "compressed body is truncated";
    QTest::newRow("zlib bad adler") << badAdler << mib << corrupt << "incorrect data check";
    QTest::newRow("zlib then garbage") << zlib + QByteArray("xy") << mib << corrupt
                                       << "trailing data after the compressed stream";
    QTest::newRow("too large") << good << qint64(19999) << tooLarge << "inflated body exceeds 19999 bytes";
    QTest::newRow("too large, zero") << good << qint64(0) << tooLarge << "inflated body exceeds 0 bytes";
    QTest::newRow("too large, negative") << good << qint64(-5) << tooLarge << "inflated body exceeds 0 bytes";
    QTest::newRow("too large, second member")
        << member + member << qint64(4) << tooLarge << "inflated body exceeds 4 bytes";
}

void TestGzip::errorMessages()
{
    QFETCH(QByteArray, input);
    QFETCH(qint64, limit);
    QFETCH(int, status);
    QFETCH(QString, error);
    QByteArray out("junk");
    QString why;
    QCOMPARE(int(Gzip::inflate(input, limit, &out, &why)), status);
    QCOMPARE(why, error);
    QVERIFY(out.isEmpty());
}

void TestGzip::looksGzipped()
{
    QVERIFY(Gzip::looksGzipped(QByteArray("\x1f\x8b", 2)));
    QVERIFY(!Gzip::looksGzipped(QByteArray("\x1f", 1)));
    QVERIFY(!Gzip::looksGzipped(QByteArray("{}")));
    QVERIFY(!Gzip::looksGzipped(qCompress(QByteArray("x")).mid(4)));
}

QTEST_GUILESS_MAIN(TestGzip)
#include "tst_gzip.moc"
