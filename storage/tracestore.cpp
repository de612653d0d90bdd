#include "tracestore.h"

TraceStore::~TraceStore() = default;

PreparedItem::~PreparedItem() = default;

void TraceStore::prepare(IngestItem&) const { }

QByteArray TraceStore::traceBlob(const TraceId&, QString* error)
{
    if (error)
        error->clear();
    return {};
}
