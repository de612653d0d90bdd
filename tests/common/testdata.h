#pragma once

// Test inputs. The project's own files live in tests/data/ (README.md there says what each one exercises) and every
// suite runs on them. The public corpus (../shared/otlp-fixtures beside the repository by default) is an optional
// conformance run: named "conformance/<path in the corpus>" here, found through SPANSCOPE_CONFORMANCE_DIR (the
// environment variable wins over the CMake cache variable compiled in), skipped with one line when absent.
//
// In a test function (the macros QSKIP/QVERIFY and return):
//   SPANSCOPE_TEST_FILE(path, QStringLiteral("otlp-json/checkout-fanout.json"));  // exists, or the test fails
//   SPANSCOPE_READ_TEST_FILE(bytes, QStringLiteral("conformance/otlp-json/spec-example.json"));  // skips without it
//   SPANSCOPE_REQUIRE_CONFORMANCE();
// Not in a _data function: QtTest 6.4 still runs the test function after a failure there, and its QFETCH aborts.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QString>
#include <QTest>

#ifndef SPANSCOPE_CONFORMANCE_DIR
#define SPANSCOPE_CONFORMANCE_DIR ""
#endif

namespace TestData {

inline const QString& conformancePrefix()
{
    static const QString prefix = QStringLiteral("conformance/");
    return prefix;
}

/// tests/data/, found with QFINDTESTDATA's search from this header's folder (tests/common/).
inline QString dataDir()
{
    static const QString dir = [] {
        const QString found = QTest::qFindTestData(QStringLiteral("../data"), __FILE__, __LINE__);
        return QDir(
            found.isEmpty() ? QFileInfo(QStringLiteral(__FILE__)).dir().filePath(QStringLiteral("../data")) : found)
            .absolutePath();
    }();
    return dir;
}

/// The folder the conformance corpus was asked for, or empty when nobody asked.
inline QString requestedConformanceDir()
{
    if (qEnvironmentVariableIsSet("SPANSCOPE_CONFORMANCE_DIR"))
        return qEnvironmentVariable("SPANSCOPE_CONFORMANCE_DIR");
    return QString::fromUtf8(SPANSCOPE_CONFORMANCE_DIR);
}

/// The conformance corpus folder, or empty when it is not set or does not exist (then its cases skip).
inline QString conformanceDir()
{
    const QString dir = requestedConformanceDir();
    return !dir.isEmpty() && QFileInfo(dir).isDir() ? QDir(dir).absolutePath() : QString();
}

inline QString conformanceSkipMessage()
{
    const QString requested = requestedConformanceDir();
    return (requested.isEmpty() ? QStringLiteral("conformance corpus not found")
                                : QStringLiteral("conformance corpus not found at %1").arg(requested))
        + QStringLiteral(": set SPANSCOPE_CONFORMANCE_DIR=DIR or -DSPANSCOPE_CONFORMANCE_DIR=DIR");
}

/// "conformance/" + `relative`: names a file of the corpus.
inline QString conformanceFile(const char* relative) { return conformancePrefix() + QLatin1StringView(relative); }

inline bool isConformance(const QString& ref) { return ref.startsWith(conformancePrefix()); }

/// The absolute path `ref` names: "conformance/x" in the corpus, anything else in tests/data/. Not checked.
inline QString resolve(const QString& ref)
{
    if (isConformance(ref))
        return QDir(conformanceDir()).filePath(ref.mid(conformancePrefix().size()));
    return QDir(dataDir()).filePath(ref);
}

inline QString missingMessage(const QString& path) { return QStringLiteral("test input not found: ") + path; }

/// Reads a whole file; false with a message naming the path when it cannot.
inline bool read(const QString& path, QByteArray* out, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read test input %1: %2").arg(path, file.errorString());
        return false;
    }
    *out = file.readAll();
    return true;
}

} // namespace TestData

#define SPANSCOPE_REQUIRE_CONFORMANCE()                                                                                \
    do {                                                                                                               \
        if (TestData::conformanceDir().isEmpty())                                                                      \
            QSKIP(qPrintable(TestData::conformanceSkipMessage()));                                                     \
    } while (false)

/// Declares `const QString var`, the path of `ref`; skips for an absent corpus, fails naming the path when missing.
#define SPANSCOPE_TEST_FILE(var, ref)                                                                                  \
    const QString var = TestData::resolve(ref);                                                                        \
    do {                                                                                                               \
        if (TestData::isConformance(ref))                                                                              \
            SPANSCOPE_REQUIRE_CONFORMANCE();                                                                           \
        QVERIFY2(QFileInfo(var).isFile(), qPrintable(TestData::missingMessage(var)));                                  \
    } while (false)

/// Declares `QByteArray var` with the content of `ref` (see SPANSCOPE_TEST_FILE).
#define SPANSCOPE_READ_TEST_FILE(var, ref)                                                                             \
    SPANSCOPE_TEST_FILE(var##Path, ref);                                                                               \
    QByteArray var;                                                                                                    \
    do {                                                                                                               \
        QString var##Error;                                                                                            \
        QVERIFY2(TestData::read(var##Path, &var, &var##Error), qPrintable(var##Error));                                \
    } while (false)
