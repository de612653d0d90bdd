#pragma once

#include "ui/tracefileservice.h"

/**
 * TraceFileService on the real codecs: TraceImporter (OTLP/JSON, JSON Lines, protobuf, Jaeger, Zipkin, gzip by
 * content) and TraceExporter; scratch stores are SqliteTraceStores in a temporary directory. Stateless; any
 * thread (see TraceFileService).
 */
class AppTraceFileService : public TraceFileService {
public:
    Result importFile(const QString& path, TraceStore* store, const Control& control) override;
    Result exportTraces(TraceStore* store, const ExportRequest& request, const Control& control) override;
    std::unique_ptr<TraceStore> createScratchStore(QString* error) override;
    QStringList importNameFilters() const override;
};
