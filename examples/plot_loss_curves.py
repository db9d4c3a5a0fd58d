"""
Loss curves of a too-low, a good, an oscillating and a diverging rate
=====================================================================

The diagnostic plot: training (left) and held-out (right) loss per epoch on the first
fold, for four rates of SGD with Nesterov momentum 0.9 (sklr's default) on digits. The
smallest rate crawls; the good rate falls fast and settles; the large rate's training
loss rises in many epochs (that is what "oscillating" means: in at least 40% of them,
over the folds) and its fits stop early, when the loss has not improved for
``n_iter_no_change`` epochs (circle); the largest explodes in its first epoch (cross),
after which training of that rate stops with its last finite weights. The search's own
diagnosis of each rate is printed below the code: it is what the title says.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LossCurveDisplay

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, tol=0.0, random_state=0),
)
rates = [1e-3, 0.03, 1.0, 10.0]
search = LearningRateSearchCV(pipe, rates, cv=3, n_jobs=2, refit=False).fit(X, y)
epochs = (~np.isnan(search.loss_curves_)).sum(axis=2)  # epochs run, per fold
for rate, diagnosis, n in zip(rates, search.diagnosis_, epochs):
    print(f"learning rate {rate:g}: {diagnosis} (epochs run per fold: {n.tolist()})")
LossCurveDisplay.from_cv_results(search, fold=0)
plt.show()
