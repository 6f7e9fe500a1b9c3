"""The statistics of a timed grading: when to stop measuring, the speed-up, and the score it earns.

Pure: numbers in, decisions out (no clock, no I/O), so every rule below is tested as a property.

Spec
----
A timed grading measures rounds; each round times the baseline once and the submission once on the same
fresh inputs (interleaved, so a slow patch of the machine hits both). A round gives two CPU times in ms and
their ratio `baseline / submission`.

* Stopping (`should_continue`): measure at least `min_rounds` rounds; after that, stop as soon as the
  coefficient of variation (population standard deviation / mean) of the per-round ratios is at most
  `target_cv`; never measure more than `max_rounds`. The ratios' spread is what decides, not each series':
  a machine that slows both programs alike leaves the ratio steady.
* Speed-up (`summarise`): the median of the per-round ratios (p50 of the ratios). It keeps each round's
  pairing: a slow patch of the machine that stretches one round's two calls alike leaves that round's ratio,
  and so the figure, where it was, where a ratio of the two series' medians moves with it. On the 2-core
  VM, whose call times wander by 15-20 %, eight gradings of cpp-int8-gemm at 512³ (160 rounds each) spread
  by -3.9..+1.9 % around their median this way and by -5.3..+4.0 % as a ratio of medians.
* Percentiles p10/p50/p90 of each series and of the per-round ratios: linear interpolation between order
  statistics (NumPy's default "linear" method), so p50 is the median.
* Noisy: the rounds ran out (`max_rounds`) with the CV still above `target_cv`.
* Band score in [0, 1]: the share of `bands` (ascending speed-ups) the speed-up reaches; bands
  [1, 2, 4, 8] and a speed-up of 3 give 0.5, of 8 or more 1.0, below 1 give 0.
* Passed: the speed-up is at least `min_speedup`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TimingPolicy:
    """The `[timing]` keys of a bundle that the statistics use."""

    min_speedup: float
    bands: tuple[float, ...]
    min_rounds: int = 20
    max_rounds: int = 80
    target_cv: float = 0.03

    def __post_init__(self) -> None:
        if not 1 <= self.min_rounds <= self.max_rounds:
            raise ValueError("need 1 <= min_rounds <= max_rounds")
        if list(self.bands) != sorted(self.bands) or not self.bands or self.bands[0] <= 0:
            raise ValueError("bands are positive speed-ups in ascending order")
        if self.target_cv <= 0 or self.min_speedup <= 0:
            raise ValueError("target_cv and min_speedup are positive")


@dataclass(frozen=True)
class Percentiles:
    p10: float
    p50: float
    p90: float

    def to_dict(self, digits: int = 4) -> dict[str, float]:
        return {"p10": round(self.p10, digits), "p50": round(self.p50, digits), "p90": round(self.p90, digits)}


@dataclass(frozen=True)
class TimingSummary:
    rounds: int
    cv: float
    speedup: float
    baseline: Percentiles
    submission: Percentiles
    ratio: Percentiles
    noisy: bool
    passed: bool
    band_score: float


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between the sorted samples."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles(samples: Sequence[float]) -> Percentiles:
    return Percentiles(percentile(samples, 10), percentile(samples, 50), percentile(samples, 90))


def ratios(baseline: Sequence[float], submission: Sequence[float]) -> list[float]:
    """Per-round speed-ups; the two series have one sample per round each."""
    if len(baseline) != len(submission):
        raise ValueError("one baseline and one submission time per round")
    if any(t <= 0 for t in (*baseline, *submission)):
        raise ValueError("CPU times are positive")
    return [b / s for b, s in zip(baseline, submission, strict=True)]


def coefficient_of_variation(samples: Sequence[float]) -> float:
    """Population standard deviation over the mean (0 for a single sample)."""
    mean = sum(samples) / len(samples)
    variance = sum((x - mean) ** 2 for x in samples) / len(samples)
    return math.sqrt(variance) / mean


def should_continue(policy: TimingPolicy, baseline: Sequence[float], submission: Sequence[float]) -> bool:
    """Whether to measure another round after the rounds measured so far."""
    done = len(baseline)
    if done < policy.min_rounds:
        return True
    if done >= policy.max_rounds:
        return False
    return coefficient_of_variation(ratios(baseline, submission)) > policy.target_cv


def band_score(speedup: float, bands: Sequence[float]) -> float:
    """The share of the bands the speed-up reaches (0 below the first, 1 at or above the last)."""
    return sum(1 for band in bands if speedup >= band) / len(bands)


def summarise(policy: TimingPolicy, baseline: Sequence[float], submission: Sequence[float]) -> TimingSummary:
    """The figures of a finished measurement (baseline and submission CPU times in ms, one each per round)."""
    per_round = ratios(baseline, submission)
    cv = coefficient_of_variation(per_round)
    ratio = percentiles(per_round)
    speedup = ratio.p50
    return TimingSummary(
        rounds=len(per_round),
        cv=cv,
        speedup=speedup,
        baseline=percentiles(baseline),
        submission=percentiles(submission),
        ratio=ratio,
        noisy=cv > policy.target_cv,
        passed=speedup >= policy.min_speedup,
        band_score=band_score(speedup, policy.bands),
    )
