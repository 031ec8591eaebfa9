"""Every number the lecture states about the losses, and its five SVM questions.

The worked example: three images (cat, car, frog), three classes. The slide
shows one column per image; lossopt uses one row per example.
"""

import math

import numpy as np
import pytest

import lossopt as lo

S, Y, NAMES = lo.datasets.worked_example()


def per_image_svm_losses(S, y, delta=1.0):
    """Each image's SVM loss, computed by lossopt one image at a time."""
    return [float(lo.svm_scores_loss(S[i : i + 1], y[i : i + 1], delta=delta)[0]) for i in range(len(y))]


def test_worked_example_table():
    assert NAMES == ("cat", "car", "frog")
    np.testing.assert_array_equal(Y, [0, 1, 2])
    np.testing.assert_array_equal(S[:, 0], [3.2, 1.3, 2.2])  # the cat row of the slide
    assert S.shape == (3, 3)


def test_per_image_losses_are_2_9_then_0_then_12_9():
    assert per_image_svm_losses(S, Y) == pytest.approx([2.9, 0.0, 12.9])


def test_frog_loss_is_6_3_plus_6_6():
    # max(0, 2.2 - (-3.1) + 1) + max(0, 2.5 - (-3.1) + 1)
    frog = S[2:3]
    only_cat = frog.copy()
    only_cat[0, 1] = -100.0  # take the car term away: the cat term remains
    assert float(lo.svm_scores_loss(only_cat, [2])[0]) == pytest.approx(6.3)
    assert float(lo.svm_scores_loss(frog, [2])[0]) == pytest.approx(6.3 + 6.6)


def test_total_is_5_27():
    loss, _ = lo.svm_scores_loss(S, Y)
    assert float(loss) == pytest.approx(15.8 / 3)
    assert round(float(loss), 2) == 5.27


def test_same_number_from_the_W_level_function():
    # With X = I the scores are the rows of W: svm_loss composes the same path.
    loss, _ = lo.svm_loss(S, np.eye(3), Y)
    assert float(loss) == pytest.approx(15.8 / 3)


def test_q1_jiggling_the_car_scores_leaves_its_loss_at_zero():
    car, label = S[1:2], Y[1:2]
    rng = np.random.default_rng(0)
    # The car image beats the others by 2.9 and 3.6 > 1: small moves keep L = 0.
    for _ in range(100):
        jiggled = car + rng.uniform(-0.4, 0.4, size=car.shape)
        assert float(lo.svm_scores_loss(jiggled, label)[0]) == 0.0


def test_q2_minimum_is_zero_and_there_is_no_maximum():
    confident = np.array([[100.0, 0.0, 0.0]])
    assert float(lo.svm_scores_loss(confident, [0])[0]) == 0.0
    losses = [float(lo.svm_scores_loss(np.array([[0.0, wrong, 0.0]]), [0])[0]) for wrong in (1e1, 1e3, 1e6)]
    assert losses[0] < losses[1] < losses[2]
    assert losses[2] > 1e6  # grows without bound with a wrong score


@pytest.mark.parametrize("num_classes", [3, 10])
def test_q3_scores_near_zero_give_C_minus_1(num_classes, rng):
    W = 1e-6 * rng.standard_normal((20, num_classes))  # the usual small random init
    X = rng.standard_normal((50, 20))
    y = rng.integers(0, num_classes, size=50)
    loss, _ = lo.svm_loss(W, X, y)
    assert float(loss) == pytest.approx(num_classes - 1, abs=1e-3)


def test_q4_summing_over_all_classes_adds_delta():
    # Including j = y_i adds max(0, s_y - s_y + 1) = 1 to every image.
    all_classes = np.maximum(0, S - S[np.arange(3), Y][:, None] + 1).sum(axis=1).mean()
    assert all_classes == pytest.approx(float(lo.svm_scores_loss(S, Y)[0]) + 1)
    assert round(all_classes, 2) == 6.27


def test_q5_mean_instead_of_sum_only_rescales():
    """The loss and its gradient are the sum over examples divided by N: the same minimizer, a scaled step."""
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((30, 5)), rng.integers(0, 3, 30)
    W = rng.standard_normal((5, 3))
    one_by_one = [lo.svm_loss(W, X[i : i + 1], y[i : i + 1]) for i in range(len(y))]  # each L_i and its gradient
    loss, dW = lo.svm_loss(W, X, y)
    assert float(loss) * len(y) == pytest.approx(sum(float(L) for L, _ in one_by_one), rel=1e-12)
    np.testing.assert_allclose(dW * len(y), sum(dL for _, dL in one_by_one), rtol=1e-12, atol=1e-12)
    assert float(lo.svm_scores_loss(S, Y)[0]) * 3 == pytest.approx(15.8)


def test_a_W_with_zero_loss_is_not_unique():
    X = np.eye(3)
    W = np.array([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]])
    assert float(lo.svm_loss(W, X, [0, 1, 2])[0]) == 0.0
    assert float(lo.svm_loss(2 * W, X, [0, 1, 2])[0]) == 0.0


def test_softmax_cat_example_is_2_04_with_the_natural_log():
    cat = S[0:1]
    probabilities = np.exp(cat) / np.exp(cat).sum()
    np.testing.assert_allclose(np.exp(cat)[0], [24.5, 164.0, 0.18], atol=0.05)
    np.testing.assert_allclose(probabilities[0], [0.13, 0.87, 0.00], atol=0.005)
    loss, _ = lo.softmax_scores_loss(cat, [0])
    assert round(float(loss), 2) == 2.04


def test_the_slides_0_89_is_the_cat_loss_in_log_base_10():
    # Erratum: the 2017 slide writes -log(0.13) = 0.89. lossopt's loss (natural log) is 2.04;
    # the same loss in base 10 (divided by ln 10) is the slide's 0.89.
    loss = float(lo.softmax_scores_loss(S[0:1], [0])[0])
    assert round(loss, 2) == 2.04
    assert round(loss / np.log(10), 2) == 0.89


def test_softmax_at_initialization_is_ln_C(rng):
    W = 1e-8 * rng.standard_normal((30, 10))
    X = rng.standard_normal((40, 30))
    loss, _ = lo.softmax_loss(W, X, rng.integers(0, 10, 40))
    assert float(loss) == pytest.approx(math.log(10), abs=1e-6)


def test_notes_comparison_figure_svm_1_58_softmax_1_04():
    scores = np.array([[-2.85, 0.86, 0.28]])
    assert round(float(lo.svm_scores_loss(scores, [2])[0]), 2) == 1.58
    assert round(float(lo.softmax_scores_loss(scores, [2])[0]), 2) == 1.04


def test_jiggle_slide_svm_zero_softmax_not():
    rows = np.array([[10.0, -2, 3], [10, 9, 9], [10, -100, -100]])
    svm = [float(lo.svm_scores_loss(row[None], [0])[0]) for row in rows]
    softmax = [float(lo.softmax_scores_loss(row[None], [0])[0]) for row in rows]
    assert svm == [0.0, 0.0, 0.0]
    assert softmax[0] != softmax[1] != softmax[2]
    assert softmax[1] > softmax[0] > softmax[2] > 0


def test_notes_softmax_scale_example():
    # The notes print [0.7, 0.04, 0.26]; exactly it is [0.7054, 0.0351, 0.2595].
    probabilities = lo.softmax_scores_loss(np.array([[1.0, -2.0, 0.0]]), [0])[1] + [1, 0, 0]
    np.testing.assert_allclose(probabilities[0], [0.7054, 0.0351, 0.2595], atol=5e-5)
    np.testing.assert_allclose(probabilities[0], [0.70, 0.04, 0.26], atol=0.006)
    halved = lo.softmax_scores_loss(np.array([[0.5, -1.0, 0.0]]), [0])[1] + [1, 0, 0]
    np.testing.assert_allclose(halved[0], [0.55, 0.12, 0.33], atol=0.005)


def test_regularization_example_w1_versus_w2():
    x = np.ones((1, 4))
    w1 = np.array([[1.0], [0], [0], [0]])
    w2 = np.full((4, 1), 0.25)
    assert (x @ w1).item() == (x @ w2).item() == 1.0
    assert float(lo.regularization(w1, "l2")[0]) == 1.0
    assert float(lo.regularization(w2, "l2")[0]) == 0.25
    assert float(lo.regularization(w1, "l1")[0]) == float(lo.regularization(w2, "l1")[0]) == 1.0
