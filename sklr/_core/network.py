"""A stack of K fully connected networks: initialisation, forward, backward.

Weights carry a leading axis of size K: ``coefs[i]`` is ``(K, fan_in, fan_out)``
and ``intercepts[i]`` is ``(K, fan_out)``. All K networks see the same input
``X`` (dense or scipy.sparse CSR, shared, never copied K times). Every matrix
product of network k has the shapes and memory layout of a single network's, so
a network's arithmetic does not depend on how many networks share its stack.

The objective of network k on a batch with sample weights ``w`` is

    sum_i w_i * l(y_i, f_k(x_i)) / sum_i w_i  +  0.5 * alpha * ||W_k||^2 / sum_i w_i

(scikit-learn's convention: biases are not penalised and the L2 term is divided
by the batch's total weight).
"""

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES
from .losses import output, output_and_log, report_scale, sample_losses


@dataclass(frozen=True)
class NetworkSpec:
    """What a stack of networks computes.

    Parameters
    ----------
    activation : str
        Hidden activation: ``"identity"``, ``"logistic"``, ``"tanh"`` or ``"relu"``.
    loss : str
        ``"squared_error"``, ``"poisson"``, ``"log_loss"`` (softmax outputs) or
        ``"binary_log_loss"`` (logistic outputs).
    alpha : float
        Strength of the L2 penalty.
    """

    activation: str
    loss: str
    alpha: float = 0.0


class Layout:
    """Where the weights of a network live in one flat parameter vector.

    A stack of K networks is one ``(K, size)`` array: per network, the
    coefficients of all layers (the first ``n_coef`` entries, the only ones under
    the L2 penalty), then the intercepts. ``views`` gives ``coefs[i]`` and
    ``intercepts[i]`` as views into it, so that an optimiser step, a copy or a
    restore of all the weights of all K networks is a single numpy call.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output included.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr._core.network import Layout
    >>> layout = Layout([3, 2, 1])
    >>> layout.size, layout.n_coef
    (11, 8)
    >>> flat = np.arange(2 * 11.0).reshape(2, 11)      # K = 2 networks
    >>> coefs, intercepts = layout.views(flat)
    >>> [c.shape for c in coefs], [b.shape for b in intercepts]
    ([(2, 3, 2), (2, 2, 1)], [(2, 2), (2, 1)])
    >>> coefs[1][1].ravel().tolist()                     # network 1, layer 1
    [17.0, 18.0]
    """

    def __init__(self, layer_units):
        units = [int(u) for u in layer_units]
        self.coef_shapes = list(zip(units[:-1], units[1:]))
        self.n_coef = sum(a * b for a, b in self.coef_shapes)
        self.size = self.n_coef + sum(b for _, b in self.coef_shapes)

    @classmethod
    def of(cls, coefs):
        """The layout of stacked coefficients ``(K, fan_in, fan_out)``."""
        return cls([coefs[0].shape[1]] + [c.shape[2] for c in coefs])

    def views(self, flat):
        """``coefs, intercepts`` as views into ``flat`` of shape ``(K, size)``."""
        K = flat.shape[0]
        coefs, intercepts, start = [], [], 0
        for a, b in self.coef_shapes:
            coefs.append(flat[:, start : start + a * b].reshape(K, a, b))
            start += a * b
        for _, b in self.coef_shapes:
            intercepts.append(flat[:, start : start + b])
            start += b
        return coefs, intercepts

    def pack(self, coefs, intercepts):
        """A new ``(K, size)`` array holding stacked ``coefs`` and ``intercepts``."""
        flat = np.empty((coefs[0].shape[0], self.size), dtype=coefs[0].dtype)
        for dst, src in zip(sum(self.views(flat), []), coefs + intercepts):
            np.copyto(dst, src)
        return flat


def glorot_bound(fan_in, fan_out, activation):
    """Half-width of scikit-learn's Glorot-uniform initialisation."""
    factor = 2.0 if activation == "logistic" else 6.0
    return np.sqrt(factor / (fan_in + fan_out))


def init_params(layer_units, activation, n_networks, rng, dtype, shared=True):
    """Draw Glorot-uniform weights for a stack of networks.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input and output included.
    activation : str
        Hidden activation (the logistic uses a smaller bound).
    n_networks : int
        Size K of the stack.
    rng : numpy.random.RandomState
        The generator to draw from. For one network, the draws are scikit-learn's
        (per layer: weights, then biases).
    dtype : numpy dtype
        Floating dtype of the weights.
    shared : bool, default=True
        Whether all K networks start from the same weights (one draw, copied),
        or each from its own successive draw.

    Returns
    -------
    coefs, intercepts : lists of ndarray
        Shapes ``(K, fan_in, fan_out)`` and ``(K, fan_out)``.
    """
    draws = 1 if shared else n_networks
    per_net = []
    for _ in range(draws):
        layers = []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            bound = glorot_bound(fan_in, fan_out, activation)
            coef = rng.uniform(-bound, bound, (fan_in, fan_out))
            intercept = rng.uniform(-bound, bound, fan_out)
            layers.append((coef, intercept))
        per_net.append(layers)
    coefs, intercepts = [], []
    for i in range(len(layer_units) - 1):
        if shared:
            c, b = per_net[0][i]
            coefs.append(np.repeat(c[None].astype(dtype), n_networks, axis=0))
            intercepts.append(np.repeat(b[None].astype(dtype), n_networks, axis=0))
        else:
            coefs.append(np.stack([net[i][0] for net in per_net]).astype(dtype))
            intercepts.append(np.stack([net[i][1] for net in per_net]).astype(dtype))
    return coefs, intercepts


class Workspace:
    """Scratch arrays reused from one mini-batch to the next.

    A training step needs several temporaries as large as the weights or the
    activations. Allocated afresh, arrays of more than a few hundred kilobytes
    are mapped and unmapped by the C allocator at every batch, and the page
    faults cost more than the arithmetic (2.6x the time of a whole stacked step,
    measured on digits with 13 networks). ``get`` returns the same uninitialised
    array for a name as long as the shape and dtype do not change.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr._core.network import Workspace
    >>> ws = Workspace()
    >>> a = ws.get("z", (2, 3), np.float64)
    >>> ws.get("z", (2, 3), np.float64) is a
    True
    >>> ws.get("z", (4, 3), np.float64) is a     # a new shape replaces it
    False
    """

    def __init__(self):
        self._arrays = {}

    def get(self, name, shape, dtype):
        array = self._arrays.get(name)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = self._arrays[name] = np.empty(shape, dtype=dtype)
        return array


def _scratch(workspace, name, shape, dtype):
    if workspace is None:
        return np.empty(shape, dtype=dtype)
    return workspace.get(name, shape, dtype)


def _first_layer(X, W, b, workspace=None):
    """``X @ W[k] + b[k]`` for all k; X may be sparse.

    Dense ``X``: one BLAS product per network, with the shapes and layout of a
    single network's fit, so that each network's bits depend neither on how many
    networks share the stack nor on how a search splits its rates into chunks (one
    wide product of the K networks side by side is up to 10% faster, but BLAS
    rounds its edge columns differently). Sparse ``X``: one product with the K
    networks side by side; scipy accumulates every entry in the order of the
    row's non-zeros, whatever the number of columns.
    """
    K, n_in, n_out = W.shape
    n, dtype = X.shape[0], np.result_type(X.dtype, W.dtype)
    if isinstance(X, np.ndarray):
        Z = np.matmul(X, W, out=_scratch(workspace, "Z0", (K, n, n_out), dtype))
        Z += b[:, None, :]
        return Z
    W_flat = W[0] if K == 1 else W.transpose(1, 0, 2).reshape(n_in, K * n_out)
    Z = np.asarray(X @ W_flat).reshape(n, K, n_out).transpose(1, 0, 2)
    Z += b[:, None, :]
    return Z


def _first_layer_grad(X, delta, out, workspace=None):
    """``out[k] = X.T @ delta[k]`` for all k; X may be sparse (see
    ``_first_layer`` for why dense input takes one product per network)."""
    K, n, n_out = delta.shape
    if isinstance(X, np.ndarray):
        np.matmul(X.T, delta, out=out)
        return out
    D = delta.transpose(1, 0, 2).reshape(n, K * n_out)
    G = np.asarray(X.T @ D)
    np.copyto(out, G.reshape(X.shape[1], K, n_out).transpose(1, 0, 2))
    return out


def forward(spec, coefs, intercepts, X, workspace=None):
    """Forward pass of the stack.

    Parameters
    ----------
    workspace : Workspace, optional
        Where to keep the activations (overwritten by the next call with the
        same workspace); new arrays if omitted.

    Returns
    -------
    activations : list of ndarray
        Hidden activations ``(K, n, units)`` for each hidden layer.
    Z : ndarray of shape (K, n, n_outputs)
        Output pre-activation.
    """
    hidden = ACTIVATIONS[spec.activation]
    activations = []
    A = X
    n_layers = len(coefs)
    for i in range(n_layers):
        if i == 0:
            Z = _first_layer(X, coefs[0], intercepts[0], workspace)
        else:
            K, _, units = coefs[i].shape
            shape = (K, A.shape[1], units)
            out = None
            if workspace is not None and i < n_layers - 1:
                out = workspace.get(f"Z{i}", shape, A.dtype)
            Z = np.matmul(A, coefs[i], out=out)
            Z += intercepts[i][:, None, :]
        if i < n_layers - 1:
            A = hidden(Z)
            activations.append(A)
    return activations, Z


def predict(spec, coefs, intercepts, X):
    """Output activation of every network, ``(K, n, n_outputs)``."""
    _, Z = forward(spec, coefs, intercepts, X)
    return output(spec.loss, Z)


#: a dot product of at most this many entries runs on one BLAS thread (OpenBLAS
#: splits longer ones, which changes how the sum is rounded)
DOT_CHUNK = 8192


def squared_norms(flat, n_coef):
    """``||W_k||^2``: squared norm of the first ``n_coef`` entries of each row of
    ``flat`` (the coefficients, see ``Layout``), shape ``(K,)``.

    BLAS dot products on chunks of ``DOT_CHUNK`` entries: several times faster
    than ``einsum``, and each network's value depends neither on the number of
    BLAS threads nor on how many networks are stacked (a longer dot product is
    split between threads, which changes its last bits).
    """
    coefs = flat[:, :n_coef]
    out = np.vecdot(coefs[:, :DOT_CHUNK], coefs[:, :DOT_CHUNK]).astype(np.float64)
    for start in range(DOT_CHUNK, n_coef, DOT_CHUNK):
        part = coefs[:, start : start + DOT_CHUNK]
        out += np.vecdot(part, part)
    return out


def penalty(spec, coefs, sw_sum, sq_norms=None):
    """``0.5 * alpha * ||W_k||^2 / sw_sum`` for each network, shape ``(K,)``;
    ``sq_norms`` are the ``||W_k||^2`` if already known."""
    K = coefs[0].shape[0]
    if spec.alpha == 0:
        return np.zeros(K, dtype=coefs[0].dtype)
    if sq_norms is None:
        sq_norms = sum(squared_norms(W.reshape(K, -1), W[0].size) for W in coefs)
    return sq_norms * (0.5 * spec.alpha / sw_sum)


def loss(  # noqa: PLR0913 - keyword options of the numerics
    spec,
    coefs,
    intercepts,
    X,
    Y,
    sample_weight=None,
    *,
    reported=True,
    chunk_size=8192,
    workspace=None,
):
    """Loss of each network on ``(X, Y)``, shape ``(K,)``.

    The reported loss is scikit-learn's: the data term plus the L2 penalty, with
    squared error averaged over outputs (see ``losses.report_scale``). With
    ``reported=False`` it is the optimised objective, whose gradient
    ``loss_and_grad`` returns. The data are processed ``chunk_size`` rows at a
    time, so that memory does not grow with the number of samples. A
    ``Workspace`` keeps the activations between calls (the held-out loss after
    every epoch).
    """
    n = X.shape[0]
    total = np.zeros(coefs[0].shape[0], dtype=coefs[0].dtype)
    for start in range(0, n, chunk_size):
        rows = slice(start, start + chunk_size)
        _, Z = forward(spec, coefs, intercepts, X[rows], workspace)
        P, log_P = output_and_log(spec.loss, Z)
        per_sample = sample_losses(spec.loss, Y[rows], Z, P, log_P)
        per_sample[~np.isfinite(Z).all(axis=2)] = np.inf
        if sample_weight is None:
            total += per_sample.sum(axis=1)
        else:
            total += per_sample @ sample_weight[rows]
    sw_sum = n if sample_weight is None else sample_weight.sum()
    return _reported(spec, coefs, total / sw_sum, sw_sum, Y.shape[1], reported)


def _reported(spec, coefs, data, sw_sum, n_outputs, reported, sq_norms=None):
    """The mean data term ``data`` of each network as scikit-learn reports it
    (squared error averaged over outputs, when ``reported``), plus the L2 term."""
    if reported:
        data *= report_scale(spec.loss, n_outputs)
    return data + penalty(spec, coefs, sw_sum, sq_norms)


def _loss_from_output(  # noqa: PLR0913 - the pieces of one batch's forward pass
    spec, coefs, Y, Z, P, sample_weight, reported=True, log_P=None, sq_norms=None
):
    per_sample = sample_losses(spec.loss, Y, Z, P, log_P)
    if sample_weight is None:
        sw_sum = Z.shape[1]
        data = np.add.reduce(per_sample, axis=1)
        data *= 1.0 / sw_sum
    else:
        sw_sum = sample_weight.sum()
        data = per_sample @ sample_weight / sw_sum
    # a clipped log-loss can stay finite while the outputs overflow: a network
    # whose outputs are not all finite has an infinite loss
    if not np.isfinite(Z).all():
        data[~np.isfinite(Z).all(axis=(1, 2))] = np.inf
    return _reported(spec, coefs, data, sw_sum, Z.shape[2], reported, sq_norms)


def _backward(spec, coefs, activations, X, delta, sw_sum, out, workspace):
    """Back-propagate the output ``delta`` (already divided by ``sw_sum``) and
    write the gradients into ``out = (coef_grads, intercept_grads)``."""
    coef_grads, intercept_grads = out
    derivative = DERIVATIVES[spec.activation]
    for i in range(len(coefs) - 1, -1, -1):
        if i == 0:
            _first_layer_grad(X, delta, coef_grads[0], workspace)
        else:
            np.matmul(activations[i - 1].transpose(0, 2, 1), delta, out=coef_grads[i])
        if spec.alpha:
            l2 = _scratch(workspace, f"l2_{i}", coefs[i].shape, coefs[i].dtype)
            np.multiply(coefs[i], spec.alpha / sw_sum, out=l2)
            coef_grads[i] += l2
        np.add.reduce(delta, axis=1, out=intercept_grads[i])
        if i == 0:
            return
        K, n, units = activations[i - 1].shape
        out_delta = _scratch(workspace, f"delta{i - 1}", (K, n, units), delta.dtype)
        delta = np.matmul(delta, coefs[i].transpose(0, 2, 1), out=out_delta)
        derivative(activations[i - 1], delta)


def loss_and_grad(  # noqa: PLR0913 - keyword options of the numerics
    spec,
    coefs,
    intercepts,
    X,
    Y,
    sample_weight=None,
    *,
    out=None,
    sq_norms=None,
    workspace=None,
    reported=True,
):
    """Loss and gradient of the objective for each network of the stack.

    Parameters
    ----------
    spec : NetworkSpec
    coefs, intercepts : lists of ndarray
        Stacked weights ``(K, fan_in, fan_out)`` and biases ``(K, fan_out)``.
    X : ndarray or scipy.sparse matrix of shape (n, n_features)
        A batch, shared by all networks.
    Y : ndarray of shape (n, n_outputs)
        Targets in the dtype of the weights (indicators for log-losses).
    sample_weight : ndarray of shape (n,), default=None
    out : tuple of two lists of ndarray, optional
        ``(coef_grads, intercept_grads)`` to write the gradients into (for
        instance views into a flat buffer, see ``Layout``); new arrays if omitted.
    sq_norms : ndarray of shape (K,), optional
        ``||W_k||^2`` for the L2 term of the reported loss, if already known (see
        ``squared_norms``).
    reported : bool, default=True
        Return the reported loss (scikit-learn's); False: the optimised
        objective, whose gradient this is (see ``loss``).
    workspace : Workspace, optional
        Scratch arrays to reuse for the temporaries (the training engine passes
        one, so that a step allocates nothing large).

    Returns
    -------
    loss : ndarray of shape (K,)
        Reported loss of each network, or the objective (see ``reported``).
    coef_grads, intercept_grads : lists of ndarray
        Gradients of the objective, shaped like ``coefs`` and ``intercepts``.
    """
    activations, Z = forward(spec, coefs, intercepts, X, workspace)
    P, log_P = output_and_log(spec.loss, Z)
    value = _loss_from_output(
        spec, coefs, Y, Z, P, sample_weight, reported, log_P=log_P, sq_norms=sq_norms
    )
    n = Z.shape[1]
    if out is None:
        out = (
            [np.empty_like(c) for c in coefs],
            [np.empty_like(b) for b in intercepts],
        )
    coef_grads, intercept_grads = out

    # the objective's 1 / sum(w) is applied once, to the output delta
    delta = P
    delta -= Y
    if sample_weight is None:
        sw_sum = n
        delta *= 1.0 / n
    else:
        sw_sum = sample_weight.sum()
        delta *= (sample_weight / sw_sum)[:, None]
    _backward(spec, coefs, activations, X, delta, sw_sum, out, workspace)
    return value, coef_grads, intercept_grads
