#include "ui/shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

QString plain(QString text)
{
    text.remove(QLatin1Char('&'));
    if (text.endsWith(QStringLiteral("…")))
        text.chop(1);
    return text;
}

void collect(QMenu* menu, const QString& where, std::vector<ShortcutsDialog::Row>* rows)
{
    for (QAction* action : menu->actions()) {
        if (action->isSeparator())
            continue;
        if (QMenu* sub = action->menu()) {
            if (sub->objectName() == QLatin1String("recentFiles") || sub->objectName() == QLatin1String("switchStore"))
                continue; // entries that come and go: files, connections
            collect(sub, where + QStringLiteral(" > ") + plain(sub->title()), rows);
            continue;
        }
        if (action->shortcut().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence& k : action->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
        rows->push_back({ where, plain(action->text()), keys.join(QStringLiteral(", ")) });
    }
}

} // namespace

std::vector<ShortcutsDialog::Row> ShortcutsDialog::rowsOf(QMenuBar* menuBar)
{
    std::vector<Row> rows;
    if (menuBar)
        for (QAction* action : menuBar->actions())
            if (QMenu* menu = action->menu())
                collect(menu, plain(menu->title()), &rows);
    const QString trace = tr("Trace view");
    const QString list = tr("Lists");
    const std::vector<Row> fixed = {
        { trace, tr("Find in trace"), QKeySequence(QKeySequence::Find).toString(QKeySequence::NativeText) },
        { trace, tr("Next / previous match"), tr("F3, Enter / Shift+F3") },
        { trace, tr("Select the span above / below"), tr("Up / Down") },
        { trace, tr("Move a page / to the first / last span"), tr("PgUp, PgDown / Home / End") },
        { trace, tr("Collapse / expand (or go to the parent / first child)"), tr("Left / Right") },
        { trace, tr("Fold or unfold a span"), tr("Double-click, or click its triangle") },
        { trace, tr("Zoom in / out"), tr("+ / -, Ctrl+Wheel") },
        { trace, tr("Show the whole trace"), tr("0") },
        { trace, tr("Pan the time axis"), tr("Shift+Left / Shift+Right, Shift+Wheel, drag") },
        { list, tr("Open the trace, session or span of the row"), tr("Enter, double-click") },
        { list, tr("Select several traces (to compare two)"), tr("Ctrl+click, Shift+click") },
    };
    rows.insert(rows.end(), fixed.begin(), fixed.end());
    return rows;
}

ShortcutsDialog::ShortcutsDialog(QMenuBar* menuBar, QWidget* parent)
    : QDialog(parent)
    , m_view(new QTreeWidget(this))
{
    setWindowTitle(tr("Keyboard Shortcuts"));
    setObjectName(QStringLiteral("shortcutsDialog"));
    m_view->setObjectName(QStringLiteral("shortcuts"));
    m_view->setColumnCount(3);
    m_view->setHeaderLabels({ tr("Action"), tr("Keys"), tr("Where") });
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    for (const Row& row : rowsOf(menuBar))
        new QTreeWidgetItem(m_view, { row.what, row.keys, row.where });
    m_view->resizeColumnToContents(0);
    m_view->resizeColumnToContents(1);

    auto* filter = new QLineEdit(this);
    filter->setObjectName(QStringLiteral("shortcutsFilter"));
    filter->setPlaceholderText(tr("Filter"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        for (int i = 0; i < m_view->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = m_view->topLevelItem(i);
            bool match = text.isEmpty();
            for (int c = 0; c < 3 && !match; ++c)
                match = item->text(c).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
        }
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(filter);
    layout->addWidget(m_view, 1);
    layout->addWidget(buttons);
    resize(720, 520);
}
