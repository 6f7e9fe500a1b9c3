"""axe-core in the browser tests: every page the walkthrough opens is checked against WCAG 2.0/2.1 A and AA.

axe-core comes from PyPI's `axe-playwright-python` (pinned in requirements/test.in), whose wheel bundles
axe.min.js: the version is fixed by the same lock file as everything else the tests install, it works
offline, and no npm step or CDN download is needed at test time. Only its copy of axe.min.js is used here;
the checks and the report are ours, so that a failure names the page, the scheme, the rule and each node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")


@cache
def axe_source() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_run(page: Any) -> list[dict[str, Any]]:
    """The WCAG A/AA violations axe-core finds on the page as it is now (its `violations` list)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    result: dict[str, Any] = page.evaluate("options => window.axe.run(document, options)", options)
    return list(result["violations"])


def describe(where: str, violation: dict[str, Any]) -> str:
    """One violation as a person reads it: the page, the rule, and each node with what is wrong with it."""
    lines = [f"{where}: {violation['id']} ({violation.get('impact')}): {violation['help']} ({violation['helpUrl']})"]
    for node in violation["nodes"]:
        target = " ".join(str(t) for t in node["target"])
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    {target}\n      {node['html'][:200]}\n      {summary}")
    return "\n".join(lines)


@dataclass
class Audit:
    """Collects the violations of every page checked, so one run reports all of them at once."""

    found: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def check(self, page: Any, where: str, *, schemes: tuple[str, ...] = SCHEMES) -> None:
        """Checks the page in each colour scheme (prefers-color-scheme, emulated), then puts back the one it had."""
        then = "dark" if page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") else "light"
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            label = f"{where} [{scheme}]"
            violations = axe_run(page)
            self.checked.append(label)
            self.counts[label] = sum(len(v["nodes"]) for v in violations)
            self.found.extend(describe(label, v) for v in violations)
        page.emulate_media(color_scheme=then)

    def report(self) -> str:
        return f"{len(self.found)} accessibility violation(s) (WCAG 2.1 A/AA, axe-core):\n" + "\n".join(self.found)
