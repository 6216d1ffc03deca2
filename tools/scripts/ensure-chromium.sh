#!/usr/bin/env bash
# The browser tier drives Debian's Chromium (never a browser download by Playwright): install it when missing.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi
echo "chromium: $CHROMIUM is missing; installing Debian's chromium package (apt-get)…"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
echo "chromium: installed $("$CHROMIUM" --version)"
