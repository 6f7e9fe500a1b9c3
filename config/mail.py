"""The e-mail backend every message goes through: it counts what was sent and what failed (for /metrics),
and hands the messages to the backend EMAIL_URL chose (METRICS_EMAIL_INNER_BACKEND).

Counting here rather than at each place that sends covers every e-mail: reminders, feed notices, password
resets and whatever sends mail later, without touching them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from tracker import metrics


class CountingEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(settings.METRICS_EMAIL_INNER_BACKEND, fail_silently=fail_silently, **kwargs)

    def open(self) -> bool | None:
        return self.inner.open()

    def close(self) -> None:
        self.inner.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Sends the messages one by one on one connection, so that a failure counts exactly: the messages
        sent before it as sent, the rest as failed (the inner backend stops at the first failure)."""
        messages = list(email_messages)
        if not messages:
            return 0
        sent = 0
        opened = self.inner.open()
        try:
            for message in messages:
                sent += self.inner.send_messages([message]) or 0
        finally:
            metrics.emails_recorded(sent=sent, failed=len(messages) - sent)
            if opened:
                self.inner.close()
        return sent
