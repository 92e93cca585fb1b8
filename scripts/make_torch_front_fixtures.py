"""Write tests/data/torch_front_fixtures.npz: what PyTorch gives for the Tensor behaviours the front
(tinygrad231n.torch) follows, on fixed small inputs, so tests/test_torch_front_core.py holds the
engine to PyTorch without torch.

    python scripts/make_torch_front_fixtures.py     # needs torch (run once; the tests only read the file)

Keys are "<case>" (the result's values) and "<case>/dtype" (its dtype's numpy name, as a string).
The inputs are the arrays under "in/..." so the tests rebuild exactly what torch saw; the tests run
the same `cases` on the engine's Tensor (this module imports torch only in main()).
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "torch_front_fixtures.npz")

INPUTS = {
    "in/a_int": np.array([[1, -2, 3], [4, 5, -6]], dtype=np.int64),
    "in/b_int": np.array([[2, 2, -4], [1, 3, 5]], dtype=np.int64),
    "in/x_f32": np.array([[0.5, -1.5, 2.0], [4.0, 5.0, -6.25]], dtype=np.float32),
    "in/x_f64": np.array([[0.5, -1.5, 2.0], [4.0, 5.0, -6.25]], dtype=np.float64),
    "in/u8": np.array([[1, 2, 3], [250, 7, 0]], dtype=np.uint8),
    "in/i32": np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32),
    "in/x3_f32": np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3,
    "in/x_ties_f32": np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], dtype=np.float32),
}


def cases(t, tensor):
    """name -> thunk: each thunk computes one result from the tensors `t` (INPUTS as tensors of the
    framework under test) and its `tensor(value)` constructor."""
    a, b, xf, xd = t["in/a_int"], t["in/b_int"], t["in/x_f32"], t["in/x_f64"]
    u8, i32 = t["in/u8"], t["in/i32"]
    return {
        # item 1: arithmetic with integer tensors
        "int_add_int": lambda: a + b,
        "int_sub_int": lambda: a - b,
        "int_mul_int": lambda: a * b,
        "int_div_int": lambda: a / b,
        "int_pow_int": lambda: a ** 2,
        "int_mul_float": lambda: a * 2.5,
        "int_div_number": lambda: a / 2,
        "f32_add_int": lambda: xf + a,
        "f64_mul_int": lambda: xd * a,
        "int_rsub_number": lambda: 10 - a,
        "i32_add_int64": lambda: i32 + a,
        "u8_add_int64": lambda: u8 + a,
        "u8_add_u8": lambda: u8 + u8,
        "int_sum": lambda: a.sum(),
        "int_neg": lambda: -a,
        # item 2: comparisons
        "eq_int_int": lambda: a == b,
        "ne_int_number": lambda: a != 3,
        "lt_f32_int": lambda: xf < a,
        "le_f32_number": lambda: xf <= 2.0,
        "gt_int_f64": lambda: a > xd,
        "ge_int_int": lambda: a >= b,
        "bool_sum": lambda: (a == b).sum(),
        "bool_mul_f32": lambda: (a > 0) * xf,
        "bool_add_bool": lambda: (a > 0) + (b > 0),
        # item 3: Python numbers
        "int_of_f32": lambda: tensor(int(tensor(-3.7))),
        "float_of_int": lambda: tensor(float(tensor(3))),
        "index_of_int": lambda: tensor([10, 20, 30][tensor(2)]),
    }


def main():
    import torch

    inputs = {name: torch.from_numpy(array) for name, array in INPUTS.items()}
    arrays = dict(INPUTS)
    for name, thunk in cases(inputs, torch.tensor).items():
        result = thunk().numpy()
        arrays[name] = result
        arrays[f"{name}/dtype"] = np.array(result.dtype.name)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {os.path.normpath(OUT)} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
