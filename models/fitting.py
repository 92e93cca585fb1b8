"""What a recipe takes and returns, and the training steps recipes share.

A recipe, `fit(splits, config, verbose) -> Fitted`, trains one model on the CS231n split (or, for a
model declared with data="coco", on models.captioning.CaptionData) and scores it: its accuracies, test predictions, checkpoint arrays, the report's figures (typed, below) and a
function that builds its loss on a small batch for the graph diagram.
"""
import dataclasses
from typing import Callable, Optional

import numpy as np

from models.checkpoint import checkpoint_arrays
from models.inputs import ImagePreprocessor
from models.settings import Choice, Flag, Integer, Number, flat_settings
from tinygrad231n import no_grad
from tinygrad231n.data import CLASSES
from tinygrad231n.optim import RULES, Solver

GRAPH_BATCH = 8  # examples in the batch drawn for a loss diagram

# The types of the settings each shared step below reads, for declarations to include.
PREPROCESSING_SETTINGS = {"layout": Choice("HWC", "CHW"), "divide_by_std": Flag(), "bias": Flag()}
SGD_SETTINGS = {  # config["train"] of a linear classifier
    "learning_rate": Number(positive=True), "reg": Number(low=0), "num_iters": Integer(0), "batch_size": Integer(1),
}
SOLVER_SETTINGS = {  # config["solver"] of a net, with its optim_config
    "update_rule": Choice(*RULES), "learning_rate": Number(positive=True), "lr_decay": Number(positive=True),
    "batch_size": Integer(1), "num_epochs": Integer(1),
}
MOMENTUM_SETTINGS = {"momentum": Number(0, 0.999)}  # in optim_config, for the momentum rules


@dataclasses.dataclass
class Splits:
    """uint8 images (N, 32, 32, 3) and int64 labels of each split, and where they came from.

    `cache` keeps what recipes compute once per process from the images (extracted features).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str
    sample: bool = False
    class_names: tuple = tuple(CLASSES)
    cache: dict = dataclasses.field(default_factory=dict, repr=False)

    def sizes(self):
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test)}


# ---- the report's figures: each recipe returns those its declaration lists ------------------------
@dataclasses.dataclass
class TrainingCurves:
    """Minibatch losses, and accuracies at each check (empty when the model has no epochs)."""

    loss_history: np.ndarray
    train_acc_history: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))
    val_acc_history: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))


@dataclasses.dataclass
class ClassTemplates:
    """One image per class (C, 32, 32, 3) in 0..255, made from a linear classifier's weights."""

    images: np.ndarray


@dataclasses.dataclass
class FirstLayerWeights:
    """A net's first-layer weights as images (up to 100, (H, 32, 32, 3) or a conv's filters (F, kh, kw, 3), any scale)."""

    images: np.ndarray


@dataclasses.dataclass
class DistanceMatrix:
    """Test-to-train distances (rows: test images)."""

    distances: np.ndarray


@dataclasses.dataclass
class CrossValidation:
    """Accuracy of each k on each fold: ks (K,), accuracies (K, folds)."""

    ks: np.ndarray
    accuracies: np.ndarray


@dataclasses.dataclass
class SampledCaptions:
    """Captions a captioning model wrote for some images of a split, beside what people wrote for them:
    split ("train" or "val"), truth (n,) and sampled (n,) str, each decoded without <START>/<END>."""

    split: str
    truth: np.ndarray
    sampled: np.ndarray


FIGURES = (TrainingCurves, ClassTemplates, FirstLayerWeights, DistanceMatrix, CrossValidation, SampledCaptions)


@dataclasses.dataclass
class Fitted:
    """A trained and scored model.

    val_acc, test_acc: None for a model that does not classify (a captioning model: see scores).
    scores: further single numbers for results.json ({name: float}); notes: sentences for the
    report that say what the numbers mean; loss_graph: builds the loss on a batch of GRAPH_BATCH
    examples (None for a model that trains nothing).
    """

    val_acc: float
    test_acc: float
    hyperparameters: dict
    test_predictions: np.ndarray
    checkpoint: dict = dataclasses.field(default_factory=dict)
    figures: list = dataclasses.field(default_factory=list)
    scores: dict = dataclasses.field(default_factory=dict)
    notes: list = dataclasses.field(default_factory=list)
    loss_graph: Optional[Callable] = None
    name: str = ""        # set by ModelSpec.train, like seconds
    seconds: float = 0.0


# ---- shared steps ------------------------------------------------------------------------------
@dataclasses.dataclass
class Inputs:
    """A model's input rows for each split (after preprocessing or feature extraction) and labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def astype(self, dtype):
        """The float arrays in `dtype` (shared, not copied, where they already are), the labels as they are."""
        arrays = (getattr(self, field.name) for field in dataclasses.fields(self))  # astuple would deep-copy them
        return Inputs(*(x.astype(dtype, copy=False) if x.dtype.kind == "f" else x for x in arrays))


def pixel_inputs(splits, preprocessing, dtype=np.float64):
    """Rows of preprocessed pixels (statistics from the training images) and the checkpoint fields saying how."""
    prep = ImagePreprocessor(**preprocessing).fit(splits.X_train)
    X_train, X_val, X_test = (prep.transform(X, dtype) for X in (splits.X_train, splits.X_val, splits.X_test))
    return Inputs(X_train, splits.y_train, X_val, splits.y_val, X_test, splits.y_test), prep.checkpoint_fields()


def accuracy(predictions, labels):
    return float(np.mean(predictions == labels))


def fit_linear(classifier, inputs, config, fields, verbose):
    """Minibatch SGD of a LinearSVM/Softmax (config["train"]) on rows that carry the bias column."""
    options = config["train"]
    history = classifier.fit(inputs.X_train, inputs.y_train, verbose=verbose, seed=config["seed"], **options)
    predictions = classifier.predict(inputs.X_test)
    return Fitted(
        accuracy(classifier.predict(inputs.X_val), inputs.y_val), accuracy(predictions, inputs.y_test),
        flat_settings(config), predictions, checkpoint={"W": classifier.W.data.copy(), **fields},
        figures=[TrainingCurves(np.asarray(history))],
        loss_graph=lambda: classifier.loss(inputs.X_val[:GRAPH_BATCH], inputs.y_val[:GRAPH_BATCH], options["reg"]))


def fit_net(model, inputs, config, fields, verbose, first_layer_layout=None):
    """CS231n's Solver with config["solver"] after np.random.seed(seed); the best parameters on val are kept.

    first_layer_layout: "HWC"/"CHW" when the inputs are pixels, so the first layer's weights are shown
    as images; None for other inputs.
    """
    data = {"X_train": inputs.X_train, "y_train": inputs.y_train, "X_val": inputs.X_val, "y_val": inputs.y_val}
    np.random.seed(config["seed"])  # the Solver samples minibatches with np.random, as CS231n's does
    solver = Solver(model, data, verbose=verbose, print_every=10 ** 9, **config["solver"])
    solver.train()
    predictions = np.argmax(_scores(model, inputs.X_test), axis=1)  # one batch, as the notebooks score it
    arrays = checkpoint_arrays(model)
    figures = [TrainingCurves(np.asarray(solver.loss_history), np.asarray(solver.train_acc_history),
                              np.asarray(solver.val_acc_history))]
    if first_layer_layout is not None:
        figures.append(FirstLayerWeights(weight_images(arrays["W1"], first_layer_layout)))
    return Fitted(
        solver.check_accuracy(inputs.X_val, inputs.y_val), accuracy(predictions, inputs.y_test),
        flat_settings(config), predictions, checkpoint={**arrays, **fields}, figures=figures,
        loss_graph=lambda: model.train().loss(inputs.X_val[:GRAPH_BATCH], inputs.y_val[:GRAPH_BATCH]))


def pixel_net_recipe(model_class, images=False):
    """The recipe of a net on preprocessed pixels: config["preprocessing"], config["model"] (the
    constructor's keywords, dtype among them) and config["solver"]; the Solver does the rest.

    images: the net takes images, input_dim (3, 32, 32), from rows in "CHW" layout (a conv net);
    otherwise input_dim is the length of a row.
    """
    def fit(splits, config, verbose):
        options = dict(config["model"])
        dtype = np.dtype(options.pop("dtype"))
        inputs, fields = pixel_inputs(splits, config["preprocessing"], dtype)
        if images and config["preprocessing"]["layout"] != "CHW":
            raise ValueError(f"{model_class.__name__} takes images (3, 32, 32): its rows need layout CHW, "
                             f"got {config['preprocessing']['layout']}")
        input_dim = (3,) + splits.X_train.shape[1:3] if images else inputs.X_train.shape[1]
        model = model_class(input_dim=input_dim, dtype=dtype, seed=config["seed"], **options)
        return fit_net(model, inputs, config, fields, verbose, first_layer_layout=config["preprocessing"]["layout"])
    return fit


def weight_images(W1, layout, count=100):
    """A first layer's weights (3072, H) as up to `count` images (n, 32, 32, 3), pixels in `layout` order;
    a conv's filters (F, 3, kh, kw) as up to `count` images (n, kh, kw, 3)."""
    if np.ndim(W1) == 4:
        return np.asarray(W1[:count], dtype=np.float64).transpose(0, 2, 3, 1)
    W1 = np.asarray(W1[:, :count], dtype=np.float64).T
    if layout == "HWC":
        return W1.reshape(-1, 32, 32, 3)
    return W1.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def _scores(model, X):
    """Eval-mode scores of a module as a numpy array."""
    model.eval()
    with no_grad():
        return model(X).data
