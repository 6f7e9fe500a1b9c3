"""The admin's review of held speed-ups: curators with `review_submission` approve or reject them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from tests.factories import ExerciseFactory, SubmissionFactory, TimedSubmissionFactory, UserFactory, timing_figures
from tracker.models import Submission, User
from tracker.services.users import curator_grant

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tracker_submission_changelist")


def _staff(*codenames: str) -> tuple[User, Client]:
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames))
    client = Client()
    client.force_login(user)
    return user, client


def _held() -> Submission:
    return TimedSubmissionFactory(
        ratio=25.0, timing=timing_figures(speedup=25.0, held_for_review=True), review="pending"
    )


@pytest.mark.parametrize(("action", "decision"), [("approve_speedup", "approved"), ("reject_speedup", "rejected")])
def test_a_reviewer_decides_the_held_submissions_chosen(action: str, decision: str) -> None:
    curator, client = _staff("view_submission", "review_submission")
    held, plain = _held(), TimedSubmissionFactory()
    response = client.post(CHANGELIST, {"action": action, "_selected_action": [held.pk, plain.pk]}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"1 submission(s) {decision}." in text and "1 submission(s) were not held for review" in text
    held.refresh_from_db()
    plain.refresh_from_db()
    assert (held.review, held.reviewed_by) == (decision, curator)
    assert plain.review == ""


def test_the_changelist_filters_held_submissions_in_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:
    _user, client = _staff("view_submission", "review_submission")
    for _ in range(3):
        _held()
    SubmissionFactory(exercise=ExerciseFactory())
    # Session, user, permissions (2), the count (2: filtered and total), the rows joined with learner, exercise
    # and version, the review filter's choices, the exercise filter's list, the date hierarchy: a fixed number.
    with django_assert_max_num_queries(14):
        response = client.get(CHANGELIST, {"review__exact": "pending"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


def test_without_the_permission_the_review_actions_are_not_offered() -> None:
    _user, client = _staff("view_submission")
    held = _held()
    response = client.get(CHANGELIST)
    assert "approve_speedup" not in response.content.decode()
    client.post(CHANGELIST, {"action": "approve_speedup", "_selected_action": [held.pk]})
    held.refresh_from_db()
    assert held.review == "pending"


def test_curators_hold_the_review_permission() -> None:
    group, _ = Group.objects.get_or_create(name="Curators")
    if not group.permissions.exists():
        pytest.skip("an earlier transactional test flushed the Curators group its migration made")
    curator = UserFactory(is_staff=True)
    curator_grant(user=curator)
    assert User.objects.get(pk=curator.pk).has_perm("tracker.review_submission")
