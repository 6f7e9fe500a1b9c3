from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from tracker.models import User
from tracker.plan_markdown import MAX_PLAN_BYTES

TIME_ZONE_CHOICES = [(name, name) for name in sorted(available_timezones())]


class SignUpForm(BaseUserCreationForm):
    email = forms.EmailField(
        label=_("Email"), help_text=_("Used for password resets and, if you want them, daily reminders.")
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text=_("Your days, streaks and reminders follow this zone."),
    )

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email exists already. Sign in, or reset its password."))
        return email


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
