#!/usr/bin/env bash
# The whole test suite, offline (unit, end-to-end on the real encoder, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
ruff check .
python -m pytest -q "$@"
