import numpy as np
import pytest

from sklr.optim import SGD, Adam


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


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_apply_result_of_a_network_does_not_depend_on_the_stack(opt):
    """Bit for bit: network k stepped inside a stack equals network k alone
    (what makes the search's results independent of how rates are chunked)."""
    rng = np.random.RandomState(1)
    params = [rng.normal(size=(3, 50))]
    grads = [rng.normal(size=(3, 50))]
    rates = np.array([0.1, 0.2, 0.3])
    stacked = [params[0].copy()]
    opt.apply(stacked, [grads[0].copy()], opt.init(stacked), rates)
    for k in range(3):
        alone = [params[0][k : k + 1].copy()]
        opt.apply(
            alone, [grads[0][k : k + 1].copy()], opt.init(alone), rates[k : k + 1]
        )
        np.testing.assert_array_equal(alone[0][0], stacked[0][k])


@pytest.mark.parametrize("opt", OPTIMIZERS, ids=repr)
def test_forgotten_networks_with_zero_gradients_do_not_move(opt):
    """The engine's frozen networks: zero state and zero gradients give an update
    of exactly zero, even after steps that filled the state."""
    rng = np.random.RandomState(2)
    params = [rng.normal(size=(3, 20))]
    state = opt.init(params)
    for _ in range(3):
        state = opt.apply(params, [rng.normal(size=(3, 20))], state, np.ones(3))
    frozen = np.array([False, True, False])
    state = opt.forget(state, frozen)
    before = params[0].copy()
    grads = rng.normal(size=(3, 20))
    grads[frozen] = 0.0
    opt.apply(params, [grads], state, np.ones(3))
    np.testing.assert_array_equal(params[0][frozen], before[frozen])
    assert np.all(params[0][~frozen] != before[~frozen])
