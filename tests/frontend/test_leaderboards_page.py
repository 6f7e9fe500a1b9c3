"""The leaderboard page, the timed result (where it ran, the speed-up, percentiles, roofline, review hold)
and the handle setting; pinned query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ExerciseFactory, TimedSubmissionFactory, UserFactory, timing_figures
from tracker.models import Exercise, StudyProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def gemm() -> Exercise:
    return ExerciseFactory(slug="gemm-blocked", title="Blocked GEMM", timed=True)


def _result_page(client, submission) -> str:
    url = reverse("frontend:exercise", args=[submission.exercise.slug])
    response = client.get(url, {"submission": submission.pk})
    assert response.status_code == 200
    return response.content.decode()


def test_the_board_ranks_learners_with_handles_and_highlights_yours(
    gemm: Exercise, learner_client, django_assert_max_num_queries
):
    learner, client = learner_client
    named, anonymous = UserFactory(username="named"), UserFactory(username="hidden_name")
    StudyProfile.objects.filter(user=named).update(public_handle="tile_master")
    for n in range(30):
        TimedSubmissionFactory(exercise=gemm, ratio=20.0 - n * 0.1)
    TimedSubmissionFactory(user=named, exercise=gemm, ratio=30.0)
    TimedSubmissionFactory(user=anonymous, exercise=gemm, ratio=25.0)
    mine = TimedSubmissionFactory(user=learner, exercise=gemm, ratio=4.5)
    # session, user, the exercise, the board (one query: a window over the submissions, handles joined)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("frontend:exercise-leaderboard", args=["gemm-blocked"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="col">Rank</th>' in page and '<th scope="col">Speed-up</th>' in page
    assert page.index("tile_master") < page.index("a learner")
    assert "hidden_name" not in page
    assert page.count('aria-current="true"') == 1
    assert f"?submission={mine.pk}" in page and "4.5×" in page and "30×" in page


def test_your_row_is_shown_below_the_top_when_it_ranks_lower(gemm: Exercise, learner_client, monkeypatch):
    from frontend.views import leaderboards

    learner, client = learner_client
    monkeypatch.setattr(leaderboards, "SHOWN", 3)
    for n in range(5):
        TimedSubmissionFactory(exercise=gemm, ratio=10.0 - n)
    TimedSubmissionFactory(user=learner, exercise=gemm, ratio=1.5)
    page = client.get(reverse("frontend:exercise-leaderboard", args=["gemm-blocked"])).content.decode()
    assert page.count("<tr") == 1 + 3 + 2  # the header, the top 3, the gap, your row
    assert 'aria-current="true"' in page and "1.5×" in page and "7×" not in page


def test_an_untimed_exercise_has_no_board_and_no_link(learner_client):
    _learner, client = learner_client
    ExerciseFactory(slug="vector-sum", timed=False)
    assert client.get(reverse("frontend:exercise-leaderboard", args=["vector-sum"])).status_code == 404
    assert "Leaderboard" not in client.get(reverse("frontend:exercise", args=["vector-sum"])).content.decode()


def test_the_exercise_page_and_the_list_link_the_leaderboard(gemm: Exercise, learner_client):
    _learner, client = learner_client
    board = reverse("frontend:exercise-leaderboard", args=["gemm-blocked"])
    assert board in client.get(reverse("frontend:exercise", args=["gemm-blocked"])).content.decode()
    assert board in client.get(reverse("frontend:exercises")).content.decode()


def test_a_timed_result_shows_device_speedup_percentiles_rounds_roofline_and_band(
    gemm: Exercise, learner_client, django_assert_max_num_queries
):
    learner, client = learner_client
    mine = TimedSubmissionFactory(user=learner, exercise=gemm, ratio=5.0, device_kind="gpu", device_name="NVIDIA H200")
    # session, user, exercise with best score, its tags, the submission, its results, the history
    with django_assert_max_num_queries(7):
        page = _result_page(client, mine)
    assert "Ran on: GPU: NVIDIA H200" in page
    assert "5× the baseline" in page and "needs ≥ 4×" in page and "band score 75%" in page and "24 rounds" in page
    assert '<th scope="row">Your code</th><td>1.9 ms</td><td>2 ms</td><td>2.2 ms</td>' in page
    assert '<th scope="row">Baseline</th><td>9.8 ms</td><td>10 ms</td><td>10.5 ms</td>' in page
    assert "1.57 GB/s" in page and "19.50 GB/s" in page and "134.20 GFLOP/s" in page and "410.00 GFLOP/s" in page
    assert "reached 33% of this machine" in page
    assert reverse("frontend:exercise-leaderboard", args=["gemm-blocked"]) in page


@pytest.mark.parametrize(
    ("kind", "name", "label"),
    [
        ("cpu", "x86_64 (16 cores)", "Ran on: CPU<"),
        ("cuda-simulator", "numba CUDA simulator", "Ran on: CUDA simulator (correctness only)<"),
    ],
)
def test_the_result_says_where_it_ran(learner_client, kind: str, name: str, label: str):
    learner, client = learner_client
    untimed = TimedSubmissionFactory(user=learner, device_kind=kind, device_name=name, timing=None, speedup=None,
                                     exercise=ExerciseFactory(timed=False))  # fmt: skip
    page = _result_page(client, untimed)
    assert label in page and "Speed-up per round" not in page


def test_a_held_result_says_it_waits_for_a_curator(gemm: Exercise, learner_client):
    learner, client = learner_client
    timing = timing_figures(speedup=30.0, held_for_review=True, message="30× the baseline is unusual")
    held = TimedSubmissionFactory(user=learner, exercise=gemm, ratio=30.0, timing=timing, review="pending")
    page = _result_page(client, held)
    assert "held for a curator's review" in page and "30× the baseline is unusual" in page


@pytest.mark.parametrize(
    ("status", "review", "text"),
    [
        ("noisy", "", "The times varied more than the target"),
        ("rejected", "", "The measured time is impossible on this machine"),
        ("measured", "rejected", "A curator rejected this speed-up"),
    ],
)
def test_noisy_rejected_and_refused_results_say_so(gemm: Exercise, learner_client, status, review, text):
    learner, client = learner_client
    timing = timing_figures(status=status, message="see the figures", held_for_review=bool(review))
    row = TimedSubmissionFactory(user=learner, exercise=gemm, timing=timing, review=review,
                                 speedup=None if status == "rejected" else 5.0)  # fmt: skip
    page = _result_page(client, row)
    assert text in page and "see the figures" in page


def test_the_settings_page_publishes_and_unpublishes_the_handle(learner_client):
    learner, client = learner_client
    assert 'name="public_handle"' in client.get(reverse("frontend:settings")).content.decode()
    response = client.post(reverse("frontend:settings-handle"), {"public_handle": "dee_42"}, follow=True)
    assert "Your handle dee_42 now shows on leaderboards." in response.content.decode()
    assert StudyProfile.objects.get(user=learner).public_handle == "dee_42"
    response = client.post(reverse("frontend:settings-handle"), {"public_handle": ""}, follow=True)
    assert "leaderboards show you to others as “a learner”" in response.content.decode()
    assert StudyProfile.objects.get(user=learner).public_handle == ""


def test_a_taken_or_malformed_handle_is_refused_on_the_form(learner_client):
    learner, client = learner_client
    StudyProfile.objects.filter(user=UserFactory()).update(public_handle="Dee_42")
    taken = client.post(reverse("frontend:settings-handle"), {"public_handle": "dee_42"})
    assert taken.status_code == 400 and "This handle is taken: choose another." in taken.content.decode()
    bad = client.post(reverse("frontend:settings-handle"), {"public_handle": "d e"})
    assert bad.status_code == 400 and "3 to 30 characters" in bad.content.decode()
    assert StudyProfile.objects.get(user=learner).public_handle == ""


def test_the_board_and_the_result_are_in_chinese(gemm: Exercise, learner_client, compiled_messages):
    if not compiled_messages:
        pytest.skip("msgfmt (gettext) is not installed: the Chinese catalogue cannot be compiled")
    learner, client = learner_client
    client.cookies["django_language"] = "zh-hans"
    StudyProfile.objects.filter(user=learner).update(language="zh-hans")
    mine = TimedSubmissionFactory(user=learner, exercise=gemm, device_kind="cuda-simulator", timing=None, speedup=None)
    board = client.get(reverse("frontend:exercise-leaderboard", args=["gemm-blocked"])).content.decode()
    assert "排行榜" in board
    assert "CUDA 模拟器（仅检查正确性）" in _result_page(client, mine)
