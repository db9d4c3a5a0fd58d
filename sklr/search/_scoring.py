"""How a task scores: scikit-learn's ``_score`` on every fitted rate, the
warnings it gives (sent to the parent), and the baseline of the fold."""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier
from sklearn.dummy import DummyClassifier, DummyRegressor

from .._sklearn import _MultimetricScorer, _score
from ._records import Baseline


@dataclass(frozen=True)
class Scoring:
    """How a task scores: the scorer and what ``GridSearchCV`` passes it."""

    scorer: object
    score_params: dict
    return_train_score: bool
    error_score: object


@dataclass(frozen=True)
class Scored:
    """One fitted rate's scores, as scikit-learn's ``_score`` gave them."""

    test_scores: float | dict
    train_scores: float | dict | None
    unscored: tuple
    messages: tuple
    score_time: float


class _WatchedScorer(_MultimetricScorer):
    """A multi-metric scorer that remembers which metrics failed in its last call
    (scikit-learn's ``_score`` then gives them ``error_score``)."""

    def __call__(self, estimator, *args, **kwargs):
        scores = super().__call__(estimator, *args, **kwargs)
        self.failed = [name for name, v in scores.items() if isinstance(v, str)]
        return scores


def _score_logged(estimator, X, y, scorer, score_params, error_score):
    """scikit-learn's ``_score``; the messages of the warnings it gave (a scoring
    that failed); and the metrics that failed (``"*"``: the whole scorer)."""
    watched = scorer
    if isinstance(scorer, _MultimetricScorer):
        watched = _WatchedScorer(scorers=scorer._scorers, raise_exc=scorer._raise_exc)
        watched.failed = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = _score(estimator, X, y, watched, score_params, error_score)
    messages = []
    for w in caught:
        if str(w.message).startswith("Scoring failed"):
            messages.append(str(w.message))
        else:  # not ours to swallow
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if watched is not scorer:
        return value, messages, watched.failed
    return value, messages, ["*"] if messages else []


def score(estimator, data, scoring):
    """The :class:`Scored` of a fitted estimator on a fold (None: a diverged
    fit, not scored; the search gives it ``error_score``)."""
    start = time.perf_counter()
    if estimator is None:
        train = np.nan if scoring.return_train_score else None
        return Scored(np.nan, train, (), (), time.perf_counter() - start)
    test, messages, failed = _score_logged(
        estimator,
        data.X_test,
        data.y_test,
        scoring.scorer,
        data.score_test,
        scoring.error_score,
    )
    train = None
    if scoring.return_train_score:
        train, more, _ = _score_logged(
            estimator,
            data.X_train,
            data.y_train,
            scoring.scorer,
            data.score_train,
            scoring.error_score,
        )
        messages += more
    return Scored(
        test, train, tuple(failed), tuple(messages), time.perf_counter() - start
    )


def failed_scores(scoring):
    """The scores of a fit that raised: ``error_score`` in the scorer's form."""
    if isinstance(scoring.scorer, _MultimetricScorer):
        return {name: scoring.error_score for name in scoring.scorer._scorers}
    return scoring.error_score


def baseline(estimator, fold, data, scoring, untrained=None):
    """The fold's :class:`Baseline` and a note when it could not be had.

    ``untrained`` is the final step at its initial weights (None: an estimator
    that is not a stack of networks). The dummy model is fitted and scored, and
    the network scored, with warnings silenced; a baseline that cannot be fitted
    or scored is NaN (the good range is then judged without it), never an error
    of the search, even with ``error_score="raise"``.
    """
    dummy = DummyClassifier() if is_classifier(estimator) else DummyRegressor()
    scores, notes = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dummy.fit(data.X_train, data.y_train, sample_weight=fold.sample_weight)
        except Exception as exc:
            notes.append(
                f"The baseline {type(dummy).__name__}() (a model that ignores the "
                f"features) could not be fitted ({type(exc).__name__}: {exc}); "
                "the good range is judged without it."
            )
            dummy = None
        models = (None if untrained is None else fold.assemble(untrained), dummy)
        for est in models:
            scores.append(_safe_score(est, data, scoring))
    return Baseline(*scores), tuple(notes)


def _safe_score(est, data, scoring):
    if est is None:
        return np.nan
    try:
        return _score(
            est, data.X_test, data.y_test, scoring.scorer, data.score_test, np.nan
        )
    except Exception:
        return np.nan
