"""Request and response shapes of the exercise endpoints. An exercise is shown through its public view
only (statement, starter, signature, limits, the visible examples); a submission's hidden cases carry
their verdict, points, time and memory, never a message or a diff."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import MS
from api.serializers.leaderboards import DeviceSerializer, TimingSerializer
from tracker.models import Exercise, ExerciseVersion, Submission, SubmissionCaseResult


class VersionSerializer(MS[ExerciseVersion]):
    hash = serializers.CharField(source="short_hash", read_only=True, help_text="The first 12 hex digits.")

    class Meta:
        model = ExerciseVersion
        fields = ["number", "hash", "content_hash"]


class ToolchainSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    title = serializers.CharField()
    version = serializers.CharField(allow_null=True, help_text="Installed on this server, or null when missing.")


class ExerciseListSerializer(MS[Exercise]):
    tags: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    track: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    best_score = serializers.FloatField(read_only=True, allow_null=True, help_text="Your best graded submission.")
    version = VersionSerializer(source="current_version", read_only=True, allow_null=True)
    toolchains = ToolchainSerializer(
        source="availability.toolchains", many=True, read_only=True, help_text="What the exercise needs."
    )
    available = serializers.BooleanField(
        source="availability.available", read_only=True, help_text="False when this server lacks a toolchain."
    )
    install_hint = serializers.CharField(
        source="availability.install_hint", read_only=True, help_text="What to install; empty when available."
    )

    class Meta:
        model = Exercise
        fields = [
            "slug",
            "title",
            "difficulty",
            "tags",
            "track",
            "item",
            "time_limit_s",
            "memory_limit_mb",
            "visible_cases",
            "hidden_cases",
            "max_score",
            "best_score",
            "version",
            "toolchains",
            "available",
            "install_hint",
        ]


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "arguments": {"type": "object", "additionalProperties": True},
            "expected": {"nullable": True},
        },
    }
)
class ExampleField(serializers.JSONField):
    """A visible case: its arguments and expected output, as plain JSON (arrays as nested lists)."""


class ExerciseDetailSerializer(ExerciseListSerializer):
    examples = serializers.ListField(child=ExampleField(), read_only=True, help_text="The visible cases.")

    class Meta(ExerciseListSerializer.Meta):
        fields = [
            *ExerciseListSerializer.Meta.fields,
            "statement_md",
            "starter",
            "entry_point",
            "signature",
            "examples",
        ]


class SubmissionCreateSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="Python source defining the entry point; at most 64 KB."
    )
    kind = serializers.ChoiceField(
        choices=Submission.Kind.choices,
        default=Submission.Kind.SUBMIT,
        help_text="`run`: the visible examples only, with details; `submit`: every case, for the score.",
    )


class StageResultSerializer(serializers.Serializer[dict[str, Any]]):
    """One stage of a lab exercise's case: a run of the submission, or `load` (the grader opening its model)."""

    name = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Submission.Verdict.choices)
    time_ms = serializers.FloatField(allow_null=True)
    peak_memory_kb = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True, help_text="Empty for hidden cases.")


class MetricResultSerializer(serializers.Serializer[dict[str, Any]]):
    """A figure a lab case reached and the bar it needed (a metric, or a constraint on the submitted model)."""

    name = serializers.CharField(help_text="e.g. `cosine`, `top1_agreement`, `nodes`, `ops BatchNormalization`.")
    value = serializers.FloatField(allow_null=True, help_text="null: it could not be computed (and fails).")
    bar = serializers.FloatField()
    bound = serializers.ChoiceField(choices=["min", "max"], help_text="`min`: value >= bar; `max`: value <= bar.")
    passed = serializers.BooleanField()


class CaseResultSerializer(MS[SubmissionCaseResult]):
    stages = StageResultSerializer(many=True, read_only=True)
    metrics = MetricResultSerializer(many=True, read_only=True)

    class Meta:
        model = SubmissionCaseResult
        fields = [
            "case",
            "visible",
            "verdict",
            "points",
            "max_points",
            "time_ms",
            "memory_kb",
            "message",
            "diff",
            "stages",
            "metrics",
        ]


class SubmissionSerializer(MS[Submission]):
    exercise: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_url = serializers.SerializerMethodField(help_text="GET it until `status` is done or error.")
    version = VersionSerializer(read_only=True, allow_null=True, help_text="The version it was graded against.")
    regrade_of: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The submission whose code this one grades again."
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "exercise",
            "kind",
            "status",
            "verdict",
            "score",
            "max_score",
            "time_ms",
            "memory_kb",
            "created_at",
            "started_at",
            "finished_at",
            "version",
            "regrade_of",
            "status_url",
        ]

    def get_status_url(self, submission: Submission) -> str:
        return reverse("api:submission-detail", kwargs={"pk": submission.pk})


class SubmissionDetailSerializer(SubmissionSerializer):
    results = CaseResultSerializer(many=True, read_only=True)
    device = serializers.SerializerMethodField(help_text="Where it ran; null until graded.")
    timing = TimingSerializer(read_only=True, allow_null=True, help_text="A timed exercise's figures; else null.")
    speedup = serializers.FloatField(
        read_only=True, allow_null=True, help_text="The speed-up a leaderboard ranks (measured or noisy timings)."
    )
    review = serializers.ChoiceField(
        choices=Submission.Review.choices,
        read_only=True,
        help_text="Empty: not held. pending: a speed-up held for a curator's review, off the leaderboard until "
        "approved; rejected: never on it.",
    )

    class Meta(SubmissionSerializer.Meta):
        fields = [
            *SubmissionSerializer.Meta.fields,
            "message",
            "code",
            "results",
            "device",
            "timing",
            "speedup",
            "review",
        ]

    @extend_schema_field(DeviceSerializer(allow_null=True))
    def get_device(self, submission: Submission) -> dict[str, str] | None:
        if not submission.device_kind:
            return None
        return {"kind": submission.device_kind, "name": submission.device_name}
