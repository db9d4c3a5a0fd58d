"""
Smaller batches suit smaller learning rates
===========================================

Cross the learning-rate grid with three batch sizes (``param_grid``). The heat map
shows the mean test accuracy of every (rate, batch size) pair on digits after 20 epochs
of plain SGD, with the best rate of each batch size boxed: the smaller the batch, the
smaller the best rate — and the sooner large rates diverge (grey).
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.plotting import LearningRateBatchSizeDisplay, LearningRateSensitivityDisplay

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

fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
LearningRateBatchSizeDisplay.from_cv_results(search, ax=left)
LearningRateSensitivityDisplay.from_cv_results(search, ax=right)
right.set_title("One U per batch size")
plt.show()
