"""Profile the training engine on the benchmark problems.

    python -m benchmarks.profile digits           # a single fit, K = 1
    python -m benchmarks.profile fold             # a search fold: 13 rates stacked
    python -m benchmarks.profile large --epochs 1 # the (256, 256) network

Uses pyinstrument when it is installed (``pip install pyinstrument``; a call tree
with the time of each line's callees), else the standard library's cProfile
(the functions that take most time). This is how the optimisations of the engine
were chosen: profile first, then remove what the profile shows.
"""

import argparse
import cProfile
import io
import pstats
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import sklr


def _job(name, epochs):
    if name == "large":
        X, y = make_classification(
            50_000, 100, n_informative=50, n_classes=5, random_state=0
        )
        X = StandardScaler().fit_transform(X)
        est = sklr.MLPClassifier(
            (256, 256),
            batch_size=128,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            random_state=0,
        )
        return lambda: est.fit(X, y)
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = sklr.MLPClassifier(
        (100,),
        batch_size=32,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=0,
    )
    if name == "digits":
        return lambda: est.fit(X, y)
    rates = np.logspace(-5, 1, 13)  # a fold of the search, on one BLAS thread

    def fold():
        with threadpool_limits(limits=1, user_api="blas"):
            est._fit_learning_rates(X, y, rates)

    return fold


def profile(name, epochs, use_pyinstrument=True):
    """Run the job ``name`` under a profiler and return the report as text."""
    job = _job(name, epochs)
    warnings.simplefilter("ignore")
    try:
        if not use_pyinstrument:
            raise ImportError
        from pyinstrument import Profiler
    except ImportError:
        profiler = cProfile.Profile()
        profiler.runcall(job)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(40)
        return out.getvalue()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    job()
    profiler.stop()
    return profiler.output_text(unicode=False, color=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description="profile the sklr training engine")
    parser.add_argument("job", choices=["digits", "fold", "large"])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--cprofile", action="store_true", help="use cProfile even with pyinstrument"
    )
    args = parser.parse_args(argv)
    print(profile(args.job, args.epochs, use_pyinstrument=not args.cprofile))


if __name__ == "__main__":
    main()
