"""kernels/split.py: a batch's slices shared out among threads, BLAS held to one thread meanwhile."""
import multiprocessing
import threading
import time

import numpy as np
import pytest
import threadpoolctl
from hypothesis import given, strategies as hs

from slicing import sliced
from tinygrad231n.kernels import split


@given(hs.integers(0, 300), hs.integers(1, 40))
def test_slice_bounds_cover_the_batch_in_near_equal_runs(n, slices):
    bounds = split.slice_bounds(n, slices)
    assert bounds[0] == 0 and bounds[-1] == n
    sizes = np.diff(bounds)
    assert len(sizes) == max(1, min(slices, n))
    assert (sizes >= 0).all() and sizes.max() - sizes.min() <= 1


@given(hs.integers(0, 200), hs.integers(1, 9), hs.integers(1, 5))
def test_each_image_is_in_exactly_one_slice_and_results_come_in_order(n, min_per_thread, threads):
    seen = np.zeros(n, dtype=int)

    def fn(start, stop):
        seen[start:stop] += 1
        return start, stop

    with sliced(threads=threads):
        results = split.in_slices(fn, n, min_per_thread)
    assert (seen == 1).all()
    assert [r[0] for r in results] == sorted(r[0] for r in results)
    assert results[0][0] == 0 and results[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(results, results[1:]))
    most = max(1, n // min_per_thread)  # no slice smaller than min_per_thread, unless the batch is
    smallest = min(stop - start for start, stop in results)
    assert len(results) <= most and (len(results) == 1 or smallest >= min_per_thread)


def test_the_slices_run_on_several_threads_and_blas_on_one():
    names, blas_threads = set(), set()
    barrier = threading.Barrier(2, timeout=30)  # two slices can only both pass if they run at once

    def fn(start, stop):
        names.add(threading.current_thread().name)
        blas_threads.update(info["num_threads"] for info in threadpoolctl.threadpool_info()
                            if info["user_api"] == "blas")
        if start < 2:
            barrier.wait()
        return stop - start

    before = [info["num_threads"] for info in threadpoolctl.threadpool_info()]
    with threadpoolctl.threadpool_limits(2, user_api="blas"), sliced(threads=2):
        assert sum(split.in_slices(fn, 4, 1)) == 4
        assert len(names) == 2 and blas_threads == {1}
        assert all(info["num_threads"] == 2 for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas")
    assert [info["num_threads"] for info in threadpoolctl.threadpool_info()] == before


def test_one_thread_runs_the_whole_batch_here():
    calls = []
    with sliced(threads=1):
        split.in_slices(lambda start, stop: calls.append((start, stop, threading.current_thread())), 100, 1)
    assert calls == [(0, 100, threading.current_thread())]


def test_a_slice_inside_a_slice_runs_whole_where_it_is():
    inner = []

    def outer(start, stop):
        assert split.inside_a_slice()
        split.in_slices(lambda a, b: inner.append((a, b, threading.current_thread())), 10, 1)
        return threading.current_thread()

    with sliced(threads=3):
        runners = split.in_slices(outer, 6, 1)
    assert not split.inside_a_slice()
    assert [(a, b) for a, b, _ in inner] == [(0, 10)] * len(runners)
    assert {t for _, _, t in inner} <= set(runners)


@pytest.mark.parametrize("failing", [0, 11])
def test_a_failing_slice_raises_here_and_leaves_no_slice_running(failing):
    finished = []

    def fn(start, stop):
        time.sleep(0.005)
        if start == failing:
            raise ValueError(f"slice {failing} failed")
        finished.append(start)

    with sliced(threads=3), pytest.raises(ValueError, match=f"slice {failing} failed"):
        split.in_slices(fn, 12, 1)
    done = len(finished)
    time.sleep(0.1)
    assert len(finished) == done and failing not in finished
    assert not split.inside_a_slice()


def _sum_in_slices(queue):
    with sliced(threads=2):
        queue.put(sum(split.in_slices(lambda start, stop: stop - start, 10, 1)))


def test_a_forked_child_makes_its_own_threads():
    with sliced(threads=2):
        split.in_slices(lambda start, stop: None, 10, 1)  # the parent's pool exists
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_sum_in_slices, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0 and queue.get(timeout=5) == 10


def test_joined_puts_the_slices_rows_back_in_order():
    parts = [(np.arange(3), np.ones((3, 2))), (np.arange(3, 5), np.zeros((2, 2)))]
    first, second = split.joined(parts)
    np.testing.assert_array_equal(first, np.arange(5))
    assert second.shape == (5, 2) and second[:3].all() and not second[3:].any()


def _blas_threads():
    return {info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"}


def test_work_between_slices_runs_on_one_blas_thread_while_slices_keep_coming(monkeypatch):
    seen = []
    with threadpoolctl.threadpool_limits(2, user_api="blas"), sliced(threads=2):
        monkeypatch.setattr(split, "_last_shared", float("-inf"))  # no slices yet: BLAS keeps its threads
        split.in_slices(lambda start, stop: seen.append(_blas_threads()), 1, 1)
        with split.between_slices():
            seen.append(_blas_threads())
        split.in_slices(lambda start, stop: None, 4, 1)  # slices ran just now
        split.in_slices(lambda start, stop: seen.append(_blas_threads()), 1, 1)
        with split.between_slices():
            seen.append(_blas_threads())
        monkeypatch.setattr(split, "_last_shared", time.perf_counter() - split.SLICED_WORK_SECONDS - 1)
        with split.between_slices():
            seen.append(_blas_threads())
    assert seen == [{2}, {2}, {1}, {1}, {2}]


@given(hs.integers(1, 40), hs.integers(1, 9), hs.integers(1, 9), hs.booleans(), hs.booleans())
def test_matmul_between_slices_is_the_product(n, k, m, stacked, near_slices):
    from tinygrad231n import Tensor, ops
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    a = rng.standard_normal((2, n, k) if stacked else (n, k))
    b, grad = rng.standard_normal((k, m)), rng.standard_normal(a.shape[:-1] + (m,))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    with sliced(threads=2):
        if near_slices:
            split.in_slices(lambda start, stop: None, 4, 1)
        out = ops.Matmul.apply(ta, tb)
        out.backward(grad)
    np.testing.assert_allclose(out.data, a @ b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ta.grad, grad @ b.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad, a.reshape(-1, k).T @ grad.reshape(-1, m), rtol=1e-12, atol=1e-12)


def test_without_threadpoolctl_the_batch_runs_in_one_piece(monkeypatch):
    monkeypatch.setattr(split, "_blas", False)  # as _blas_libraries leaves it when threadpoolctl is missing
    calls = []
    with sliced(threads=3):
        split.in_slices(lambda start, stop: calls.append((start, stop)), 30, 1)
    assert calls == [(0, 30)]


@given(hs.integers(0, 1 << 22), hs.integers(0, 5), hs.integers(1, 64))
def test_images_holding_a_number_of_values(values, n, per_image):
    batch = np.zeros((n, per_image))
    images = split.images_holding(values, batch)
    assert images >= 1
    if n:
        assert images * per_image >= values and (images == 1 or (images - 1) * per_image < values)
