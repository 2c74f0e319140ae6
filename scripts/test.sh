#!/usr/bin/env bash
# scripts/test.sh: the whole test suite, as the README and CI run it.
# Installs what is missing, builds, and runs unit, integration and terminal
# tests (fuzzing, faults and crashes among them), then the same suite again
# on an ASan+UBSan build in build-san/; each pass ends with "N passed, N
# failed", and the script fails if either does.  With arguments they go to
# one make run instead: `scripts/test.sh SAN=1` is the sanitizer pass only,
# `scripts/test.sh SAN=0` the plain one.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
if [ $# -gt 0 ]; then
	exec make -j"$(nproc)" --no-print-directory test "$@"
fi
echo "== the suite"
make -j"$(nproc)" --no-print-directory test
echo "== the suite under ASan + UBSan (build-san/)"
make -j"$(nproc)" --no-print-directory test SAN=1
