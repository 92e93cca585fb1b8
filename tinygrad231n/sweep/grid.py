"""A hyperparameter grid written as text, and the configurations it spans.

    parse_grid("lr=1e-4,1e-3 reg=0.1,1 hidden=100")
    # {"lr": [0.0001, 0.001], "reg": [0.1, 1.0], "hidden": [100]}
    grid_configs({"lr": [1e-4, 1e-3], "hidden": [100]})
    # [{"lr": 0.0001, "hidden": 100}, {"lr": 0.001, "hidden": 100}]
"""
import itertools

EXPECTED_FORM = "name=v1,v2 name2=..."


def parse_grid(text):
    """Parse `name=v1,v2 name2=...` (space-separated names, comma-separated values) into {name: [values]}.

    A value that reads as an int stays an int ("100"), one that reads as a float becomes a float
    ("1e-4", "1.0"), anything else stays a string ("relu"). Where a name's values mix ints and floats
    ("reg=0.1,1"), all become floats, so one hyperparameter has one type. Names keep their order.
    """
    grid = {}
    for token in text.split():
        name, values = _parse_token(token)
        if name in grid:
            raise ValueError(f"parse_grid: {name!r} is given twice (in {token!r}); "
                             f"give each name once, with all its values: {EXPECTED_FORM}")
        grid[name] = values
    return grid


def _parse_token(token):
    name, equals, values = token.partition("=")
    if not equals:
        raise ValueError(f"parse_grid: {token!r} has no '='; expected {EXPECTED_FORM} "
                         f"(no spaces around '=' or ',')")
    if not name.isidentifier():
        raise ValueError(f"parse_grid: {token!r} does not start with a name (letters, digits and _, "
                         f"not starting with a digit); expected {EXPECTED_FORM}")
    pieces = values.split(",")
    if "=" in values:
        raise ValueError(f"parse_grid: {token!r} has more than one '='; expected {EXPECTED_FORM}")
    if "" in pieces:
        raise ValueError(f"parse_grid: {token!r} has an empty value; expected {EXPECTED_FORM}")
    values = [_parse_value(piece) for piece in pieces]
    if any(isinstance(v, float) for v in values) and all(isinstance(v, (int, float)) for v in values):
        values = [float(v) for v in values]
    return name, values


def _parse_value(text):
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
            raise ValueError(f"grid_configs: {name!r} must map to a list of values, got {values!r}")
        if not values:
            raise ValueError(f"grid_configs: {name!r} has no values; give at least one")
    names = list(grid)
    return [dict(zip(names, combination)) for combination in itertools.product(*grid.values())]
