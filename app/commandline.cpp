#include "commandline.h"

#include <QCoreApplication>

#include <algorithm>

using Option = CommandLine::Option;

// clang-format off
const Option CommandLine::Listen { "listen", nullptr, "HOST:PORT",
    QT_TRANSLATE_NOOP("main", "OTLP/HTTP receiver address (also the query API and /healthz)"), "127.0.0.1:4318", nullptr };
const Option CommandLine::GrpcListen { "grpc-listen", nullptr, "HOST:PORT|off",
    QT_TRANSLATE_NOOP("main", "OTLP/gRPC receiver address, or off"), "127.0.0.1:4317", nullptr };
const Option CommandLine::Store { "store", nullptr, "STORE",
    QT_TRANSLATE_NOOP("main", "Trace store: sqlite:PATH, postgresql://... or a libpq keyword string (\"host=... dbname=...\")"),
    QT_TRANSLATE_NOOP("main", "SQLite in the app data folder"), nullptr };
const Option CommandLine::MaxBodyBytes { "max-body-bytes", nullptr, "BYTES",
    QT_TRANSLATE_NOOP("main", "Largest accepted request body, also after gzip inflation"), "16777216", nullptr };
const Option CommandLine::PgSchema { "pg-schema", nullptr, "NAME",
    QT_TRANSLATE_NOOP("main", "PostgreSQL schema of the store"), "otel", "OTEL_DB_SCHEMA" };
const Option CommandLine::S3Endpoint { "s3-endpoint", nullptr, "URL",
    QT_TRANSLATE_NOOP("main", "serve with a postgresql:// store: S3 API for the per-trace raw objects"),
    QT_TRANSLATE_NOOP("main", "none, PostgreSQL only"), "AWS_ENDPOINT_URL_S3" };
const Option CommandLine::S3Bucket { "s3-bucket", nullptr, "NAME",
    QT_TRANSLATE_NOOP("main", "Bucket of the raw objects"), "otel-traces", nullptr };
const Option CommandLine::ApiKey { "api-key", nullptr, "KEY",
    QT_TRANSLATE_NOOP("main", "Require \"Authorization: Bearer KEY\" on /v1/* and /api/v1/*"), nullptr,
    "SPANSCOPE_API_KEY" };
const Option CommandLine::AllowUnauthenticated { "allow-unauthenticated", nullptr, nullptr,
    QT_TRANSLATE_NOOP("main", "Listen on a non-loopback address without an API key"), nullptr, nullptr };
const Option CommandLine::Trace { "trace", nullptr, "ID",
    QT_TRANSLATE_NOOP("main", "Trace id (32 hex digits); repeatable"), nullptr, nullptr };
const Option CommandLine::Service { "service", nullptr, "NAME",
    QT_TRANSLATE_NOOP("main", "Only traces with a span of this service"), nullptr, nullptr };
const Option CommandLine::Format { "format", nullptr, "FORMAT",
    QT_TRANSLATE_NOOP("main", "otlp-json, otlp-jsonl or otlp-proto"),
    QT_TRANSLATE_NOOP("main", "from the file name, else otlp-json"), nullptr };
const Option CommandLine::Pretty { "pretty", nullptr, nullptr,
    QT_TRANSLATE_NOOP("main", "Indent OTLP/JSON (otlp-json only)"), nullptr, nullptr };
const Option CommandLine::Gzip { "gzip", nullptr, nullptr,
    QT_TRANSLATE_NOOP("main", "Compress with gzip (also when FILE ends in .gz)"), nullptr, nullptr };
const Option CommandLine::Output { "output", "o", "FILE",
    QT_TRANSLATE_NOOP("main", "Output file"), nullptr, nullptr };
const Option CommandLine::Prices { "prices", nullptr, "FILE",
    QT_TRANSLATE_NOOP("main", "Model price table (JSON, as Settings > Model Prices saves it)"),
    QT_TRANSLATE_NOOP("main", "prices.json in the config folder, else the built-in table"), nullptr };
// clang-format on

QStringList Option::spellings() const
{
    QStringList out;
    if (shortName)
        out << QLatin1Char('-') + QLatin1String(shortName);
    out << QLatin1String("--") + QLatin1String(name);
    return out;
}

QString Option::helpText(bool required) const
{
    QString text = QCoreApplication::translate("main", description);
    if (required)
        return text + QCoreApplication::translate("main", " (required).");
    const QString fallback = defaultText ? QCoreApplication::translate("main", defaultText) : QString();
    const QString variable = environment ? QLatin1Char('$') + QLatin1String(environment) : QString();
    if (!variable.isEmpty() && !fallback.isEmpty())
        text += QCoreApplication::translate("main", " (default: %1, else %2)").arg(variable, fallback);
    else if (!variable.isEmpty() || !fallback.isEmpty())
        text += QCoreApplication::translate("main", " (default: %1)").arg(variable.isEmpty() ? fallback : variable);
    return text + QLatin1Char('.');
}

const std::vector<CommandLine::CommandSpec>& CommandLine::commands()
{
    // The GUI and `serve` share the receiver's options: they are one program with or without a window.
    static const std::vector<const Option*> receiverOptions
        = { &Listen, &GrpcListen, &Store, &MaxBodyBytes, &PgSchema, &S3Endpoint, &S3Bucket, &ApiKey, &AllowUnauthenticated };
    static const char* const receiverDescription
        = QT_TRANSLATE_NOOP("main", "Spanscope: OpenTelemetry trace explorer with an embedded OTLP receiver (OTLP/HTTP on "
                                 "127.0.0.1:4318, OTLP/gRPC on 127.0.0.1:4317).");
    static const Positional receiverCommand { "command",
        QT_TRANSLATE_NOOP("main", "\"serve\" runs headless (receiver only); trace files are opened for viewing."),
        "[serve | FILE...]" };
    static const char* const theCommand = QT_TRANSLATE_NOOP("main", "The command.");

    static const std::vector<CommandSpec> specs = {
        { Command::Gui, nullptr, receiverDescription, true, { receiverCommand }, receiverOptions, {} },
        { Command::Serve, "serve", receiverDescription, true, { receiverCommand }, receiverOptions, {} },
        { Command::Import, "import",
            QT_TRANSLATE_NOOP("main",
                "Imports trace files (OTLP JSON, JSON Lines, protobuf, Jaeger JSON, Zipkin v2 "
                "JSON; gzipped or not) into the trace store."),
            false,
            { { "import", theCommand, nullptr },
                { "files", QT_TRANSLATE_NOOP("main", "Files to import."), "FILE..." } },
            { &Store, &PgSchema }, {} },
        { Command::Export, "export",
            QT_TRANSLATE_NOOP("main",
                "Exports traces from the trace store to an OTLP file. Without --trace or "
                "--service: every trace."),
            false, { { "export", theCommand, nullptr } },
            { &Trace, &Service, &Format, &Pretty, &Gzip, &Output, &Store, &PgSchema }, { &Output } },
        { Command::Migrate, "migrate",
            QT_TRANSLATE_NOOP("main",
                "Creates or upgrades the schema of the PostgreSQL store named by --store "
                "postgresql://... (what every start does too), then exits."),
            false, { { "migrate", theCommand, nullptr } }, { &Store, &PgSchema }, { &Store } },
        { Command::GenAi, "genai",
            QT_TRANSLATE_NOOP("main",
                "Prints the agent run of one trace as JSON: LLM calls with their messages, tokens and cost, tool "
                "calls, agents (the same as GET /api/v1/traces/{id}/genai)."),
            false,
            { { "genai", theCommand, nullptr },
                { "trace", QT_TRANSLATE_NOOP("main", "Trace id (32 hex digits)."), "TRACE_ID" } },
            { &Store, &PgSchema, &Prices }, {} },
    };
    return specs;
}

const CommandLine::CommandSpec& CommandLine::spec(Command command)
{
    const auto& all = commands();
    const auto it
        = std::find_if(all.begin(), all.end(), [command](const CommandSpec& s) { return s.command == command; });
    Q_ASSERT(it != all.end());
    return *it;
}

QStringList CommandLine::valueOptionSpellings()
{
    QStringList out;
    for (const CommandSpec& command : commands())
        for (const Option* option : command.options)
            if (option->takesValue())
                for (const QString& spelling : option->spellings())
                    if (!out.contains(spelling))
                        out << spelling;
    return out;
}

CommandLine::Command CommandLine::commandOf(const QStringList& arguments)
{
    // The command is not known yet, so a value-taking option of any command skips its value.
    const QStringList valueOptions = valueOptionSpellings();
    bool optionsEnded = false;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString& arg = arguments.at(i);
        if (!optionsEnded && arg == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (!optionsEnded && arg.startsWith(QLatin1Char('-')) && arg.size() > 1) {
            if (valueOptions.contains(arg))
                ++i;
            continue;
        }
        for (const CommandSpec& command : commands())
            if (command.word && arg == QLatin1String(command.word))
                return command.command;
        return Command::Gui;
    }
    return Command::Gui;
}

CommandLine::Command CommandLine::commandOf(int argc, char** argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    return commandOf(arguments);
}

bool CommandLine::asksForHelpOrVersion(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        if (qstrcmp(arg, "--") == 0)
            return false;
        for (const char* option : { "-h", "--help", "-?", "--help-all", "-v", "--version" })
            if (qstrcmp(arg, option) == 0)
                return true;
    }
    return false;
}

CommandLine::CommandLine(Command command)
    : m_spec(spec(command))
{
    m_parser.setApplicationDescription(QCoreApplication::translate("main", m_spec.description));
    m_parser.addHelpOption();
    if (m_spec.versionOption)
        m_parser.addVersionOption();
    for (const Positional& positional : m_spec.positionals)
        m_parser.addPositionalArgument(QLatin1String(positional.name),
            QCoreApplication::translate("main", positional.description),
            positional.syntax ? QLatin1String(positional.syntax) : QString());
    for (const Option* option : m_spec.options) {
        QStringList names;
        if (option->shortName)
            names << QLatin1String(option->shortName);
        names << QLatin1String(option->name);
        const bool required
            = std::find(m_spec.required.begin(), m_spec.required.end(), option) != m_spec.required.end();
        m_parser.addOption(QCommandLineOption(
            names, option->helpText(required), option->valueName ? QLatin1String(option->valueName) : QString()));
    }
}

void CommandLine::process(const QCoreApplication& app) { m_parser.process(app); }

bool CommandLine::parse(const QStringList& arguments) { return m_parser.parse(arguments); }

bool CommandLine::isSet(const Option& option) const
{
    Q_ASSERT(std::find(m_spec.options.begin(), m_spec.options.end(), &option) != m_spec.options.end());
    return m_parser.isSet(QLatin1String(option.name));
}

QString CommandLine::value(const Option& option) const
{
    if (isSet(option))
        return m_parser.value(QLatin1String(option.name));
    if (option.environment) {
        const QString fromEnvironment = qEnvironmentVariable(option.environment);
        if (!fromEnvironment.isEmpty())
            return fromEnvironment;
    }
    return QString();
}

QStringList CommandLine::values(const Option& option) const
{
    Q_ASSERT(std::find(m_spec.options.begin(), m_spec.options.end(), &option) != m_spec.options.end());
    return m_parser.values(QLatin1String(option.name));
}
