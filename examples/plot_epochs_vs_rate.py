"""
Smaller learning rates need more epochs
=======================================

For each rate, count the epochs plain SGD needs to bring the training loss of digits
below a target (0.5). Halving the rate roughly doubles the epochs — until the rate is so
large that training no longer settles and never reaches the target.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32,),
        momentum=0.0,
        max_iter=150,
        tol=0.0,
        n_iter_no_change=150,
        random_state=0,
    ),
)
rates = np.logspace(-3, 1, 13)
search = LearningRateSearchCV(pipe, rates, cv=2, n_jobs=2, refit=False).fit(X, y)

target = 0.5
with warnings.catch_warnings():  # all folds stopped: NaN, "mean of empty slice"
    warnings.simplefilter("ignore", RuntimeWarning)
    curves = np.nanmean(search.loss_curves_, axis=1)  # mean over folds, per epoch
epochs = np.array(
    [np.argmax(c < target) + 1 if np.any(c < target) else np.nan for c in curves]
)
fig, ax = plt.subplots()
ax.loglog(rates, epochs, "o-", label=f"epochs to reach a training loss of {target}")
reached = np.isfinite(epochs)
ax.loglog(
    rates[reached],
    epochs[reached][0] * rates[reached][0] / rates[reached],
    "k:",
    label="proportional to 1 / rate",
)
for r in rates[~reached]:
    ax.axvline(r, color="tab:red", alpha=0.3)
ax.set_xlabel("learning rate")
ax.set_ylabel("epochs")
ax.set_title("Epochs needed against learning rate (red: never reached)")
ax.legend()
plt.show()
