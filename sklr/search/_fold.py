"""One fold of a search: its data, and its clone of the estimator fitted up to
the step whose step size is searched, as ``fit`` would fit it."""

import copy
from dataclasses import dataclass

from sklearn.base import clone
from sklearn.utils.metadata_routing import process_routing

from .._sklearn import _check_method_params, _safe_indexing
from ..neural_network._stack import TargetTransform, Unwrapped, unwrap


@dataclass(frozen=True)
class FoldData:
    """A task's training and test data, the final step's sample weights, the
    parameters routed to a Pipeline's preprocessing and what the scorer is given
    on each side."""

    X_train: object
    y_train: object
    X_test: object
    y_test: object
    sample_weight: object
    pre_params: dict
    score_train: dict
    score_test: dict


def fold_data(task, X, y, fitting, scoring):
    """The :class:`FoldData` of ``task``."""
    train, test = task.train, task.test
    sw = fitting.sample_weight
    return FoldData(
        _safe_indexing(X, train),
        _safe_indexing(y, train),
        _safe_indexing(X, test),
        _safe_indexing(y, test),
        None if sw is None else _safe_indexing(sw, train),
        _check_method_params(X, fitting.pre_params, indices=train),
        _check_method_params(X, scoring.score_params, indices=train),
        _check_method_params(X, scoring.score_params, indices=test),
    )


def _is_step(step):
    return step is not None and step != "passthrough"


class FoldFit:
    """A fold's clone of the estimator, fitted up to its final step (``final``:
    the step whose step size is searched), as ``fit`` does.

    The target transformation of a ``TransformedTargetRegressor`` and the
    preprocessing steps of its Pipelines are fitted once, with scikit-learn's own
    code, and shared by every rate of the task; :meth:`assemble` puts a trained
    final step back where it was, giving the fitted estimator ``GridSearchCV``
    would score.
    """

    def __init__(self, model, data):
        parts = unwrap(model)
        self.target = None if parts.target is None else TargetTransform(parts.target)
        y = data.y_train
        self.fit_y = y if self.target is None else self.target.fit_transform(y)
        if self.target is not None:  # the regressor is fitted as a clone, as ttr.fit
            inner = unwrap(clone(parts.model))
            parts = Unwrapped(parts.target, inner.pipelines, inner.final, parts.prefix)
        self.parts = parts
        self.X_train = self._fit_pre(data.X_train, data.pre_params)
        self.final = self.parts.final
        self.sample_weight = data.sample_weight

    def _fit_pre(self, X, pre_params):
        """Fit the preprocessing steps (each Pipeline's, outermost first) and
        return ``X`` as the final step sees it."""
        for pipe in self.parts.pipelines:
            params = {}
            if pre_params:  # metadata routing: what the steps before it request
                process_routing(pipe, "fit", **pre_params)  # Pipeline.fit's checks
                pre = pipe[:-1]
                wanted = pre.get_metadata_routing().consumes(
                    method="fit_transform", params=set(pre_params)
                )
                params = {k: v for k, v in pre_params.items() if k in wanted}
            if len(pipe.steps) > 1:
                X = pipe[:-1].fit_transform(X, self.fit_y, **params)
        return X

    def transform_y(self, y):
        """A target as the final step sees it (transformed as ``ttr.fit`` does)."""
        return y if self.target is None else self.target.transform(y)

    def transform_X(self, X):
        """``X`` through the fitted preprocessing steps (called step by step:
        ``Pipeline.transform`` would refuse a step with no fitted attribute)."""
        for _, step in self.parts.pre_steps:
            if _is_step(step):
                X = step.transform(X)
        return X

    def assemble(self, final):
        """The fitted estimator whose final step is ``final``."""
        est = final
        for pipe in reversed(self.parts.pipelines):
            outer = copy.copy(pipe)
            outer.steps = [*pipe.steps[:-1], (pipe.steps[-1][0], est)]
            est = outer
        if self.target is not None:
            ttr = copy.copy(self.target.ttr)
            ttr.regressor_ = est
            if hasattr(est, "feature_names_in_"):
                ttr.feature_names_in_ = est.feature_names_in_
            est = ttr
        return est
