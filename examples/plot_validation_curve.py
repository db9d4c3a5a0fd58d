"""
scikit-learn's validation curve, and what a diverged fit does to it
===================================================================

``learning_rate`` is an ordinary hyperparameter, so scikit-learn's
:class:`~sklearn.model_selection.ValidationCurveDisplay` draws score against rate
directly. On diabetes, with the target in its own units (a mean of about 150), the
larger rates diverge. By default (``on_divergence="warn"``) a diverged fit keeps
the weights of its last sound epoch (here the initial ones) and scikit-learn scores
them as if the rate had trained: the curve falls back to the untrained network's R²,
as if those rates were too slow to learn. With ``on_divergence="raise"`` the fit raises
:class:`~sklr.exceptions.DivergenceError`, a ``ValueError``; scikit-learn records
``error_score`` (NaN) for it, as it does for its own MLP, and the curve keeps only
the rates that trained. :class:`~sklr.LearningRateSearchCV` does this by itself
and diagnoses each rate too; see :ref:`sphx_glr_auto_examples_plot_u_curve.py`.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import ValidationCurveDisplay
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import MLPRegressor

X, y = load_diabetes(return_X_y=True)
rates = np.logspace(-5, 0, 11)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, mode in zip(axes, ["warn", "raise"], strict=True):
    pipe = make_pipeline(
        StandardScaler(),
        MLPRegressor(
            hidden_layer_sizes=(32,), max_iter=50, random_state=0, on_divergence=mode
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the divergence and convergence warnings
        display = ValidationCurveDisplay.from_estimator(
            pipe,
            X,
            y,
            param_name="mlpregressor__learning_rate",
            param_range=rates,
            cv=5,
            ax=ax,
        )
    test = display.test_scores.mean(axis=1)
    failed = np.isnan(test)
    if failed.any():  # the rates scikit-learn recorded as error_score
        ax.axvspan(
            rates[failed].min() / 10**0.25,
            rates[-1] * 10**0.25,
            color="tab:red",
            alpha=0.1,
            label="diverged: error_score (NaN)",
        )
        ax.legend(loc="lower right")
    ax.set_xlim(rates[0] / 10**0.25, rates[-1] * 10**0.25)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("R²")
    ax.set_title(f'on_divergence="{mode}"')
    print(f"{mode:>5}: mean test R² per rate:", np.array2string(test, precision=3))

# %%
# With ``"warn"`` the diverged rates score about -4, the R² of the untrained network
# (it predicts about 0 for a target whose mean is 150): the right of the curve looks
# like rates too slow to learn, not like rates that blew up. With
# ``"raise"`` the diverged rates are NaN (left out) and the curve shows what matters:
# R² rises from the rates that crawl to a plateau below about 3e-3, and the rates
# above it diverged on at least one fold. Standardising the target
# (:class:`~sklearn.compose.TransformedTargetRegressor`) moves the whole curve
# towards larger rates.
