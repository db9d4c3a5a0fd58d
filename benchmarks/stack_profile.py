"""Where a stacked epoch's time goes: products, elementwise work, the optimiser,
the mini-batch gather, and the rest (hooks, held-out loss, the loop).

    python -m benchmarks.stack_profile            # K = 1, 4, 16 in two settings
    python -m benchmarks.stack_profile --quick    # K = 1, 4, fewer repeats

Two settings: the CLI's default network (digits, (100,), Nesterov SGD, batch
200, alpha 1e-4) and a small one (iris, (16,), batch 8). For each K, on one BLAS
thread:

* ``epoch``: the steady-state time of an epoch of the search's fold call
  (``MLPClassifier._fit_learning_rates`` with a held-out part, as a search
  task runs it): (fit of 4 epochs - fit of 1 epoch) / 3, K rates that do not
  diverge;
* ``products``: the matrix products of the epoch's mini-batches alone, the very
  calls of ``sklr._core.network`` (``np.matmul`` with the engine's shapes,
  operands and ``out=`` arrays);
* ``elementwise``: ``loss_and_grad`` per mini-batch minus its products (bias
  adds, activations and their derivatives, softmax and log-loss, the L2 term,
  bias gradients, the finiteness checks, and the Python between them);
* ``optimiser``: ``optimizer.apply`` on the stacked flat weights;
* ``gather``: copying each mini-batch's rows;
* ``held_out``: the loss of every network on the held-out part after the epoch
  (the search's held-out loss curves; a forward pass, mostly products);
* ``rest``: the epoch minus the five above (the other hooks: divergence checks,
  the kept weights of the last epochs; the loop's bookkeeping).

Each part is timed alone on the engine's own arrays, medians of interleaved
repeats. Results go to ``benchmarks/results/stack_profile.json`` and ``.md``.
"""

import argparse
import datetime
import json
import os
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, load_iris
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import sklr
from sklr._core.batching import gen_batches
from sklr._core.network import (
    Layout,
    NetworkSpec,
    Workspace,
    init_params,
    loss_and_grad,
    squared_norms,
)
from sklr._core.network import loss as network_loss
from sklr._engine._loop import _gather
from sklr.optim import SGD

from .run import _machine

RESULTS = Path(__file__).parent / "results"
SETTINGS = {
    "default": dict(data="digits", hidden=(100,), batch_size=200, rates=(-3, -1)),
    "small": dict(data="iris", hidden=(16,), batch_size=8, rates=(-3, -1.5)),
}
PARTS = ("products", "elementwise", "optimiser", "gather", "held_out", "rest")


def _data(name):
    X, y = (load_digits if name == "digits" else load_iris)(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _median_times(fns, repeat):
    """Median seconds of each function, run interleaved ``repeat`` times."""
    times = [[] for _ in fns]
    for fn in fns:
        fn()  # warm up: workspaces, caches
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def _products(spec, coefs, X, deltas, acts, grads, ws):
    """The engine's matrix products of one mini-batch (forward and backward),
    with its shapes, operands and outputs (``sklr._core.network``)."""
    K = coefs[0].shape[0]
    n = X.shape[0]
    Zs = [ws.get(f"pZ{i}", (K, n, c.shape[2]), c.dtype) for i, c in enumerate(coefs)]
    ds = [ws.get(f"pd{i}", (K, n, c.shape[1]), c.dtype) for i, c in enumerate(coefs)]

    def run():
        A = X
        for i, W in enumerate(coefs):
            np.matmul(A, W, out=Zs[i])
            A = acts[i] if i < len(acts) else None
        for i in range(len(coefs) - 1, -1, -1):
            if i == 0:
                np.matmul(X.T, deltas[0], out=grads[0])
            else:
                np.matmul(acts[i - 1].transpose(0, 2, 1), deltas[i], out=grads[i])
                np.matmul(deltas[i], coefs[i].transpose(0, 2, 1), out=ds[i])

    return run


def profile(setting, K, repeat):
    """The breakdown of one setting at K stacked rates, in seconds per epoch."""
    s = SETTINGS[setting]
    X, y = _data(s["data"])
    n_train = int(0.8 * len(X))
    X_tr, y_tr, X_te, y_te = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    rates = np.logspace(*s["rates"], K)

    def fit(epochs):
        est = sklr.MLPClassifier(
            s["hidden"],
            batch_size=s["batch_size"],
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            random_state=0,
        )

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est._fit_learning_rates(
                    X_tr, y_tr, rates, X_held_out=X_te, y_held_out=y_te
                )

        return run

    # the engine's arrays at these shapes
    classes = np.unique(y)
    Y = (y_tr[:, None] == classes).astype(float)
    Y_te = (y_te[:, None] == classes).astype(float)
    units = [X.shape[1], *s["hidden"], len(classes)]
    coefs, intercepts = init_params(units, "relu", K, np.random.RandomState(0), float)
    layout = Layout.of(coefs)
    flat = layout.pack(coefs, intercepts)
    grads = np.zeros_like(flat)
    cviews, bviews = layout.views(flat)
    gviews = layout.views(grads)
    spec = NetworkSpec(activation="relu", loss="log_loss", alpha=1e-4)
    ws = Workspace()
    batch = min(s["batch_size"], n_train)
    batches = list(gen_batches(n_train, batch))
    order = np.random.RandomState(0).permutation(n_train)
    rng = np.random.default_rng(0)
    acts = [rng.random((K, batch, h)) for h in s["hidden"]]
    deltas = [rng.random((K, batch, c.shape[2])) for c in cviews]
    Xb = np.ascontiguousarray(X_tr[:batch])
    products = _products(spec, cviews, Xb, deltas, acts, gviews[0], Workspace())
    optimizer = SGD(momentum=0.9, nesterov=True)
    state = optimizer.init([flat])
    lr = np.full(K, 1e-12)  # the weights barely move: every repetition alike

    def epoch_of(step):
        def run():
            for b in batches[:-1] if len(batches) > 1 else batches:
                step(b)
            if len(batches) > 1:  # the last, shorter batch as its own shape
                step(batches[-1])

        return run

    def lag(b):
        idx = order[b]
        loss_and_grad(
            spec,
            cviews,
            bviews,
            _gather(ws, "X_batch", X_tr, idx),
            _gather(ws, "Y_batch", Y, idx),
            None,
            out=gviews,
            sq_norms=squared_norms(flat, layout.n_coef),
            workspace=ws,
        )

    def gather(b):
        idx = order[b]
        _gather(ws, "X_batch", X_tr, idx)
        _gather(ws, "Y_batch", Y, idx)

    def opt(b):
        optimizer.apply([flat], [grads], state, lr)

    eval_ws = Workspace()

    def held_out():
        network_loss(spec, cviews, bviews, X_te, Y_te, None, workspace=eval_ws)

    n_batches = len(batches)
    with threadpool_limits(limits=1, user_api="blas"):
        t1, t4, t_lag, t_prod, t_gather, t_opt, t_held = _median_times(
            [
                fit(1),
                fit(4),
                epoch_of(lag),
                lambda: [products() for _ in range(n_batches)],
                epoch_of(gather),
                epoch_of(opt),
                held_out,
            ],
            repeat,
        )
    epoch = (t4 - t1) / 3
    parts = {
        "products": t_prod,
        "elementwise": t_lag - t_gather - t_prod,  # lag includes the gather
        "optimiser": t_opt,
        "gather": t_gather,
        "held_out": t_held,
    }
    parts["rest"] = epoch - sum(parts.values())
    return {
        "setting": setting,
        "K": K,
        "n_batches": n_batches,
        "epoch_s": epoch,
        **{f"{k}_s": v for k, v in parts.items()},
    }


def markdown(results):
    lines = [
        "# Where a stacked epoch's time goes",
        "",
        f"{results['date']}; {results['machine']['platform']}, "
        f"{results['machine']['cpu_count']} cores, one BLAS thread; medians of "
        f"{results['repeat']} interleaved repeats; load average "
        f"{results['load']:.2f}. Reproduce: `{results['command']}`.",
        "",
        "Milliseconds per epoch; in brackets, the share of the epoch. "
        "`vs K=1`: the epoch's time over that of one network; `products vs K=1`: "
        "the products' time over one network's whole epoch.",
        "",
        "| setting | K | epoch ms | "
        + " | ".join(PARTS)
        + " | vs K=1 | products vs K=1 |",
        "|" + "---|" * (5 + len(PARTS)),
    ]
    for r in results["rows"]:
        base = next(
            b for b in results["rows"] if b["setting"] == r["setting"] and b["K"] == 1
        )
        cells = [
            f"{1e3 * r[f'{p}_s']:.2f} ({100 * r[f'{p}_s'] / r['epoch_s']:.0f}%)"
            for p in PARTS
        ]
        lines.append(
            f"| {r['setting']} | {r['K']} | {1e3 * r['epoch_s']:.2f} | "
            + " | ".join(cells)
            + f" | {r['epoch_s'] / base['epoch_s']:.2f} | "
            f"{r['products_s'] / base['epoch_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 15)
    Ks = (1, 4) if args.quick else (1, 4, 16)
    rows = [profile(s, K, repeat) for s in SETTINGS for K in Ks]
    name = "stack_profile" + ("-quick" if args.quick else "")
    results = {
        "name": name,
        "command": "python -m benchmarks.stack_profile"
        + (" --quick" if args.quick else ""),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "repeat": repeat,
        "load": os.getloadavg()[0],
        "rows": rows,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / f"{name}.md").write_text(markdown(results))
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()
