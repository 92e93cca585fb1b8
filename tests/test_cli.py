"""The command line never ends in a traceback on bad input: one line on stderr, exit status 2, before any work.

One table of (arguments, words the message must hold) covers every subcommand. Each row runs through
`cli.main` in this process with data loading, training and the sweep's executors replaced by traps, so
a row that got past its check fails the test instead of training. A few rows run the real entry point
(`python -m tinygrad231n`) as a user would.

Placeholders in a row: {tmp} a fresh folder; {file} a file in it; {folder} a folder in it; {ro} a folder
this process cannot write in (rows with it are skipped where there is none).
"""
import errno
import json
import os
import subprocess
import sys
import time

import pytest

from models import registry
from models.settings import flat_settings
from tinygrad231n import cli
from tinygrad231n.errors import InputError
from tinygrad231n.reproduce import dataset, tasks
from tinygrad231n.sweep import runner

ZEROS = "0" * 32
GOOD = {"config": {"reg": 1.0}, "status": "ok", "result": {"val_acc": 0.3, "test_acc": 0.3}, "seconds": 1.0}

BAD_INPUT = [
    # the command itself
    ([], "the following arguments are required: COMMAND"),
    (["fly"], "invalid choice: 'fly'"),
    # download
    (["download", "--dest", "{file}"], "destination {file}: is a file, not a folder"),
    (["download", "--dest", "{file}/cifar"], "{file} is a file, so nothing can be created under it"),
    (["download", "--dest", "{ro}/cifar"], "destination {ro}/cifar: cannot write there"),
    (["download", "--dest", "{tmp}/data", "--md5", "xyz"], "md5 must be the archive's md5 digest, 32 hexadecimal"),
    (["download", "--dest", "{tmp}/data", "--url", "{tmp}/none.tar.gz", "--md5", ZEROS],
     "could not download {tmp}/none.tar.gz"),
    (["download", "--dest", "{tmp}/data", "--url", "gopher2://host/a.tar.gz", "--md5", ZEROS], "unknown url type"),
    # reproduce
    (["reproduce", "--sample", "--data", "{tmp}"], "argument --data: not allowed with argument --sample"),
    (["reproduce", "--data", "{tmp}/nothing"], "no CIFAR-10 batches in {tmp}/nothing"),
    (["reproduce", "--sample", "--out", "{file}"], "--out {file}: is a file, not a folder"),
    (["reproduce", "--sample", "--out", "{file}/run"], "{file} is a file, so nothing can be created under it"),
    (["reproduce", "--sample", "--out", "{ro}/run"], "--out {ro}/run: cannot write there"),
    (["reproduce", "--sample", "--out", "{tmp}/run-with-folders", "--only", "svm"],
     "--out {tmp}/run-with-folders/results.json: is an existing folder"),
    (["reproduce", "--sample", "--out", "{tmp}/run-with-nan", "--only", "svm"],
     "results.json is not a results file this run can add to (NaN is not strict JSON)"),
    (["reproduce", "--sample", "--only", "resnet"], "--only: unknown model 'resnet'; choose from knn"),
    (["reproduce", "--sample", "--only", ""], "--only '' names no model"),
    (["reproduce", "--sample", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
    (["reproduce", "--sample", "--threads", "two"], "argument --threads: must be an integer >= 1, got 'two'"),
    # train: the model, the data, the output folder
    (["train"], "the following arguments are required: model"),
    (["train", "resnet", "--sample"], "argument model: invalid choice: 'resnet'"),
    (["train", "svm", "--sample", "--data", "{tmp}"], "argument --data: not allowed with argument --sample"),
    (["train", "svm", "--data", "{tmp}/nothing"], "no CIFAR-10 batches in {tmp}/nothing"),
    (["train", "svm", "--data", "{file}"], "no CIFAR-10 batches in {file}"),
    (["train", "svm", "--sample", "--out", "{file}"], "--out {file}: is a file, not a folder"),
    (["train", "svm", "--sample", "--out", "{file}/run"], "{file} is a file, so nothing can be created under it"),
    (["train", "svm", "--sample", "--out", "{ro}/run"], "--out {ro}/run: cannot write there"),
    (["train", "svm", "--sample", "--out", "{tmp}/run-with-folders"],
     "--out {tmp}/run-with-folders/svm.npz: is an existing folder"),
    (["train", "svm", "--sample", "--threads", "-3"], "argument --threads: must be an integer >= 1, got '-3'"),
    # train: each kind of setting, with a wrong value or name
    (["train", "twolayer", "--sample", "--params", "learning_rate=abc"],
     "twolayer: learning_rate must be a positive number, got 'abc'"),
    (["train", "svm", "--sample", "--params", "learning_rate=-1"], "svm: learning_rate must be a positive number"),
    (["train", "twolayer", "--sample", "--params", "learning_rate=nan"], "has a value that is NaN or infinite"),
    (["train", "twolayer", "--sample", "--params", "reg=1e999"], "has a value that is NaN or infinite"),
    (["train", "twolayer", "--sample", "--params", "seed=abc"], "twolayer: seed must be an integer >= 0"),
    (["train", "svm", "--sample", "--params", "seed=1.5"], "svm: seed must be an integer >= 0"),
    (["train", "twolayer", "--sample", "--params", "seed=4294967296"], "seed must be an integer >= 0 and <= 4294967295"),
    (["train", "twolayer", "--sample", "--params", "batch_size=0"], "twolayer: batch_size must be an integer >= 1"),
    (["train", "twolayer", "--sample", "--params", "momentum=2"], "momentum must be a number from 0 to 0.999, got 2.0"),
    (["train", "twolayer", "--sample", "--params", "dtype=float16"],
     "twolayer: dtype must be one of float32, float64, got 'float16'"),
    (["train", "twolayer", "--sample", "--params", "update_rule=adamw"], "update_rule must be one of sgd, sgd_momentum"),
    (["train", "twolayer", "--sample", "--params", "divide_by_std=maybe"], "divide_by_std must be true or false"),
    (["train", "fcnet", "--sample", "--params", "hidden_dims=100"],
     "fcnet: hidden_dims must be a list of integers >= 1 like [512,256], got 100"),
    (["train", "fcnet", "--sample", "--params", "hidden_dims=[512,abc]"], "fcnet: hidden_dims must be a list"),
    (["train", "fcnet", "--sample", "--params", "normalization=groupnorm"],
     "fcnet: normalization must be one of None, batchnorm, layernorm"),
    (["train", "fcnet", "--sample", "--params", "weight_scale=big"], "weight_scale must be a positive number or None"),
    (["train", "fcnet", "--sample", "--params", "dropout_keep_ratio=0"], "dropout_keep_ratio must be a number from"),
    (["train", "knn", "--sample", "--params", "k_choices=3"], "knn: k_choices must be a list of integers >= 1"),
    (["train", "knn", "--sample", "--params", "num_folds=1"], "knn: num_folds must be an integer >= 2"),
    (["train", "svm", "--sample", "--params", "momentum_typo=1"], "svm has no setting 'momentum_typo'; its settings"),
    (["train", "svm", "--sample", "--params", "num_iters=1,2"], "--params takes one value per setting"),
    (["train", "svm", "--sample", "--params", "learning_rate"], "'learning_rate' has no '='"),
    (["train", "svm", "--sample", "--params", "reg=1 reg=2"], "'reg' is given twice"),
    (["train", "fcnet", "--sample", "--params", "hidden_dims=[512"], "has an unclosed '['"),
    # graph
    (["graph", "knn"], "argument model: invalid choice: 'knn'"),
    (["graph", "svm", "--out", "{tmp}/svm.txt"], "--out {tmp}/svm.txt: a graph is drawn as .svg, .png, .pdf"),
    (["graph", "svm", "--out", "{tmp}/svm"], "a graph is drawn as .svg, .png, .pdf"),
    (["graph", "svm", "--out", "{tmp}/folder.svg"], "--out {tmp}/folder.svg: is an existing folder"),
    (["graph", "svm", "--out", "{file}/svm.svg"], "{file} is a file, so nothing can be created under it"),
    (["graph", "svm", "--out", "{ro}/svm.svg"], "--out {ro}/svm.svg: cannot write there"),
    # sweep
    (["sweep", "svm", "--sample"], "the following arguments are required: --grid"),
    (["sweep", "svm", "--sample", "--grid", "reg"], "'reg' has no '='"),
    (["sweep", "svm", "--sample", "--grid", "reg=1,,2"], "has an empty value"),
    (["sweep", "svm", "--sample", "--grid", "reg=0.1,abc"], "svm: reg must be a number >= 0, got 'abc'"),
    (["sweep", "svm", "--sample", "--grid", "reg=1,inf"], "has a value that is NaN or infinite"),
    (["sweep", "svm", "--sample", "--grid", "seed=0,x"], "svm: seed must be an integer >= 0"),
    (["sweep", "svm", "--sample", "--grid", "nosuch=1,2"], "svm has no setting 'nosuch'"),
    (["sweep", "fcnet", "--sample", "--grid", "hidden_dims=[512],100"], "fcnet: hidden_dims must be a list"),
    (["sweep", "svm", "--data", "{tmp}/nothing", "--grid", "reg=1"], "no CIFAR-10 batches in {tmp}/nothing"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--results", "{folder}"], "{folder}: is an existing folder"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--results", "{file}/s.jsonl"],
     "{file} is a file, so nothing can be created under it"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--results", "{ro}/s.jsonl"], "{ro}/s.jsonl: cannot write there"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--scheduler", "notaurl"],
     "scheduler address 'notaurl' is not of the form tcp://HOST:PORT"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--scheduler", "http://host:8786"], "is not of the form"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--jobs", "0"],
     "argument --jobs: must be an integer >= 1, or -1 for one per core, got '0'"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--jobs", "many"], "argument --jobs: must be an integer >= 1"),
    (["sweep", "svm", "--sample", "--grid", "reg=1", "--threads", "0"], "argument --threads: must be an integer >= 1"),
    # keep
    (["keep", "svm"], "the following arguments are required: --results"),
    (["keep", "svm", "--results", "{tmp}/none.jsonl"], "--results {tmp}/none.jsonl does not exist"),
    (["keep", "svm", "--results", "{folder}"], "--results {folder} is a folder"),
    (["keep", "svm", "--results", "{tmp}/empty.jsonl"], "no successful svm configuration with a val_acc in"),
    (["keep", "svm", "--results", "{tmp}/damaged.jsonl"],
     "no successful svm configuration with a val_acc in {tmp}/damaged.jsonl (2 damaged line(s) skipped"),
    (["keep", "knn", "--results", "{tmp}/good.jsonl"], "knn has no setting 'reg'"),
    (["keep", "svm", "--results", "{tmp}/good.jsonl", "--out", "{folder}"], "--out {folder}: is an existing folder"),
    (["keep", "svm", "--results", "{tmp}/good.jsonl", "--out", "{file}/k.json"],
     "{file} is a file, so nothing can be created under it"),
    (["keep", "svm", "--results", "{tmp}/good.jsonl", "--out", "{ro}/k.json"], "--out {ro}/k.json: cannot write there"),
]

# A row that passes its check must not write where a user's files are: these go in its own folder.
OUTPUT_OPTION = {"train": "--out", "reproduce": "--out", "graph": "--out", "sweep": "--results", "keep": "--out"}
OUTPUT_NAME = {"train": "train", "reproduce": "run", "graph": "graph.svg", "sweep": "sweep.jsonl", "keep": "kept.json"}


@pytest.fixture
def places(tmp_path, request):
    """{placeholder: path} for the table, with the files the rows refer to."""
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "folder.svg").mkdir()
    (tmp_path / "run-with-folders" / "results.json").mkdir(parents=True)
    (tmp_path / "run-with-folders" / "svm.npz").mkdir()
    (tmp_path / "run-with-nan").mkdir()
    (tmp_path / "run-with-nan" / "results.json").write_text('{"svm": {"val_acc": NaN}}\n')
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "damaged.jsonl").write_bytes(b'{"config": {"reg": 1}, "status": "ok", "res\n\xff\xfe\n')
    (tmp_path / "good.jsonl").write_text(json.dumps(GOOD) + "\n")
    return {"tmp": str(tmp_path), "file": str(tmp_path / "a-file"), "folder": str(tmp_path / "a-folder"),
            "ro": lambda: str(request.getfixturevalue("unwritable"))}


def fill(text, places):
    """`text` with its placeholders replaced ({ro} is looked up only when a row uses it)."""
    if "{ro}" in text:
        text = text.replace("{ro}", places["ro"]())
    return text.format(**{key: value for key, value in places.items() if key != "ro"})


@pytest.fixture
def traps(monkeypatch):
    """Loading data, training, fetching and sweeping fail the test: a row must stop before any of them."""
    def trap(what):
        def sprung(*args, **kwargs):
            raise AssertionError(f"{what} before the bad input was refused")
        return sprung

    monkeypatch.setattr(dataset, "load_cifar10_sample", trap("the sample was loaded"))
    monkeypatch.setattr(dataset, "load_cifar10", trap("CIFAR-10 was loaded"))
    monkeypatch.setattr(registry.ModelSpec, "train", trap("a model was trained"))
    monkeypatch.setattr(runner, "run_local", trap("the sweep started"))
    monkeypatch.setattr(runner, "run_on_cluster", trap("the sweep started"))


@pytest.mark.parametrize("argv, words", BAD_INPUT, ids=[" ".join(argv) or "(nothing)" for argv, _ in BAD_INPUT])
def test_bad_input_costs_one_line_and_exit_status_2(argv, words, places, traps, capsys):
    argv = [fill(arg, places) for arg in argv]
    command = argv[0] if argv else None
    option = OUTPUT_OPTION.get(command)
    if option and option not in argv and len(argv) > 1:
        argv += [option, os.path.join(places["tmp"], OUTPUT_NAME[command])]
    start = time.perf_counter()
    code = cli.main(argv)  # returns: an argparse error must not raise SystemExit either
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"
    assert err.startswith("tinygrad231n") and ": error: " in err and "Traceback" not in err, err
    assert fill(words, places) in err, err
    assert out == ""
    assert seconds < 5, f"{seconds:.1f} s to refuse bad input"  # generous: the traps prove no work was done


# ---- the real entry point ----------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, words", [
    ([], "the following arguments are required: COMMAND"),
    (["train", "fcnet", "--sample", "--out", "{file}"], "--out {file}: is a file, not a folder"),
    (["sweep", "twolayer", "--sample", "--grid", "learning_rate=abc", "--results", "{tmp}/s.jsonl"],
     "twolayer: learning_rate must be a positive number, got 'abc'"),
])
def test_the_installed_command_answers_bad_input_the_same_way(argv, words, places):
    argv = [fill(arg, places) for arg in argv]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tinygrad231n", *argv], capture_output=True, text=True,
                          timeout=120, cwd=places["tmp"])
    seconds = time.perf_counter() - start
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert fill(words, places) in done.stderr and done.stdout == ""
    assert seconds < 60  # start-up and imports only: training fcnet on the sample alone takes longer here
    assert sorted(os.listdir(places["tmp"])) == sorted(["a-file", "a-folder", "folder.svg", "run-with-folders",
                                                        "run-with-nan", "empty.jsonl", "damaged.jsonl", "good.jsonl"])


# ---- failures on the way, and warnings ---------------------------------------------------------------------
@pytest.mark.parametrize("error, words", [
    (MemoryError("Unable to allocate 21.8 PiB for an array with shape (3072, 1000000000000)"),
     "error: out of memory: Unable to allocate 21.8 PiB for an array with shape (3072, 1000000000000)"),
    (OSError(errno.ENOSPC, "No space left on device", "runs/train/svm.npz"),
     "error: runs/train/svm.npz: No space left on device"),
])
def test_a_run_that_fails_on_the_way_says_so_in_one_line_with_status_1(error, words, monkeypatch, tmp_path, capsys):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(tasks, "train_one", fail)
    assert cli.main(["train", "svm", "--sample", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == f"tinygrad231n train: {words}\n"


def test_a_message_of_several_lines_is_printed_as_one(monkeypatch, tmp_path, capsys):
    def fail(*args, **kwargs):
        raise InputError("data_batch_1: not a CIFAR-10 batch:\nunpickling stack underflow")

    monkeypatch.setattr(tasks, "train_one", fail)
    assert cli.main(["train", "svm", "--sample", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("tinygrad231n train: error: data_batch_1: not a CIFAR-10 batch: "
                                       "unpickling stack underflow\n")


@pytest.mark.parametrize("bug", [
    ValueError("matmul: shapes (200, 3072) and (3073, 10) do not line up"),  # deep in an op
    RuntimeError("this graph was already backpropagated"),
    KeyError("W1"),
])
def test_a_bug_shows_its_traceback_and_asks_for_a_report_with_status_1(bug, monkeypatch, tmp_path, capsys):
    """Only InputError is the user's mistake; any other exception is ours and keeps its traceback."""
    def fail(*args, **kwargs):
        raise bug

    monkeypatch.setattr(tasks, "train_one", fail)
    assert cli.main(["train", "svm", "--sample", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert f"{type(bug).__name__}: " in err and "in fail" in err
    assert err.splitlines()[-1] == f"tinygrad231n train: {cli.BUG_REPORT}"
    assert "error:" not in err


def test_keep_passes_over_a_damaged_line_with_a_one_line_warning(places, tmp_path, capsys):
    results = tmp_path / "sweep.jsonl"
    results.write_bytes(json.dumps(GOOD).encode() + b'\n{"config": {"reg": 2}, "status": "ok", "res\n')
    out = tmp_path / "kept.json"
    assert cli.main(["keep", "svm", "--results", str(results), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"tinygrad231n keep: warning: {results}:2: skipping a line") and err.count("\n") == 1, err
    assert flat_settings(json.loads(out.read_text())["settings"])["reg"] == 1.0  # the whole record won


def test_keep_passes_over_a_nan_score_with_a_warning_rather_than_keeping_it(tmp_path, capsys):
    results = tmp_path / "sweep.jsonl"
    nan_first = {"config": {"reg": 2.0}, "status": "ok", "result": {"val_acc": float("nan")}, "seconds": 1.0}
    results.write_text(json.dumps(nan_first) + "\n" + json.dumps(GOOD) + "\n")  # json.dumps writes NaN
    out = tmp_path / "kept.json"
    assert cli.main(["keep", "svm", "--results", str(results), "--out", str(out)]) == 0
    assert "its 'val_acc' is nan, not a number" in capsys.readouterr().err
    assert flat_settings(json.loads(out.read_text())["settings"])["reg"] == 1.0
