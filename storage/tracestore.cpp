#include "tracestore.h"

TraceStore::~TraceStore() = default;

PreparedItem::~PreparedItem() = default;

void TraceStore::prepare(IngestItem&) const { }
