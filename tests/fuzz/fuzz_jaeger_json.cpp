// libFuzzer harness: JaegerJsonReader on whatever JSON the bytes parse to (recognized as Jaeger or not). Spans it
// accepts must survive an OTLP protobuf round trip unchanged (FuzzCommon::checkTraceFileReader).

#include "fuzzcommon.h"
#include "ingest/files/jaegerjsonreader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    FuzzCommon::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    FuzzCommon::checkTraceFileReader<JaegerJsonReader>("jaeger", data, size);
    return 0;
}
