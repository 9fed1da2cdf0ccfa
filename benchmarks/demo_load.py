"""Load test of the demo's /classify endpoint (a script, not a test).

Starts the demo in this process on 127.0.0.1 at a free port, fires ``--requests``
gradio_client calls at it with ``--concurrency`` of them in flight at once, prints the
errors, p50 / p95 latency and throughput, writes them as JSON to ``--out``, closes the
server and exits. Every request goes to 127.0.0.1; the run is bounded by ``--deadline``.

    python benchmarks/demo_load.py --out runs/demo_load.json              # tiny random model
    python benchmarks/demo_load.py --model runs/c5-stance/model --out ... # the trained one
"""

from __future__ import annotations

import os

# Before gradio / huggingface_hub are imported: they read these at import time.
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # never anything else: this script only loads a server it started itself


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: with 50 samples it is an observed latency)."""
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[max(0, min(len(ordered), rank) - 1)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the load test."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model folder or hub id (default: a tiny random model in a temp dir)")
    ap.add_argument("--fast", action="store_true", help="the fast CPU path (bf16 where the CPU supports it, else int8)")
    ap.add_argument("--requests", type=int, default=50, help="number of /classify calls (50)")
    ap.add_argument("--concurrency", type=int, default=50, help="calls in flight at once (50: all at once)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds one call may take (60)")
    ap.add_argument("--deadline", type=float, default=300.0, help="seconds the whole run may take (300)")
    ap.add_argument("--out", type=Path, default=None, help="write the figures as JSON here")
    args = ap.parse_args(argv)
    if not 1 <= args.requests <= 10_000 or not 1 <= args.concurrency <= 200:
        ap.error("--requests must be 1..10000 and --concurrency 1..200")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the demo, load it, stop it; return the figures."""
    from gradio_client import Client

    from demo.app import CONCURRENCY, EXAMPLES, build_demo, describe_model
    from model.inference import StanceClassifier

    with tempfile.TemporaryDirectory(prefix="c5-demo-load-") as tmp:
        if args.model is None:
            from tests.tiny_model import make_tiny_model

            model_source = str(make_tiny_model(Path(tmp) / "tiny"))
            model_label = "tiny random model (tests/tiny_model.py)"
        else:
            model_source, model_label = args.model, args.model
        classifier = StanceClassifier(model_source, fast=args.fast)
        demo = build_demo(classifier, describe_model(classifier.source, args.fast))
        port = _free_port()
        demo.launch(server_name=HOST, server_port=port, prevent_thread_lock=True, share=False, quiet=True,
                    ssr_mode=False)
        client = None
        try:
            url = f"http://{HOST}:{port}/"
            client = Client(url, analytics_enabled=False, verbose=False, max_workers=args.concurrency,
                            download_files=False)
            client.predict(EXAMPLES[0], api_name="/classify")  # warm-up: first call pays one-off costs

            def call(i: int) -> float:
                start = time.perf_counter()
                job = client.submit(EXAMPLES[i % len(EXAMPLES)], api_name="/classify")
                job.result(timeout=args.timeout)
                return time.perf_counter() - start

            latencies: list[float] = []
            errors: list[str] = []
            begin = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                pending = {pool.submit(call, i) for i in range(args.requests)}
                while pending:
                    left = args.deadline - (time.perf_counter() - begin)
                    if left <= 0:
                        errors += [f"not finished within --deadline {args.deadline:.0f} s"] * len(pending)
                        for fut in pending:
                            fut.cancel()
                        break
                    done, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
                    for fut in done:
                        try:
                            latencies.append(fut.result())
                        except Exception as err:  # every failure is a figure of the run, not a crash
                            errors.append(f"{type(err).__name__}: {err}")
            wall = time.perf_counter() - begin
        finally:
            if client is not None:
                client.close()
            demo.close()

    ms = [x * 1000 for x in latencies]
    return {
        "model": model_label,
        "fast": args.fast,
        "endpoint": "/classify",
        "requests": args.requests,
        "concurrency": args.concurrency,
        "server_concurrency_limit": CONCURRENCY,
        "ok": len(latencies),
        "errors": len(errors),
        "error_messages": sorted(set(errors))[:10],
        "p50_ms": round(_percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(_percentile(ms, 95), 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 2) if wall > 0 else None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the load test; exit status 1 if any request failed."""
    args = parse_args(argv)
    figures = run(args)
    rows = [("model", figures["model"]), ("requests / in flight", f"{figures['requests']} / {figures['concurrency']}"),
            ("server concurrency limit", figures["server_concurrency_limit"]), ("errors", figures["errors"]),
            ("p50 latency", f"{figures['p50_ms']} ms"), ("p95 latency", f"{figures['p95_ms']} ms"),
            ("throughput", f"{figures['throughput_rps']} req/s"), ("wall time", f"{figures['wall_s']} s")]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in rows))
    for message in figures["error_messages"]:
        print(f"error: {message}", file=sys.stderr)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"written to {args.out}")
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
