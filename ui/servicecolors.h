#pragma once

#include <QColor>
#include <QString>

/// Colour of a service in the waterfall and inspector: picked from a fixed palette by a hash of the name that
/// does not change between runs or Qt versions, so a service keeps its colour across traces and sessions.
QColor serviceColor(const QString& serviceName);
/// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor& background);
