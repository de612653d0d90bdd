#!/usr/bin/env bash
# Fresh Debian 12 machine -> every test: installs the packages (including the test-only ones), the JS SDK test
# client from npm, builds the release preset with tests, starts the real servers the team-store tests need
# (PostgreSQL 15 and OpenStack Swift's S3 API, both on loopback in a temporary folder) and runs ctest.
# Widget tests run offscreen. The servers are stopped and their folder removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh --test
(cd tests/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
cmake --preset release -DSPANSCOPE_BUILD_TESTS=ON >/dev/null
cmake --build --preset release

servers="$(mktemp -d "${TMPDIR:-/tmp}/spanscope-test-servers.XXXXXX")"
chmod 755 "$servers" # the PostgreSQL server runs as the postgres user when we are root
stop_servers() {
    tests/servers/swift.sh stop "$servers/swift" >/dev/null 2>&1 || true
    tests/servers/postgres.sh stop "$servers/pg" >/dev/null 2>&1 || true
    rm -rf "$servers"
}
trap stop_servers EXIT
eval "$(tests/servers/postgres.sh start "$servers/pg")"
eval "$(tests/servers/swift.sh start "$servers/swift")"

export QT_QPA_PLATFORM=offscreen
ctest --preset release --output-on-failure -j2 "$@"

# Sanitizer runs (issue 8): the store, ingest and GUI stress suites under AddressSanitizer + UndefinedBehaviorSanitizer
# (Debug), the receiver (with its pipeline), query API, soak and trace loader suites under ThreadSanitizer (the soak
# test then runs the TSan build of spanscope serve, which inherits TSAN_OPTIONS: a report stops it and fails the test).
# SPANSCOPE_SKIP_SANITIZERS=1 skips them on a developer machine.
if [ "${SPANSCOPE_SKIP_SANITIZERS:-}" != 1 ]; then
    sanitizer_dir="$(cd "$(dirname "$0")/../tests/sanitizers" && pwd)"
    asan_tests=(tst_spancodec tst_sqlitetracestore tst_postgrestracestore tst_s3blobstore tst_gzip tst_otlpdecoder
        tst_otlphttpreceiver tst_otlpgrpcreceiver tst_traceimport tst_traceexport tst_queryapi tst_ingestcoordinator tst_receiversoak
        tst_models tst_sessionlistmodel tst_guistress tst_genai tst_runcomparison tst_genaiviews tst_criticalpath
        tst_operationstats tst_spanselftime tst_flamegraph tst_timeoverview tst_minimap tst_mainwindow tst_traceloader
        tst_serve_prices)
    tsan_tests=(tst_otlphttpreceiver tst_otlpgrpcreceiver tst_queryapi tst_receiversoak tst_traceloader tst_serve_prices)
    regex() { local IFS='|'; echo "^($*)\$"; }

    cmake --preset asan >/dev/null
    cmake --build --preset asan --target spanscope "${asan_tests[@]}"
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1" \
    LSAN_OPTIONS="suppressions=$sanitizer_dir/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$sanitizer_dir/ubsan.supp" \
        ctest --preset asan --output-on-failure -j1 -R "$(regex "${asan_tests[@]}")"

    cmake --preset tsan >/dev/null
    cmake --build --preset tsan --target "${tsan_tests[@]}" spanscope # the soak test runs the TSan spanscope serve
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:die_after_fork=0:suppressions=$sanitizer_dir/tsan.supp" \
        ctest --preset tsan --output-on-failure -j1 -R "$(regex "${tsan_tests[@]}")"
fi

# Fuzzing (issue 8 §6): the libFuzzer harnesses of tests/fuzz built with clang (fuzz preset; only the fuzzer targets
# and the libraries they link), each run briefly from its seed corpus. A crash or sanitizer report fails its test.
# SPANSCOPE_SKIP_FUZZERS=1 skips them.
if [ "${SPANSCOPE_SKIP_FUZZERS:-}" != 1 ]; then
    fuzzers=(fuzz_otlp_protobuf fuzz_otlp_json fuzz_otlp_logs fuzz_jaeger_json fuzz_zipkin_json fuzz_gzip fuzz_otlp_http
        fuzz_genai)
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz --target "${fuzzers[@]}"
    ctest --preset fuzz --output-on-failure -j2 -R '^fuzz_'
fi
