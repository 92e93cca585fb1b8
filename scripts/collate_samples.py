"""How a default_collate case's samples are made from the rows of one small array, in either library's
tensor type: scripts/make_torch_data_fixtures.py builds them with torch (the expected values), and
tests/test_torch_data.py with the front (what must match). No torch import here, so the tests can load it."""


def collate_samples(form, rows, tensor):
    """The samples of one case: Python numbers, numpy rows, tensors made by `tensor(row)`, or containers."""
    if form == "int":
        return [int(r) for r in rows]
    if form == "float":
        return [float(r) for r in rows]
    if form == "bool":
        return [bool(r) for r in rows]
    if form == "numpy":
        return list(rows)  # 0-d rows are numpy scalars, others arrays
    if form == "tensor":
        return [tensor(r) for r in rows]
    if form == "pair":
        return [(r, i) for i, r in enumerate(rows)]
    if form == "dict":
        return [{"x": r, "y": float(i)} for i, r in enumerate(rows)]
    if form == "list":
        return [[int(v) for v in r] for r in rows]
    raise ValueError(form)
