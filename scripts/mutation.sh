#!/usr/bin/env bash
# Mutation testing of data/validation.py, model/inference.py, model/predict.py and
# training/artifacts.py (docs/mutation.md): mutmut mutates everything it can; cosmic-ray
# mutates the two decorated functions mutmut skips (StanceClassifier.probabilities and
# atomic_folder). Prints killed/total per module and every surviving mutant, and exits 1
# when a module scores below MUTATION_FAIL_UNDER (80). Slow, so it is not part of CI.
#
#   bash scripts/mutation.sh                    # a fresh run, 2 worker processes
#   MUTATION_JOBS=1 bash scripts/mutation.sh    # gentler on a shared machine
#
# Results stay in mutants/ (git-ignored): `.venv/bin/mutmut show NAME` prints one mutant,
# `python scripts/mutation_report.py` prints the scores again.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
. .venv/bin/activate
python -c "import mutmut, cosmic_ray" 2>/dev/null || pip install -e ".[mutation]"

export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False TOKENIZERS_PARALLELISM=false
# One thread per test process: the workers share the cores, and mutmut forks its workers,
# which torch's thread pool does not survive.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
JOBS="${MUTATION_JOBS:-2}"
start=$SECONDS
# Always from scratch: mutmut keeps verdicts between runs and would not re-test a survivor
# against a test added since.
rm -rf mutants

echo "== mutmut ([tool.mutmut] in pyproject.toml), $JOBS workers"
# mutmut stamps its cache with `git rev-parse HEAD`; a fresh run has no use for it, so it is
# kept away from the repository.
GIT_DIR=/nonexistent mutmut run --max-children "$JOBS"
echo
echo "mutmut took $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"

echo "== cosmic-ray, on a copy (it mutates files in place)"
cr=mutants/cosmic-ray
mkdir -p "$cr/work"
cp -r data model training tests pyproject.toml "$cr/work/"
cosmic_ray() {  # session-name module "test files" function...
    local name=$1 module=$2 tests=$3
    shift 3
    cat > "$cr/$name.toml" <<EOF
[cosmic-ray]
module-path = "$module"
timeout = 300.0
excluded-modules = []
test-command = "python -m pytest -x -q -p no:cacheprovider -m 'not e2e' $tests"

[cosmic-ray.distributor]
name = "local"
EOF
    (
        cd "$cr/work"
        cosmic-ray init "../$name.toml" "../$name.sqlite"
        python ../../../scripts/mutation_report.py keep-only "../$name.sqlite" "$@"
        cosmic-ray exec "../$name.toml" "../$name.sqlite"
    )
}
cr_start=$SECONDS
cosmic_ray inference model/inference.py \
    "tests/test_inference.py tests/test_mutation_inference.py tests/test_mutation_predict.py" probabilities
cosmic_ray artifacts training/artifacts.py "tests/test_artifacts.py tests/test_mutation_artifacts.py" atomic_folder
echo "cosmic-ray took $(((SECONDS - cr_start) / 60)) min $(((SECONDS - cr_start) % 60)) s"

echo "== scores"
status=0
python scripts/mutation_report.py --fail-under "${MUTATION_FAIL_UNDER:-80}" || status=$?
echo "mutation testing took $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
exit "$status"
