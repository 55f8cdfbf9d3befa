#!/usr/bin/env bash
# The main job on embedded defaults: assess every bundled sample case (and one whose measurements come from
# a label map) and print the tumour-board summaries.
# Usage: ./run.sh [case.json ...]   (default: samples/cases/*.json)
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/LocalControl.Cli -c Release -nologo -v quiet >/dev/null
lc() { dotnet src/LocalControl.Cli/bin/Release/net10.0/localcontrol.dll "$@"; }
if [ $# -gt 0 ]; then
  for c in "$@"; do lc assess "$c"; echo; done
  exit 0
fi
for c in samples/cases/*.json; do lc assess "$c"; echo; done
# Measure, then decide: a case whose lesion sizes and distances come from a label map (a liver phantom).
lc assess samples/imaging/phantom-case.json --labels samples/imaging/labels.nii.gz --label-table samples/imaging/label-table.json
