#!/usr/bin/env bash
# The whole test suite, offline (unit, end-to-end on the real encoder, browser).
# Sets up whatever is missing first (scripts/setup.sh is idempotent and quick when done).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
ruff check .
python -m pytest -q "$@"
