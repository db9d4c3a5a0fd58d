"""One BLAS thread while sklr computes: the same bits on every machine.

OpenBLAS splits some matrix products between threads in a way that changes how
their sums are rounded (on a 2-core machine, products of shapes such as
(64, 200) x (200, 100) differ in the last bits between 1 and 2 threads), and
training near the edge of stability amplifies such bits into different networks.
sklr therefore trains and predicts with one BLAS thread, whatever the machine,
the ``n_jobs`` of a search or its joblib backend. At sklr's default batch size
(200) one thread is also the faster choice for the networks it is built for
(measured in ``docs/design.rst``).

The limit is process-wide (OpenBLAS built with pthreads, as in numpy's and
scipy's wheels, has one thread count for the whole process), so threads running
sklr side by side (joblib's threading backend) share it: the first thread to
enter sets it and the last one to leave restores it. For OpenBLAS it is set with
``openblas_set_num_threads_local``, which takes effect from any thread, where
``openblas_set_num_threads`` (threadpoolctl's) is ignored in other threads once
the main thread has called it (OpenBLAS 0.3.31). Other BLAS libraries (MKL,
BLIS) are limited through threadpoolctl.
"""

import ctypes
import threading
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

#: The names OpenBLAS builds give their per-thread setter.
_LOCAL_SETTERS = (
    "openblas_set_num_threads_local",
    "scipy_openblas_set_num_threads_local64_",
    "scipy_openblas_set_num_threads_local",
)

_lock = threading.Lock()
_shared = {"depth": 0, "previous": [], "limiter": None, "libraries": None}


def _libraries():
    """``(per-thread setters, other BLAS controllers)``, found once."""
    with _lock:
        if _shared["libraries"] is None:
            setters, others = [], []
            for lib in ThreadpoolController().lib_controllers:
                if lib.user_api != "blas":
                    continue
                setter = _local_setter(lib) if lib.internal_api == "openblas" else None
                if setter is None:
                    others.append(lib.filepath)
                else:
                    setters.append(setter)
            _shared["libraries"] = (setters, others)
        return _shared["libraries"]


def _local_setter(lib):
    for name in _LOCAL_SETTERS:
        try:
            setter = getattr(lib.dynlib, name)
        except AttributeError:
            continue
        setter.restype, setter.argtypes = ctypes.c_int, [ctypes.c_int]
        return setter
    return None


@contextmanager
def one_blas_thread():
    """Run the body with BLAS limited to one thread (reentrant, thread-safe).

    Examples
    --------
    >>> import numpy as np
    >>> from sklr._threads import one_blas_thread
    >>> a = np.arange(6.0).reshape(2, 3)
    >>> with one_blas_thread():
    ...     (a @ a.T).tolist()
    [[5.0, 14.0], [14.0, 50.0]]
    """
    setters, others = _libraries()
    with _lock:
        if _shared["depth"] == 0:
            _shared["previous"] = [setter(1) for setter in setters]
            if others:
                _shared["limiter"] = ThreadpoolController().limit(
                    limits=dict.fromkeys(others, 1)
                )
        _shared["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _shared["depth"] -= 1
            if _shared["depth"] == 0:
                for setter, previous in zip(setters, _shared["previous"]):
                    setter(previous)
                if _shared["limiter"] is not None:
                    _shared["limiter"].restore_original_limits()
                    _shared["limiter"] = None
