// Imports generated OTLP/JSON Lines and protobuf files into a temporary SqliteTraceStore and prints spans/s and the
// peak resident memory of the importing process (VmHWM). Every import runs in a child process of its own, so each
// peak is that import's alone; each format runs at two sizes to show whether the peak grows with the file.
//
//   bench_import [--spans N] [--proto-spans M] [--spans-per-trace K]
//
// JSON Lines: N/10 and N spans (default 1,000,000), 100 spans per line, streamed by the importer.
// Protobuf: M/10 and M spans (default 100,000), the first spans of the same generated data in ONE
// ExportTraceServiceRequest, which the importer has to read whole (docs/file-formats.md): its peak grows with it.
// "decode only" rows run TraceImporter::readFile without a store: the importer's own memory. The store rows add
// SQLite's writer page cache, which fills up to its bound (64 MiB) as the database grows.

#include "ingest/codec/otlpjsoncodec.h"
#include "ingest/codec/otlpprotobufcodec.h"
#include "ingest/files/traceimporter.h"
#include "storage/sqlitetracestore.h"
#include "tests/benchmarks/spangenerator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

namespace {

qint64 statusKb(const char* field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong();
    return -1;
}

bool writeJsonLines(const QString& path, qint64 spans, const SpanGenerator& gen)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    constexpr qint64 perLine = 100;
    std::vector<Span> line;
    for (qint64 i = 0; i < spans; i += perLine) {
        line.clear();
        for (qint64 j = i; j < std::min(spans, i + perLine); ++j)
            line.push_back(gen.span(j));
        if (!f.write(OtlpJsonCodec::encodeRequest(line, false).append('\n')))
            return false;
    }
    return true;
}

bool writeProtobuf(const QString& path, qint64 spans, const SpanGenerator& gen)
{
    std::vector<Span> all;
    all.reserve(static_cast<std::size_t>(spans));
    for (qint64 i = 0; i < spans; ++i)
        all.push_back(gen.span(i));
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(OtlpProtobufCodec::encodeRequest(all)) >= 0;
}

/// Child: import one file into a new store (or only decode it when db is empty), print
/// "spans seconds peak_kb baseline_kb".
int runChild(const QString& file, const QString& db)
{
    SqliteTraceStore store(db.isEmpty() ? QStringLiteral(":memory:") : db);
    QString error;
    if (!db.isEmpty() && !store.open(&error)) {
        std::fprintf(stderr, "bench_import: %s\n", qPrintable(error));
        return 2;
    }
    const qint64 baseline = statusKb("VmHWM:");
    QElapsedTimer timer;
    timer.start();
    const ImportReport report = db.isEmpty()
        ? TraceImporter::readFile(file, {}, [](std::vector<IngestItem>&&) { return true; })
        : TraceImporter(&store).importFile(file);
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    if (!report.ok) {
        std::fprintf(stderr, "bench_import: %s\n", qPrintable(report.error));
        return 2;
    }
    std::fprintf(stdout, "%lld %.3f %lld %lld\n", static_cast<long long>(report.spansImported), seconds,
                 static_cast<long long>(statusKb("VmHWM:")), static_cast<long long>(baseline));
    return 0;
}

bool measure(const QString& label, const QString& file, const QString& db)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QStringList childArgs { QStringLiteral("--child"), file };
    if (!db.isEmpty())
        childArgs << db;
    child.start(QCoreApplication::applicationFilePath(), childArgs);
    if (!child.waitForFinished(-1) || child.exitCode() != 0) {
        std::fprintf(stderr, "bench_import: the import of %s failed\n", qPrintable(file));
        return false;
    }
    const QList<QByteArray> fields = child.readAllStandardOutput().trimmed().split(' ');
    if (fields.size() != 4)
        return false;
    const qint64 spans = fields[0].toLongLong();
    const double seconds = fields[1].toDouble();
    std::printf("%-36s %10lld spans %9.1f MiB file %8.2f s %10.0f spans/s  peak RSS %7.1f MiB (store opened: %.1f MiB)\n",
                qPrintable(label), static_cast<long long>(spans),
                static_cast<double>(QFileInfo(file).size()) / 1048576.0, seconds,
                seconds > 0 ? static_cast<double>(spans) / seconds : 0.0, fields[2].toDouble() / 1024.0,
                fields[3].toDouble() / 1024.0);
    std::fflush(stdout);
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments();
    if (args.size() == 4 && args[1] == QLatin1String("--child"))
        return runChild(args[2], args[3]);
    if (args.size() == 3 && args[1] == QLatin1String("--child"))
        return runChild(args[2], QString());

    qint64 spans = 1000000;
    qint64 protoSpans = 100000;
    int perTrace = 50;
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--spans"))
            spans = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--proto-spans"))
            protoSpans = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--spans-per-trace"))
            perTrace = args[i + 1].toInt();
    }
    if (spans < 10 || protoSpans < 10 || perTrace < 1) {
        std::fprintf(stderr, "usage: bench_import [--spans N] [--proto-spans M] [--spans-per-trace K]\n");
        return 1;
    }

    QTemporaryDir dir;
    if (!dir.isValid())
        return 2;
    const SpanGenerator gen(perTrace);
    std::printf("bench_import: %d spans per trace, 100 spans per JSON line; each import in its own process\n", perTrace);
    bool ok = true;
    for (const qint64 n : { spans / 10, spans }) {
        const QString file = dir.filePath(QStringLiteral("spans-%1.jsonl").arg(n));
        if (!writeJsonLines(file, n, gen))
            return 2;
        ok = measure(QStringLiteral("otlp-jsonl %1 decode only").arg(n), file, QString()) && ok;
        ok = measure(QStringLiteral("otlp-jsonl %1").arg(n), file, dir.filePath(QStringLiteral("jsonl-%1.db").arg(n)))
            && ok;
        QFile::remove(file);
    }
    for (const qint64 n : { protoSpans / 10, protoSpans }) {
        const QString file = dir.filePath(QStringLiteral("spans-%1.pb").arg(n));
        if (!writeProtobuf(file, n, gen))
            return 2;
        ok = measure(QStringLiteral("otlp-proto %1 decode only").arg(n), file, QString()) && ok;
        ok = measure(QStringLiteral("otlp-proto %1").arg(n), file, dir.filePath(QStringLiteral("pb-%1.db").arg(n))) && ok;
        QFile::remove(file);
    }
    return ok ? 0 : 2;
}
