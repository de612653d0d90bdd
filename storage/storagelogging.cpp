#include "storagelogging.h"

Q_LOGGING_CATEGORY(lcStorage, "spanscope.storage", QtInfoMsg)
