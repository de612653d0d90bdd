// libFuzzer harness: ZipkinJsonReader on whatever JSON the bytes parse to (recognized as Zipkin or not). Spans it
// accepts must survive an OTLP protobuf round trip unchanged (FuzzCommon::checkTraceFileReader).

#include "fuzzcommon.h"
#include "ingest/files/zipkinjsonreader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    FuzzCommon::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    FuzzCommon::checkTraceFileReader<ZipkinJsonReader>("zipkin", data, size);
    return 0;
}
