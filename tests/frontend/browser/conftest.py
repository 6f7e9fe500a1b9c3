"""The browser the browser tests share: Debian's chromium, headless, driven by Playwright (no browser
download). Every page it opens runs under the site's Content-Security-Policy, and any violation fails the
test: the browser's own console report ("Refused to ..."), the page's `securitypolicyviolation` event, or an
uncaught error in the page (what a blocked eval or script usually turns into). Nothing here bypasses the CSP."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Runs in every page and frame before the page's own scripts, so a violation while parsing is caught too.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} `
    + `at ${e.sourceFile || document.location.href}:${e.lineNumber} (${e.sample || "no sample"})`);
});
"""
CSP_MARKERS = ("CSP violation", "Content Security Policy", "Content-Security-Policy")


def watch(context: Any, problems: list[str]) -> Any:
    """Reports every CSP violation and page error in `context`'s pages, present and future, to `problems`."""
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message: Any) -> None:
        if any(marker in message.text for marker in CSP_MARKERS):
            problems.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def on_error(error: Any) -> None:
        problems.append(f"{error.page.url if error.page else '?'}: uncaught {error.error}")

    context.on("console", on_console)
    context.on("weberror", on_error)
    return context


class WatchedBrowser:
    """A Playwright Browser whose every new context is watched (see `watch`)."""

    def __init__(self, browser: Any, problems: list[str]) -> None:
        self._browser = browser
        self._problems = problems

    def new_context(self, **options: Any) -> Any:
        if options.get("bypass_csp"):
            raise ValueError("the browser tests check the site under its Content-Security-Policy")
        return watch(self._browser.new_context(**options), self._problems)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


PROBLEMS = pytest.StashKey[list[str]]()


def _fail(problems: list[str]) -> None:
    reported = "CSP violations or page errors:\n" + "\n".join(problems)
    problems.clear()
    pytest.fail(reported, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test that ran through but whose pages reported problems fails (not only its teardown)."""
    result = yield
    problems = item.stash.get(PROBLEMS, [])
    if problems:
        _fail(problems)
    return result


@pytest.fixture
def csp_guard(request: pytest.FixtureRequest) -> Iterator[Callable[[Any], WatchedBrowser]]:
    """Wraps a Playwright Browser so that every page of every context it opens is watched: the test fails if any
    page reported a CSP violation or an uncaught error (at teardown for what came after the test's end)."""
    problems: list[str] = []
    request.node.stash[PROBLEMS] = problems
    yield lambda browser: WatchedBrowser(browser, problems)
    if problems:
        _fail(problems)


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _need(what: str, ok: bool) -> None:
    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI (make test-system-deps installs it)")
    pytest.skip(f"needs {what}: run `make test-system-deps` as root, or apt-get install chromium")


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch, csp_guard: Callable[[Any], Any]) -> Iterator[object]:
    _need("Debian's chromium at /usr/bin/chromium", Path(CHROMIUM).exists() or bool(shutil.which("chromium")))
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # Every page is checked for CSP violations and page errors (csp_guard below).
            yield csp_guard(chromium)
        finally:
            chromium.close()
