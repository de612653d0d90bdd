#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

/// An amount of money in one currency (ISO 4217 code, e.g. "USD").
struct Cost {
    double amount = 0;
    QString currency;

    /// For display: "$0.0123" for USD, "0.0123 EUR" otherwise; two decimals from 1, four from 0.01, up to six below
    /// ("$0.000021", "$0.0035").
    QString toString() const;
};

/**
 * Model prices for pricing LLM calls: model name pattern -> price per 1,000,000 input / output / cached input
 * tokens, in a currency. The user edits it (Settings dialog); it is kept as a JSON file in the app config folder
 * (`prices.json`), and Spanscope ships a small default table that names where its prices come from and when.
 *
 * File format (UTF-8 JSON): {"source": "...", "as_of": "YYYY-MM-DD", "prices": [{"pattern": "gpt-4o-mini*",
 * "input_per_million": 0.15, "output_per_million": 0.6, "cached_input_per_million": 0.075, "currency": "USD"}]}.
 * `cached_input_per_million` may be absent or null: cached tokens then cost the input price.
 *
 * A model matches a pattern as a case-insensitive wildcard (`*`, `?`) over the whole name; the longest matching
 * pattern wins, so "gpt-4o-mini*" beats "gpt-4o*" whatever the order. A model that matches nothing has no price
 * (never 0). Plain value, any thread.
 */
class PriceTable {
public:
    struct Price {
        QString pattern;
        double inputPerMillion = 0; ///< per 1,000,000 input tokens that were not cached
        double outputPerMillion = 0;
        std::optional<double> cachedInputPerMillion; ///< per 1,000,000 cached input tokens; input price if empty
        QString currency = QStringLiteral("USD");
    };

    QString source; ///< where the prices come from
    QString asOf; ///< when they were taken, "YYYY-MM-DD"
    std::vector<Price> prices;

    /// The price for `model` (longest matching pattern), or nullptr.
    const Price* find(const QString& model) const;
    /**
     * What a call cost: (input - cached) x input price + cached x cached price + output x output price, per
     * million tokens. `inputTokens` includes the cached ones (semantic conventions); a cached count above it is
     * taken as the input count. Empty when the model has no price.
     */
    std::optional<Cost> cost(const QString& model, qint64 inputTokens, qint64 outputTokens,
                             qint64 cachedInputTokens) const;

    /// Parses the file format above; empty with *error set (what and where) on bad input.
    static std::optional<PriceTable> fromJson(const QByteArray& json, QString* error);
    QByteArray toJson() const;

    /// The table shipped with Spanscope (resource :/spanscope/prices/default-prices.json).
    static PriceTable defaults();
    /// `prices.json` in the application config folder (QStandardPaths::AppConfigLocation).
    static QString userFilePath();
    /// The user's table when `path` (default userFilePath()) exists, else the defaults. A file that exists but
    /// does not parse gives the defaults and *error says why.
    static PriceTable load(QString* error = nullptr, const QString& path = QString());
    /// Writes the table to `path` (default userFilePath()), creating the folder; false with *error on failure.
    bool save(QString* error, const QString& path = QString()) const;
};
