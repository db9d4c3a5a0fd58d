"""skorch's PyTorch nets (``NeuralNet`` and its subclasses, step size ``lr``):
one fit per fold and rate, as ``GridSearchCV`` fits them, with the test fold's
loss recorded after every epoch and the fit stopped where it diverges.

The family is known by the classes of the estimator, never by importing torch
or skorch; they are imported when a skorch net is trained.
"""

import warnings

import numpy as np

from ..._torch import (
    is_skorch_net,
    seeded_torch,
    torch_threads,
    train_split_message,
    with_callback,
)
from ...exceptions import TrainSplitWarning
from ._base import IndependentFamily

_LOSS_LABELS = {
    "CrossEntropyLoss": "log-loss",
    "NLLLoss": "log-loss",
    "BCEWithLogitsLoss": "log-loss",
    "BCELoss": "log-loss",
    "MSELoss": "squared error",
    "L1Loss": "absolute error",
    "HuberLoss": "Huber loss",
    "SmoothL1Loss": "smooth L1 loss",
}


class Skorch(IndependentFamily):
    """skorch nets: ``lr``, per-epoch training loss from ``history`` and the
    test fold's loss from a callback the search adds (evaluation only: the
    training, its random numbers and its result are those of the net alone)."""

    name = "skorch"
    range_test = True

    def step_size(self, step):
        if not is_skorch_net(step):
            return None
        return "lr" if "lr" in step.get_params(deep=False) else None

    def check(self, step):
        message = train_split_message(step, "each fit of the search")
        if message:
            warnings.warn(message, TrainSplitWarning, stacklevel=5)

    def divergence_hint(self, step):
        criterion = step.get_params(deep=False).get("criterion")
        if getattr(criterion, "__name__", "") != "NLLLoss":
            return ""
        return (
            ", and check the criterion: with NLLLoss (NeuralNetClassifier's "
            "default) skorch takes the module's output as probabilities (a "
            "softmax); a module that outputs logits needs "
            "criterion=torch.nn.CrossEntropyLoss"
        )

    def loss_label(self, step):
        criterion = step.get_params(deep=False).get("criterion")
        name = getattr(criterion, "__name__", type(criterion).__name__)
        return _LOSS_LABELS.get(name, name)

    def max_epochs(self, step):
        return int(step.max_epochs)

    def batch_size(self, step):
        return step.batch_size

    def curves(self, fitted):
        history = getattr(fitted, "history_", None) or getattr(fitted, "history", None)
        if not history:
            return None, None
        training = np.array([row.get("train_loss", np.nan) for row in history], float)
        held = np.array([row.get("held_out_loss", np.nan) for row in history], float)
        return training, (held if np.isfinite(held).any() else None)

    def train(self, fold, data, rates, context, caller):
        final = fold.final
        X_seen = fold.transform_X(data.X_test)
        y_seen = fold.transform_y(data.y_test)
        callbacks = with_callback(final, "sklr_held_out", _watch(X_seen, y_seen))
        final.set_params(callbacks=callbacks)
        # non-finite weights show in the outputs, which the independent fit checks
        with torch_threads(1), seeded_torch(final):
            try:
                return super().train(fold, data, rates, context, caller)
            except RuntimeError as exc:
                if "dtype" not in str(exc):
                    raise
                raise TypeError(
                    "The net's torch module and its input have different dtypes "
                    f"(torch: {exc}). skorch passes X to torch as it is: cast it to "
                    "the module's dtype, e.g. X.astype(np.float32) (in a Pipeline, "
                    "FunctionTransformer(np.float32) after the scaler), or give the "
                    "module float64 weights (module.double())."
                ) from exc


def _watch(X, y):
    """The callback that records the test fold's loss after every epoch and
    stops a fit whose loss is not finite or has exploded."""
    from ._skorch_callback import HeldOutLoss

    return HeldOutLoss(X, y)
