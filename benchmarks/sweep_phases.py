"""Where ``sklr sweep`` at its defaults spends its time: starting Python and
importing, the search's sweep, its refit (none: the command fits no final
model), the figures, the report and files, and the rest.

    python -m benchmarks.sweep_phases            # 3 runs of `sklr sweep digits`
    python -m benchmarks.sweep_phases --quick    # 1 run, --epochs 5

Each run is a fresh process (``python -m benchmarks.sweep_phases --child``) that
times its own imports and runs the command's ``main`` with the search's sweep
and refit and the command's plots and report wrapped in timers; the parent
times the whole process (what a user waits for). Medians go to
``benchmarks/results/sweep_phases.json`` and ``.md``.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
PHASES = ("imports", "sweep", "refit", "figures", "report_and_files", "other")


def _child(argv):
    start = time.perf_counter()
    import sklr.cli
    from sklr.cli import _output, _sweep
    from sklr.search import _search

    times = {"imports": time.perf_counter() - start}

    def timed(owner, name, key):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                times[key] = times.get(key, 0.0) + time.perf_counter() - begin

        setattr(owner, name, wrapper)

    timed(_search.LearningRateSearchCV, "_sweep", "sweep")
    timed(_search.LearningRateSearchCV, "_refit", "refit")
    timed(_output, "_plots", "figures")
    timed(_sweep, "_write", "write")  # the command's own reference
    code = sklr.cli.main(argv)
    times["in_process"] = time.perf_counter() - start
    print(json.dumps({"code": code, "times": times}))


def _run(command):
    with tempfile.TemporaryDirectory() as tmp:
        argv = [*command, "--out", str(Path(tmp) / "run"), "--quiet"]
        begin = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.sweep_phases", "--child", *argv],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[1],
        )
        wall = time.perf_counter() - begin
    child = json.loads(done.stdout.strip().splitlines()[-1])
    t = child["times"]
    phases = {
        "imports": t["imports"],
        "sweep": t.get("sweep", 0.0),
        "refit": t.get("refit", 0.0),
        "figures": t.get("figures", 0.0),
        "report_and_files": t.get("write", 0.0) - t.get("figures", 0.0),
    }
    phases["other"] = wall - sum(phases.values())  # Python's start, data, table
    return {"wall": wall, **phases}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.child is not None:
        return _child(args.child)
    command = ["sweep", "digits"] + (["--epochs", "5"] if args.quick else [])
    runs = [_run(command) for _ in range(args.repeat or (1 if args.quick else 3))]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    name = "sweep_phases" + ("-quick" if args.quick else "")
    results = {
        "name": name,
        "command": "sklr " + " ".join(command),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load": os.getloadavg()[0],
        "runs": runs,
        "median": median,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        f"# `{results['command']}`: where its time goes",
        "",
        f"{results['date']}; medians of {len(runs)} runs, each a fresh process; "
        f"load average {results['load']:.2f}.",
        "",
        "| phase | seconds | share |",
        "|---|---|---|",
        *(
            f"| {p} | {median[p]:.2f} | {100 * median[p] / median['wall']:.0f}% |"
            for p in PHASES
        ),
        f"| **wall** | {median['wall']:.2f} | 100% |",
    ]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return results


if __name__ == "__main__":
    main()
