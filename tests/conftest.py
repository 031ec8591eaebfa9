"""Shared test set-up: a non-interactive matplotlib backend, seeded data."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    """A seeded generator, so every test repeats."""
    return np.random.default_rng(1234)
