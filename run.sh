#!/usr/bin/env bash
# The main job on embedded defaults: assess every bundled sample case and print the tumour-board summaries.
# Usage: ./run.sh [case.json ...]   (default: samples/cases/*.json)
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/LocalControl.Cli -c Release -nologo -v quiet >/dev/null
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(samples/cases/*.json)
for c in "${cases[@]}"; do
  dotnet src/LocalControl.Cli/bin/Release/net10.0/localcontrol.dll assess "$c"
  echo
done
