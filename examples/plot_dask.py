"""
A search on a local Dask cluster
================================

The same :class:`~sklr.LearningRateSearchCV` runs on a Dask cluster through joblib's
Dask backend; here a local cluster of two workers on 127.0.0.1 stands in for a real
one (``Client("tcp://scheduler:8786")``). The results are the same bits as with the
local backend.

The code runs under ``if __name__ == "__main__":``. A ``LocalCluster`` starts its
workers as new processes, and each one imports the main module again: without the
guard, every worker would run the script and try to start a cluster of its own, and
``python plot_dask.py`` fails. A ``Client`` connected to an existing scheduler starts
no process, but the guard does no harm there either.
"""

import logging

import joblib
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LearningRateSensitivityDisplay

if __name__ == "__main__":
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(32,), max_iter=15, random_state=0),
    )
    rates = np.logspace(-4, 1, 11)

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster),
    ):
        with joblib.parallel_backend("dask"):
            on_dask = LearningRateSearchCV(pipe, rates, cv=3, refit=False).fit(X, y)
    local = LearningRateSearchCV(pipe, rates, cv=3, n_jobs=2, refit=False).fit(X, y)
    same = np.array_equal(
        on_dask.cv_results_["mean_test_score"],
        local.cv_results_["mean_test_score"],
        equal_nan=True,
    )
    print("same scores on Dask and locally:", same)
    display = LearningRateSensitivityDisplay.from_cv_results(on_dask)
    display.ax_.set_title("Sensitivity computed on a (local) Dask cluster")
    plt.show()
