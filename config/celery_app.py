"""The Celery application. Settings come from Django's settings under the CELERY_ prefix."""

import os
from pathlib import Path

from celery import Celery

# Task run times and outcomes from Celery's signals, and the worker's metrics endpoint.
import config.celery_metrics  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("brainqueue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

if app.conf.broker_url == "filesystem://":
    # kombu's filesystem transport expects its folders to exist.
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(app.conf.broker_transport_options[key]).mkdir(parents=True, exist_ok=True)
