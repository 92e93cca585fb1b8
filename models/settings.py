"""Typed settings: what each hyperparameter of a model may hold, and overrides checked against it.

A model's kept configuration nests its settings in sections ("preprocessing", "model", "solver" and
its "optim_config", "train", "knn") because each section goes to a different place (the
preprocessor, the constructor, the Solver). Users name a setting by its innermost name alone:

    config = apply_overrides(spec, {"learning_rate": 1e-3, "hidden_dim": 200})

Each setting is declared with its model as one of the types below; a value that does not fit is a
SettingError (an InputError) of one line, "twolayer: learning_rate must be a number, got 'abc'".
Values arrive as Python values or as the text the grid grammar leaves unparsed.
"""
import copy
import math
import numbers

from tinygrad231n.errors import InputError

# Short names the command line also accepts.
ALIASES = {"lr": "learning_rate", "hidden": "hidden_dim", "epochs": "num_epochs", "iters": "num_iters"}


class SettingError(InputError):
    """A setting's value does not fit its declared type; the message is one line naming both."""


class Setting:
    """A setting's type. `check(value)` returns the value in canonical form or raises ValueError
    with the end of the message ("must be ..., got ..."); `describe()` says what it accepts."""

    def check(self, value):
        raise NotImplementedError

    def describe(self):
        raise NotImplementedError

    def _refuse(self, value):
        raise ValueError(f"must be {self.describe()}, got {value!r}")


class Number(Setting):
    """A finite real number, optionally bounded; None too when `optional` (e.g. "He init")."""

    def __init__(self, low=None, high=None, positive=False, optional=False, none_means=""):
        self.low, self.high, self.positive, self.optional, self.none_means = low, high, positive, optional, none_means

    def check(self, value):
        if self.optional and (value is None or (isinstance(value, str) and value.lower() == "none")):
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            self._refuse(value)
        value = float(value)
        if not math.isfinite(value) or (self.positive and value <= 0) or \
                (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            self._refuse(value)
        return value

    def describe(self):
        words = "a positive number" if self.positive else "a number"
        if not (self.positive or self.low is None or self.high is None):
            words += f" from {self.low:g} to {self.high:g}"
        elif self.low is not None and not self.positive:
            words += f" >= {self.low:g}"
        elif self.high is not None:
            words += f" <= {self.high:g}"
        return words + (f" or None ({self.none_means})" if self.optional else "")


class Integer(Setting):
    """A whole number from low to high (a float with no fraction, such as 1e3, is taken as that integer)."""

    def __init__(self, low=None, high=None):
        self.low, self.high = low, high

    def check(self, value):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            self._refuse(value)
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            self._refuse(value)
        return int(value)

    def describe(self):
        bounds = ([f">= {self.low}"] if self.low is not None else []) + ([f"<= {self.high}"] if self.high is not None else [])
        return " ".join(["an integer", " and ".join(bounds)]).strip()


class IntegerList(Setting):
    """A list of integers >= low, written [512,256] on the command line."""

    def __init__(self, low=1, min_length=0, example="[512,256]"):
        self.item, self.min_length, self.example = Integer(low), min_length, example

    def check(self, value):
        if not isinstance(value, (list, tuple)) or len(value) < self.min_length:
            self._refuse(value)
        try:
            return [self.item.check(item) for item in value]
        except ValueError:
            self._refuse(value)

    def describe(self):
        low = "" if self.item.low is None else f" >= {self.item.low}"
        size = f" (at least {self.min_length})" if self.min_length else ""
        return f"a list of integers{low}{size} like {self.example}"


class Choice(Setting):
    """One of a few fixed words (or None among them)."""

    def __init__(self, *options):
        self.options = options

    def check(self, value):
        for option in self.options:
            if value == option or (option is None and isinstance(value, str) and value.lower() == "none"):
                return option
        self._refuse(value)

    def describe(self):
        return "one of " + ", ".join(str(option) for option in self.options)


class Flag(Setting):
    """True or False (also written true/false, yes/no, 1/0)."""

    WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

    def check(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in self.WORDS:
            return self.WORDS[value.lower()]
        self._refuse(value)

    def describe(self):
        return "true or false"


DTYPE = Choice("float32", "float64")   # the dtypes the kernels run in
SEED = Integer(0, 2**32 - 1)  # numpy's legacy np.random.seed takes no more


# ---- configurations ------------------------------------------------------------------------------
def places(config):
    """{setting name: the dict that holds it} over every section of a nested config."""
    found = {}
    for key, value in config.items():
        if isinstance(value, dict):
            found.update(places(value))
        else:
            found[key] = config
    return found


def flat_settings(config):
    """{setting: value} of a nested config, for results tables and results.json."""
    return {key: holder[key] for key, holder in places(config).items()}


def check_value(model, types, key, value):
    """`value` checked against the declared type of setting `key` of `model`; one-line SettingError if not."""
    key = ALIASES.get(key, key)
    if key not in types:
        raise SettingError(f"{model} has no setting {key!r}; its settings are {', '.join(sorted(types))}")
    try:
        return key, types[key].check(value)
    except ValueError as error:
        raise SettingError(f"{model}: {key} {error}") from None


def check_overrides(model, types, overrides):
    """{setting: value} with aliases resolved and every value checked: the form a recipe receives."""
    return dict(check_value(model, types, key, value) for key, value in (overrides or {}).items())


def apply_overrides(model, types, kept, overrides=None):
    """A deep copy of the nested `kept` config with checked `overrides` put where each setting lives."""
    config = copy.deepcopy(kept)
    holders = places(config)
    for key, value in check_overrides(model, types, overrides).items():
        holders[key][key] = value
    return config


def check_declared(model, types, kept):
    """Every kept setting has a type and fits it, and every declared type has a kept value."""
    flat = flat_settings(kept)
    untyped, unkept = sorted(set(flat) - set(types)), sorted(set(types) - set(flat))
    if untyped or unkept:
        raise SettingError(f"{model}: kept settings and declared types disagree: no type for {untyped}, "
                           f"no kept value for {unkept}")
    for key, value in flat.items():
        check_value(model, types, key, value)
