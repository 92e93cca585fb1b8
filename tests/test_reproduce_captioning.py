"""The captioning models in the main job: trained on a synthetic COCO folder end to end, skipped or refused
without one; and the recipe's parts (BLEU-1, max_train)."""
import json
import math
from html import escape

import numpy as np
import pytest

from models import registry
from models.captioning import bleu1, keep_training_captions
from models.fitting import SampledCaptions
from tinygrad231n.cli import main
from tinygrad231n.data.coco_synthetic import write_synthetic_coco
from tinygrad231n.reproduce.material import load_material

CAPTIONING = [spec.name for spec in registry.specs() if spec.data == "coco"]
QUICK = {name: dict(registry.get(name).quick) for name in CAPTIONING}


def strict_json(path):
    return json.loads(path.read_text(), parse_constant=lambda name: pytest.fail(f"{path}: {name} is not JSON"))


@pytest.fixture(scope="module")
def coco_dir(tmp_path_factory):
    return write_synthetic_coco(tmp_path_factory.mktemp("data") / "coco_captioning", n_train=100, n_val=30)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, coco_dir):
    from tinygrad231n.reproduce.run import reproduce
    out = tmp_path_factory.mktemp("captioning")
    reproduce(out=str(out), only="captioning", coco=str(coco_dir), verbose=False, overrides=QUICK)
    return out


@pytest.fixture
def no_coco(tmp_path, monkeypatch):
    """A data folder without coco_captioning/, and CIFAR-10 loads that fail the test if reached."""
    from tinygrad231n.reproduce import dataset
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path / "data"))
    trap = lambda *args, **kwargs: pytest.fail("data was loaded before the input was checked")
    monkeypatch.setattr(dataset, "load_cifar10_sample", trap)
    monkeypatch.setattr(dataset, "load_cifar10", trap)
    monkeypatch.setattr(registry.ModelSpec, "train", trap)


def test_results_are_strict_json_with_scores_and_no_accuracy(run_dir, coco_dir):
    results = strict_json(run_dir / "results.json")
    assert list(results) == CAPTIONING
    for name, record in results.items():
        assert record["val_acc"] is None and record["test_acc"] is None  # null, not NaN
        assert math.isfinite(record["train_loss"]) and math.isfinite(record["val_loss"])
        assert 0 <= record["val_bleu1"] <= 1
        assert record["data"] == f"{coco_dir} (SYNTHETIC captions, not COCO)"
        for setting, value in registry.get(name).check(QUICK[name]).items():
            assert record["hyperparameters"][setting] == value  # the override reached the recipe


def test_checkpoint_holds_cs231n_names_and_the_vocabulary(run_dir):
    with np.load(run_dir / "captioning_lstm.npz") as archive:
        H = QUICK["captioning_lstm"]["hidden_dim"]
        assert archive["Wh"].shape == (H, 4 * H) and archive["W_proj"].shape == (512, H)
        assert list(archive["idx_to_word"][:4]) == ["<NULL>", "<START>", "<END>", "<UNK>"]
        assert archive["W_embed"].shape[0] == len(archive["idx_to_word"])


def test_report_shows_captions_beside_the_truth_escaped(run_dir):
    html = (run_dir / "report.html").read_text()
    for name in CAPTIONING:
        assert escape(registry.get(name).title) in html
        material = load_material(str(run_dir), name)
        assert [type(f) for f in material.figures] == list(registry.get(name).figures)
        val = next(f for f in material.figures if isinstance(f, SampledCaptions) and str(f.split) == "val")
        assert len(val.truth) == len(val.sampled) == 10
        assert f"<td>{escape(val.truth[0])}</td><td>{escape(val.sampled[0])}</td>" in html
    assert "&lt;UNK&gt;" in html and "<UNK>" not in html  # the synthetic set's <UNK> place, escaped
    assert "SYNTHETIC" in html and "val BLEU-1" in html and "Captions of the first 10 validation images" in html
    assert html.count("<svg") == len(CAPTIONING)  # a loss diagram each
    assert "Best model by validation accuracy" not in html and "Random training images" not in html


def test_a_run_of_every_model_without_coco_skips_the_captioning_models_in_one_line(tmp_path, monkeypatch, capsys):
    from tinygrad231n.reproduce import run
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path / "data"))
    trained = []
    monkeypatch.setattr(registry.ModelSpec, "train", lambda spec, *args, **kwargs: trained.append(spec.name) or stop())
    with pytest.raises(StopRun):
        run.reproduce(sample=True, out=str(tmp_path / "run"), verbose=False)
    out = capsys.readouterr().out
    skipped = [line for line in out.splitlines() if "Skipping" in line]
    assert skipped == [f"Skipping {', '.join(CAPTIONING)}: no COCO captioning data; to include them, give "
                       "--coco DIR (CS231n's coco_captioning folder) or run `tinygrad231n download coco` first"]
    assert trained == [registry.names()[0]] and registry.get(trained[0]).data == "cifar10"


class StopRun(Exception):
    pass


def stop():
    raise StopRun


@pytest.mark.parametrize("argv", [["reproduce", "--sample", "--only", "captioning"],
                                  ["reproduce", "--sample", "--only", "svm,captioning_lstm"],
                                  ["train", "captioning_rnn"]])
def test_asking_for_a_captioning_model_without_coco_fails_at_once(argv, no_coco, tmp_path, capsys):
    assert main(argv + ["--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--coco DIR" in err and "tinygrad231n download coco" in err
    assert not (tmp_path / "run").exists()


def test_a_coco_folder_that_is_not_there_is_one_line(no_coco, tmp_path, capsys):
    assert main(["reproduce", "--only", "captioning", "--coco", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_sweep_refuses_a_captioning_model_it_cannot_rank(no_coco, capsys):
    assert main(["sweep", "captioning_rnn", "--grid", "learning_rate=1e-3,1e-2"]) == 2
    assert "does not have" in capsys.readouterr().err


def test_train_writes_the_checkpoint_and_a_strict_record(coco_dir, tmp_path, capsys):
    params = " ".join(f"{k}={v}" for k, v in QUICK["captioning_rnn"].items())
    assert main(["train", "captioning_rnn", "--coco", str(coco_dir), "--out", str(tmp_path), "--params", params]) == 0
    record = strict_json(tmp_path / "captioning_rnn.json")
    assert record["val_acc"] is None and "val_bleu1" in record and (tmp_path / "captioning_rnn.npz").exists()
    assert "val_bleu1" in capsys.readouterr().out


@pytest.mark.parametrize("references, hypothesis, expected", [
    ([["a", "cat", "on", "a", "mat"]], ["a", "cat", "on", "a", "mat"], 1.0),
    ([["a", "cat"]], ["a", "a", "a"], 1 / 3),                            # "a" counts once: clipped
    ([["a", "cat", "on", "the", "mat"]], ["a", "cat"], math.exp(1 - 5 / 2)),  # short: brevity penalty
    ([["a", "big", "dog"], ["a", "dog"]], ["a", "dog"], 1.0),          # the closest reference length counts
    ([["a", "dog"]], [], 0.0),
])
def test_bleu1_is_clipped_unigram_precision_with_a_brevity_penalty(references, hypothesis, expected):
    assert bleu1(references, hypothesis) == pytest.approx(expected)


def test_max_train_draws_captions_with_their_images_as_load_coco_data_does():
    data = {"train_captions": np.arange(20).reshape(10, 2), "train_image_idxs": np.arange(10) * 3}
    assert keep_training_captions(data, 0) is data
    np.random.seed(0)
    kept = keep_training_captions(data, 4)
    np.random.seed(0)
    chosen = np.random.randint(10, size=4)
    np.testing.assert_array_equal(kept["train_image_idxs"], chosen * 3)
    np.testing.assert_array_equal(kept["train_captions"], data["train_captions"][chosen])


def test_graph_draws_a_captioning_model_without_coco(tmp_path, monkeypatch):
    """It trains the quick settings on a synthetic set it writes in a temporary folder (the graph's shape
    needs no real data)."""
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path / "data"))
    out = tmp_path / "rnn.svg"
    assert main(["graph", "captioning_rnn", "--out", str(out)]) == 0
    svg = out.read_text()
    assert "<svg" in svg and "Embedding" in svg and "Tanh" in svg and "W_vocab" in svg
    assert not (tmp_path / "data").exists()  # nothing left behind in the data folder
