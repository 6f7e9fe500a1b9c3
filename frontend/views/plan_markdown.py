"""The markdown plan page: upload a plan to import it, download the learner's plan as markdown."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from frontend.forms import PlanMarkdownUploadForm
from frontend.views.common import learner
from tracker.plan_markdown import PlanImportError
from tracker.services.plan_export import plan_markdown_export
from tracker.services.plan_import import plan_import_today, plan_markdown_import

EXPORT_FILENAME = "brainqueue-plan.md"


@login_required
@require_http_methods(["GET", "POST"])
def plan_markdown(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    context: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        form = PlanMarkdownUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                context["report"] = plan_markdown_import(
                    user=user, data=form.cleaned_data["file"], today=plan_import_today(user=user, now=timezone.now())
                )
            except PlanImportError as exc:
                context["error"] = exc
                status = 400
            else:
                form = PlanMarkdownUploadForm()
        else:
            status = 400
    else:
        form = PlanMarkdownUploadForm()
    context["form"] = form
    return render(request, "frontend/plan_markdown.html", context, status=status)


@login_required
@require_GET
def plan_markdown_download(request: HttpRequest) -> HttpResponse:
    user = learner(request)
    response = HttpResponse(plan_markdown_export(user=user), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return response
