#!/usr/bin/env bash
# Installs the Debian packages the tests need (oracles and peers: nibabel, pydicom, scipy; dcmtk;
# PostgreSQL for the registry tests; Chromium for the browser tests). Quiet and quick when all are present.
set -euo pipefail

packages=(
  python3 python3-numpy python3-scipy python3-nibabel python3-pydicom
  dcmtk
  postgresql
  chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing test dependencies: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
