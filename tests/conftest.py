"""Shared test settings: a reproducible hypothesis profile, and small fixtures."""
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from tinygrad231n.data.coco_synthetic import write_synthetic_coco

# CI runs derandomized (the same examples every run) with no deadline (numba compiles on first
# call); locally the same, with random draws, so new examples keep turning up.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def can_write_in(folder):
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


@pytest.fixture
def unwritable(tmp_path):
    """A folder this process cannot write in: a read-only one, or (as root, who ignores modes) /sys."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    found = [f for f in (folder, "/sys") if os.path.isdir(f) and not can_write_in(f)]
    if not found:
        pytest.skip("no folder here is unwritable to this user")
    yield found[0]
    folder.chmod(0o755)


@pytest.fixture(scope="session")
def coco_folder(tmp_path_factory):
    """The synthetic stand-in for COCO's captioning files (100 training images), written once."""
    return str(write_synthetic_coco(tmp_path_factory.mktemp("coco") / "coco_captioning", n_train=100, n_val=20))
