#include "ingest/ingestlogging.h"

Q_LOGGING_CATEGORY(lcIngest, "spanscope.ingest", QtInfoMsg)
