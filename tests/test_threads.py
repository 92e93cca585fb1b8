"""tinygrad231n.threads: thread limits and numba's worker kind, set at run time."""
import os
import subprocess
import sys

import pytest

from tinygrad231n import threads

RUN_A_PARALLEL_KERNEL = """
import numpy as np, numba
from tinygrad231n.kernels.hog import hog_features
from tinygrad231n.threads import calm_numba_workers
calm_numba_workers()
hog_features(np.zeros((64, 32, 32, 3)))  # enough images for the threaded kernel
print(numba.threading_layer())
"""


def _layer(env_layer=None):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_THREADING_LAYER"}
    if env_layer:
        env["NUMBA_THREADING_LAYER"] = env_layer
    result = subprocess.run([sys.executable, "-c", RUN_A_PARALLEL_KERNEL], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_numba_runs_on_workqueue_threads_unless_the_user_chose():
    assert _layer() == "workqueue"
    assert _layer("omp") == "omp"


def test_the_command_line_calms_numba_before_any_work(monkeypatch, tmp_path):
    from tinygrad231n.cli import main
    calls = []
    monkeypatch.setattr(threads, "calm_numba_workers", lambda: calls.append(True))
    assert main(["train", "svm", "--sample", "--out", str(tmp_path), "--params", "num_iters=1"]) == 0
    assert calls == [True]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_thread_counts_must_be_positive_integers(bad):
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        threads.pin_threads(bad)


PAGE_FAULTS_OF_A_REUSED_ARRAY = """
import resource, sys
import numpy as np
from tinygrad231n.threads import reuse_freed_memory
if sys.argv[1] == "reuse":
    assert reuse_freed_memory()
np.ones(8 << 20)  # 64 MiB, made and freed
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(8 << 20)  # and again
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_freed_memory_is_reused_without_faulting_its_pages_in_again():
    def faults(mode):
        result = subprocess.run([sys.executable, "-c", PAGE_FAULTS_OF_A_REUSED_ARRAY, mode], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return int(result.stdout.split()[-1])
    fresh = faults("default")  # a fresh mapping: every page (or huge page) faults in
    assert fresh >= 32  # 64 MiB in 2 MiB huge pages, at the least
    assert faults("reuse") < fresh // 10


def test_the_command_line_keeps_freed_memory(monkeypatch, tmp_path):
    from tinygrad231n.cli import main
    calls = []
    monkeypatch.setattr(threads, "reuse_freed_memory", lambda: calls.append(True))
    assert main(["train", "svm", "--sample", "--out", str(tmp_path), "--params", "num_iters=1"]) == 0
    assert calls == [True]
