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


DEVICE_KINDS = {
    "cpu": _("CPU"),
    "cuda-simulator": _("CUDA simulator (correctness only)"),
    "gpu": _("GPU"),
}


@register.filter
def device(submission: object) -> str:
    """Where a submission ran: "CPU", "CUDA simulator (correctness only)", "GPU: NVIDIA H200"; "" if unknown."""
    kind = getattr(submission, "device_kind", "")
    if not kind:
        return ""
    label = str(DEVICE_KINDS.get(kind, kind))
    name = getattr(submission, "device_name", "")
    return f"{label}: {name}" if kind == "gpu" and name else label


@register.filter
def speedup(value: float | None) -> str:
    """5.4321 → "5.43×"; "–" when there is none."""
    return "–" if value is None else f"{value:.3g}×"


@register.filter
def share(value: float | None) -> str:
    """0.327 → "33%"."""
    return "–" if value is None else f"{value * 100:.0f}%"


@register.filter
def ms(value: float | None) -> str:
    """A time in milliseconds with four significant digits: 0.01234 → "0.01234 ms"."""
    return "–" if value is None else f"{value:.4g} ms"
