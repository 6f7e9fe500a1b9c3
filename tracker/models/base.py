from django.db import models


class TimeStampedModel(models.Model):
    """Adds creation and last-change times to every row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
