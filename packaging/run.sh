#!/usr/bin/env bash
# Fresh Debian 12 machine -> running Spanscope: installs the packages, builds (release preset) and starts the GUI
# with the OTLP receiver (OTLP/HTTP on 127.0.0.1:4318, OTLP/gRPC on 127.0.0.1:4317) and the local SQLite store.
# Extra arguments go to spanscope.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh
cmake --preset release -DSPANSCOPE_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --target spanscope
exec build/release/app/spanscope "$@"
