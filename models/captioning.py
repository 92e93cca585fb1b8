"""The recipe shared by the captioning models: train on COCO's captions with Adam, then score and show them.

    register(ModelSpec(name="captioning_lstm", data="coco", fit=captioning_recipe(CaptioningRNN, cell_type="lstm"),
                       settings={**CAPTIONING_SETTINGS, "hidden_dim": Integer(1), ...}, ...))

A captioning model class takes `(word_to_idx, input_dim=..., dtype=..., seed=..., **config["model"])`
and has `loss(features, captions)` (a scalar Tensor) and `sample(features, max_length)` (word
indices). The recipe reads config["train"] (CAPTIONING_SETTINGS) and config["seed"], and trains as
CS231n's CaptioningSolver does: each epoch is (training captions // batch_size) minibatches drawn
with replacement by np.random (sample_coco_minibatch), Adam, the learning rate times lr_decay after
each epoch. max_train > 0 keeps that many training captions, drawn as load_coco_data(max_train=...)
draws them; 0 keeps them all.

Scores (results.json): train_loss and val_loss, CS231n's loss (summed over a caption's words,
averaged over captions) on up to EVAL_CAPTIONS captions of each split; val_bleu1, the mean BLEU-1
of greedy captions of up to EVAL_CAPTIONS validation images, each against every caption people
wrote for that image (COCO has about five; CS231n's BLEU_score used one). BLEU-1 is the share of
sampled words found in a reference (each reference word matched at most as often as it occurs
there), times a brevity penalty exp(1 - r/c) when the sample is shorter (c words) than the
reference closest in length (r words); <START>, <END> and <UNK> are left out, as CS231n does.
"""
import collections
import dataclasses
import math

import numpy as np

from models.fitting import GRAPH_BATCH, Fitted, SampledCaptions, TrainingCurves
from models.settings import Integer, Number, flat_settings
from tinygrad231n import no_grad, optim
from tinygrad231n.data.coco import decode_captions, sample_coco_minibatch

CAPTIONING_SETTINGS = {  # config["train"]
    "num_epochs": Integer(1), "batch_size": Integer(1), "learning_rate": Number(positive=True),
    "lr_decay": Number(positive=True), "max_train": Integer(0),
}
EVAL_CAPTIONS = 1000   # captions (val images for BLEU-1) scored per split, as CS231n's evaluation samples 1,000
SHOWN_CAPTIONS = {"train": 5, "val": 10}  # rows of the report's caption tables
GRAPH_STEPS = 2        # words read in the loss diagram's captions: the second step shows the recurrence
DROPPED_WORDS = ("<START>", "<END>", "<UNK>", "<NULL>")  # by BLEU-1
MARKERS = ("<START>", "<END>", "<NULL>")                  # from the captions the report shows
SCORE_LABELS = {"train_loss": "train loss", "val_loss": "val loss", "val_bleu1": "val BLEU-1"}


@dataclasses.dataclass
class CaptionData:
    """CS231n's COCO captioning dict (tinygrad231n.data.coco.load_coco_data), where it came from, and
    whether it is the synthetic stand-in rather than COCO."""

    data: dict
    source: str
    synthetic: bool = False

    def sizes(self):
        return {f"{split} captions": len(self.data[f"{split}_captions"]) for split in ("train", "val")}


def captioning_recipe(model_class, **fixed):
    """fit(CaptionData, config, verbose) -> Fitted for `model_class`, built with config["model"] and
    the keywords `fixed` (a declaration's constants, e.g. cell_type="lstm")."""
    def fit(captions, config, verbose):
        options = {**config["model"], **fixed}
        dtype = np.dtype(options.pop("dtype"))
        np.random.seed(config["seed"])  # minibatches and max_train draw from np.random, as CS231n's do
        data = keep_training_captions(captions.data, config["train"]["max_train"])
        model = model_class(data["word_to_idx"], input_dim=data["train_features"].shape[1], dtype=dtype,
                            seed=config["seed"], **options)
        history = train_captioning(model, data, config["train"], verbose)
        return scored(model, data, config, history, captions.synthetic)
    return fit


def keep_training_captions(data, max_train):
    """`data` with `max_train` training captions drawn with replacement by np.random.randint (0: all)."""
    if not max_train:
        return data
    chosen = np.random.randint(len(data["train_captions"]), size=max_train)
    return {**data, "train_captions": data["train_captions"][chosen],
            "train_image_idxs": data["train_image_idxs"][chosen]}


class CaptionBatches:
    """Mixed in ahead of a Solver (tinygrad231n.optim.Solver, or the cs231n adapter's), it trains on
    load_coco_data's dict instead of X_train/y_train: each iteration draws batch_size captions with
    replacement (sample_coco_minibatch, np.random.choice as CS231n's CaptioningSolver), the model's
    loss(features, captions) gives the minibatch loss, and, as in CS231n's captioning loop, no
    accuracy is measured while training (the parameters end as the last update left them)."""

    DATA_KEYS = ("train_captions", "train_image_idxs", "train_features", "word_to_idx")

    def _take_data(self, data):
        missing = [key for key in self.DATA_KEYS if key not in data]
        if missing:
            raise KeyError(f"{type(self).__name__}: data is missing {missing}; it needs load_coco_data's "
                           f"{list(self.DATA_KEYS)}")
        self.data = data
        self.num_train = data["train_captions"].shape[0]

    def _minibatch(self):
        captions, features, _ = sample_coco_minibatch(self.data, batch_size=self.batch_size, split="train")
        return features, captions

    def _record_accuracy(self, progress):
        """Nothing: captioning has no accuracy to check while it trains."""


class CaptionSolver(CaptionBatches, optim.Solver):
    """tinygrad231n.optim.Solver on COCO captions, for a captioning nn.Module."""


def train_captioning(model, data, options, verbose=False):
    """Adam on minibatches of the training captions, as CaptioningSolver trains (options: config["train"],
    CAPTIONING_SETTINGS); returns the minibatch losses."""
    solver = CaptionSolver(model, data, update_rule="adam", optim_config={"learning_rate": options["learning_rate"]},
                           lr_decay=options["lr_decay"], num_epochs=options["num_epochs"],
                           batch_size=options["batch_size"], verbose=verbose, print_every=10**9)
    solver.train()
    return np.asarray(solver.loss_history)


def scored(model, data, config, history, synthetic):
    """The Fitted of a trained captioning model: its losses and BLEU-1, caption tables, checkpoint, diagram."""
    model.eval()  # scored without dropout (the transformer has some)
    scores = {f"{split}_loss": split_loss(model, data, split) for split in ("train", "val")}
    scores["val_bleu1"], shown_val = mean_bleu1(model, data, "val")
    figures = [TrainingCurves(history), shown_captions(model, data, "train"), shown_val]
    notes = [f"Losses are CS231n's (summed over a caption's words, averaged over captions) on up to "
             f"{EVAL_CAPTIONS:,} captions of each split; BLEU-1 scores greedy captions of up to {EVAL_CAPTIONS:,} "
             "validation images against every reference caption of the image."]
    if synthetic:
        notes.append("Trained on the SYNTHETIC stand-in that tinygrad231n.data.coco_synthetic writes, not on COCO: "
                     "these numbers show that everything runs, not how well the model captions photographs.")
    checkpoint = {name: parameter.data.copy() for name, parameter in model.named_parameters()}
    checkpoint["idx_to_word"] = np.asarray(data["idx_to_word"], dtype=str)
    graph_captions = data["val_captions"][:GRAPH_BATCH, :GRAPH_STEPS + 1]
    graph_features = data["val_features"][data["val_image_idxs"][:GRAPH_BATCH]]
    return Fitted(None, None, flat_settings(config), np.zeros(0, dtype=np.int64), checkpoint=checkpoint,
                  figures=figures, scores=scores, notes=notes,
                  loss_graph=lambda: model.train().loss(graph_features, graph_captions))


@no_grad()
def split_loss(model, data, split, count=EVAL_CAPTIONS, batch_size=100):
    """The mean loss over the first `count` captions of `split` (in batches: it is a per-caption mean)."""
    captions = data[f"{split}_captions"][:count]
    features = data[f"{split}_features"][data[f"{split}_image_idxs"][:count]]
    total = 0.0
    for start in range(0, len(captions), batch_size):
        batch = slice(start, start + batch_size)
        total += model.loss(features[batch], captions[batch]).item() * len(captions[batch])
    return total / len(captions)


def words(caption, dropped=DROPPED_WORDS):
    """A decoded caption's words, without the markers BLEU leaves out (or those in `dropped`)."""
    return [word for word in caption.split() if word not in dropped]


def shown(decoded):
    """Decoded captions as the report shows them: words and <UNK>, no markers, as a str array."""
    return np.asarray([" ".join(words(text, MARKERS)) for text in decoded], dtype=str)


def bleu1(references, hypothesis):
    """Sentence BLEU-1 of `hypothesis` (a list of words) against `references` (lists of words); 0 if empty."""
    if not hypothesis:
        return 0.0
    counts = collections.Counter(hypothesis)
    most = collections.Counter()
    for reference in references:
        most |= collections.Counter(reference)  # | keeps each word's largest count over the references
    precision = sum(min(n, most[word]) for word, n in counts.items()) / len(hypothesis)
    c = len(hypothesis)
    r = min((len(reference) for reference in references), key=lambda length: (abs(length - c), length))
    return precision * (1.0 if c >= r else math.exp(1 - r / c))


def mean_bleu1(model, data, split, count=EVAL_CAPTIONS):
    """(mean BLEU-1 of greedy captions of the first `count` images of `split` that have captions,
    the SampledCaptions of the first SHOWN_CAPTIONS of them)."""
    idx_to_word = data["idx_to_word"]
    references = collections.defaultdict(list)
    for caption, image in zip(data[f"{split}_captions"], data[f"{split}_image_idxs"]):
        references[int(image)].append(words(decode_captions(caption, idx_to_word)))
    images = list(references)[:count]
    sampled = decode_captions(model.sample(data[f"{split}_features"][images]), idx_to_word)
    score = float(np.mean([bleu1(references[image], words(s)) for image, s in zip(images, sampled)]))
    first = {}  # each shown image's first caption, as people wrote it
    for caption, image in zip(data[f"{split}_captions"], data[f"{split}_image_idxs"]):
        first.setdefault(int(image), caption)
    rows = images[:SHOWN_CAPTIONS[split]]
    truth = decode_captions(np.stack([first[image] for image in rows]), idx_to_word)
    return score, SampledCaptions(split, shown(truth), shown(sampled[:len(rows)]))


def shown_captions(model, data, split):
    """SampledCaptions of the first SHOWN_CAPTIONS[split] captions of `split` (a training split shows
    how well the model fits what it saw)."""
    count = SHOWN_CAPTIONS[split]
    captions = data[f"{split}_captions"][:count]
    sampled = model.sample(data[f"{split}_features"][data[f"{split}_image_idxs"][:count]])
    return SampledCaptions(split, shown(decode_captions(captions, data["idx_to_word"])),
                           shown(decode_captions(sampled, data["idx_to_word"])))
