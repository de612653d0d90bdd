#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <vector>

class QCoreApplication;

/**
 * The spanscope executable's command line: one table of options per command, from which both the command's
 * QCommandLineParser and commandOf() (which must find the command word before any QCoreApplication exists) are
 * derived. Each option is defined once, as one of the static Option constants below, and listed in the tables of
 * the commands that take it.
 *
 * The tables are static data; the static functions are thread-safe and need no QCoreApplication. A CommandLine
 * object is one parser for one command; use it on one thread.
 */
class CommandLine {
public:
    enum class Command { Gui, Serve, Import, Export, Migrate, GenAi };

    /// One option. Texts are untranslated (context "main"); --help translates them and appends the default.
    struct Option {
        const char* name; ///< long name without "--": "store"
        const char* shortName; ///< one letter without "-" ("o"), or nullptr
        const char* valueName; ///< "STORE"; nullptr for a flag
        const char* description; ///< without a final period and without the default
        const char* defaultText; ///< what applies when neither the option nor `environment` is set, or nullptr
        const char* environment; ///< variable read when the option is not given ("SPANSCOPE_API_KEY"), or nullptr

        bool takesValue() const { return valueName != nullptr; }
        /// "--store", or "-o" and "--output".
        QStringList spellings() const;
        /// The translated --help text: the description, then "(default: $ENV, else DEFAULT)" or "(required)".
        QString helpText(bool required = false) const;
    };

    struct Positional {
        const char* name;
        const char* description; ///< untranslated (context "main")
        const char* syntax; ///< shown in the usage line ("FILE..."), or nullptr for `name`
    };

    /// The table of one command.
    struct CommandSpec {
        Command command;
        const char* word; ///< "serve"; nullptr for the GUI (no command word)
        const char* description; ///< --help's application description, untranslated (context "main")
        bool versionOption; ///< --version is accepted (besides --help, which every command has)
        std::vector<Positional> positionals;
        std::vector<const Option*> options; ///< in --help order
        std::vector<const Option*> required; ///< of `options`, those the command cannot run without (main checks)
    };

    static const Option Listen;
    static const Option GrpcListen;
    static const Option Store;
    static const Option MaxBodyBytes;
    static const Option PgSchema;
    static const Option S3Endpoint;
    static const Option S3Bucket;
    static const Option ApiKey;
    static const Option AllowUnauthenticated;
    static const Option Trace;
    static const Option Service;
    static const Option Format;
    static const Option Pretty;
    static const Option Gzip;
    static const Option Output;
    static const Option Prices;

    /// Every command's table, the GUI first.
    static const std::vector<CommandSpec>& commands();
    static const CommandSpec& spec(Command command);

    /**
     * The command `arguments` (arguments[0] is the program) ask for: the first positional argument when it is a
     * command word, else Command::Gui. Skips options, and the value after an option of any command that takes one
     * ("--store x.db serve" is serve); after "--" everything is positional.
     */
    static Command commandOf(const QStringList& arguments);
    static Command commandOf(int argc, char** argv);

    /// Every spelling of every option of any command that takes a value, as typed ("--store", "-o").
    static QStringList valueOptionSpellings();

    /// True when the arguments ask for --help, --help-all or --version (before a "--").
    static bool asksForHelpOrVersion(int argc, char** argv);

    /// A parser for `command`, with its description, --help (and --version), positional arguments and options.
    explicit CommandLine(Command command);
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;

    Command command() const { return m_spec.command; }
    const CommandSpec& spec() const { return m_spec; }

    /// QCommandLineParser::process: on --help, --version or an error, prints and exits the process.
    void process(const QCoreApplication& app);
    /// QCommandLineParser::parse (no exit): false with errorText() on an unknown option or a missing value.
    bool parse(const QStringList& arguments);
    QString errorText() const { return m_parser.errorText(); }
    QString helpText() const { return m_parser.helpText(); }

    /// `option` must be in this command's table.
    bool isSet(const Option& option) const;
    /// The option's value when given (the last one), else $environment when set and not empty, else empty.
    QString value(const Option& option) const;
    /// Every value given for a repeatable option, in order.
    QStringList values(const Option& option) const;
    QStringList positionalArguments() const { return m_parser.positionalArguments(); }

private:
    const CommandSpec& m_spec;
    QCommandLineParser m_parser;
};
