"""English and 简体中文: the switcher, the learner's profile language, and curriculum titles."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import TrackFactory, UserFactory
from tracker.models import StudyProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese_compiled(compiled_messages):
    if not compiled_messages:
        pytest.skip("needs gettext's msgfmt to compile locale/zh_Hans (make system-deps)")


def test_the_switcher_sets_the_language_and_the_learners_profile(learner_client):
    learner, client = learner_client
    response = client.post(reverse("frontend:set-language"), {"language": "zh-hans", "next": "/tracks/"})
    assert response.status_code == 302 and response["Location"] == "/tracks/"
    assert StudyProfile.objects.get(user=learner).language == "zh-hans"
    page = client.get("/tracks/").content.decode()
    assert '<html lang="zh-Hans">' in page and "我的学习线" in page and "学习线目录" in page


def test_curriculum_titles_follow_the_language(learner_client):
    _, client = learner_client
    TrackFactory(title="CUDA C编程权威指南", title_en="Professional CUDA C Programming")
    english = client.get("/tracks/").content.decode()
    assert english.index("Professional CUDA C Programming") < english.index("CUDA C编程权威指南")
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get("/tracks/").content.decode()
    assert chinese.index("CUDA C编程权威指南") < chinese.index("Professional CUDA C Programming")


def test_signing_in_brings_the_profile_language_to_a_new_browser(client):
    user = UserFactory(username="mei")
    StudyProfile.objects.filter(user=user).update(language="zh-hans")
    response = client.post(reverse("login"), {"login": "mei", "password": "correct-horse-battery"})
    assert response.cookies["django_language"].value == "zh-hans"
    assert "今天" in client.get("/").content.decode()


def test_a_visitor_can_switch_language_before_signing_up(client):
    client.post(reverse("frontend:set-language"), {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in client.get("/accounts/login/").content.decode()
