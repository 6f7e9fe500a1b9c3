"""A learner's or developer's own machine: `make run`."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Only for this machine: a fixed key would be a hole on a server, so production has no default.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-key-not-for-servers")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
