#!/usr/bin/env bash
# Builds the solution and runs every test. Installs what the tests need first (Debian packages, NuGet restore).
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter Category!=Slow]
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-test-deps.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build LocalControl.sln -c Release -nologo -v quiet

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test LocalControl.sln -c Release --no-build -nologo -v quiet "$@" 2>&1 | tee "$results/log" || status=$?

# One closing line for the whole run, summed over the test assemblies.
awk '
  /(Passed|Failed)!/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) }
      if ($i == "Passed:")  { p += $(i+1) }
      if ($i == "Skipped:") { s += $(i+1) }
    }
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }
' "$results/log"
exit $status
