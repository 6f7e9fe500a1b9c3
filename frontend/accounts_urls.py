"""Sign up, sign in, sign out and password reset. Django's auth views, our templates."""

from django.urls import include, path

from frontend.views import accounts

urlpatterns = [
    path("signup/", accounts.SignUpView.as_view(), name="signup"),
    path("", include("django.contrib.auth.urls")),
]
