"""Atomic writes: the destination holds the old content or the new, never a partial file."""
import json
import os

import numpy as np
import pytest

from tinygrad231n.atomic import atomic_write, save_npz, strict_json, write_json


def test_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "results.json"
    write_json(path, {"a": 1})
    write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert os.listdir(tmp_path) == ["results.json"]  # no temporary files left behind


def test_a_failure_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old report")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path) as fh:
            fh.write("half of a new rep")
            raise KeyboardInterrupt
    assert path.read_text() == "old report"
    assert os.listdir(tmp_path) == ["report.html"]


def test_npz_checkpoints_round_trip_with_a_normal_file_mode(tmp_path):
    path = tmp_path / "svm.npz"
    save_npz(path, W=np.arange(6.0).reshape(3, 2), layout=np.array("HWC"))
    with np.load(path) as archive:
        assert archive["W"].shape == (3, 2) and str(archive["layout"]) == "HWC"
    assert os.stat(path).st_mode & 0o044  # readable by others, unlike mkstemp's private default


def refuse_non_finite(constant):
    raise ValueError(f"not strict JSON: {constant}")


def test_json_is_strict_with_non_finite_numbers_as_null(tmp_path):
    path = tmp_path / "results.json"
    record = {"loss": float("nan"), "history": [1.0, float("inf"), np.float64(-np.inf), np.float32(0.5)],
              "best": (np.int64(3), np.bool_(True)), "name": "svm"}
    write_json(path, record)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text, parse_constant=refuse_non_finite) == {
        "loss": None, "history": [1.0, None, None, 0.5], "best": [3, True], "name": "svm"}
    assert strict_json(record)["loss"] is None and record["loss"] != record["loss"]  # the input is left alone


def test_what_json_cannot_write_is_still_an_error_and_leaves_no_file(tmp_path):
    with pytest.raises(TypeError):
        write_json(tmp_path / "bad.json", {"W": np.zeros(2)})
    assert os.listdir(tmp_path) == []
