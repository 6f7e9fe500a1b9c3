"""Interview practice on LeetCode problems: problems with your status, sets with your progress, attempts (with
the proposed and kept FSRS rating and the next re-solve), notes and the revisit flag, pattern mastery, the next
problems to try, and importing a CSV of solved problems."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import check_if_match, conditional_response, with_etag
from api.idempotency import idempotent
from api.serializers.problems import (
    InterviewProblemDetailSerializer,
    InterviewProblemSerializer,
    InterviewProblemUpdateSerializer,
    ProblemAttemptCreateSerializer,
    ProblemAttemptResultSerializer,
    ProblemAttemptSerializer,
    ProblemImportReportSerializer,
    ProblemImportSerializer,
    ProblemMasteryReportSerializer,
    ProblemSetSerializer,
    ProblemSuggestionSerializer,
)
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker.models import Pattern, Problem, ProblemAttempt, ProblemSet
from tracker.practice.mastery import Reason
from tracker.selectors.problems import (
    STATUSES,
    attempts_for_learner,
    pattern_mastery_for_learner,
    problem_for_learner,
    problem_sets_with_progress,
    problems_for_learner,
    reason_text,
)
from tracker.services.problems import (
    ProblemError,
    ProblemImportError,
    problem_attempt_create,
    problem_attempt_delete,
    problem_note_set,
    problem_revisit_set,
    problems_import_csv,
)

PROBLEM_EXAMPLE = {
    "slug": "two-sum",
    "number": "1",
    "title": "Two Sum",
    "title_zh": "两数之和",
    "difficulty": "easy",
    "pattern": "arrays-hashing",
    "tags": ["hash-map"],
    "leetcode_com_url": "https://leetcode.com/problems/two-sum/",
    "leetcode_cn_url": "https://leetcode.cn/problems/two-sum/",
    "target_minutes": 15,
    "status": "solved",
    "due": "2026-03-09T08:00:00Z",
    "revisit": False,
    "attempts": 2,
}
ATTEMPT_EXAMPLE = {
    "id": 41,
    "problem": "two-sum",
    "date": "2026-03-02",
    "outcome": "solved_alone",
    "minutes": 12,
    "hints": 0,
    "language": "python",
    "approach": "One pass with a hash map from value to index.",
    "time_complexity": "O(n)",
    "space_complexity": "O(n)",
    "proposed_rating": 3,
    "rating": 3,
    "source": "entered",
    "created_at": "2026-03-02T08:00:00Z",
}


def _params(*names: str) -> list[OpenApiParameter]:
    described = {
        "set": "A set's slug: only its problems, in its order (blind-75, neetcode-150, …).",
        "pattern": "A pattern's slug: a primary pattern (trees) or a finer tag (monotonic-stack).",
        "difficulty": "easy, medium or hard.",
        "status": f"One of {', '.join(STATUSES)} (due: a re-solve due by the end of your day).",
        "q": "Search in slug, number and titles.",
    }
    return [OpenApiParameter(n, OpenApiTypes.STR, OpenApiParameter.QUERY, description=described[n]) for n in names]


class InterviewProblemListView(LearnerListView):
    serializer_class = InterviewProblemSerializer

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return Problem.objects.none()
        params = self.request.query_params
        if "\x00" in params.get("set", "") + params.get("pattern", ""):  # no slug has one; PostgreSQL refuses it
            return Problem.objects.none()
        problem_set = ProblemSet.objects.filter(slug=params.get("set", "")).first() if params.get("set") else None
        pattern = Pattern.objects.filter(slug=params.get("pattern", "")).first() if params.get("pattern") else None
        if (params.get("set") and problem_set is None) or (params.get("pattern") and pattern is None):
            return Problem.objects.none()
        return problems_for_learner(
            user=self.learner,
            problem_set=problem_set,
            pattern=pattern,
            difficulty=params.get("difficulty", ""),
            status=params.get("status", ""),
            search=params.get("q", ""),
            now=timezone.now(),
            time_zone=self.profile().time_zone,
        ).prefetch_related(Prefetch("tags", queryset=Pattern.objects.order_by("position", "slug")))

    @extend_schema(
        summary="LeetCode problems with your status, filterable by set, pattern, difficulty and status",
        parameters=_params("set", "pattern", "difficulty", "status", "q"),
        examples=[OpenApiExample("Problems", value=[PROBLEM_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InterviewProblemSerializer(page, many=True).data)


def _detail(problem: Problem) -> dict[str, Any]:
    mine = problem.my_progress[0] if problem.my_progress else None  # type: ignore[attr-defined]
    problem.my_status = mine.status if mine else "unsolved"  # type: ignore[attr-defined]
    problem.my_due = mine.due if mine else None  # type: ignore[attr-defined]
    problem.my_revisit = bool(mine and mine.revisit)  # type: ignore[attr-defined]
    problem.my_attempts = mine.attempts_count if mine else 0  # type: ignore[attr-defined]
    problem.my_notes = mine.notes if mine else ""  # type: ignore[attr-defined]
    problem.my_sets = [  # type: ignore[attr-defined]
        {"set": e.problem_set.slug, "position": e.position, "section": e.display_section}
        for e in problem.set_entries.all()
    ]
    data: dict[str, Any] = InterviewProblemDetailSerializer(problem).data
    return data


class InterviewProblemDetailView(LearnerView):
    serializer_class = InterviewProblemDetailSerializer
    etag = True
    if_match = True

    def _problem(self, slug: str) -> Problem:
        problem = problem_for_learner(user=self.learner, slug=slug)
        if problem is None:
            raise exceptions.NotFound("No problem with this slug; list them at /api/v1/problems/.")
        return problem

    @extend_schema(
        summary="A problem with your notes, revisit flag, status, next re-solve and the sets listing it (ETag)",
        examples=[
            OpenApiExample(
                "Two Sum",
                value={
                    **PROBLEM_EXAMPLE,
                    "notes": "Store `target - x` as you go.",
                    "sets": [{"set": "blind-75", "position": 1, "section": "Array"}],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, slug: str) -> Response:
        return conditional_response(request, _detail(self._problem(slug)))

    @extend_schema(
        summary="Change your notes (markdown) or the revisit flag",
        request=InterviewProblemUpdateSerializer,
        responses=InterviewProblemDetailSerializer,
        examples=[
            OpenApiExample("Flag", value={"revisit": True, "notes": "Try the two-pointer way."}, request_only=True)
        ],
    )
    def patch(self, request: Request, slug: str) -> Response:
        problem = self._problem(slug)
        check_if_match(request, _detail(problem))
        data = validated(InterviewProblemUpdateSerializer, request, partial=True)
        with service_errors(ProblemError, field="notes"):
            if "notes" in data:
                problem_note_set(user=self.learner, problem=problem, notes=data["notes"])
            if "revisit" in data:
                problem_revisit_set(user=self.learner, problem=problem, revisit=data["revisit"])
        return with_etag(_detail(self._problem(slug)))


class ProblemSetListView(LearnerListView):
    serializer_class = ProblemSetSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return problem_sets_with_progress(user=self.learner)

    @extend_schema(
        summary="Curated problem sets with how many of their problems you solved (23 of 75)",
        examples=[
            OpenApiExample(
                "Sets",
                value=[
                    {
                        "slug": "blind-75",
                        "title": "Blind 75",
                        "title_zh": "Blind 75",
                        "summary": "The 75 problems most worth doing.",
                        "source_title": "New Year Gift - Curated List of Top 75 LeetCode Questions",
                        "source_author": "Yangshun Tay",
                        "source_url": "https://www.teamblind.com/post/New-Year-Gift---Curated-List-of-Top-75-LeetCode-Questions-to-Save-Your-Time-OaM1orEU",
                        "expected_size": 75,
                        "total": 75,
                        "solved": 23,
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProblemSetSerializer(page, many=True).data)


class AttemptFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    problem = filters.CharFilter(field_name="problem__slug", help_text="A problem slug, e.g. two-sum.")
    outcome = filters.ChoiceFilter(choices=ProblemAttempt.Outcome.choices)

    class Meta:
        model = ProblemAttempt
        fields = ["problem", "outcome"]


class ProblemAttemptListView(LearnerListView):
    serializer_class = ProblemAttemptSerializer
    filterset_class = AttemptFilter
    ordering_fields = ["date", "minutes"]
    ordering = ["-date", "-id"]

    def get_queryset(self) -> QuerySet[Any]:
        return attempts_for_learner(user=self.learner)

    @extend_schema(
        summary="Your attempts, newest first",
        examples=[OpenApiExample("Attempts", value=[ATTEMPT_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ProblemAttemptSerializer(page, many=True).data)


class ProblemAttemptCreateView(LearnerView):
    serializer_class = ProblemAttemptResultSerializer

    @extend_schema(
        summary="Record an attempt: returns the proposed and kept rating and the next re-solve (Idempotency-Key)",
        request=ProblemAttemptCreateSerializer,
        responses={201: ProblemAttemptResultSerializer},
        examples=[
            OpenApiExample(
                "Solved alone",
                value={"outcome": "solved_alone", "minutes": 12, "language": "python", "time_complexity": "O(n)"},
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={
                    "attempt": ATTEMPT_EXAMPLE,
                    "proposed_rating": 3,
                    "proposal_reason": "alone_on_target",
                    "rating": 3,
                    "next_due": "2026-03-04T08:00:00Z",
                    "status": "solved",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        problem = get_object_or_404(Problem, slug=slug)
        data = validated(ProblemAttemptCreateSerializer, request)
        with service_errors(ProblemError):
            recorded = problem_attempt_create(user=self.learner, problem=problem, **data)
        body = ProblemAttemptResultSerializer(
            {
                "attempt": recorded.attempt,
                "proposed_rating": int(recorded.proposal.rating),
                "proposal_reason": recorded.proposal.reason,
                "rating": recorded.attempt.rating,
                "next_due": recorded.progress.due,
                "status": recorded.progress.status,
            }
        ).data
        return with_etag(body, status_code=status.HTTP_201_CREATED)


class ProblemAttemptDetailView(LearnerView):
    serializer_class = ProblemAttemptSerializer

    @extend_schema(summary="Delete an attempt entered by mistake (the re-solve is rescheduled)", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        attempt = get_object_or_404(ProblemAttempt.objects.select_related("user", "problem"), pk=pk, user=self.learner)
        problem_attempt_delete(attempt=attempt)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _reasons(reasons: tuple[Reason, ...], titles: dict[str, str]) -> list[dict[str, Any]]:
    return [{"code": r.code, "value": r.value, "text": reason_text(r, titles)} for r in reasons]


class ProblemMasteryView(LearnerView):
    serializer_class = ProblemMasteryReportSerializer
    etag = True

    @extend_schema(
        summary="Pattern mastery: per pattern solved alone, recent success, median time against the target (ETag)",
        examples=[
            OpenApiExample(
                "Mastery",
                value={
                    "patterns": [
                        {
                            "pattern": "trees",
                            "title": "Trees",
                            "solved_alone": 1,
                            "attempts": 4,
                            "recent_attempts": 4,
                            "success_rate": 0.25,
                            "median_ratio": 1.4,
                            "weakness": 0.61,
                            "level": "easy",
                            "reasons": [
                                {"code": "low_success", "value": 0.25, "text": "25% of recent attempts solved alone"}
                            ],
                        }
                    ],
                    "weakest": ["trees", "graphs"],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        report = pattern_mastery_for_learner(user=self.learner, suggestions=0)
        titles = {row.pattern.slug: row.pattern.display_title for row in report.patterns}
        patterns = [
            {
                "pattern": row.mastery.pattern,
                "title": row.pattern.display_title,
                "solved_alone": row.mastery.solved_alone,
                "attempts": row.mastery.attempts,
                "recent_attempts": row.mastery.recent_attempts,
                "success_rate": row.mastery.success_rate,
                "median_ratio": row.mastery.median_ratio,
                "weakness": row.mastery.weakness,
                "level": row.mastery.level,
                "reasons": _reasons(row.mastery.reasons, titles),
            }
            for row in report.patterns
        ]
        body = {"patterns": patterns, "weakest": [row.pattern.slug for row in report.weakest]}
        return conditional_response(request, ProblemMasteryReportSerializer(body).data)


class ProblemSuggestionListView(LearnerView):
    serializer_class = ProblemSuggestionSerializer
    queryset = Problem.objects.none()
    pagination_class = None  # a handful, chosen: never paged
    etag = True

    @extend_schema(
        summary="The next problems to try: unsolved, from your weakest patterns, at your level, each with why (ETag)",
        parameters=[OpenApiParameter("count", OpenApiTypes.INT, OpenApiParameter.QUERY, description="1 to 20; 5.")],
        responses=ProblemSuggestionSerializer(many=True),
        examples=[
            OpenApiExample(
                "Next",
                value=[
                    {
                        "problem": {**PROBLEM_EXAMPLE, "status": "unsolved", "due": None, "attempts": 0},
                        "reasons": [
                            {
                                "code": "weak_pattern",
                                "value": "arrays-hashing",
                                "text": "Arrays & Hashing is one of your weakest patterns",
                            },
                            {"code": "not_practised", "value": None, "text": "not practised yet"},
                        ],
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        try:
            count = min(max(int(request.query_params.get("count", "5")), 1), 20)
        except ValueError as exc:
            raise exceptions.ValidationError({"count": ["Give a whole number from 1 to 20."]}) from exc
        report = pattern_mastery_for_learner(user=self.learner, suggestions=count)
        titles = {row.pattern.slug: row.pattern.display_title for row in report.patterns}
        rows = []
        for s in report.suggestions:
            problem = s.problem
            problem.my_status, problem.my_due, problem.my_revisit, problem.my_attempts = "unsolved", None, False, 0  # type: ignore[attr-defined]
            rows.append({"problem": problem, "reasons": _reasons(s.reasons, titles)})
        return conditional_response(request, ProblemSuggestionSerializer(rows, many=True).data)


class ProblemImportView(LearnerView):
    serializer_class = ProblemImportReportSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a CSV of solved problems: all or nothing, and importing it again adds nothing",
        request={"multipart/form-data": ProblemImportSerializer},
        responses=ProblemImportReportSerializer,
        examples=[OpenApiExample("Report", value={"created": 12, "already": 0, "problems": 12}, response_only=True)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        upload = validated(ProblemImportSerializer, request)["file"]
        if upload.size > 1024 * 1024:
            raise exceptions.ValidationError({"file": ["The file is over 1 MB; split it into smaller files."]})
        try:
            report = problems_import_csv(user=self.learner, data=upload.read())
        except ProblemImportError as exc:
            lines = [f"line {e.line}: {e.message}" if e.line else e.message for e in exc.errors]
            raise exceptions.ValidationError({"file": lines}) from exc
        return Response(
            ProblemImportReportSerializer(
                {"created": report.created, "already": report.already, "problems": report.problems}
            ).data
        )
