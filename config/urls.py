from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from config.metrics import metrics_view

urlpatterns = [
    # Load balancers and docker-compose ask it whether this deployment is up (config/health.py).
    path("healthz", healthz, name="healthz"),
    # Prometheus scrapes it with a bearer token; 404 until METRICS_TOKEN is set (config/metrics.py).
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", include("frontend.accounts_urls")),
    path("", include("frontend.urls_public")),
    path("", include("frontend.urls")),
]
