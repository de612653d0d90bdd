#include "connectionstrings.h"

#include <QUrl>

#include <libpq-fe.h>

#include <algorithm>

namespace {

using ConnectionStrings::Mask;

bool isSchemeChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
        || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('+') || c == QLatin1Char('-')
        || c == QLatin1Char('.');
}

/// The user info of the URL whose "://" is at `separator`: [begin, at) where text[at] is the last '@' before the
/// next whitespace; at is -1 without one. Not only up to the first '/': a secret with an unencoded '/' (AWS secret
/// keys often have one) must not leak, and libpq takes `postgresql://u:p?w@host` as password p?w too. A URL with an
/// '@' in its path is masked too far; that costs a less readable message, never a secret.
struct UserInfo {
    qsizetype begin = 0;
    qsizetype at = -1;
};

UserInfo userInfoAt(const QString& text, qsizetype separator)
{
    UserInfo info;
    info.begin = separator + 3;
    for (qsizetype i = info.begin; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c.isSpace())
            break;
        if (c == QLatin1Char('@'))
            info.at = i;
    }
    return info;
}

bool isPostgresScheme(const QString& text, qsizetype separator)
{
    qsizetype start = separator;
    while (start > 0 && isSchemeChar(text[start - 1]))
        --start;
    const QStringView scheme = QStringView(text).mid(start, separator - start);
    return scheme.endsWith(QLatin1String("postgresql"), Qt::CaseInsensitive)
        || scheme.endsWith(QLatin1String("postgres"), Qt::CaseInsensitive);
}

QString percentDecoded(const QString& text) { return QUrl::fromPercentEncoding(text.toUtf8()); }

void replaceLiteral(QString& text, const QString& secret)
{
    const bool standAloneOnly = secret.size() < 4;
    qsizetype from = 0;
    while ((from = text.indexOf(secret, from)) >= 0) {
        const qsizetype end = from + secret.size();
        if (standAloneOnly
            && ((from > 0 && text[from - 1].isLetterOrNumber())
                || (end < text.size() && text[end].isLetterOrNumber()))) {
            from = end;
            continue;
        }
        text.replace(from, secret.size(), Mask);
        from += Mask.size();
    }
}

void maskUserInfo(QString& text)
{
    qsizetype from = 0;
    while ((from = text.indexOf(QLatin1String("://"), from)) >= 0) {
        const UserInfo info = userInfoAt(text, from);
        if (info.at < 0) {
            from += 3;
            continue;
        }
        qsizetype maskFrom = info.begin;
        if (isPostgresScheme(text, from)) {
            const qsizetype colon = text.indexOf(QLatin1Char(':'), info.begin);
            if (colon < 0 || colon > info.at) { // a user and no password
                from = info.at + 1;
                continue;
            }
            maskFrom = colon + 1;
        }
        text.replace(maskFrom, info.at - maskFrom, Mask);
        from = maskFrom + Mask.size() + 1;
    }
}

/// True when position `pos` is inside a URL: the whitespace-delimited word around it has a "://" before it.
bool insideUrl(const QString& text, qsizetype pos)
{
    qsizetype start = pos;
    while (start > 0 && !text[start - 1].isSpace())
        --start;
    return QStringView(text).mid(start, pos - start).contains(QLatin1String("://"));
}

void maskPasswordValues(QString& text)
{
    static const QLatin1String keyword("password");
    qsizetype from = 0;
    while ((from = text.indexOf(keyword, from, Qt::CaseInsensitive)) >= 0) {
        qsizetype i = from + keyword.size();
        while (i < text.size() && text[i].isSpace())
            ++i;
        if (i >= text.size() || text[i] != QLatin1Char('=')) {
            from += keyword.size();
            continue;
        }
        ++i;
        while (i < text.size() && text[i].isSpace())
            ++i;
        const qsizetype valueBegin = i;
        if (i < text.size() && (text[i] == QLatin1Char('\'') || text[i] == QLatin1Char('"'))) {
            const QChar quote = text[i++];
            while (i < text.size() && text[i] != quote) {
                if (text[i] == QLatin1Char('\\') && quote == QLatin1Char('\''))
                    ++i;
                ++i;
            }
            i = std::min(i + 1, text.size()); // the closing quote
        } else {
            const bool url = insideUrl(text, from);
            while (i < text.size() && !text[i].isSpace()
                && !(url && (text[i] == QLatin1Char('&') || text[i] == QLatin1Char('#')))) {
                if (text[i] == QLatin1Char('\\') && !url)
                    ++i;
                ++i;
            }
            i = std::min(i, text.size());
        }
        if (i > valueBegin) {
            text.replace(valueBegin, i - valueBegin, Mask);
            i = valueBegin + Mask.size();
        }
        from = i;
    }
}

} // namespace

bool ConnectionStrings::isPostgresUri(const QString& text)
{
    return text.startsWith(QLatin1String("postgresql://")) || text.startsWith(QLatin1String("postgres://"));
}

bool ConnectionStrings::isPostgresKeywordString(const QString& text)
{
    if (isPostgresUri(text) || !text.contains(QLatin1Char('=')))
        return false;
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.toUtf8().constData(), &error);
    if (error)
        PQfreemem(error);
    if (!options)
        return false;
    PQconninfoFree(options);
    return true;
}

bool ConnectionStrings::isPostgresConnectionString(const QString& text)
{
    return isPostgresUri(text) || isPostgresKeywordString(text);
}

QString ConnectionStrings::keywordStringProblem(const QString& text)
{
    if (isPostgresUri(text) || !text.contains(QLatin1Char('=')))
        return {};
    const QList<KeywordPair> pairs = keywordPairs(text);
    if (pairs.isEmpty() || !QStringView(text).mid(pairs.last().end).trimmed().isEmpty())
        return {}; // a word that is not keyword=value: not written like a connection string
    for (const KeywordPair& pair : pairs)
        for (const QChar c : pair.keyword)
            if (!(c.isLetter() || c == QLatin1Char('_')))
                return {};
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(text.toUtf8().constData(), &error);
    QString problem;
    if (!options)
        problem = error ? QString::fromUtf8(error).trimmed() : QStringLiteral("not a libpq connection string");
    if (error)
        PQfreemem(error);
    if (options)
        PQconninfoFree(options);
    return redact(problem, secretsOf(text));
}

QList<ConnectionStrings::KeywordPair> ConnectionStrings::keywordPairs(const QString& text)
{
    QList<KeywordPair> pairs;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        while (i < n && text[i].isSpace())
            ++i;
        if (i >= n)
            break;
        KeywordPair pair;
        pair.begin = i;
        while (i < n && !text[i].isSpace() && text[i] != QLatin1Char('='))
            pair.keyword += text[i++];
        while (i < n && text[i].isSpace())
            ++i;
        if (i >= n || text[i] != QLatin1Char('='))
            break; // not key=value; libpq will say what is wrong
        ++i;
        while (i < n && text[i].isSpace())
            ++i;
        if (i < n && text[i] == QLatin1Char('\'')) {
            ++i;
            while (i < n && text[i] != QLatin1Char('\'')) {
                if (text[i] == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                pair.value += text[i++];
            }
            if (i < n)
                ++i; // closing quote
        } else {
            while (i < n && !text[i].isSpace()) {
                if (text[i] == QLatin1Char('\\') && i + 1 < n)
                    ++i;
                pair.value += text[i++];
            }
        }
        pair.end = i;
        pairs << pair;
    }
    return pairs;
}

QStringList ConnectionStrings::secretsOf(const QString& connection)
{
    QStringList secrets;
    const auto add = [&secrets](const QString& secret) {
        if (!secret.isEmpty() && !secrets.contains(secret))
            secrets << secret;
    };
    const qsizetype separator = connection.indexOf(QLatin1String("://"));
    if (separator >= 0) {
        const UserInfo info = userInfoAt(connection, separator);
        qsizetype rest = info.begin;
        if (info.at >= 0) {
            const qsizetype colon = connection.indexOf(QLatin1Char(':'), info.begin);
            if (colon >= 0 && colon < info.at) {
                const QString raw = connection.mid(colon + 1, info.at - colon - 1);
                add(raw);
                add(percentDecoded(raw));
            }
            rest = info.at + 1;
        }
        const qsizetype query = connection.indexOf(QLatin1Char('?'), rest);
        if (query >= 0) {
            QString params = connection.mid(query + 1);
            params.truncate(params.indexOf(QLatin1Char('#')) >= 0 ? params.indexOf(QLatin1Char('#')) : params.size());
            for (const QString& param : params.split(QLatin1Char('&'))) {
                const qsizetype eq = param.indexOf(QLatin1Char('='));
                const QString key = percentDecoded(param.left(eq));
                if (eq < 0
                    || (key.compare(QLatin1String("password"), Qt::CaseInsensitive) != 0
                        && key.compare(QLatin1String("sslpassword"), Qt::CaseInsensitive) != 0))
                    continue;
                add(param.mid(eq + 1));
                add(percentDecoded(param.mid(eq + 1)));
            }
        }
        return secrets;
    }
    for (const KeywordPair& pair : keywordPairs(connection)) {
        if (pair.keyword != QLatin1String("password") && pair.keyword != QLatin1String("sslpassword"))
            continue;
        add(pair.value);
        QString raw = connection.mid(pair.begin, pair.end - pair.begin);
        raw = raw.mid(raw.indexOf(QLatin1Char('=')) + 1).trimmed();
        if (raw.size() >= 2 && raw.startsWith(QLatin1Char('\'')) && raw.endsWith(QLatin1Char('\'')))
            raw = raw.mid(1, raw.size() - 2);
        add(raw);
    }
    return secrets;
}

QString ConnectionStrings::withoutUserInfo(const QString& url, QString* user, QString* password)
{
    if (user)
        user->clear();
    if (password)
        password->clear();
    const qsizetype separator = url.indexOf(QLatin1String("://"));
    if (separator < 0)
        return url;
    const UserInfo info = userInfoAt(url, separator);
    if (info.at < 0)
        return url;
    const QString userInfo = url.mid(info.begin, info.at - info.begin);
    const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
    if (user)
        *user = percentDecoded(userInfo.left(colon));
    if (password && colon >= 0)
        *password = percentDecoded(userInfo.mid(colon + 1));
    return url.left(info.begin) + url.mid(info.at + 1);
}

QString ConnectionStrings::redact(const QString& text, const QStringList& secrets)
{
    QString out = text;
    for (const QString& secret : secrets)
        if (!secret.isEmpty())
            replaceLiteral(out, secret);
    maskUserInfo(out);
    maskPasswordValues(out);
    return out;
}
