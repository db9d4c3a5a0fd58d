"""The training engine: the only training loop of sklr.

``train`` trains a stack of K networks that differ only in their learning
rates: every network sees the same mini-batches in the same order. Hooks
(``sklr.callbacks``) watch the run after each batch and each epoch: they detect
divergence, stop on plateaus, reduce rates, keep the best weights and record
validation metrics. A network that is frozen (diverged or stopped) keeps its
weights while the others go on; training ends when no network is active, when
a hook asks to stop, or after ``max_iter`` epochs.
"""

import math
import warnings
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy.optimize import minimize

from ._core.batching import EpochOrder, gen_batches
from ._core.network import Layout, Workspace, loss_and_grad, squared_norms
from ._core.network import loss as network_loss
from .optim.schedules import checked_multiplier


#: reasons a network stopped training
class Status(StrEnum):
    """What became of a network of a run. ``Run.status`` holds their values as
    plain strings (numpy compares an array of str-enum members unreliably)."""

    ACTIVE = "active"
    CONVERGED = "converged"
    DIVERGED = "diverged"
    STOPPED = "stopped"


ACTIVE, CONVERGED, DIVERGED, STOPPED = (status.value for status in Status)


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

    def as_arrays(self):
        """Return ``(loss, learning_rate, val_loss, val_score)`` as 2-D arrays."""

        def stack(rows):
            return np.array(rows, dtype=float) if rows else None

        return tuple(
            stack(r)
            for r in (self.loss, self.learning_rate, self.val_loss, self.val_score)
        )


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
        Set by ``keep_good`` after each batch: every network is active and had a
        finite loss (the common case, which the divergence guard skips).
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
    snapshot: np.ndarray = None
    good: np.ndarray = None
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

    @property
    def n_networks(self):
        return len(self.learning_rates)

    @property
    def active(self):
        """Boolean mask of the networks still training (do not modify it)."""
        if getattr(self, "_active", None) is None:
            self._active = self.status == ACTIVE
            self._all_active = bool(self._active.all())
        return self._active

    @property
    def all_active(self):
        """Whether every network is still training."""
        self.active  # noqa: B018 - refreshes the cache
        return self._all_active

    def take_snapshot(self):
        """Remember the current weights (those of the last completed epoch)."""
        if self.snapshot is None:
            self.snapshot = self.flat.copy()
            self.good = self.flat.copy()
        else:
            np.copyto(self.snapshot, self.flat)

    def keep_good(self, batch_loss):
        """Remember the weights of the networks whose batch loss was finite.

        They are the last weights known to give a finite loss: a network that
        diverges at the next batch is put back to them.
        """
        # the common case, checked with the fewest numpy calls (the sum of the
        # losses is finite only if all are, or overflows: then the slow path)
        self.batch_finite = self.all_active and math.isfinite(np.add.reduce(batch_loss))
        if self.batch_finite:
            np.copyto(self.good, self.flat)
            return
        # a frozen network keeps the last finite weights it had while training
        finite = np.isfinite(batch_loss) & self.active
        if finite.any():
            self.good[finite] = self.flat[finite]

    def restore(self, mask, source="snapshot"):
        """Put back, for the networks in ``mask``, the weights of the last
        complete epoch (``"snapshot"``) or the last ones with a finite batch loss
        (``"good"``)."""
        saved = self.snapshot if source == "snapshot" else self.good
        self.flat[mask] = saved[mask]

    def freeze(self, mask, reason, *, restore=None):
        """Stop training the active networks in ``mask``, for ``reason``;
        ``restore`` names the weights to put back (see ``restore``), if any."""
        mask = np.asarray(mask) & self.active
        if restore:
            self.restore(mask, restore)
        self.status[mask] = reason
        self._active = None
        self.stop_epoch[mask] = self.epoch + 1 if reason == DIVERGED else self.epoch
        return mask

    def mark_diverged(self, mask, *, restore, epoch):
        """Record the networks in ``mask`` as diverged in ``epoch``, whatever
        their status (a converged network whose final weights overflow), with
        the ``restore`` weights put back and an ``Event`` each."""
        mask = np.asarray(mask) & (self.status != DIVERGED)
        self.restore(mask, restore)
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


def _loss_and_grad_active(run, X, Y, sw):
    """Loss of each network, and the gradients into ``run.grads``, computed only
    for the networks still training.

    Frozen networks cost nothing here: the active ones are gathered out, and
    the frozen ones get a NaN loss (their gradients and optimiser state are
    zeroed once, by ``_silence_frozen``, so that their updates are zero).
    """
    spec, layout, ws = run.spec, run.layout, run.workspace
    if run.all_active:
        sq = squared_norms(run.flat, layout.n_coef) if spec.alpha else None
        return loss_and_grad(
            spec,
            run.coefs,
            run.intercepts,
            X,
            Y,
            sw,
            out=run.grad_views,
            sq_norms=sq,
            workspace=ws,
        )[0]
    active = run.active
    idx = np.flatnonzero(active)
    shape = (len(idx), layout.size)
    flat = np.take(run.flat, idx, axis=0, out=ws.get("active", shape, run.flat.dtype))
    grads = ws.get("active_grads", shape, run.flat.dtype)
    coefs, intercepts = layout.views(flat)
    sq = squared_norms(flat, layout.n_coef) if spec.alpha else None
    loss = loss_and_grad(
        spec,
        coefs,
        intercepts,
        X,
        Y,
        sw,
        out=layout.views(grads),
        sq_norms=sq,
        workspace=ws,
    )[0]
    run.grads[idx] = grads
    full_loss = np.full(run.n_networks, np.nan)
    full_loss[idx] = loss
    return full_loss


def _gather(workspace, name, A, rows):
    """``A[rows]``, into a reused array when ``A`` is dense (the data are never
    copied as a whole: each mini-batch is gathered on its own)."""
    if isinstance(rows, slice) or not isinstance(A, np.ndarray):
        return A[rows]  # a view, or a sparse matrix
    shape = (len(rows),) + A.shape[1:]
    out = workspace.get(f"{name}{len(rows)}", shape, A.dtype)
    return np.take(A, rows, axis=0, out=out)


def _silence_frozen(run, optimizer, opt_state):
    """Zero the gradients and optimiser state of newly frozen networks, so that
    their updates are exactly zero (a frozen network never trains again in
    this run)."""
    new = ~run.active & ~run.silenced
    if new.any():
        run.grads[new] = 0
        opt_state = optimizer.forget(opt_state, new)
        run.silenced |= new
    return opt_state


def _run_epoch(run, optimizer, opt_state, schedule, order, batch_size, hooks):
    """One pass over the data; returns the optimiser state and the epoch loss."""
    data = run.data
    n = data.n_samples
    total = np.zeros(run.n_networks)
    idx_all = order.next_epoch()
    rates = run.learning_rates * run.lr_scale * checked_multiplier(schedule, run.step)
    run.history.learning_rate.append(np.where(run.active, rates, np.nan))
    for batch in gen_batches(n, batch_size):
        idx = idx_all[batch] if order.shuffle else batch
        sw = None if data.sample_weight is None else data.sample_weight[idx]
        X = _gather(run.workspace, "X_batch", data.X, idx)
        Y = _gather(run.workspace, "Y_batch", data.Y, idx)
        batch_loss = _loss_and_grad_active(run, X, Y, sw)
        total += batch_loss * (batch.stop - batch.start)
        run.keep_good(batch_loss)  # before the hooks, which may freeze or change
        for hook in hooks:
            hook.on_batch_end(run, batch_loss)
        if not run.all_active:
            if not run.active.any():
                break
            opt_state = _silence_frozen(run, optimizer, opt_state)
        rates = run.learning_rates * run.lr_scale
        rates *= checked_multiplier(schedule, run.step)
        # unmasked: a frozen network has zero gradients and a zero optimiser
        # state, so its update is exactly zero, and one pass over all the
        # weights is cheaper than gathering and scattering the active ones
        opt_state = optimizer.apply([run.flat], [run.grads], opt_state, rates)
        run.step += 1
    run.samples_seen += n
    return opt_state, total / n


@dataclass(frozen=True)
class Resume:
    """Optimiser state to continue from (``partial_fit``): what a run ended with."""

    opt_state: object
    step: int
    lr_scale: np.ndarray


def _start(resume, fresh, K):
    """Where a run starts: ``resume``, or the fresh state of the optimiser when
    there is none or when its state does not fit (the solver or the momentum
    changed between ``partial_fit`` calls: step count and rate scale go on)."""
    if resume is None:
        return Resume(fresh, 0, np.ones(K))
    if not _same_structure(resume.opt_state, fresh):
        return Resume(fresh, resume.step, resume.lr_scale)
    return resume


def _same_structure(state, fresh):
    """Whether an optimiser state has the type and array shapes of ``fresh``."""
    if type(state) is not type(fresh):
        return False
    a, b = tuple(state), tuple(fresh)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(y, tuple):
            if not isinstance(x, tuple) or [np.shape(v) for v in x] != [
                np.shape(v) for v in y
            ]:
                return False
        elif np.shape(x) != np.shape(y):
            return False
    return True


def train(
    spec,
    coefs,
    intercepts,
    learning_rates,
    data,
    optimizer,
    schedule,
    *,
    batch_size,
    max_iter,
    shuffle,
    rng,
    hooks=(),
    resume=None,
    catch_interrupt=True,
):
    """Train a stack of K networks by mini-batch gradient descent.

    Parameters
    ----------
    spec : NetworkSpec
        Hidden activation, loss and L2 strength.
    coefs, intercepts : lists of ndarray
        Initial stacked weights ``(K, fan_in, fan_out)`` / ``(K, fan_out)``
        (copied: the trained weights are in the result).
    learning_rates : array-like of shape (K,)
        Base step size of each network.
    data : Data
    optimizer : sklr.optim.Optimizer
    schedule : sklr.optim.Schedule
        Multiplier of the rates as a function of the update count.
    batch_size, max_iter : int
        Mini-batch size, and maximum number of epochs.
    shuffle : bool
        Whether to reshuffle the samples each epoch (with ``rng``).
    rng : numpy.random.RandomState
        The generator of the mini-batch order.
    hooks : sequence of callbacks.Hook
        Called in order after each batch and each epoch.
    resume : Resume, optional
        Optimiser state, update count and plateau multipliers to continue from.
    catch_interrupt : bool, default=True
        End training cleanly on ``KeyboardInterrupt`` (weights of the last
        complete epoch, a warning). False lets it propagate: the analyses must
        not save an interrupted fit as if it were complete.

    Returns
    -------
    TrainResult
    """
    learning_rates = np.asarray(learning_rates, dtype=float)
    layout = Layout.of(coefs)
    flat = layout.pack(coefs, intercepts)
    resume = _start(resume, optimizer.init([flat]), len(learning_rates))
    run = Run(
        spec,
        layout,
        flat,
        learning_rates,
        data,
        lr_scale=np.array(resume.lr_scale, dtype=float),
        step=resume.step,
    )
    order = EpochOrder(data.n_samples, shuffle=shuffle, rng=rng)
    for hook in hooks:
        hook.on_train_begin(run)
    with np.errstate(all="ignore"):
        opt_state, interrupted = _epochs(
            run,
            optimizer,
            resume.opt_state,
            schedule,
            order,
            batch_size,
            max_iter,
            hooks,
            catch_interrupt,
        )
        for hook in hooks:
            hook.on_train_end(run)
    return TrainResult(
        coefs=run.coefs,
        intercepts=run.intercepts,
        history=run.history,
        status=run.status,
        stop_epoch=run.stop_epoch,
        n_epochs=run.epoch,
        samples_seen=run.samples_seen,
        interrupted=interrupted,
        messages=run.messages,
        resume=Resume(opt_state, run.step, run.lr_scale),
        learning_rates=run.learning_rates,
    )


def _epochs(
    run, optimizer, opt_state, schedule, order, batch_size, max_iter, hooks, catch
):
    """The epoch loop; returns the optimiser state and whether it was interrupted."""
    try:
        for _ in range(max_iter):
            run.take_snapshot()
            for hook in hooks:
                hook.on_epoch_begin(run)
            was_active = run.active.copy()
            opt_state, epoch_loss = _run_epoch(
                run, optimizer, opt_state, schedule, order, batch_size, hooks
            )
            epoch_loss = np.where(np.isfinite(epoch_loss), epoch_loss, np.inf)
            run.history.loss.append(np.where(was_active, epoch_loss, np.nan))
            stop = False
            for hook in hooks:  # every hook runs, even after one asked to stop
                stop |= bool(hook.on_epoch_end(run, was_active))
            run.epoch += 1
            if stop or not run.active.any():
                break
    except KeyboardInterrupt:
        if not catch:
            raise
        run.restore(np.ones(run.n_networks, dtype=bool))
        for records in vars(run.history).values():
            del records[run.epoch :]
        warnings.warn(
            f"Training interrupted by user after {run.epoch} complete epoch(s); "
            "the weights of the last complete epoch are kept.",
            UserWarning,
            stacklevel=3,
        )
        return opt_state, True
    return opt_state, False


@dataclass
class LbfgsResult:
    """What ``train_lbfgs`` returns."""

    coefs: list
    intercepts: list
    loss: float
    n_iter: int
    converged: bool
    message: str


def train_lbfgs(
    spec, coefs, intercepts, data, *, max_iter, max_fun, tol, verbose=False
):
    """Fit one network (K = 1) with scipy's L-BFGS-B on the full batch.

    The reference without a learning rate. The objective is the optimised one
    (its gradient is exact), and the returned ``loss`` is the reported loss.
    """
    if coefs[0].shape[0] != 1:
        raise ValueError("lbfgs trains a single network (K = 1).")
    shapes = [c.shape for c in coefs] + [b.shape for b in intercepts]
    sizes = [int(np.prod(s)) for s in shapes]
    n_layers = len(coefs)
    dtype = coefs[0].dtype

    def unpack(theta):
        parts = np.split(theta.astype(dtype, copy=False), np.cumsum(sizes)[:-1])
        params = [p.reshape(s) for p, s in zip(parts, shapes)]
        return params[:n_layers], params[n_layers:]

    def objective(theta):
        c, b = unpack(theta)
        _, coef_grads, intercept_grads = loss_and_grad(
            spec, c, b, data.X, data.Y, data.sample_weight
        )
        value = network_loss(
            spec, c, b, data.X, data.Y, data.sample_weight, reported=False
        )[0]
        grad = np.concatenate([g.ravel() for g in coef_grads + intercept_grads])
        return float(value), grad.astype(np.float64)

    theta0 = np.concatenate([p.ravel() for p in coefs + intercepts]).astype(np.float64)
    with np.errstate(all="ignore"):
        res = minimize(
            objective,
            theta0,
            method="L-BFGS-B",
            jac=True,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    if verbose:
        print(f"lbfgs: {res.nit} iterations, loss = {res.fun:.8f}, {res.message}")
    c, b = unpack(res.x)
    final = float(network_loss(spec, c, b, data.X, data.Y, data.sample_weight)[0])
    return LbfgsResult(c, b, final, int(res.nit), bool(res.success), str(res.message))
