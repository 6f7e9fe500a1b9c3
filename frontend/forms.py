from zoneinfo import available_timezones

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from tracker.models import User

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
