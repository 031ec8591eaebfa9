"""Shared test set-up: a non-interactive matplotlib backend, seeded data, no figure left open."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def close_figures():
    """Close every pyplot figure a test opened (plots made without ``ax`` open one)."""
    yield
    plt.close("all")


@pytest.fixture
def rng():
    """A seeded generator, so every test repeats."""
    return np.random.default_rng(1234)
