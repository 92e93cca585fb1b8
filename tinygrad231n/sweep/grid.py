"""A hyperparameter grid written as text, and the configurations it spans.

    parse_grid("lr=1e-4,1e-3 reg=0.1,1 hidden=100")
    # {"lr": [0.0001, 0.001], "reg": [0.1, 1.0], "hidden": [100]}
    grid_configs({"lr": [1e-4, 1e-3], "hidden": [100]})
    # [{"lr": 0.0001, "hidden": 100}, {"lr": 0.001, "hidden": 100}]
"""
import itertools
import math

from tinygrad231n.errors import InputError

EXPECTED_FORM = "name=v1,v2 name2=..."


def parse_grid(text):
    """Parse `name=v1,v2 name2=...` (space-separated names, comma-separated values) into {name: [values]}.

    A value that reads as an int stays an int ("100"), one that reads as a float becomes a float
    ("1e-4", "1.0"), "[512,256]" becomes a list of such values, anything else stays a string
    ("relu"). Where a name's values mix ints and floats ("reg=0.1,1"), all become floats, so one
    hyperparameter has one type. Names keep their order.
    NaN and infinity are refused: the results file is strict JSON, which cannot hold them.
    """
    grid = {}
    for token in text.split():
        name, values = _parse_token(token)
        if name in grid:
            raise InputError(f"parse_grid: {name!r} is given twice (in {token!r}); "
                             f"give each name once, with all its values: {EXPECTED_FORM}")
        grid[name] = values
    return grid


def _parse_token(token):
    name, equals, values = token.partition("=")
    if not equals:
        raise InputError(f"parse_grid: {token!r} has no '='; expected {EXPECTED_FORM} "
                         f"(no spaces around '=' or ',')")
    if not name.isidentifier():
        raise InputError(f"parse_grid: {token!r} does not start with a name (letters, digits and _, "
                         f"not starting with a digit); expected {EXPECTED_FORM}")
    pieces = _split_values(token, values)
    if "=" in values:
        raise InputError(f"parse_grid: {token!r} has more than one '='; expected {EXPECTED_FORM}")
    if "" in pieces:
        raise InputError(f"parse_grid: {token!r} has an empty value; expected {EXPECTED_FORM}")
    values = [_parse_value(piece) for piece in pieces]
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise InputError(f"parse_grid: {token!r} has a value that is NaN or infinite; give finite numbers")
    if any(isinstance(v, float) for v in values) and all(isinstance(v, (int, float)) for v in values):
        values = [float(v) for v in values]
    return name, values


def _split_values(token, text):
    """Split on the commas outside brackets: "[512,256],[1024]" -> ["[512,256]", "[1024]"]."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth not in (0, 1) or (char == "[" and depth == 1 and i > start):
            raise InputError(f"parse_grid: {token!r} has unbalanced or nested brackets; a list value is "
                             f"written [v1,v2] (e.g. hidden_dims=[512,256],[1024])")
        if char == "," and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    if depth:
        raise InputError(f"parse_grid: {token!r} has an unclosed '['; a list value is written [v1,v2]")
    return pieces + [text[start:]]


def _parse_value(text):
    """An int, else a float, else "[v1,v2,...]" as a list of such values, else the text itself."""
    if text.startswith("[") and text.endswith("]"):
        return [_parse_value(item) for item in text[1:-1].split(",")] if text != "[]" else []
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def grid_configs(grid):
    """The Cartesian product of `grid` ({name: [values]}) as a list of {name: value} dicts.

    The order is stable: the first name varies slowest, each name's values in the order given.
    An empty grid spans one configuration, {}.
    """
    for name, values in grid.items():
        if not isinstance(values, (list, tuple)):
            raise InputError(f"grid_configs: {name!r} must map to a list of values, got {values!r}")
        if not values:
            raise InputError(f"grid_configs: {name!r} has no values; give at least one")
    names = list(grid)
    return [dict(zip(names, combination)) for combination in itertools.product(*grid.values())]
