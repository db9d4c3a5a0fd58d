"""
Loss curves of a too-low, a good, an oscillating and a diverging rate
=====================================================================

The diagnostic plot: training (solid) and held-out (dashed) loss per epoch, for four
rates of plain SGD on digits. The smallest rate crawls; the good rate falls fast and
settles; the large rate jumps around; the largest explodes in its first epoch (cross),
after which training of that rate stops with its last finite weights.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LossCurveDisplay

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32,), momentum=0.0, max_iter=30, tol=0.0, random_state=0
    ),
)
rates = [1e-3, 0.1, 1.0, 10.0]
search = LearningRateSearchCV(pipe, rates, cv=3, n_jobs=2, refit=False).fit(X, y)
for rate, diagnosis in zip(rates, search.diagnosis_):
    print(f"learning rate {rate:g}: {diagnosis}")
display = LossCurveDisplay.from_cv_results(search, fold=0)
display.ax_.set_title("Loss per epoch, one line per learning rate (fold 0)")
plt.show()
