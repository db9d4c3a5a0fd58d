"""One BLAS thread while sklr computes: the same bits on every machine.

OpenBLAS splits some matrix products between threads in a way that changes how
their sums are rounded (on a 2-core machine, products of shapes such as
(64, 200) x (200, 100) differ in the last bits between 1 and 2 threads). Training
near the edge of stability amplifies such bits into different networks. sklr
therefore trains and predicts with one BLAS thread, whatever the machine, the
``n_jobs`` of a search or its backend; at sklr's default batch size (200) one
thread is also the faster choice for the networks it is built for (see
``docs/design.rst``).

:func:`one_blas_thread` is safe to nest and to enter from several threads at
once (the threading backend of joblib): the limit is set by the first entrant and
restored by the last one to leave, so that no thread restores the machine's
thread count while another one still computes.
"""

import threading
from contextlib import contextmanager
from functools import wraps

from threadpoolctl import ThreadpoolController

_lock = threading.Lock()
_state = {"depth": 0, "limiter": None, "controller": None}


@contextmanager
def one_blas_thread():
    """Run the body with BLAS limited to one thread (process-wide, reentrant).

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from sklr._threads import one_blas_thread
    >>> with one_blas_thread():
    ...     {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    {1}
    """
    with _lock:
        if _state["depth"] == 0:
            if _state["controller"] is None:
                _state["controller"] = ThreadpoolController()
            _state["limiter"] = _state["controller"].limit(limits=1, user_api="blas")
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0:
                _state["limiter"].restore_original_limits()
                _state["limiter"] = None


def single_blas_thread(func):
    """Decorate ``func`` to run inside :func:`one_blas_thread`."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with one_blas_thread():
            return func(*args, **kwargs)

    return wrapper
