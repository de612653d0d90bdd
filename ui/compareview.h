#pragma once

#include "model/runcomparison.h"

#include <QWidget>

class QLabel;
class QTextBrowser;
class QTreeView;
class RunComparisonModel;

/**
 * Two runs side by side (issue 10 "Compare two runs"), shown in a window of its own: the totals of A and B with
 * their differences (LLM calls, tool calls, tokens, cost, duration), the aligned span trees (RunComparisonModel:
 * added steps green, removed red, changed yellow) and, for the selected LLM call, the difference of its messages
 * between A and B (lines only in A struck red, only in B green). GUI thread only.
 */
class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(QWidget* parent = nullptr);
    ~CompareView() override;

    void setComparison(RunComparison::Result result);
    /// Shows the message difference of Result::rows[row] (also what selecting the row does).
    void showRow(int row);

    RunComparisonModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QString totalsText() const;
    /// The message diff as plain text ("- " only in A, "+ " only in B, "  " both), for tests and copying.
    QString diffText() const;

private:
    RunComparisonModel* m_model;
    QLabel* m_totals;
    QTreeView* m_view;
    QTextBrowser* m_diff;
    QString m_diffText;
};
