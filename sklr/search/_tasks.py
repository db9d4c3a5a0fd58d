"""The tasks of a search and what one task does, in a worker: fit a fold's
preprocessing once, train its rates through the estimator's family, and score
every fitted rate as ``GridSearchCV`` would.

A task returns a ``TaskResult`` (one ``RateRecord`` per rate); ``collect``
(``sklr.search._sweep``) lays the records of every task out.
"""

import dataclasses
import time
from dataclasses import dataclass
from traceback import format_exc

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone

from .._threads import one_blas_thread
from ._fold import FoldFit, fold_data
from ._records import Baseline, RateRecord, TaskResult
from ._scoring import baseline, failed_scores, score


@dataclass(frozen=True)
class Task:
    """One task: a ``param_grid`` point, a fold, and the rates to train on it."""

    point: int
    fold: int
    train: np.ndarray
    test: np.ndarray
    rates_index: np.ndarray  # positions in the search's learning_rates_
    rates: np.ndarray
    params: dict  # the point's parameters

    def restricted(self, keep):
        """The same task with only the rates at positions ``keep``."""
        return dataclasses.replace(
            self, rates_index=self.rates_index[keep], rates=self.rates[keep]
        )


@dataclass(frozen=True)
class Fitting:
    """What the fits of a task are given: the final step's sample weights, and
    (with metadata routing) the parameters routed to a Pipeline's
    preprocessing."""

    sample_weight: np.ndarray | None
    pre_params: dict


@dataclass(frozen=True)
class Job:
    """What every task of a search shares: the estimator (its seed fixed), the
    data, its step size (and so its family), how to score and how to fit."""

    estimator: object
    X: object
    y: object
    step: object  # a StepSize
    scoring: object  # a Scoring
    fitting: Fitting


def plan(points, splits, rates, offset, n_jobs, stacked):
    """One task per (param_grid point, fold), its rates split in chunks: one
    rate a chunk for a family fitted rate by rate, else as few chunks as give
    every worker the same number of tasks.

    Chunks interleave the rates (every n-th rate), so that fast-diverging
    and slow-learning rates are spread evenly; a network's arithmetic does
    not depend on its chunk, so neither do the results.
    """
    n_tasks = len(points) * len(splits)
    workers = effective_n_jobs(n_jobs)
    n_chunks = 1
    if not stacked:
        n_chunks = len(rates)
    elif workers > 1 and n_tasks % workers:
        n_chunks = next(
            (c for c in range(2, len(rates) + 1) if (n_tasks * c) % workers == 0),
            1,
        )
    order = np.arange(len(rates))
    chunks = [order[i::n_chunks] for i in range(n_chunks)]
    return [
        Task(p, f, train, test, chunk + offset, rates[chunk], point)
        for p, point in enumerate(points)
        for f, (train, test) in enumerate(splits)
        for chunk in chunks
    ]


def run_task(task_id, task, job, context, caller):
    """Train the task's rates on its fold and score every fitted rate.

    A fit that raises (of the preprocessing, or of the rates) gives every rate
    of the task ``error_score`` and its traceback, as ``_fit_and_score`` does
    (``error_score="raise"`` re-raises). BLAS runs on one thread.
    """
    family = job.step.family
    with one_blas_thread():
        start = time.perf_counter()
        params = clone(task.params, safe=False)
        if not family.stacked:  # one fit per rate: the task's rate is a parameter
            params[job.step.name] = task.rates[0]
        model = clone(job.estimator).set_params(**params)
        data = fold_data(task, job.X, job.y, job.fitting, job.scoring)
        context.call_on_fit_task_begin(estimator=caller, X=data.X_train, y=data.y_train)
        try:
            fold = FoldFit(model, data)
            trained = family.train(fold, data, task.rates, context, caller)
        except Exception:
            if job.scoring.error_score == "raise":
                raise
            elapsed = time.perf_counter() - start
            return task_id, _failed(task, job.scoring, format_exc(), elapsed)
        fit_time = (time.perf_counter() - start) / len(task.rates)
        records = tuple(
            _record(task, k, trained, fold, data, job.scoring, fit_time)
            for k in range(len(task.rates))
        )
        base, notes = baseline(
            job.estimator, fold, data, job.scoring, trained.untrained
        )
    context.call_on_fit_task_end(estimator=caller, X=data.X_train, y=data.y_train)
    return task_id, TaskResult(
        task.point, task.fold, len(task.test), records, base, notes
    )


def _record(task, k, trained, fold, data, scoring, fit_time):
    """The record of rate k: scored through the whole fitted estimator, unless
    it diverged (not scored)."""
    diverged = bool(trained.diverged[k])
    fitted = None if diverged else fold.assemble(trained.fitted(k))
    scored = score(fitted, data, scoring)
    return RateRecord(
        rate_index=int(task.rates_index[k]),
        test_scores=scored.test_scores,
        train_scores=scored.train_scores,
        unscored=scored.unscored,
        messages=scored.messages,
        loss=np.array(trained.loss[:, k], dtype=float),
        held_out=np.array(trained.held_out[:, k], dtype=float),
        diverged=diverged,
        diverged_epoch=int(trained.diverged_epoch[k]),
        fit_time=fit_time,
        score_time=scored.score_time,
    )


def _failed(task, scoring, error, elapsed):
    """The result of a task whose fit raised, as ``_fit_and_score``'s."""
    scores = failed_scores(scoring)
    train = scores if scoring.return_train_score else None
    records = tuple(
        RateRecord(
            rate_index=int(index),
            test_scores=scores,
            train_scores=train,
            unscored=("*",),
            fit_error=error,
            fit_time=elapsed / len(task.rates),
        )
        for index in task.rates_index
    )
    return TaskResult(task.point, task.fold, len(task.test), records, Baseline())
