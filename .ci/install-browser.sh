#!/bin/sh
# Installs Debian's Chromium for the browser tests (Data Docs, report.html) and a small CJK font so
# screenshots show Chinese text instead of empty boxes. Idempotent; needs root (CI runs as root).
set -eu

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
fc-list 2>/dev/null | grep -qi "wqy" || missing="$missing fonts-wqy-microhei"
if [ -z "$missing" ]; then
    echo "chromium and fonts-wqy-microhei already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq $missing >/dev/null
/usr/bin/chromium --version
