"""The one internal API between the estimators and the analyses.

The search and the range test train and read stacks of networks only through
these names; nothing else of ``sklr.neural_network`` (and nothing of the training
engine) is theirs to use, and a test checks it. A change to the engine's result
then touches this module, not the analyses.

- ``unwrap`` (an ``Unwrapped``), ``final_mlp``, ``loss_label``, ``TargetTransform``,
  ``target_scale_note``: what an analysis is given (an estimator, Pipelines
  ending in one, either inside a ``TransformedTargetRegressor``), the one place
  where an estimator is taken apart, and how its target is handled;
- ``fit_learning_rates`` trains one network per rate as a stack (a paired design)
  and returns a ``StackFit``; ``on_batch`` watches every mini-batch and may stop;
- ``network_at`` gives network k of a ``StackFit`` as a fitted estimator, with
  every fitted attribute a separate fit at that rate would have;
- ``n_batches`` is the number of mini-batches of an epoch;
- ``interrupts_propagate`` makes a Ctrl-C during a plain ``fit`` raise (a
  search's refit) instead of ending that fit cleanly.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array

from .._core.losses import get_loss
from .._engine import STOPPED, HeldOutLoss, Hook, TrainResult
from ._multilayer_perceptron import CATCH_INTERRUPT, BaseMLP

#: A regression target whose mean or standard deviation exceeds this in absolute
#: value is "far from unit scale" (see ``TargetScaleWarning``).
TARGET_SCALE_LIMIT = 10.0


@dataclass(frozen=True)
class Unwrapped:
    """An estimator taken apart as a search or the range test fits it.

    ``estimator`` is ``target`` (a ``TransformedTargetRegressor``, or None)
    around ``pipelines`` (the Pipelines from the outermost to the one whose last
    step is ``final``; empty when there is none) around ``final``, the step
    whose step size is analysed; ``prefix`` is the prefix of ``final``'s
    parameter names in ``estimator`` (``"regressor__mlp__"``).

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklr import MLPClassifier
    >>> from sklr.neural_network._stack import unwrap
    >>> parts = unwrap(make_pipeline(StandardScaler(), MLPClassifier()))
    >>> parts.prefix, type(parts.final).__name__, len(parts.pre_steps)
    ('mlpclassifier__', 'MLPClassifier', 1)
    """

    target: TransformedTargetRegressor | None
    pipelines: tuple
    final: object
    prefix: str

    @property
    def model(self):
        """What the target transformation wraps: the outer Pipeline, or
        ``final``."""
        return self.pipelines[0] if self.pipelines else self.final

    @property
    def pre_steps(self):
        """``(name, step)`` of every step before ``final``, outermost first."""
        return [s for pipe in self.pipelines for s in pipe.steps[:-1]]

    @property
    def is_mlp(self):
        """Whether ``final`` is an sklr MLP (trained as a stack)."""
        return isinstance(self.final, BaseMLP)


def unwrap(estimator):
    """Take ``estimator`` apart into an :class:`Unwrapped`.

    A ``TransformedTargetRegressor`` (with a regressor), then Pipelines nested in
    their last step, then the final step: the one place where sklr looks inside
    an estimator.
    """
    target, prefix = None, ""
    if isinstance(estimator, TransformedTargetRegressor) and (
        estimator.regressor is not None
    ):
        target, estimator, prefix = estimator, estimator.regressor, "regressor__"
    pipelines = []
    while isinstance(estimator, Pipeline) and estimator.steps:
        pipelines.append(estimator)
        name, estimator = estimator.steps[-1]
        prefix += f"{name}__"
    return Unwrapped(target, tuple(pipelines), estimator, prefix)


def loss_label(mlp):
    """How plots and reports name the loss an sklr MLP optimises (its
    registered ``Loss``'s label: ``"log-loss"``, ``"half squared error"``...)."""
    return get_loss(mlp._loss_name()).label


def final_mlp(estimator):
    """The sklr MLP of ``estimator`` and the prefix of its parameter names.

    ``estimator`` is the MLP itself, a Pipeline whose last step is one, or either
    inside a ``TransformedTargetRegressor``; anything else is a clear error.
    """
    parts = unwrap(estimator)
    if parts.is_mlp:
        return parts.final, parts.prefix
    raise TypeError(
        "The 'estimator' parameter must be an sklr MLPClassifier / MLPRegressor, a "
        "Pipeline whose last step is one, or a TransformedTargetRegressor around "
        f"either; got {type(estimator).__name__}."
    )


class TargetTransform:
    """The target transformation of a ``TransformedTargetRegressor``, fitted
    with scikit-learn's own code (``TransformedTargetRegressor.fit``'s steps).

    The analyses train the stacked networks on the transformed target; ``ttr``
    is then the fitted ``TransformedTargetRegressor`` (a clone of the one given)
    into which a trained network is put as ``regressor_`` to predict, and be
    scored, in the user's units. ``fit_transform`` and ``transform`` accept a
    1-D or 2-D ``y`` and give the same shape back.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.compose import TransformedTargetRegressor
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklr import MLPRegressor
    >>> from sklr.neural_network._stack import TargetTransform
    >>> ttr = TransformedTargetRegressor(MLPRegressor(), transformer=StandardScaler())
    >>> TargetTransform(ttr).fit_transform(np.array([1.0, 3.0])).tolist()
    [-1.0, 1.0]
    """

    def __init__(self, ttr):
        self.ttr = clone(ttr)

    def fit_transform(self, y):
        y = check_array(
            y,
            input_name="y",
            ensure_all_finite=True,
            ensure_2d=False,
            dtype="numeric",
            allow_nd=True,
        )
        self.ttr._training_dim = y.ndim
        self.ttr._fit_transformer(y.reshape(-1, 1) if y.ndim == 1 else y)
        return self.transform(y)

    def transform(self, y):
        y = np.asarray(y)
        y_trans = self.ttr.transformer_.transform(
            y.reshape(-1, 1) if y.ndim == 1 else y
        )
        if y_trans.ndim == 2 and y_trans.shape[1] == 1 and y.ndim == 1:
            y_trans = y_trans.squeeze(axis=1)
        return y_trans


def target_scale_note(estimator, y):
    """A description of a regression target far from unit scale, else None."""
    if is_classifier(estimator) or isinstance(estimator, TransformedTargetRegressor):
        return None
    try:
        values = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        return None
    mean, std = np.abs(values.mean(axis=0)).max(), values.std(axis=0).max()
    if max(mean, std) <= TARGET_SCALE_LIMIT:
        return None
    return f"the target has mean {mean:.3g} and standard deviation {std:.3g}"


@dataclass(frozen=True)
class StackFit:
    """A trained stack of networks, one per learning rate.

    Attributes
    ----------
    learning_rates : ndarray of shape (K,)
    loss : ndarray of shape (n_epochs, K)
        Training loss per epoch; NaN after a network stopped.
    held_out_loss : ndarray of shape (n_epochs, K) or None
        Loss on the held-out data after each epoch, when it was given.
    diverged : ndarray of bool, shape (K,)
    stop_epoch : ndarray of int, shape (K,)
        The epoch in which each network stopped (1-based for a divergence).
    """

    learning_rates: np.ndarray
    loss: np.ndarray
    held_out_loss: np.ndarray | None
    diverged: np.ndarray
    stop_epoch: np.ndarray
    _result: TrainResult = field(repr=False)


class _OnBatch(Hook):
    """Call ``callback(step, batch_losses, active)`` after every mini-batch; a
    true answer stops the whole stack."""

    def __init__(self, callback):
        self.callback = callback

    def on_batch_end(self, run, batch_loss):
        if self.callback(run.step, batch_loss, run.active.copy()):
            run.freeze(np.ones(len(run.active), dtype=bool), STOPPED)


def fit_learning_rates(
    mlp,
    X,
    y,
    learning_rates,
    *,
    sample_weight=None,
    X_held_out=None,
    y_held_out=None,
    on_batch=None,
):
    """Train one network per rate, stacked, from ``mlp``'s initial weights.

    Every network starts from the weights a ``fit`` with ``mlp``'s
    ``random_state`` would start from and sees the same mini-batches in the same
    order; network k computes the same bits as ``clone(mlp).set_params(
    learning_rate=learning_rates[k]).fit(X, y)``. ``mlp`` keeps its initial
    weights (the network that learnt nothing). sgd and adam only.

    Parameters
    ----------
    mlp : MLPClassifier or MLPRegressor
    X, y : the training data, as the MLP sees it
    learning_rates : sequence of float
    sample_weight : ndarray, optional
    X_held_out, y_held_out : optional
        Data to compute the loss on after every epoch (``held_out_loss``).
    on_batch : callable, optional
        ``on_batch(step, batch_losses, active) -> bool`` after every mini-batch
        (``step`` counts the optimiser updates so far); True stops training.

    Returns
    -------
    StackFit
    """
    hooks = [] if on_batch is None else [_OnBatch(on_batch)]
    result = mlp._fit_learning_rates(
        X,
        y,
        learning_rates,
        sample_weight=sample_weight,
        X_held_out=X_held_out,
        y_held_out=y_held_out,
        extra_hooks=hooks,
    )
    records = result.history.as_arrays()
    loss = records["loss"]
    K = len(result.learning_rates)
    return StackFit(
        np.asarray(result.learning_rates, dtype=float),
        np.empty((0, K)) if loss is None else loss,
        records.get(HeldOutLoss.NAME),
        np.asarray(result.diverged),
        np.asarray(result.stop_epoch),
        result,
    )


def network_at(mlp, stack, k):
    """Network ``k`` of ``stack`` as a fitted estimator (a copy of ``mlp``)."""
    return mlp._network(stack._result, k)


def n_batches(mlp, n_samples):
    """The number of mini-batches of an epoch of ``n_samples`` rows."""
    return -(-n_samples // mlp._batch_size(n_samples))


@contextmanager
def interrupts_propagate():
    """Inside, a Ctrl-C during an sklr MLP's ``fit`` raises ``KeyboardInterrupt``
    instead of ending that fit cleanly (a search's refit: the search stops)."""
    token = CATCH_INTERRUPT.set(False)
    try:
        yield
    finally:
        CATCH_INTERRUPT.reset(token)
