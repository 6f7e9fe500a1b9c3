from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Study tracker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tracker import (
            signals,  # noqa: F401 -- an admin change raises the content version (Today's keys)
            tasks,  # noqa: F401 -- registers the tasks that services look up by name (tracker.jobs)
        )
