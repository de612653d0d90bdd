#include "ui/pricesdialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace {

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

/// A price cell: a number >= 0 in the C locale or the user's ("0.15", "0,15").
std::optional<double> parsePrice(const QString& text)
{
    bool ok = false;
    double v = text.trimmed().toDouble(&ok);
    if (!ok)
        v = QLocale().toDouble(text.trimmed(), &ok);
    if (!ok || v < 0 || !std::isfinite(v))
        return std::nullopt;
    return v;
}

} // namespace

PricesDialog::PricesDialog(const PriceTable& table, QWidget* parent)
    : QDialog(parent)
    , m_grid(new QTableWidget(0, ColumnCount, this))
    , m_source(new QLabel(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Model Prices"));
    m_grid->setObjectName(QStringLiteral("priceGrid"));
    m_grid->setHorizontalHeaderLabels({ tr("Model pattern"), tr("Input / 1M"), tr("Output / 1M"), tr("Cached input / 1M"),
                                        tr("Currency") });
    m_grid->horizontalHeader()->setSectionResizeMode(PatternColumn, QHeaderView::Stretch);
    m_grid->verticalHeader()->hide();
    m_source->setWordWrap(true);
    m_source->setObjectName(QStringLiteral("priceSource"));
    m_problem->setObjectName(QStringLiteral("priceProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #c62828;"));

    auto* add = new QPushButton(tr("&Add"), this);
    auto* remove = new QPushButton(tr("&Remove"), this);
    auto* defaults = new QPushButton(tr("Restore &Defaults"), this);
    add->setObjectName(QStringLiteral("addPrice"));
    remove->setObjectName(QStringLiteral("removePrice"));
    defaults->setObjectName(QStringLiteral("restorePrices"));
    connect(add, &QPushButton::clicked, this, [this] {
        addRow({ QString(), 0, 0, std::nullopt, QStringLiteral("USD") });
        validate();
        m_grid->setCurrentCell(m_grid->rowCount() - 1, PatternColumn);
        m_grid->editItem(m_grid->item(m_grid->rowCount() - 1, PatternColumn));
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_grid->currentRow();
        if (row >= 0)
            m_grid->removeRow(row);
        validate();
    });
    connect(defaults, &QPushButton::clicked, this, [this] { setTable(PriceTable::defaults()); });
    connect(m_grid, &QTableWidget::itemChanged, this, [this] { validate(); });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* rowButtons = new QHBoxLayout;
    rowButtons->addWidget(add);
    rowButtons->addWidget(remove);
    rowButtons->addStretch(1);
    rowButtons->addWidget(defaults);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Prices per 1,000,000 tokens. Patterns match model names with * and ?, ignoring "
                                    "case; the longest matching pattern wins. A model without a match has no price."),
                                 this));
    layout->addWidget(m_grid, 1);
    layout->addLayout(rowButtons);
    layout->addWidget(m_source);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    resize(720, 480);
    setTable(table);
}

PricesDialog::~PricesDialog() = default;

void PricesDialog::addRow(const PriceTable::Price& price)
{
    const QSignalBlocker blocker(m_grid);
    const int row = m_grid->rowCount();
    m_grid->insertRow(row);
    m_grid->setItem(row, PatternColumn, new QTableWidgetItem(price.pattern));
    m_grid->setItem(row, InputColumn, new QTableWidgetItem(number(price.inputPerMillion)));
    m_grid->setItem(row, OutputColumn, new QTableWidgetItem(number(price.outputPerMillion)));
    m_grid->setItem(row, CachedColumn,
                    new QTableWidgetItem(price.cachedInputPerMillion ? number(*price.cachedInputPerMillion) : QString()));
    m_grid->setItem(row, CurrencyColumn, new QTableWidgetItem(price.currency));
    for (int c = InputColumn; c <= CachedColumn; ++c)
        m_grid->item(row, c)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
}

void PricesDialog::setTable(const PriceTable& table)
{
    m_grid->setRowCount(0);
    for (const PriceTable::Price& p : table.prices)
        addRow(p);
    m_tableSource = table.source;
    m_tableAsOf = table.asOf;
    m_source->setText(table.source.isEmpty() && table.asOf.isEmpty()
                          ? QString()
                          : tr("Source: %1 (as of %2)").arg(table.source, table.asOf.isEmpty() ? tr("unknown") : table.asOf));
    validate();
}

std::optional<PriceTable> PricesDialog::table(QString* error) const
{
    PriceTable table;
    table.source = m_tableSource;
    table.asOf = m_tableAsOf;
    const auto fail = [&](int row, const QString& why) {
        if (error)
            *error = tr("Row %1: %2").arg(row + 1).arg(why);
        return std::nullopt;
    };
    for (int row = 0; row < m_grid->rowCount(); ++row) {
        const auto text = [&](int column) { return m_grid->item(row, column) ? m_grid->item(row, column)->text().trimmed() : QString(); };
        PriceTable::Price p;
        p.pattern = text(PatternColumn);
        if (p.pattern.isEmpty())
            return fail(row, tr("the model pattern is empty"));
        const std::optional<double> input = parsePrice(text(InputColumn));
        const std::optional<double> output = parsePrice(text(OutputColumn));
        if (!input || !output)
            return fail(row, tr("prices must be numbers >= 0"));
        p.inputPerMillion = *input;
        p.outputPerMillion = *output;
        if (!text(CachedColumn).isEmpty()) {
            p.cachedInputPerMillion = parsePrice(text(CachedColumn));
            if (!p.cachedInputPerMillion)
                return fail(row, tr("the cached input price must be a number >= 0, or empty (input price)"));
        }
        p.currency = text(CurrencyColumn).toUpper();
        if (p.currency.isEmpty())
            return fail(row, tr("the currency is empty"));
        table.prices.push_back(p);
    }
    return table;
}

void PricesDialog::validate()
{
    QString error;
    const bool ok = table(&error).has_value();
    m_problem->setText(ok ? QString() : error);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}
