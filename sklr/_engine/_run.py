"""The state of a training run and what it reports: ``Run`` (shared with the
hooks, which act on it through its methods), ``History``, ``Data``, the
``Status`` of each network, the ``Event`` records and ``TrainResult``."""

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from .._core.network import Layout, Workspace


#: reasons a network stopped training
class Status(StrEnum):
    """What became of a network of a run. ``Run.status`` holds their values as
    plain strings (numpy compares an array of str-enum members unreliably)."""

    ACTIVE = "active"
    CONVERGED = "converged"
    DIVERGED = "diverged"
    STOPPED = "stopped"


ACTIVE, CONVERGED, DIVERGED, STOPPED = (status.value for status in Status)

#: How many of the last epoch ends a run keeps, for a diverged network to go
#: back to (the first whose loss is under the divergence threshold).
KEPT_EPOCHS = 3


@dataclass(frozen=True)
class Event:
    """Something that happened to network ``network`` in epoch ``epoch``
    (1-based): it diverged (at learning rate ``rate``) or converged (on the
    quantity ``monitor``)."""

    kind: str  # a Status value
    network: int
    epoch: int
    rate: float | None = None
    monitor: str | None = None


@dataclass
class History:
    """Per-epoch records of a run; each entry is an array of shape ``(K,)``.

    ``loss`` is the mean training loss over the epoch's mini-batches (``inf``
    where a network diverged; ``nan`` for epochs after a network stopped);
    ``learning_rate`` is the rate of the epoch's first update; ``val_loss`` and
    ``val_score`` are filled when a held-out split exists.
    """

    loss: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_score: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def add(self, name, row):
        """Record ``row`` (shape ``(K,)``) under a new key ``name`` (a hook's own
        per-epoch record; the four above have their own fields)."""
        self.extra.setdefault(name, []).append(row)

    def truncate(self, n_epochs):
        """Keep the records of the first ``n_epochs`` epochs only."""
        for rows in (self.loss, self.learning_rate, self.val_loss, self.val_score):
            del rows[n_epochs:]
        for rows in self.extra.values():
            del rows[n_epochs:]

    def as_arrays(self):
        """Every record as a 2-D array ``(n_epochs, K)`` (None if empty), by name:
        ``loss``, ``learning_rate``, ``val_loss``, ``val_score`` and the others."""

        def stack(rows):
            return np.array(rows, dtype=float) if rows else None

        named = {
            "loss": self.loss,
            "learning_rate": self.learning_rate,
            "val_loss": self.val_loss,
            "val_score": self.val_score,
            **self.extra,
        }
        return {name: stack(rows) for name, rows in named.items()}


@dataclass
class Data:
    """Training data (and an optional held-out split) in the engine's layout.

    ``Y`` and ``Y_val`` are 2-D, in the dtype of the weights (indicator
    columns for the log-losses). ``y_val`` is the held-out target as the
    estimator's scorer expects it.
    """

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None = None
    X_val: object = None
    Y_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    sample_weight_val: np.ndarray | None = None

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def has_validation(self):
        return self.X_val is not None


@dataclass
class Run:
    """The mutable state of a training run, shared with the hooks.

    All weights of the K networks live in one array, ``flat`` (see
    ``sklr._core.network.Layout``); ``coefs`` and ``intercepts`` are views into
    it, so writing to them changes ``flat`` and vice versa.

    Attributes
    ----------
    spec : NetworkSpec
    layout : Layout
    flat : ndarray of shape (K, layout.size)
    coefs, intercepts : lists of ndarray, stacked over K networks (views)
    learning_rates : ndarray of shape (K,)
        Base step sizes.
    lr_scale : ndarray of shape (K,)
        Multipliers set by plateau reductions (``Adaptive`` schedule).
    status : ndarray of str, shape (K,)
        ``"active"``, ``"converged"``, ``"diverged"`` or ``"stopped"``.
    stop_epoch : ndarray of int, shape (K,)
        Epoch (1-based) in which a network stopped training; 0 while active.
    step : int
        Optimiser updates done so far (the schedule's clock).
    epoch : int
        Epochs completed in this call.
    batch_finite : bool
        Set by ``check_batch`` after each batch: every network is active and had
        a finite loss (the common case, which the divergence guard skips).
    silenced : ndarray of bool, shape (K,)
        Frozen networks whose gradients and optimiser state were zeroed.
    """

    spec: object
    layout: Layout
    flat: np.ndarray
    learning_rates: np.ndarray
    data: Data
    lr_scale: np.ndarray
    step: int = 0
    epoch: int = 0
    samples_seen: int = 0
    history: History = field(default_factory=History)
    status: np.ndarray = None
    stop_epoch: np.ndarray = None
    epoch_ends: np.ndarray = None  # (KEPT_EPOCHS, K, size): the last epoch ends
    n_epoch_ends: int = 0
    initial: np.ndarray = None
    batch_finite: bool = False
    messages: list = field(default_factory=list)

    def __post_init__(self):
        K = len(self.learning_rates)
        if self.status is None:
            self.status = np.full(K, ACTIVE, dtype=object)
        if self.stop_epoch is None:
            self.stop_epoch = np.zeros(K, dtype=int)
        self.coefs, self.intercepts = self.layout.views(self.flat)
        self.grads = np.empty_like(self.flat)
        self.grad_views = self.layout.views(self.grads)
        self.silenced = np.zeros(K, dtype=bool)
        self.workspace = Workspace()
        self.eval_workspace = Workspace()  # for the held-out evaluations
        self._block = None  # see active_block

    @property
    def n_networks(self):
        return len(self.learning_rates)

    @property
    def active(self):
        """Boolean mask of the networks still training (do not modify it)."""
        if getattr(self, "_active", None) is None:
            self._active = self.status == ACTIVE
            self._all_active = bool(self._active.all())
            idx = np.flatnonzero(self._active)
            contiguous = len(idx) and idx[-1] - idx[0] + 1 == len(idx)
            self._active_rows = (
                slice(int(idx[0]), int(idx[-1]) + 1) if contiguous else None
            )
        return self._active

    def active_block(self):
        """The active networks as one block of rows, when they are contiguous
        (the usual case: the highest rates diverge, the lowest may converge
        first), else None: ``(rows, flat, (coefs, intercepts), grads,
        grad_views)``, views into the stack's weights and gradients, built once
        for each set of active networks (not at every mini-batch). Training
        them copies nothing, and frozen networks cost nothing."""
        self.active  # noqa: B018 - refreshes the cache
        rows = self._active_rows
        if rows is None:
            return None
        if self._block is None or self._block[0] != rows:
            flat, grads = self.flat[rows], self.grads[rows]
            views = self.layout.views
            self._block = (rows, flat, views(flat), grads, views(grads))
        return self._block

    @property
    def all_active(self):
        """Whether every network is still training."""
        self.active  # noqa: B018 - refreshes the cache
        return self._all_active

    def take_snapshot(self):
        """Remember the current weights (those of the last completed epoch; the
        initial weights at the first call), among the last ``KEPT_EPOCHS``."""
        if self.epoch_ends is None:
            self.initial = self.flat.copy()
            shape = (KEPT_EPOCHS, *self.flat.shape)
            self.epoch_ends = np.empty(shape, dtype=self.flat.dtype)
        np.copyto(self.epoch_ends[self.n_epoch_ends % KEPT_EPOCHS], self.flat)
        self.n_epoch_ends += 1

    @property
    def snapshot(self):
        """The weights at the end of the last completed epoch."""
        return self.epoch_ends[(self.n_epoch_ends - 1) % KEPT_EPOCHS]

    def kept_weights(self):
        """The weights kept to go back to, the most recent first: the ends of
        the last ``KEPT_EPOCHS`` completed epochs, then the initial weights."""
        n = min(self.n_epoch_ends, KEPT_EPOCHS)
        ends = [
            self.epoch_ends[(self.n_epoch_ends - 1 - j) % KEPT_EPOCHS] for j in range(n)
        ]
        return [*ends, self.initial]

    def check_batch(self, batch_loss):
        """Whether every network is active and had a finite batch loss (the
        common case, checked with the fewest numpy calls: the sum of the losses
        is finite only if all are)."""
        self.batch_finite = self.all_active and math.isfinite(np.add.reduce(batch_loss))

    def restore(self, mask):
        """Put back, for the networks in ``mask``, the weights of the end of the
        last complete epoch."""
        self.flat[mask] = self.snapshot[mask]

    def freeze(self, mask, reason):
        """Stop training the active networks in ``mask``, for ``reason``."""
        mask = np.asarray(mask) & self.active
        self.status[mask] = reason
        self._active = None
        self.stop_epoch[mask] = self.epoch + 1 if reason == DIVERGED else self.epoch
        return mask

    def mark_diverged(self, mask, *, epoch):
        """Record the networks in ``mask`` as diverged in ``epoch``, whatever
        their status (a converged network whose final weights overflow), with
        an ``Event`` each."""
        mask = np.asarray(mask) & (self.status != DIVERGED)
        self.status[mask] = DIVERGED
        self._active = None
        self.stop_epoch[mask] = epoch
        self.record(DIVERGED, mask, epoch)
        return mask

    def record(self, kind, mask, epoch, monitor=None):
        """One ``Event`` per network of ``mask``."""
        for k in np.flatnonzero(mask):
            rate = float(self.learning_rates[k] * self.lr_scale[k])
            self.messages.append(Event(kind, int(k), epoch, rate, monitor))


@dataclass
class TrainResult:
    """What ``train`` returns: final weights, records and per-network outcomes."""

    coefs: list
    intercepts: list
    history: History
    status: np.ndarray
    stop_epoch: np.ndarray
    n_epochs: int
    samples_seen: int
    interrupted: bool
    messages: list
    resume: "Resume"
    learning_rates: np.ndarray

    @property
    def diverged(self):
        return self.status == DIVERGED


@dataclass(frozen=True)
class Resume:
    """Optimiser state to continue from (``partial_fit``): what a run ended with."""

    opt_state: object
    step: int
    lr_scale: np.ndarray
