"""Helpers shared by the tests."""

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
