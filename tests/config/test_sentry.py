"""Sentry: off without SENTRY_DSN; with it, the Django and Celery integrations, and no personal data leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sentry_sdk

from config.sentry import before_send, sentry_init

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_dsn_nothing_starts() -> None:
    assert sentry_init(dsn="") is False
    assert not sentry_sdk.get_client().is_active()


def test_before_send_drops_personal_data_cookies_auth_headers_and_bodies() -> None:
    event = {
        "user": {"id": 42, "email": "ada@example.org", "username": "ada", "ip_address": "203.0.113.9"},
        "request": {
            "url": "https://brainqueue.example.org/calendar/Zm9vYmFyYmF6.ics",
            "method": "POST",
            "query_string": "email=ada@example.org",
            "cookies": {"sessionid": "s3cr3t"},
            "data": {"code": "def solve(): ...", "note": "private"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
            "headers": {
                "Authorization": "Token abc",
                "Cookie": "sessionid=s3cr3t",
                "X-Forwarded-For": "203.0.113.9",
                "User-Agent": "pytest",
                "X-Request-ID": "r-1",
            },
        },
        "exception": {"values": [{"type": "SMTPRecipientsRefused", "value": "{'ada@example.org': (550, b'no')}"}]},
        "breadcrumbs": {"values": [{"message": "unsubscribe link /unsubscribe/abc.def-ghi/ sent to bo@example.com"}]},
        "logentry": {"message": "reminder for %s", "params": ["cy@example.net"]},
    }
    scrubbed = before_send(event, None)  # type: ignore[arg-type]
    assert scrubbed["user"] == {"id": 42}
    request = scrubbed["request"]
    assert set(request) == {"url", "method", "headers"}
    assert request["headers"] == {"User-Agent": "pytest", "X-Request-ID": "r-1"}
    assert request["url"] == "https://brainqueue.example.org/calendar/[token].ics"
    text = json.dumps(scrubbed)
    for secret in ("@example", "s3cr3t", "abc.def-ghi", "Zm9vYmFyYmF6", "203.0.113.9", "private", "ada"):
        assert secret not in text, secret
    assert "/unsubscribe/[token]/" in text and "[email]" in text


def test_the_public_calendar_link_is_kept() -> None:
    scrubbed = before_send({"request": {"url": "https://b.example.org/calendar/public.ics"}}, None)  # type: ignore[arg-type]
    assert scrubbed["request"]["url"] == "https://b.example.org/calendar/public.ics"


# Run in a process of its own: the integrations patch Django and Celery for the rest of the process. The
# transport is replaced before anything is captured, so nothing goes over the network.
PROBE = """
import json, os
import django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
envelopes = []
client.transport.capture_envelope = envelopes.append
sentry_sdk.set_user({"id": 7, "email": "ada@example.org", "username": "ada"})
try:
    raise ValueError("could not mail ada@example.org")
except ValueError:
    sentry_sdk.capture_exception()
client.flush()
print(json.dumps({
    "active": client.is_active(),
    "pii": client.options["send_default_pii"],
    "locals": client.options["include_local_variables"],
    "bodies": client.options["max_request_body_size"],
    "integrations": sorted(client.integrations),
    "events": [e.get_event() for e in envelopes if e.get_event()],
}, default=str))
"""


def test_with_a_dsn_the_settings_start_sentry_for_django_and_celery_without_personal_data() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SENTRY_DSN": "http://public@127.0.0.1:9/1",
        "SENTRY_ENVIRONMENT": "ci",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["active"] and report["pii"] is False and report["locals"] is False and report["bodies"] == "never"
    assert {"django", "celery"} <= set(report["integrations"])
    (event,) = report["events"]
    assert event["environment"] == "ci" and event["user"] == {"id": 7}
    assert "ada@example.org" not in json.dumps(event) and "could not mail [email]" in json.dumps(event)
