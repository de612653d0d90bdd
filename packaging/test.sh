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
