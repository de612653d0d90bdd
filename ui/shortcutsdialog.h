#pragma once

#include <QDialog>

class QMenuBar;
class QTreeWidget;

/**
 * Help > Keyboard Shortcuts: every menu action of the window with its shortcut (read from the menu bar, so it is
 * never out of date), then the keys of the trace view (find, the waterfall's selection, folding, zoom and pan) and
 * of the lists. Filterable by typing. GUI thread only.
 */
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(QMenuBar* menuBar, QWidget* parent = nullptr);

    /// (where, what, keys) rows as shown, for tests.
    struct Row {
        QString where;
        QString what;
        QString keys;
    };
    static std::vector<Row> rowsOf(QMenuBar* menuBar);
    QTreeWidget* view() const { return m_view; }

private:
    QTreeWidget* m_view;
};
