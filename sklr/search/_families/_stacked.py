"""sklr's MLPs: every rate of a fold trained at once, as one stack of networks
sharing the initial weights and the mini-batches (``neural_network._stack``)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ...exceptions import DivergenceWarning
from ...neural_network._stack import fit_learning_rates, loss_label, network_at
from ._base import Family, Trained


class StackedMLP(Family):
    """sklr's ``MLPClassifier`` / ``MLPRegressor`` (solvers 'sgd' and 'adam'):
    one task per fold trains all its rates as a stack."""

    name = "sklr MLP"
    stacked = True
    range_test = True

    def step_size(self, step):
        from ...neural_network import MLPClassifier, MLPRegressor

        if not isinstance(step, MLPClassifier | MLPRegressor):
            return None
        if step.solver == "lbfgs":
            raise ValueError(
                "LearningRateSearchCV needs solver='sgd' or 'adam': 'lbfgs' has no "
                "learning rate."
            )
        return "learning_rate"

    def loss_label(self, step):
        return loss_label(step)

    def max_epochs(self, step):
        return step.max_iter

    def batch_size(self, step):
        return step.batch_size

    def train(self, fold, data, rates, context, caller):
        mlp = fold.final
        with context.propagate_callback_context(mlp), warnings.catch_warnings():
            warnings.simplefilter("ignore", DivergenceWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            # said once by the search, not once per fold from the workers
            warnings.filterwarnings("ignore", message="Got `batch_size`")
            stack = fit_learning_rates(
                mlp,
                fold.X_train,
                fold.fit_y,
                rates,
                sample_weight=fold.sample_weight,
                X_held_out=fold.transform_X(data.X_test),
                y_held_out=fold.transform_y(data.y_test),
            )
        diverged = stack.diverged.astype(bool)
        return Trained(
            stack.loss,
            stack.held_out_loss,
            diverged,
            np.where(diverged, stack.stop_epoch, 0),
            lambda k: network_at(mlp, stack, k),
            untrained=mlp,  # kept at its initial weights
        )
