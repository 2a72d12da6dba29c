#!/usr/bin/env bash
# System packages the test suite needs beyond Node and Python: Debian's Chromium for the
# browser tests (playwright-core drives it; never `npx playwright install`). Idempotent and
# quick when everything is present. Without root (a developer laptop) it only explains.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "[npsflow] /usr/bin/chromium is missing: install Debian's 'chromium' package (browser tests need it)" >&2
  exit 0
fi
echo "[npsflow] installing chromium (Debian package) for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
