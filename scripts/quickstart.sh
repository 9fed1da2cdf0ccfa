#!/usr/bin/env bash
# One command on a fresh machine: set up, train the default model (embedded encoder,
# bundled corpus), evaluate it on the authored test split and, where the real development
# set exists (../shared/real-dev/ or $REAL_DEV), on real press; compare with TF-IDF; then
# serve the demo on http://127.0.0.1:7860 (Ctrl+C stops it). Set NO_DEMO=1 to stop before
# the demo. Measured on a 2-core CPU: see the README ("Quick start").
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo; echo "[quickstart $(date +%H:%M:%S), ${SECONDS}s] $*"; }
step "1/5 set-up (about 2 min on a fresh machine, seconds afterwards)"
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}" HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
step "2/5 training the default recipe (a few minutes; a progress bar follows)"
python -m training.train
step "3/5 evaluating on the authored test split"
python -m training.evaluate_model --model runs/c5-stance/model --split test --out runs/c5-stance/eval-test
REAL_DEV="${REAL_DEV:-../shared/real-dev/statements.jsonl}"
if [ -f "$REAL_DEV" ]; then
  step "4/5 real press: the model and TF-IDF on $REAL_DEV"
  python -m benchmarks.real_press --data "$REAL_DEV" --model runs/c5-stance/model --out runs/c5-stance/real-press \
    --baselines tfidf
else
  step "4/5 real press skipped: no $REAL_DEV (set REAL_DEV to a labelled real-press JSONL)"
fi
step "5/5 comparison with TF-IDF on the authored test split (add the frozen-encoder baseline: python -m training.baselines)"
python -m training.baselines --model runs/c5-stance/model --out runs/c5-stance/comparison --no-frozen
step "done"
if [ -z "${NO_DEMO:-}" ]; then
  python -m demo.app --model runs/c5-stance/model
fi
