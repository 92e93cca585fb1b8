"""Each model's kept hyperparameters (models/hyperparameters.py), with overrides by plain names.

A kept entry nests its settings in sections ("preprocessing", "model", "solver" and its
"optim_config", "train", "knn"); users override them by the innermost name alone, e.g.
`{"learning_rate": 1e-3, "hidden_dim": 200}`, as `--params` and `--grid` on the command line do.
"""
import copy

from models.hyperparameters import KEPT

MODELS = ("knn", "svm", "softmax", "twolayer", "fcnet", "features_svm", "features_net")
ALIASES = {"lr": "learning_rate", "hidden": "hidden_dim", "epochs": "num_epochs", "iters": "num_iters"}


def kept_config(name, overrides=None):
    """A deep copy of KEPT[name] with `overrides` ({setting: value}) applied where each setting lives."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; the models are {', '.join(MODELS)}")
    if name not in KEPT:
        raise ValueError(f"model {name!r} has no kept hyperparameters in models/hyperparameters.py")
    config = copy.deepcopy(KEPT[name])
    places = settings(config)
    for key, value in (overrides or {}).items():
        key = ALIASES.get(key, key)
        if key not in places:
            raise ValueError(f"{name} has no setting {key!r}; its settings are {', '.join(sorted(places))}")
        places[key][key] = value
    return config


def settings(config):
    """{setting name: the dict that holds it} over every section of a config, innermost last."""
    places = {}
    for key, value in config.items():
        if isinstance(value, dict):
            places.update(settings(value))
        elif not key.startswith("_"):
            places[key] = config
    return places


def flat_hyperparameters(config):
    """{setting: value} of a config, for results tables and results.json."""
    return {key: holder[key] for key, holder in settings(config).items()}
