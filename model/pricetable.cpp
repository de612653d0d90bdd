#include "model/pricetable.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include <cmath>

namespace {

/// `*` any run of characters (slashes too: model names are not paths), `?` one character, the rest literal, case
/// ignored. Iterative with one backtrack point (the last `*`): linear for the patterns of a price table.
bool wildcardMatches(QStringView pattern, QStringView name)
{
    qsizetype p = 0, n = 0, star = -1, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == QLatin1Char('*')) {
            star = p++;
            resume = n;
        } else if (p < pattern.size()
                   && (pattern[p] == QLatin1Char('?') || pattern[p].toCaseFolded() == name[n].toCaseFolded())) {
            ++p;
            ++n;
        } else if (star >= 0) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

bool readPrice(const QJsonObject& o, const char* key, bool required, std::optional<double>* out, QString* error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) {
        if (required)
            *error = QStringLiteral("\"%1\" is missing").arg(QLatin1String(key));
        return !required;
    }
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < 0) {
        *error = QStringLiteral("\"%1\" must be a number >= 0").arg(QLatin1String(key));
        return false;
    }
    *out = v.toDouble();
    return true;
}

} // namespace

QString Cost::toString() const
{
    // Agent calls cost fractions of a cent: below 0.01 up to six decimals, trailing zeros after the fourth dropped.
    QString number = QString::number(amount, 'f', amount >= 1 ? 2 : amount >= 0.01 ? 4 : 6);
    while (amount < 0.01 && number.size() - number.indexOf(QLatin1Char('.')) > 5 && number.endsWith(QLatin1Char('0')))
        number.chop(1);
    if (currency == QLatin1String("USD"))
        return QLatin1Char('$') + number;
    return number + QLatin1Char(' ') + currency;
}

const PriceTable::Price* PriceTable::find(const QString& model) const
{
    if (model.isEmpty())
        return nullptr;
    const Price* best = nullptr;
    for (const Price& p : prices)
        if (!p.pattern.isEmpty() && (!best || p.pattern.size() > best->pattern.size()) && wildcardMatches(p.pattern, model))
            best = &p;
    return best;
}

std::optional<Cost> PriceTable::cost(const QString& model, qint64 inputTokens, qint64 outputTokens,
                                     qint64 cachedInputTokens) const
{
    const Price* p = find(model);
    if (!p)
        return std::nullopt;
    const double input = double(std::max<qint64>(0, inputTokens));
    const double cached = std::min(input, double(std::max<qint64>(0, cachedInputTokens)));
    const double output = double(std::max<qint64>(0, outputTokens));
    const double amount = ((input - cached) * p->inputPerMillion
                              + cached * p->cachedInputPerMillion.value_or(p->inputPerMillion)
                              + output * p->outputPerMillion)
        / 1e6;
    return Cost { amount, p->currency };
}

std::optional<PriceTable> PriceTable::fromJson(const QByteArray& json, QString* error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
        return std::nullopt;
    }
    if (!doc.isObject() || !doc.object().value(QLatin1String("prices")).isArray()) {
        *error = QStringLiteral("expected an object with a \"prices\" array");
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    PriceTable table;
    table.source = root.value(QLatin1String("source")).toString();
    table.asOf = root.value(QLatin1String("as_of")).toString();
    const QJsonArray list = root.value(QLatin1String("prices")).toArray();
    for (int i = 0; i < list.size(); ++i) {
        const QString where = QStringLiteral("prices[%1]: ").arg(i);
        if (!list.at(i).isObject()) {
            *error = where + QStringLiteral("expected an object");
            return std::nullopt;
        }
        const QJsonObject o = list.at(i).toObject();
        Price p;
        p.pattern = o.value(QLatin1String("pattern")).toString().trimmed();
        if (p.pattern.isEmpty()) {
            *error = where + QStringLiteral("\"pattern\" is missing or empty");
            return std::nullopt;
        }
        std::optional<double> input, output;
        QString why;
        if (!readPrice(o, "input_per_million", true, &input, &why) || !readPrice(o, "output_per_million", true, &output, &why)
            || !readPrice(o, "cached_input_per_million", false, &p.cachedInputPerMillion, &why)) {
            *error = where + why;
            return std::nullopt;
        }
        p.inputPerMillion = *input;
        p.outputPerMillion = *output;
        const QJsonValue currency = o.value(QLatin1String("currency"));
        if (currency.isString() && !currency.toString().trimmed().isEmpty())
            p.currency = currency.toString().trimmed().toUpper();
        else if (!currency.isUndefined()) {
            *error = where + QStringLiteral("\"currency\" must be a currency code such as \"USD\"");
            return std::nullopt;
        }
        table.prices.push_back(p);
    }
    return table;
}

QByteArray PriceTable::toJson() const
{
    QJsonArray list;
    for (const Price& p : prices) {
        QJsonObject o { { QStringLiteral("pattern"), p.pattern }, { QStringLiteral("input_per_million"), p.inputPerMillion },
            { QStringLiteral("output_per_million"), p.outputPerMillion }, { QStringLiteral("currency"), p.currency } };
        if (p.cachedInputPerMillion)
            o.insert(QStringLiteral("cached_input_per_million"), *p.cachedInputPerMillion);
        list.append(o);
    }
    return QJsonDocument(QJsonObject { { QStringLiteral("source"), source }, { QStringLiteral("as_of"), asOf },
                                       { QStringLiteral("prices"), list } })
        .toJson(QJsonDocument::Indented);
}

PriceTable PriceTable::defaults()
{
    QFile file(QStringLiteral(":/spanscope/prices/default-prices.json"));
    QString error;
    if (file.open(QIODevice::ReadOnly))
        if (std::optional<PriceTable> table = fromJson(file.readAll(), &error))
            return *table;
    return PriceTable(); // the resource is compiled in and tested (tst_genai): not reached
}

QString PriceTable::userFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/prices.json");
}

PriceTable PriceTable::load(QString* error, const QString& path)
{
    const QString file = path.isEmpty() ? userFilePath() : path;
    QFile f(file);
    if (!f.exists())
        return defaults();
    QString why;
    if (!f.open(QIODevice::ReadOnly)) {
        why = f.errorString();
    } else if (std::optional<PriceTable> table = fromJson(f.readAll(), &why)) {
        return *table;
    }
    if (error)
        *error = QStringLiteral("%1: %2 (using the default prices)").arg(QDir::toNativeSeparators(file), why);
    return defaults();
}

bool PriceTable::save(QString* error, const QString& path) const
{
    const QString file = path.isEmpty() ? userFilePath() : path;
    if (!QDir().mkpath(QFileInfo(file).absolutePath())) {
        *error = QStringLiteral("cannot create the folder of %1").arg(QDir::toNativeSeparators(file));
        return false;
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(toJson()) < 0 || !out.commit()) {
        *error = QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(file), out.errorString());
        return false;
    }
    return true;
}
