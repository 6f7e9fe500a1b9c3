"""Pages of the web dashboard. A view reads through selectors, writes through services, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from frontend.forms import SignUpForm
from tracker import selectors
from tracker.models import Track, User
from tracker.services.enrollments import EnrollmentError, enrollment_create
from tracker.services.users import study_profile_ensure, user_sign_up
from tracker.timezones import local_today


class SignUpView(FormView):  # type: ignore[type-arg]
    template_name = "registration/signup.html"
    form_class = SignUpForm
    success_url = reverse_lazy("frontend:home")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("frontend:home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignUpForm) -> HttpResponse:
        user = user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            time_zone=form.cleaned_data["time_zone"],
        )
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Welcome to Brainqueue! Pick a track below to start."))
        return HttpResponseRedirect(self.get_success_url())


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    enrollments = list(selectors.enrollments_with_progress(user=user))
    for enrollment in enrollments:
        total = enrollment.total_items  # type: ignore[attr-defined]
        enrollment.percent = round(100 * enrollment.done_items / total) if total else 0  # type: ignore[attr-defined]
    catalogue = [t for t in selectors.catalogue_tracks(user=user) if not t.is_enrolled]  # type: ignore[attr-defined]
    return render(request, "frontend/home.html", {"enrollments": enrollments, "catalogue": catalogue})


@login_required
def track_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    track = get_object_or_404(selectors.track_visible_to(user=user), pk=pk)
    items = list(selectors.track_items_with_progress(track=track, user=user))
    enrollment = track.enrollments.filter(user=user).first()
    return render(request, "frontend/track.html", {"track": track, "items": items, "enrollment": enrollment})


@login_required
@require_POST
def track_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    track: Track = get_object_or_404(selectors.track_visible_to(user=user), pk=pk)
    profile = study_profile_ensure(user=user)
    try:
        enrollment_create(user=user, track=track, start_date=local_today(profile.time_zone, timezone.now()))
    except EnrollmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Enrolled in %(track)s.") % {"track": track.display_title()})
    return redirect("frontend:home")
