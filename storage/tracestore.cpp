#include "tracestore.h"

TraceStore::~TraceStore() = default;

PreparedItem::~PreparedItem() = default;

QString TraceStore::kind() const { return QStringLiteral("other"); }

void TraceStore::prepare(IngestItem&) const { }

QByteArray TraceStore::traceBlob(const TraceId&, QString* error)
{
    if (error)
        error->clear();
    return {};
}
