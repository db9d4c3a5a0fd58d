"""
The U-shaped curve of loss against learning rate
================================================

Train the same network at 13 learning rates from 1e-5 to 10 (two per decade), on 3
cross-validation folds of the digits data, for the same 20 epochs of plain SGD, and
plot the held-out loss after the last epoch against the rate. Rates on the left are
too small to get anywhere in 20 epochs; on the right, just past the good rates, the
largest rates diverge (red crosses at the top edge) without the held-out loss
rising first (here the U's right arm is a cliff); the good rates (shaded) lie at
the bottom of the U. The printout below the code gives the diagnosis of every rate
(a rate past the good range is ``oscillating`` or ``diverged``), how many oscillate
without diverging, and how wide the good range is in decades: two neighbouring
rates of this grid are half a decade apart.
"""

import matplotlib.pyplot as plt
import numpy as np
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
for rate, diagnosis in zip(search.learning_rates_, search.diagnosis_):
    print(f"learning rate {rate:<8.3g} {diagnosis}")
low, high = search.good_range_
print(f"best rate {search.best_learning_rate_:.3g}")
print(f"good range {low:.3g} .. {high:.3g}: {np.log10(high / low):.2g} decade(s) wide")
print(f"oscillating rates: {np.sum(search.diagnosis_ == 'oscillating')}")
plt.show()
