"""Closing an account: the learner's data goes with it, curated content stays."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tracker.models import User


class AccountDeletionError(Exception):
    """The account was not deleted; the message says why."""


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Deletes `user` and everything they own, after checking their password.

    Every model with a foreign key to the user cascades (their own tracks with their items, progress, plan,
    reviews, reading queue, deadlines, subscriptions, submissions, reminders, API tokens); curated tracks,
    skills, exercises and shared feeds stay. tests/tracker/services/test_data_export.py counts the rows.
    """
    if not user.check_password(password):
        raise AccountDeletionError(_("The password is not right; the account was not deleted."))
    user.delete()
