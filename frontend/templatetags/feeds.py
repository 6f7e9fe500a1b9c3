"""Template helpers of the Feeds page."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def web_url(value: object) -> str:
    """The address when it is http(s), else "": a site address from someone's OPML file is not checked
    when it is stored, and a `javascript:` link must never become an href."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""
