import numpy as np
import pytest

from sklr.optim import SGD, Adam, Optimizer, check_optimizer


def test_sgd_plain_is_minus_lr_times_grad_per_network():
    params = [np.zeros((3, 2, 2))]
    grads = [np.arange(12, dtype=float).reshape(3, 2, 2)]
    opt = SGD()
    updates, _ = opt.update(grads, opt.init(params), np.array([0.1, 0.01, 1.0]))
    for k, lr in enumerate([0.1, 0.01, 1.0]):
        np.testing.assert_allclose(updates[0][k], -lr * grads[0][k])


def test_sgd_momentum_hand_computed():
    opt = SGD(momentum=0.5)
    g = [np.array([[2.0]])]
    state = opt.init([np.zeros((1, 1))])
    u1, state = opt.update(g, state, [0.1])  # v1 = -0.2
    u2, state = opt.update(g, state, [0.1])  # v2 = 0.5 * -0.2 - 0.2 = -0.3
    assert u1[0][0, 0] == pytest.approx(-0.2)
    assert u2[0][0, 0] == pytest.approx(-0.3)
    assert state.velocities[0][0, 0] == pytest.approx(-0.3)


def test_sgd_nesterov_hand_computed():
    opt = SGD(momentum=0.5, nesterov=True)
    g = [np.array([[2.0]])]
    state = opt.init([np.zeros((1, 1))])
    u1, state = opt.update(g, state, [0.1])
    # v1 = -0.2; update = 0.5 * v1 - 0.1 * 2 = -0.3
    assert u1[0][0, 0] == pytest.approx(-0.3)
    u2, state = opt.update(g, state, [0.1])
    # v2 = -0.3; update = 0.5 * -0.3 - 0.2 = -0.35
    assert u2[0][0, 0] == pytest.approx(-0.35)


def test_adam_hand_computed_two_steps():
    opt = Adam(beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    state = opt.init([np.zeros((1, 1))])
    lr = 0.01
    _, state = opt.update([np.array([[1.0]])], state, [lr])
    u2, state = opt.update([np.array([[3.0]])], state, [lr])
    m = 0.9 * 0.1 + 0.1 * 3.0
    v = 0.999 * 0.001 + 0.001 * 9.0
    expected = -lr * np.sqrt(1 - 0.999**2) / (1 - 0.9**2) * m / (np.sqrt(v) + 1e-8)
    assert u2[0][0, 0] == pytest.approx(expected, rel=1e-12)
    assert state.count == 2


def test_state_is_explicit_and_optimizer_is_immutable():
    opt = SGD(momentum=0.9)
    state0 = opt.init([np.zeros((1, 2))])
    _, state1 = opt.update([np.ones((1, 2))], state0, [1.0])
    assert np.all(state0.velocities[0] == 0)  # old state untouched
    assert np.all(state1.velocities[0] == -1)
    with pytest.raises(AttributeError):
        opt.momentum = 0.1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_keep_dtype(dtype):
    for opt in (SGD(momentum=0.9, nesterov=True), Adam()):
        params = [np.zeros((2, 3), dtype=dtype)]
        updates, _ = opt.update(
            [np.ones((2, 3), dtype=dtype)], opt.init(params), np.array([0.1, 0.2])
        )
        assert updates[0].dtype == dtype


OPTIMIZERS = [
    SGD(),
    SGD(momentum=0.9),
    SGD(momentum=0.9, nesterov=True),
    Adam(),
]


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_apply_in_place_equals_update(opt):
    """The engine's in-place step gives the functional update's parameters and
    state (frozen networks: see the ``forget`` test below)."""
    rng = np.random.RandomState(0)
    K = 4
    params = [rng.normal(size=(K, 7)), rng.normal(size=(K, 2, 3))]
    rates = np.array([1e-3, 1e-2, 1e-1, 1.0])
    state_ref = opt.init(params)
    state_in = opt.init(params)
    p_ref = [p.copy() for p in params]
    p_in = [p.copy() for p in params]
    for _ in range(3):
        grads = [rng.normal(size=p.shape) for p in params]
        updates, state_ref = opt.update(grads, state_ref, rates)
        for p, u in zip(p_ref, updates):
            p += u
        state_in = opt.apply(p_in, [g.copy() for g in grads], state_in, rates)
    for a, b in zip(p_in, p_ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    leaves_ref = [x for x in state_ref if isinstance(x, tuple)]
    leaves_in = [x for x in state_in if isinstance(x, tuple)]
    for t_ref, t_in in zip(leaves_ref, leaves_in):
        for a, b in zip(t_in, t_ref):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def _registered():
    """Every optimiser class sklr.optim exports."""
    import sklr.optim

    return {
        obj
        for name in sklr.optim.__all__
        if isinstance(obj := getattr(sklr.optim, name), type)
        and issubclass(obj, Optimizer)
        and obj is not Optimizer
    }


def test_every_registered_optimiser_is_checked():
    assert {type(opt) for opt in OPTIMIZERS} == _registered()


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_every_optimiser_keeps_the_engine_contract(opt):
    """Frozen rows bit-identical, update equals apply, networks independent
    (``check_optimizer``; its failures are tested with broken optimisers in
    tests/test_contributing_recipes.py)."""
    check_optimizer(opt)
