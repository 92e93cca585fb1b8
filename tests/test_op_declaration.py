"""An op is declared once: its file says which Tensor method, operator and nn.functional name it
provides, and Tensor, nn.functional and ops.__all__ are derived from that (function.register).

The toy-op test adds one file, ops/toy_square.py, to a copy of the package and shows that nothing
else is needed: the method, the functional name and the export appear, help(Tensor) lists it, and
the op table's helpers (tests/test_ops.py) check its values, gradients and dtypes.
"""
import inspect
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tinygrad231n
import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, ops
from tinygrad231n.function import Function, declarations, register

PACKAGE = Path(tinygrad231n.__file__).parent
TESTS = Path(__file__).parent

TOY_OP = '''
"""x squared: the toy op of tests/test_op_declaration.py."""
from ..function import Function, register


@register(method="toy_square", functional="toy_square")
class ToySquare(Function):
    """x * x, elementwise."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return (2 * x * grad,)
'''

CHECK = '''
import pydoc
import sys

import numpy as np

sys.path.insert(0, {tests!r})
import test_ops
import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, ops

assert ops.ToySquare.__module__ == "tinygrad231n.ops.toy_square", ops.ToySquare.__module__
assert "ToySquare" in ops.__all__ and "toy_square" in F.__all__
assert "toy_square" in dir(Tensor)
assert "toy_square(self)" in pydoc.plain(pydoc.render_doc(Tensor)), "help(Tensor) does not list it"
assert "x * x, elementwise." in pydoc.plain(pydoc.render_doc(F.toy_square))
x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
x.toy_square().sum().backward()
assert x.grad.tolist() == [2.0, -4.0, 6.0], x.grad
assert F.toy_square([3.0]).data.tolist() == [9.0]

case = test_ops.Case("toy_square", test_ops.one(), lambda x: x.toy_square(), np.square)
for check in (test_ops.test_forward_matches_numpy, test_ops.test_gradient_matches_numerical,
              test_ops.test_float32_stays_float32):
    check(case=case)
print("toy op ok")
'''


def test_a_toy_op_is_its_file_alone(tmp_path):
    copy = tmp_path / "tinygrad231n"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.npz"))
    (copy / "ops" / "toy_square.py").write_text(TOY_OP)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(PACKAGE.parent)]),
           "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run([sys.executable, "-c", CHECK.format(tests=str(TESTS))], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "toy op ok"


def test_every_op_class_in_ops_is_declared_and_exported():
    declared = {d.op for d in declarations}
    found = {value for module in sys.modules.values() if module.__name__.startswith("tinygrad231n.ops.")
             for value in vars(module).values()
             if inspect.isclass(value) and issubclass(value, Function) and value is not Function
             and value.__module__ == module.__name__}
    assert found and found <= declared, f"not declared with @register: {sorted(c.__name__ for c in found - declared)}"
    assert sorted(ops.__all__) == sorted(op.__name__ for op in declared)


def test_declared_names_reach_tensor_and_functional_with_the_ops_signature_and_doc():
    for declaration in declarations:
        op = declaration.op
        if declaration.method:
            method = getattr(Tensor, declaration.method)
            assert method.op is op and method.__doc__ == op.__doc__
            assert list(inspect.signature(method).parameters)[0] == "self"
        if declaration.functional:
            function = getattr(F, declaration.functional)
            assert function.op is op and function.__doc__ == op.__doc__
        if declaration.operator:
            assert getattr(Tensor, f"__{declaration.operator}__").op is op
            assert getattr(Tensor, f"__r{declaration.operator}__").op is op
    assert str(inspect.signature(F.conv2d)).startswith("(x, w, b")


def test_a_name_already_taken_is_refused_when_declared():
    class Clash(Function):
        pass

    try:
        with pytest.raises(ValueError, match=r"Tensor.data is already defined; Clash cannot take the name"):
            register(method="data")(Clash)
        assert Clash not in {d.op for d in declarations}
    finally:  # ops exported it before Tensor refused the name (a real clash fails its module's import)
        if "Clash" in ops.__all__:
            ops.__all__.remove("Clash")
            delattr(ops, "Clash")


def test_help_lists_the_generated_methods_and_operators():
    import pydoc
    text = pydoc.plain(pydoc.render_doc(Tensor))
    for line in ("relu(self)", "reshape(self, *shape)", "__add__(self, other)", "__matmul__(self, other)",
                 "log_softmax(self"):
        assert line in text, line
    assert textwrap.dedent(ops.Relu.__doc__).strip().splitlines()[0] in text
