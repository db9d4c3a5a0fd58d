"""Exactness by construction, at the CLI's default setup.

``sklr sweep`` with its defaults (digits, StandardScaler + a 100-unit MLP, SGD
with momentum 0.9, 50 epochs, 5 folds, 13 rates from 1e-5 to 10) must give the
same bits as separate fits (GridSearchCV over the same sklr Pipeline) at every
rate that did not diverge, whatever ``n_jobs``, the chunking of the rates or the
joblib backend; and a fit must give the same bits whatever the BLAS thread count.
"""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from sklr.cli import build_parser
from sklr.cli._data import load
from sklr.cli._model import resolve
from sklr.cli._sweep import _rates, _search

from ._helpers import dask_backend

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup():
    """The estimator, data and rates of ``sklr sweep`` with no options."""
    args = resolve(build_parser().parse_args(["sweep"]))  # as the command does
    data = load(args.data)
    search = _search(data, args, _rates(args), None)
    return search, data.X, data.y


def _fit(search, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(search).set_params(**params).fit(X, y)


@pytest.fixture(scope="module")
def reference(setup):
    search, X, y = setup
    return _fit(search, X, y, n_jobs=1)


def test_cli_defaults_are_what_this_test_claims(setup):
    search, X, y = setup
    mlp = search.estimator[-1]
    assert X.shape == (1797, 64) and search.cv == 5
    assert len(search.learning_rates) == 13 and mlp.max_iter == 50
    assert mlp.hidden_layer_sizes == [100] or mlp.hidden_layer_sizes == (100,)


def test_search_equals_separate_fits_bit_for_bit(setup, reference):
    """GridSearchCV fits each rate alone (K = 1, in this process's BLAS)."""
    search, X, y = setup
    grid = GridSearchCV(
        search.estimator,
        {"mlp__learning_rate": list(search.learning_rates)},
        cv=search.cv,
        refit=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid.fit(X, y)
    kept = ~reference.diverged_.any(axis=1)
    assert kept.sum() >= 10  # rates up to 1 (not diverged) are compared
    assert 1.0 in reference.learning_rates_[kept]
    for k in range(5):
        key = f"split{k}_test_score"
        np.testing.assert_array_equal(
            reference.cv_results_[key][kept], grid.cv_results_[key][kept]
        )


@pytest.mark.parametrize("how", ["n_jobs=3", "threading"])  # (a Dask cluster below)
def test_same_bits_whatever_n_jobs_chunking_or_backend(setup, reference, how):
    search, X, y = setup
    if how == "threading":
        with joblib.parallel_backend("threading", n_jobs=2):
            other = _fit(search, X, y, n_jobs=None)
    else:
        other = _fit(search, X, y, n_jobs=int(how[-1]))
    _assert_same_bits(other, reference)


def test_same_bits_on_a_dask_cluster(setup, reference):
    search, X, y = setup
    with dask_backend():
        other = _fit(search, X, y, n_jobs=None)
    _assert_same_bits(other, reference)


def _assert_same_bits(a, b):
    for key in ("mean_test_score", *(f"split{k}_test_score" for k in range(5))):
        np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key])
    np.testing.assert_array_equal(a.loss_curves_, b.loss_curves_)
    np.testing.assert_array_equal(a.validation_loss_curves_, b.validation_loss_curves_)


@pytest.mark.parametrize("rate", [0.316, 1.0])
def test_a_fit_gives_the_same_bits_with_one_or_two_blas_threads(setup, rate):
    """At the edge of stability, where the last bit of a product grows into a
    different network (before: final weights 94% apart at rate 1)."""
    search, X, y = setup
    fits = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fits.append(
                clone(search.estimator).set_params(mlp__learning_rate=rate).fit(X, y)
            )
    for a, b in zip(fits[0][-1].coefs_, fits[1][-1].coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fits[0].predict_proba(X), fits[1].predict_proba(X))


def test_the_docs_sample_run_is_this_run(setup, reference):
    """The sample output of ``sklr sweep`` in README.md and getting_started.rst is
    this search's (reused here: fitting it again would cost a whole sweep)."""
    from sklr.cli._data import load as load_data

    from .test_docs import check_sweep_sample, cli_default_args

    args = cli_default_args()
    check_sweep_sample(reference, load_data(args.data), args)


def test_float32_agrees_with_float64_as_the_readme_says(setup, reference):
    from .test_docs import check_float32_claims

    search, X, y = setup
    check_float32_claims(reference, _fit(search, X.astype(np.float32), y, n_jobs=2))


def test_epoch_budgets_at_the_cli_defaults_as_the_guide_says(reference):
    """docs/sensitivity.rst: on digits at the command's defaults the best rate
    is 0.316 after one epoch and 0.0316 from five epochs on."""
    best = reference.epoch_budgets_.best_rates
    assert best[0] == pytest.approx(10**-0.5)
    np.testing.assert_allclose(best[4:], 10**-1.5)
    assert reference.best_learning_rate_ == pytest.approx(10**-1.5)
