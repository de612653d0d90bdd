#!/usr/bin/env bash
# Installs the Debian 12 packages Spanscope needs to build, run and test.
# Usage: packaging/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libsqlite3-dev zlib1g-dev libzstd-dev libmicrohttpd-dev
  libpqxx-dev libcurl4-openssl-dev
  fonts-dejavu-core
)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(xvfb xauth postgresql)
  # libFuzzer harnesses (tests/fuzz, fuzz preset): clang 14 and its sanitizer/fuzzer runtimes
  pkgs+=(clang libclang-rt-14-dev)
  # S3 test server (tests/servers/swift.sh: Swift with s3api) and the AWS CLI the S3 tests cross-check with
  pkgs+=(swift swift-proxy swift-account swift-container swift-object python3-swift awscli)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
