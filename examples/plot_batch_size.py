"""
Smaller batches suit smaller learning rates
===========================================

Cross the learning-rate grid with three batch sizes (``param_grid``). The heat map
shows the mean test accuracy of every (rate, batch size) pair on digits after 20 epochs
of plain SGD, with the best rate of each batch size boxed; diverged cells are grey.
The printout below the code gives, for each batch size, the best rate, the good range
and the smallest rate that diverged. Read the trend from the good range and the
divergence threshold: as the batch shrinks, both move towards smaller rates. The best
rate alone is a coarse signal: it moves by whole grid steps (half a decade) and can
stay put between two batch sizes when their best scores are close.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LearningRateBatchSizeDisplay, LearningRateSensitivityDisplay
from sklr.search import by_point, point_params

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32,), momentum=0.0, max_iter=20, tol=0.0, random_state=0
    ),
)
search = LearningRateSearchCV(
    pipe,
    param_grid={"mlpclassifier__batch_size": [16, 64, 256]},
    cv=3,
    n_jobs=2,
    refit=False,
).fit(X, y)

scores = by_point(search, search.cv_results_["mean_test_score"])
diagnoses = by_point(search, search.diagnosis_)
rates = search.learning_rates_
for params, score, diagnosis in zip(point_params(search), scores, diagnoses):
    good = rates[diagnosis == "good"]
    diverged = rates[diagnosis == "diverged"]
    print(
        f"batch size {params['mlpclassifier__batch_size']:>3}: "
        f"best rate {rates[np.nanargmax(score)]:.3g}, "
        f"good range {good.min():.3g} .. {good.max():.3g}, "
        f"smallest diverged rate {diverged.min():.3g}"
    )

fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
LearningRateBatchSizeDisplay.from_cv_results(search, ax=left)
LearningRateSensitivityDisplay.from_cv_results(search, ax=right)
right.set_title("One U per batch size")
plt.show()
