"""
How sensitive is each model family to its learning rate?
=========================================================

:class:`~sklr.LearningRateSearchCV` runs the same analysis for any estimator with a
step size: sklr's MLP (``learning_rate``, every rate of a fold trained at once),
scikit-learn's MLP (``learning_rate_init``), ``SGDClassifier`` (``eta0``) and
``HistGradientBoostingClassifier`` (``learning_rate``), the last three fitted once
per fold and rate exactly as ``GridSearchCV`` fits them. Each gets its family's
default grid (1e-5 to 10 for gradient descent, 1e-3 to 3.16 for boosting), the
same folds and the same diagnosis. The printout gives each one's best rate, its
good range, and the time the search took.
"""

import time
import warnings

import matplotlib.pyplot as plt
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LearningRateSensitivityDisplay

X, y = load_digits(return_X_y=True)
mlp = {"hidden_layer_sizes": (64,), "max_iter": 30, "random_state": 0}
models = {
    "sklr MLPClassifier": make_pipeline(StandardScaler(), MLPClassifier(**mlp)),
    "scikit-learn MLPClassifier (sgd)": make_pipeline(
        StandardScaler(), SklearnMLPClassifier(solver="sgd", **mlp)
    ),
    "SGDClassifier (constant)": make_pipeline(
        StandardScaler(),
        SGDClassifier(loss="log_loss", learning_rate="constant", random_state=0),
    ),
    "HistGradientBoostingClassifier": HistGradientBoostingClassifier(
        max_iter=30, early_stopping=False, random_state=0
    ),
}
# start the two workers, and import every model's code in them, before timing
Parallel(n_jobs=2)(delayed(clone)(m) for m in models.values() for _ in range(2))
fig, axes = plt.subplots(2, 2, figsize=(11, 8), layout="constrained")
for (name, model), ax in zip(models.items(), axes.ravel(), strict=True):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of short budgets
        search = LearningRateSearchCV(model, cv=3, n_jobs=2).fit(X, y)
    seconds = time.perf_counter() - start
    LearningRateSensitivityDisplay.from_cv_results(search, ax=ax)
    ax.set_title(f"{name}\n{search.param_}", fontsize="medium")
    ax.get_legend().remove()
    low, high = search.good_range_
    diverged = search.learning_rates_[search.diagnosis_ == "diverged"]
    print(
        f"{name:34} best {search.best_learning_rate_:<8.3g} good range "
        f"{low:.3g} .. {high:.3g}  ({len(search.learning_rates_)} rates, "
        f"{seconds:.1f} s); diverged: "
        + (", ".join(f"{r:.3g}" for r in diverged) or "none")
    )

# %%
# What each one shows
# -------------------
# The two MLPs are the same network trained the same way, and their curves agree:
# a wide plateau of good rates below 1, a fall on the left where 30 epochs are too
# few, and the largest rates diverged (the strip at the top). They get there
# differently: sklr stops a network as soon as its loss exceeds ten times its
# initial value; scikit-learn's MLP trains on while its weights and loss grow
# without bound (its clipped probabilities stay finite, so ``GridSearchCV`` would
# score it), and the search calls a training loss a million times its first
# epoch's diverged. ``SGDClassifier`` is a
# linear model on the same features: its curve is flatter (a convex loss forgives
# a poor step size), so flat that with three folds no rate is clearly worse than
# the best and the whole grid is "good"; its best score is lower. Boosting's rate
# is a shrinkage of each tree, not a step of gradient descent: small rates
# underfit in 30 rounds,
# and above about 1 each tree overshoots the residuals and the score collapses.
#
# Where the time goes: sklr's MLP trains all 13 rates of a fold as one stack, so
# its search costs about the time of a few single fits; the other estimators are
# fitted once per fold and rate, which is what ``GridSearchCV`` costs (here with
# two workers).
