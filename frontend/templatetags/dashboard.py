"""Small template helpers of the dashboard."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from frontend.labels import label as label_of
from frontend.views.common import page_path as page_path_of

register = template.Library()


@register.filter
def label(value: object, group: str) -> str:
    """`{{ track.kind|label:"kind" }}`: a choice's name in the active language."""
    return label_of(group, value)


@register.filter
def other_title(obj: object) -> str:
    """The title the active language does not show first: English for Chinese readers, the original
    for everyone else; empty when both are the same."""
    title = getattr(obj, "title", "")
    english = getattr(obj, "title_en", "")
    if not english or english == title:
        return ""
    return english if (get_language() or "en").startswith("zh") else title


@register.filter
def lane_colour(index: int) -> str:
    return f"c{index}"


@register.filter
def shown_title(obj: object) -> str:
    """The title in the active language, for objects with `title` and `title_en` (deadlines)."""
    title = str(getattr(obj, "title", ""))
    english = str(getattr(obj, "title_en", "") or "")
    if (get_language() or "en").startswith("zh"):
        return title or english
    return english or title


@register.simple_tag(takes_context=True)
def page_path(context: template.Context) -> str:
    """The page's own path for a form's `next`, also inside an htmx fragment (frontend.views.common.page_path)."""
    return page_path_of(context["request"])
