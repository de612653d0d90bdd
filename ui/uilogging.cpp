#include "uilogging.h"

Q_LOGGING_CATEGORY(lcUi, "spanscope.ui", QtInfoMsg)
