"""Sign up, sign in, sign out and password reset. Django's auth views, our templates."""

from django.urls import include, path

from frontend import views

urlpatterns = [
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("", include("django.contrib.auth.urls")),
]
