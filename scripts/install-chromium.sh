#!/usr/bin/env bash
# Makes sure a Chromium for the browser tests is installed and prints its path on stdout.
#
# Order: $WAMPBOX_CHROMIUM (an executable), then chromium / chromium-browser on PATH or in
# /usr/bin, else Debian's `chromium` package through apt-get (needs root). Idempotent: once
# Chromium is there, it only prints the path. Progress goes to stderr; exit 1 when no Chromium
# can be found or installed.
set -euo pipefail

find_chromium() {
  if [ -n "${WAMPBOX_CHROMIUM:-}" ] && [ -x "${WAMPBOX_CHROMIUM}" ]; then
    echo "${WAMPBOX_CHROMIUM}"
    return 0
  fi
  local c
  for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  for c in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$c" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if path=$(find_chromium); then
  echo "$path"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no Chromium found and no apt-get to install it; set WAMPBOX_CHROMIUM" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "install-chromium: no Chromium found; installing it needs root (apt-get install chromium)" >&2
    exit 1
  fi
fi

echo "install-chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >&2
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium >&2

if path=$(find_chromium); then
  echo "$path"
  exit 0
fi
echo "install-chromium: apt-get finished but no chromium executable was found" >&2
exit 1
