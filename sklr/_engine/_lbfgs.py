"""Full-batch training with scipy's L-BFGS (``solver="lbfgs"``): no learning
rate, one network."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from .._core.network import Layout, loss_and_grad
from .._core.network import loss as network_loss


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
    layout = Layout.of(coefs)  # theta is the flat layout of the one network
    dtype = coefs[0].dtype
    grads = np.empty((1, layout.size), dtype=dtype)

    def unpack(theta):
        return layout.views(theta.astype(dtype)[None])

    def objective(theta):
        c, b = unpack(theta)
        value, _, _ = loss_and_grad(
            spec,
            c,
            b,
            data.X,
            data.Y,
            data.sample_weight,
            out=layout.views(grads),
            reported=False,
        )
        return float(value[0]), grads[0].astype(np.float64)

    theta0 = layout.pack(coefs, intercepts)[0].astype(np.float64)
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
    c, b = [a.copy() for a in c], [a.copy() for a in b]  # not views of theta
    return LbfgsResult(c, b, final, int(res.nit), bool(res.success), str(res.message))
