"""The training engine: stacked = separate, masks, divergence, interruption."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_regression

from sklr import MLPClassifier, MLPRegressor
from sklr._core.network import NetworkSpec, init_params
from sklr._engine import (
    CONVERGED,
    DIVERGED,
    Data,
    DivergenceGuard,
    Hook,
    Plateau,
    train,
)
from sklr.exceptions import DivergenceWarning
from sklr.optim import SGD, Constant


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_stacked_equals_separate_fits(digits_400_scaled, solver):
    """K rates trained stacked give, per network, the weights of K separate fits."""
    X, y = digits_400_scaled
    rates = [1e-3, 1e-2, 1e-1]
    est = MLPClassifier(
        hidden_layer_sizes=(12,),
        solver=solver,
        max_iter=15,
        batch_size=50,
        random_state=0,
        n_iter_no_change=3,
        tol=1e-3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = est._fit_learning_rates(X, y, rates)
        for k, lr in enumerate(rates):
            alone = MLPClassifier(**{**est.get_params(), "learning_rate": lr}).fit(X, y)
            for stacked, single in zip(
                result.coefs + result.intercepts, alone.coefs_ + alone.intercepts_
            ):
                np.testing.assert_allclose(stacked[k], single, rtol=1e-10, atol=1e-13)
            loss = result.history.as_arrays()["loss"][:, k]
            np.testing.assert_allclose(
                loss[~np.isnan(loss)], alone.loss_curve_, rtol=1e-10
            )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize(
    "rates",
    [[1e-2, 1e-1, 1e3], [1e-2, 1e3, 1e-1]],
    ids=["frozen-at-the-end", "frozen-in-the-middle"],
)
def test_frozen_networks_leave_the_others_bits_unchanged(
    digits_400_scaled, solver, rates
):
    """Once a network freezes, the others train on a block of rows (contiguous
    active networks) or on gathered rows (not contiguous): either way, each has
    the bits of its separate fit."""
    X, y = digits_400_scaled
    est = MLPClassifier(
        hidden_layer_sizes=(12,),
        solver=solver,
        max_iter=8,
        batch_size=50,
        random_state=0,
        tol=0.0,
        n_iter_no_change=20,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = est._fit_learning_rates(X, y, rates)
        assert [s == DIVERGED for s in result.status] == [r > 1 for r in rates]
        for k, lr in enumerate(rates):
            if lr > 1:
                continue
            alone = MLPClassifier(**{**est.get_params(), "learning_rate": lr}).fit(X, y)
            for stacked, single in zip(
                result.coefs + result.intercepts, alone.coefs_ + alone.intercepts_
            ):
                np.testing.assert_array_equal(stacked[k], single)


def test_diverged_network_is_frozen_while_others_continue(digits_400_scaled):
    X, y = digits_400_scaled
    est = MLPClassifier(
        hidden_layer_sizes=(12,), max_iter=6, momentum=0.0, random_state=0, tol=0.0
    )
    result = est._fit_learning_rates(X, y, [1e-2, 1e3])
    assert result.status.tolist() == ["active", DIVERGED]
    loss = result.history.as_arrays()["loss"]
    assert loss.shape == (6, 2)
    assert np.all(np.isfinite(loss[:, 0]))  # the good rate trained all epochs
    diverged_at = result.stop_epoch[1]
    # divergence recorded where it happened: inf, or above 10x the initial loss
    assert not loss[diverged_at - 1, 1] <= 10 * loss[0, 0]
    assert np.all(np.isnan(loss[diverged_at:, 1]))  # then no more records
    for p in result.coefs + result.intercepts:
        assert np.all(np.isfinite(p[1]))  # last finite weights kept


def test_divergence_threshold_is_relative_to_initial_loss():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    Y = rng.normal(size=(50, 1))
    spec = NetworkSpec("identity", "squared_error")
    coefs, intercepts = init_params([3, 1], "identity", 2, rng, np.float64)
    guard = DivergenceGuard(factor=10.0, reference_loss=np.array([1.0, 1.0]))

    class FakeLoss(Hook):
        def on_epoch_end(self, run, was_active):
            run.history.loss[-1] = np.array([9.0, 11.0])

    result = train(
        spec,
        coefs,
        intercepts,
        [1e-3, 1e-3],
        Data(X, Y),
        SGD(),
        Constant(),
        batch_size=50,
        max_iter=2,
        shuffle=False,
        rng=rng,
        hooks=[FakeLoss(), guard],
    )
    assert result.status.tolist() == ["active", DIVERGED]


def test_plateau_stops_each_network_on_its_own():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    Y = X @ np.array([[1.0], [-2.0], [0.5]])
    spec = NetworkSpec("identity", "squared_error")
    coefs, intercepts = init_params([3, 1], "identity", 2, rng, np.float64)
    plateau = Plateau(tol=1e-3, n_iter_no_change=2)
    result = train(
        spec,
        coefs,
        intercepts,
        [0.1, 1e-9],
        Data(X, Y),
        SGD(),
        Constant(),
        batch_size=10,
        max_iter=200,
        shuffle=False,
        rng=rng,
        hooks=[plateau],
    )
    assert result.status.tolist() == [CONVERGED, CONVERGED]
    # the tiny rate makes no progress: it stops after n_iter_no_change + 1 epochs
    assert result.stop_epoch[1] == 3
    assert result.stop_epoch[0] > 3


def test_keyboard_interrupt_keeps_last_complete_epoch():
    X, y = make_regression(100, 4, random_state=0)
    y = y / 100

    class Interrupt(Hook):
        def __init__(self):
            self.calls = 0

        def on_batch_end(self, run, batch_loss):
            self.calls += 1
            if run.epoch == 2 and self.calls > 25:
                raise KeyboardInterrupt

    two_epochs = MLPRegressor(
        hidden_layer_sizes=(5,), batch_size=10, max_iter=2, random_state=0, tol=0.0
    ).fit(X, y)
    rng = np.random.RandomState(0)
    coefs, intercepts = init_params([4, 5, 1], "relu", 1, rng, np.float64)
    spec = NetworkSpec("relu", "squared_error", 1e-4)
    with pytest.warns(UserWarning, match="interrupted by user after 2 complete epoch"):
        result = train(
            spec,
            coefs,
            intercepts,
            [0.01],
            Data(X, y.reshape(-1, 1)),
            SGD(momentum=0.9, nesterov=True),
            Constant(),
            batch_size=10,
            max_iter=3,
            shuffle=True,
            rng=rng,
            hooks=[Interrupt()],
        )
    assert result.interrupted and result.n_epochs == 2
    assert len(result.history.loss) == 2
    np.testing.assert_allclose(result.coefs[0][0], two_epochs.coefs_[0], rtol=1e-12)


def test_estimator_divergence_on_digits_warns_and_predicts_finite(digits_400_scaled):
    X, y = digits_400_scaled
    est = MLPClassifier(learning_rate=1e3, momentum=0.0, max_iter=20, random_state=0)
    with pytest.warns(
        DivergenceWarning, match=r"diverged in epoch \d+ with learning rate 1000"
    ):
        est.fit(X, y)
    assert est.diverged_ is True
    assert not est.loss_curve_[-1] <= 10 * est.loss_curve_[0]
    assert len(est.loss_curve_) == est.n_iter_ < 20
    assert np.all(np.isfinite(est.predict_proba(X)))
    assert set(est.predict(X)) <= set(range(10))
    assert all(np.all(np.isfinite(c)) for c in est.coefs_)


def test_analyses_let_keyboard_interrupt_propagate(digits_400_scaled):
    """A stacked fit for an analysis must not be saved as complete when cut short."""
    X, y = digits_400_scaled

    class Interrupt(Hook):
        def on_epoch_end(self, run, was_active):
            raise KeyboardInterrupt

    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        est._fit_learning_rates(X, y, [0.01, 0.1], extra_hooks=[Interrupt()])


def test_check_loss_spans_sorted_data():
    """The divergence reference is the loss on at most CHECK_ROWS rows spread
    over the whole data set: sorted targets do not give a misleading value."""
    from sklr._core.network import loss as full_loss
    from sklr._engine import CHECK_ROWS, subsample_loss

    rng = np.random.RandomState(0)
    n = 5 * CHECK_ROWS + 3
    X = rng.normal(size=(n, 3))
    Y = np.where(np.arange(n) < n // 2, 0.0, 50.0).reshape(-1, 1)  # sorted
    spec = NetworkSpec("relu", "squared_error")
    coefs, intercepts = init_params([3, 4, 1], "relu", 1, rng, np.float64)
    data = Data(X, Y)
    reference = subsample_loss(spec, coefs, intercepts, data)
    exact = full_loss(spec, coefs, intercepts, X, Y)
    np.testing.assert_allclose(reference, exact, rtol=0.02)
    head = full_loss(spec, coefs, intercepts, X[:CHECK_ROWS], Y[:CHECK_ROWS])
    assert head[0] < 0.01 * exact[0]  # what the first rows alone would have said


def test_batches_are_gathered_into_reused_buffers():
    from sklr._core.network import Workspace
    from sklr._engine._loop import _gather

    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(20, 1)), rng.normal(size=(20, 1))  # same shapes
    ws = Workspace()
    rows = rng.permutation(20)
    xb = _gather(ws, "X_batch", X, rows[:8])
    yb = _gather(ws, "Y_batch", Y, rows[:8])
    np.testing.assert_array_equal(xb, X[rows[:8]])
    np.testing.assert_array_equal(yb, Y[rows[:8]])  # X's buffer is not reused
    again = _gather(ws, "X_batch", X, rows[8:16])
    assert again is xb  # the same array, refilled
    np.testing.assert_array_equal(again, X[rows[8:16]])
    assert _gather(ws, "X_batch", X, slice(0, 4)).base is X  # slices stay views


def test_history_takes_a_hook_s_own_records():
    from sklr._engine import Run  # noqa: F401 - the History a Run holds
    from sklr._engine._run import History

    history = History()
    history.loss.append(np.array([1.0, 2.0]))
    history.add("grad_norm", np.array([0.5, 0.7]))
    history.add("grad_norm", np.array([0.4, 0.6]))
    arrays = history.as_arrays()
    assert arrays["grad_norm"].shape == (2, 2) and arrays["val_loss"] is None
    history.truncate(1)
    assert len(history.extra["grad_norm"]) == 1 and len(history.loss) == 1


def test_held_out_loss_is_recorded_in_the_history_by_name(digits_400_scaled):
    """The held-out-loss hook writes to ``History`` (docs/design.rst): one row per
    epoch, network k's reported loss on the held-out set, read by its name."""
    from sklearn.metrics import log_loss

    from sklr._engine import HeldOutLoss

    X, y = digits_400_scaled
    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=4, alpha=0.0, random_state=0)
    result = est._fit_learning_rates(
        X[:300], y[:300], [1e-2, 1e-1], X_held_out=X[300:], y_held_out=y[300:]
    )
    records = result.history.as_arrays()
    held = records[HeldOutLoss.NAME]
    assert held.shape == records["loss"].shape == (4, 2)
    for k in range(2):
        net = est._network(result, k)
        expected = log_loss(y[300:], net.predict_proba(X[300:]), labels=net.classes_)
        assert held[-1, k] == pytest.approx(expected, rel=1e-10)


def test_ctrl_c_in_a_searchs_refit_stops_the_search(digits_400_scaled):
    """A plain fit ends cleanly on Ctrl-C, but the refit of a search lets it
    through: an interrupted command exits as interrupted, never with a refit
    cut short presented as the answer."""
    from sklr import LearningRateSearchCV
    from sklr._engine import Hook

    X, y = digits_400_scaled

    class Interrupt(Hook):
        def on_epoch_end(self, run, was_active):
            raise KeyboardInterrupt

    class InterruptedOnAllRows(MLPClassifier):
        def _monitors(self, data):
            hooks = super()._monitors(data)
            return [*hooks, Interrupt()] if len(data.X) == len(X) else hooks

    est = InterruptedOnAllRows(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with pytest.warns(UserWarning, match="interrupted by user"):
        est.fit(X, y)  # a plain fit: cleanly ended
    search = LearningRateSearchCV(est, [0.01, 0.1], cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(KeyboardInterrupt):
            search.fit(X, y)
    assert not hasattr(search, "refit_time_")  # the refit did not complete
