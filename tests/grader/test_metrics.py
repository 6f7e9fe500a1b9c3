"""The metric checks are pure: figures from expected and actual outputs, and their bars."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.bundles import MetricSpec
from grader.metrics import (
    SNR_CAP_DB,
    allclose_share,
    cosine,
    describe,
    evaluate,
    max_abs_error,
    mean_abs_error,
    snr_db,
    top1_agreement,
)

finite = st.floats(-1e3, 1e3, allow_nan=False, width=32)
vectors = hnp.arrays(np.float32, st.integers(1, 16), elements=finite)
# The machine that runs these is often busy: generation speed is not what is being tested.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(vectors)
def test_identical_outputs_reach_every_bar(x: np.ndarray) -> None:
    assert allclose_share(x, x.copy(), 1e-3, 1e-5) == 1.0
    assert max_abs_error(x, x.copy()) == 0.0 and mean_abs_error(x, x.copy()) == 0.0
    assert snr_db(x, x.copy()) == SNR_CAP_DB
    value = cosine(x, x.copy())
    assert value is not None and (value > 1 - 1e-6 or not np.any(x))


@relaxed
@given(vectors, st.floats(0.01, 100))
def test_cosine_ignores_a_positive_scale_and_flips_with_the_sign(x: np.ndarray, scale: float) -> None:
    if float(np.linalg.norm(x.astype(np.float64))) < 1e-3:
        return
    assert math.isclose(cosine(x, x * np.float32(scale)) or 0.0, 1.0, abs_tol=1e-5)
    assert math.isclose(cosine(x, -x) or 0.0, -1.0, abs_tol=1e-5)


def test_snr_is_ten_log_ten_of_signal_over_noise() -> None:
    expected = np.array([3.0, 4.0])  # signal 25
    actual = np.array([3.0, 3.0])  # noise 1
    assert math.isclose(snr_db(expected, actual) or 0.0, 10 * math.log10(25))


def test_top1_agreement_counts_rows_with_the_same_argmax() -> None:
    expected = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    actual = np.array([[0.2, 0.8], [0.1, 0.9], [0.4, 0.6], [0.9, 0.1]])
    assert top1_agreement(expected, actual) == 0.75


def test_a_shape_dtype_or_nan_that_differs_is_not_computable_and_fails() -> None:
    spec = MetricSpec("cosine", min=0.9)
    expected = [np.ones((2, 3), np.float32)]
    for actual in (np.ones((3, 2), np.float32), np.array(["a", "b"]), np.full((2, 3), np.nan, np.float32)):
        (result,) = evaluate([spec], expected, [actual])
        assert result.value is None and not result.passed
        assert "not computable" in describe(result)


def test_evaluate_reports_the_worst_output_against_the_bar() -> None:
    expected = [np.zeros(4), np.zeros(4)]
    actual = [np.full(4, 1e-4), np.full(4, 1e-2)]
    (result,) = evaluate([MetricSpec("max_abs_error", max=1e-3)], expected, actual)
    assert math.isclose(result.value or 0.0, 1e-2) and result.bound == "max" and not result.passed
    (one,) = evaluate([MetricSpec("max_abs_error", output=0, max=1e-3)], expected, actual)
    assert one.passed and one.name == "max_abs_error[0]"
    assert describe(one).startswith("max_abs_error[0] 0.0001, <= 0.001 ok")


def test_allclose_needs_every_element_by_default() -> None:
    (result,) = evaluate([MetricSpec("allclose")], [np.array([1.0, 2.0])], [np.array([1.0, 2.1])])
    assert result.value == 0.5 and result.bar == 1.0 and not result.passed


def test_a_missing_output_fails() -> None:
    (result,) = evaluate([MetricSpec("cosine", min=0.9)], [np.ones(2), np.ones(2)], [np.ones(2)])
    assert not result.passed and result.value is None


def test_accuracy_delta_compares_accuracies_against_the_labels_not_the_decisions() -> None:
    labels = np.array([0, 1, 1, 0])
    expected = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])  # 3 of 4 right
    actual = np.array([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6], [0.7, 0.3]])  # different decisions, 3 of 4 right
    (same,) = evaluate([MetricSpec("accuracy_delta", max=0.002)], [expected], [actual], labels=labels)
    assert same.value == 0.0 and same.passed
    worse = np.array([[0.1, 0.9], [0.7, 0.3], [0.6, 0.4], [0.7, 0.3]])  # 1 of 4
    (delta,) = evaluate([MetricSpec("accuracy_delta", max=0.002)], [expected], [worse], labels=labels)
    assert delta.value == 0.5 and not delta.passed
    (unlabelled,) = evaluate([MetricSpec("accuracy_delta", max=0.002)], [expected], [actual])
    assert unlabelled.value is None and not unlabelled.passed
