"""Today with the keyboard alone: Tab to a control, Enter or Space to use it, and after each htmx swap
the focus is where the next step starts (Start leads to Done, Done and Skip to Undo, a saved note to its
button, with its "Note and time" still open), never back at the top of the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import ItemFactory, TrackFactory, UserFactory
from tracker.models import Progress
from tracker.services.enrollments import enrollment_create

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NOTE = "Read it twice; **blocks** first."


def tab_to(page: object, selector: str, limit: int = 80) -> str:
    """Presses Tab until the focused element matches the selector; returns its id."""
    for _ in range(limit):
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate("s => document.activeElement.matches(s)", selector):  # type: ignore[attr-defined]
            return str(page.evaluate("document.activeElement.id"))  # type: ignore[attr-defined]
    raise AssertionError(f"Tab never reached {selector} in {limit} presses")


def press_and_wait(page: object, key: str) -> None:
    """Presses the key on the focused control and waits until htmx has swapped #today."""
    page.evaluate("document.getElementById('today').dataset.seen = 'old'")  # type: ignore[attr-defined]
    page.keyboard.press(key)  # type: ignore[attr-defined]
    page.wait_for_function("() => document.getElementById('today').dataset.seen !== 'old'")  # type: ignore[attr-defined]


def focused(page: object) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))  # type: ignore[attr-defined]


def focus_lands_on(page: object, expected: str) -> None:
    """Waits for the focus to reach `expected`: htmx swaps first and settles a moment later, and the page
    moves the focus after the settle, so right after the swap it may not have moved yet."""
    try:
        page.wait_for_function(  # type: ignore[attr-defined]
            "id => (document.activeElement.id || document.activeElement.tagName) === id", arg=expected, timeout=10_000
        )
    except Exception as exc:  # Playwright's TimeoutError: say where the focus is instead
        raise AssertionError(f"focus is on {focused(page)!r}, not {expected!r}") from exc


def test_today_can_be_studied_with_the_keyboard_alone(browser, live_server) -> None:
    learner = UserFactory(username="kay")
    track = TrackFactory(title_en="Keyboard course")
    for n in range(3):
        ItemFactory(track=track, position=n, estimated_minutes=20, url="")
    enrollment_create(user=learner, track=track, start_date=timezone.localdate() - dt.timedelta(days=1))
    client = Client()
    client.force_login(learner)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context()  # type: ignore[attr-defined]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/")
    page.evaluate("window.notReloaded = true")
    # A slow settle, as on a loaded machine: the new buttons are wired up by htmx only when it settles, so
    # a key pressed as soon as the focus arrives must still find an htmx button, not submit a form natively.
    page.evaluate("htmx.config.defaultSettleDelay = 400")

    # Start the first item: Enter on its Start button; focus moves on to its Done button.
    first = int(tab_to(page, "#today button[id^='start-']").removeprefix("start-"))
    press_and_wait(page, "Enter")
    assert Progress.objects.get(user=learner, item_id=first).status == Progress.Status.DOING
    focus_lands_on(page, f"done-{first}")

    # Done with Space; focus is on Undo, the one control the item still has.
    press_and_wait(page, " ")
    assert Progress.objects.get(user=learner, item_id=first).status == Progress.Status.DONE
    focus_lands_on(page, f"undo-{first}")

    # Skip the next item with Enter.
    second = int(tab_to(page, "#today button[id^='skip-']").removeprefix("skip-"))
    assert second != first
    press_and_wait(page, "Enter")
    assert Progress.objects.get(user=learner, item_id=second).status == Progress.Status.SKIPPED
    focus_lands_on(page, f"undo-{second}")

    # A note on it: open "Note and time" with Enter, type, Tab to Save note, Enter.
    tab_to(page, f"li:has(#undo-{second}) summary")
    page.keyboard.press("Enter")
    assert page.evaluate(f"document.querySelector('li:has(#undo-{second}) details').open") is True
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type(NOTE)
    save = tab_to(page, "button[id^='note-save-']", limit=1)
    press_and_wait(page, "Enter")
    assert Progress.objects.get(user=learner, item_id=second).note == NOTE
    assert page.locator(f"li:has(#undo-{second}) .note strong", has_text="blocks").is_visible()
    focus_lands_on(page, save)
    assert page.evaluate(f"document.querySelector('li:has(#undo-{second}) details').open") is True

    assert page.evaluate("window.notReloaded") is True
    assert errors == []
    context.close()
