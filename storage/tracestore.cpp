#include "tracestore.h"

TraceStore::~TraceStore() = default;
