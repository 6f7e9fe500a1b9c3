"""The test suite: fast hashing, mail in memory, tasks run through a real worker only where a test says so."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-key-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use their own Redis key prefix (a queue name prefix), so they never eat a developer's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("TEST_CELERY_QUEUE", default="test-default")
# Sign-in and sign-up limits count in the default cache: a per-process one in tests (conftest.py empties it
# before each test), never the Redis a services test may point REDIS_URL at.
CACHES = {**CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}  # noqa: F405
