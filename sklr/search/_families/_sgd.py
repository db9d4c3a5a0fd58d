"""Linear models trained by SGD (``SGDClassifier``, ``SGDRegressor``,
``Perceptron``): one fit per fold and rate, no curves."""

from ._base import IndependentFamily, own_parameter


class SGD(IndependentFamily):
    """``eta0`` of scikit-learn's SGD estimators (not with
    ``learning_rate='optimal'``, which ignores it)."""

    name = "SGD linear model"

    def step_size(self, step):
        message = (
            f"{type(step).__name__}(learning_rate='optimal') ignores eta0: its "
            "step size is computed from alpha. Use learning_rate='constant', "
            "'invscaling' or 'adaptive' to search eta0."
        )
        return own_parameter(step, "eta0", ("learning_rate", "optimal", message))

    def curves(self, fitted):
        return None, None
