#include "tracefileservice.h"

TraceFileService::~TraceFileService() = default;
