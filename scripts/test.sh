#!/usr/bin/env bash
# Install everything the test suite needs, then run lint, types and every test tier.
# Used as it is by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  # Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

ruff check .
ruff format --check .
mypy
# pytest exits 5 when no test ran; set -e makes that (like any failure) fail the run.
python -m pytest "$@"
