"""`{{ submission.verdict|verdict }}`, `{{ submission.status|submission_status }}`: names in the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

VERDICTS = {
    "AC": _("Accepted"),
    "WA": _("Wrong answer"),
    "TLE": _("Time limit exceeded"),
    "MLE": _("Memory limit exceeded"),
    "OLE": _("Output limit exceeded"),
    "RE": _("Runtime error"),
    "CE": _("Compile error"),
    "IE": _("Internal error"),
}
STATUSES = {
    "queued": _("Queued"),
    "running": _("Running"),
    "done": _("Graded"),
    "error": _("Grader error"),
}


@register.filter
def verdict(value: str) -> str:
    return str(VERDICTS.get(value, value))


@register.filter
def submission_status(value: str) -> str:
    return str(STATUSES.get(value, value))


@register.filter
def figure(value: float | None) -> str:
    """A lab figure (0.99913, 1e-05, 14): six significant digits; "–" when it could not be computed."""
    return "–" if value is None else f"{value:.6g}"


@register.filter
def bound_sign(value: str) -> str:
    return "≥" if value == "min" else "≤"


@register.filter
def score(value: float | None) -> str:
    """2.5 → "2.5", 10.0 → "10"."""
    return "–" if value is None else f"{value:g}"
