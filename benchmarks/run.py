"""Benchmarks: sklr side by side with scikit-learn, in one process, interleaved.

    python -m benchmarks            # the full suite (several minutes on 2 cores)
    python -m benchmarks --quick    # tiny sizes, one repeat: a smoke run

Every comparison runs A, B, A, B, ... ``--repeat`` times and reports medians and
the ratio sklr / reference; quality (accuracy or R^2 on a held-out split) is
reported next to the time. Results go to ``benchmarks/results/<name>.json`` and
a Markdown summary ``benchmarks/results/<name>.md`` (``--name``, default
``full`` or ``quick``), with the machine, BLAS and package versions.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn import neural_network as sk
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

import sklr

RESULTS = Path(__file__).parent / "results"
SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0),
    "momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
    "adam": dict(solver="adam"),
}


def _problems(quick):
    X, y = load_digits(return_X_y=True)
    if quick:
        return [("digits", X[:300], y[:300], (16,), 32, 2, "classification")]
    Xc, yc = make_classification(
        50_000, 100, n_informative=50, n_classes=5, random_state=0
    )
    Xr, yr = make_regression(20_000, 50, noise=1.0, random_state=0)
    return [
        ("digits", X, y, (100,), 32, 20, "classification"),
        ("classification-50k", Xc, yc, (256, 256), 128, 3, "classification"),
        (
            "regression-20k",
            Xr,
            (yr - yr.mean()) / yr.std(),
            (128,),
            64,
            5,
            "regression",
        ),
    ]


def _interleaved(fns, repeat):
    """Run each fn ``repeat`` times, interleaved; return median seconds, outputs."""
    times = [[] for _ in fns]
    outputs = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            outputs[i] = fn()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times], outputs


def bench_single_fit(quick, repeat):
    rows = []
    for name, X, y, hidden, batch, epochs, task in _problems(quick):
        X = StandardScaler().fit_transform(X)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
        for dtype in (np.float64, np.float32):
            Xa, Xb = X_tr.astype(dtype), X_te.astype(dtype)
            for solver, params in SOLVERS.items():
                common = dict(
                    hidden_layer_sizes=hidden,
                    batch_size=batch,
                    max_iter=epochs,
                    tol=0.0,
                    n_iter_no_change=epochs + 1,
                    random_state=0,
                    **params,
                )
                rate = 1e-3 if solver == "adam" else 1e-2
                ours_cls = (
                    sklr.MLPClassifier
                    if task == "classification"
                    else (sklr.MLPRegressor)
                )
                ref_cls = (
                    sk.MLPClassifier if task == "classification" else (sk.MLPRegressor)
                )

                def ours(cls=ours_cls, rate=rate, common=common, Xa=Xa, y=y_tr):
                    return cls(learning_rate=rate, **common).fit(Xa, y)

                def ref(cls=ref_cls, rate=rate, common=common, Xa=Xa, y=y_tr):
                    return cls(learning_rate_init=rate, **common).fit(Xa, y)

                (t_ours, t_ref), (m_ours, m_ref) = _interleaved([ours, ref], repeat)
                rows.append(
                    {
                        "problem": name,
                        "dtype": np.dtype(dtype).name,
                        "solver": solver,
                        "epochs": epochs,
                        "sklr_s": t_ours,
                        "sklearn_s": t_ref,
                        "ratio": t_ours / t_ref,
                        "sklr_score": float(m_ours.score(Xb, y_te)),
                        "sklearn_score": float(m_ref.score(Xb, y_te)),
                    }
                )
                print("single fit", rows[-1])
    return rows


def bench_search(quick, repeat, n_jobs):
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rates = np.logspace(-5, 1, 13)
    epochs = 5 if quick else 50
    if quick:
        X, y, rates = X[:300], y[:300], rates[::4]
    cv = StratifiedKFold(3 if quick else 5, shuffle=True, random_state=0)
    common = dict(hidden_layer_sizes=(100,), max_iter=epochs, random_state=0)

    def stacked():
        return sklr.LearningRateSearchCV(
            sklr.MLPClassifier(**common), rates, cv=cv, n_jobs=n_jobs
        ).fit(X, y)

    def grid_sklr():
        return GridSearchCV(
            sklr.MLPClassifier(**common), {"learning_rate": rates}, cv=cv, n_jobs=n_jobs
        ).fit(X, y)

    def grid_sklearn():
        return GridSearchCV(
            sk.MLPClassifier(solver="sgd", **common),
            {"learning_rate_init": rates},
            cv=cv,
            n_jobs=n_jobs,
        ).fit(X, y)

    grid_sklr()  # start the workers once, outside the timings
    (t_s, t_g, t_k), (s, g, k) = _interleaved(
        [stacked, grid_sklr, grid_sklearn], repeat
    )
    row = {
        "n_rates": len(rates),
        "n_splits": cv.n_splits,
        "epochs": epochs,
        "n_jobs": n_jobs,
        "LearningRateSearchCV_s": t_s,
        "GridSearchCV_sklr_s": t_g,
        "GridSearchCV_sklearn_s": t_k,
        "ratio_vs_grid_sklr": t_s / t_g,
        "ratio_vs_grid_sklearn": t_s / t_k,
        "best_rate": [
            s.best_learning_rate_,
            g.best_params_["learning_rate"],
            k.best_params_["learning_rate_init"],
        ],
    }
    print("search", row)
    return [row]


def _epoch_products(n, units, K, batch):
    """An epoch of the matrix products alone of K stacked networks with layer
    sizes ``units`` (input first) on ``n`` samples: forward, weight gradients and
    the deltas below the output, at the engine's shapes (one product per network,
    as ``sklr._core.network`` computes them, into reused outputs). The floor of
    training: no other work."""
    rng = np.random.default_rng(0)
    X = rng.random((batch, units[0]))
    pairs = list(zip(units[:-1], units[1:]))
    W = [rng.random((K, a, b)) for a, b in pairs]
    A = [rng.random((K, batch, a)) for a, _ in pairs[1:]]
    D = [rng.random((K, batch, b)) for _, b in pairs]
    Z = [np.empty((K, batch, b)) for _, b in pairs]
    G = [np.empty_like(w) for w in W]
    below = [np.empty((K, batch, a)) for a, _ in pairs[1:]]

    def epoch():
        for _ in range(-(-n // batch)):
            np.matmul(X, W[0], out=Z[0])
            for i in range(1, len(W)):
                np.matmul(A[i - 1], W[i], out=Z[i])
            for i in range(len(W) - 1, 0, -1):
                np.matmul(A[i - 1].transpose(0, 2, 1), D[i], out=G[i])
                np.matmul(D[i], W[i].transpose(0, 2, 1), out=below[i - 1])
            np.matmul(X.T, D[0], out=G[0])

    return epoch


def bench_stacking(quick, repeat):
    """Steady-state time per epoch for K stacked rates: (fit of 4 epochs - fit of
    1 epoch) / 3, so that the set-up of a fit is not counted as training; next to
    it, the time of the epoch's matrix products alone (the floor)."""
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Ks = (1, 2, 4) if quick else (1, 2, 4, 8, 16, 32)
    hidden, batch = 100, min(200, len(X))

    def fit(K, epochs):
        est = sklr.MLPClassifier(
            (hidden,), max_iter=epochs, tol=0.0, n_iter_no_change=10, random_state=0
        )
        rates = np.logspace(-4, -2, K)
        return lambda: est._fit_learning_rates(X, y, rates)

    # all K interleaved in every round, so that a slow spell of the machine
    # does not fall on one K only
    fns = [fit(K, epochs) for K in Ks for epochs in (1, 4)]
    fns += [_epoch_products(len(X), [X.shape[1], hidden, 10], K, batch) for K in Ks]
    times, _ = _interleaved(fns, repeat)
    rows = [
        {
            "K": K,
            "seconds_per_epoch": (times[2 * i + 1] - times[2 * i]) / 3,
            "products_seconds_per_epoch": times[2 * len(Ks) + i],
        }
        for i, K in enumerate(Ks)
    ]
    for row in rows:
        row["relative_to_K1"] = row["seconds_per_epoch"] / rows[0]["seconds_per_epoch"]
        row["products_relative_to_K1"] = (
            row["products_seconds_per_epoch"] / rows[0]["seconds_per_epoch"]
        )
    print("stacking", rows)
    return rows


def bench_scaling(quick):
    rows = []
    rng = np.random.RandomState(0)
    for n in (2_000, 10_000) if quick else (10_000, 100_000, 1_000_000):
        X = rng.standard_normal((n, 100)).astype(np.float32)
        y = (X[:, :5].sum(axis=1) > 0).astype(int)
        weights = 100 * 100 + 100 + 100 * 1 + 1
        tracemalloc.start()
        start = time.perf_counter()
        sklr.MLPClassifier(
            (100,), max_iter=1, batch_size=200, random_state=0, tol=0.0
        ).fit(X, y)
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = X.nbytes + 4 * weights
        rows.append(
            {
                "n_samples": n,
                "seconds_per_epoch": seconds,
                "fit_peak_bytes": peak,  # X exists before fit: the peak is X + this
                "X_plus_weights_bytes": size,
                "peak_ratio": (X.nbytes + peak) / size,
            }
        )
        print("scaling", rows[-1])
    return rows


def bench_efficiency(quick, repeat):
    """FLOP rate of a training epoch vs numpy's matmul rate at the same shapes.

    The epoch is timed in steady state: (fit of 3 epochs - fit of 1 epoch) / 2,
    so that validation, initialisation and the final checks are excluded. The
    reference does, batch after batch, exactly the matrix products of an epoch
    (forward, weight gradients, and back-propagated deltas below the output) at
    their shapes, with no other work: the practical limit of the hardware.
    """
    n, f, h, o, batch = (5_000, 50, 64, 5, 128) if quick else (50_000, 100, 256, 5, 128)
    X, y = make_classification(n, f, n_informative=f // 2, n_classes=o, random_state=0)

    def fit(epochs):
        def run():
            sklr.MLPClassifier(
                (h, h),
                batch_size=batch,
                max_iter=epochs,
                tol=0.0,
                n_iter_no_change=epochs + 1,
                random_state=0,
                momentum=0.0,
            ).fit(X, y)

        return run

    layers = [(f, h), (h, h), (h, o)]
    n_batches = -(-n // batch)
    products = _epoch_products(n, [f, h, h, o], 1, batch)

    (t1, t3, t_mm), _ = _interleaved([fit(1), fit(3), products], repeat)
    epoch = (t3 - t1) / 2
    macs = sum(a * b for a, b in layers)
    flops = 2 * n * (3 * macs - f * h)  # no delta is propagated to the input
    row = {
        "epoch_seconds": epoch,
        "epoch_gflops": flops / epoch / 1e9,
        "numpy_matmul_gflops": 2 * batch * n_batches * (3 * macs - f * h) / t_mm / 1e9,
    }
    row["fraction_of_matmul_rate"] = row["epoch_gflops"] / row["numpy_matmul_gflops"]
    print("efficiency", row)
    return [row]


def bench_commands(quick, repeat):
    """Wall-clock time of the commands the documentation quotes a time for, each
    run as a user would (a fresh process, in an empty folder), interleaved:
    ``sklr sweep`` at its defaults and with ``--float32``, and the scripts
    ``examples/quickstart.py`` and ``examples/plot_displays.py``. Reports the
    fastest, median and slowest of ``repeat`` runs, the machine's 1-minute load
    average when each run started (other work slows them), and the answer of each
    sweep (from its ``results.json``)."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    sweep = [sys.executable, "-m", "sklr", "sweep"]
    # the smoke run: the same code, one small sweep (the tests and the
    # documentation's gallery run the scripts)
    small = ["--epochs", "3", "--cv", "2", "--points-per-decade", "1", "--no-plots"]
    commands = {"sklr sweep": sweep + (small if quick else [])}
    if not quick:
        commands["sklr sweep --float32"] = [*sweep, "--float32"]
        commands["python examples/quickstart.py"] = [
            sys.executable,
            examples / "quickstart.py",
        ]
        commands["python examples/plot_displays.py"] = [
            sys.executable,
            examples / "plot_displays.py",
            "--out",
            "displays",
        ]
    times = {name: [] for name in commands}
    loads = {name: [] for name in commands}  # other work on the machine
    answers = {}
    for _ in range(repeat):
        for name, command in commands.items():
            with tempfile.TemporaryDirectory() as folder:
                loads[name].append(os.getloadavg()[0])
                start = time.perf_counter()
                subprocess.run(command, cwd=folder, check=True, capture_output=True)
                times[name].append(time.perf_counter() - start)
                results = Path(folder) / "sklr-results" / "results.json"
                if results.exists():
                    r = json.loads(results.read_text())
                    answers[name] = {
                        k: r[k]
                        for k in ("best_learning_rate", "good_range", "best_score")
                    }
    rows = [
        {
            "command": name,
            "min_s": min(t),
            "median_s": statistics.median(t),
            "max_s": max(t),
            "times_s": t,
            "load_average_1min": loads[name],
            **({"answer": answers[name]} if name in answers else {}),
        }
        for name, t in times.items()
    ]
    print("commands", rows)
    return rows


def _machine():
    return {
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "sklr": sklr.__version__,
        "blas": [
            {
                k: i.get(k)
                for k in ("internal_api", "version", "num_threads", "architecture")
            }
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        ],
    }


def _markdown(results):
    lines = [
        f"# Benchmarks ({results['name']})",
        "",
        f"Machine: {results['machine']['platform']}, "
        f"{results['machine']['cpu_count']} cores, BLAS "
        f"{results['machine']['blas']}",
        "",
    ]
    lines += [
        "## Single fit: sklr / scikit-learn (median seconds)",
        "",
        "| problem | dtype | solver | sklr s | sklearn s | ratio | sklr score "
        "| sklearn score |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results["single_fit"]:
        lines.append(
            f"| {r['problem']} | {r['dtype']} | {r['solver']} | "
            f"{r['sklr_s']:.3f} | {r['sklearn_s']:.3f} | {r['ratio']:.2f} | "
            f"{r['sklr_score']:.4f} | {r['sklearn_score']:.4f} |"
        )
    s = results["search"][0]
    lines += [
        "",
        "## Sensitivity analysis",
        "",
        f"{s['n_rates']} rates x {s['n_splits']} folds, {s['epochs']} epochs, "
        f"n_jobs={s['n_jobs']}: LearningRateSearchCV "
        f"{s['LearningRateSearchCV_s']:.2f} s, GridSearchCV(sklr) "
        f"{s['GridSearchCV_sklr_s']:.2f} s (ratio "
        f"{s['ratio_vs_grid_sklr']:.2f}), GridSearchCV(sklearn) "
        f"{s['GridSearchCV_sklearn_s']:.2f} s (ratio "
        f"{s['ratio_vs_grid_sklearn']:.2f}).",
        "",
    ]
    lines += [
        "## Stacking: time per epoch for K stacked rates (digits, (100,))",
        "",
        "The floor is the time of the epoch's matrix products alone, at the same "
        "shapes, relative to a whole K=1 epoch.",
        "",
        "| K | s / epoch | vs K=1 | products s / epoch | floor vs K=1 |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['K']} | {r['seconds_per_epoch']:.4f} | {r['relative_to_K1']:.2f} | "
        f"{r['products_seconds_per_epoch']:.4f} | {r['products_relative_to_K1']:.2f} |"
        for r in results["stacking"]
    ]
    lines += [
        "",
        "## Scaling (float32, 100 features, (100,), one epoch)",
        "",
        "| samples | s / epoch | peak memory / (X + weights) |",
        "|---|---|---|",
    ]
    lines += [
        f"| {r['n_samples']} | {r['seconds_per_epoch']:.3f} | {r['peak_ratio']:.2f} |"
        for r in results["scaling"]
    ]
    e = results["efficiency"][0]
    lines += [
        "",
        "## Efficiency",
        "",
        f"Training epoch: {e['epoch_gflops']:.2f} GFLOP/s; numpy matmul at the "
        f"same shapes: {e['numpy_matmul_gflops']:.2f} GFLOP/s "
        f"(fraction {e['fraction_of_matmul_rate']:.2f}).",
        "",
    ]
    if "commands" in results:
        lines += [
            "## Commands (wall clock, a fresh process each run)",
            "",
            "| command | fastest s | median s | slowest s |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{r['command']}` | {r['min_s']:.1f} | {r['median_s']:.1f} | "
            f"{r['max_s']:.1f} |"
            for r in results["commands"]
        ]
        lines += [""]
    lines += _targets(results)
    return "\n".join(lines)


def _targets(results):
    """The targets of the performance issue, each with its measured value."""
    rows = []

    def add(name, value, target, met):
        rows.append(f"| {name} | {value} | {target} | {'met' if met else 'missed'} |")

    fits = results.get("single_fit", [])
    for dtype, target in (("float64", 0.5), ("float32", 0.35)):
        ratios = [r["ratio"] for r in fits if r["dtype"] == dtype]
        if ratios:
            add(
                f"single fit {dtype}, sklr / sklearn (worst of {len(ratios)})",
                f"{min(ratios):.2f}-{max(ratios):.2f}",
                f"<= {target}",
                max(ratios) <= target,
            )
    for s in results.get("search", []):
        add(
            "search / GridSearchCV(sklr)",
            f"{s['ratio_vs_grid_sklr']:.2f}",
            "<= 0.25",
            s["ratio_vs_grid_sklr"] <= 0.25,
        )
        add(
            "search / GridSearchCV(sklearn)",
            f"{s['ratio_vs_grid_sklearn']:.2f}",
            "<= 0.1",
            s["ratio_vs_grid_sklearn"] <= 0.1,
        )
    k16 = [r for r in results.get("stacking", []) if r["K"] == 16]
    if k16:
        value = k16[0]["relative_to_K1"]
        add("stacking, K=16 / K=1", f"{value:.2f}", "<= 4", value <= 4)
    for e in results.get("efficiency", []):
        value = e["fraction_of_matmul_rate"]
        add(
            "epoch FLOP rate / numpy matmul rate",
            f"{value:.2f}",
            ">= 0.5",
            value >= 0.5,
        )
    big = [r for r in results.get("scaling", []) if r["n_samples"] >= 1_000_000]
    if big:
        value = big[0]["peak_ratio"]
        add(
            "peak memory, 1M float32 / (X + weights)",
            f"{value:.2f}",
            "<= 1.5",
            value <= 1.5,
        )
    if not rows:
        return []
    return [
        "## Targets",
        "",
        "| target | measured | goal | |",
        "|---|---|---|---|",
        *rows,
        "",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description="sklr benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--name", default=None)
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        choices=[
            "single_fit",
            "search",
            "stacking",
            "scaling",
            "efficiency",
            "commands",
        ],
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    name = args.name or (
        "quick" if args.quick else "full" if args.only is None else "partial"
    )
    warnings.simplefilter("ignore")
    out = Path(args.out)
    previous = out / f"{name}.json"
    results = {"name": name, "machine": _machine(), "repeat": repeat}
    if args.only is not None and args.name is not None and previous.exists():
        # --only with --name: update those steps of an existing results file
        # (its machine must be this one: the steps are compared with each other)
        results = json.loads(previous.read_text())
        if results["machine"]["platform"] != _machine()["platform"]:
            raise SystemExit(f"{previous} was measured on another machine")
    steps = {
        "single_fit": lambda: bench_single_fit(args.quick, repeat),
        "search": lambda: bench_search(args.quick, repeat, args.n_jobs),
        "stacking": lambda: bench_stacking(args.quick, repeat),
        "scaling": lambda: bench_scaling(args.quick),
        "efficiency": lambda: bench_efficiency(args.quick, repeat),
        "commands": lambda: bench_commands(
            args.quick, args.repeat or (1 if args.quick else 3)
        ),
    }
    for key, step in steps.items():
        if args.only is None or key in args.only:
            results[key] = step()
    results.setdefault("dates", {}).update(
        {key: time.strftime("%Y-%m-%d") for key in steps if key in results}
        if args.only is None
        else {key: time.strftime("%Y-%m-%d") for key in args.only}
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    if all(key in results for key in steps):
        (out / f"{name}.md").write_text(_markdown(results))
    print(f"wrote {out / (name + '.json')}")
    return results


if __name__ == "__main__":
    main()
