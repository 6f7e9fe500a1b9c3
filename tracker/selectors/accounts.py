"""Reads about accounts: whose e-mail address is verified, and the signed-in devices of a learner.

One definition of "may be e-mailed": the account's current address (User.email) is one it verified
(allauth's EmailAddress, verified). Every job that e-mails learners filters on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.db.models import Exists, OuterRef, QuerySet

from tracker.models import User


def verified_email_exists(user_field: str = "pk") -> Exists:
    """True for rows whose user (`user_field`, relative to the queried model, e.g. "user" or "user_id"; "pk"
    for users themselves) has verified their current address. A subquery, so it adds no query of its own."""
    email_field = "email" if user_field == "pk" else f"{user_field.removesuffix('_id')}__email"
    return Exists(
        EmailAddress.objects.filter(user_id=OuterRef(user_field), email__iexact=OuterRef(email_field), verified=True)
    )


def user_sessions_of(*, user: User) -> QuerySet[UserSession]:
    """The learner's web sessions, the most recently seen first."""
    sessions: QuerySet[UserSession] = UserSession.objects.filter(user=user).order_by("-last_seen_at", "-pk")
    return sessions


@dataclass(frozen=True)
class AccountSecurity:
    """The "Sign-in and security" part of Settings."""

    email: str
    email_verified: bool
    two_factor: bool
    social: list[SocialAccount]
    sessions: list[UserSession]
    current_session_key: str


def account_security(*, user: User, session_key: str) -> AccountSecurity:
    """Four queries: the learner's addresses, authenticators, GitHub/Google links and web sessions."""
    addresses = list(EmailAddress.objects.filter(user=user))
    verified = any(a.verified and a.email.lower() == user.email.lower() for a in addresses)
    kinds = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return AccountSecurity(
        email=user.email,
        email_verified=verified,
        two_factor=Authenticator.Type.TOTP in kinds,
        social=list(SocialAccount.objects.filter(user=user).order_by("provider", "pk")),
        sessions=list(user_sessions_of(user=user)),
        current_session_key=session_key,
    )
