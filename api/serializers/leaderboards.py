"""Shapes of a timed result (where it ran, its timing) and of a leaderboard's rows."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tracker.models.timing import DeviceKind, TimingStatus


class DeviceSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=DeviceKind.choices, help_text="cuda-simulator: correctness only.")
    name = serializers.CharField(help_text='e.g. "x86_64 (16 cores)" or "NVIDIA H200".')


class PercentilesSerializer(serializers.Serializer[dict[str, Any]]):
    p10 = serializers.FloatField()
    p50 = serializers.FloatField()
    p90 = serializers.FloatField()


class RooflineSerializer(serializers.Serializer[dict[str, Any]]):
    """The submission's achieved bandwidth and compute against this worker's measured peaks."""

    bytes = serializers.IntegerField(help_text="Bytes the kernel must move at the timed size.")
    flops = serializers.IntegerField(help_text="Floating-point operations at the timed size.")
    achieved_gbps = serializers.FloatField()
    achieved_gflops = serializers.FloatField()
    peak_gbps = serializers.FloatField()
    peak_gflops = serializers.FloatField()
    share = serializers.FloatField(help_text="The larger of the two achieved/peak ratios, 0..1.")


class TimingSerializer(serializers.Serializer[dict[str, Any]]):
    """A timed grading's figures: the submission and the bundle's baseline run interleaved in separate
    sandboxes; the speed-up is the ratio of their median times."""

    status = serializers.ChoiceField(
        choices=TimingStatus.choices,
        help_text="noisy: the spread stayed high after a re-run (reported, not failed); rejected: impossible "
        "times (faster than the memory or compute peak allows); skipped: not timed on this worker.",
    )
    speedup = serializers.FloatField(allow_null=True, help_text="Baseline median / submission median.")
    min_speedup = serializers.FloatField(help_text="What the exercise needs for AC.")
    passed = serializers.BooleanField()
    band_score = serializers.FloatField(help_text="0..1, growing with the speed-up in the bundle's bands.")
    rounds = serializers.IntegerField()
    cv = serializers.FloatField(help_text="Coefficient of variation of the submission's times.")
    submission_ms = PercentilesSerializer()
    baseline_ms = PercentilesSerializer()
    ratio = PercentilesSerializer()
    roofline = RooflineSerializer(allow_null=True)
    held_for_review = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)


class LeaderboardRowSerializer(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    handle = serializers.CharField(
        allow_null=True, help_text="The learner's published handle; null: they keep it private (shown as a learner)."
    )
    is_you = serializers.BooleanField()
    speedup = serializers.FloatField(help_text="Their best speed-up (median per-round ratio, baseline / submission).")
    submitted_at = serializers.DateTimeField()
    submission = serializers.IntegerField(
        source="submission_id", allow_null=True, help_text="Your submission's id on your own row; null on others'."
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["handle"] = data["handle"] or None
        return data
