#!/usr/bin/env bash
# Fresh Debian 12 machine -> every test: installs the packages (including the test-only ones), the JS SDK test
# client from npm, builds the release preset with tests and runs ctest. Widget tests run offscreen.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh --test
(cd tests/e2e/js && npm ci --no-audit --no-fund --loglevel=error)
cmake --preset release -DSPANSCOPE_BUILD_TESTS=ON >/dev/null
cmake --build --preset release
export QT_QPA_PLATFORM=offscreen
ctest --preset release --output-on-failure -j2 "$@"
