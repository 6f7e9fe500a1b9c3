"""Security headers that Django's own middleware does not send: Permissions-Policy, and the Reporting-Endpoints
that Content-Security-Policy's report-to names when DJANGO_CSP_REPORT_URI is set.

It also makes the request's CSP nonce right away. Django makes it lazily, the first time a template prints it,
and names it in the header only then; so `{% if csp_nonce %}` (Django's documented way for a template that may
run without CSP) would depend on what was rendered before it. Made here, every page's policy has one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` as `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in features.items())


class SecurityHeadersMiddleware:
    """Goes after django.middleware.csp.ContentSecurityPolicyMiddleware, which gives the request its nonce."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy(settings.PERMISSIONS_POLICY)
        report_uri = settings.CSP_REPORT_URI
        self.reporting_endpoints = f'csp="{report_uri}"' if report_uri else ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = get_nonce(request)
        if nonce is not None:
            str(nonce)
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self.reporting_endpoints:
            response.headers.setdefault("Reporting-Endpoints", self.reporting_endpoints)
        return response
