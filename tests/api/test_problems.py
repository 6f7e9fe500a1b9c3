"""The interview-practice endpoints: problems with your status, sets, attempts (Idempotency-Key; the proposed
and kept rating and the next re-solve), notes and revisit (ETag, If-Match), mastery, next problems, CSV import."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.api.conftest import client_for
from tests.factories import UserFactory
from tests.problems_support import load_sample
from tracker.models import Problem, ProblemAttempt, ProblemProgress, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def problems() -> dict[str, Problem]:
    return load_sample()


def test_problems_list_with_the_learners_status_and_filters(api: APIClient, learner: User, problems) -> None:
    api.post("/api/v1/problems/two-sum/attempts/", {"outcome": "solved_alone", "minutes": 7}, format="json")
    body = api.get("/api/v1/problems/", {"set": "blind-75"}).json()
    assert body["count"] == 6 and body["results"][0]["slug"] == "two-sum"
    first = body["results"][0]
    assert first["status"] == "solved" and first["attempts"] == 1 and first["due"] is not None
    assert first["pattern"] == "arrays-hashing" and first["tags"] == ["hash-map"]
    assert first["leetcode_cn_url"] == "https://leetcode.cn/problems/two-sum/" and first["target_minutes"] == 15
    solved = api.get("/api/v1/problems/", {"status": "solved"}).json()
    assert [p["slug"] for p in solved["results"]] == ["two-sum"]
    lcr = api.get("/api/v1/problems/", {"q": "LCR 126"}).json()["results"]
    assert lcr[0]["leetcode_com_url"] == "" and lcr[0]["number"] == "LCR 126"
    assert api.get("/api/v1/problems/", {"set": "no-such-set"}).json()["count"] == 0
    assert api.get("/api/v1/problems/", {"page_size": 3}).json()["next"] is not None


def test_sets_show_how_many_of_their_problems_you_solved(api: APIClient, problems) -> None:
    api.post("/api/v1/problems/two-sum/attempts/", {"outcome": "solved_with_hints", "hints": 1}, format="json")
    sets = {
        s["slug"]: (s["solved"], s["total"], s["expected_size"])
        for s in api.get("/api/v1/problem-sets/").json()["results"]
    }
    assert sets == {"blind-75": (1, 6, 6), "grind-75": (1, 5, 5), "jianzhi-offer-2": (0, 1, 1)}


def test_posting_an_attempt_returns_the_proposed_and_kept_rating_and_the_next_due_date_once(
    api: APIClient, learner: User, problems
) -> None:
    key = str(uuid.uuid4())
    body = {"outcome": "solved_alone", "minutes": 30, "language": "python", "rating": 3}
    first = api.post("/api/v1/problems/3sum/attempts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/v1/problems/3sum/attempts/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    data = first.json()
    assert data["proposed_rating"] == 2 and data["proposal_reason"] == "alone_slow"  # 30 > 25 minutes
    assert data["rating"] == 3 and data["attempt"]["rating"] == 3 and data["next_due"] and data["status"] == "solved"
    assert again.json() == data and first["ETag"]
    assert ProblemAttempt.objects.filter(user=learner).count() == 1


def test_a_bad_attempt_is_a_400_problem_naming_what_to_fix(api: APIClient, problems) -> None:
    response = api.post("/api/v1/problems/two-sum/attempts/", {"outcome": "solved_alone", "hints": 2}, format="json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert "no hints" in response.json()["errors"][0]["message"]
    unknown = api.post("/api/v1/problems/nope/attempts/", {"outcome": "solved_alone"}, format="json")
    assert unknown.status_code == 404


def test_notes_and_revisit_with_etag_and_if_match(api: APIClient, learner: User, problems) -> None:
    url = "/api/v1/problems/two-sum/"
    read = api.get(url)
    assert read.json()["notes"] == "" and read.json()["sets"][0] == {
        "set": "blind-75",
        "position": 1,
        "section": "Array",
    }
    assert api.get(url, HTTP_IF_NONE_MATCH=read["ETag"]).status_code == 304
    changed = api.patch(url, {"notes": "hash map", "revisit": True}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200 and changed.json()["revisit"] and changed.json()["notes"] == "hash map"
    stale = api.patch(url, {"notes": "other"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert ProblemProgress.objects.get(user=learner, problem=problems["two-sum"]).notes == "hash map"


def test_another_learners_attempts_and_notes_are_not_yours(api: APIClient, problems) -> None:
    other = UserFactory()
    theirs = client_for(other)
    theirs.post("/api/v1/problems/two-sum/attempts/", {"outcome": "solved_alone"}, format="json")
    theirs.patch("/api/v1/problems/two-sum/", {"notes": "secret"}, format="json")
    assert api.get("/api/v1/problem-attempts/").json()["count"] == 0
    assert api.get("/api/v1/problems/two-sum/").json()["notes"] == ""
    attempt = ProblemAttempt.objects.get(user=other)
    assert api.delete(f"/api/v1/problem-attempts/{attempt.pk}/").status_code == 404


def test_attempts_list_filters_by_problem_and_an_attempt_can_be_deleted(api: APIClient, problems) -> None:
    api.post("/api/v1/problems/two-sum/attempts/", {"outcome": "not_solved"}, format="json")
    api.post("/api/v1/problems/3sum/attempts/", {"outcome": "solved_alone"}, format="json")
    listed = api.get("/api/v1/problem-attempts/", {"problem": "two-sum"}).json()["results"]
    assert [a["problem"] for a in listed] == ["two-sum"]
    assert api.delete(f"/api/v1/problem-attempts/{listed[0]['id']}/").status_code == 204
    assert api.get("/api/v1/problems/two-sum/").json()["status"] == "unsolved"


def test_mastery_and_next_problems_say_why(api: APIClient, problems) -> None:
    api.post("/api/v1/problems/path-sum/attempts/", {"outcome": "read_solution", "minutes": 30}, format="json")
    mastery = api.get("/api/v1/problem-mastery/")
    body = mastery.json()
    assert body["weakest"][0] == "trees" and len(body["patterns"]) == 18
    trees = next(p for p in body["patterns"] if p["pattern"] == "trees")
    assert trees["success_rate"] == 0 and {r["code"] for r in trees["reasons"]} >= {"none_alone", "low_success"}
    assert api.get("/api/v1/problem-mastery/", HTTP_IF_NONE_MATCH=mastery["ETag"]).status_code == 304
    suggested = api.get("/api/v1/problem-suggestions/", {"count": 3}).json()
    assert len(suggested) == 3 and suggested[0]["problem"]["slug"] == "maximum-depth-of-binary-tree"
    assert suggested[0]["reasons"][0]["code"] == "weak_pattern" and "Trees" in suggested[0]["reasons"][0]["text"]
    assert api.get("/api/v1/problem-suggestions/", {"count": "many"}).status_code == 400


def test_csv_import_is_all_or_nothing_and_idempotent(api: APIClient, learner: User, problems) -> None:
    bad = api.post(
        "/api/v1/problem-imports/",
        {"file": SimpleUploadedFile("s.csv", b"two-sum,2026-01-02\nunknown-one,2026-01-03\n")},
        format="multipart",
    )
    assert bad.status_code == 400 and "line 2:" in bad.json()["errors"][0]["message"]
    assert not ProblemAttempt.objects.filter(user=learner).exists()
    good = b"slug,date\ntwo-sum,2026-01-02\nvalid-anagram,2026-01-03\n"
    first = api.post("/api/v1/problem-imports/", {"file": SimpleUploadedFile("s.csv", good)}, format="multipart")
    again = api.post("/api/v1/problem-imports/", {"file": SimpleUploadedFile("s.csv", good)}, format="multipart")
    assert first.json() == {"created": 2, "already": 0, "problems": 2}
    assert again.json() == {"created": 0, "already": 2, "problems": 0}


def test_today_lists_practice_due(api: APIClient, learner: User, problems) -> None:
    from django.utils import timezone

    api.post("/api/v1/problems/3sum/attempts/", {"outcome": "not_solved"}, format="json")
    ProblemProgress.objects.filter(user=learner).update(due=timezone.now())
    from tracker.services.learner_state import learner_state_bump

    learner_state_bump(user_id=learner.pk)
    today = api.get("/api/v1/today/").json()
    assert today["practice"][0]["key"] == "3sum" and today["practice_minutes"] == 25


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # token, patterns, attempts, candidate problems
        ("/api/v1/problem-mastery/", 4),
        # token, patterns, attempts, candidate problems, the suggested problems with their pattern, their tags
        ("/api/v1/problem-suggestions/", 6),
        # token, the problem with its pattern, its tags, its set entries with their sets, your progress
        ("/api/v1/problems/two-sum/", 5),
    ],
)
def test_reads_cost_a_fixed_number_of_queries(
    api: APIClient, problems, url: str, queries: int, django_assert_num_queries: pytest.FixtureDef[object]
) -> None:
    for slug in ("two-sum", "3sum", "path-sum"):
        api.post(f"/api/v1/problems/{slug}/attempts/", {"outcome": "solved_alone"}, format="json")
    api.get(url)
    with django_assert_num_queries(queries):  # type: ignore[operator]
        assert api.get(url).status_code == 200


def test_a_set_or_search_with_a_nul_character_matches_nothing(api: APIClient, learner: User, problems) -> None:
    """PostgreSQL refuses NUL in a text comparison: such a filter is text that no slug or title has."""
    assert api.get("/api/v1/problems/", {"set": "blind\x0075"}).json()["count"] == 0
    assert api.get("/api/v1/problems/", {"q": "two\x00sum"}).json()["count"] == 0
