"""The skorch family against GridSearchCV over the same net, and against sklr's
own MLP on the same analysis (issue: PyTorch models through skorch).

    python -m benchmarks.skorch            # 13 rates x 3 folds x 10 epochs, 3 repeats
    python -m benchmarks.skorch --quick    # 4 rates, 2 epochs, 1 repeat (a smoke run)

The setting is the one a new user tried: standardised digits, a (64,) ReLU torch
MLP trained by plain SGD, batch 32, ``train_split=None``; ``n_jobs=2``. Every
repeat runs the three searches in turn (A, B, C, A, B, C, ...), each in the same
process and on the same warmed-up workers (one throw-away search first, so that
torch's lazy imports in the workers are paid by nobody). Medians, the ratios and
the load average go to ``benchmarks/results/skorch.json`` and ``skorch.md``.
"""

import argparse
import json
import os
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.search import DEFAULT_LEARNING_RATES
from sklr.skorch import TorchMLPClassifier

RESULTS = Path(__file__).parent / "results"


def _setting(quick):
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    epochs = 2 if quick else 10
    rates = DEFAULT_LEARNING_RATES[[4, 6, 8, 10]] if quick else DEFAULT_LEARNING_RATES
    net = TorchMLPClassifier(
        lr=0.1,
        optimizer=torch.optim.SGD,
        max_epochs=epochs,
        batch_size=32,
        module__hidden_layer_sizes=(64,),
        random_state=0,
    )
    mlp = MLPClassifier(
        hidden_layer_sizes=(64,),
        solver="sgd",
        momentum=0.0,
        batch_size=32,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
    )
    return X, y, list(map(float, rates)), net, mlp


def _timed(search, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        search.fit(X, y)
    return time.perf_counter() - start, search


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    X, y, rates, net, mlp = _setting(args.quick)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    searches = {
        "sklr_skorch": lambda: LearningRateSearchCV(net, rates, cv=cv, n_jobs=2),
        "gridsearch_skorch": lambda: GridSearchCV(net, {"lr": rates}, cv=cv, n_jobs=2),
        "sklr_mlp": lambda: LearningRateSearchCV(mlp, rates, cv=cv, n_jobs=2),
    }
    _timed(searches["gridsearch_skorch"](), X, y)  # warm the workers up
    times = {name: [] for name in searches}
    loads, fitted = [], {}
    for _ in range(repeat):
        for name, make in searches.items():
            seconds, fitted[name] = _timed(make(), X, y)
            times[name].append(seconds)
        loads.append(os.getloadavg()[0])
    ours, grid = fitted["sklr_skorch"], fitted["gridsearch_skorch"]
    scored = ~ours.diverged_.any(axis=1)
    gap = float(
        np.max(
            np.abs(
                ours.cv_results_["mean_test_score"][scored]
                - grid.cv_results_["mean_test_score"][scored]
            )
        )
    )
    median = {name: statistics.median(t) for name, t in times.items()}
    result = {
        "setting": {
            "data": "digits, standardised",
            "rates": len(rates),
            "folds": 3,
            "epochs": net.max_epochs,
            "hidden": [64],
            "batch_size": 32,
            "n_jobs": 2,
            "repeats": repeat,
            "torch": torch.__version__,
        },
        "seconds": times,
        "median_seconds": median,
        "ratio_to_gridsearch": median["sklr_skorch"] / median["gridsearch_skorch"],
        "ratio_to_sklr_mlp": median["sklr_skorch"] / median["sklr_mlp"],
        "max_score_gap_at_non_diverged_rates": gap,
        "best_learning_rate": {
            "sklr_skorch": ours.best_learning_rate_,
            "gridsearch_skorch": grid.best_params_["lr"],
            "sklr_mlp": fitted["sklr_mlp"].best_learning_rate_,
        },
        "load_average": loads,
    }
    RESULTS.mkdir(exist_ok=True)
    name = "skorch-quick" if args.quick else "skorch"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# skorch: LearningRateSearchCV against GridSearchCV and sklr's MLP",
        "",
        f"{len(rates)} rates x 3 folds x {net.max_epochs} epochs, digits, (64,) "
        f"ReLU, SGD, batch 32, n_jobs=2, {repeat} interleaved repeats (medians); "
        f"load average {', '.join(f'{v:.2f}' for v in loads)}.",
        "",
        "| search | median seconds |",
        "|---|---|",
        *(f"| {k} | {v:.2f} |" for k, v in median.items()),
        "",
        f"LearningRateSearchCV / GridSearchCV over the same net: "
        f"{result['ratio_to_gridsearch']:.2f}; skorch sweep / sklr's MLP sweep: "
        f"{result['ratio_to_sklr_mlp']:.1f}; largest mean_test_score gap at "
        f"non-diverged rates: {gap:.1e}.",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return result


if __name__ == "__main__":
    main()
