"""How each classifier of the assignment is trained and scored: one recipe per model.

`fit(name, splits, config)` returns a `Fitted`: accuracies, the test predictions, the arrays its
checkpoint needs to classify raw images without this project, the curves for the report, and a
function that builds the model's loss on a small batch (for the graph diagram).
"""
import dataclasses
import time
from typing import Callable, Optional

import numpy as np

from models.fc_net import FullyConnectedNet
from models.features import FeatureNormalizer, extract_features
from models.inputs import ImagePreprocessor, flatten_images
from models.knn import KNearestNeighbor, cross_validate_k
from models.linear import LinearSVM, Softmax
from models.two_layer import TwoLayerNet
from tinygrad231n.optim import Solver

from .config import flat_hyperparameters

FEATURES = "hog+hue(nbin=10)"  # CS231n's feature_fns: hog_feature and a 10-bin hue histogram
GRAPH_BATCH = 8  # examples in the batch drawn for a loss diagram


@dataclasses.dataclass
class Fitted:
    name: str
    val_acc: float
    test_acc: float
    hyperparameters: dict
    test_predictions: np.ndarray
    checkpoint: dict = dataclasses.field(default_factory=dict)
    curves: dict = dataclasses.field(default_factory=dict)
    loss_graph: Optional[Callable] = None
    extras: dict = dataclasses.field(default_factory=dict)
    seconds: float = 0.0


def fit(name, splits, config, verbose=True):
    start = time.perf_counter()
    fitted = RECIPES[name](splits, config, verbose)
    fitted.seconds = time.perf_counter() - start
    return fitted


# ---- kNN ----------------------------------------------------------------------------------
def fit_knn(splits, config, verbose):
    """Cross-validate k on the first knn_train images, then classify the test split with the best k."""
    X = flatten_images(splits.X_train[:splits.knn_train])
    y = splits.y_train[:splits.knn_train]
    options = config["knn"]
    k_to_accuracies = cross_validate_k(X, y, k_choices=options["k_choices"], num_folds=options["num_folds"])
    best_k = max(k_to_accuracies, key=lambda k: (np.mean(k_to_accuracies[k]), -k))
    knn = KNearestNeighbor()
    knn.train(X, y)
    dists = knn.compute_distances(flatten_images(splits.X_test))
    predictions = knn.predict_labels(dists, k=best_k)
    notebook = slice(0, splits.knn_test)  # the notebook scores kNN on the first 500 test images
    k1_notebook = np.mean(knn.predict_labels(dists[notebook], k=1) == splits.y_test[notebook])
    return Fitted(
        "knn", float(np.mean(k_to_accuracies[best_k])), float(np.mean(predictions == splits.y_test)),
        {**flat_hyperparameters(config), "best_k": int(best_k)}, predictions,
        extras={"k_to_accuracies": k_to_accuracies, "dists": dists[notebook],
                "k1_test_acc_notebook": float(k1_notebook),
                "best_k_test_acc_notebook": float(np.mean(predictions[notebook] == splits.y_test[notebook]))})


# ---- linear classifiers -------------------------------------------------------------------
def _train_linear(name, classifier, inputs, config, checkpoint, verbose):
    """Minibatch SGD of a LinearSVM/Softmax on rows that already carry the bias column."""
    X_train, y_train, X_val, y_val, X_test, y_test = inputs
    options = config["train"]
    history = classifier.train(X_train, y_train, verbose=verbose, seed=config["seed"], **options)
    predictions = classifier.predict(X_test)
    W = classifier.W.data
    return Fitted(
        name, float(np.mean(classifier.predict(X_val) == y_val)), float(np.mean(predictions == y_test)),
        flat_hyperparameters(config), predictions, checkpoint={"W": W, **checkpoint},
        curves={"loss_history": history},
        loss_graph=lambda: classifier.loss(X_val[:GRAPH_BATCH], y_val[:GRAPH_BATCH], options["reg"]),
        extras={"W": W})


def _pixel_inputs(splits, preprocessing, dtype=np.float64):
    prep = ImagePreprocessor(**preprocessing).fit(splits.X_train)
    X_train, X_val, X_test = (prep.transform(X, dtype) for X in (splits.X_train, splits.X_val, splits.X_test))
    return (X_train, splits.y_train, X_val, splits.y_val, X_test, splits.y_test), prep.checkpoint_fields()


def _linear_recipe(name, cls):
    def recipe(splits, config, verbose):
        inputs, fields = _pixel_inputs(splits, config["preprocessing"])
        return _train_linear(name, cls(), inputs, config, fields, verbose)
    return recipe


# ---- neural nets --------------------------------------------------------------------------
def _train_net(name, model, inputs, config, checkpoint, verbose):
    """CS231n's Solver with the kept settings; the best parameters on validation are kept."""
    X_train, y_train, X_val, y_val, X_test, y_test = inputs
    data = {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}
    np.random.seed(config["seed"])  # the Solver samples minibatches with np.random, as CS231n's does
    solver = Solver(model, data, verbose=verbose, print_every=10 ** 9, **config["solver"])
    solver.train()
    predictions = np.argmax(model.loss(X_test), axis=1)
    weights = model.state_for_checkpoint() if hasattr(model, "state_for_checkpoint") else dict(model.params)
    return Fitted(
        name, solver.check_accuracy(X_val, y_val), float(np.mean(predictions == y_test)),
        flat_hyperparameters(config), predictions, checkpoint={**weights, **checkpoint},
        curves={"loss_history": solver.loss_history, "train_acc_history": solver.train_acc_history,
                "val_acc_history": solver.val_acc_history},
        loss_graph=lambda: model.loss_graph(X_val[:GRAPH_BATCH], y_val[:GRAPH_BATCH]),
        extras={"W1": model.params["W1"]})


def _net_recipe(name, cls):
    def recipe(splits, config, verbose):
        model_options = dict(config["model"])
        dtype = np.dtype(model_options.pop("dtype", "float64"))
        inputs, fields = _pixel_inputs(splits, config["preprocessing"], dtype)
        model = cls(input_dim=inputs[0].shape[1], dtype=dtype, seed=config["seed"], **model_options)
        return _train_net(name, model, inputs, config, fields, verbose)
    return recipe


# ---- HOG + hue features -------------------------------------------------------------------
def _feature_inputs(splits, bias, verbose):
    """Features of every split, normalized with the training statistics (computed once per run)."""
    if "features" not in splits.cache:
        if verbose:
            print(f"Extracting {FEATURES} features from {len(splits.y_train) + len(splits.y_val) + len(splits.y_test)} images")
        raw = [extract_features(X) for X in (splits.X_train, splits.X_val, splits.X_test)]
        splits.cache["features"] = raw, FeatureNormalizer().fit(raw[0])
    (train, val, test), normalizer = splits.cache["features"]
    X_train, X_val, X_test = (normalizer.transform(X, bias=bias) for X in (train, val, test))
    fields = {"feature_mean": normalizer.mean[0], "feature_std": normalizer.std[0], "features": np.array(FEATURES),
              "bias": np.array(bias)}
    return (X_train, splits.y_train, X_val, splits.y_val, X_test, splits.y_test), fields


def fit_features_svm(splits, config, verbose):
    inputs, fields = _feature_inputs(splits, bias=True, verbose=verbose)
    return _train_linear("features_svm", LinearSVM(), inputs, config, fields, verbose)


def fit_features_net(splits, config, verbose):
    inputs, fields = _feature_inputs(splits, bias=False, verbose=verbose)
    model_options = dict(config["model"])
    dtype = np.dtype(model_options.pop("dtype", "float64"))
    inputs = tuple(x.astype(dtype) if x.dtype.kind == "f" else x for x in inputs)
    model = TwoLayerNet(input_dim=inputs[0].shape[1], dtype=dtype, seed=config["seed"], **model_options)
    return _train_net("features_net", model, inputs, config, fields, verbose)


RECIPES = {
    "knn": fit_knn,
    "svm": _linear_recipe("svm", LinearSVM),
    "softmax": _linear_recipe("softmax", Softmax),
    "twolayer": _net_recipe("twolayer", TwoLayerNet),
    "fcnet": _net_recipe("fcnet", FullyConnectedNet),
    "features_svm": fit_features_svm,
    "features_net": fit_features_net,
}
