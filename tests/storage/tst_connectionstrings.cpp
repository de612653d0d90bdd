#include "storage/connectionstrings.h"

#include <QDir>
#include <QTest>

using namespace ConnectionStrings;

class TestConnectionStrings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redactText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");

        // PostgreSQL URIs: the user stays, the password goes; a password query parameter too.
        QTest::newRow("pg uri") << QStringLiteral("postgresql://user:s3cret@db.example.com:5432/otel")
                                << QStringLiteral("postgresql://user:****@db.example.com:5432/otel");
        QTest::newRow("postgres uri") << QStringLiteral("postgres://me:pw%40x@host/db?sslmode=require")
                                      << QStringLiteral("postgres://me:****@host/db?sslmode=require");
        QTest::newRow("pg uri, @ in the password")
            << QStringLiteral("postgresql://u:p@ss@host/db") << QStringLiteral("postgresql://u:****@host/db");
        QTest::newRow("pg uri, ? in the password")
            << QStringLiteral("postgresql://u:a?b@host/db") << QStringLiteral("postgresql://u:****@host/db");
        QTest::newRow("pg uri, user only")
            << QStringLiteral("postgresql://user@host/db") << QStringLiteral("postgresql://user@host/db");
        QTest::newRow("pg uri, query password")
            << QStringLiteral("postgresql://host/db?sslmode=require&password=s3cret&application_name=x")
            << QStringLiteral("postgresql://host/db?sslmode=require&password=****&application_name=x");
        QTest::newRow("pg uri, query password last") << QStringLiteral("postgresql://u@host/db?password=s3cret")
                                                     << QStringLiteral("postgresql://u@host/db?password=****");
        QTest::newRow("pg uri in a sentence")
            << QStringLiteral("cannot connect to postgresql://u:pw@h:1/db: refused")
            << QStringLiteral("cannot connect to postgresql://u:****@h:1/db: refused");

        // Any other URL loses its whole user info (the user of an S3 endpoint is its access key).
        QTest::newRow("s3 endpoint") << QStringLiteral("http://AKIAEXAMPLE:wJalrXUtnFEMI@127.0.0.1:9000")
                                     << QStringLiteral("http://****@127.0.0.1:9000");
        QTest::newRow("s3 endpoint, unencoded / in the secret")
            << QStringLiteral("http://AKIAEXAMPLE:wJalr/K7MDENG@127.0.0.1:9000 refused")
            << QStringLiteral("http://****@127.0.0.1:9000 refused");
        QTest::newRow("s3 endpoint, key and secret")
            << QStringLiteral("http://AKIAEXAMPLE:wJalrXUtnFEMI%2FK7MDENG@127.0.0.1:9000/prefix")
            << QStringLiteral("http://****@127.0.0.1:9000/prefix");
        QTest::newRow("s3 endpoint, user only")
            << QStringLiteral("https://AKIAEXAMPLE@s3.example.com") << QStringLiteral("https://****@s3.example.com");
        QTest::newRow("s3 description")
            << QStringLiteral("PUT otel-traces/a/b.json.gz @ http://AK:SK@127.0.0.1:1: Couldn't connect to server")
            << QStringLiteral("PUT otel-traces/a/b.json.gz @ http://****@127.0.0.1:1: Couldn't connect to server");
        QTest::newRow("two urls") << QStringLiteral("http://a:b@h1 and https://c:d@h2/x")
                                  << QStringLiteral("http://****@h1 and https://****@h2/x");
        QTest::newRow("url without user info") << QStringLiteral("http://host:9000/bucket/a.json user@example.com")
                                               << QStringLiteral("http://host:9000/bucket/a.json user@example.com");

        // libpq keyword/value strings: bare, quoted with escapes, spaces around '=', any case.
        QTest::newRow("keywords") << QStringLiteral("host=127.0.0.1 port=5432 user=u password=secret dbname=otel")
                                  << QStringLiteral("host=127.0.0.1 port=5432 user=u password=**** dbname=otel");
        QTest::newRow("keywords, quoted") << QStringLiteral("host=h password='a b\\'c' dbname=otel")
                                          << QStringLiteral("host=h password=**** dbname=otel");
        QTest::newRow("keywords, quoted backslash last")
            << QStringLiteral("password='x\\\\' user=u") << QStringLiteral("password=**** user=u");
        QTest::newRow("keywords, bare with escaped space")
            << QStringLiteral("password=a\\ b user=u") << QStringLiteral("password=**** user=u");
        QTest::newRow("keywords, spaces around =")
            << QStringLiteral("user=u password = secret host=h") << QStringLiteral("user=u password = **** host=h");
        QTest::newRow("keywords, unterminated quote")
            << QStringLiteral("host=h password='abc def") << QStringLiteral("host=h password=****");
        QTest::newRow("sslpassword") << QStringLiteral("sslpassword=k3y host=h")
                                     << QStringLiteral("sslpassword=**** host=h");
        QTest::newRow("environment") << QStringLiteral("PGPASSWORD=s3cret psql")
                                     << QStringLiteral("PGPASSWORD=**** psql");
        QTest::newRow("double quoted") << QStringLiteral("password=\"a b\" rest")
                                       << QStringLiteral("password=**** rest");
        QTest::newRow("password at the end")
            << QStringLiteral("user=u password=") << QStringLiteral("user=u password=");

        // Nothing to hide: unchanged.
        QTest::newRow("no password") << QStringLiteral("host=h port=5432 dbname=otel user=u")
                                     << QStringLiteral("host=h port=5432 dbname=otel user=u");
        QTest::newRow("plain endpoint") << QStringLiteral("http://127.0.0.1:9000")
                                        << QStringLiteral("http://127.0.0.1:9000");
        const QString sqlite = QStringLiteral("sqlite:") + QDir::temp().filePath(QStringLiteral("x.db"));
        QTest::newRow("sqlite") << sqlite << sqlite;
        QTest::newRow("message") << QStringLiteral("password authentication failed for user \"u\"")
                                 << QStringLiteral("password authentication failed for user \"u\"");
        QTest::newRow("empty") << QString() << QString();
    }

    void redactText()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(redact(text), expected);
    }

    void redactKnownSecrets()
    {
        // What libpq echoes from a URI it cannot parse: the secret as written.
        const QString uri = QStringLiteral("postgresql://u:%zzTopSecret@h/db");
        const QString message = QStringLiteral("invalid percent-encoded token: \"%zzTopSecret\"");
        QCOMPARE(redact(message, secretsOf(uri)), QStringLiteral("invalid percent-encoded token: \"****\""));

        // Decoded too.
        const QStringList decoded = secretsOf(QStringLiteral("postgresql://u:p%20w%40rd@h/db"));
        QVERIFY(decoded.contains(QStringLiteral("p%20w%40rd")));
        QVERIFY(decoded.contains(QStringLiteral("p w@rd")));
        QCOMPARE(redact(QStringLiteral("x p w@rd y"), decoded), QStringLiteral("x **** y"));

        // A short secret only where it stands alone.
        QCOMPARE(
            redact(QStringLiteral("ab cab \"ab\""), { QStringLiteral("ab") }), QStringLiteral("**** cab \"****\""));
        QCOMPARE(redact(QStringLiteral("no secrets"), { QString() }), QStringLiteral("no secrets"));
    }

    void secrets_data()
    {
        QTest::addColumn<QString>("connection");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("uri") << QStringLiteral("postgresql://u:pw@h/db") << QStringList { QStringLiteral("pw") };
        QTest::newRow("uri query") << QStringLiteral("postgresql://h/db?password=a%26b&sslmode=disable")
                                   << QStringList { QStringLiteral("a%26b"), QStringLiteral("a&b") };
        QTest::newRow("keywords") << QStringLiteral("host=h password=secret")
                                  << QStringList { QStringLiteral("secret") };
        QTest::newRow("keywords quoted") << QStringLiteral("host=h password='a b\\'c'")
                                         << QStringList { QStringLiteral("a b'c"), QStringLiteral("a b\\'c") };
        QTest::newRow("s3 endpoint") << QStringLiteral("http://AK:SK%2Fx@h:9000")
                                     << QStringList { QStringLiteral("SK%2Fx"), QStringLiteral("SK/x") };
        QTest::newRow("none") << QStringLiteral("host=h user=u") << QStringList();
        QTest::newRow("user only") << QStringLiteral("postgresql://u@h/db") << QStringList();
    }

    void secrets()
    {
        QFETCH(QString, connection);
        QFETCH(QStringList, expected);
        QCOMPARE(secretsOf(connection), expected);
    }

    void userInfo()
    {
        QString user;
        QString password;
        QCOMPARE(withoutUserInfo(QStringLiteral("http://AK:S%2FK@127.0.0.1:9000/p"), &user, &password),
            QStringLiteral("http://127.0.0.1:9000/p"));
        QCOMPARE(user, QStringLiteral("AK"));
        QCOMPARE(password, QStringLiteral("S/K"));
        QCOMPARE(
            withoutUserInfo(QStringLiteral("http://AK:S/K@h:9000"), &user, &password), QStringLiteral("http://h:9000"));
        QCOMPARE(password, QStringLiteral("S/K"));
        QCOMPARE(withoutUserInfo(QStringLiteral("https://AK@h"), &user, &password), QStringLiteral("https://h"));
        QCOMPARE(user, QStringLiteral("AK"));
        QVERIFY(password.isEmpty());
        QCOMPARE(withoutUserInfo(QStringLiteral("http://h:9000"), &user, &password), QStringLiteral("http://h:9000"));
        QVERIFY(user.isEmpty());
        QCOMPARE(withoutUserInfo(QStringLiteral("not a url")), QStringLiteral("not a url"));
    }

    void detection_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<bool>("uri");
        QTest::addColumn<bool>("keywords");
        QTest::newRow("uri") << QStringLiteral("postgresql://u@h/db") << true << false;
        QTest::newRow("short uri") << QStringLiteral("postgres://h") << true << false;
        QTest::newRow("keywords") << QStringLiteral("host=127.0.0.1 port=5432 user=u password=secret dbname=otel")
                                  << false << true;
        QTest::newRow("quoted keywords") << QStringLiteral("host = h password='a b' dbname=otel") << false << true;
        QTest::newRow("service") << QStringLiteral("service=traces") << false << true;
        QTest::newRow("sslmode") << QStringLiteral("dbname=otel sslmode=require") << false << true;
        QTest::newRow("path") << QDir::temp().filePath(QStringLiteral("traces.db")) << false << false;
        QTest::newRow("relative path") << QStringLiteral("traces.db") << false << false;
        QTest::newRow("path with =") << QDir::temp().filePath(QStringLiteral("a=b.db")) << false << false;
        QTest::newRow("sqlite prefix") << QStringLiteral("sqlite:host=x") << false << false;
        QTest::newRow("unknown keyword") << QStringLiteral("colour=blue") << false << false;
        QTest::newRow("half a pair") << QStringLiteral("host=h dbname") << false << false;
        QTest::newRow("empty") << QString() << false << false;
    }

    void detection()
    {
        QFETCH(QString, spec);
        QFETCH(bool, uri);
        QFETCH(bool, keywords);
        QCOMPARE(isPostgresUri(spec), uri);
        QCOMPARE(isPostgresKeywordString(spec), keywords);
        QCOMPARE(isPostgresConnectionString(spec), uri || keywords);
    }

    void keywordProblems_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("problem"); // a part of it; empty: none
        QTest::newRow("mistyped keyword") << QStringLiteral("host=h pasword=S3cretValue dbname=otel")
                                          << QStringLiteral("invalid connection option \"pasword\"");
        QTest::newRow("unterminated quote")
            << QStringLiteral("host=h password='S3cret Value") << QStringLiteral("unterminated quoted string");
        QTest::newRow("valid") << QStringLiteral("host=h password=S3cretValue") << QString();
        QTest::newRow("path with =") << QDir::temp().filePath(QStringLiteral("a=S3cretValue.db")) << QString();
        // Written like one pair: refused like a mistyped keyword (sqlite:x=... names such a file).
        QTest::newRow("relative path with =")
            << QStringLiteral("x=S3cretValue.db") << QStringLiteral("invalid connection option \"x\"");
        QTest::newRow("path") << QStringLiteral("traces.db") << QString();
        QTest::newRow("uri") << QStringLiteral("postgresql://u:S3cretValue@h/db") << QString();
        QTest::newRow("a word without =") << QStringLiteral("host=h S3cretValue") << QString();
    }

    void keywordProblems()
    {
        QFETCH(QString, spec);
        QFETCH(QString, problem);
        const QString found = keywordStringProblem(spec);
        if (problem.isEmpty())
            QVERIFY2(found.isEmpty(), qPrintable(found));
        else
            QVERIFY2(found.contains(problem), qPrintable(found));
        QVERIFY2(!found.contains(QLatin1String("S3cret")), qPrintable(found));
    }

    void pairs()
    {
        const QString text = QStringLiteral("host=h  password = 'a b\\'c' port=5432");
        const QList<KeywordPair> pairs = keywordPairs(text);
        QCOMPARE(pairs.size(), 3);
        QCOMPARE(pairs[1].keyword, QStringLiteral("password"));
        QCOMPARE(pairs[1].value, QStringLiteral("a b'c"));
        QCOMPARE(text.mid(pairs[1].begin, pairs[1].end - pairs[1].begin), QStringLiteral("password = 'a b\\'c'"));
        QCOMPARE(pairs[2].value, QStringLiteral("5432"));
    }
};

QTEST_GUILESS_MAIN(TestConnectionStrings)
#include "tst_connectionstrings.moc"
