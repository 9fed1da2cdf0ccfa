#!/usr/bin/env bash
# One command on a fresh machine: set up, train the default model (embedded encoder,
# bundled corpus), evaluate it, compare with the baselines, then serve the demo on
# http://127.0.0.1:7860 (Ctrl+C stops it). Set NO_DEMO=1 to stop before the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
python -m training.train
python -m training.evaluate_model --model runs/c5-stance/model --split test --out runs/c5-stance/eval-test
python -m training.baselines --model runs/c5-stance/model --out runs/c5-stance/comparison
if [ -z "${NO_DEMO:-}" ]; then
  python -m demo.app --model runs/c5-stance/model
fi
