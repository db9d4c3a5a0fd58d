"""scikit-learn's ``MLPClassifier`` / ``MLPRegressor``: one fit per fold and
rate, its ``loss_curve_`` as the training curve."""

from ._base import IndependentFamily


class SklearnMLP(IndependentFamily):
    """scikit-learn's MLPs (``learning_rate_init``; solvers 'sgd' and 'adam')."""

    name = "scikit-learn MLP"

    def step_size(self, step):
        params = step.get_params(deep=False)
        if "learning_rate_init" not in params:
            return None
        if params.get("solver") == "lbfgs":
            raise ValueError(
                f"{type(step).__name__}(solver='lbfgs') has no learning rate: "
                "learning_rate_init is ignored. Use solver='sgd' or 'adam'."
            )
        return "learning_rate_init"

    def loss_label(self, step):
        from sklearn.base import is_classifier

        if is_classifier(step):
            return "log-loss"
        return "half squared error"

    def max_epochs(self, step):
        return step.max_iter

    def batch_size(self, step):
        return step.batch_size
