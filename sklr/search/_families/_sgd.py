"""Linear models trained by SGD (``SGDClassifier``, ``SGDRegressor``,
``Perceptron``): one fit per fold and rate, no curves."""

from ._base import IndependentFamily


class SGD(IndependentFamily):
    """``eta0`` of scikit-learn's SGD estimators (not with
    ``learning_rate='optimal'``, which ignores it)."""

    name = "SGD linear model"

    def step_size(self, step):
        params = step.get_params(deep=False)
        if "eta0" not in params:
            return None
        if params.get("learning_rate") == "optimal":
            raise ValueError(
                f"{type(step).__name__}(learning_rate='optimal') ignores eta0: its "
                "step size is computed from alpha. Use learning_rate='constant', "
                "'invscaling' or 'adaptive' to search eta0."
            )
        return "eta0"

    def curves(self, fitted):
        return None, None
