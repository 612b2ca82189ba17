#!/bin/sh
# Installs Debian's Chromium for the Data Docs browser test (tests/test_validation.py, marker "browser"),
# plus a small CJK font so screenshots show Chinese text instead of empty boxes.
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (CI containers run as root).
set -eu

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium fonts-wqy-microhei
/usr/bin/chromium --version
