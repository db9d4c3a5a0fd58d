"""The learning-rate range test (Smith 2015; fastai's and Lightning's ``lr_find``).

One training run raises the learning rate at every mini-batch, from ``start_lr``
to ``end_lr``, while recording the loss. The loss first stalls (rate too
small), then falls, then explodes: a good rate lies on the falling part (rule
"fall", the default: where three quarters of the fall are made; how close that
lands to the cross-validated sweep's best is measured by
``python -m benchmarks.validity``). The run goes through
sklr's training engine (a stack of one network whose schedule is the ramp), so
there is no second training loop.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array

from .._torch import is_skorch_net
from ..exceptions import DivergenceWarning, RangeTestWarning, TargetScaleWarning
from ..neural_network._stack import (
    TargetTransform,
    fit_learning_rates,
    n_batches,
    target_scale_note,
    unwrap,
)
from ..optim.schedules import RangeRamp
from ._rules import (
    FALL_WINDOW,
    SUGGESTION_RULES,
    _centered_mean,
    _lowest,
    _skip,
    suggest,
)
from ._skorch import ramp_skorch

#: Fewer recorded steps than this give a warning: too few for any rule.
MIN_STEPS = 20


@dataclass(frozen=True)
class LRFinderSuggestions:
    """The rate suggested by every rule (NaN where the curve has no answer).

    ``fall`` (sklr's own, the default, chosen on the validity benchmark): the
    raw losses are smoothed by a centred mean over 11 steps (no lag), and the
    suggestion is the first rate at which that curve has made three quarters of
    its fall from its start (median of the first 5% of the ramp) to its lowest
    point. ``valley``: fastai's rule — the middle of the span of steps covered by
    the longest decreasing subsequence of the smoothed loss (not necessarily
    consecutive points); ``steepest``: where the
    smoothed loss falls fastest against log10(rate), before its lowest point;
    ``minimum``: the rate of the lowest smoothed loss divided by 10. No rule
    answers outside the ramp or in its first 5%.

    Parameters
    ----------
    fall, valley, steepest, minimum : float
        The rate each rule suggests.

    Examples
    --------
    >>> from sklr.lr_finder import LRFinderSuggestions
    >>> s = LRFinderSuggestions(fall=0.3, valley=0.1, steepest=0.05, minimum=0.2)
    >>> s.fall
    0.3
    """

    fall: float
    valley: float
    steepest: float
    minimum: float


@dataclass(frozen=True)
class LRFinderResult:
    """Outcome of :func:`lr_find`.

    Parameters
    ----------
    learning_rates : ndarray
        Rate of each recorded step.
    losses : ndarray
        Mini-batch loss of each step (before that step's update).
    smoothed_losses : ndarray
        Bias-corrected exponential moving average of ``losses``.
    suggestion : float
        The rate suggested by the rule asked for.
    suggestions : LRFinderSuggestions
        The rate suggested by every rule.
    rule : str
        The rule behind ``suggestion``.
    stopped_early : bool
        Whether the run stopped because the smoothed loss exceeded
        ``diverge_threshold`` times its best (or became non-finite) before
        ``num_steps`` steps.
    n_epochs : float
        How many passes over the data the test made (steps / mini-batches per
        epoch): the cost of the test in epochs.
    diverge_threshold : float

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklr import MLPClassifier, lr_find
    >>> X, y = load_iris(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    >>> result = lr_find(pipe, X, y, num_steps=40)
    >>> result.rule, len(result.losses) == len(result.learning_rates)
    ('fall', True)
    """

    # the curves are left out of the repr: it shows the answer, not 100 numbers
    learning_rates: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)
    smoothed_losses: np.ndarray = field(repr=False)
    suggestion: float
    suggestions: LRFinderSuggestions
    rule: str
    stopped_early: bool
    n_epochs: float = field(default=np.nan)
    diverge_threshold: float = field(default=4.0)

    def plot(self, ax=None, **kwargs):
        """Plot the range test (see ``sklr.plotting.LRFinderDisplay``).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to ``LRFinderDisplay.plot``.

        Returns
        -------
        display : LRFinderDisplay
        """
        from ._plot import LRFinderDisplay

        display = LRFinderDisplay(
            learning_rates=self.learning_rates,
            losses=self.losses,
            smoothed_losses=self.smoothed_losses,
            suggestion=self.suggestion,
            rule=self.rule,
        )
        return display.plot(ax=ax, **kwargs)


class _RangeRecorder:
    """Record (rate, loss) per step; stop at ``n_steps`` or when the loss explodes
    (called after every mini-batch, see ``fit_learning_rates``'s ``on_batch``)."""

    def __init__(self, start_lr, ramp, n_steps, smoothing, diverge_threshold):
        self.start_lr, self.ramp = start_lr, ramp
        self.n_steps = n_steps
        self.smoothing = smoothing
        self.threshold = diverge_threshold
        self.rates, self.losses, self.smoothed = [], [], []
        self.average = 0.0
        self.best = np.inf
        self.stopped_early = False

    def __call__(self, step_count, batch_loss, active):
        if not active[0]:  # the divergence guard froze it (non-finite loss)
            self.stopped_early = True
            return False
        loss = float(batch_loss[0])
        step = len(self.losses)
        self.average = self.smoothing * self.average + (1 - self.smoothing) * loss
        smoothed = self.average / (1 - self.smoothing ** (step + 1))
        self.rates.append(float(self.start_lr * self.ramp(step_count)))
        self.losses.append(loss)
        self.smoothed.append(smoothed)
        self.best = min(self.best, smoothed)
        # past the first 5% only: a lucky first mini-batch is no "best" to beat
        exploded = step >= _skip(self.n_steps) and not (
            smoothed <= self.threshold * self.best
        )
        exploded |= not math.isfinite(smoothed)
        if exploded or step + 1 >= self.n_steps:
            self.stopped_early = exploded and step + 1 < self.n_steps
            return True
        return False


def _check(start_lr, end_lr, num_steps, mode, smoothing, diverge_threshold, rule):
    if not (math.isfinite(start_lr) and start_lr > 0):
        raise ValueError(f"The 'start_lr' parameter must be > 0, got {start_lr!r}.")
    if not (math.isfinite(end_lr) and end_lr > start_lr):
        raise ValueError(
            f"The 'end_lr' parameter must be finite and > start_lr={start_lr}, "
            f"got {end_lr!r}."
        )
    if not math.isfinite(end_lr / start_lr):
        raise ValueError(
            f"The 'start_lr' parameter is too small for end_lr={end_lr}: the ratio "
            f"end_lr / start_lr must be finite, got start_lr={start_lr!r}."
        )
    if int(num_steps) != num_steps or num_steps < 2:
        raise ValueError(
            f"The 'num_steps' parameter must be an integer >= 2, got {num_steps!r}."
        )
    if mode not in ("exponential", "linear"):
        raise ValueError(
            f"The 'mode' parameter must be 'exponential' or 'linear', got {mode!r}."
        )
    if not 0 <= smoothing < 1:
        raise ValueError(
            f"The 'smoothing' parameter must be in [0, 1), got {smoothing!r}."
        )
    if not diverge_threshold > 1:
        raise ValueError(
            f"The 'diverge_threshold' parameter must be > 1, got {diverge_threshold!r}."
        )
    if rule not in SUGGESTION_RULES:
        raise ValueError(
            f"The 'suggestion' parameter must be one of {list(SUGGESTION_RULES)}, "
            f"got {rule!r}."
        )


def lr_find(  # noqa: PLR0913 - mirrors fastai's and Lightning's lr_find
    estimator,
    X,
    y,
    *,
    start_lr=1e-7,
    end_lr=10.0,
    num_steps=100,
    mode="exponential",
    smoothing=0.98,
    diverge_threshold=4.0,
    suggestion="fall",
    sample_weight=None,
):
    """Learning-rate range test: one run with a rate raised at every mini-batch.

    The rate goes from ``start_lr`` to ``end_lr`` over ``num_steps`` optimiser
    updates (one step = one mini-batch; epochs follow one another as needed),
    exponentially or linearly. The mini-batch loss is recorded and smoothed
    (bias-corrected exponential moving average with factor ``smoothing``); the
    run stops once the smoothed loss exceeds ``diverge_threshold`` times its
    best, or becomes non-finite. A rate is then suggested from the smoothed
    curve (non-finite points dropped).

    The estimator is not changed: the test runs on a clone. A Pipeline's
    preprocessing steps are fitted on ``X`` first; its last step must be an
    sklr MLP (solver 'sgd' or 'adam'; its own ``lr_schedule`` and stopping rules
    are ignored for the test) or a skorch net (``NeuralNet`` and its subclasses:
    a callback sets the rate of every parameter group of its torch optimiser
    before each mini-batch; a net with no ``random_state`` runs with torch
    seeded at ``sklr._torch.TORCH_SEED``, torch's global state restored).

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor, skorch net or Pipeline ending in one
    X : array-like or sparse matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    start_lr, end_lr : float, default=1e-7, 10
        The range of rates (0 < start_lr < end_lr).
    num_steps : int, default=100
        Number of steps (mini-batches) of the ramp.
    mode : {"exponential", "linear"}, default="exponential"
    smoothing : float, default=0.98
        Factor of the moving average, in [0, 1) (0: no smoothing).
    diverge_threshold : float, default=4.0
        Stop when the smoothed loss exceeds this multiple of its best (> 1).
    suggestion : {"fall", "valley", "steepest", "minimum"}, default="fall"
        The rule behind ``result.suggestion`` (see ``LRFinderSuggestions``;
        "fall" predicts the cross-validated sweep's best best, on sklr's validity
        benchmark).
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    result : LRFinderResult

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklr import MLPClassifier, lr_find
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(), MLPClassifier(momentum=0.0,
    ...                                                      random_state=0))
    >>> result = lr_find(pipe, X, y, start_lr=1e-5, end_lr=10, num_steps=60)
    >>> 1e-3 < result.suggestion < 3
    True
    >>> len(result.losses) == len(result.learning_rates) <= 60
    True
    """
    _check(start_lr, end_lr, num_steps, mode, smoothing, diverge_threshold, suggestion)
    num_steps = int(num_steps)
    note = target_scale_note(estimator, y)
    parts = unwrap(estimator)
    ramp = RangeRamp(start_lr, end_lr, num_steps, mode)
    recorder = _RangeRecorder(start_lr, ramp, num_steps, smoothing, diverge_threshold)
    if is_skorch_net(parts.final):
        X, y = _preprocessed(parts, X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            n_batch = ramp_skorch(
                parts.final, X, y, start_lr, ramp, num_steps, recorder
            )
    else:
        n_batch = _ramp_mlp(
            estimator, X, y, start_lr, ramp, num_steps, recorder, sample_weight
        )
    # the divergence guard may end the run at an epoch's end (its loss above
    # the threshold), after which the recorder is not called again
    recorder.stopped_early |= len(recorder.losses) < num_steps
    _warn_about_the_curve(recorder, num_steps, note)
    n_epochs = len(recorder.losses) / n_batch
    return _result(recorder, suggestion, diverge_threshold, n_epochs)


def _ramp_mlp(estimator, X, y, start_lr, ramp, num_steps, recorder, sample_weight):
    """Run the ramp on a clone of an sklr MLP (through the training engine: a
    stack of one network whose schedule is the ramp); returns the number of
    mini-batches an epoch has."""
    mlp, X, y = _prepare(estimator, X, y)
    n_batch = n_batches(mlp, X.shape[0])
    mlp.set_params(
        learning_rate=start_lr,
        lr_schedule=ramp,
        max_iter=-(-num_steps // n_batch),
        early_stopping=False,
        n_iter_no_change=num_steps + 1,
        tol=0.0,
        verbose=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit_learning_rates(
            mlp, X, y, [start_lr], sample_weight=sample_weight, on_batch=recorder
        )
    return n_batch


def _preprocessed(parts, X, y):
    """``X`` and ``y`` as the final step sees them: a target transform and the
    Pipeline's steps before the last fitted on the data."""
    if parts.target is not None:
        y = TargetTransform(parts.target).fit_transform(y)
    for _, step in parts.pre_steps:
        if step is not None and step != "passthrough":
            X = clone(step).fit_transform(X, y)
    return X, y


def _prepare(estimator, X, y):
    """The MLP to ramp (a clone), the data it sees and its target."""
    parts = unwrap(estimator)
    if not parts.is_mlp:
        raise TypeError(
            "lr_find trains sklr's MLPClassifier / MLPRegressor or a skorch net "
            "(or a Pipeline ending in one): its rate rises every mini-batch of one "
            "training run, "
            f"which {type(estimator).__name__} does not offer. For any estimator "
            "with a step size, LearningRateSearchCV(estimator) fits each rate and "
            "draws the same analysis."
        )
    mlp = parts.final
    if mlp.solver == "lbfgs":
        raise ValueError("lr_find needs solver='sgd' or 'adam': 'lbfgs' has no rate.")
    X, y = _preprocessed(parts, X, y)
    # lists become arrays, and an empty X is a clear error
    X = check_array(X, accept_sparse=["csr", "csc"], dtype=None, input_name="X")
    return clone(mlp), X, y


def _warn_about_the_curve(recorder, num_steps, target_note):
    """Warn when the recorded curve cannot support a suggestion, and why."""
    n = len(recorder.losses)
    if target_note and recorder.stopped_early and n < num_steps / 2:
        warnings.warn(
            f"The loss exploded in the first half of the ramp, and {target_note}: "
            "standardise it, e.g. with TransformedTargetRegressor(estimator, "
            "transformer=StandardScaler()), which lr_find accepts.",
            TargetScaleWarning,
            stacklevel=3,
        )
    elif n < MIN_STEPS:
        warnings.warn(
            f"The range test recorded only {n} steps (fewer than {MIN_STEPS}): too "
            "few for a reliable suggestion. Raise num_steps.",
            RangeTestWarning,
            stacklevel=3,
        )
    elif not recorder.stopped_early and _lowest(
        _centered_mean(np.array(recorder.losses), FALL_WINDOW)
    ) >= (n - _skip(n)):
        warnings.warn(
            "The loss never rose during the range test: it was still falling at "
            "end_lr, so the suggestions may be too low. Raise end_lr (a loss "
            "that cannot blow up, e.g. a classifier's that has flattened near "
            "zero, never rises: then the 'fall' and 'valley' suggestions hold).",
            RangeTestWarning,
            stacklevel=3,
        )


def _result(recorder, rule, diverge_threshold, n_epochs):
    rates = np.array(recorder.rates)
    losses = np.array(recorder.losses)
    smoothed = np.array(recorder.smoothed)
    values = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RangeTestWarning)  # warned once, below
        for name in SUGGESTION_RULES:
            try:
                values[name] = suggest(rates, smoothed, name, losses=losses)
            except ValueError:
                values[name] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RangeTestWarning)
        suggestion_value = suggest(rates, smoothed, rule, losses=losses)  # or raises
    for w in caught:  # again, pointing at the caller of lr_find
        warnings.warn(w.message, w.category, stacklevel=3)
    return LRFinderResult(
        learning_rates=rates,
        losses=losses,
        smoothed_losses=smoothed,
        suggestion=suggestion_value,
        suggestions=LRFinderSuggestions(**values),
        rule=rule,
        stopped_early=recorder.stopped_early,
        n_epochs=n_epochs,
        diverge_threshold=diverge_threshold,
    )
