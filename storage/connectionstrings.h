#pragma once

#include <QLatin1String>
#include <QList>
#include <QString>
#include <QStringList>

/**
 * Connection strings and the secrets in them: PostgreSQL connection URIs (`postgresql://`, `postgres://`), libpq
 * keyword/value strings (`host=db user=me password='a b' dbname=otel`), S3 endpoint URLs with credentials in their
 * user info (`http://KEY:SECRET@host:9000`), and free text that may echo any of them (libpq's and libcurl's error
 * messages, log lines, status JSON).
 *
 * redact() is the one way a secret is kept out of what Spanscope logs or shows (errors, window titles, the status
 * bar, `TraceStore::description()`, `/healthz`): every store spec, PostgreSQL connection string, S3 endpoint and
 * error message that may echo one of them goes through it before it is shown.
 *
 * Every function is pure: no I/O, no environment, no exceptions (isPostgresKeywordString asks libpq's parser, which
 * reads nothing either). Any thread.
 */
namespace ConnectionStrings {

/// What a secret is replaced with.
inline constexpr QLatin1String Mask("****");

/// True for a `postgresql://` or `postgres://` URI (libpq's two URI prefixes).
bool isPostgresUri(const QString& text);
/**
 * True for a libpq keyword/value connection string: it has at least one `keyword=value` pair, is not a URI, and
 * libpq's PQconninfoParse accepts it, so every keyword is one libpq knows (host, hostaddr, port, dbname, user,
 * password, service, sslmode, ...). A file path is never one unless it is written exactly like such pairs
 * (`sqlite:host=x` stays a path).
 */
bool isPostgresKeywordString(const QString& text);
/// isPostgresUri or isPostgresKeywordString: what libpq takes as a connection string.
bool isPostgresConnectionString(const QString& text);
/**
 * Why `text` is no keyword/value string although it is written like one (nothing but `keyword=value` words, the
 * keywords letters and '_'), e.g. `invalid connection option "pasword"`: libpq's message, redacted. Empty for a
 * keyword/value string and for anything else (a path, a URI), so that a mistyped connection string is refused
 * rather than taken as a file name.
 */
QString keywordStringProblem(const QString& text);

/// One `keyword=value` pair of a keyword/value string; the pair (quotes included) is text.mid(begin, end - begin).
struct KeywordPair {
    QString keyword;
    QString value; ///< unquoted and unescaped, as libpq reads it
    qsizetype begin = 0;
    qsizetype end = 0;
};
/**
 * The pairs of a libpq keyword/value string, by libpq's rules (conninfo_parse): whitespace between pairs, optional
 * whitespace around '=', a value single-quoted (with \' and \\ escapes) or bare up to the next whitespace (with \
 * escapes). Parsing stops at the first word that is not followed by '=' (libpq refuses the string there); keywords
 * are not checked.
 */
QList<KeywordPair> keywordPairs(const QString& text);

/**
 * The secrets `connection` holds, in every form an error message may echo them: the password of a URL's user info
 * and of a `password` query parameter (as written and percent-decoded), or the values of `password` and
 * `sslpassword` pairs in a keyword/value string (unescaped, and as written when that differs). Empty when it holds
 * none. An S3 endpoint's access key (the user name of its user info) is not in the list.
 */
QStringList secretsOf(const QString& connection);

/**
 * `url` without its user info (`http://KEY:SECRET@host:9000/p` -> `http://host:9000/p`; the user info ends at the
 * last '@', as in redact), with the user and password percent-decoded into *user and *password when given (cleared
 * when there are none). A text without `://` is returned as it is.
 */
QString withoutUserInfo(const QString& url, QString* user = nullptr, QString* password = nullptr);

/**
 * `text` with its secrets replaced by Mask:
 * - every occurrence of each of `secrets` (see secretsOf); one shorter than 4 characters only where it stands alone
 *   (not inside a word), so that a short password does not mask half a message;
 * - in every URL (`scheme://`), the user info, up to the last '@' before the next whitespace (so an unencoded '/'
 *   in a secret is masked too): a PostgreSQL URI keeps its user (`postgresql://user:****@host/db`), any other URL
 *   loses all of it, its user too (an S3 endpoint's user is its access key): `KEY:SECRET@host` becomes `****@host`;
 * - the value of every `password=` (any case, so `sslpassword=` and `PGPASSWORD=` too; whitespace around '='
 *   allowed): a single- or double-quoted value up to its closing quote (`password='a b\'c'` -> `password=****`),
 *   a bare one up to the next whitespace, or inside a URL up to the next '&' or '#'.
 * The rest of `text` is kept as it is; a text without secrets comes back unchanged.
 */
QString redact(const QString& text, const QStringList& secrets = {});

} // namespace ConnectionStrings
