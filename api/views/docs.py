"""Swagger UI at /api/docs/, under the site's Content-Security-Policy."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class SwaggerView(SpectacularSwaggerView):
    """drf-spectacular's page with its start-up script marked with the CSP nonce and its inline style moved to a
    static file (api/templates/api/swagger_ui.html); Swagger UI itself comes from drf-spectacular-sidecar."""

    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
        # drf-spectacular relaxes this to unsafe-none for Swagger UI's OAuth2 pop-up. The API has no OAuth2
        # sign-in, so the site's Cross-Origin-Opener-Policy (same-origin) stands here too.
        del response.headers["Cross-Origin-Opener-Policy"]
        return response
