#!/usr/bin/env bash
# Installs the Debian packages the tests need (oracles and peers: nibabel, pydicom, scipy; dcmtk;
# PostgreSQL for the registry tests; Chromium for the browser tests). Quiet and quick when all are present.
set -euo pipefail

packages=(
  python3 python3-numpy python3-scipy python3-nibabel python3-pydicom
  dcmtk
  # Compressed DICOM (issue 15): the JPEG-LS and JPEG 2000 libraries the reader calls, OpenJPEG's and
  # libjpeg-turbo's command-line tools that the tests compress with.
  libcharls2 libopenjp2-7 libopenjp2-tools libjpeg-turbo-progs
  postgresql
  chromium fonts-dejavu-core
  # The PDF summary's golden test reads the PDF with poppler's pdftotext (an independent reader).
  poppler-utils
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
