#include "commandline.h"
#include "costpriceskeeper.h"
#include "signalwatcher.h"
#include "storeopener.h"
#include "tracefileservice.h"

#include "ingest/api/queryapi.h"
#include "ingest/codec/payloadformatter.h"
#include "ingest/files/traceexporter.h"
#include "ingest/files/traceimporter.h"
#include "ingest/receiver/ingestpipeline.h"
#include "ingest/receiver/otlpgrpcreceiver.h"
#include "ingest/receiver/otlphttpreceiver.h"
#include "ingest/worker/ingestcoordinator.h"
#include "model/pricetable.h"
#include "storage/connectionstrings.h"
#include "storage/postgrestracestore.h"
#include "storage/s3blobstore.h"
#include "storage/sqlitetracestore.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTranslator>

#include <algorithm>
#include <cstdio>
#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

struct Config {
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 4318;
    bool grpcEnabled = true; ///< --grpc-listen off turns the OTLP/gRPC receiver off
    QHostAddress grpcAddress = QHostAddress::LocalHost;
    quint16 grpcPort = 4317;
    QString storePath;
    QString pgConnection; ///< --store postgresql://...: the PostgreSQL store instead of SQLite at storePath
    QString pgSchema = PostgresTraceStore::defaultSchema(); ///< --pg-schema, else $OTEL_DB_SCHEMA, else "otel"
    qint64 maxBodyBytes = qint64(16) * 1024 * 1024;
    QString s3Endpoint; ///< --s3-endpoint, else $AWS_ENDPOINT_URL_S3 (S3Config::fromEnvironment); serve worker mode
    QString s3Bucket = QStringLiteral("otel-traces"); ///< --s3-bucket
    QStringList viewFiles; ///< `spanscope FILE...`: view these files, no receiver, main store untouched
    QByteArray apiKey; ///< --api-key, else $SPANSCOPE_API_KEY: required on /v1/* and /api/v1/* when set
    bool allowUnauthenticated = false; ///< --allow-unauthenticated: listen beyond loopback without a key
};

/// Why the receiver must not start as configured (empty when it may): a non-loopback address without an API key.
QString exposureProblem(const Config& config)
{
    if (!config.apiKey.isEmpty() || config.allowUnauthenticated)
        return QString();
    const QHostAddress exposed = !config.listenAddress.isLoopback()                    ? config.listenAddress
        : config.grpcEnabled && !config.grpcAddress.isLoopback() ? config.grpcAddress
                                                                    : QHostAddress();
    if (exposed.isNull())
        return QString();
    return QCoreApplication::translate("main", "refusing to listen on %1 without an API key: anyone who can reach it "
                                               "could read and write traces. Set --api-key KEY (or SPANSCOPE_API_KEY), "
                                               "or pass --allow-unauthenticated.")
        .arg(exposed.toString());
}

OtlpGrpcReceiver::Options grpcOptions(const Config& config)
{
    OtlpGrpcReceiver::Options options;
    options.address = config.grpcAddress;
    options.port = config.grpcPort;
    options.maxMessageBytes = config.maxBodyBytes;
    options.apiKey = config.apiKey;
    return options;
}

void printError(const QString& message)
{
    std::fprintf(stderr, "spanscope: %s\n", qPrintable(message));
}

/// Parses the HOST:PORT of --listen or --grpc-listen ("[::1]:4318", "0.0.0.0:4318", ":4318" = loopback).
bool parseHostPort(const QString& text, const char* option, QHostAddress* address, quint16* port, QString* error)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint number = colon >= 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    if (colon < 0 || !ok || number > 65535) {
        *error = QCoreApplication::translate("main", "--%1 expects HOST:PORT, got \"%2\"").arg(QLatin1String(option), text);
        return false;
    }
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    if (!address->setAddress(host)) {
        *error = QCoreApplication::translate("main", "--%1: \"%2\" is not an IP address").arg(QLatin1String(option), host);
        return false;
    }
    *port = static_cast<quint16>(number);
    return true;
}

/// Parses --store sqlite:PATH (or a bare path), or postgresql://... or libpq's key=value pairs (given to libpq as
/// they are). Pairs libpq refuses are an error, never a file name (it would hold the password).
bool parseStore(const QString& text, Config* config, QString* error)
{
    if (PostgresTraceStore::isConnectionString(text)) {
        config->pgConnection = text;
        return true;
    }
    if (const QString problem = ConnectionStrings::keywordStringProblem(text); !problem.isEmpty()) {
        *error = QCoreApplication::translate("main", "--store: %1 (a file needs sqlite:PATH)").arg(problem);
        return false;
    }
    QString path = text.startsWith(QLatin1String("sqlite:")) ? text.mid(7) : text;
    if (path.isEmpty()) {
        *error = QCoreApplication::translate("main", "--store sqlite:PATH needs a file path");
        return false;
    }
    config->storePath = QDir::current().absoluteFilePath(path);
    return true;
}

/// The store the configuration names, not yet opened: PostgreSQL for a postgresql:// --store, else SQLite.
std::unique_ptr<TraceStore> createStore(const Config& config)
{
    if (!config.pgConnection.isEmpty())
        return std::make_unique<PostgresTraceStore>(config.pgConnection, config.pgSchema);
    return std::make_unique<SqliteTraceStore>(config.storePath);
}

bool parseCommandLine(QCoreApplication& app, bool serveMode, Config* config)
{
    CommandLine parser(serveMode ? CommandLine::Command::Serve : CommandLine::Command::Gui);
    const CommandLine::Option& listen = CommandLine::Listen;
    const CommandLine::Option& store = CommandLine::Store;
    const CommandLine::Option& maxBody = CommandLine::MaxBodyBytes;
    const CommandLine::Option& pgSchema = CommandLine::PgSchema;
    const CommandLine::Option& s3Endpoint = CommandLine::S3Endpoint;
    const CommandLine::Option& s3Bucket = CommandLine::S3Bucket;
    parser.process(app);
    config->apiKey = parser.value(CommandLine::ApiKey).toUtf8(); // else $SPANSCOPE_API_KEY
    config->allowUnauthenticated = parser.isSet(CommandLine::AllowUnauthenticated);
    if (parser.isSet(pgSchema))
        config->pgSchema = parser.value(pgSchema);
    if (parser.isSet(s3Endpoint))
        config->s3Endpoint = parser.value(s3Endpoint);
    if (parser.isSet(s3Bucket))
        config->s3Bucket = parser.value(s3Bucket);

    const QStringList positional = parser.positionalArguments();
    if (serveMode && positional.size() > 1) {
        printError(QCoreApplication::translate("main", "unexpected argument \"%1\"").arg(positional.last()));
        return false;
    }
    if (!serveMode) {
        for (const QString& file : positional) {
            const QFileInfo info(file);
            if (!info.isFile()) {
                printError(QCoreApplication::translate("main", "%1: %2").arg(file,
                    info.exists() ? QCoreApplication::translate("main", "not a file")
                                  : QCoreApplication::translate("main", "no such file (commands: serve, import, "
                                                                        "export)")));
                return false;
            }
            config->viewFiles << info.absoluteFilePath();
        }
    }
    QString error;
    if (parser.isSet(listen)
        && !parseHostPort(parser.value(listen), "listen", &config->listenAddress, &config->listenPort, &error)) {
        printError(error);
        return false;
    }
    if (const QString grpc = parser.value(CommandLine::GrpcListen); parser.isSet(CommandLine::GrpcListen)) {
        if (grpc == QLatin1String("off")) {
            config->grpcEnabled = false;
        } else if (!parseHostPort(grpc, "grpc-listen", &config->grpcAddress, &config->grpcPort, &error)) {
            printError(error);
            return false;
        }
    }
    if (parser.isSet(store)) {
        if (!parseStore(parser.value(store), config, &error)) {
            printError(error);
            return false;
        }
    } else {
        config->storePath = SqliteTraceStore::defaultPath();
    }
    if (parser.isSet(maxBody)) {
        bool ok = false;
        config->maxBodyBytes = parser.value(maxBody).toLongLong(&ok);
        if (!ok || config->maxBodyBytes <= 0) {
            printError(QCoreApplication::translate("main", "--max-body-bytes expects a positive number"));
            return false;
        }
    }
    return true;
}

/// Opens the store named by --store (or the default) and --pg-schema; prints why and returns nullptr when it cannot.
std::unique_ptr<TraceStore> openStore(const CommandLine& parser, const CommandLine::Option& option)
{
    Config config;
    QString error;
    if (parser.isSet(CommandLine::PgSchema))
        config.pgSchema = parser.value(CommandLine::PgSchema);
    if (parser.isSet(option)) {
        if (!parseStore(parser.value(option), &config, &error)) {
            printError(error);
            return nullptr;
        }
    } else {
        config.storePath = SqliteTraceStore::defaultPath();
    }
    auto store = createStore(config);
    if (!store->open(&error)) {
        printError(error);
        return nullptr;
    }
    return store;
}

/// `spanscope migrate --store postgresql://... [--pg-schema NAME]`: brings the schema to this build's version.
/// 0 when it is there, 1 on a usage error, 2 when the migration failed.
int runMigrate(QCoreApplication& app)
{
    CommandLine parser(CommandLine::Command::Migrate);
    const CommandLine::Option& store = CommandLine::Store;
    const CommandLine::Option& pgSchema = CommandLine::PgSchema;
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        printError(QCoreApplication::translate("main", "unexpected argument \"%1\"").arg(parser.positionalArguments().last()));
        return 1;
    }
    if (!PostgresTraceStore::isConnectionString(parser.value(store))) {
        printError(QCoreApplication::translate("main", "migrate needs --store postgresql://..."));
        return 1;
    }
    const QString schema = parser.isSet(pgSchema) ? parser.value(pgSchema) : PostgresTraceStore::defaultSchema();
    int from = 0;
    int to = 0;
    QString error;
    if (!PostgresTraceStore::migrate(parser.value(store), schema, &from, &to, &error)) {
        printError(error);
        return 2;
    }
    std::fprintf(stdout, "%s\n",
                 qPrintable(QCoreApplication::translate("main", "schema %1: version %2 before, %3 now")
                                .arg(schema)
                                .arg(from)
                                .arg(to)));
    std::fflush(stdout);
    return 0;
}

/// `spanscope genai TRACE_ID [--store STORE] [--prices FILE]`: prints the trace's agent run as JSON (what
/// `GET /api/v1/traces/{id}/genai` answers). 0 when printed, 1 on a usage error, 2 when the trace is unknown or the
/// store fails.
int runGenAi(QCoreApplication& app)
{
    CommandLine parser(CommandLine::Command::GenAi);
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    if (args.size() != 2) {
        printError(args.size() < 2 ? QCoreApplication::translate("main", "genai needs a TRACE_ID")
                                   : QCoreApplication::translate("main", "unexpected argument \"%1\"").arg(args.last()));
        return 1;
    }
    QString pricesPath;
    if (parser.isSet(CommandLine::Prices)) {
        pricesPath = parser.value(CommandLine::Prices);
        QString error;
        if (!QFileInfo::exists(pricesPath)) {
            printError(QCoreApplication::translate("main", "%1: no such file").arg(pricesPath));
            return 1;
        }
        PriceTable::load(&error, pricesPath);
        if (!error.isEmpty()) {
            printError(error);
            return 1;
        }
    }
    const auto traceStore = openStore(parser, CommandLine::Store);
    if (!traceStore)
        return 2;
    const QueryApi api(traceStore.get(), pricesPath);
    QueryApi::Request request;
    request.method = "GET";
    request.path = QStringLiteral("/api/v1/traces/%1/genai").arg(args.at(1));
    const QueryApi::Response response = api.handle(request);
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    if (response.status != 200) {
        printError(body.value(QLatin1String("error")).toString());
        return response.status == 400 ? 1 : 2;
    }
    std::fputs(QJsonDocument(body).toJson(QJsonDocument::Indented).constData(), stdout);
    std::fflush(stdout);
    return 0;
}

/// `spanscope import FILE... [--store STORE]`: 0 when every file imported, 1 on a usage error, 2 when a file failed.
int runImport(QCoreApplication& app)
{
    CommandLine parser(CommandLine::Command::Import);
    const CommandLine::Option& store = CommandLine::Store;
    parser.process(app);
    QStringList files = parser.positionalArguments();
    files.removeFirst(); // "import"
    if (files.isEmpty()) {
        printError(QCoreApplication::translate("main", "import needs at least one FILE"));
        return 1;
    }
    const auto traceStore = openStore(parser, store);
    if (!traceStore)
        return 2;
    TraceImporter importer(traceStore.get());
    int failed = 0;
    for (const QString& file : files) {
        const ImportReport report = importer.importFile(file);
        for (const QString& problem : report.problemMessages())
            std::fprintf(stderr, "spanscope: skipped: %s\n", qPrintable(problem));
        if (!report.ok) {
            printError(report.error);
            ++failed;
            continue;
        }
        QString line = QCoreApplication::translate("main", "%1: imported %2 spans in %3 traces (%4%5)")
                           .arg(file)
                           .arg(report.spansImported)
                           .arg(report.tracesImported)
                           .arg(traceFileFormatName(report.format), report.gzipped ? QStringLiteral(", gzip") : QString());
        if (report.spansRejected)
            line += QCoreApplication::translate("main", "; %1 spans rejected").arg(report.spansRejected);
        if (report.requestsSkipped)
            line += QCoreApplication::translate("main", "; %1 lines skipped").arg(report.requestsSkipped);
        if (report.logRecordsImported)
            line += QCoreApplication::translate("main", "; %1 log records").arg(report.logRecordsImported);
        if (report.logRecordsRejected)
            line += QCoreApplication::translate("main", "; %1 log records rejected").arg(report.logRecordsRejected);
        if (report.nonTraceLines)
            line += QCoreApplication::translate("main", "; %1 metric lines skipped").arg(report.nonTraceLines);
        std::fprintf(stdout, "%s\n", qPrintable(line));
    }
    std::fflush(stdout);
    return failed ? 2 : 0;
}

/// `spanscope export [--trace ID]... [--service NAME] [--format F] [--pretty] [--gzip] -o FILE [--store STORE]`:
/// 0 on success, 1 on a usage error, 2 when the export failed.
int runExport(QCoreApplication& app)
{
    CommandLine parser(CommandLine::Command::Export);
    const CommandLine::Option& trace = CommandLine::Trace;
    const CommandLine::Option& service = CommandLine::Service;
    const CommandLine::Option& format = CommandLine::Format;
    const CommandLine::Option& pretty = CommandLine::Pretty;
    const CommandLine::Option& gzip = CommandLine::Gzip;
    const CommandLine::Option& output = CommandLine::Output;
    const CommandLine::Option& store = CommandLine::Store;
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        printError(QCoreApplication::translate("main", "unexpected argument \"%1\"").arg(parser.positionalArguments().last()));
        return 1;
    }
    if (!parser.isSet(output)) {
        printError(QCoreApplication::translate("main", "export needs -o FILE"));
        return 1;
    }
    const QString path = parser.value(output);
    ExportOptions options;
    bool gzipByName = false;
    options.format = TraceExporter::formatForFileName(path, &gzipByName);
    options.gzip = gzipByName || parser.isSet(gzip);
    options.pretty = parser.isSet(pretty);
    if (parser.isSet(format) && !TraceExporter::parseFormat(parser.value(format), &options.format)) {
        printError(QCoreApplication::translate("main", "--format expects otlp-json, otlp-jsonl or otlp-proto, got \"%1\"")
                       .arg(parser.value(format)));
        return 1;
    }
    std::vector<TraceId> ids;
    for (const QString& hex : parser.values(trace)) {
        bool ok = false;
        const QString padded = hex.size() == 16 ? QString(QString(16, QLatin1Char('0')) + hex) : hex;
        const TraceId id = TraceId::fromHex(padded, &ok);
        if (!ok || !id.isValid()) {
            printError(QCoreApplication::translate("main", "--trace expects 32 hex digits, got \"%1\"").arg(hex));
            return 1;
        }
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) // the same trace named twice is exported once
            ids.push_back(id);
    }
    const auto traceStore = openStore(parser, store);
    if (!traceStore)
        return 2;
    for (const TraceId& id : ids) {
        QString error;
        if (!traceStore->traceSummary(id, &error)) {
            printError(error.isEmpty() ? QCoreApplication::translate("main", "trace %1 is not in the store %2")
                                             .arg(id.toHex(), traceStore->description())
                                       : error);
            return 2;
        }
    }
    TraceExporter exporter(traceStore.get());
    ExportReport report;
    if (!ids.empty()) {
        if (parser.isSet(service)) {
            std::vector<TraceId> matching;
            for (const TraceId& id : ids) {
                const auto summary = traceStore->traceSummary(id);
                if (summary && summary->services.contains(parser.value(service)))
                    matching.push_back(id);
            }
            ids = std::move(matching);
        }
        report = exporter.exportTraces(ids, path, options);
    } else {
        TraceQuery query;
        query.serviceName = parser.value(service);
        report = exporter.exportQuery(query, path, options);
    }
    if (!report.ok) {
        printError(report.error);
        return 2;
    }
    QString line = QCoreApplication::translate("main", "%1: exported %2 spans in %3 traces (%4%5, %6 bytes)")
                       .arg(path)
                       .arg(report.spans)
                       .arg(report.traces)
                       .arg(TraceExporter::formatName(options.format), options.gzip ? QStringLiteral(", gzip") : QString())
                       .arg(report.bytes);
    if (report.logRecords)
        line += QCoreApplication::translate("main", "; %1 log records").arg(report.logRecords);
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
    return 0;
}

/**
 * `spanscope serve`. With a postgresql:// store it is a worker (docs/architecture.md, "Worker mode"): a request is
 * acknowledged once it is in ingestion_queue, and an IngestCoordinator drains the queue into PostgreSQL and S3.
 */
int runServe(QCoreApplication& app, const Config& config)
{
    if (const QString exposure = exposureProblem(config); !exposure.isEmpty()) {
        printError(exposure);
        return 2;
    }
    const bool worker = !config.pgConnection.isEmpty();
    std::unique_ptr<S3BlobStore> blobs;
    if (worker) {
        S3Config s3 = S3Config::fromEnvironment();
        if (!config.s3Endpoint.isEmpty())
            s3.endpoint = config.s3Endpoint;
        s3.bucket = config.s3Bucket;
        if (!s3.endpoint.isEmpty())
            blobs = std::make_unique<S3BlobStore>(s3);
    }
    PostgresTraceStore* pg = nullptr;
    std::unique_ptr<TraceStore> traceStore;
    if (worker) {
        auto store = std::make_unique<PostgresTraceStore>(config.pgConnection, config.pgSchema, blobs.get());
        pg = store.get();
        traceStore = std::move(store);
    } else {
        traceStore = createStore(config);
    }
    TraceStore& store = *traceStore;
    QString error;
    if (!store.open(&error)) {
        printError(error);
        return 2;
    }
    // The query API prices by the user's table (PriceTable::load, as the GUI does): the store keeps the traces' costs
    // by it, at start and when the file changes, so GET /api/v1/traces?order_by=cost walks an index.
    CostPricesKeeper costPrices(&store);
    IngestPipeline pipeline(&store);
    std::unique_ptr<IngestCoordinator> coordinator;
    if (worker) {
        IngestCoordinator::Options options;
        if (blobs) {
            // Missing bucket or S3 down at start: the coordinator tries again before its next upload.
            if (!blobs->ensureBucket(&error))
                printError(QCoreApplication::translate("main", "S3 not ready, retrying later: %1").arg(error));
            options.prepareBlobs = [s3 = blobs.get()](QString* why) { return s3->ensureBucket(why); };
        }
        coordinator = std::make_unique<IngestCoordinator>(pg, blobs.get(), options);
        IngestCoordinator* c = coordinator.get();
        pipeline.setCommitFunction([c](const std::vector<IngestItem>& items) { return c->enqueue(items); });
        pipeline.setStatusFunction([c] { return c->status(); });
        coordinator->start();
    }
    pipeline.start();
    OtlpHttpReceiver::Options options;
    options.address = config.listenAddress;
    options.port = config.listenPort;
    options.maxBodyBytes = config.maxBodyBytes;
    options.apiKey = config.apiKey;
    OtlpHttpReceiver receiver(&pipeline, options);
    if (!receiver.start(&error)) {
        printError(error);
        return 2;
    }
    OtlpGrpcReceiver grpcReceiver(&pipeline, grpcOptions(config));
    if (config.grpcEnabled) {
        if (!grpcReceiver.start(&error)) {
            printError(QCoreApplication::translate("main", "OTLP/gRPC receiver: %1 (--grpc-listen HOST:PORT picks "
                                                           "another address, --grpc-listen off turns it off)")
                           .arg(error));
            receiver.stop();
            return 2;
        }
        receiver.setGrpcListenAddress(grpcReceiver.listenAddress());
    }
    std::fprintf(stdout, "spanscope: receiving OTLP/HTTP on http://%s/v1/traces, store %s\n",
                 qPrintable(receiver.listenAddress()), qPrintable(store.description()));
    if (config.grpcEnabled)
        std::fprintf(stdout, "spanscope: receiving OTLP/gRPC on %s\n", qPrintable(grpcReceiver.listenAddress()));
    if (worker)
        std::fprintf(stdout, "spanscope: worker mode: requests are queued in PostgreSQL, then written to its tables%s\n",
                     blobs ? qPrintable(QStringLiteral(" and to ") + blobs->description())
                           : " only (no S3: set --s3-endpoint or AWS_ENDPOINT_URL_S3 for the raw objects)");
    std::fflush(stdout);

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &app, [&](int sig) {
        std::fprintf(stdout, "spanscope: signal %d, committing and stopping\n", sig);
        std::fflush(stdout);
        grpcReceiver.stop();
        receiver.stop();
        app.quit();
    });
    const int rc = app.exec();
    grpcReceiver.stop(); // the pipeline commits (queues) everything it accepted
    receiver.stop();
    pipeline.stop();
    if (coordinator) {
        // What is still queued is drained by the next start (or another worker).
        coordinator->stop();
        coordinator->refreshQueueDepth();
        const IngestCoordinator::Counters c = coordinator->counters();
        std::fprintf(stdout, "spanscope: stopped, %lld spans queued, %lld requests drained, %lld still queued\n",
                     static_cast<long long>(pipeline.spansWritten()), static_cast<long long>(c.requestsCompleted),
                     static_cast<long long>(c.queueDepth));
        return rc;
    }
    std::fprintf(stdout, "spanscope: stopped, %lld spans committed\n", static_cast<long long>(pipeline.spansWritten()));
    return rc;
}

/// Viewer windows delete themselves later when closed; at exit, delete them now so their scratch stores go.
void deleteViewerWindows(MainWindow* keep)
{
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget* widget : windows)
        if (auto* viewer = qobject_cast<MainWindow*>(widget); viewer && viewer != keep)
            delete viewer;
}

/// `spanscope FILE...`: a viewer window on a scratch store; no receiver, the main store is not opened.
int runFileViewer(QApplication& app, const Config& config)
{
    AppTraceFileService files;
    QString error;
    MainWindow* viewer = MainWindow::createFileViewer(&files, formatPayloadAsOtlpJson, config.viewFiles, &error);
    if (!viewer) {
        printError(error);
        return 1;
    }
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &app, &QApplication::closeAllWindows);
    const int rc = app.exec();
    deleteViewerWindows(nullptr);
    return rc;
}

int runGui(QApplication& app, const Config& config)
{
    if (!config.viewFiles.isEmpty())
        return runFileViewer(app, config);
    AppTraceFileService files;
    AppStoreOpener opener;
    // The receiver always writes into the local SQLite store; a --store postgresql://... is shown in the window.
    const QString localPath = config.storePath.isEmpty() ? SqliteTraceStore::defaultPath() : config.storePath;
    SqliteTraceStore store(localPath);
    QString error;
    const bool storeOk = store.open(&error);
    IngestPipeline pipeline(&store);
    OtlpHttpReceiver::Options options;
    options.address = config.listenAddress;
    options.port = config.listenPort;
    options.maxBodyBytes = config.maxBodyBytes;
    options.apiKey = config.apiKey;
    OtlpHttpReceiver receiver(&pipeline, options);
    OtlpGrpcReceiver grpcReceiver(&pipeline, grpcOptions(config));

    MainWindow window(nullptr);
    window.setPayloadFormatter(formatPayloadAsOtlpJson);
    window.setFileService(&files);
    window.setStoreOpener(&opener);
    StoreConnection local;
    local.name = QCoreApplication::translate("main", "Local store");
    local.sqlitePath = localPath;
    window.setLocalStore(storeOk ? &store : nullptr, local);
    QObject::connect(&pipeline, &IngestPipeline::tracesChanged, &window, &MainWindow::notifyTracesChanged);
    QObject::connect(&pipeline, &IngestPipeline::spansWrittenChanged, &window, &MainWindow::setSpansReceived);
    QObject::connect(&pipeline, &IngestPipeline::storeHealthChanged, &window, [&window](bool failing, const QString& e) {
        if (failing)
            window.showError(QCoreApplication::translate("main", "Writing to the trace store failed: %1\n\nReceived "
                                                                 "traces are refused (503) until it works again.").arg(e));
        else
            window.showStatusMessage(QCoreApplication::translate("main", "Writing to the trace store works again"));
    });
    window.show();

    if (!storeOk) {
        window.setReceiverStatus(QCoreApplication::translate("main", "Receiver off (no store)"));
        window.showError(QCoreApplication::translate("main", "%1\n\nStart Spanscope with --store sqlite:PATH to use "
                                                             "another file.")
                             .arg(error));
    } else if (const QString exposure = exposureProblem(config); !exposure.isEmpty()) {
        window.setReceiverStatus(QCoreApplication::translate("main", "Receiver off (no API key)"));
        window.showError(exposure);
    } else {
        pipeline.start();
        QStringList listening;
        QStringList problems;
        if (receiver.start(&error)) {
            listening << QCoreApplication::translate("main", "OTLP/HTTP on %1").arg(receiver.listenAddress());
        } else {
            problems << QCoreApplication::translate("main", "The OTLP/HTTP receiver could not start: %1\n\nStart "
                                                            "Spanscope with --listen HOST:PORT to use another "
                                                            "address.")
                            .arg(error);
        }
        if (!config.grpcEnabled) {
        } else if (grpcReceiver.start(&error)) {
            listening << QCoreApplication::translate("main", "OTLP/gRPC on %1").arg(grpcReceiver.listenAddress());
            receiver.setGrpcListenAddress(grpcReceiver.listenAddress());
        } else {
            problems << QCoreApplication::translate("main", "The OTLP/gRPC receiver could not start: %1\n\nStart "
                                                            "Spanscope with --grpc-listen HOST:PORT to use another "
                                                            "address, or --grpc-listen off.")
                            .arg(error);
        }
        window.setReceiverStatus(listening.isEmpty()
                ? QCoreApplication::translate("main", "Receiver off")
                : QCoreApplication::translate("main", "Receiving %1").arg(listening.join(QStringLiteral(", "))));
        if (!problems.isEmpty())
            window.showError(problems.join(QStringLiteral("\n\n")));
    }
    if (!config.pgConnection.isEmpty()) {
        // --store postgresql://... (with --s3-endpoint/--s3-bucket): show it; a saved connection to the same store
        // lends its name and S3 settings. A password in the URI stays in memory only.
        StoreConnection team;
        team.kind = StoreConnection::Postgres;
        QString password;
        team.pgConnection = StoreConnection::withoutPassword(config.pgConnection, &password);
        team.pgSchema = config.pgSchema;
        const S3Config s3 = S3Config::fromEnvironment();
        team.s3Endpoint = config.s3Endpoint.isEmpty() ? s3.endpoint : config.s3Endpoint;
        team.s3Bucket = config.s3Bucket;
        team.s3Region = s3.region;
        for (const StoreConnection& saved : MainWindow::savedConnections())
            if (saved.kind == StoreConnection::Postgres && saved.pgSchema == team.pgSchema
                && StoreConnection::withoutPassword(saved.pgConnection) == team.pgConnection) {
                team = saved;
                break;
            }
        window.sessionSecrets().setPgPassword(team, password);
        window.connectToStore(team);
    }
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &app, &QCoreApplication::quit);
    const int rc = app.exec();
    deleteViewerWindows(&window);
    grpcReceiver.stop();
    receiver.stop();
    pipeline.stop();
    return rc;
}

} // namespace

/**
 * glibc malloc settings for the ingest path. A request's buffers (the body, up to --max-body-bytes, its decoded spans,
 * the encoded rows: about 1 MiB for a 512-span request) are allocated on a receiving thread and freed on the writer
 * or the pool, in per-thread arenas whose heaps glibc gives back to the kernel as soon as 128 KiB lie free at their
 * top, only to fault them in again for the next request. With these limits a heap keeps up to 64 MiB free and
 * buffers up to 32 MiB come from it instead of mmap: bench_ingest, 1,200 requests of 512 spans, minor page faults of
 * serve 39,000-42,000 (gRPC) and 31,600-32,200 (HTTP) -> 26,900-27,400 for both. The price: each arena may keep
 * up to 64 MiB it no longer uses. A no-op under the sanitizers' allocators.
 */
static void tuneMalloc()
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

int main(int argc, char** argv)
{
    tuneMalloc();
    using Command = CommandLine::Command;
    const Command command = CommandLine::commandOf(argc, argv);

    QCoreApplication::setOrganizationName(QStringLiteral("spanscope"));
    QCoreApplication::setApplicationName(QStringLiteral("spanscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPANSCOPE_VERSION));

    if (command == Command::Import) {
        QCoreApplication app(argc, argv);
        return runImport(app);
    }
    if (command == Command::Export) {
        QCoreApplication app(argc, argv);
        return runExport(app);
    }
    if (command == Command::Migrate) {
        QCoreApplication app(argc, argv);
        return runMigrate(app);
    }
    if (command == Command::GenAi) {
        QCoreApplication app(argc, argv);
        return runGenAi(app);
    }
    Config config;
    if (command == Command::Gui && CommandLine::asksForHelpOrVersion(argc, argv)) {
        // --help and --version need no display: answer them before a QApplication would look for one.
        QCoreApplication app(argc, argv);
        parseCommandLine(app, false, &config); // prints and exits
        return 0;
    }
    if (command == Command::Serve) {
        QCoreApplication app(argc, argv);
        if (!parseCommandLine(app, true, &config))
            return 1;
        return runServe(app, config);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("Spanscope"));
    QTranslator translator;
    // The user's language, else English: the English file also holds the plural forms ("1 span", "2 spans").
    if (translator.load(QLocale(), QStringLiteral("spanscope"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || translator.load(QStringLiteral(":/i18n/spanscope_en")))
        QApplication::installTranslator(&translator);
    if (!parseCommandLine(app, false, &config))
        return 1;
    return runGui(app, config);
}
