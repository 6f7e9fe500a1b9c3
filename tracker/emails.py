"""The e-mails the domain sends, one function per e-mail. Each builds the message (subject, plain text and
HTML from templates under tracker/templates/emails/, in the learner's language and time zone) and
returns it; the caller sends it on its connection. None of them queries the database: what they show
is loaded beforehand for a whole batch (tracker/selectors/reminders.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tracker.links import site_host, unsubscribe_url
from tracker.mime import LeanEmail
from tracker.models import Deadline, ReminderDelivery, StudyProfile, User
from tracker.selectors.reminders import ReminderDigest

# How many reviews and overdue items the daily e-mail lists by name; the rest are counted.
LISTED = 10
# The reminder e-mails' templates (tracker/jinja2/emails/): Jinja2, for speed (tracker/jinja_env.py).
REMINDERS_ENGINE = "emails"


@dataclass
class DeadlineLine:
    title: str
    due: dt.datetime  # in the learner's zone
    days_left: int
    url: str


def deadline_title(deadline: Deadline, language: str) -> str:
    if language.startswith("zh"):
        return deadline.title
    return deadline.title_en or deadline.title


def _deadline_lines(rows: list[ReminderDelivery], profile: StudyProfile) -> list[DeadlineLine]:
    zone = ZoneInfo(profile.time_zone)
    lines = []
    for row in rows:
        if row.deadline is None:
            continue
        due = row.deadline.due_at.astimezone(zone)
        lines.append(
            DeadlineLine(
                title=deadline_title(row.deadline, profile.language),
                due=due,
                days_left=(due.date() - row.local_date).days,
                url=row.deadline.url,
            )
        )
    return sorted(lines, key=lambda line: line.due)


def _list_headers(user: User) -> dict[str, str]:
    """Message-ID (stored with the delivery) and RFC 8058 one-click unsubscribe."""
    host = site_host()
    targets = [f"<{unsubscribe_url(user=user)}>"]
    if settings.REMINDERS_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.REMINDERS_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {
        # Short enough not to be folded onto a second header line: <32 hex digits@host>.
        "Message-ID": f"<{uuid.uuid4().hex}@{host}>",
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"Brainqueue reminders <reminders.{host}>",
    }


def _message(user: User, profile: StudyProfile, template: str, context: dict[str, Any]) -> EmailMultiAlternatives:
    headers = _list_headers(user)
    context = {
        **context,
        "user": user,
        "profile": profile,
        "site_url": settings.SITE_URL,
        "today_url": settings.SITE_URL + reverse("frontend:home"),
        "settings_url": settings.SITE_URL + reverse("frontend:settings"),
        "unsubscribe_url": headers["List-Unsubscribe"].split(">", 1)[0].lstrip("<"),
    }
    with translation.override(profile.language), timezone.override(ZoneInfo(profile.time_zone)):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context, using=REMINDERS_ENGINE).split())
        text = render_to_string(f"emails/{template}.txt", context, using=REMINDERS_ENGINE)
        html = render_to_string(f"emails/{template}.html", context, using=REMINDERS_ENGINE)
    message = LeanEmail(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def daily_reminder_email(*, digest: ReminderDigest, deadline_rows: list[ReminderDelivery]) -> EmailMultiAlternatives:
    """The daily reminder: today's items by track, reviews due, practice due (problem re-solves), overdue
    items, today's reading and new blog posts, deadlines within a week (with the deadline reminders due today
    first), the streak."""
    profile = digest.profile
    zone = ZoneInfo(profile.time_zone)
    reminded = {row.deadline_id for row in deadline_rows}
    upcoming = [
        DeadlineLine(
            title=deadline_title(d, profile.language),
            due=d.due_at.astimezone(zone),
            days_left=(d.due_at.astimezone(zone).date() - digest.date).days,
            url=d.url,
        )
        for d in digest.deadlines
        if d.pk not in reminded
    ]
    context = {
        "digest": digest,
        "date": digest.date,
        "items_count": sum(len(day.entries) for day in digest.tracks),
        "reviews": digest.reviews_due[:LISTED],
        "reviews_more": max(len(digest.reviews_due) - LISTED, 0),
        "overdue": digest.overdue[:LISTED],
        "overdue_more": max(len(digest.overdue) - LISTED, 0),
        "practice": digest.practice[:LISTED],
        "practice_more": max(len(digest.practice) - LISTED, 0),
        "practice_minutes": sum(item.minutes for item in digest.practice),
        "deadline_reminders": _deadline_lines(deadline_rows, profile),
        "deadlines": upcoming,
    }
    return _message(digest.user, profile, "daily_reminder", context)


def deadline_reminder_email(
    *, user: User, profile: StudyProfile, deadline_rows: list[ReminderDelivery]
) -> EmailMultiAlternatives:
    """Deadline reminders on a day without a daily e-mail (a rest day, a vacation, already sent)."""
    context = {"deadline_reminders": _deadline_lines(deadline_rows, profile), "date": deadline_rows[0].local_date}
    return _message(user, profile, "deadline_reminder", context)


def sign_in_notice_email(*, user: User, user_agent: str, ip: str, when: dt.datetime) -> EmailMultiAlternatives:
    """ "Your account was signed in to from a new browser", in the learner's language and time zone. Reads the
    learner's study profile (a query when it is not loaded)."""
    profile = getattr(user, "study_profile", None) or StudyProfile(user=user)
    settings_url = settings.SITE_URL + reverse("frontend:settings")
    context = {
        "user": user,
        "user_agent": user_agent[:200],
        "ip": ip,
        "when": when,
        "settings_url": settings_url,
        "button_url": settings_url,
    }
    with translation.override(profile.language), timezone.override(ZoneInfo(profile.time_zone)):
        context["button_label"] = translation.gettext("Open Settings")
        subject = " ".join(render_to_string("emails/sign_in_notice_subject.txt", context).split())
        text = render_to_string("emails/sign_in_notice.txt", context)
        html = render_to_string("emails/sign_in_notice.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": f"<{uuid.uuid4().hex}@{site_host()}>"},
    )
    message.attach_alternative(html, "text/html")
    return message
