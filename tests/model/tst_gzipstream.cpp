#include "model/gzipdeflater.h"
#include "model/gzipinflater.h"

#include <QRandomGenerator>
#include <QTest>

namespace {

QByteArray randomText(qsizetype n, quint32 seed)
{
    // Words from a small alphabet: compressible, unlike random bytes, so streams span many deflate blocks.
    QRandomGenerator rng(seed);
    QByteArray out;
    out.reserve(n);
    while (out.size() < n)
        out.append(char('a' + rng.bounded(rng.bounded(2) ? 4 : 26)));
    return out;
}

QByteArray gzip(const QByteArray& data, int level = 6)
{
    GzipDeflater deflater(level);
    QByteArray out;
    if (!deflater.write(data, &out) || !deflater.finish(&out))
        return QByteArray();
    return out;
}

/// Feeds `in` in chunks of random size (seeded) and reads in small pieces; returns the output or the error.
bool inflateChunked(const QByteArray& in, quint32 seed, qint64 limit, QByteArray* out, GzipInflater::Error* error,
    GzipInflater::Format format = GzipInflater::Format::GzipOrZlib)
{
    QRandomGenerator rng(seed);
    GzipInflater inflater(format, limit);
    out->clear();
    qsizetype pos = 0;
    bool ok = true;
    while (ok && pos < in.size()) {
        const qsizetype n = std::min<qsizetype>(in.size() - pos, 1 + rng.bounded(5000));
        inflater.feed(in.mid(pos, n));
        pos += n;
        char buffer[777];
        qsizetype got;
        while ((got = inflater.read(buffer, 1 + rng.bounded(qint32(sizeof buffer)))) > 0)
            out->append(buffer, got);
        ok = got == 0;
    }
    ok = ok && inflater.finish();
    *error = inflater.error();
    if (ok != (inflater.error() == GzipInflater::Error::None) || ok != inflater.errorString().isEmpty())
        return false;
    if (ok && inflater.bytesOut() != out->size())
        return false;
    return ok;
}

} // namespace

class TestGzipStream : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripChunked_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<int>("level");
        QTest::newRow("empty") << QByteArray() << 6;
        QTest::newRow("small") << QByteArray("hello") << 6;
        QTest::newRow("text 300k") << randomText(300000, 1) << 6;
        QTest::newRow("text 300k stored") << randomText(300000, 2) << 0;
        QTest::newRow("text 300k best") << randomText(300000, 3) << 9;
    }

    void roundTripChunked()
    {
        QFETCH(QByteArray, data);
        QFETCH(int, level);
        // Compress in chunks too: the same bytes as one write.
        GzipDeflater deflater(level);
        QByteArray chunked;
        for (qsizetype pos = 0; pos < data.size(); pos += 1000)
            QVERIFY(deflater.write(
                QByteArrayView(data.constData() + pos, std::min<qsizetype>(1000, data.size() - pos)), &chunked));
        QVERIFY(deflater.finish(&chunked));
        QVERIFY(!deflater.failed());
        if (level != 0) // stored blocks follow the write sizes; compressed ones do not
            QCOMPARE(chunked, gzip(data, level));
        for (quint32 seed = 1; seed <= 5; ++seed) {
            QByteArray out;
            GzipInflater::Error error;
            QVERIFY(inflateChunked(chunked, seed, GzipInflater::Unlimited, &out, &error));
            QCOMPARE(out, data);
            QVERIFY(inflateChunked(chunked, seed, data.size(), &out, &error));
            QCOMPARE(out, data);
        }
        // gzip mode reads the same
        QByteArray out;
        GzipInflater::Error error;
        QVERIFY(
            inflateChunked(chunked + chunked, 9, GzipInflater::Unlimited, &out, &error, GzipInflater::Format::Gzip));
        QCOMPARE(out, data + data);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("format");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("message");
        const QByteArray good = gzip(randomText(50000, 7));
        QByteArray badCrc = good;
        badCrc[good.size() - 6] = char(badCrc[good.size() - 6] ^ 1);
        const QByteArray zlib = qCompress(QByteArray("hello hello")).mid(4);
        const int either = int(GzipInflater::Format::GzipOrZlib);
        const int gz = int(GzipInflater::Format::Gzip);
        const qint64 unlimited = GzipInflater::Unlimited;
        using E = GzipInflater::Error;
        QTest::newRow("empty") << QByteArray() << either << unlimited << int(E::Truncated)
                               << "compressed data is truncated";
        QTest::newRow("not compressed") << QByteArray("{}") << either << unlimited << int(E::BadHeader)
                                        << "incorrect header check";
        QTest::newRow("zlib in gzip mode") << zlib << gz << unlimited << int(E::BadHeader) << "incorrect header check";
        QTest::newRow("bad block") << QByteArray::fromHex("1f8b080000000000000306") << either << unlimited
                                   << int(E::BadData) << "invalid block type";
        // Found by fuzz_gzip: the error comes after the last input byte, once the output has room again.
        QTest::newRow("distance too far") << QByteArray::fromHex("1f8b0800002400000000"
                                                                 "4bcb2c002a00")
                                          << either << unlimited << int(E::BadData) << "invalid distance too far back";
        QTest::newRow("bad crc") << badCrc << either << unlimited << int(E::BadChecksum) << "incorrect data check";
        QTest::newRow("truncated") << good.left(good.size() - 1) << either << unlimited << int(E::Truncated)
                                   << "compressed data is truncated";
        QTest::newRow("trailing") << good + "xyz" << either << unlimited << int(E::TrailingGarbage)
                                  << "trailing data after the compressed stream";
        QTest::newRow("trailing byte") << good + "\x1f" << either << unlimited << int(E::TrailingGarbage)
                                       << "trailing data after the compressed stream";
        QTest::newRow("trailing, gzip mode")
            << good + "xyz" << gz << unlimited << int(E::BadHeader) << "incorrect header check";
        QTest::newRow("trailing byte, gzip mode")
            << good + "\x1f" << gz << unlimited << int(E::Truncated) << "compressed data is truncated";
        QTest::newRow("too large") << good << either << qint64(49999) << int(E::TooLarge)
                                   << "inflated data exceeds 49999 bytes";
        QTest::newRow("zlib then gzip") << zlib + good << either << qint64(50011) << int(E::None) << QString();
    }

    void errors()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, format);
        QFETCH(qint64, limit);
        QFETCH(int, error);
        QFETCH(QString, message);
        // One write and random chunks agree.
        GzipInflater inflater(GzipInflater::Format(format), limit);
        QByteArray out;
        const bool ok = inflater.write(input, &out) && inflater.finish();
        QCOMPARE(ok, error == int(GzipInflater::Error::None));
        QCOMPARE(int(inflater.error()), error);
        QCOMPARE(inflater.errorString(), message);
        QVERIFY(limit < 0 || out.size() <= limit);
        for (quint32 seed = 1; seed <= 5; ++seed) {
            QByteArray chunked;
            GzipInflater::Error chunkedError;
            QCOMPARE(inflateChunked(input, seed, limit, &chunked, &chunkedError, GzipInflater::Format(format)), ok);
            QCOMPARE(int(chunkedError), error);
            if (ok)
                QCOMPARE(chunked, out);
        }
        // A failed instance stays failed.
        if (!ok) {
            char c;
            QCOMPARE(inflater.read(&c, 1), qsizetype(-1));
            QVERIFY(!inflater.finish());
        }
    }

    void bytesInIsWhereItFailed()
    {
        // gzip mode reads the next member's header: the check needs two bytes, so the offset is two past the member.
        const QByteArray good = gzip(QByteArray("abc"));
        GzipInflater inflater(GzipInflater::Format::Gzip);
        QByteArray out;
        QVERIFY(!inflater.write(good + "zzzz", &out));
        QCOMPARE(inflater.error(), GzipInflater::Error::BadHeader);
        QCOMPARE(inflater.bytesIn(), good.size() + 2);
        QCOMPARE(out, QByteArray("abc"));
    }

    void bombStopsAtTheLimit()
    {
        const QByteArray bomb = gzip(QByteArray(64 * 1024 * 1024, '\0'), 9);
        GzipInflater inflater(GzipInflater::Format::GzipOrZlib, 1024 * 1024);
        QByteArray out;
        QVERIFY(!inflater.write(bomb, &out));
        QCOMPARE(inflater.error(), GzipInflater::Error::TooLarge);
        QCOMPARE(out.size(), 1024 * 1024);
        QVERIFY(out.capacity() < 4 * 1024 * 1024);
    }
};

QTEST_GUILESS_MAIN(TestGzipStream)
#include "tst_gzipstream.moc"
