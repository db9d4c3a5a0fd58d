"""The progress display of ``sklr sweep``: one overall bar (tasks done out of the
total, time elapsed, time left) and one line per task running now.

The search reports its tasks through scikit-learn's callbacks: a task of
``LearningRateSearchCV`` (one fold, its rates) is the ``fit`` of the MLP, whose
epochs are its subtasks. :class:`SweepProgress` is an auto-propagated callback:
joblib's workers (loky processes, or a Dask cluster on this machine) receive a
copy of it, which sends small messages to the parent process over scikit-learn's
callback transport (the one its ``ProgressBar`` uses); there, :class:`Display`
draws them with rich. A finished task leaves the screen, and so does the whole
display when the sweep ends (it is transient), before the table is printed.

Progress is best effort: a worker that cannot reach the parent (a remote Dask
worker) stops sending, and its tasks still run.
"""

import threading

from .._sklearn import callback_transport

#: Depth of a context in the search's task tree (the search, its round, a
#: task, an epoch): a task and an epoch.
_TASK, _EPOCH = 3, 4

#: The displays of the sweeps running in this process, by the root context's id;
#: they hold a console and threads, so they are not sent to the workers.
_DISPLAYS = {}


class Display:
    """Draws the progress of one sweep on a rich console.

    Parameters
    ----------
    console : rich.console.Console
        Where to draw.
    root : sklearn.callback.CallbackContext
        The search's root context; its children are the tasks to run.
    auto_refresh : bool, default=True
        Redraw in a background thread (10 times a second); when False, every
        message redraws at once (deterministic, for tests).
    """

    def __init__(self, console, root, *, auto_refresh=True):
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.root = root
        self.auto_refresh = auto_refresh
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            _count_column(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            auto_refresh=auto_refresh,
        )
        self.overall = self.progress.add_task("sweep", total=None, unit="tasks")
        self.running = {}  # task number -> rich task id
        self._numbers = {}  # (round, task id) -> task number
        self.done = set()
        self._lock = threading.Lock()

    def start(self):
        self.progress.start()

    def stop(self):
        """Remove the display from the screen."""
        self.progress.stop()

    def handle(self, message):
        """Apply one message from a task: ``(kind, task_id, epoch, n_epochs)``.

        It never raises: it runs in the thread that acknowledges the workers'
        messages, and a worker waits for that acknowledgement."""
        try:
            self._handle(*message)
        except Exception:  # progress must never stop the sweep
            pass

    def _handle(self, kind, task, epoch, n_epochs):
        # a task is (its round, its id in the round): numbered 0, 1, ... as seen
        key = tuple(task) if isinstance(task, list | tuple) else task
        task = self._numbers.setdefault(key, len(self._numbers))
        with self._lock:
            if kind == "begin":
                self._begin(task, n_epochs)
            elif kind == "epoch" and task in self.running:
                self.progress.update(self.running[task], completed=epoch)
            elif kind == "end":
                self._end(task)
            self.progress.update(self.overall, total=_n_tasks(self.root))
            if not self.auto_refresh:
                self.progress.refresh()

    def _begin(self, task, n_epochs):
        if task in self.running and n_epochs:  # the fit inside the task: its epochs
            self.progress.update(self.running[task], total=n_epochs)
        if task in self.running or task in self.done:
            return
        self.running[task] = self.progress.add_task(
            f"  task {task + 1}",
            total=n_epochs,
            unit="epochs",
        )

    def _end(self, task):
        if task in self.done:
            return
        self.done.add(task)
        if task in self.running:
            self.progress.remove_task(self.running.pop(task))
        self.progress.update(self.overall, completed=len(self.done))


def _count_column():
    """A rich column: "7/10 tasks", "12/50 epochs" ("?" while the total is not
    known)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Count(ProgressColumn):
        def render(self, task):
            if task.total == 0:  # a fit that reports no epochs (SGD, boosting)
                return Text("fitting")
            total = "?" if task.total is None else f"{task.total:.0f}"
            return Text(f"{task.completed:>3.0f}/{total} {task.fields['unit']}")

    return Count()


def _n_tasks(root):
    """The number of tasks of the search (the children of the root's "search"
    contexts, one per round); it grows when ``--refine`` adds rates."""
    for _ in range(3):  # a task in a thread may add epochs to the tree meanwhile
        try:
            return sum(
                1
                for context in root
                if context.parent is not None
                and context.parent.parent is root
                and context.parent.task_name == "search"
            )
        except RuntimeError:
            continue
    return None


class SweepProgress:
    """An auto-propagated scikit-learn callback that feeds a :class:`Display`.

    Parameters
    ----------
    console : rich.console.Console
        Where the display draws (the parent process's terminal).
    auto_refresh : bool, default=True
        See :class:`Display`.
    """

    max_propagation_depth = None

    def __init__(self, console, *, auto_refresh=True):
        self.console = console
        self.auto_refresh = auto_refresh
        self._handles = {}
        self.displays = []  # every display drawn, for tests

    def __getstate__(self):  # the copy sent to a worker: only the handles
        return {"_handles": self._handles}

    def setup(self, estimator, context):
        display = Display(self.console, context, auto_refresh=self.auto_refresh)
        _DISPLAYS[context.root_uuid] = display
        self.displays.append(display)
        self._handles[context.root_uuid] = callback_transport().open_listener(
            display.handle
        )
        display.start()

    def teardown(self, estimator, context):
        callback_transport().close_listener(self._handles.pop(context.root_uuid))
        _DISPLAYS.pop(context.root_uuid).stop()

    def on_fit_task_begin(self, estimator, context):
        path = _path(context)
        if len(path) == _TASK:
            self._send(context, ("begin", tuple(path[1:3]), 0, context.max_subtasks))

    def on_fit_task_end(self, estimator, context):
        path = _path(context)
        if len(path) == _TASK:
            self._send(context, ("end", tuple(path[1:3]), None, None))
        elif len(path) == _EPOCH:
            self._send(context, ("epoch", tuple(path[1:3]), path[3] + 1, None))

    def _send(self, context, message):
        handle = self._handles.get(context.root_uuid)
        if handle is None:
            return
        try:
            callback_transport().send(handle, message)
        except (
            OSError,
            EOFError,
        ):  # the parent is out of reach: no more progress from here
            self._handles.pop(context.root_uuid, None)


def _path(context):
    """The task ids from the root down to ``context``."""
    path = []
    while context is not None:
        path.append(context.task_id)
        context = context.parent
    return path[::-1]
