"""One BLAS thread while sklr computes, from any thread, restored afterwards."""

import threading

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from sklr._threads import one_blas_thread


def _blas_threads():
    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def _product():
    """A product whose last bits differ between 1 and 2 OpenBLAS threads."""
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((200, 64)), rng.standard_normal((200, 100))
    return A, B


def test_one_thread_inside_restored_outside():
    with threadpool_limits(2, user_api="blas"):
        with one_blas_thread():
            assert _blas_threads() == {1}
            with one_blas_thread():  # nested
                assert _blas_threads() == {1}
            assert _blas_threads() == {1}
        assert _blas_threads() == {2}


def test_threads_side_by_side_give_the_bits_of_one_thread():
    """Two threads computing at once, after the main thread set the thread
    count (which makes OpenBLAS ignore other threads' process-wide calls)."""
    A, B = _product()
    with threadpool_limits(1, user_api="blas"):
        reference = A.T @ B
    mismatches = []

    def work():
        with one_blas_thread():
            for _ in range(300):
                mismatches.append(not np.array_equal(A.T @ B, reference))

    with threadpool_limits(2, user_api="blas"):
        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert _blas_threads() == {2}
    assert len(mismatches) == 600 and not any(mismatches)
