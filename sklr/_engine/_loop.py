"""The training engine: the only training loop of sklr.

``train`` trains a stack of K networks that differ only in their learning
rates: every network sees the same mini-batches in the same order. Hooks
(``sklr._engine._hooks``) watch the run after each batch and each epoch: they detect
divergence, stop on plateaus, reduce rates, keep the best weights and record
validation metrics. A network that is frozen (diverged or stopped) keeps its
weights while the others go on; training ends when no network is active, when
a hook asks to stop, or after ``max_iter`` epochs.
"""

import warnings

import numpy as np

from .._core.batching import EpochOrder, gen_batches
from .._core.network import Layout, loss_and_grad, squared_norms
from ..optim.schedules import checked_multiplier
from ._run import Resume, Run, TrainResult


def _loss_and_grad_active(run, X, Y, sw):
    """Loss of each network, and the gradients into ``run.grads``, computed only
    for the networks still training.

    Frozen networks cost nothing here: a contiguous block of active networks is
    trained on views of the stack's rows, other active networks are gathered
    out; the frozen ones get a NaN loss (their gradients and optimiser state
    are zeroed once, by ``_silence_frozen``, so that their updates are zero).
    """
    if run.all_active:
        return _loss_and_grad(
            run, run.flat, (run.coefs, run.intercepts), run.grad_views, X, Y, sw
        )
    block = run.active_block()
    if block is not None:  # a contiguous block of rows: views, nothing copied
        rows, flat, params, _, out = block
        loss = _loss_and_grad(run, flat, params, out, X, Y, sw)
    else:
        rows = np.flatnonzero(run.active)
        ws, shape = run.workspace, (len(rows), run.layout.size)
        dtype = run.flat.dtype
        flat = np.take(run.flat, rows, axis=0, out=ws.get("active", shape, dtype))
        grads = ws.get("active_grads", shape, dtype)
        views = run.layout.views
        loss = _loss_and_grad(run, flat, views(flat), views(grads), X, Y, sw)
        run.grads[rows] = grads
    full_loss = np.full(run.n_networks, np.nan)
    full_loss[rows] = loss
    return full_loss


def _loss_and_grad(run, flat, params, out, X, Y, sw):
    """``loss_and_grad`` of the networks whose weights are ``flat`` (with their
    views ``params``), gradients into ``out``."""
    spec = run.spec
    sq = squared_norms(flat, run.layout.n_coef) if spec.alpha else None
    return loss_and_grad(
        spec, *params, X, Y, sw, out=out, sq_norms=sq, workspace=run.workspace
    )[0]


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


def _step(run, optimizer, opt_state, rates):
    """The optimiser's step. On the active block of rows alone when the active
    networks are contiguous (views of the weights, gradients and state: an
    update is elementwise, so each network's bits are those of the whole);
    else on every network, unmasked: a frozen network has zero gradients and a
    zero optimiser state, so its update is exactly zero, and one pass over all
    the weights is cheaper than gathering and scattering the active ones."""
    block = None if run.all_active else run.active_block()
    if block is None:
        return optimizer.apply([run.flat], [run.grads], opt_state, rates)
    rows, flat, _, grads, _ = block
    part = type(opt_state)(
        *(tuple(a[rows] for a in f) if isinstance(f, tuple) else f for f in opt_state)
    )
    part = optimizer.apply([flat], [grads], part, rates[rows])
    # the per-network arrays were updated in place; the rest (Adam's step
    # count) comes from the step
    return type(opt_state)(
        *(f if isinstance(f, tuple) else p for f, p in zip(opt_state, part))
    )


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
        run.check_batch(batch_loss)  # before the hooks, which may freeze
        for hook in hooks:
            hook.on_batch_end(run, batch_loss)
        if not run.all_active:
            if not run.active.any():
                break
            opt_state = _silence_frozen(run, optimizer, opt_state)
        rates = run.learning_rates * run.lr_scale
        rates *= checked_multiplier(schedule, run.step)
        opt_state = _step(run, optimizer, opt_state, rates)
        run.step += 1
    run.samples_seen += n
    return opt_state, total / n


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


def train(  # noqa: PLR0913 - the one loop's options, keyword-only
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
    hooks : sequence of Hook
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


def _epochs(  # noqa: PLR0913 - the loop's state, passed down once
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
        run.history.truncate(run.epoch)
        warnings.warn(
            f"Training interrupted by user after {run.epoch} complete epoch(s); "
            "the weights of the last complete epoch are kept.",
            UserWarning,
            stacklevel=3,
        )
        return opt_state, True
    return opt_state, False
