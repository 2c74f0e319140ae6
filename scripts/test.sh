#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, as the README and CI run it.
# Installs what is missing, builds, and runs unit, integration and terminal
# tests; the last line is "N passed, N failed".  Arguments go to make, so
# `scripts/test.sh SAN=1` runs the same suite on an ASan+UBSan build in
# build-san/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
exec make -j"$(nproc)" --no-print-directory test "$@"
