"""Where a submission ran and how fast: the shapes of the grader's `device` and `timing` (docs/lab.md,
"Generated cases and timed exercises"), checked before they are stored, so every reader (result page, API,
leaderboards) can rely on them.

    device: {"kind": "cpu" | "cuda-simulator" | "gpu", "name": str}
    timing: null | {"status": "measured" | "noisy" | "rejected" | "skipped", "speedup": float | null,
                    "min_speedup": float, "passed": bool, "band_score": float (0..1), "rounds": int, "cv": float,
                    "submission_ms": {"p10", "p50", "p90"}, "baseline_ms": {...}, "ratio": {...},
                    "roofline": null | {"bytes", "flops", "achieved_gbps", "achieved_gflops", "peak_gbps",
                                        "peak_gflops", "share"},
                    "held_for_review": bool, "message": str}
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


class DeviceKind(models.TextChoices):
    CPU = "cpu", "CPU"
    CUDA_SIMULATOR = "cuda-simulator", "CUDA simulator (correctness only)"
    GPU = "gpu", "GPU"


class TimingStatus(models.TextChoices):
    MEASURED = "measured", "Measured"
    NOISY = "noisy", "Noisy"
    REJECTED = "rejected", "Rejected"
    SKIPPED = "skipped", "Skipped"


# A timing with one of these statuses has a speed-up a leaderboard may rank (a rejected time broke physics;
# a skipped one was never measured).
RANKED_STATUSES = frozenset({TimingStatus.MEASURED, TimingStatus.NOISY})
PERCENTILES = ("p10", "p50", "p90")
ROOFLINE_KEYS = ("bytes", "flops", "achieved_gbps", "achieved_gflops", "peak_gbps", "peak_gflops", "share")
MAX_MESSAGE = 2000
MAX_DEVICE_NAME = 200


def _number(value: object, where: str, *, optional: bool = False, minimum: float | None = None) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(f"timing.{where}: a finite number is needed, not {value!r}.")
    if minimum is not None and value < minimum:
        raise ValidationError(f"timing.{where}: at least {minimum} is needed, not {value!r}.")


def _percentiles(value: object, where: str) -> None:
    if not isinstance(value, dict) or set(value) != set(PERCENTILES):
        raise ValidationError(f"timing.{where}: an object with exactly {', '.join(PERCENTILES)} is needed.")
    for key in PERCENTILES:
        _number(value[key], f"{where}.{key}", minimum=0)


def validate_timing(value: object) -> None:
    """Raises ValidationError naming the first key whose value does not have the contract's shape; None
    (an untimed exercise) is valid. Extra keys are refused: what is stored is only what is documented."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValidationError("timing: an object or null is needed.")
    expected = {
        "status", "speedup", "min_speedup", "passed", "band_score", "rounds", "cv", "submission_ms",
        "baseline_ms", "ratio", "roofline", "held_for_review", "message",
    }  # fmt: skip
    if set(value) != expected:
        missing, extra = sorted(expected - set(value)), sorted(set(value) - expected)
        raise ValidationError(f"timing: missing keys {missing}, unknown keys {extra}.")
    if value["status"] not in TimingStatus.values:
        raise ValidationError(f"timing.status: one of {', '.join(TimingStatus.values)}, not {value['status']!r}.")
    _number(value["speedup"], "speedup", optional=True, minimum=0)
    _number(value["min_speedup"], "min_speedup", minimum=0)
    _number(value["band_score"], "band_score", minimum=0)
    if value["band_score"] > 1:
        raise ValidationError("timing.band_score: a number from 0 to 1 is needed.")
    if isinstance(value["rounds"], bool) or not isinstance(value["rounds"], int) or value["rounds"] < 0:
        raise ValidationError("timing.rounds: a whole number of rounds (0 or more) is needed.")
    _number(value["cv"], "cv", minimum=0)
    for key in ("passed", "held_for_review"):
        if not isinstance(value[key], bool):
            raise ValidationError(f"timing.{key}: true or false is needed.")
    for key in ("submission_ms", "baseline_ms", "ratio"):
        _percentiles(value[key], key)
    roofline = value["roofline"]
    if roofline is not None:
        if not isinstance(roofline, dict) or set(roofline) != set(ROOFLINE_KEYS):
            raise ValidationError(f"timing.roofline: null or an object with exactly {', '.join(ROOFLINE_KEYS)}.")
        for key in ROOFLINE_KEYS:
            _number(roofline[key], f"roofline.{key}", minimum=0)
    if not isinstance(value["message"], str) or len(value["message"]) > MAX_MESSAGE:
        raise ValidationError(f"timing.message: text of at most {MAX_MESSAGE} characters is needed.")


def validate_device(value: object) -> None:
    """Raises ValidationError unless `value` is {"kind": one of DeviceKind, "name": text}."""
    if not isinstance(value, dict) or set(value) != {"kind", "name"}:
        raise ValidationError('device: an object {"kind", "name"} is needed.')
    if value["kind"] not in DeviceKind.values:
        raise ValidationError(f"device.kind: one of {', '.join(DeviceKind.values)}, not {value['kind']!r}.")
    if not isinstance(value["name"], str) or len(value["name"]) > MAX_DEVICE_NAME:
        raise ValidationError(f"device.name: text of at most {MAX_DEVICE_NAME} characters is needed.")


def ranked_speedup(timing: dict[str, Any] | None) -> float | None:
    """The speed-up a leaderboard may rank: a measured (or noisy) timing's speed-up, else None.
    The one definition, used when a result is stored (Submission.speedup)."""
    if timing is None or timing["status"] not in RANKED_STATUSES or timing["speedup"] is None:
        return None
    speedup = float(timing["speedup"])
    return speedup if speedup > 0 else None
