"""Request and response shapes of interview practice on LeetCode problems. Names start with "Interview" where
"Problem" alone would clash with the problem-details error format (api/problems.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.base import MS, S
from tracker.models import Problem, ProblemAttempt, ProblemSet


class _ProblemLinks(MS[Problem]):
    pattern: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    leetcode_com_url = serializers.CharField(read_only=True, help_text="Empty when the problem is on leetcode.cn only.")
    leetcode_cn_url = serializers.CharField(read_only=True)
    target_minutes = serializers.IntegerField(read_only=True, help_text="easy 15, medium 25, hard 40")


class InterviewProblemSerializer(_ProblemLinks):
    status = serializers.CharField(source="my_status", read_only=True, help_text="unsolved, attempted or solved")
    due = serializers.DateTimeField(source="my_due", read_only=True, allow_null=True, help_text="Next re-solve.")
    revisit = serializers.BooleanField(source="my_revisit", read_only=True)
    attempts = serializers.IntegerField(source="my_attempts", read_only=True)

    class Meta:
        model = Problem
        fields = [
            "slug",
            "number",
            "title",
            "title_zh",
            "difficulty",
            "pattern",
            "tags",
            "leetcode_com_url",
            "leetcode_cn_url",
            "target_minutes",
            "status",
            "due",
            "revisit",
            "attempts",
        ]


class SetMembershipSerializer(S):
    set = serializers.CharField(help_text="The set's slug.")
    position = serializers.IntegerField()
    section = serializers.CharField()


class InterviewProblemDetailSerializer(InterviewProblemSerializer):
    notes = serializers.CharField(source="my_notes", read_only=True, help_text="Your markdown notes.")
    sets = SetMembershipSerializer(source="my_sets", many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [*InterviewProblemSerializer.Meta.fields, "notes", "sets"]


class InterviewProblemUpdateSerializer(S):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    revisit = serializers.BooleanField(required=False)


class ProblemSetSerializer(MS[ProblemSet]):
    total = serializers.IntegerField(read_only=True)
    solved = serializers.IntegerField(read_only=True, help_text="Problems of the set you solved, in any set.")

    class Meta:
        model = ProblemSet
        fields = [
            "slug",
            "title",
            "title_zh",
            "summary",
            "source_title",
            "source_author",
            "source_url",
            "expected_size",
            "total",
            "solved",
        ]


class ProblemAttemptSerializer(MS[ProblemAttempt]):
    problem: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = ProblemAttempt
        fields = [
            "id",
            "problem",
            "date",
            "outcome",
            "minutes",
            "hints",
            "language",
            "approach",
            "time_complexity",
            "space_complexity",
            "proposed_rating",
            "rating",
            "source",
            "created_at",
        ]


class ProblemAttemptCreateSerializer(S):
    outcome = serializers.ChoiceField(choices=ProblemAttempt.Outcome.choices)
    date = serializers.DateField(required=False, help_text="Your local date; today when left out.")
    minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    hints = serializers.IntegerField(required=False, default=0, min_value=0, max_value=20)
    language = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    approach = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")
    time_complexity = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    space_complexity = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    rating = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=4,
        help_text="1 again, 2 hard, 3 good, 4 easy; left out, the proposed rating is used.",
    )


class ProblemAttemptResultSerializer(S):
    attempt = ProblemAttemptSerializer()
    proposed_rating = serializers.IntegerField()
    proposal_reason = serializers.CharField(help_text="Why that rating was proposed (a code).")
    rating = serializers.IntegerField(help_text="The rating kept: yours, or the proposed one.")
    next_due = serializers.DateTimeField(help_text="When the problem comes back for a re-solve.")
    status = serializers.CharField()


class ReasonSerializer(S):
    code = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    text = serializers.CharField(help_text="The reason as a sentence in your language.")


class PatternMasterySerializer(S):
    pattern = serializers.CharField()
    title = serializers.CharField()
    solved_alone = serializers.IntegerField()
    attempts = serializers.IntegerField()
    recent_attempts = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True, help_text="Share of recent attempts solved alone.")
    median_ratio = serializers.FloatField(allow_null=True, help_text="Median minutes over the target.")
    weakness = serializers.FloatField()
    level = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class ProblemMasteryReportSerializer(S):
    patterns = PatternMasterySerializer(many=True)
    weakest = serializers.ListField(child=serializers.CharField(), help_text="Pattern slugs, weakest first.")


class ProblemSuggestionSerializer(S):
    problem = InterviewProblemSerializer()
    reasons = ReasonSerializer(many=True)


class ProblemImportSerializer(S):
    file = serializers.FileField(help_text="CSV, UTF-8: problem slug or exact title, date, optional outcome.")


class ProblemImportReportSerializer(S):
    created = serializers.IntegerField()
    already = serializers.IntegerField(help_text="Lines imported before, skipped.")
    problems = serializers.IntegerField()
