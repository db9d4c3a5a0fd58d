"""Learning-rate schedules: picklable ``step -> multiplier`` objects.

A schedule multiplies the learning rate. ``schedule(step)`` is the multiplier
used for optimiser update number ``step`` (0-based: ``step=0`` is the first
update), so one step is one optimiser update, i.e. one mini-batch. Unless stated
otherwise a schedule is 1.0 at step 0. Schedules compose: :class:`Join` runs
schedules one after another (a linear warm-up joined to a cosine decay, say),
and every schedule can be previewed with ``schedule.values(n_steps)``.

:class:`Adaptive` is the one schedule that also reacts to training: it is
constant as a function of the step, and the training loop divides the rate by
``1 / factor`` whenever the monitored quantity stops improving (see
``reduces_on_plateau``).
"""

import math
from dataclasses import dataclass

import numpy as np


class Schedule:
    """Base class: a callable from step (int >= 0) to a multiplier (float).

    Subclasses implement ``__call__``. ``reduces_on_plateau`` tells the training
    loop whether to reduce the rate when progress stalls, by ``plateau_factor``
    down to ``min_learning_rate``. A schedule built from others (a combinator:
    any field holding a schedule, or a tuple or list of them, as :class:`Join`'s
    ``schedules``) reports what its ``parts`` report, so that wrapping
    :class:`Adaptive` keeps its reductions with no code in the wrapper.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from sklr.optim import Schedule
    >>> @dataclass(frozen=True)
    ... class Halving(Schedule):
    ...     every: int = 2
    ...     def __call__(self, step):
    ...         return 0.5 ** (step // self.every)
    >>> Halving().values(5).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __call__(self, step: int) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    @property
    def parts(self) -> tuple:
        """The schedules this one is built from: its attributes that are
        schedules, or tuples or lists of them (empty for a plain schedule)."""
        found = []
        for value in vars(self).values():
            items = value if isinstance(value, tuple | list) else (value,)
            found += [item for item in items if isinstance(item, Schedule)]
        return tuple(found)

    @property
    def reduces_on_plateau(self) -> bool:
        """Whether the training loop reduces the rate when progress stalls (when
        any of ``parts`` does)."""
        return any(part.reduces_on_plateau for part in self.parts)

    @property
    def plateau_factor(self) -> float:
        """The multiplier applied at a plateau (the strongest of ``parts``'s)."""
        return min((part.plateau_factor for part in self.parts), default=1.0)

    @property
    def min_learning_rate(self) -> float:
        """The rate below which a plateau stops training instead (the highest of
        ``parts``'s floors)."""
        return max((part.min_learning_rate for part in self.parts), default=0.0)

    def values(self, n_steps: int) -> np.ndarray:
        """Multipliers of the first ``n_steps`` updates (a preview).

        Parameters
        ----------
        n_steps : int
            Number of optimiser updates to preview.

        Returns
        -------
        multipliers : ndarray of shape (n_steps,)
        """
        return np.array([self(step) for step in range(int(n_steps))], dtype=float)


@dataclass(frozen=True)
class Constant(Schedule):
    """The same rate at every step.

    Examples
    --------
    >>> from sklr.optim import Constant
    >>> Constant().values(3).tolist()
    [1.0, 1.0, 1.0]
    """

    def __call__(self, step):
        return 1.0


@dataclass(frozen=True)
class Adaptive(Schedule):
    """Constant until progress stalls; then the rate is multiplied by ``factor``.

    This is scikit-learn's ``learning_rate="adaptive"``: when the training loss
    (or, with early stopping, the validation score) has not improved by ``tol``
    for ``n_iter_no_change`` consecutive epochs, the rate is divided by 5
    (``factor=0.2``); training stops once the rate falls below
    ``min_learning_rate``. A non-finite loss is never counted as an improvement
    and never triggers a reduction: it is a divergence.

    Parameters
    ----------
    factor : float, default=0.2
        Multiplier applied at each plateau, in (0, 1).
    min_learning_rate : float, default=1e-6
        Training stops instead of reducing a rate already at or below this.

    Examples
    --------
    >>> from sklr.optim import Adaptive
    >>> s = Adaptive()
    >>> s.values(2).tolist(), s.reduces_on_plateau
    ([1.0, 1.0], True)
    """

    factor: float = 0.2
    min_learning_rate: float = 1e-6
    reduces_on_plateau = True

    @property
    def plateau_factor(self):
        """The multiplier applied at each plateau (``factor``)."""
        return self.factor

    def __call__(self, step):
        return 1.0


@dataclass(frozen=True)
class InverseScaling(Schedule):
    """``(step + 1) ** -power_t``: scikit-learn's ``"invscaling"`` per update.

    scikit-learn divides by the number of *samples* seen, once per epoch; sklr
    counts optimiser updates, so the decay does not depend on the batch size
    being a divisor of the data size.

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent of the decay.

    Examples
    --------
    >>> from sklr.optim import InverseScaling
    >>> InverseScaling(power_t=0.5).values(4).round(4).tolist()
    [1.0, 0.7071, 0.5774, 0.5]
    """

    power_t: float = 0.5

    def __call__(self, step):
        return float((step + 1) ** -self.power_t)


@dataclass(frozen=True)
class StepDecay(Schedule):
    """Multiply by ``gamma`` every ``step_size`` updates.

    Parameters
    ----------
    step_size : int, default=1000
        Updates between two decays.
    gamma : float, default=0.1
        The factor of each decay.

    Examples
    --------
    >>> from sklr.optim import StepDecay
    >>> StepDecay(step_size=2, gamma=0.1).values(5).tolist()
    [1.0, 1.0, 0.1, 0.1, 0.010000000000000002]
    """

    step_size: int = 1000
    gamma: float = 0.1

    def __call__(self, step):
        return float(self.gamma ** (step // self.step_size))


@dataclass(frozen=True)
class Exponential(Schedule):
    """``gamma ** step``: smooth exponential decay.

    Parameters
    ----------
    gamma : float, default=0.999
        The factor per update.

    Examples
    --------
    >>> from sklr.optim import Exponential
    >>> Exponential(gamma=0.5).values(3).tolist()
    [1.0, 0.5, 0.25]
    """

    gamma: float = 0.999

    def __call__(self, step):
        return float(self.gamma**step)


@dataclass(frozen=True)
class Cosine(Schedule):
    """Cosine decay from 1 to ``final`` over ``n_steps`` updates, then ``final``.

    ``final + (1 - final) * (1 + cos(pi * step / n_steps)) / 2``.

    Parameters
    ----------
    n_steps : int, default=1000
        Updates of the decay.
    final : float, default=0.0
        The multiplier after ``n_steps``.

    Examples
    --------
    >>> from sklr.optim import Cosine
    >>> Cosine(n_steps=4).values(5).round(4).tolist()
    [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    n_steps: int = 1000
    final: float = 0.0

    def __call__(self, step):
        t = min(step, self.n_steps) / max(self.n_steps, 1)
        return float(self.final + (1 - self.final) * 0.5 * (1 + math.cos(math.pi * t)))


@dataclass(frozen=True)
class LinearWarmup(Schedule):
    """Linear ramp from ``start`` to 1 over ``n_steps`` updates, then 1.

    Parameters
    ----------
    n_steps : int, default=100
        Updates of the ramp.
    start : float, default=0.0
        The multiplier at the first update.

    Examples
    --------
    >>> from sklr.optim import LinearWarmup
    >>> LinearWarmup(n_steps=4).values(6).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    n_steps: int = 100
    start: float = 0.0

    def __call__(self, step):
        if step >= self.n_steps:
            return 1.0
        return float(self.start + (1 - self.start) * step / self.n_steps)


@dataclass(frozen=True)
class Join(Schedule):
    """Run schedules one after another (optax's ``join_schedules``).

    Schedule ``i`` is used from ``boundaries[i - 1]`` (0 for the first) to
    ``boundaries[i]``, and receives steps counted from its own start.

    Parameters
    ----------
    schedules : tuple of Schedule
    boundaries : tuple of int
        ``len(schedules) - 1`` increasing steps.

    Examples
    --------
    >>> from sklr.optim import Cosine, Join, LinearWarmup
    >>> s = Join((LinearWarmup(n_steps=2), Cosine(n_steps=2)), boundaries=(2,))
    >>> s.values(5).round(3).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    schedules: tuple = ()
    boundaries: tuple = ()

    def __post_init__(self):
        if len(self.boundaries) != len(self.schedules) - 1:
            raise ValueError(
                "Join needs len(schedules) - 1 boundaries, got "
                f"{len(self.schedules)} schedules and "
                f"{len(self.boundaries)} boundaries."
            )
        if list(self.boundaries) != sorted(self.boundaries):
            raise ValueError(f"Join boundaries must increase, got {self.boundaries}.")

    def __call__(self, step):
        start = 0
        for schedule, boundary in zip(self.schedules, self.boundaries):
            if step < boundary:
                return schedule(step - start)
            start = boundary
        return self.schedules[-1](step - start)


def warmup(n_steps: int, schedule: Schedule, start: float = 0.0) -> Join:
    """A linear warm-up over ``n_steps`` updates joined to ``schedule``.

    Parameters
    ----------
    n_steps : int
        Updates of the warm-up.
    schedule : Schedule
        What follows it (its steps counted from the end of the warm-up).
    start : float, default=0.0
        The multiplier at the first update.

    Returns
    -------
    Join

    Examples
    --------
    >>> from sklr.optim import Exponential, warmup
    >>> warmup(2, Exponential(gamma=0.5)).values(5).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.25]
    """
    return Join((LinearWarmup(n_steps=n_steps, start=start), schedule), (n_steps,))


@dataclass(frozen=True)
class OneCycle(Schedule):
    """Smith's one-cycle policy (as PyTorch's ``OneCycleLR``, cosine annealing).

    The multiplier rises from ``1 / div_factor`` to 1 over the first
    ``pct_start`` of ``n_steps`` updates, then falls to
    ``1 / (div_factor * final_div_factor)``. The learning rate given to the
    estimator is therefore the *peak* rate.

    Parameters
    ----------
    n_steps : int, default=1000
        Updates of the whole cycle.
    pct_start : float, default=0.3
        The fraction of ``n_steps`` spent rising.
    div_factor : float, default=25.0
        The peak over the starting multiplier.
    final_div_factor : float, default=1e4
        The starting multiplier over the final one.

    Examples
    --------
    >>> from sklr.optim import OneCycle
    >>> v = OneCycle(n_steps=10, pct_start=0.5).values(11)
    >>> round(float(v[0]), 6), float(v.max()), int(v.argmax()), bool(v[-1] < v[0])
    (0.04, 1.0, 5, True)
    """

    n_steps: int = 1000
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4

    def __call__(self, step):
        initial = 1.0 / self.div_factor
        final = initial / self.final_div_factor
        up = max(int(round(self.pct_start * self.n_steps)), 1)
        down = max(self.n_steps - up, 1)

        def anneal(a, b, frac):
            return b + (a - b) * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0)))

        if step < up:
            return float(anneal(initial, 1.0, step / up))
        return float(anneal(1.0, final, (step - up) / down))


@dataclass(frozen=True)
class Cyclic(Schedule):
    """Triangular cyclical rate (Smith 2017) between ``base`` and 1.

    Rises linearly from ``base`` to 1 over ``step_size`` updates, falls back over
    the next ``step_size``, and repeats. Starts at ``base`` (not 1).

    Parameters
    ----------
    step_size : int, default=500
        Updates of a half cycle.
    base : float, default=0.1
        The lowest multiplier.

    Examples
    --------
    >>> from sklr.optim import Cyclic
    >>> Cyclic(step_size=2, base=0.0).values(6).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]
    """

    step_size: int = 500
    base: float = 0.1

    def __call__(self, step):
        position = step % (2 * self.step_size)
        frac = 1 - abs(position / self.step_size - 1)
        return float(self.base + (1 - self.base) * frac)


def get_schedule(spec, *, n_steps: int, steps_per_epoch: int = 1, power_t=0.5):
    """Turn a schedule name (or object) into a schedule object.

    Named schedules that need a horizon use ``n_steps``, the total number of
    optimiser updates planned (``max_iter * batches per epoch`` for the
    estimators): ``"cosine"`` decays to 0 over ``n_steps``; ``"onecycle"`` peaks
    at 30% of it; ``"warmup_cosine"`` warms up linearly over the first 5% and
    then decays with a cosine; ``"step"`` multiplies by 0.1 every third of it;
    ``"exponential"`` reaches 0.01 at ``n_steps``; ``"cyclic"`` has a half-cycle of
    two epochs (``2 * steps_per_epoch``) and a base of 0.1. ``"invscaling"`` uses
    ``power_t``; ``"adaptive"`` is scikit-learn's (divide by 5 on plateaus).

    Parameters
    ----------
    spec : str or Schedule
    n_steps : int
        Planned number of optimiser updates.
    steps_per_epoch : int, default=1
    power_t : float, default=0.5

    Returns
    -------
    schedule : Schedule

    Examples
    --------
    >>> from sklr.optim import get_schedule
    >>> get_schedule("invscaling", n_steps=100, power_t=0.25)
    InverseScaling(power_t=0.25)
    >>> get_schedule("cosine", n_steps=100)
    Cosine(n_steps=100, final=0.0)
    """
    if isinstance(spec, Schedule):
        return spec
    n_steps = max(int(n_steps), 1)
    horizon = {
        "n_steps": n_steps,
        "steps_per_epoch": steps_per_epoch,
        "power_t": power_t,
    }
    if spec not in _NAMED:
        raise ValueError(
            f"Unknown learning-rate schedule {spec!r}; expected one of "
            f"{sorted(_NAMED)} or a sklr.optim.Schedule instance."
        )
    return _NAMED[spec](**horizon)


def checked_multiplier(schedule, step):
    """``schedule(step)``, or a ``ValueError`` naming the bad multiplier."""
    try:
        value = float(schedule(step))
    except Exception as exc:
        raise ValueError(
            f"The 'lr_schedule' {schedule!r} failed at step {step}: {exc}"
        ) from exc
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(
            f"The 'lr_schedule' {schedule!r} returned the multiplier {value} at step "
            f"{step}; multipliers must be finite and >= 0."
        )
    return value


def check_schedule(schedule, n_steps, max_preview=10_000):
    """Check the first ``min(n_steps, max_preview)`` multipliers before training.

    Examples
    --------
    >>> from sklr.optim import Constant
    >>> from sklr.optim.schedules import check_schedule
    >>> check_schedule(Constant(), 100)
    """
    for step in range(min(int(n_steps), max_preview)):
        checked_multiplier(schedule, step)


def _warmup_cosine(n_steps, **_):
    warm = max(n_steps // 20, 1)
    return warmup(warm, Cosine(n_steps=n_steps - warm))


#: The named schedules (``lr_schedule="name"``), each built from the horizon of a
#: fit (``n_steps``, ``steps_per_epoch``, ``power_t``): adding a name here is all
#: ``get_schedule`` and the estimators' validation need.
_NAMED = {
    "constant": lambda **_: Constant(),
    "invscaling": lambda power_t, **_: InverseScaling(power_t=power_t),
    "adaptive": lambda **_: Adaptive(),
    "step": lambda n_steps, **_: StepDecay(step_size=max(n_steps // 3, 1), gamma=0.1),
    "exponential": lambda n_steps, **_: Exponential(gamma=0.01 ** (1.0 / n_steps)),
    "cosine": lambda n_steps, **_: Cosine(n_steps=n_steps),
    "onecycle": lambda n_steps, **_: OneCycle(n_steps=n_steps),
    "cyclic": lambda steps_per_epoch, **_: Cyclic(
        step_size=2 * max(int(steps_per_epoch), 1)
    ),
    "warmup_cosine": _warmup_cosine,
}

#: The names ``lr_schedule`` accepts.
SCHEDULE_NAMES = tuple(_NAMED)


@dataclass(frozen=True)
class RangeRamp(Schedule):
    """Multiplier that takes the rate from ``start`` to ``end`` in ``n_steps``.

    ``"exponential"``: ``(end / start) ** (step / (n_steps - 1))``;
    ``"linear"``: ``1 + (end / start - 1) * step / (n_steps - 1)``. Starts at 1
    (the estimator's rate is ``start``).

    Parameters
    ----------
    start, end : float, default=1e-7, 10.0
        The first and the last rate of the ramp.
    n_steps : int, default=100
        Updates of the ramp.
    mode : {"exponential", "linear"}, default="exponential"

    Examples
    --------
    >>> from sklr.optim.schedules import RangeRamp
    >>> RangeRamp(1e-3, 1e-1, 3).values(3).round(6).tolist()
    [1.0, 10.0, 100.0]
    """

    start: float = 1e-7
    end: float = 10.0
    n_steps: int = 100
    mode: str = "exponential"

    def __call__(self, step):
        frac = min(step, self.n_steps - 1) / max(self.n_steps - 1, 1)
        ratio = self.end / self.start
        if self.mode == "linear":
            return 1.0 + (ratio - 1.0) * frac
        return float(ratio**frac)
