"""lossopt.plots.plot_loss_history: a smoothed curve that does not lag, and minibatch losses called so."""

import numpy as np

import lossopt as lo


def test_the_moving_average_is_centred_so_it_does_not_lag():
    history = np.linspace(10.0, 0.0, 101)  # a straight line: its centred average lies on it
    ax = lo.plots.plot_loss_history(history, smooth=9)
    _raw, smooth = ax.get_lines()
    x, y = smooth.get_data()
    np.testing.assert_allclose(y, np.interp(x, np.arange(101), history), atol=1e-12)
    assert x[0] == 4 and x[-1] == 96


def test_minibatch_losses_are_called_minibatch_losses():
    ax = lo.plots.plot_loss_history([3.0, 2.0, 1.0])
    assert (ax.get_title(), ax.get_ylabel()) == ("Minibatch loss", "minibatch loss")
    ax = lo.plots.plot_loss_history([3.0, 2.0, 1.0], minibatch=False)
    assert (ax.get_title(), ax.get_ylabel()) == ("Loss", "loss")
