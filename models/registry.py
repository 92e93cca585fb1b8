"""The registry: every model declared once, and everything else asks it.

    register(ModelSpec(name="svm", title="Linear SVM (raw pixels)", fit=fit_svm, settings={...},
                       kept=Kept.load("svm"), quick={"num_iters": 1}, checkpoint="W, ...", ...))
    get("svm").kept.settings            # the kept configuration
    names()                             # ("knn", "svm", ...): the command line's choices, the report's rows

A declaration sits at the bottom of its model's file in models/. The command line (its choices,
`reproduce --only` and its groups), the report (titles, CS231n's figures, which figures a model
has), `graph`, `sweep` and the tests read them from here; nothing else spells a model's name.
Declarations are found by importing every module of this package once, on the first question,
so a new model is one new file and nothing else.
"""
import dataclasses
import importlib
import json
import os
import pkgutil
import re
import time
from typing import Callable, Mapping, Optional

from tinygrad231n.errors import InputError

from .settings import apply_overrides, check_declared, check_overrides

DATA_KINDS = ("cifar10", "coco")  # what a recipe trains on: CIFAR-10 Splits, COCO captions (CaptionData)
KEPT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kept")
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclasses.dataclass(frozen=True)
class Reference:
    """CS231n's notebook accuracies for a model, the numbers to compare with (None: not reported)."""

    val: Optional[float] = None
    test: Optional[float] = None


@dataclasses.dataclass(frozen=True)
class Kept:
    """A model's kept configuration (nested sections), the command that found it, and what it saw.

    File-backed kept settings live in models/kept/<model>.json, which `tinygrad231n keep` rewrites
    from a sweep's results; `path` is None for settings written inline in a declaration.
    """

    settings: dict
    found_by: str
    seen: str = ""
    path: Optional[str] = None

    @classmethod
    def load(cls, name):
        """models/kept/<name>.json: {"settings": {...}, "found_by": "...", "seen": "..."} (strict JSON)."""
        path = os.path.join(KEPT_DIR, f"{name}.json")
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh, parse_constant=_refuse_constant)
        return cls(record["settings"], record["found_by"], record.get("seen", ""), path)

    def to_json(self):
        return {"settings": self.settings, "found_by": self.found_by, "seen": self.seen}


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """Everything the product needs to know about one model.

    fit: the recipe, fit(splits, config, verbose) -> models.fitting.Fitted (splits: models.fitting.Splits;
        config: the kept settings with any overrides, nested as in `kept`).
    settings: {setting name: models.settings type} for every setting in `kept`.
    quick: overrides that make a run test-sized (the fewest steps that still build every part).
    checkpoint: what the model's .npz holds, in words (README and report).
    figures: the models.fitting figure types its report section shows, in order.
    groups: further names `reproduce --only` accepts for it (several models may share one).
    graph: whether it has a loss to draw (`graph`, the report); kNN has none.
    order: where it comes in runs and tables (the assignment's order).
    data: what its recipe reads, one of DATA_KINDS: "cifar10" (models.fitting.Splits) or "coco"
        (models.captioning.CaptionData, from CS231n's COCO captioning files).
    """

    name: str
    title: str
    fit: Callable
    settings: Mapping
    kept: Kept
    quick: Mapping
    checkpoint: str
    cs231n: Reference = Reference()
    figures: tuple = ()
    groups: tuple = ()
    graph: bool = True
    order: int = 1000
    data: str = "cifar10"

    def config(self, overrides=None):
        """The kept configuration with `overrides` ({setting: value}, checked against the types) applied."""
        return apply_overrides(self.name, self.settings, self.kept.settings, overrides)

    def check(self, overrides):
        """`overrides` checked against the declared types (aliases resolved); one-line SettingError if not."""
        return check_overrides(self.name, self.settings, overrides)

    def train(self, splits, overrides=None, verbose=True):
        """Run the recipe with the kept settings and `overrides`; the Fitted carries its name and time."""
        config = self.config(overrides)
        start = time.perf_counter()
        fitted = self.fit(splits, config, verbose)
        fitted.name, fitted.seconds = self.name, time.perf_counter() - start
        return fitted


_MODELS = {}
_discovered = False


def register(spec):
    """Add `spec` to the registry after checking it; returns it. A name can be registered once."""
    if not NAME.match(spec.name):
        raise ValueError(f"register: model name {spec.name!r} must be lower case letters, digits and _")
    if spec.name in _MODELS and _MODELS[spec.name] is not spec:
        raise ValueError(f"register: a model named {spec.name!r} is already registered")
    if spec.data not in DATA_KINDS:
        raise ValueError(f"register: {spec.name}'s data must be one of {DATA_KINDS}, got {spec.data!r}")
    check_declared(spec.name, spec.settings, spec.kept.settings)
    check_overrides(spec.name, spec.settings, spec.quick)
    taken = set(_MODELS) - {spec.name}
    for group in spec.groups:
        if group in taken or group == spec.name:
            raise ValueError(f"register: group {group!r} of {spec.name!r} is already a model's name")
    _MODELS[spec.name] = spec
    return spec


def unregister(name):
    """Remove a model (tests register toy models and remove them again)."""
    _MODELS.pop(name, None)


def specs():
    """Every registered model's spec, in run order."""
    _discover()
    return sorted(_MODELS.values(), key=lambda spec: spec.order)


def names():
    return tuple(spec.name for spec in specs())


def get(name):
    _discover()
    if name not in _MODELS:
        raise InputError(f"unknown model {name!r}; the models are {', '.join(names())}")
    return _MODELS[name]


def groups():
    """{name accepted by `reproduce --only`: the models it stands for}: each model, then declared groups."""
    found = {spec.name: [spec.name] for spec in specs()}
    for spec in specs():
        for group in spec.groups:
            found.setdefault(group, []).append(spec.name)
    return {group: tuple(members) for group, members in found.items()}


def select(only):
    """"svm,features" -> ("svm", "features_svm", "features_net") in run order; None -> every model
    ("" names none: an --only left empty by mistake must not start every model's training)."""
    if only is None:
        return names()
    choices = groups()
    chosen = set()
    parts = [part.strip() for part in only.split(",")]
    for part in filter(None, parts):
        if part not in choices:
            raise InputError(f"--only: unknown model {part!r}; choose from {', '.join(choices)}")
        chosen.update(choices[part])
    if not chosen:
        raise InputError(f"--only {only!r} names no model; choose from {', '.join(choices)}")
    return tuple(name for name in names() if name in chosen)


def _discover():
    """Import every module of the models package once, so that each runs its declarations."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{__package__}.{module.name}")


def _refuse_constant(name):
    raise ValueError(f"kept settings must be strict JSON; found {name}")
