#pragma once

#include "model/pricetable.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QTableWidget;

/**
 * Settings > Model Prices: the price table that turns token counts into cost (PriceTable), one row per model name
 * pattern (`*` and `?` wildcards; the longest matching pattern wins) with prices per 1,000,000 input / output /
 * cached input tokens and a currency. Add, remove, restore the shipped defaults (their source and date are shown).
 * OK is enabled only while every row is valid (a pattern, prices >= 0, a cached price or none, a currency), and
 * saving is the caller's (table() after exec()). GUI thread only.
 */
class PricesDialog : public QDialog {
    Q_OBJECT
public:
    enum Column { PatternColumn, InputColumn, OutputColumn, CachedColumn, CurrencyColumn, ColumnCount };

    explicit PricesDialog(const PriceTable& table, QWidget* parent = nullptr);
    ~PricesDialog() override;

    /// The table as edited, or std::nullopt with *error (row and column) while a row is invalid.
    std::optional<PriceTable> table(QString* error = nullptr) const;
    void setTable(const PriceTable& table);

    QTableWidget* grid() const { return m_grid; }
    QDialogButtonBox* buttons() const { return m_buttons; }

private:
    void validate();
    void addRow(const PriceTable::Price& price);

    QTableWidget* m_grid;
    QLabel* m_source;
    QLabel* m_problem;
    QDialogButtonBox* m_buttons;
    QString m_tableSource;
    QString m_tableAsOf;
};
