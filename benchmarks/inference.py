"""Inference benchmark: fp32 against the fast path, in one run, on the same texts.

    python -m benchmarks.inference --model runs/c5-stance/model --out benchmarks/results/inference.json

Measures batch throughput (statements per second over the corpus, repeated to at least
--min-texts statements), single-statement latency (p50/p95 over --single calls) and
macro-F1 on the test split, for both paths; prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

from data.corpus import load_stance_dataset
from model.inference import StanceClassifier
from training.metrics import classification_metrics


def measure(clf: StanceClassifier, texts: list[str], test_texts: list[str], test_labels: list[int],
            single: int, batch_size: int) -> dict:
    """Throughput, latency and macro-F1 of one classifier."""
    clf.probabilities(texts[:batch_size], batch_size)  # warm-up: allocations, kernels
    start = time.perf_counter()
    clf.probabilities(texts, batch_size)
    seconds = time.perf_counter() - start
    lat = []
    for t in test_texts[:single]:
        s = time.perf_counter()
        clf.probabilities([t], 1)
        lat.append((time.perf_counter() - s) * 1000)
    lat.sort()
    probs, _ = clf.probabilities(test_texts, batch_size)
    f1 = classification_metrics(np.argmax(probs, 1), test_labels)["macro_f1"]
    return {"statements_per_second": round(len(texts) / seconds, 1), "batch_seconds": round(seconds, 2),
            "latency_ms_p50": round(statistics.median(lat), 1), "latency_ms_p95": round(lat[int(0.95 * (len(lat) - 1))], 1),
            "test_macro_f1": round(float(f1), 4)}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="runs/c5-stance/model")
    ap.add_argument("--min-texts", type=int, default=2000)
    ap.add_argument("--single", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    ds = load_stance_dataset()
    corpus = [r["text"] for s in ds for r in ds[s]]
    texts = (corpus * (a.min_texts // len(corpus) + 1))[: max(a.min_texts, len(corpus))]
    results = {}
    for name, fast in (("fp32", False), ("fast", True)):
        clf = StanceClassifier(a.model, fast=fast)
        results[name] = measure(clf, texts, ds["test"]["text"], ds["test"]["label"], a.single, a.batch_size)
        results[name]["backend"] = clf.backend
    results["speedup"] = round(results["fast"]["statements_per_second"] / results["fp32"]["statements_per_second"], 2)
    results["f1_loss_points"] = round(100 * (results["fp32"]["test_macro_f1"] - results["fast"]["test_macro_f1"]), 2)
    results["machine"] = {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                          "processor": platform.processor() or platform.machine(), "texts": len(texts)}
    print(f"{'path':<6} {'backend':<22} {'stmt/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'macro-F1':>9}")
    for name in ("fp32", "fast"):
        r = results[name]
        print(f"{name:<6} {r['backend']:<22} {r['statements_per_second']:>8} {r['latency_ms_p50']:>8} "
              f"{r['latency_ms_p95']:>8} {r['test_macro_f1']:>9}")
    print(f"speed-up {results['speedup']}x, macro-F1 change {-results['f1_loss_points']:+.2f} points")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
