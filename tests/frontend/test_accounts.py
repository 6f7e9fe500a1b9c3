"""Sign up, sign in, sign out and password reset, as a new learner goes through them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tracker.models import StudyProfile, User

pytestmark = pytest.mark.django_db


def test_the_home_page_sends_a_visitor_to_sign_in(client: Client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Sign in" in page.content.decode() and 'href="/accounts/signup/"' in page.content.decode()


def test_sign_up_creates_the_learner_with_a_profile_and_signs_them_in(client: Client):
    response = client.post(
        reverse("signup"),
        {
            "username": "ada",
            "email": "ada@example.org",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
            "time_zone": "Asia/Shanghai",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("frontend:home")
    user = User.objects.get(username="ada")
    assert user.check_password("a-long-pass-phrase")
    assert StudyProfile.objects.get(user=user).time_zone == "Asia/Shanghai"
    home = client.get(reverse("frontend:home"))
    assert home.status_code == 200 and "Welcome to Brainqueue" in home.content.decode()


def test_sign_up_explains_each_mistake_and_creates_nothing(client: Client):
    UserFactory(username="taken", email="taken@example.org")
    response = client.post(
        reverse("signup"),
        {
            "username": "taken",
            "email": "TAKEN@example.org",
            "password1": "short",
            "password2": "other",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"username", "email", "password2", "time_zone"}
    assert "Sign in, or reset its password" in errors["email"][0]
    assert User.objects.count() == 1


def test_sign_in_and_sign_out(client: Client):
    UserFactory(username="bo")
    bad = client.post(reverse("login"), {"username": "bo", "password": "wrong"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    good = client.post(reverse("login"), {"username": "bo", "password": "correct-horse-battery"})
    assert good.status_code == 302 and good["Location"] == reverse("frontend:home")
    assert client.get(reverse("frontend:home")).status_code == 200
    out = client.post(reverse("logout"))
    assert out.status_code == 302
    assert client.get(reverse("frontend:home")).status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client: Client):
    user = UserFactory(username="cy", email="cy@example.org")
    response = client.post(reverse("password_reset"), {"email": "cy@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cy@example.org"] and "Reset your Brainqueue password" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)
    assert link, message.body

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-phrase-9", "new_password2": "brand-new-phrase-9"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-phrase-9")
    assert client.get(link.group(1), follow=True).context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client: Client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert mail.outbox == []
