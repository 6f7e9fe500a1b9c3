"""Error reports to Sentry, when SENTRY_DSN is set (the settings call `sentry_init`), from the web server
and the Celery workers alike.

Learners' personal data stays here: no default PII, no request bodies, no local variables (they hold
learners' code, notes and addresses), and `before_send` removes what the integrations still attach:
the user's e-mail, name and address (only the id is kept), cookies, every header but a few harmless ones,
query strings, secret tokens in links, and any e-mail address written in a message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

# Keys whose values are scrubbed wherever they appear (extra data, breadcrumbs, contexts), besides Sentry's own.
PII_KEYS = ["email", "username", "user_email", "first_name", "last_name", "full_name", "ip_address", "remote_addr"]
# Request headers that are kept; every other (Authorization, Cookie, X-Forwarded-For...) is dropped.
SAFE_HEADERS = frozenset(
    {"accept", "accept-encoding", "accept-language", "content-length", "content-type", "host", "user-agent",
     "x-forwarded-proto", "x-request-id", "hx-request", "hx-target"}
)  # fmt: skip
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Links that carry a secret in their path: the one-click unsubscribe and the private calendar feed.
SECRET_PATHS = [
    (re.compile(r"/unsubscribe/[^/?#]+"), "/unsubscribe/[token]"),
    (re.compile(r"/calendar/(?!public\.ics)[^/?#]+\.ics"), "/calendar/[token].ics"),
]
FILTERED = "[Filtered]"


def _scrub_text(value: str) -> str:
    value = EMAIL.sub("[email]", value)
    for pattern, replacement in SECRET_PATHS:
        value = pattern.sub(replacement, value)
    return value


def _scrub_strings(value: Any) -> Any:
    """Every string inside `value` (dicts and lists walked), with e-mail addresses and secret links hidden."""
    if isinstance(value, str):
        return _scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_strings(item) for item in value]
    return value


def before_send(event: Event, hint: Hint | None = None) -> Event:
    """Removes personal data from an event (or a transaction) before it leaves the process."""
    data: dict[str, Any] = dict(event)
    user = data.get("user")
    if isinstance(user, dict):
        data["user"] = {"id": user["id"]} if "id" in user else {}
    request = data.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
    scrubbed: Event = _scrub_strings(data)
    return scrubbed


def sentry_init(*, dsn: str, environment: str = "production", traces_sample_rate: float = 0.0) -> bool:
    """Starts reporting to Sentry; does nothing (and returns False) without a DSN."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *PII_KEYS], recursive=True),
        before_send=before_send,
        before_send_transaction=before_send,
        traces_sample_rate=traces_sample_rate,
    )
    return True
