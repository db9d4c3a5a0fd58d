"""scikit-learn's ``MLPClassifier`` / ``MLPRegressor``: one fit per fold and
rate, its ``loss_curve_`` as the training curve."""

from ._base import IndependentFamily, own_parameter


class SklearnMLP(IndependentFamily):
    """scikit-learn's MLPs (``learning_rate_init``; solvers 'sgd' and 'adam')."""

    name = "scikit-learn MLP"

    def step_size(self, step):
        message = (
            f"{type(step).__name__}(solver='lbfgs') has no learning rate: "
            "learning_rate_init is ignored. Use solver='sgd' or 'adam'."
        )
        return own_parameter(step, "learning_rate_init", ("solver", "lbfgs", message))

    def loss_label(self, step):
        from sklearn.base import is_classifier

        if is_classifier(step):
            return "log-loss"
        return "half squared error"

    def max_epochs(self, step):
        return step.max_iter

    def batch_size(self, step):
        return step.batch_size
