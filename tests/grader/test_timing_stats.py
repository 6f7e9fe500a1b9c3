"""Tests of the timed grading's statistics.

Property tests check each rule of `grader.timing_stats` against the samples themselves (sorted order, the
definition of a median, the bands' list), never against figures the module computed, so a broken rule fails.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.timing_stats import (
    TimingPolicy,
    band_score,
    coefficient_of_variation,
    percentile,
    percentiles,
    should_continue,
    summarise,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
times = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
series = st.lists(times, min_size=1, max_size=60)
bands_strategy = st.lists(st.floats(min_value=0.1, max_value=64), min_size=1, max_size=6).map(
    lambda b: tuple(sorted(b))
)


@st.composite
def paired(draw: st.DrawFn, min_size: int = 1, max_size: int = 100) -> tuple[list[float], list[float]]:
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    return draw(st.lists(times, min_size=n, max_size=n)), draw(st.lists(times, min_size=n, max_size=n))


@st.composite
def policies(draw: st.DrawFn) -> TimingPolicy:
    low = draw(st.integers(min_value=1, max_value=40))
    high = draw(st.integers(min_value=low, max_value=90))
    return TimingPolicy(
        min_speedup=draw(st.floats(min_value=0.5, max_value=16)),
        bands=draw(bands_strategy),
        min_rounds=low,
        max_rounds=high,
        target_cv=draw(st.floats(min_value=0.001, max_value=0.4)),
    )


# --- Percentiles ----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(series)
def test_percentiles_are_ordered_and_within_the_samples(samples: list[float]) -> None:
    p = percentiles(samples)
    assert min(samples) <= p.p10 <= p.p50 <= p.p90 <= max(samples)


@PROPERTY_SETTINGS
@given(series)
def test_the_50th_percentile_is_the_median(samples: list[float]) -> None:
    assert percentile(samples, 50) == pytest.approx(statistics.median(samples), rel=1e-12)


@PROPERTY_SETTINGS
@given(series, st.sampled_from([0, 10, 25, 90, 100]))
def test_percentiles_interpolate_like_numpy(samples: list[float], q: int) -> None:
    assert percentile(samples, q) == pytest.approx(float(np.percentile(samples, q)), rel=1e-9)


@PROPERTY_SETTINGS
@given(series)
def test_percentiles_do_not_depend_on_the_order_of_the_rounds(samples: list[float]) -> None:
    assert percentiles(samples) == percentiles(list(reversed(samples)))


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


# --- Stopping rule --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(policies(), paired())
def test_never_stops_before_min_rounds(policy: TimingPolicy, pair: tuple[list[float], list[float]]) -> None:
    baseline, submission = pair
    if len(baseline) < policy.min_rounds:
        assert should_continue(policy, baseline, submission)


@PROPERTY_SETTINGS
@given(policies(), paired())
def test_never_continues_at_max_rounds(policy: TimingPolicy, pair: tuple[list[float], list[float]]) -> None:
    baseline, submission = pair
    if len(baseline) >= policy.max_rounds:
        assert not should_continue(policy, baseline, submission)


@PROPERTY_SETTINGS
@given(policies(), paired(), st.floats(min_value=0.1, max_value=10))
def test_steady_ratios_stop_at_min_rounds(
    policy: TimingPolicy, pair: tuple[list[float], list[float]], factor: float
) -> None:
    # A submission exactly `factor` times faster every round: the ratios do not vary at all.
    baseline, _ = pair
    assume(len(baseline) >= policy.min_rounds)
    submission = [b / factor for b in baseline]
    assert not should_continue(policy, baseline, submission)


@PROPERTY_SETTINGS
@given(policies(), st.integers(min_value=2, max_value=90))
def test_wildly_varying_ratios_continue_until_max_rounds(policy: TimingPolicy, n: int) -> None:
    # Ratios alternating between 1 and 3: a CV of 0.5, above every target the strategy draws.
    baseline = [3.0 if i % 2 else 1.0 for i in range(n)]
    submission = [1.0] * n
    assert should_continue(policy, baseline, submission) == (n < policy.max_rounds)


# --- Summary --------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(policies(), paired())
def test_speedup_is_the_median_of_the_per_round_ratios(
    policy: TimingPolicy, pair: tuple[list[float], list[float]]
) -> None:
    baseline, submission = pair
    summary = summarise(policy, baseline, submission)
    per_round = [b / s for b, s in zip(baseline, submission, strict=True)]
    assert summary.speedup == pytest.approx(statistics.median(per_round), rel=1e-9) == summary.ratio.p50
    assert summary.rounds == len(baseline)
    assert summary.passed == (summary.speedup >= policy.min_speedup)


@PROPERTY_SETTINGS
@given(policies(), paired())
def test_noisy_means_the_ratios_spread_beyond_the_target(
    policy: TimingPolicy, pair: tuple[list[float], list[float]]
) -> None:
    baseline, submission = pair
    summary = summarise(policy, baseline, submission)
    per_round = [b / s for b, s in zip(baseline, submission, strict=True)]
    assert summary.cv == pytest.approx(statistics.pstdev(per_round) / statistics.fmean(per_round), rel=1e-6, abs=1e-12)
    assert summary.noisy == (summary.cv > policy.target_cv)
    assert min(per_round) <= summary.ratio.p10 <= summary.ratio.p90 <= max(per_round)


@PROPERTY_SETTINGS
@given(series, st.floats(min_value=0.01, max_value=100))
def test_scaling_both_series_leaves_the_speedup_and_cv_alone(samples: list[float], scale: float) -> None:
    policy = TimingPolicy(min_speedup=2, bands=(1.0, 2.0))
    submission = [s * 0.5 for s in samples]
    a = summarise(policy, samples, submission)
    b = summarise(policy, [s * scale for s in samples], [s * scale for s in submission])
    assert b.speedup == pytest.approx(a.speedup, rel=1e-9)
    assert b.cv == pytest.approx(a.cv, rel=1e-6, abs=1e-9)


@PROPERTY_SETTINGS
@given(series, st.lists(st.floats(min_value=1, max_value=3), min_size=1, max_size=5))
def test_a_slow_patch_that_stretches_both_calls_of_a_round_leaves_the_speedup_alone(
    samples: list[float], stretches: list[float]
) -> None:
    policy = TimingPolicy(min_speedup=2, bands=(1.0, 2.0))
    submission = [s * 0.25 for s in samples]
    steady = summarise(policy, samples, submission)
    factors = [stretches[i] if i < len(stretches) else 1.0 for i in range(len(samples))]  # the first rounds slow
    slowed = summarise(
        policy,
        [b * f for b, f in zip(samples, factors, strict=True)],
        [s * f for s, f in zip(submission, factors, strict=True)],
    )
    assert slowed.speedup == pytest.approx(steady.speedup, rel=1e-9)


def test_a_single_round_has_no_spread() -> None:
    assert coefficient_of_variation([4.0]) == 0.0


def test_mismatched_series_are_refused() -> None:
    policy = TimingPolicy(min_speedup=2, bands=(1.0,))
    with pytest.raises(ValueError, match="one baseline and one submission"):
        summarise(policy, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="positive"):
        summarise(policy, [0.0], [1.0])


# --- Bands ----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(bands_strategy, st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_band_score_grows_with_the_speedup(bands: tuple[float, ...], a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 0.0 <= band_score(low, bands) <= band_score(high, bands) <= 1.0


@PROPERTY_SETTINGS
@given(bands_strategy)
def test_band_score_is_zero_below_the_first_band_and_one_at_the_last(bands: tuple[float, ...]) -> None:
    assert band_score(bands[0] * 0.999, bands) == 0.0
    assert band_score(bands[-1], bands) == 1.0


def test_band_score_counts_the_bands_reached() -> None:
    assert band_score(3.0, (1.0, 2.0, 4.0, 8.0)) == 0.5
    assert band_score(1.3, (1.0, 2.0, 4.0, 8.0)) == 0.25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_rounds": 5, "max_rounds": 4}, "min_rounds"),
        ({"bands": (2.0, 1.0)}, "ascending"),
        ({"bands": ()}, "ascending"),
        ({"target_cv": 0.0}, "positive"),
    ],
)
def test_a_bad_policy_is_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"min_speedup": 2.0, "bands": (1.0, 2.0), **kwargs}
    with pytest.raises(ValueError, match=message):
        TimingPolicy(**arguments)  # type: ignore[arg-type]


def test_percentiles_are_finite_for_finite_samples() -> None:
    assert all(math.isfinite(v) for v in percentiles([1.0, 2.0, 3.0]).to_dict().values())
