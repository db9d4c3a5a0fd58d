"""
The LR range test against the full sweep
========================================

One run of :func:`sklr.lr_find` (the rate raised at every mini-batch) costs 100
mini-batches (its cost in epochs of digits is printed below); the sweep trains every
rate for 20 epochs on 3 folds. The figure marks the range test's suggestion (red,
rule "fall") on the sweep's U-curve, with the good range shaded green; the printout
says whether the suggestion falls inside the good range on this task. On other tasks
it is a first guess: see "How accurate is the recommendation?" in the documentation.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, lr_find
from sklr.plotting import LearningRateSensitivityDisplay

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32,), momentum=0.0, max_iter=20, tol=0.0, random_state=0
    ),
)
result = lr_find(pipe, X, y, start_lr=1e-5, end_lr=10, num_steps=100)
search = LearningRateSearchCV(pipe, cv=3, n_jobs=2, refit=False).fit(X, y)

low, high = search.good_range_
print(
    f"range test: suggestion {result.suggestion:.3g}, cost {result.n_epochs:.1f} epochs"
)
print(f"sweep: best rate {search.best_learning_rate_:.3g}, good range", end=" ")
print(f"{low:.3g} .. {high:.3g}")
print("suggestion inside the good range:", bool(low <= result.suggestion <= high))

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
result.plot(ax=left)
display = LearningRateSensitivityDisplay.from_cv_results(
    search, metric="loss", ax=right
)
right.axvline(result.suggestion, color="tab:red", ls="--")
right.set_title(
    f"Sweep (best {search.best_learning_rate_:.3g}) and the range test's "
    f"suggestion ({result.suggestion:.3g})"
)
right.get_legend().remove()
plt.show()
