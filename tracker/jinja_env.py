"""The Jinja2 environment of the reminder e-mails (tracker/jinja2/emails/).

The daily reminder goes to every learner each morning, ten thousand in a minute; Django's template engine
spent about half of the e-mail worker's CPU on it (2 ms an e-mail for its three parts), Jinja2, which
compiles a template to Python once, a fraction of that. The strings are translated by Django's catalogue
(`_()` is Django's gettext, with the new-style `%(name)s` placeholders that `blocktranslate` uses too, so
one msgid serves both engines) in the language `translation.override` sets, and `date` is Django's filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import dateformat, timezone, translation
from jinja2 import Environment, StrictUndefined, select_autoescape


def _date(value: dt.date | dt.datetime | None, format_string: str) -> str:
    """Django's `date` filter: an aware datetime in the current time zone (`timezone.override`)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, format_string)


# (language, message) -> translation. A catalogue does not change while the process runs, and Django's
# gettext goes through its thread-local machinery on every call: about thirty calls an e-mail.
_translated: dict[tuple[str | None, str], str] = {}


def _gettext(message: str) -> str:
    key = (translation.get_language(), message)
    found = _translated.get(key)
    if found is None:
        found = _translated[key] = translation.gettext(message)
    return found


def environment(**options: Any) -> Environment:
    # As Django's engine does: a partial's last newline ends its line where it is included.
    options["keep_trailing_newline"] = True
    # Missing context is a bug to see in tests, not an empty string in a learner's e-mail.
    options["undefined"] = StrictUndefined
    # HTML parts escape what they show; plain-text parts (.txt) are not HTML and must not.
    options.pop("autoescape", None)
    env = Environment(
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        **options,
    )
    env.install_gettext_callables(_gettext, translation.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _date
    env.globals["current_language"] = translation.get_language
    return env
