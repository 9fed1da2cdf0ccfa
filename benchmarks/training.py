"""Training benchmark: the default run (embedded encoder, bundled corpus) timed end to end,
repeated over seeds, with real-press and authored-test scores next to the baselines'.

    python -m benchmarks.training --seeds 42,43,44 --out benchmarks/results/training.json

Runs ``python -m training.train`` with the bundled recipe (plus any extra flags after ``--``)
once per seed (the first seed's model lands in ``--output-dir``, the others beside it), then the
TF-IDF baseline on the same splits, and records wall time, training time, and macro-F1 with its
mean and range over the seeds: on the authored test split and, where the real development set
exists, on real press (its ``check`` half is the honest figure).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from training.baselines import format_table, run_baselines


def spread(values: list[float]) -> dict:
    """Mean, minimum and maximum, rounded for reading."""
    return {"mean": round(statistics.mean(values), 4), "min": round(min(values), 4), "max": round(max(values), 4),
            "values": [round(v, 4) for v in values]}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output-dir", default="runs/c5-stance", help="run folder of the first seed (default: %(default)s)")
    ap.add_argument("--seeds", default="42", help="comma-separated seeds, one training run each (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/training.json"),
                    help="where the figures are written (default: %(default)s)")
    ap.add_argument("extra", nargs="*", help="extra flags for training.train (after --)")
    a = ap.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",") if s.strip()]
    runs = []
    for n, seed in enumerate(seeds):
        out_dir = a.output_dir if n == 0 else f"{a.output_dir}-seed{seed}"
        print(f"[benchmark] seed {seed} ({n + 1}/{len(seeds)}) → {out_dir}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "training.train", "--output_dir", out_dir, "--seed", str(seed),
                               *a.extra])
        if proc.returncode:
            return proc.returncode
        metrics = json.loads((Path(out_dir) / "model" / "metrics.json").read_text())
        runs.append({"seed": seed, "folder": out_dir, "wall_seconds": round(time.perf_counter() - start, 1),
                     "train_seconds": metrics["run"]["train_seconds"], "epochs_run": metrics["run"]["epochs_run"],
                     "test": {k: metrics["test"][k] for k in ("accuracy", "macro_f1", "per_class", "confusion_matrix")},
                     "validation_macro_f1": metrics["validation"]["macro_f1"],
                     "real_press": {k: {"macro_f1": v["macro_f1"], "accuracy": v["accuracy"], "ece": v["calibration"]["ece"]}
                                    for k, v in metrics.get("real_press", {}).items()},
                     "calibration": metrics["run"].get("calibration")})
    rows = run_baselines(model=str(Path(a.output_dir) / "model"), frozen=False)
    result = {
        "command": "python -m benchmarks.training " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seeds": seeds, "runs": runs,
        "wall_seconds": spread([r["wall_seconds"] for r in runs]),
        "test_macro_f1": spread([r["test"]["macro_f1"] for r in runs]),
        "comparison_first_seed": rows,
    }
    for half in ("check", "tune", "all", "both_sure"):
        if all(half in r["real_press"] for r in runs):
            result[f"real_press_{half}_macro_f1"] = spread([r["real_press"][half]["macro_f1"] for r in runs])
    print(format_table(rows))
    summary = f"test macro-F1 {result['test_macro_f1']['mean']:.3f} [{result['test_macro_f1']['min']:.3f}-{result['test_macro_f1']['max']:.3f}]"
    if "real_press_check_macro_f1" in result:
        c = result["real_press_check_macro_f1"]
        summary = f"real press (check) macro-F1 {c['mean']:.3f} [{c['min']:.3f}-{c['max']:.3f}], " + summary
    print(f"{len(seeds)} run(s), {result['wall_seconds']['mean'] / 60:.1f} min each: {summary}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
