"""Accounts under /accounts/: django-allauth's pages (sign-in, sign-up, e-mail verification, password reset and
change, GitHub and Google, two-factor, sessions) in the site's templates.

The short names the rest of the site has always used (login, logout, signup, password_reset) stay, as
aliases of allauth's (account_login ...), so templates and redirects may use either."""

from allauth.account import views as allauth_views
from django.urls import include, path
from django.views.generic import RedirectView

from frontend.views import accounts

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("signup/", allauth_views.signup, name="signup"),
    path("password/reset/", allauth_views.password_reset, name="password_reset"),
    # The addresses of the pages before allauth, kept for bookmarks and the browser's saved-password links.
    path("password_reset/", RedirectView.as_view(pattern_name="password_reset", permanent=True)),
    path("password_change/", RedirectView.as_view(pattern_name="account_change_password", permanent=True)),
    path("", include("allauth.urls")),
]
