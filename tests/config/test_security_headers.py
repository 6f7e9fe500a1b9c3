"""Security headers: every HTML page (the demo learner's, sign-in, the admin, Swagger UI) carries the
Content-Security-Policy with a fresh nonce and no 'unsafe-inline' or 'unsafe-eval', and its markup needs
neither: no inline script without the nonce, no inline style, no on* handler."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse

from frontend import urls as frontend_urls
from tracker.models import Exercise, Track, User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
HANDLER = re.compile(r"^on[a-z]+$")
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction"}


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


class InlineCode(HTMLParser):
    """What in a page the policy would block: inline scripts without the nonce, inline styles, on* handlers and
    javascript: URLs."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        inline_script = tag == "script" and "src" not in values and values.get("type") not in JSON_SCRIPT_TYPES
        if inline_script and values.get("nonce") != self.nonce:
            self.problems.append(f"inline <script> without the request's nonce at line {self.getpos()[0]}")
        if tag == "style":  # style-src has no nonce: stylesheets are files
            self.problems.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style" or HANDLER.match(name):
                self.problems.append(f'{name}="{value}" on <{tag}> at line {self.getpos()[0]}')
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"a javascript: URL on <{tag}> at line {self.getpos()[0]}")


def assert_secure(response) -> None:
    """The page's headers, and that its markup runs under them."""
    path = response.request["PATH_INFO"]
    policy = directives(response)
    script_src, style_src = policy["script-src"], policy["style-src"]
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in style_src and "'unsafe-eval'" not in style_src
    nonces = [value for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1, f"{path}: script-src {script_src}"
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any(
        value.startswith(("http:", "https:")) or value == "*" for values in policy.values() for value in values
    )

    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", path
    features = dict(part.strip().split("=", 1) for part in headers["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", f"{path}: {feature}={features.get(feature)}"

    if response["Content-Type"].startswith("text/html"):
        checker = InlineCode(nonces[0].removeprefix("'nonce-").removesuffix("'"))
        checker.feed(response.content.decode())
        assert not checker.problems, f"{path}: {checker.problems}"


def html_pages(client: Client, paths: list[str]) -> dict[str, object]:
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), path
        pages[path] = response
    return pages


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The curated content and demo accounts exactly as `make run` creates them (manage.py seed), once for this
    module, rolled back after it: each test runs in a savepoint inside."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", verbosity=0)
        yield
        transaction.set_rollback(True)


def learner_paths() -> list[str]:
    """Every page of the dashboard that answers GET, found from its URLs so that a new page is not missed."""
    track = Track.objects.filter(enrollments__user__username="demo").first()
    exercise = Exercise.objects.first()
    assert track is not None and exercise is not None
    args = {"track": [track.pk], "exercise": [exercise.slug]}
    paths = []
    for pattern in frontend_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = pattern.name or ""
        if pattern.pattern.converters and name not in args:
            continue  # an action on one object: POST only
        paths.append(reverse(f"frontend:{name}", args=args.get(name, [])))
    return paths


def test_every_page_of_the_demo_learner_carries_the_policy_and_needs_no_inline_code(demo_site):
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    candidates = [*learner_paths(), "/plan/?view=month"]
    pages = {}
    for path in candidates:
        response = client.get(path)
        # Form endpoints answer GET with 405; downloads are not pages. Both still carry the headers.
        directives(response)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages[path] = response
    expected = {"/", "/tracks/", "/plan/", "/plan/?view=month", "/plan/markdown/", "/progress/", "/reading/",
                "/feeds/", "/exercises/", "/skills/", "/deadlines/", "/settings/"}  # fmt: skip
    assert expected <= set(pages), sorted(set(pages))
    assert any(path.startswith("/tracks/") and path != "/tracks/" for path in pages)
    assert any(path.startswith("/exercises/") and path != "/exercises/" for path in pages)
    for response in pages.values():
        assert_secure(response)
    # The progress page's charts are inline SVG: no image the policy would have to allow.
    assert b"<svg" in pages["/progress/"].content


def test_an_htmx_fragment_carries_the_policy_too(demo_site):
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    response = client.get("/tracks/", {"q": "CUDA"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalogue")
    assert response.status_code == 200 and b"<html" not in response.content
    assert_secure(response)


def test_the_sign_in_pages_carry_the_policy_and_signing_in_stays_on_this_site(demo_site):
    client = Client()
    for response in html_pages(client, ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]).values():
        assert_secure(response)
    demo = User.objects.get(username="demo")
    demo.set_password("a-long-pass-phrase-42")
    demo.save()
    # The sign-in form posts to this site (form-action 'self') and redirects within it.
    response = client.post("/accounts/login/", {"login": "demo", "password": "a-long-pass-phrase-42", "next": "/plan/"})
    assert response.status_code == 302 and response["Location"] == "/plan/"
    assert_secure(client.get(response["Location"]))


def test_the_admin_carries_the_policy(demo_site):
    client = Client()
    assert_secure(client.get("/admin/login/"))
    client.force_login(User.objects.get(username="admin"))
    paths = [
        "/admin/",
        "/admin/tracker/track/",
        "/admin/tracker/item/add/",
        "/admin/django_celery_beat/periodictask/add/",
    ]
    for response in html_pages(client, paths).values():
        assert_secure(response)


def test_swagger_ui_is_served_from_this_site_with_its_script_under_the_nonce(db):
    client = Client()
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert_secure(response)
    page = response.content.decode()
    nonce = directives(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    assert f'<script nonce="{nonce}">' in page and "SwaggerUIBundle(" in page
    # Swagger UI's files come from this site (drf-spectacular-sidecar), no CDN.
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    assert all(url.startswith("/static/") for url in assets), assets
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    directives(schema)


def test_each_response_gets_its_own_nonce(db):
    client = Client()
    first, second = (directives(client.get("/accounts/login/"))["script-src"] for _ in range(2))
    assert first != second


def test_report_uri_and_extra_form_origins_come_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_CSP_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DJANGO_CSP_REPORT_URI="https://reports.example.org/csp",
        DJANGO_CSP_FORM_ACTION="https://github.com,https://accounts.google.com",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.utils.csp import build_policy; print(build_policy(settings.SECURE_CSP))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    policy = result.stdout.strip()
    assert "form-action 'self' https://github.com https://accounts.google.com" in policy
    assert "report-uri https://reports.example.org/csp; report-to csp" in policy
