"""Concept questions: the bank (curated and your own, never another learner's), a question with its answer
("show answer"), the next question to review (without its answer), rating a review, adding and deleting
your own."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import conditional_response, with_etag
from api.idempotency import idempotent
from api.serializers.questions import (
    QuestionCardSerializer,
    QuestionCreateSerializer,
    QuestionDetailSerializer,
    QuestionListSerializer,
    QuestionRateSerializer,
    ReviewNextSerializer,
)
from api.views.base import LearnerListView, LearnerView, service_errors, validated
from tracker.models import CareerDirection, Question
from tracker.selectors.questions import question_review_next, questions_for_learner
from tracker.services.questions import QuestionError, question_create, question_delete, question_review_rate

QUESTION_EXAMPLE = {
    "id": 12,
    "slug": "cuda-warp-divergence",
    "question": "What is warp divergence, and why does it cost time?",
    "question_zh": "什么是 warp 分化（warp divergence）？它为什么会耗时？",
    "topic": "cuda",
    "difficulty": "medium",
    "directions": ["deployment-sdk", "operator-optimisation"],
    "own": False,
    "my_due": "2026-12-05T09:00:00Z",
    "my_reps": 2,
    "url": "/api/v1/questions/12/",
}
DETAIL_EXAMPLE = {
    **QUESTION_EXAMPLE,
    "answer": "- A warp is 32 threads that issue one instruction at a time (SIMT).\n- ...",
    "answer_html": "<ul>\n<li>A warp is 32 threads that issue one instruction at a time (SIMT).</li>\n</ul>\n",
    "sources": [
        {
            "title": "CUDA C++ Programming Guide — SIMT Architecture",
            "author": "NVIDIA",
            "url": "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#simt-architecture",
        }
    ],
    "checked_on": "2026-12-02",
}


class QuestionFilter(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    topic = filters.ChoiceFilter(choices=Question.Topic.choices)
    difficulty = filters.ChoiceFilter(choices=Question.Difficulty.choices)
    direction = filters.ChoiceFilter(choices=CareerDirection.choices, method="filter_direction")
    mine = filters.BooleanFilter(field_name="owner", lookup_expr="isnull", exclude=True, help_text="Your own only.")

    class Meta:
        model = Question
        fields = ["topic", "difficulty", "direction", "mine"]

    def filter_direction(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        return queryset.filter(directions__contains=value) if value else queryset


class QuestionListView(LearnerListView):
    serializer_class = QuestionListSerializer
    filterset_class = QuestionFilter
    ordering_fields = ["topic", "difficulty", "my_due", "id"]

    def get_queryset(self) -> QuerySet[Any]:
        return questions_for_learner(user=self.learner)

    @extend_schema(
        summary="Concept questions: curated and your own, with your next review (no answers: GET one for it)",
        examples=[OpenApiExample("Questions", value=[QUESTION_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(QuestionListSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a question of your own (private to you)",
        request=QuestionCreateSerializer,
        responses={201: QuestionDetailSerializer},
        examples=[
            OpenApiExample(
                "Own question",
                value={
                    "question": "Why does TensorRT fuse conv, bias and ReLU?",
                    "answer": "- One kernel instead of three\n- No round trip through global memory",
                    "topic": "inference-deployment",
                    "difficulty": "easy",
                    "directions": ["deployment-sdk"],
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(QuestionCreateSerializer, request)
        with service_errors(QuestionError):
            question = question_create(user=self.learner, **data)
        row = get_object_or_404(self.get_queryset(), pk=question.pk)
        location = reverse("api:question-detail", kwargs={"pk": question.pk})
        return with_etag(
            QuestionDetailSerializer(row).data, status_code=status.HTTP_201_CREATED, headers={"Location": location}
        )


class QuestionDetailView(LearnerView):
    serializer_class = QuestionDetailSerializer
    etag = True

    def get_queryset(self) -> QuerySet[Any]:
        return questions_for_learner(user=self.learner)

    @extend_schema(
        summary='A question with its answer and sources: "show answer" (ETag)',
        examples=[OpenApiExample("Question", value=DETAIL_EXAMPLE, response_only=True)],
    )
    def get(self, request: Request, pk: int) -> Response:
        return conditional_response(
            request, QuestionDetailSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data
        )

    @extend_schema(summary="Delete a question of yours, with its reviews (curated ones: 403)", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        question: Question = get_object_or_404(self.get_queryset(), pk=pk)
        if question.owner_id is None:
            raise exceptions.PermissionDenied("Curated questions stay in the bank; only your own can be deleted.")
        question_delete(user=self.learner, question=question)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionReviewView(LearnerView):
    serializer_class = QuestionCardSerializer

    @extend_schema(
        summary="Rate your recall of a question (again, hard, good, easy): schedules its next review",
        request=QuestionRateSerializer,
        responses={201: QuestionCardSerializer},
        examples=[
            OpenApiExample("Good", value={"rating": "good", "duration_seconds": 40}, request_only=True),
            OpenApiExample(
                "Next review",
                value={
                    "question": 12,
                    "due": "2026-12-05T09:00:00Z",
                    "state": 2,
                    "reps": 3,
                    "last_review": "2026-12-02T09:00:00Z",
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        question = get_object_or_404(questions_for_learner(user=self.learner), pk=pk)
        data = validated(QuestionRateSerializer, request)
        with service_errors(QuestionError):
            card = question_review_rate(
                user=self.learner,
                question=question,
                rating=data["rating"],
                duration_seconds=data.get("duration_seconds"),
            )
        return Response(QuestionCardSerializer(card).data, status=status.HTTP_201_CREATED)


class QuestionReviewNextView(LearnerView):
    serializer_class = ReviewNextSerializer

    @extend_schema(
        summary="The next question to review: the most overdue, else a new one; without its answer",
        parameters=[
            OpenApiParameter("direction", str, enum=CareerDirection.values, required=False),
            OpenApiParameter("skip", int, required=False, description="Leave out this question (moves on)."),
        ],
        examples=[
            OpenApiExample(
                "Next", value={"question": QUESTION_EXAMPLE, "is_new": False, "due_left": 4}, response_only=True
            )
        ],
    )
    def get(self, request: Request) -> Response:
        direction = request.query_params.get("direction", "")
        if direction and direction not in CareerDirection.values:
            raise exceptions.ValidationError({"direction": [f"Choose one of {', '.join(CareerDirection.values)}."]})
        skip_raw = request.query_params.get("skip", "")
        if skip_raw and not skip_raw.isdigit():
            raise exceptions.ValidationError({"skip": ["Give a question id."]})
        nxt = question_review_next(
            user=self.learner, now=timezone.now(), direction=direction, skip=int(skip_raw) if skip_raw else None
        )
        body = {
            "question": QuestionListSerializer(nxt.question).data if nxt.question is not None else None,
            "is_new": nxt.is_new,
            "due_left": nxt.due_left,
        }
        return Response(body)
