"""
The U-shaped curve of loss against learning rate
================================================

Train the same network at 13 learning rates from 1e-5 to 10 (two per decade), on 3
cross-validation folds of the digits data, for the same 20 epochs of plain SGD, and
plot the held-out loss after the last epoch against the rate. Rates on the left are
too small to get anywhere in 20 epochs; rates on the right oscillate, then diverge
(red crosses at the top edge); the good rates (shaded) span about an order of
magnitude at the bottom of the U.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LearningRateSensitivityDisplay

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32,), momentum=0.0, max_iter=20, tol=0.0, random_state=0
    ),
)
search = LearningRateSearchCV(pipe, cv=3, n_jobs=2).fit(X, y)

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
LearningRateSensitivityDisplay.from_cv_results(
    search, metric="loss", show_train=True, ax=left
)
left.set_title("Held-out loss after 20 epochs")
LearningRateSensitivityDisplay.from_cv_results(search, ax=right)
right.set_title("Test accuracy after 20 epochs")
right.get_legend().remove()
print(f"best rate {search.best_learning_rate_:.3g}, good range {search.good_range_}")
plt.show()
