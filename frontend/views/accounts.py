"""Sign-up, and the language switcher (which a signed-in learner's profile remembers)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from django.views.i18n import set_language as django_set_language

from frontend.forms import SignUpForm
from tracker.models import User
from tracker.services.users import study_profile_update, user_sign_up


class SignUpView(FormView[SignUpForm]):
    template_name = "registration/signup.html"
    form_class = SignUpForm
    success_url = reverse_lazy("frontend:home")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect("frontend:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        language = get_language() or settings.LANGUAGE_CODE
        user = user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            time_zone=form.cleaned_data["time_zone"],
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        )
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request, _("Welcome to Brainqueue! Enrol in a track and your plan for today appears here.")
        )
        return HttpResponseRedirect(self.get_success_url())


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie and redirect), and for a signed-in learner their profile too."""
    language = request.POST.get("language", "")
    if isinstance(request.user, User) and language in dict(settings.LANGUAGES):
        study_profile_update(user=request.user, language=language)
    return django_set_language(request)
