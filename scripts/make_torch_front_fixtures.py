"""Write tests/data/torch_front_fixtures.npz: what PyTorch gives for the Tensor behaviours the front
(tinygrad231n.torch) follows, on fixed small inputs, so tests/test_torch_front_core.py holds the
engine to PyTorch without torch.

    python scripts/make_torch_front_fixtures.py     # needs torch (run once; the tests only read the file)

Keys are "<case>" (the result's values) and "<case>/dtype" (its dtype's numpy name, as a string).
The inputs are the arrays under "in/..." so the tests rebuild exactly what torch saw; the tests run
the same `cases` and `gradient_cases` with `tinygrad231n.torch` in place of `torch` (this module
imports torch only in main()). A gradient case maps a float64 leaf x (in/x3 as float64) to an
output; "grad/<case>" is x's gradient after backward of sum(output * weights), weights
0.1 * arange + 1 in the output's shape (so every position's gradient differs).
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


def cases(t, torch):
    """name -> thunk: each thunk computes one result from the tensors `t` (INPUTS as tensors of the
    framework under test) and that framework's module `torch`."""
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
        "f32_mul_numpy_float64": lambda: xf * np.sqrt(2.0 / 3),  # numpy scalars count as Python numbers
        "numpy_float64_rsub_f32": lambda: np.float64(1.5) - xf,
        "int_mul_numpy_float64": lambda: a * np.float64(2.5),
        "int_add_numpy_int64": lambda: a + np.int64(1),
        "f32_mul_numpy_int64": lambda: xf * np.int64(3),
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
        "int_of_f32": lambda: torch.tensor(int(torch.tensor(-3.7))),
        "float_of_int": lambda: torch.tensor(float(torch.tensor(3))),
        "index_of_int": lambda: torch.tensor([10, 20, 30][torch.tensor(2)]),
        # item 7 and the front: factories' dtypes, conversions, the names table
        "tensor_of_floats": lambda: torch.tensor([1.5, 2.0]),
        "tensor_of_ints": lambda: torch.tensor([[1, 2], [3, 4]]),
        "tensor_of_bools": lambda: torch.tensor([True, False]),
        "tensor_of_f64_array": lambda: torch.tensor(np.array([1.5, 2.0])),
        "tensor_mixed_list": lambda: torch.tensor([1, 2.5]),
        "zeros_default": lambda: torch.zeros(2, 3),
        "ones_long": lambda: torch.ones((2,), dtype=torch.long),
        "full_int": lambda: torch.full((2, 2), 7),
        "full_float": lambda: torch.full((2,), 0.5),
        "full_bool": lambda: torch.full((2,), True),
        "arange_int": lambda: torch.arange(5),
        "arange_float": lambda: torch.arange(0, 1, 0.25),
        "arange_step": lambda: torch.arange(1, 10, 3),
        "zeros_like_int": lambda: torch.zeros_like(a),
        "ones_like_f32": lambda: torch.ones_like(xf),
        "long_of_f32": lambda: xf.long(),
        "int_of_f32": lambda: xf.int(),
        "bool_of_f32": lambda: (xf - 0.5).bool(),
        "float_of_int": lambda: a.float(),
        "double_of_int": lambda: a.double(),
        "to_dtype": lambda: a.to(dtype=torch.float32),
        "to_positional_dtype": lambda: xf.to(torch.float64),
        "type_as": lambda: a.type_as(xf),
        "argmax_all": lambda: t["in/x_ties_f32"].argmax(),
        "argmax_dim1": lambda: t["in/x_ties_f32"].argmax(dim=1),
        "argmax_dim0_keepdim": lambda: t["in/x_ties_f32"].argmax(dim=0, keepdim=True),
        "torch_argmax": lambda: torch.argmax(xf, dim=1),
        "numel": lambda: torch.tensor(xf.numel()),
        "dim": lambda: torch.tensor(t["in/x3_f32"].dim()),
        "tril": lambda: torch.tril(xf),
        "triu_diagonal_1": lambda: torch.triu(t["in/x3_f32"], diagonal=1),
        "mul_by_name": lambda: xf.mul(2.0),
        "add_alpha": lambda: xf.add(xf, alpha=2),
        "sqrt_of_int": lambda: torch.sqrt(a * a),
        "cat_dim1": lambda: torch.cat([xf, xf], dim=1),
        "stack_dim0": lambda: torch.stack([xf, xf]),
        "where": lambda: torch.where(xf > 0, xf, torch.zeros_like(xf)),
        # item 6: PyTorch's meanings of size, max, transpose and the dim= keywords
        "size": lambda: torch.tensor(list(t["in/x3_f32"].size())),
        "size_dim": lambda: torch.tensor(t["in/x3_f32"].size(-1)),
        "max_all": lambda: t["in/x_ties_f32"].max(),
        "max_dim_values": lambda: t["in/x_ties_f32"].max(1).values,
        "max_dim_indices": lambda: t["in/x_ties_f32"].max(1).indices,
        "max_dim_keepdim_indices": lambda: t["in/x_ties_f32"].max(dim=0, keepdim=True)[1],
        "torch_max_dim_indices": lambda: torch.max(t["in/x_ties_f32"], dim=1)[1],
        "max_int_dim": lambda: a.max(dim=1).values,
        "sum_dim_keepdim": lambda: t["in/x3_f32"].sum(dim=1, keepdim=True),
        "sum_dims": lambda: t["in/x3_f32"].sum(dim=(0, 2)),
        "mean_dim": lambda: t["in/x3_f32"].mean(dim=-1),
        "torch_mean_dim": lambda: torch.mean(t["in/x3_f32"], dim=0),
        "softmax_dim": lambda: t["in/x3_f32"].softmax(dim=1),
        "log_softmax_dim0": lambda: t["in/x3_f32"].log_softmax(dim=0),
        "transpose_3d": lambda: t["in/x3_f32"].transpose(0, 2),
        "transpose_3d_negative": lambda: t["in/x3_f32"].transpose(-1, 1),
        "transpose_matrix_0_1": lambda: xf.transpose(0, 1),
        "transpose_vector": lambda: t["in/x3_f32"][0, 0].transpose(0, 0),
        # issue 16's last gaps: sin/cos, tril/triu methods, masked_fill, movedim, integer inputs
        "sin": lambda: torch.sin(xf),
        "cos_method": lambda: xf.cos(),
        "ones_tril_method": lambda: torch.ones(4, 4).tril(),
        "triu_method_diagonal_minus_1": lambda: t["in/x3_f32"].triu(diagonal=-1),
        "tril_of_int": lambda: a.tril(),
        "torch_masked_fill": lambda: torch.masked_fill(xf, xf > 1, -1.0),
        "masked_fill_causal": lambda: torch.zeros(3, 3).masked_fill(torch.ones(3, 3).triu(1) == 1, float("-inf")),
        "moveaxis": lambda: t["in/x3_f32"].moveaxis(0, 2),
        "movedim_pairs": lambda: torch.movedim(t["in/x3_f32"], (0, 1), (2, 0)),
        "exp_of_int": lambda: torch.exp(a),
        "log_of_int": lambda: torch.log(a * a),
        "sigmoid_of_int": lambda: a.sigmoid(),
        "tanh_of_int": lambda: torch.tanh(a),
        "sin_of_int": lambda: a.sin(),
        "cos_of_bool": lambda: torch.cos(a > 0),
        # names a student's own code reaches for beyond torch_api.md's list
        "positional_encoding": lambda: _positional_encoding(torch, length=5, dim=6),
        "setitem_index_tensor": lambda: _set_rows(torch.zeros(3, 2), torch.tensor([2, 0]), xf[:, :2]),
        "abs": lambda: xf.abs(),
        "abs_of_int": lambda: torch.abs(a),
        "min_all": lambda: t["in/x_ties_f32"].min(),
        "min_dim_values": lambda: torch.min(t["in/x_ties_f32"], dim=1).values,
        "min_dim_indices": lambda: t["in/x_ties_f32"].min(dim=1)[1],
        "min_int_dim_keepdim": lambda: a.min(dim=0, keepdim=True).values,
        "min_u8_dim_indices": lambda: u8.min(1).indices,
        "var_all": lambda: t["in/x3_f32"].var(),
        "var_dim_biased": lambda: t["in/x3_f32"].var(dim=-1, unbiased=False),
        "var_correction_0_keepdim": lambda: torch.var(t["in/x3_f32"], dim=(0, 2), correction=0, keepdim=True),
        "std_dim": lambda: t["in/x3_f32"].std(dim=1),
        "flatten_from_1": lambda: t["in/x3_f32"].flatten(1),
        "torch_flatten_all": lambda: torch.flatten(t["in/x3_f32"]),
        "flatten_middle": lambda: t["in/x3_f32"].flatten(0, 1),
        "split_sizes_last": lambda: torch.split(t["in/x3_f32"], [1, 3], dim=-1)[1],
        "chunk_dim1_second": lambda: t["in/x3_f32"].chunk(2, dim=1)[1],
        "clone": lambda: xf.clone(),
        "and_bool": lambda: (a > 0) & (b > 0),
        "or_bool": lambda: (a > 0) | (b > 2),
        "xor_int": lambda: a ^ b,
        "invert_bool": lambda: ~(a > 0),
        "invert_int": lambda: ~a,
        "eye_rect": lambda: torch.eye(2, 3),
        "linspace": lambda: torch.linspace(-1, 1, 5),
        "matmul_matrix_vector": lambda: torch.matmul(xf, torch.ones(3)),
        "matmul_vector_vector": lambda: xf[0].matmul(xf[1]),
        "matmul_vector_batch": lambda: torch.matmul(torch.ones(3), t["in/x3_f32"]),
        "matmul_batch_vector": lambda: t["in/x3_f32"].matmul(torch.arange(4).float()),
        "rsqrt": lambda: torch.rsqrt(xf * xf),
        "norm_all": lambda: xf.norm(),
        "norm_dim": lambda: torch.norm(t["in/x3_f32"], dim=-1),
        "repeat": lambda: xf.repeat(2, 1),
        "repeat_new_axes": lambda: xf[0].repeat(2, 1, 2),
        "isnan": lambda: torch.isnan(torch.where(xf > 0, xf, float("nan"))),
        "isinf_isfinite": lambda: torch.isinf(torch.where(xf > 2, float("inf"), xf)) | ~torch.isfinite(xf),
        "add_in_place": lambda: torch.zeros(2, 3).add_(xf).mul_(2.0).sub_(1.0).div_(4.0),
        "F_softmax_dim0": lambda: torch.nn.functional.softmax(xf, dim=0),
        "maximum": lambda: torch.maximum(xf, torch.zeros_like(xf)),
        "torch_max_two_tensors": lambda: torch.max(xf, torch.ones(3)),
        "minimum_int": lambda: torch.minimum(a, b),
        "torch_min_two_tensors": lambda: torch.min(a, b),
        "sort_values": lambda: t["in/x_ties_f32"].sort(dim=1).values,
        "sort_indices": lambda: t["in/x_ties_f32"].sort(dim=1)[1],
        "sort_descending_indices": lambda: torch.sort(t["in/x_ties_f32"], descending=True).indices,
        "sort_int_dim0_indices": lambda: a.sort(dim=0).indices,
        "topk_values": lambda: t["in/x_ties_f32"].topk(2).values,
        "topk_indices": lambda: torch.topk(t["in/x_ties_f32"], 2, dim=1)[1],
        "topk_smallest_dim0_indices": lambda: t["in/x3_f32"].topk(2, dim=0, largest=False).indices,
        "one_hot": lambda: torch.nn.functional.one_hot(torch.tensor([0, 2, 1])),
        "one_hot_classes": lambda: torch.nn.functional.one_hot(torch.tensor([[0], [2]]), num_classes=4),
        "maximum_f32_int": lambda: torch.maximum(xf, a),
    }


def _positional_encoding(torch, length, dim):
    """The way a student fills CS231n's PositionalEncoding table: slice assignment of sin and cos."""
    import math
    pe = torch.zeros(1, length, dim)
    position = torch.arange(0, length).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
    pe[:, :, 0::2] = torch.sin(position * div_term)
    pe[:, :, 1::2] = torch.cos(position * div_term)
    return pe


def _set_rows(target, rows, values):
    target[rows] = values
    return target


def gradient_cases(torch):
    """name -> function of the float64 leaf x (shape (2, 3, 4)) giving an output to backpropagate."""
    index = torch.tensor([[[2, 0, 1, 1]], [[0, 0, 2, 1]]])  # (2, 1, 4) rows of dim 1 to gather
    return {
        "view": lambda x: x.view(6, 4),
        "view_minus_one": lambda x: x.view(-1, 12),
        "permute": lambda x: x.permute(2, 0, 1),
        "unsqueeze": lambda x: x.unsqueeze(1),
        "unsqueeze_negative": lambda x: x.unsqueeze(-1),
        "squeeze_all": lambda x: x[:, :1].squeeze(),
        "squeeze_dim_not_one": lambda x: x.squeeze(0),
        "expand": lambda x: x[:, :1].expand(2, 5, 4),
        "expand_new_dims": lambda x: x[0, 0].expand(3, 4),
        "mm": lambda x: x[0].mm(x[1].t()),
        "bmm": lambda x: torch.bmm(x, x.permute(0, 2, 1)),
        "t": lambda x: x[1].t(),
        "clamp": lambda x: x.clamp(min=-1.0, max=2.0),
        "clamp_min": lambda x: x.clamp(min=0.5),
        "gather": lambda x: x.gather(1, index),
        "index_select": lambda x: x.index_select(2, torch.tensor([3, 0, 3])),
        "float_cast": lambda x: x.float() * 3.0,
        "contiguous": lambda x: x.contiguous(),
        "pow_by_name": lambda x: (x * x + 1.0).pow(1.5),
        "sqrt": lambda x: torch.sqrt(x * x + 1.0),
        "tril": lambda x: torch.tril(x, diagonal=-1),
        "max_dim": lambda x: x.max(dim=2).values,
        "max_all": lambda x: x.max().unsqueeze(0),
        "sum_dim": lambda x: x.sum(dim=(0, 2), keepdim=True),
        "transpose_swap": lambda x: x.transpose(1, 2),
        "softmax_dim": lambda x: torch.softmax(x, dim=1),
        "sin": lambda x: torch.sin(x),
        "cos": lambda x: x.cos(),
        "triu_method": lambda x: x.triu(1),
        "masked_fill": lambda x: torch.masked_fill(x, x > 0, 2.0),
        "movedim": lambda x: x.movedim(0, -1),
        "abs": lambda x: (x - 0.5).abs(),  # x holds 0.0 exactly at one place: x - 0.5 never is 0
        "min_dim": lambda x: x.min(dim=1).values,
        "min_all": lambda x: x.min().unsqueeze(0),
        "var_dim": lambda x: x.var(dim=-1),
        "std_biased": lambda x: x.std(dim=(0, 1), unbiased=False),
        "flatten": lambda x: x.flatten(1),
        "split_first": lambda x: torch.split(x, 3, dim=-1)[0],
        "chunk_second": lambda x: x.chunk(2, dim=0)[1],
        "clone": lambda x: x.clone() * 2.0,
        "matmul_vector": lambda x: x.matmul(x[0, 0]),
        "vector_matmul": lambda x: torch.matmul(x[0, :, 0], x),
        "rsqrt": lambda x: (x * x + 1.0).rsqrt(),
        "norm_dim": lambda x: x.norm(dim=1),
        "norm_with_a_zero_row": lambda x: (x * (x > 2)).norm(dim=-1, keepdim=True),  # row 0 is all 0
        "repeat": lambda x: x.repeat(1, 2, 1, 3),
        "maximum_with_ties": lambda x: torch.maximum(x, x.clamp(min=0.0)),  # equal wherever x >= 0
        "minimum": lambda x: torch.minimum(x, torch.ones(4, dtype=torch.float64)),
        "sort_descending": lambda x: x.sort(dim=1, descending=True).values,
        "topk": lambda x: x.topk(2, dim=-1).values,
    }


def run_gradient_case(torch, function, x3):
    """(output, x's gradient) of `function` at a float64 leaf holding x3 (see the module docstring)."""
    x = torch.tensor(x3.astype(np.float64), requires_grad=True)
    out = function(x)
    weights = np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape)) * 0.1 + 1
    (out * torch.from_numpy(weights)).sum().backward()
    return out.detach().numpy(), np.asarray(x.grad)


def main():
    import torch

    inputs = {name: torch.from_numpy(array) for name, array in INPUTS.items()}
    arrays = dict(INPUTS)
    for name, thunk in cases(inputs, torch).items():
        result = thunk().numpy()
        arrays[name] = result
        arrays[f"{name}/dtype"] = np.array(result.dtype.name)
    for name, function in gradient_cases(torch).items():
        out, grad = run_gradient_case(torch, function, INPUTS["in/x3_f32"])
        arrays[f"out/{name}"], arrays[f"grad/{name}"] = out, grad
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {os.path.normpath(OUT)} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
