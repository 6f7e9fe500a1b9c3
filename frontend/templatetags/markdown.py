"""`{{ text|markdown }}`: a learner's markdown note as HTML that is safe to show (tracker/markdown.py renders
and sanitises it; only then is the result marked safe)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from tracker.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

register = template.Library()

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "markdown_filter", "render_markdown"]


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 -- sanitised by nh3 in render_markdown
