"""Training benchmark: the default run (embedded encoder, bundled corpus) timed end to
end, with its test scores next to the baselines'.

    python -m benchmarks.training --out benchmarks/results/training.json

Runs ``python -m training.train`` with the bundled recipe (plus any extra flags after
``--``), then the baselines on the same splits, and records wall time, training time,
macro-F1 and per-class F1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from training.baselines import format_table, run_baselines


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output-dir", default="runs/c5-stance")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/training.json"))
    ap.add_argument("extra", nargs="*", help="extra flags for training.train (after --)")
    a = ap.parse_args(argv)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "training.train", "--output_dir", a.output_dir, *a.extra])
    wall = time.perf_counter() - start
    if proc.returncode:
        return proc.returncode
    metrics = json.loads((Path(a.output_dir) / "model" / "metrics.json").read_text())
    rows = run_baselines(model=str(Path(a.output_dir) / "model"))
    result = {
        "command": "python -m benchmarks.training " + " ".join(argv or sys.argv[1:]),
        "wall_seconds": round(wall, 1), "train_seconds": metrics["run"]["train_seconds"],
        "epochs_run": metrics["run"]["epochs_run"],
        "test": {k: metrics["test"][k] for k in ("accuracy", "macro_f1", "per_class")},
        "validation_macro_f1": metrics["validation"]["macro_f1"], "comparison": rows,
    }
    tfidf = next(r["macro_f1"] for r in rows if r["model"].startswith("TF-IDF"))
    result["margin_over_tfidf"] = round(metrics["test"]["macro_f1"] - tfidf, 4)
    print(format_table(rows))
    print(f"default run: {wall / 60:.1f} min wall, test macro-F1 {metrics['test']['macro_f1']:.3f}, "
          f"{result['margin_over_tfidf']:+.3f} over TF-IDF")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
