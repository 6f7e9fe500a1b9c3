from typing import Any, cast
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from frontend.labels import choices
from tracker.feeds.opml import MAX_OPML_BYTES
from tracker.models import CareerDirection, Enrollment, MockSession, ProblemAttempt, Question, Track, User
from tracker.plan_markdown import MAX_PLAN_BYTES
from tracker.practice.solved_csv import MAX_BYTES as MAX_SOLVED_CSV_BYTES
from tracker.services.accounts import account_profile_start

TIME_ZONE_CHOICES = [(name, name) for name in sorted(available_timezones())]


class SignUpExtraForm(forms.Form):
    """What sign-up asks beyond allauth's name, address and password (settings.ACCOUNT_SIGNUP_FORM_CLASS)."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text=_("Your days, streaks and reminders follow this zone."),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        language = get_language() or settings.LANGUAGE_CODE
        account_profile_start(
            user=user,
            time_zone=self.cleaned_data["time_zone"],
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        )


class PlanMarkdownUploadForm(forms.Form):
    """A markdown plan file to import; its size is checked before a byte of it is read."""

    file = forms.FileField(
        label=_("Plan file"),
        help_text=_("A markdown or text file (.md, .txt), UTF-8, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.txt,.markdown,text/markdown,text/plain"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PLAN_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s bytes, over the limit of %(limit)s bytes (2 MB) for one plan. "
                    "Split the plan into smaller files and import them one at a time."
                ),
                params={"size": upload.size, "limit": MAX_PLAN_BYTES},
            )
        data: bytes = upload.read()
        return data


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class EnrollmentForm(forms.ModelForm[Enrollment]):
    """Priority, pace and target of one enrolment (the service re-plans after saving)."""

    class Meta:
        model = Enrollment
        fields = ("priority", "pace_unit", "pace_per_day", "target_date")
        labels = {
            "priority": _("Priority (1 is the most important)"),
            "pace_unit": _("Pace in"),
            "pace_per_day": _("Pace a day"),
            "target_date": _("Target date"),
        }
        help_texts = {"target_date": _("Optional. The plan warns you when the track cannot finish by then.")}
        widgets = {"target_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pace_unit"]).choices = choices("pace")
        self.fields["pace_per_day"].widget.attrs.update(min=1, max=1440)
        self.fields["priority"].widget.attrs.update(min=1)


class PlanLimitsForm(forms.Form):
    parallel_limit = forms.IntegerField(
        label=_("Tracks at once"),
        min_value=1,
        max_value=20,
        help_text=_("How many tracks the plan runs in parallel, by priority."),
    )
    daily_minutes = forms.IntegerField(
        label=_("Minutes a day"), min_value=10, max_value=1440, help_text=_("Your daily study budget.")
    )


class ReadingLinkForm(forms.Form):
    url = forms.URLField(
        label=_("Link"), max_length=1000, assume_scheme="https", help_text=_("A blog post, a paper, a video.")
    )
    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Optional; the link is shown otherwise.")
    )


class DeadlineForm(forms.Form):
    title = forms.CharField(label=_("What is due"), max_length=300)
    due_date = forms.DateField(label=_("Date"), widget=DateInput())
    due_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=TimeInput(),
        help_text=_("Optional; without one it is the end of the day."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=Track.objects.none(), required=False, empty_label=_("(none)")
    )

    def __init__(self, *args: Any, tracks: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = choices("deadline")
        if tracks is not None:
            track = cast("forms.ModelChoiceField[Track]", self.fields["track"])
            track.queryset = tracks
            # Django's documented way to label one form's choices; mypy refuses assigning to a method.
            track.label_from_instance = lambda obj: obj.display_title()  # type: ignore[method-assign]


class ProfileForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, help_text=_("Your days, streaks and reminders follow it.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    parallel_limit = forms.IntegerField(
        label=_("Tracks at once"),
        min_value=1,
        max_value=20,
        help_text=_("The plan runs at most this many tracks in parallel."),
    )
    daily_minutes = forms.IntegerField(label=_("Minutes a day"), min_value=10, max_value=1440)
    rest_weekdays = forms.TypedMultipleChoiceField(
        label=_("Rest days"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No study is planned on these days, and they never break a streak."),
    )
    reminders_enabled = forms.BooleanField(label=_("Send me a daily reminder by email"), required=False)
    reminder_hour = forms.TypedChoiceField(
        label=_("Reminder hour"),
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        help_text=_("In your time zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rest_weekdays"]).choices = [(int(k), v) for k, v in choices("weekday")]

    def clean_rest_weekdays(self) -> list[int]:
        days: list[int] = sorted(set(self.cleaned_data["rest_weekdays"]))
        if len(days) == 7:
            raise forms.ValidationError(_("Leave at least one day of the week to study on."))
        return days


class VacationForm(forms.Form):
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    label = forms.CharField(label=_("Label"), max_length=120, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            raise forms.ValidationError(_("The vacation ends before it starts; swap the dates."))
        return data


class HandleForm(forms.Form):
    """The learner's leaderboard handle: published when set, anonymous ("a learner") when empty."""

    public_handle = forms.CharField(
        label=_("Leaderboard handle"),
        max_length=30,
        required=False,
        help_text=_("3 to 30 letters, digits, - or _. Leave it empty to appear on leaderboards only as “a learner”."),
    )


class TokenForm(forms.Form):
    device_name = forms.CharField(
        label=_("Device name"), max_length=100, help_text=_("E.g. “Pixel 8”, so you can tell its token apart later.")
    )


# --- Blog feeds -----------------------------------------------------------------------------------------

FEED_DAILY_CAP_MAX = 50  # as tracker.services.feeds.MAX_DAILY_CAP, which the service checks again


class FeedSubscribeForm(forms.Form):
    url = forms.CharField(
        label=_("Feed or site address"),
        max_length=1000,
        help_text=_("A blog’s feed (often …/feed or …/rss.xml) or just the blog’s address: its feed is found for you."),
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://oldpan.me/", "autocomplete": "url"}),
    )
    add_to_reading_queue = forms.BooleanField(
        label=_("Add new posts to my reading queue"), required=False, initial=True
    )


class FeedSubscriptionForm(forms.Form):
    """The inline switch and daily cap of one subscription."""

    add_to_reading_queue = forms.BooleanField(required=False)
    daily_cap = forms.IntegerField(min_value=1, max_value=FEED_DAILY_CAP_MAX)


class OpmlUploadForm(forms.Form):
    """An OPML file to import; its size is checked before a byte of it is read."""

    file = forms.FileField(
        label=_("OPML file"),
        help_text=_("The subscription list exported by another feed reader (.opml or .xml), up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".opml,.xml,text/x-opml,application/xml,text/xml"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OPML_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s bytes, over the limit of %(limit)s bytes (2 MB)."),
                params={"size": upload.size, "limit": MAX_OPML_BYTES},
            )
        data: bytes = upload.read()
        return data


class AccountDeleteForm(forms.Form):
    """Closing the account: the password confirms it is the learner, not someone at an unlocked screen."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Deleting your account removes everything on this page and in your plan. It cannot be undone."),
    )


class ProblemAttemptForm(forms.Form):
    """An attempt at a problem in one step. The rating defaults to the one the attempt proposes."""

    outcome = forms.ChoiceField(label=_("What happened"), choices=ProblemAttempt.Outcome.choices)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, required=False)
    hints = forms.IntegerField(label=_("Hints used"), min_value=0, max_value=20, required=False, initial=0)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput)
    language = forms.CharField(label=_("Language"), max_length=30, required=False)
    time_complexity = forms.CharField(label=_("Time complexity"), max_length=60, required=False)
    space_complexity = forms.CharField(label=_("Space complexity"), max_length=60, required=False)
    approach = forms.CharField(
        label=_("Approach (markdown)"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("As proposed")), *ProblemAttempt.Rating.choices],
        help_text=_(
            "Proposed from what you did: the outcome, minutes against the target and hints. Change it if you disagree."
        ),
    )


class ProblemNotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes (markdown)"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ProblemsCsvUploadForm(forms.Form):
    """A CSV of solved problems; its size is checked before a byte of it is read."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One solved problem per line: slug or exact title, date (YYYY-MM-DD), optional outcome. UTF-8, up to 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SOLVED_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s bytes, over the limit of %(limit)s bytes (1 MB); split it into smaller files."),
                params={"size": upload.size, "limit": MAX_SOLVED_CSV_BYTES},
            )
        data: bytes = upload.read()
        return data


class QuestionForm(forms.Form):
    """A learner's own concept question (private to them)."""

    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    answer = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_("Markdown: a few key points, one per line starting with “- ”."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Question.Topic.choices)
    difficulty = forms.ChoiceField(
        label=_("Difficulty"), choices=Question.Difficulty.choices, initial=Question.Difficulty.MEDIUM
    )
    directions = forms.MultipleChoiceField(
        label=_("Career directions"), choices=CareerDirection.choices, widget=forms.CheckboxSelectMultiple
    )
    source_url = forms.URLField(
        label=_("Source link"), required=False, max_length=500, assume_scheme="https", help_text=_("Optional.")
    )


class MockStartForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=MockSession.Format.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Question.Difficulty.choices, initial="medium")
    direction = forms.ChoiceField(label=_("Career direction"), choices=CareerDirection.choices)
