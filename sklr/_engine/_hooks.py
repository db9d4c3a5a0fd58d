"""Hooks around the training loop: divergence, validation, plateaus, best weights.

A hook is called by ``sklr._engine.train`` after every mini-batch
(``on_batch_end``) and every epoch (``on_epoch_end``, which may return True to
stop the whole run). Hooks act on a :class:`sklr._engine.Run`: they may freeze
networks (``run.freeze``), change their rates (``run.lr_scale``) and write to
``run.history``. They are called in the order given, so a divergence guard
placed first freezes a diverged network before any plateau logic sees it.
"""

import numpy as np

from .._core.network import loss as network_loss
from ._run import CONVERGED, DIVERGED

#: A network has diverged when its epoch loss exceeds this multiple of its loss
#: at the initial weights (or when any mini-batch loss or weight is non-finite).
DIVERGENCE_FACTOR = 10.0

#: Evenly spaced rows of the training data (at most this many) on which the
#: loss at the initial weights (the divergence reference) and the final weights
#: of a fit are evaluated.
CHECK_ROWS = 2048


def subsample_loss(spec, coefs, intercepts, data):
    """Loss of each network on at most ``CHECK_ROWS`` evenly spaced training rows.

    The rows span the whole data set, so that sorted data give a representative
    loss; the cost is that of a few mini-batches whatever the data size.
    """
    rows = slice(None, None, -(-data.n_samples // CHECK_ROWS))
    sw = None if data.sample_weight is None else data.sample_weight[rows]
    with np.errstate(all="ignore"):
        return network_loss(spec, coefs, intercepts, data.X[rows], data.Y[rows], sw)


class Hook:
    """Base hook: every method does nothing."""

    def on_train_begin(self, run):
        """Called once before the first epoch."""

    def on_epoch_begin(self, run):
        """Called before each epoch."""

    def on_batch_end(self, run, batch_loss):
        """Called after the loss of a mini-batch is computed, before the update."""

    def on_epoch_end(self, run, was_active):
        """Called after each epoch; return True to stop training of all networks."""
        return False

    def on_train_end(self, run):
        """Called once after the last epoch (also after an interruption)."""


class DivergenceGuard(Hook):
    """Freeze networks whose loss explodes, putting back weights that predict.

    A network diverges when a mini-batch loss is non-finite, when its weights
    become non-finite, when its epoch loss exceeds ``factor`` times its loss at
    the weights it started from, or when its final weights give a non-finite
    loss. It is frozen with status ``"diverged"`` and gets back the weights at
    the end of the most recent of its last ``KEPT_EPOCHS`` completed epochs
    whose loss, measured at those weights (on the rows of ``subsample_loss``),
    is under the same threshold; the weights it started from if none is. (The
    end of the last epoch whose *mean* loss stayed under the threshold is not
    enough: the rate that blows up in epoch 2 often left weights at the end of
    epoch 1 that predict far worse than the untrained network.)

    Parameters
    ----------
    factor : float, default=DIVERGENCE_FACTOR
        Divergence threshold, as a multiple of the initial loss.
    reference_loss : ndarray of shape (K,), optional
        Loss at the initial weights; computed by ``subsample_loss`` if omitted.
    """

    def __init__(self, factor=DIVERGENCE_FACTOR, reference_loss=None):
        self.factor = factor
        self.reference_loss = reference_loss

    def on_train_begin(self, run):
        if self.reference_loss is None:
            self.reference_loss = subsample_loss(
                run.spec, run.coefs, run.intercepts, run.data
            )

    def on_batch_end(self, run, batch_loss):
        if run.batch_finite:  # every network trains and had a finite loss
            return
        bad = ~np.isfinite(batch_loss) & run.active
        if bad.any():
            self._diverge(run, bad)

    def on_epoch_end(self, run, was_active):
        loss = run.history.loss[-1]
        finite_weights = np.isfinite(run.flat).all(axis=1)
        with np.errstate(invalid="ignore"):
            exploded = ~(loss <= self.limit)
        bad = run.active & (~finite_weights | exploded)
        if bad.any():
            self._diverge(run, bad)
        return False

    def on_train_end(self, run):
        # the last update may have sent the weights where the outputs overflow
        # (the epoch's loss was computed before it): check the final weights once
        final = subsample_loss(run.spec, run.coefs, run.intercepts, run.data)
        bad = ~np.isfinite(final) & (run.status != DIVERGED)
        self.put_back_safe_weights(run, bad)
        run.mark_diverged(bad, epoch=max(run.epoch, 1))

    @property
    def limit(self):
        """The loss above which a network has diverged, per network."""
        return self.factor * np.maximum(self.reference_loss, 0)

    def put_back_safe_weights(self, run, mask):
        """Give each network in ``mask`` the most recent kept weights whose
        loss is under the threshold (``run.kept_weights()``, initial last)."""
        todo = np.flatnonzero(mask)
        for weights in run.kept_weights():
            if not len(todo):
                return
            candidate = weights[todo]
            coefs, intercepts = run.layout.views(candidate)
            loss = subsample_loss(run.spec, coefs, intercepts, run.data)
            with np.errstate(invalid="ignore"):
                ok = loss <= self.limit[todo]
            run.flat[todo[ok]] = candidate[ok]
            todo = todo[~ok]
        run.flat[todo] = run.initial[todo]  # (the initial loss is the reference)

    def _diverge(self, run, mask):
        mask = np.asarray(mask) & run.active
        self.put_back_safe_weights(run, mask)
        mask = run.freeze(mask, DIVERGED)
        run.record(DIVERGED, mask, run.epoch + 1)


class ValidationMonitor(Hook):
    """Record the held-out loss and score of every network after each epoch.

    Parameters
    ----------
    score_fn : callable ``(coefs, intercepts) -> ndarray (K,)``
        Score on the held-out split (higher is better), e.g. accuracy or R^2.
    """

    def __init__(self, score_fn):
        self.score_fn = score_fn

    def on_epoch_end(self, run, was_active):
        data = run.data
        val_loss = network_loss(
            run.spec,
            run.coefs,
            run.intercepts,
            data.X_val,
            data.Y_val,
            data.sample_weight_val,
            workspace=run.eval_workspace,
        )
        score = np.asarray(self.score_fn(run.coefs, run.intercepts), dtype=float)
        run.history.val_loss.append(np.where(was_active, val_loss, np.nan))
        run.history.val_score.append(np.where(was_active, score, np.nan))
        return False


class Plateau(Hook):
    """scikit-learn's ``tol`` / ``n_iter_no_change`` rule, per network.

    Monitors the training loss (lower is better), or the held-out score (higher
    is better) when ``monitor="val_score"``. A network whose monitored quantity
    has not improved by ``tol`` for more than ``n_iter_no_change`` consecutive
    epochs either has its rate multiplied by ``schedule.plateau_factor`` (when
    the schedule ``reduces_on_plateau`` and the rate is above its
    ``min_learning_rate``) or stops with status ``"converged"``. NaN and inf are
    never improvements, and a diverged network is never reduced. With
    ``restore_best=True``, each network ends with its weights of the epoch of
    its best held-out score.

    The best values and counters persist across calls to ``train`` with the
    same hook (``partial_fit``).
    """

    def __init__(
        self,
        *,
        tol,
        n_iter_no_change,
        monitor="loss",
        schedule=None,
        restore_best=False,
    ):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.monitor = monitor
        self.schedule = schedule
        self.restore_best = restore_best
        self.best = None
        self.count = None
        self.best_params = None

    def on_train_begin(self, run):
        if self.best is None or len(self.best) != run.n_networks:
            self.best = np.full(
                run.n_networks, np.inf if self.monitor == "loss" else -np.inf
            )
            self.count = np.zeros(run.n_networks, dtype=int)
        if self.restore_best:
            self.best_params = (
                [c.copy() for c in run.coefs],
                [b.copy() for b in run.intercepts],
            )

    def on_epoch_end(self, run, was_active):
        active = run.active
        if self.monitor == "loss":
            value = run.history.loss[-1]
            stalled = ~(value <= self.best - self.tol)
            improved = value < self.best
        else:
            value = run.history.val_score[-1]
            stalled = ~(value >= self.best + self.tol)
            improved = value > self.best
        stalled &= active
        improved &= active
        self.count = np.where(stalled, self.count + 1, np.where(active, 0, self.count))
        self.best = np.where(improved, value, self.best)
        if self.restore_best and improved.any():
            for params, best in zip((run.coefs, run.intercepts), self.best_params):
                for p, b in zip(params, best):
                    b[improved] = p[improved]
        plateau = active & (self.count > self.n_iter_no_change)
        if plateau.any():
            self._on_plateau(run, plateau)
        return False

    def _on_plateau(self, run, plateau):
        schedule = self.schedule
        if schedule is not None and schedule.reduces_on_plateau:
            rates = run.learning_rates * run.lr_scale
            reduce = plateau & (rates > schedule.min_learning_rate)
            run.lr_scale[reduce] *= schedule.plateau_factor
            self.count[reduce] = 0
            plateau = plateau & ~reduce
        if plateau.any():
            plateau = run.freeze(plateau, CONVERGED)
            run.record(CONVERGED, plateau, run.epoch + 1, self.monitor)

    def on_train_end(self, run):
        if self.restore_best and self.best_params is not None:
            keep = np.isfinite(self.best)
            for params, best in zip((run.coefs, run.intercepts), self.best_params):
                for p, b in zip(params, best):
                    p[keep] = b[keep]


class HeldOutLoss(Hook):
    """Record every network's loss on a fixed held-out set after each epoch.

    Unlike :class:`ValidationMonitor` it never drives stopping: the learning-rate
    search uses it to draw held-out loss curves on each cross-validation fold.
    It writes one array of shape ``(K,)`` per epoch (NaN once a network stopped
    training) to the run's history under ``NAME``, read back as
    ``result.history.as_arrays()[HeldOutLoss.NAME]``.
    """

    NAME = "held_out_loss"

    def __init__(self, X, Y, sample_weight=None):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight

    def on_epoch_end(self, run, was_active):
        values = np.full(run.n_networks, np.nan)
        idx = np.flatnonzero(was_active)  # networks frozen earlier cost nothing
        if len(idx):
            loss = network_loss(
                run.spec,
                [c[idx] for c in run.coefs],
                [b[idx] for b in run.intercepts],
                self.X,
                self.Y,
                self.sample_weight,
                workspace=run.eval_workspace,
            )
            values[idx] = np.where(np.isfinite(loss), loss, np.inf)
        run.history.add(self.NAME, values)
        return False
