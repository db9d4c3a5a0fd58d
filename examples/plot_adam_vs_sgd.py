"""
Adam and SGD: different sensitivities
=====================================

The same network on the same standardised digits, trained for 20 epochs by SGD with
Nesterov momentum 0.9 (sklr's default) and by Adam, at every rate of the default grid
(1e-5 to 10, two per decade), cross-validated on 5 folds: one
:class:`~sklr.LearningRateSearchCV` with the solver in ``param_grid``, so both see
the same folds, initial weights and mini-batches. Adam divides each step by a running
estimate of the gradient's size, so its learning rate is close to the size of a weight
change, whatever the scale of the gradients; SGD's step is the rate times the
gradient. Their U-curves therefore differ in shape: on this problem Adam's good range
reaches a decade further towards small rates, and because its steps are bounded by
about the rate, the largest rates make it wander rather than explode: no rate
diverges for Adam, while SGD diverges at the largest. Their best rates differ too,
so sweep again when you switch solver.

The printout below the code gives each solver's best rate, good range (and its width
in decades) and the smallest rate that diverged, if any.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LearningRateSensitivityDisplay
from sklr.search import by_point, point_params

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), max_iter=20, tol=0.0, random_state=0),
)
search = LearningRateSearchCV(
    pipe,
    param_grid={"mlpclassifier__solver": ["sgd", "adam"]},
    cv=5,
    n_jobs=2,
    refit=False,
).fit(X, y)

scores = by_point(search, search.cv_results_["mean_test_score"])
diagnoses = by_point(search, search.diagnosis_)
rates = search.learning_rates_
for params, score, diagnosis in zip(point_params(search), scores, diagnoses):
    good = rates[diagnosis == "good"]
    diverged = rates[diagnosis == "diverged"]
    first_diverged = f"{diverged.min():.3g}" if len(diverged) else "none"
    best = rates[np.nanargmax(score)]
    print(f"{params['mlpclassifier__solver']}:")
    print(f"  best rate {best:.3g} (mean test accuracy {np.nanmax(score):.4f})")
    width = np.log10(good.max() / good.min())
    print(f"  good range {good.min():.3g} .. {good.max():.3g} ({width:.2g} decade(s))")
    print(f"  smallest diverged rate: {first_diverged}")

display = LearningRateSensitivityDisplay.from_cv_results(search)
display.ax_.set_title("SGD (momentum 0.9) and Adam, 20 epochs")
plt.show()
