#include "app/commandline.h"

#include <QSet>
#include <QTest>

#include <algorithm>

// The option tables of the spanscope executable: every command's parser is built from its table, and commandOf
// (which runs before any QCoreApplication) skips exactly the values of the options that take one.

using Command = CommandLine::Command;
Q_DECLARE_METATYPE(CommandLine::Command)

namespace {

const QString Program = QStringLiteral("spanscope");

/// The command's word and, for each option of its table, the option with a value when it takes one.
QStringList everyOption(const CommandLine::CommandSpec& spec)
{
    QStringList args { Program };
    if (spec.word)
        args << QLatin1String(spec.word);
    for (const CommandLine::Option* option : spec.options) {
        args << option->spellings().constLast();
        if (option->takesValue())
            args << QStringLiteral("value-of-") + QLatin1String(option->name);
    }
    return args;
}

} // namespace

class TestCommandLine : public QObject {
    Q_OBJECT

private:
    static void commandRows()
    {
        QTest::addColumn<Command>("command");
        for (const CommandLine::CommandSpec& spec : CommandLine::commands())
            QTest::newRow(spec.word ? spec.word : "gui") << spec.command;
    }

private Q_SLOTS:
    void everyTableParses()
    {
        QFETCH(Command, command);
        CommandLine cli(command);
        const QStringList args = everyOption(cli.spec());
        QVERIFY2(cli.parse(args), qPrintable(cli.errorText() + QStringLiteral(" in ") + args.join(u' ')));
        for (const CommandLine::Option* option : cli.spec().options) {
            QVERIFY2(cli.isSet(*option), option->name);
            if (option->takesValue())
                QCOMPARE(cli.value(*option), QStringLiteral("value-of-") + QLatin1String(option->name));
        }
        // The command word is the first positional argument (the GUI has none).
        QCOMPARE(cli.positionalArguments().value(0), cli.spec().word ? QLatin1String(cli.spec().word) : QString());
        QCOMPARE(CommandLine::commandOf(args), command);
    }
    void everyTableParses_data() { commandRows(); }

    void noNameTwiceInACommand()
    {
        QFETCH(Command, command);
        const CommandLine::CommandSpec& spec = CommandLine::spec(command);
        QSet<QString> seen { QStringLiteral("-h"), QStringLiteral("--help"), QStringLiteral("-?"),
            QStringLiteral("--help-all") };
        if (spec.versionOption)
            seen << QStringLiteral("-v") << QStringLiteral("--version");
        for (const CommandLine::Option* option : spec.options)
            for (const QString& spelling : option->spellings()) {
                QVERIFY2(!seen.contains(spelling), qPrintable(spelling));
                seen << spelling;
            }
    }
    void noNameTwiceInACommand_data() { commandRows(); }

    void eachOptionDefinedOnce()
    {
        // The same name in two commands is the same Option (one definition, listed in both tables).
        QHash<QString, const CommandLine::Option*> byName;
        for (const CommandLine::CommandSpec& spec : CommandLine::commands())
            for (const CommandLine::Option* option : spec.options) {
                for (const QString& spelling : option->spellings()) {
                    const CommandLine::Option* known = byName.value(spelling, option);
                    QVERIFY2(known == option, qPrintable(spelling));
                    byName.insert(spelling, option);
                }
            }
        QVERIFY(byName.contains(QStringLiteral("--store")));
        QVERIFY(byName.contains(QStringLiteral("--pg-schema")));
    }

    void helpListsEachOption()
    {
        QFETCH(Command, command);
        CommandLine cli(command);
        const QString help = cli.helpText();
        const QString flowed = help.simplified(); // --help wraps descriptions at spaces
        QVERIFY2(help.contains(QLatin1String(cli.spec().word ? cli.spec().word : "serve")), qPrintable(help));
        for (const CommandLine::Option* option : cli.spec().options) {
            QString usage = option->spellings().join(QStringLiteral(", "));
            if (option->takesValue())
                usage += QStringLiteral(" <") + QLatin1String(option->valueName) + QLatin1Char('>');
            QVERIFY2(help.contains(usage), qPrintable(usage + QStringLiteral(" not in:\n") + help));
            const auto& required = cli.spec().required;
            const bool isRequired = std::find(required.begin(), required.end(), option) != required.end();
            QVERIFY2(flowed.contains(option->helpText(isRequired).simplified()),
                qPrintable(option->helpText(isRequired) + QStringLiteral(" not in:\n") + help));
        }
        for (const CommandLine::Option* option : cli.spec().required)
            QVERIFY(
                std::find(cli.spec().options.begin(), cli.spec().options.end(), option) != cli.spec().options.end());
    }
    void helpListsEachOption_data() { commandRows(); }

    void helpNamesDefaultsAndVariables()
    {
        QCOMPARE(CommandLine::PgSchema.helpText(),
            QStringLiteral("PostgreSQL schema of the store (default: $OTEL_DB_SCHEMA, else otel)."));
        QCOMPARE(CommandLine::Listen.helpText(),
                 QStringLiteral("OTLP/HTTP receiver address (also the query API and /healthz) (default: 127.0.0.1:4318)."));
        QCOMPARE(CommandLine::GrpcListen.helpText(), QStringLiteral("OTLP/gRPC receiver address, or off (default: 127.0.0.1:4317)."));
        QCOMPARE(CommandLine::ApiKey.helpText(),
            QStringLiteral(
                "Require \"Authorization: Bearer KEY\" on /v1/* and /api/v1/* (default: $SPANSCOPE_API_KEY)."));
        QCOMPARE(CommandLine::Output.helpText(), QStringLiteral("Output file."));
        QCOMPARE(CommandLine::Output.helpText(true), QStringLiteral("Output file (required)."));
        CommandLine migrate(Command::Migrate);
        QVERIFY2(migrate.helpText().simplified().contains(
                     QStringLiteral("--store <STORE> Trace store: sqlite:PATH, postgresql://... or a libpq keyword string "
                                    "(\"host=... dbname=...\") (required).")),
            qPrintable(migrate.helpText()));
    }

    void valueOptionsAgreeWithTheParser()
    {
        // commandOf's list is every value-taking spelling of every table, and nothing else.
        QSet<QString> expected;
        for (const CommandLine::CommandSpec& spec : CommandLine::commands())
            for (const CommandLine::Option* option : spec.options)
                if (option->takesValue())
                    for (const QString& spelling : option->spellings())
                        expected << spelling;
        const QStringList listed = CommandLine::valueOptionSpellings();
        QCOMPARE(QSet<QString>(listed.begin(), listed.end()), expected);
        QCOMPARE(listed.size(), expected.size());
        QVERIFY(expected.contains(QStringLiteral("-o")));
        QVERIFY(!expected.contains(QStringLiteral("--pretty")));

        // What the parser does agrees: a value option at the end lacks its value, a flag does not.
        for (const CommandLine::CommandSpec& spec : CommandLine::commands())
            for (const CommandLine::Option* option : spec.options) {
                CommandLine cli(spec.command);
                QStringList args { Program };
                if (spec.word)
                    args << QLatin1String(spec.word);
                args << option->spellings().constLast();
                QCOMPARE(cli.parse(args), !option->takesValue());
                if (option->takesValue())
                    QVERIFY2(cli.errorText().contains(QStringLiteral("Missing value")), qPrintable(cli.errorText()));
            }
    }

    void commandOf_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<Command>("command");
        QTest::newRow("nothing") << QStringList() << Command::Gui;
        QTest::newRow("file") << QStringList { QStringLiteral("trace.json") } << Command::Gui;
        QTest::newRow("store before serve") << QStringList { QStringLiteral("--store"), QStringLiteral("x.db"),
            QStringLiteral("serve") } << Command::Serve;
        QTest::newRow("store=") << QStringList { QStringLiteral("--store=x.db"), QStringLiteral("import"),
            QStringLiteral("a.json") }
                                << Command::Import;
        QTest::newRow("value that is a command word")
            << QStringList { QStringLiteral("--store"), QStringLiteral("serve"), QStringLiteral("export") }
            << Command::Export;
        QTest::newRow("short value option") << QStringList { QStringLiteral("-o"), QStringLiteral("import"),
            QStringLiteral("export") } << Command::Export;
        QTest::newRow("flag before the word")
            << QStringList { QStringLiteral("--pretty"), QStringLiteral("export") } << Command::Export;
        QTest::newRow("flag then file") << QStringList { QStringLiteral("--allow-unauthenticated"),
            QStringLiteral("serve.json") }
                                        << Command::Gui;
        QTest::newRow("after --") << QStringList { QStringLiteral("--"), QStringLiteral("migrate") }
                                  << Command::Migrate;
        QTest::newRow("option-like file after --")
            << QStringList { QStringLiteral("--"), QStringLiteral("--store") } << Command::Gui;
        QTest::newRow("word not first positional")
            << QStringList { QStringLiteral("trace.json"), QStringLiteral("serve") } << Command::Gui;
        // Every value-taking option of every command, before every command word.
        for (const CommandLine::CommandSpec& spec : CommandLine::commands()) {
            if (!spec.word)
                continue;
            for (const QString& option : CommandLine::valueOptionSpellings())
                QTest::addRow("%s %s", qPrintable(option), spec.word)
                    << QStringList { option, QStringLiteral("serve"), QLatin1String(spec.word) } << spec.command;
        }
    }

    void commandOf()
    {
        QFETCH(QStringList, args);
        QFETCH(Command, command);
        args.prepend(Program);
        QCOMPARE(CommandLine::commandOf(args), command);

        QList<QByteArray> bytes;
        std::vector<char*> argv;
        for (const QString& arg : std::as_const(args))
            bytes << arg.toLocal8Bit();
        for (QByteArray& b : bytes)
            argv.push_back(b.data());
        QCOMPARE(CommandLine::commandOf(int(argv.size()), argv.data()), command);
    }

    void asksForHelpOrVersion()
    {
        const auto asks = [](std::vector<const char*> args) {
            args.insert(args.begin(), "spanscope");
            return CommandLine::asksForHelpOrVersion(int(args.size()), const_cast<char**>(args.data()));
        };
        QVERIFY(asks({ "--help" }));
        QVERIFY(asks({ "--store", "x.db", "-v" }));
        QVERIFY(asks({ "--help-all" }));
        QVERIFY(!asks({ "trace.json" }));
        QVERIFY(!asks({ "--", "--help" }));
    }

    void environmentFallback()
    {
        qputenv("SPANSCOPE_API_KEY", "from-env");
        CommandLine none(Command::Serve);
        QVERIFY(none.parse({ Program, QStringLiteral("serve") }));
        QVERIFY(!none.isSet(CommandLine::ApiKey));
        QCOMPARE(none.value(CommandLine::ApiKey), QStringLiteral("from-env"));
        CommandLine given(Command::Serve);
        QVERIFY(given.parse({ Program, QStringLiteral("serve"), QStringLiteral("--api-key"), QStringLiteral("k") }));
        QCOMPARE(given.value(CommandLine::ApiKey), QStringLiteral("k"));
        qunsetenv("SPANSCOPE_API_KEY");
        QCOMPARE(none.value(CommandLine::ApiKey), QString());
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_commandline.moc"
