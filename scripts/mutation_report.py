"""Mutation score per module, from a mutmut run and the cosmic-ray sessions of scripts/mutation.sh.

    python scripts/mutation_report.py                  # print the scores and every survivor
    python scripts/mutation_report.py --fail-under 80  # exit 1 when a module scores below 80 %
    python scripts/mutation_report.py keep-only SESSION.sqlite NAME [NAME ...]

mutmut cannot mutate decorated functions (it skips them so that its trampolines cannot break
the decorator), so ``StanceClassifier.probabilities`` and ``atomic_folder`` are mutated by
cosmic-ray instead; ``keep-only`` marks every other cosmic-ray mutant as skipped, so the two
tools never count the same code twice. A mutant counts as killed when a test failed or timed
out on it; "no tests" (mutmut: no selected test runs the function) counts as a survivor.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

MODULES = ("data/validation.py", "model/inference.py", "model/predict.py", "training/artifacts.py")
MUTANTS = Path("mutants")
COSMIC_RAY_DIR = MUTANTS / "cosmic-ray"
# mutmut's verdicts by worker exit code (mutmut.stats.status_by_exit_code, 3.8).
KILLED_CODES = {1, 3, 36, -24, 24, 152, 255}  # a failed test, or a timeout
NOT_RUN_CODES = {None, 34}  # not checked yet / skipped


@dataclass
class Survivor:
    """One mutant no test noticed: where it is and what it changed."""

    line: int
    tool: str
    name: str
    status: str
    change: str


@dataclass
class Score:
    """Killed and total mutants of one module, and the survivors."""

    killed: int = 0
    total: int = 0
    survivors: list[Survivor] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.total if self.total else 100.0


def _function_starts(path: Path) -> dict[str, int]:
    """First line of every function, by mutmut's name for it (``f`` or ``Class.f``)."""
    starts: dict[str, int] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            starts[node.name] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef):
                    starts[f"{node.name}.{sub.name}"] = sub.lineno
    return starts


def _mutmut_function(key: str) -> str:
    """``data.validation.xǁReportǁ__str____mutmut_3`` -> ``Report.__str__``."""
    name = key.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
    if name.startswith("xǁ"):
        cls, func = name[2:].split("ǁ", 1)
        return f"{cls}.{func}"
    return name[2:]  # "x_" prefix


def _mutmut_change(key: str, module: str, starts: dict[str, int], source: list[str]) -> tuple[int, str]:
    """The source line a mutmut mutant changes and a one-line ``old -> new`` of it."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(key, path=module).splitlines()
    old = [d[1:].strip() for d in diff if d.startswith("-") and not d.startswith("---")]
    new = [d[1:].strip() for d in diff if d.startswith("+") and not d.startswith("+++")]
    start = starts.get(_mutmut_function(key), 1)
    line = start
    if old:
        # The diff numbers lines from the function's start; find the line itself instead,
        # which also works when the mutant is in the signature.
        for n in range(start, len(source) + 1):
            if source[n - 1].strip() == old[0]:
                line = n
                break
    return line, f"{' / '.join(old)}  ->  {' / '.join(new)}"


def mutmut_scores(scores: dict[str, Score]) -> int:
    """Add mutmut's verdicts to ``scores``; return how many mutants were not run."""
    from mutmut.stats import status_by_exit_code

    not_run = 0
    for module in MODULES:
        meta = MUTANTS / f"{module}.meta"
        if not meta.exists():
            continue
        source = Path(module).read_text(encoding="utf-8").splitlines()
        starts = _function_starts(Path(module))
        for key, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            if code in NOT_RUN_CODES:
                not_run += 1
                continue
            score = scores[module]
            score.total += 1
            if code in KILLED_CODES:
                score.killed += 1
                continue
            line, change = _mutmut_change(key, module, starts, source)
            score.survivors.append(Survivor(line, "mutmut", key.rsplit(".", 1)[1], status_by_exit_code[code], change))
    return not_run


def cosmic_ray_scores(scores: dict[str, Score]) -> int:
    """Add the cosmic-ray sessions' verdicts to ``scores``; return how many were not run."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    not_run = 0
    for session in sorted(COSMIC_RAY_DIR.glob("*.sqlite")):
        with use_db(session, WorkDB.Mode.open) as db:
            results = dict(db.results)
            for item in db.work_items:
                result = results.get(item.job_id)
                if result is None:
                    not_run += 1
                    continue
                if result.worker_outcome == WorkerOutcome.SKIPPED:
                    continue
                mutation = item.mutations[0]
                score = scores[mutation.module_path.as_posix()]
                score.total += 1
                if result.test_outcome == TestOutcome.SURVIVED:
                    change = " / ".join(
                        f"{d[0]} {d[1:].strip()}" for d in (result.diff or "").splitlines()
                        if d[:1] in "+-" and not d.startswith(("---", "+++"))
                    )
                    score.survivors.append(Survivor(mutation.start_pos[0], "cosmic-ray", mutation.operator_name,
                                                    "survived", change))
                else:
                    score.killed += 1
    return not_run


def report(fail_under: float) -> int:
    """Print the scores and survivors; 1 when a module scores below ``fail_under``."""
    scores: dict[str, Score] = defaultdict(Score)
    not_run = mutmut_scores(scores) + cosmic_ray_scores(scores)
    if not scores:
        print("no results: run scripts/mutation.sh first", file=sys.stderr)
        return 2
    for module in MODULES:
        for s in sorted(scores[module].survivors, key=lambda s: (s.line, s.tool, s.name)):
            print(f"{module}:{s.line}  [{s.tool} {s.name}, {s.status}]  {s.change}")
    print()
    print(f"{'module':<24} {'killed':>6} / {'total':<5}  score")
    for module in MODULES:
        s = scores[module]
        print(f"{module:<24} {s.killed:>6} / {s.total:<5}  {s.percent:5.1f} %")
    killed = sum(s.killed for s in scores.values())
    total = sum(s.total for s in scores.values())
    print(f"{'all four':<24} {killed:>6} / {total:<5}  {100.0 * killed / max(total, 1):5.1f} %")
    if not_run:
        print(f"({not_run} mutants not run yet: an interrupted run)")
    low = [m for m in MODULES if scores[m].percent < fail_under]
    if low:
        print(f"below {fail_under:g} %: {', '.join(low)}")
        return 1
    return 0


def keep_only(session: Path, names: list[str]) -> int:
    """Mark every mutant of ``session`` outside the functions ``names`` as skipped."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    skipped = WorkResult(worker_outcome=WorkerOutcome.SKIPPED)
    with use_db(session, WorkDB.Mode.open) as db:
        other = [item.job_id for item in db.work_items
                 if any(m.definition_name not in names for m in item.mutations)]
        db.set_multiple_results(other, skipped)
        kept = db.num_work_items - len(other)
    print(f"{session.name}: {kept} mutants in {', '.join(names)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["keep-only"]:
        ap = argparse.ArgumentParser(prog="mutation_report.py keep-only")
        ap.add_argument("session", type=Path)
        ap.add_argument("names", nargs="+", help="function names (cosmic-ray's definition_name)")
        a = ap.parse_args(argv[1:])
        return keep_only(a.session, a.names)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fail-under", type=float, default=0.0, help="exit 1 when a module scores below this (percent)")
    return report(ap.parse_args(argv).fail_under)


if __name__ == "__main__":
    sys.exit(main())
