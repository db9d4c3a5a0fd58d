"""Helpers shared by the tests."""

import contextlib
import subprocess
import sys


def run_sklr(*args, timeout=300):
    """The ``sklr`` command in a subprocess: its completed process."""
    return subprocess.run(
        [sys.executable, "-m", "sklr", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class RecordTasks:
    """An auto-propagated scikit-learn callback recording every task that ends."""

    max_propagation_depth = None

    def __init__(self):
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        self.ended.append((context.estimator_name, context.task_name))


@contextlib.contextmanager
def dask_backend():
    """joblib's Dask backend on a local cluster of two single-threaded worker
    processes (skips the test when the ``dask`` extra is absent)."""
    import joblib
    import pytest

    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            processes=True,
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
    ):
        yield


def answer_summary(rate, score, low, high, **more):
    """The summary ``sklr sweep`` builds its answer lines from, for a
    recommended ``rate`` with a good range ``(low, high)`` (``more`` over it)."""
    import math

    return {
        "answer": "recommended",
        "baseline_score": 0.1,
        "best_params": {"learning_rate": rate},
        "best_learning_rate": rate,
        "best_score": score,
        "good_range": [low, high],
        "order_of_magnitude": f"1e{math.floor(math.log10(rate))}",
        "best_at_edge": False,
        **more,
    }


def interruptible_child():
    """``preexec_fn`` for a command a test will interrupt with SIGINT: the
    child starts with SIGINT at its default and unblocked, whatever the test
    process inherited (a disposition or mask set by a library in the same
    pytest worker would otherwise carry over and make the child ignore it)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
