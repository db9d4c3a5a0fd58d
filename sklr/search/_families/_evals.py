"""XGBoost and LightGBM: boosting fitted with the training and the test fold as
an ``eval_set``, whose per-round losses are the curves (``evals_result``).

The families are known by the module of the estimator's class, never by
importing the libraries."""

import numpy as np

from ._boosting import Boosting


class _EvalSetBoosting(Boosting):
    """Boosting whose fit records the losses of an ``eval_set`` per round (which
    changes nothing of the model without early stopping)."""

    module = ""

    def step_size(self, step):
        if type(step).__module__.split(".")[0] != self.module:
            return None
        return super().step_size(step)

    def fit_params(self, fold, X_seen, y_seen):
        return {"eval_set": [(fold.X_train, fold.fit_y), (X_seen, y_seen)]}

    def curves(self, fitted):
        """The first metric of the first and the last ``eval_set``."""
        try:
            results = getattr(fitted, "evals_result_", None)
            if results is None and callable(getattr(fitted, "evals_result", None)):
                results = fitted.evals_result()
        except Exception:  # not fitted with an eval_set
            return None, None
        if not isinstance(results, dict) or not results:
            return None, None
        first = [
            np.asarray(next(iter(s.values())), float) for s in results.values() if s
        ]
        if not first:
            return None, None
        return first[0], (first[-1] if len(first) > 1 else None)


class XGBoost(_EvalSetBoosting):
    """XGBoost's scikit-learn estimators."""

    name = "XGBoost"
    module = "xgboost"

    def fit_params(self, fold, X_seen, y_seen):
        return {**super().fit_params(fold, X_seen, y_seen), "verbose": False}


class LightGBM(_EvalSetBoosting):
    """LightGBM's scikit-learn estimators."""

    name = "LightGBM"
    module = "lightgbm"
