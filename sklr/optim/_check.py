"""The contract every optimiser keeps, as a check (scikit-learn's
``check_estimator`` for optimisers)."""

import numpy as np

__all__ = ["check_optimizer"]


def _flat_problem(rng, n_networks, size):
    """Parameters and gradients as the engine holds them: one ``(K, size)``
    buffer each, the weights of network k in row k."""
    params = rng.normal(scale=3.0, size=(n_networks, size))
    grads = [rng.normal(size=(n_networks, size)) for _ in range(4)]
    return params, grads


def _check_frozen_rows_stay(optimizer, rng):
    params, grads = _flat_problem(rng, 4, 37)
    rates = np.array([1e-3, 1e-1, 10.0, 1e3])
    frozen = np.array([False, True, False, True])
    state = optimizer.init([params])
    for g in grads[:2]:  # train all, then freeze two networks
        state = optimizer.apply([params], [g.copy()], state, rates)
    state = optimizer.forget(state, frozen)
    before = params[frozen].copy()
    for g in grads[2:] * 5:
        g = g.copy()
        g[frozen] = 0.0  # the engine zeroes a frozen network's gradient rows
        state = optimizer.apply([params], [g], state, rates)
    if not np.array_equal(params[frozen], before):
        drift = np.abs(params[frozen] - before).max()
        raise AssertionError(
            f"{optimizer!r}: a frozen network moved (max change {drift:.3g} after "
            "10 steps): with its state forgotten and zero gradients, its update "
            "must be exactly zero."
        )


def _states_equal(a, b):
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple):
            if not all(np.array_equal(u, v) for u, v in zip(x, y, strict=True)):
                return False
        elif not np.array_equal(x, y):
            return False
    return True


def _check_update_is_apply(optimizer, rng):
    params, grads = _flat_problem(rng, 3, 11)
    rates = np.array([1e-2, 1.0, 5.0])
    state = optimizer.init([params])
    for g in grads:
        grads_copy = g.copy()
        updates, new_state = optimizer.update([g], state, rates)
        if not np.array_equal(g, grads_copy):
            raise AssertionError(f"{optimizer!r}: update modified the gradients.")
        moved = params.copy()
        state = optimizer.apply([moved], [g.copy()], state, rates)
        # (p + u) - p is u up to the rounding of p: a relative tolerance of it
        if not np.allclose(
            moved - params, updates[0], rtol=1e-12, atol=1e-12 * np.abs(params).max()
        ):
            raise AssertionError(
                f"{optimizer!r}: update and apply disagree (max difference "
                f"{np.abs(moved - params - updates[0]).max():.3g}): apply must add "
                "to the parameters what update returns, whatever their values."
            )
        if not _states_equal(new_state, state):
            raise AssertionError(f"{optimizer!r}: update and apply give other states.")
        params = moved


def _check_networks_are_independent(optimizer, rng):
    params, grads = _flat_problem(rng, 3, 9)
    rates = np.array([1e-2, 0.5, 3.0])
    stacked = params.copy()
    state = optimizer.init([stacked])
    for g in grads:
        state = optimizer.apply([stacked], [g.copy()], state, rates)
    for k in range(3):
        alone = params[k : k + 1].copy()
        state = optimizer.init([alone])
        row = slice(k, k + 1)
        for g in grads:
            state = optimizer.apply([alone], [g[row].copy()], state, rates[row])
        if not np.array_equal(alone[0], stacked[k]):
            raise AssertionError(
                f"{optimizer!r}: network {k} of a stack of 3 does not get the "
                "update it gets alone: every operation must be elementwise."
            )


def check_optimizer(optimizer) -> None:
    """Check that ``optimizer`` keeps the contract the training engine relies on.

    The engine holds the weights of K networks in one flat buffer of shape
    ``(K, size)`` (row k is network k, every layer's weights and biases one
    after another) and calls ``apply([params], [grads], state, rates)`` on it,
    so an optimiser sees one 2-D array, not the layers. The checks:

    - a frozen network gets exactly zero update: after ``forget(state, mask)``
      and with its gradient rows at zero, its row of ``params`` stays
      bit-identical however many steps follow and whatever its rate;
    - ``update`` equals ``apply``: ``update`` returns what ``apply`` adds to the
      parameters (whatever their values: no weight decay hidden in ``apply``)
      and the same new state, without modifying its inputs;
    - networks are independent: network k of a stack is updated as it would be
      alone (every operation elementwise over the networks).

    Parameters
    ----------
    optimizer : sklr.optim.Optimizer
        The optimiser, with its hyperparameters set.

    Raises
    ------
    AssertionError
        Naming the optimiser and the broken rule.

    Examples
    --------
    >>> from sklr.optim import SGD, Adam, check_optimizer
    >>> check_optimizer(Adam())
    >>> check_optimizer(SGD(momentum=0.9, nesterov=True))
    """
    for check in (
        _check_frozen_rows_stay,
        _check_update_is_apply,
        _check_networks_are_independent,
    ):
        check(optimizer, np.random.default_rng(0))
