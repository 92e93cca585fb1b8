"""Atomic writes: the destination holds the old content or the new, never a partial file."""
import json
import os

import numpy as np
import pytest

from tinygrad231n.atomic import atomic_write, save_npz, write_json


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
