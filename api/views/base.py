"""What every API view shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.request import Request
from rest_framework.views import APIView

from tracker.models import StudyProfile, User
from tracker.services.users import study_profile_ensure
from tracker.timezones import local_today


class LearnerView(GenericAPIView):  # type: ignore[type-arg]
    """A view for a signed-in learner. Querysets are always the learner's own rows (or what they may
    read), so another learner's object is simply not found: 404, never 403."""

    etag = False
    if_match = False

    @property
    def learner(self) -> User:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation runs the querysets without a request user; any saved-looking user will do.
            return User(pk=0)
        user: User = self.request.user  # type: ignore[assignment]
        return user

    def profile(self) -> StudyProfile:
        return study_profile_ensure(user=self.learner)

    def learner_today(self) -> dt.date:
        return local_today(self.profile().time_zone, timezone.now())


@contextmanager
def service_errors(
    *errors: type[Exception],
    status: type[exceptions.APIException] | None = None,
    field: str = "non_field_errors",
    code: str = "invalid",
) -> Iterator[None]:
    """Turns a service's error (its message says what was wrong and what to do) into a 400 problem
    whose `errors` name `field` and `code`, or into `status` when given (409 for a conflict, say)."""
    try:
        yield
    except errors as exc:
        if status is not None:
            raise status(str(exc)) from exc
        raise exceptions.ValidationError({field: [ErrorDetail(str(exc), code=code)]}) from exc


def validated(serializer_class: Callable[..., Any], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data


class LearnerListView(ListModelMixin, LearnerView):
    """A paginated, filterable list of the learner's rows (ListModelMixin tells the schema it is a list)."""


class NotFoundView(APIView):
    """Any /api/ path that names no endpoint: a 404 problem, not the site's HTML page."""

    permission_classes: list[type] = []
    authentication_classes: list[type] = []
    throttle_classes: list[type] = []
    schema = None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self.args, self.kwargs, self.request = args, kwargs, self.initialize_request(request, *args, **kwargs)
        self.headers = self.default_response_headers
        response = self.handle_exception(exceptions.NotFound("No API endpoint here; see /api/docs/ for the list."))
        return self.finalize_response(self.request, response, *args, **kwargs)
