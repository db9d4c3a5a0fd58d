"""Full-batch training with scipy's L-BFGS (``solver="lbfgs"``): no learning
rate, one network."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from .._core.network import loss as network_loss
from .._core.network import loss_and_grad


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
