"""Request and response shapes of the concept-question, mock-interview and readiness endpoints."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import MS, S
from tracker.markdown import render_markdown
from tracker.models import CareerDirection, MockPart, MockSession, Question, QuestionCard
from tracker.models.mock_interviews import RUBRIC_LINES
from tracker.models.problems import ProblemOutcome


class SourceSerializer(S):
    title = serializers.CharField()
    author = serializers.CharField(allow_blank=True)
    url = serializers.URLField()


class QuestionListSerializer(MS[Question]):
    directions = serializers.ListField(
        child=serializers.ChoiceField(choices=CareerDirection.choices), source="direction_list", read_only=True
    )
    own = serializers.SerializerMethodField(help_text="Your own question (private to you).")
    my_due = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Your next review; null: never.")
    my_reps = serializers.IntegerField(read_only=True, allow_null=True, help_text="How many times you rated it.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "slug",
            "question",
            "question_zh",
            "topic",
            "difficulty",
            "directions",
            "own",
            "my_due",
            "my_reps",
            "url",
        ]

    def get_own(self, obj: Question) -> bool:
        return obj.owner_id is not None

    def get_url(self, obj: Question) -> str:
        return reverse("api:question-detail", kwargs={"pk": obj.pk})


class QuestionDetailSerializer(QuestionListSerializer):
    """A question with its answer: what "show answer" shows."""

    sources = SourceSerializer(many=True, source="source_list", read_only=True)
    answer_html = serializers.SerializerMethodField(help_text="The answer as sanitised HTML (markdown rendered).")

    class Meta(QuestionListSerializer.Meta):
        fields = [*QuestionListSerializer.Meta.fields, "answer", "answer_html", "sources", "checked_on"]

    def get_answer_html(self, obj: Question) -> str:
        return render_markdown(obj.answer)


class QuestionCreateSerializer(S):
    question = serializers.CharField(max_length=2000)
    question_zh = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    answer = serializers.CharField(max_length=10_000, help_text="Markdown key points.")
    topic = serializers.ChoiceField(choices=Question.Topic.choices)
    difficulty = serializers.ChoiceField(choices=Question.Difficulty.choices, default="medium")
    directions = serializers.ListField(
        child=serializers.ChoiceField(choices=CareerDirection.choices), min_length=1, max_length=4
    )
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class QuestionRateSerializer(S):
    rating = serializers.ChoiceField(choices=["again", "hard", "good", "easy"])
    duration_seconds = serializers.IntegerField(min_value=0, max_value=86_400, required=False, allow_null=True)


class QuestionCardSerializer(MS[QuestionCard]):
    class Meta:
        model = QuestionCard
        fields = ["question", "due", "state", "reps", "last_review"]


class ReviewNextSerializer(S):
    question = QuestionListSerializer(allow_null=True, help_text="Without its answer: GET its url to show it.")
    is_new = serializers.BooleanField()
    due_left = serializers.IntegerField()


class MockPartSerializer(MS[MockPart]):
    problem = serializers.SerializerMethodField()
    question = QuestionListSerializer(read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True)

    class Meta:
        model = MockPart
        fields = ["position", "kind", "problem", "question", *RUBRIC_LINES, "outcome", "notes"]

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "slug": {"type": "string"},
                "title": {"type": "string"},
                "difficulty": {"type": "string"},
                "pattern": {"type": "string"},
                "url": {"type": "string"},
            },
        }
    )
    def get_problem(self, obj: MockPart) -> dict[str, str] | None:
        problem = obj.problem
        if problem is None:
            return None
        return {
            "slug": problem.slug,
            "title": problem.title,
            "difficulty": problem.difficulty,
            "pattern": problem.pattern.slug,
            "url": problem.leetcode_com_url or problem.leetcode_cn_url,
        }


class MockSessionSerializer(MS[MockSession]):
    seconds_left = serializers.SerializerMethodField(help_text="By the server's clock; 0 once ended.")
    server_now = serializers.SerializerMethodField(help_text="The server's time when this was read.")
    parts = MockPartSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = MockSession
        fields = [
            "id",
            "format",
            "level",
            "direction",
            "status",
            "started_at",
            "ends_at",
            "ended_at",
            "end_reason",
            "scored_at",
            "seconds_left",
            "server_now",
            "notes",
            "parts",
            "url",
        ]

    def get_seconds_left(self, obj: MockSession) -> int:
        return obj.seconds_left(self.context["now"])

    def get_server_now(self, obj: MockSession) -> str:
        now = self.context["now"]
        return str(serializers.DateTimeField().to_representation(now))

    def get_url(self, obj: MockSession) -> str:
        return reverse("api:mock-detail", kwargs={"pk": obj.pk})


class MockStartSerializer(S):
    format = serializers.ChoiceField(choices=MockSession.Format.choices)
    level = serializers.ChoiceField(choices=Question.Difficulty.choices, default="medium")
    direction = serializers.ChoiceField(choices=CareerDirection.choices)


class PartScoreSerializer(S):
    position = serializers.IntegerField(min_value=1, max_value=100)
    communication = serializers.IntegerField(min_value=1, max_value=4)
    problem_solving = serializers.IntegerField(min_value=1, max_value=4)
    technical_competency = serializers.IntegerField(min_value=1, max_value=4)
    testing = serializers.IntegerField(min_value=1, max_value=4)
    outcome = serializers.ChoiceField(
        choices=ProblemOutcome.choices, required=False, allow_blank=True, default="", help_text="Problems only."
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    minutes = serializers.IntegerField(min_value=1, max_value=600, required=False, allow_null=True, default=None)


class MockScoreSerializer(S):
    parts = PartScoreSerializer(many=True)
    notes = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")


class RubricTrendSerializer(S):
    line = serializers.ChoiceField(choices=list(RUBRIC_LINES))
    means = serializers.ListField(child=serializers.FloatField(), help_text="Each scored session's mean, oldest first.")
    latest = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="Last 3 sessions' mean minus the 3 before.")


class ReadinessPartSerializer(S):
    name = serializers.ChoiceField(choices=["skills", "track", "problems", "retention", "exercises", "mocks"])
    weight = serializers.IntegerField()
    points = serializers.FloatField()
    low = serializers.FloatField(help_text="Points at the lower bound.")
    high = serializers.FloatField(help_text="Points at the upper bound.")
    shown = serializers.BooleanField(help_text="False for mocks until 3 sessions are scored.")


class ReadinessActionSerializer(S):
    kind = serializers.ChoiceField(
        choices=[
            "assess_skill",
            "raise_skill",
            "track_items",
            "solve_pattern",
            "review_questions",
            "pass_exercise",
            "mock",
        ]
    )
    target = serializers.CharField(help_text="The skill key or pattern slug it is about; empty otherwise.")
    gain = serializers.FloatField(help_text="Points it would add, at most.")


class ReadinessSerializer(S):
    direction = serializers.ChoiceField(choices=CareerDirection.choices)
    track = serializers.CharField(help_text="The direction's career track (slug).")
    score = serializers.IntegerField(min_value=0, max_value=100)
    low = serializers.IntegerField(min_value=0, max_value=100)
    high = serializers.IntegerField(min_value=0, max_value=100)
    mocks_shown = serializers.BooleanField()
    parts = ReadinessPartSerializer(many=True)
    actions = ReadinessActionSerializer(many=True)
