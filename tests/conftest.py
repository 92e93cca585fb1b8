"""Shared test settings: a reproducible hypothesis profile, and small fixtures."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# CI runs derandomized (the same examples every run) with no deadline (numba compiles on first
# call); locally the same, with random draws, so new examples keep turning up.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def rng():
    return np.random.default_rng(0)
