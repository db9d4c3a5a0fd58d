"""skorch nets in the search: the step size found, GridSearchCV's scores, the
same bits for any n_jobs, the test fold's loss per epoch, divergence stopped and
explained, and sklr's torch MLP nets."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from sklr import LearningRateSearchCV  # noqa: E402
from sklr.exceptions import DivergedRatesWarning  # noqa: E402
from sklr.skorch import TorchMLP, TorchMLPClassifier, TorchMLPRegressor  # noqa: E402

RATES = [0.01, 0.1, 1.0]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _net(**kwargs):
    params = dict(
        lr=0.1,
        max_epochs=8,
        batch_size=16,
        random_state=0,
        module__hidden_layer_sizes=(8,),
    )
    return TorchMLPClassifier(**{**params, **kwargs})


def _quiet_fit(search, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search.fit(X, y)


def test_lr_is_found_and_scores_equal_grid_search(iris):
    X, y = iris
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = _quiet_fit(LearningRateSearchCV(_net(), RATES, cv=cv), X, y)
    grid = _quiet_fit(GridSearchCV(_net(), {"lr": RATES}, cv=cv), X, y)
    assert search.param_ == "lr"
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        grid.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-10,
    )
    assert search.best_learning_rate_ == grid.best_params_["lr"]
    assert search.loss_curves_.shape == (3, 3, 8)
    assert np.isfinite(search.loss_curves_).all()
    # the refit is the net at the best rate, predicting the labels
    assert search.best_estimator_.lr == search.best_learning_rate_
    assert set(search.predict(X)) <= set(y)


def test_same_bits_for_any_n_jobs_and_in_a_pipeline(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), _net())
    one = _quiet_fit(LearningRateSearchCV(pipe, RATES, cv=3, n_jobs=1), X, y)
    two = _quiet_fit(LearningRateSearchCV(pipe, RATES, cv=3, n_jobs=2), X, y)
    assert one.param_ == "torchmlpclassifier__lr"
    for name in ("loss_curves_", "validation_loss_curves_"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    np.testing.assert_array_equal(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )


def test_held_out_curve_is_the_test_folds_loss(iris):
    """The last epoch's held-out loss is the log-loss of the fold's fitted net
    on its test fold, as scikit-learn computes it (float32 arithmetic)."""
    X, y = iris
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = _quiet_fit(LearningRateSearchCV(_net(), [0.1, 0.3], cv=cv), X, y)
    train, test = next(cv.split(X, y))
    net = clone(_net()).fit(X[train], y[train])
    expected = log_loss(y[test], net.predict_proba(X[test]), labels=[0, 1, 2])
    assert search.validation_loss_curves_[0, 0, -1] == pytest.approx(expected, rel=1e-5)
    # training itself is unchanged by the measurement
    np.testing.assert_allclose(
        search.loss_curves_[0, 0], net.history[:, "train_loss"], rtol=1e-6
    )


def test_divergence_is_stopped_and_explained(iris):
    X, y = iris
    search = LearningRateSearchCV(_net(max_epochs=30), [0.1, 1e4], cv=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    texts = [str(w.message) for w in caught]
    assert not any("test scores are non-finite" in t for t in texts)
    assert [w.category for w in caught].count(DivergedRatesWarning) == 1
    assert search.diverged_.any(axis=1).tolist() == [False, True]
    assert search.diagnosis_[1] == "diverged"
    assert np.isnan(search.cv_results_["mean_test_score"][1])
    # stopped where it blew up, not trained for all 30 epochs
    assert np.isnan(search.loss_curves_[1, :, -1]).all()
    assert search.best_learning_rate_ == 0.1


def test_a_plain_skorch_net_is_seeded_and_reproducible(iris):
    """A net with no random_state: every fit starts from the same torch seed
    (a paired design), so two searches agree, and torch's global state is
    left as it was."""
    from skorch import NeuralNetClassifier

    X, y = iris
    X = X.astype(np.float32)

    net = NeuralNetClassifier(
        TorchMLP,
        module__n_features=4,
        module__n_outputs=3,
        module__hidden_layer_sizes=(8,),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        max_epochs=5,
        batch_size=16,
        train_split=None,
        verbose=0,
    )
    first = _quiet_fit(LearningRateSearchCV(net, [0.1, 1.0], cv=3), X, y)
    second = _quiet_fit(LearningRateSearchCV(net, [0.1, 1.0], cv=3), X, y)
    assert first.param_ == "lr"
    np.testing.assert_array_equal(first.loss_curves_, second.loss_curves_)
    assert np.isfinite(first.validation_loss_curves_).all()


def test_regressor_search_and_one_d_predictions():
    X, y = make_regression(150, 5, noise=5.0, random_state=0)
    y = (y - y.mean()) / y.std()
    net = TorchMLPRegressor(
        max_epochs=10, batch_size=16, random_state=0, module__hidden_layer_sizes=(8,)
    )
    search = _quiet_fit(LearningRateSearchCV(net, [1e-3, 1e-2, 1e-1], cv=3), X, y)
    assert search.best_learning_rate_ == 0.1
    assert search.cv_results_["mean_test_score"][-1] > 0.9
    assert search.predict(X).shape == (150,)
    assert np.isfinite(search.validation_loss_curves_).all()


def test_torch_mlp_nets_take_scikit_learn_data(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    net = _net(max_epochs=20).fit(X, labels)
    assert list(net.classes_) == list(
        labels[np.sort(np.unique(y, return_index=True)[1])]
    )
    assert net.predict(X).dtype == labels.dtype
    assert net.score(X, labels) > 0.8
    again = clone(net).fit(X, labels)
    np.testing.assert_array_equal(net.predict_proba(X), again.predict_proba(X))
    with pytest.raises(ValueError, match="'random_state' parameter .* int or None"):
        _net(random_state=0.5).fit(X, y)
    with pytest.raises(ValueError, match="'activation' parameter of TorchMLP"):
        _net(module__activation="swish").fit(X, y)
    with pytest.raises(AttributeError, match="call fit first"):
        _net().initialize()


def test_torch_mlp_gradients_match_finite_differences():
    """TorchMLP's autograd gradients against central differences (float64)."""
    torch.manual_seed(0)
    for activation in ("relu", "tanh", "logistic", "identity"):
        module = TorchMLP(3, 2, hidden_layer_sizes=(4, 3), activation=activation)
        module = module.double()
        X = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(module, (X,), eps=1e-6, atol=1e-5)


def test_range_test_of_a_skorch_net(iris):
    """lr_find ramps the torch optimiser's rate every mini-batch with sklr's
    recorder and rules: the rates recorded are the ramp's, the run stops when
    the loss explodes, the suggestion lies where the sweep learns, and the
    result is reproducible."""
    from sklr import lr_find

    X, y = iris
    net = make_pipeline(StandardScaler(), _net(batch_size=8))
    first = lr_find(net, X, y, start_lr=1e-4, end_lr=100, num_steps=120)
    again = lr_find(net, X, y, start_lr=1e-4, end_lr=100, num_steps=120)
    np.testing.assert_array_equal(first.losses, again.losses)
    assert first.stopped_early and len(first.losses) < 120
    # each loss with the rate of its own mini-batch, from start_lr on, as for
    # sklr's MLPs
    ramp = 1e-4 * 1e6 ** (np.arange(len(first.losses)) / 119)
    np.testing.assert_allclose(first.learning_rates, ramp, rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # none from the rules
        lr_find(_net(batch_size=8), X, y)
    assert 1e-3 < first.suggestion < 10
    assert first.n_epochs == pytest.approx(len(first.losses) / 19)
    with pytest.warns(UserWarning, match="only 10 steps"):
        lr_find(_net(), X, y, num_steps=10)


def test_torch_mlp_command_names_its_losses_and_versions(tmp_path):
    """``sklr sweep --model torch-mlp``: the held-out loss is the criterion's
    (MSELoss: the whole mean squared error, no L2 term), named so in every file,
    and the versions list torch and skorch."""
    import json

    from sklr.cli import main

    X, y = make_regression(120, 3, noise=5.0, random_state=0)
    csv = tmp_path / "sales.csv"
    rows = ["a,b,c,price"] + [",".join(map(str, [*x, t])) for x, t in zip(X, y)]
    csv.write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    argv = ["sweep", str(csv), "--model", "torch-mlp", "--epochs", "3", "--cv", "2"]
    argv += ["--n-jobs", "1", "--hidden", "8", "--quiet", "--out", str(out)]
    assert main([*argv, "--lr-min", "1e-3", "--lr-max", "1e-1", "--no-plots"]) == 0
    doc = json.loads((out / "results.json").read_text())
    assert doc["held_out_loss"] == "mse"
    assert {"torch", "skorch"} <= set(doc["versions"])
    assert "mean_final_held_out_mse" in doc["candidates"][0]
    assert "held_out_half_mse" not in (out / "results.csv").read_text()


def test_skorch_nets_warn_of_their_own_split_and_explain_a_dtype_mismatch(iris):
    """A net that keeps part of each fold for skorch's own validation warns
    (once per search, and in the range test); float64 data for a float32 module
    fails with the cast to make, not torch's bare dtype error."""
    from skorch import NeuralNetClassifier

    from sklr import lr_find
    from sklr.exceptions import TrainSplitWarning

    X, y = iris
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    )  # float32 weights, no cast of its input
    net = NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        lr=0.1,
        max_epochs=2,
        batch_size=16,
    )
    X32 = X.astype(np.float32)
    with pytest.warns(TrainSplitWarning, match="train_split=None") as caught:
        LearningRateSearchCV(net, RATES, cv=2).fit(X32, y)
    assert sum(w.category is TrainSplitWarning for w in caught) == 1
    with pytest.warns(TrainSplitWarning, match="the range test"):
        lr_find(net, X32, y, num_steps=20)
    net.set_params(train_split=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainSplitWarning)
        LearningRateSearchCV(net, RATES, cv=2, error_score="raise").fit(X32, y)
        with pytest.raises(TypeError, match=r"X\.astype\(np\.float32\)"):
            LearningRateSearchCV(net, RATES, cv=2, error_score="raise").fit(X, y)
    # skorch's default criterion (NLLLoss) on logits: every rate fails, and the
    # error says why
    from sklr.exceptions import NoUsableScoreError

    net.set_params(criterion=torch.nn.NLLLoss)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(NoUsableScoreError, match="CrossEntropyLoss"):
            LearningRateSearchCV(net, RATES, cv=2).fit(X32, y)
