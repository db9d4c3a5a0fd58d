import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from sklr._core.activations import ACTIVATIONS as REGISTERED_ACTIVATIONS
from sklr._core.losses import LOSSES as REGISTERED_LOSSES
from sklr._core.losses import output, sample_losses
from sklr._core.network import (
    NetworkSpec,
    glorot_bound,
    init_params,
    loss,
    loss_and_grad,
    predict,
)

ACTIVATIONS = list(REGISTERED_ACTIVATIONS)  # every registered one is checked
LOSSES = list(REGISTERED_LOSSES)  # every registered loss is gradient-checked
K = 3


def _problem(loss_name, rng, n=7, n_features=4, n_outputs=3):
    X = rng.normal(size=(n, n_features))
    if loss_name == "log_loss":
        Y = np.eye(n_outputs)[rng.randint(n_outputs, size=n)]
    elif loss_name == "binary_log_loss":
        Y = (rng.rand(n, n_outputs) > 0.5).astype(float)
    elif loss_name == "poisson":
        Y = rng.poisson(2.0, size=(n, n_outputs)).astype(float)
    else:
        Y = rng.normal(size=(n, n_outputs))
    return X, Y


def _numerical_grad(f, params, eps=1e-6):
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            up = f()
            p[idx] = old - eps
            down = f()
            p[idx] = old
            g[idx] = (up[idx[0]] - down[idx[0]]) / (2 * eps)
        grads.append(g)
    return grads


@pytest.mark.parametrize(
    "activation, loss_name, alpha, weighted",
    [
        (a, lo, alpha, w)
        for a, lo in itertools.product(ACTIVATIONS, LOSSES)
        for alpha, w in [(0.0, False), (0.3, True)]
    ],
)
def test_gradient_matches_finite_differences(activation, loss_name, alpha, weighted):
    """Every activation x loss, with/without alpha and sample weights, on K=3 nets."""
    rng = np.random.RandomState(0)
    X, Y = _problem(loss_name, rng)
    sw = rng.uniform(0.5, 2.0, size=X.shape[0]) if weighted else None
    spec = NetworkSpec(activation, loss_name, alpha)
    coefs, intercepts = init_params(
        [4, 5, 3, 3], activation, K, rng, np.float64, shared=False
    )
    if activation == "relu":  # keep pre-activations away from the kink
        for b in intercepts[:-1]:
            b += 0.3

    def objective():
        return loss(spec, coefs, intercepts, X, Y, sw, reported=False)

    _, coef_grads, intercept_grads = loss_and_grad(spec, coefs, intercepts, X, Y, sw)
    numeric = _numerical_grad(objective, coefs + intercepts)
    for analytic, num in zip(coef_grads + intercept_grads, numeric):
        assert analytic.shape == num.shape
        np.testing.assert_allclose(analytic, num, rtol=1e-5, atol=1e-8)


def test_gradient_with_sparse_input_equals_dense():
    rng = np.random.RandomState(1)
    X = sp.random(20, 6, density=0.3, format="csr", random_state=rng)
    Y = np.eye(3)[rng.randint(3, size=20)]
    spec = NetworkSpec("tanh", "log_loss", 0.1)
    coefs, intercepts = init_params([6, 4, 3], "tanh", K, rng, np.float64, shared=False)
    dense = loss_and_grad(spec, coefs, intercepts, X.toarray(), Y)
    sparse = loss_and_grad(spec, coefs, intercepts, X, Y)
    np.testing.assert_allclose(dense[0], sparse[0], rtol=1e-12)
    for a, b in zip(dense[1] + dense[2], sparse[1] + sparse[2]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_stacked_networks_are_independent():
    """Network k of a stack computes what it computes alone."""
    rng = np.random.RandomState(2)
    X, Y = _problem("log_loss", rng)
    spec = NetworkSpec("relu", "log_loss", 0.01)
    coefs, intercepts = init_params([4, 6, 3], "relu", K, rng, np.float64, shared=False)
    stacked = loss_and_grad(spec, coefs, intercepts, X, Y)
    for k in range(K):
        alone = loss_and_grad(
            spec,
            [c[k : k + 1] for c in coefs],
            [b[k : k + 1] for b in intercepts],
            X,
            Y,
        )
        np.testing.assert_allclose(stacked[0][k], alone[0][0], rtol=1e-13)
        for s, a in zip(stacked[1] + stacked[2], alone[1] + alone[2]):
            np.testing.assert_allclose(s[k], a[0], rtol=1e-12, atol=1e-15)


def test_init_params_bounds_shapes_and_sharing():
    rng = np.random.RandomState(0)
    coefs, intercepts = init_params([10, 20, 3], "logistic", 4, rng, np.float32)
    assert [c.shape for c in coefs] == [(4, 10, 20), (4, 20, 3)]
    assert [b.shape for b in intercepts] == [(4, 20), (4, 3)]
    assert coefs[0].dtype == np.float32
    assert np.all(coefs[0] == coefs[0][0])  # shared initial weights
    bound = glorot_bound(10, 20, "logistic")
    assert bound == pytest.approx(np.sqrt(2 / 30))
    assert np.abs(coefs[0]).max() <= bound
    separate, _ = init_params(
        [10, 20, 3], "relu", 2, np.random.RandomState(0), np.float64, shared=False
    )
    assert not np.allclose(separate[0][0], separate[0][1])


def test_single_network_init_matches_scikit_learn_draws():
    from sklearn.neural_network import MLPClassifier

    X = np.random.RandomState(0).normal(size=(30, 4))
    y = np.arange(30) % 3
    ref = MLPClassifier(hidden_layer_sizes=(5,), max_iter=1, random_state=7)
    ref._random_state = np.random.RandomState(7)
    expected = [ref._init_coef(4, 5, np.float64), ref._init_coef(5, 3, np.float64)]
    coefs, intercepts = init_params(
        [4, 5, 3], "relu", 1, np.random.RandomState(7), np.float64
    )
    for (c, b), c2, b2 in zip(expected, coefs, intercepts):
        np.testing.assert_array_equal(c, c2[0])
        np.testing.assert_array_equal(b, b2[0])
    assert X.shape == (30, 4) and y.shape == (30,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, 3)).astype(dtype)
    Y = np.eye(2)[rng.randint(2, size=8)].astype(dtype)
    spec = NetworkSpec("relu", "log_loss")
    coefs, intercepts = init_params([3, 4, 2], "relu", 2, rng, dtype)
    value, cg, ig = loss_and_grad(spec, coefs, intercepts, X, Y)
    assert value.dtype == dtype
    assert all(g.dtype == dtype for g in cg + ig)
    assert predict(spec, coefs, intercepts, X).dtype == dtype


def test_log_losses_are_finite_for_huge_logits():
    """log-sum-exp and clipped logs: no inf/NaN for saturated outputs."""
    Z = np.array([[[1000.0, -1000.0, 0.0], [-800.0, 800.0, 5.0]]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    for name in ["log_loss", "binary_log_loss"]:
        values = sample_losses(name, Y, Z, output(name, Z))
        assert np.all(np.isfinite(values))
        # the clipped log: each wrong output costs at most -log(eps)
        assert np.all(values <= 3 * -np.log(np.finfo(float).eps) + 1e-9)
        assert np.all(values > 30)
    P = output("log_loss", Z)
    np.testing.assert_allclose(P.sum(axis=-1), 1.0)


def test_loss_values_match_closed_forms():
    Z = np.array([[[0.3, -0.2]]])
    Y = np.array([[1.0, 0.0]])
    se = sample_losses("squared_error", Y, Z, Z.copy())
    assert se[0, 0] == pytest.approx(0.5 * (0.7**2 + 0.2**2))
    ll = sample_losses("log_loss", Y, Z, output("log_loss", Z))
    assert ll[0, 0] == pytest.approx(
        -np.log(np.exp(0.3) / (np.exp(0.3) + np.exp(-0.2)))
    )
    Yp = np.array([[2.0, 0.0]])
    po = sample_losses("poisson", Yp, Z, np.exp(Z))
    expected = (2 * np.log(2 / np.exp(0.3)) - 2 + np.exp(0.3)) + np.exp(-0.2)
    assert po[0, 0] == pytest.approx(expected)


def test_layout_views_alias_one_flat_array():
    from sklr._core.network import Layout

    rng = np.random.RandomState(0)
    coefs, intercepts = init_params([5, 4, 3, 2], "relu", 3, rng, np.float32)
    layout = Layout.of(coefs)
    assert layout.n_coef == 5 * 4 + 4 * 3 + 3 * 2
    assert layout.size == layout.n_coef + 4 + 3 + 2
    flat = layout.pack(coefs, intercepts)
    assert flat.shape == (3, layout.size) and flat.dtype == np.float32
    c, b = layout.views(flat)
    for got, want in zip(c + b, coefs + intercepts):
        np.testing.assert_array_equal(got, want)
        assert np.shares_memory(got, flat)
    flat[1] = 0.0  # writes through the flat array show in the views
    assert all(np.all(v[1] == 0) and np.all(v[0] != 0) for v in c)


def test_gradient_written_into_flat_buffer_equals_fresh_arrays():
    from sklr._core.network import Layout

    rng = np.random.RandomState(3)
    X, Y = _problem("log_loss", rng, n=9)
    spec = NetworkSpec("tanh", "log_loss", 0.1)
    coefs, intercepts = init_params([4, 6, 5, 3], "tanh", K, rng, np.float64, False)
    layout = Layout.of(coefs)
    grads = np.full((K, layout.size), np.nan)
    value, cg, ig = loss_and_grad(spec, coefs, intercepts, X, Y)
    value_out, *_ = loss_and_grad(
        spec, coefs, intercepts, X, Y, out=layout.views(grads)
    )
    np.testing.assert_array_equal(value_out, value)
    np.testing.assert_array_equal(grads, layout.pack(cg, ig))


@pytest.mark.parametrize("n_coef", [10, 8192, 20_001])
def test_squared_norms_match_einsum_and_do_not_depend_on_k(n_coef):
    from sklr._core.network import squared_norms

    rng = np.random.RandomState(0)
    flat = rng.normal(size=(4, n_coef + 7))
    got = squared_norms(flat, n_coef)
    want = np.einsum("ki,ki->k", flat[:, :n_coef], flat[:, :n_coef])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    for k in range(4):  # bit for bit, alone or stacked
        assert squared_norms(flat[k : k + 1].copy(), n_coef)[0] == got[k]


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_workspace_reuse_gives_the_same_result(k, sparse):
    """Gradients with reused scratch arrays equal those with fresh arrays, also
    when a shorter (last) batch comes in between."""
    from sklr._core.network import Workspace

    rng = np.random.RandomState(5)
    X, Y = _problem("log_loss", rng, n=12)
    if sparse:
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    spec = NetworkSpec("relu", "log_loss", 0.2)
    coefs, intercepts = init_params([4, 5, 6, 3], "relu", k, rng, np.float64, False)
    ws = Workspace()
    for rows in (slice(0, 8), slice(8, 12), slice(0, 8)):
        fresh = loss_and_grad(spec, coefs, intercepts, X[rows], Y[rows])
        reused = loss_and_grad(spec, coefs, intercepts, X[rows], Y[rows], workspace=ws)
        for a, b in zip(
            [fresh[0], *fresh[1], *fresh[2]], [reused[0], *reused[1], *reused[2]]
        ):
            np.testing.assert_array_equal(a, b)
