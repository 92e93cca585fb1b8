"""A notebook's first call of a numba-backed function runs code that is already loaded.

The notebooks time the first call of a vectorized function against a naive loop (kNN's distance
versions, the linear losses, the fast conv and pooling layers). numba compiles or loads a kernel
on its first call with each argument type, which takes tenths of a second to seconds, so the
adapter modules make those calls at import (cs231n/_warmup.py). This test runs each notebook's
calls in a fresh interpreter, right after the imports, and checks that no numba kernel of the
package gained a compiled signature during them: nothing was compiled or loaded inside the
timed calls. (Timings themselves live in benchmarks/bench_cs231n_first_call.py.)
"""
import json
import subprocess
import sys

import pytest

SNAPSHOT = r"""
import json, sys, time
import numpy as np
from numba.core.dispatcher import Dispatcher
from tinygrad231n.kernels.sized import SizedKernel

def compiled_signatures():
    counts = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("tinygrad231n"):
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, SizedKernel):
                kernels = {attr + ".serial": value.serial, attr + ".parallel": value.parallel}
            elif isinstance(value, Dispatcher):
                kernels = {attr: value}
            else:
                continue
            for label, kernel in kernels.items():
                counts[name + "." + label] = len(kernel.signatures)
    return counts

def timed(label, fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    times[label] = time.perf_counter() - start
    return result

times = {}
"""

# Each notebook's timing cells, with their argument types and batch sizes (kNN's are smaller: numba
# compiles per type, and the kNN kernels have no serial/threaded switch).
NOTEBOOKS = {
    "knn": """
from tinygrad231n.cs231n.classifiers.k_nearest_neighbor import KNearestNeighbor
before = compiled_signatures()
rng = np.random.default_rng(0)
X_train, y_train = rng.random((200, 3072)) * 255, rng.integers(0, 10, 200)
X_test = rng.random((50, 3072)) * 255
classifier = KNearestNeighbor()
classifier.train(X_train, y_train)
dists = timed("two_loops", classifier.compute_distances_two_loops, X_test)
timed("one_loop", classifier.compute_distances_one_loop, X_test)
timed("no_loops", classifier.compute_distances_no_loops, X_test)
classifier.predict_labels(dists, k=5)
""",
    "linear": """
from tinygrad231n.cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from tinygrad231n.cs231n.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
before = compiled_signatures()
rng = np.random.default_rng(0)
W, X_dev, y_dev = rng.standard_normal((3073, 10)) * 0.0001, rng.standard_normal((500, 3073)), rng.integers(0, 10, 500)
for naive, vectorized in ((svm_loss_naive, svm_loss_vectorized), (softmax_loss_naive, softmax_loss_vectorized)):
    timed(naive.__name__, naive, W, X_dev, y_dev, 0.000005)
    timed(vectorized.__name__, vectorized, W, X_dev, y_dev, 0.000005)
""",
    "conv": """
from tinygrad231n.cs231n.layers import conv_forward_naive, max_pool_forward_naive
from tinygrad231n.cs231n.fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                                             max_pool_forward_fast)
before = compiled_signatures()
rng = np.random.default_rng(0)
x, w, b = rng.standard_normal((100, 3, 31, 31)), rng.standard_normal((25, 3, 3, 3)), rng.standard_normal(25)
out, cache = timed("conv_forward_fast", conv_forward_fast, x, w, b, {"stride": 2, "pad": 1})
timed("conv_backward_fast", conv_backward_fast, rng.standard_normal(out.shape), cache)
x = rng.standard_normal((100, 3, 32, 32))
out, cache = timed("max_pool_forward_fast", max_pool_forward_fast, x, {"pool_height": 2, "pool_width": 2, "stride": 2})
timed("max_pool_backward_fast", max_pool_backward_fast, rng.standard_normal(out.shape), cache)
""",
}

REPORT = r"""
after = compiled_signatures()
print(json.dumps({"kernels": len(after), "new": {k: [before.get(k, 0), v] for k, v in after.items()
                                                  if v != before.get(k, 0)}, "times": times}))
"""


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS))
def test_the_notebooks_first_calls_compile_and_load_nothing(notebook):
    done = subprocess.run([sys.executable, "-c", SNAPSHOT + NOTEBOOKS[notebook] + REPORT], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["kernels"] > 0, "found no numba kernels to watch"
    assert result["new"] == {}, (f"kernels compiled or loaded during the {notebook} notebook's first calls "
                                 f"({{kernel: [signatures before, after]}}): {result['new']}; times: {result['times']}")
