"""Shared set-up of the reminder tests: learners whose hour has come, a dispatcher tick whose send batches
run in-process (as the worker runs them), and a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tracker.services import reminders as reminder_services
from tracker.services.reminders import reminders_dispatch, reminders_send


@dataclass
class Queue:
    """Stands in for the broker: what the dispatcher enqueued, as (delivery ids, claim token)."""

    batches: list[tuple[list[int], str]] = field(default_factory=list)

    def tick(self, now: dt.datetime | None = None) -> int:
        """One dispatcher tick, then its batches through reminders_send; returns the e-mails sent."""
        self.batches.clear()
        reminders_dispatch(now=now)
        return self.run(now)

    def run(self, now: dt.datetime | None = None) -> int:
        batches, self.batches = list(self.batches), []
        return sum(reminders_send(delivery_ids=ids, token=token, now=now) for ids, token in batches)


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Queue:
    queue = Queue()
    monkeypatch.setattr(reminder_services, "_enqueue_send", lambda ids, token: queue.batches.append((ids, token)))
    return queue


class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[Message]:
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Collector


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """Sends through the real SMTP server instead of the in-memory outbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server
