"""Every page the browser tests open runs under the site's Content-Security-Policy, and any violation fails the
test: the browser's own console report ("Refused to ..."), the page's `securitypolicyviolation` event, or an
uncaught error in the page (what a blocked eval or script usually turns into). Nothing here bypasses the CSP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
