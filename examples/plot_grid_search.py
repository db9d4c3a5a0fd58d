"""
GridSearchCV and HalvingGridSearchCV over the learning rate
===========================================================

``learning_rate`` is an ordinary float hyperparameter of sklr's estimators, so
scikit-learn's own searches work on it, inside a Pipeline. ``HalvingGridSearchCV``
with ``resource="max_iter"`` gives every rate a few epochs, keeps the best half, and
doubles the epochs: a cheap way to discard rates that diverge or crawl.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import MLPClassifier

# The epoch budgets (20 epochs, or the halving rounds') are what is compared here,
# not a fault: the refits would warn that they stopped at max_iter.
warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), max_iter=20, random_state=0),
)
rates = np.logspace(-4, 0, 9)
grid = GridSearchCV(pipe, {"mlpclassifier__learning_rate": rates}, cv=3, n_jobs=2).fit(
    X, y
)
halving = HalvingGridSearchCV(
    pipe,
    {"mlpclassifier__learning_rate": rates},
    resource="mlpclassifier__max_iter",
    min_resources=5,
    max_resources=40,
    factor=2,
    cv=3,
    n_jobs=2,
    random_state=0,
).fit(X, y)

fig, ax = plt.subplots()
ax.semilogx(
    rates,
    grid.cv_results_["mean_test_score"],
    "o-",
    label="GridSearchCV (20 epochs each)",
)
res = halving.cv_results_
for it in np.unique(res["iter"]):
    mask = res["iter"] == it
    ax.semilogx(
        np.asarray(res["param_mlpclassifier__learning_rate"])[mask],
        res["mean_test_score"][mask],
        "s",
        alpha=0.8,
        label=f"Halving, round {it} ({res['n_resources'][mask][0]} epochs)",
    )
ax.set_xlabel("learning rate")
ax.set_ylabel("mean test accuracy")
ax.set_title(
    f"best: grid {grid.best_params_['mlpclassifier__learning_rate']:.3g}, "
    f"halving {halving.best_params_['mlpclassifier__learning_rate']:.3g}"
)
ax.legend(fontsize="small")
plt.show()
