#!/usr/bin/env sh
# System packages the test suite needs beyond Node: Chromium for the browser test
# (playwright-core drives /usr/bin/chromium; browsers are never downloaded by Playwright).
# Idempotent: installs only what is missing. Run as root (CI runs it before the tests).
set -eu

if [ ! -x /usr/bin/chromium ]; then
  echo "setup-system: installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
else
  echo "setup-system: chromium present ($(/usr/bin/chromium --version 2>/dev/null || echo unknown version))"
fi
