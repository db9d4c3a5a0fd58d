"""What every Display shares: the axes to draw on (matplotlib is imported here,
inside the function, so that ``import sklr`` never imports it)."""


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(layout="constrained")  # room for outside legends
    return ax, ax.figure
