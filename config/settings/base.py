"""Settings shared by every environment.

Everything that differs between a laptop and a server comes from the environment through
django-environ; a value that does not parse fails loudly at start instead of being ignored.
"""

import datetime as dt
from pathlib import Path

import environ

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("BRAINQUEUE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# A `.env` file next to manage.py is optional; real environment variables win over it.
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # frontend first: its registration/ templates replace the admin's look for the learner-facing pages.
    "frontend",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "django_htmx",
    "tracker",
    "api",
]

MIDDLEWARE = [
    # First, so its request time includes every other middleware: latency and query counts (config/metrics.py).
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A request id (X-Request-ID, or a new one) on every log line of the request and on the response.
    "config.logs.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in learner's StudyProfile.language wins over the browser's (frontend/middleware.py).
    "frontend.middleware.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL switches to PostgreSQL.
# An empty DATABASE_URL counts as unset, so `DATABASE_URL= make ...` means "the embedded default".
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'brainqueue.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, the worker and beat share one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

AUTH_USER_MODEL = "tracker.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Email: the console by default, so a password-reset link shows up in the `make run` output.
# EMAIL_URL (smtp://user:pass@host:587/?tls=True) sends real mail.
_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Brainqueue <noreply@brainqueue.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. With REDIS_URL the broker is Redis; without it, kombu's filesystem transport under var/
# needs no server at all, which is what `make run` on a laptop uses.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task that acks late and whose worker died is delivered again after this many seconds. It must outlive
    # the longest task (grading: its hard limit) or a slow task runs twice; tests shorten it.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Blog feeds (tracker/feeds/, tracker/services/feeds.py). Fetch tasks go to their own queue so a slow
# site never delays e-mail or grading; `make run`'s worker consumes it.
FEEDS_QUEUE = env.str("FEEDS_QUEUE", default="feeds")
# Outgoing e-mail (reminders) has its own queue, so a slow SMTP server never delays other work.
EMAIL_QUEUE = env.str("EMAIL_QUEUE", default="email")
# Exercise grading (tracker/services/exercises.py) runs learners' code in the sandbox: its own queue.
GRADING_QUEUE = env.str("GRADING_QUEUE", default="grading")
# Reserved for exercises that need a GPU: no task is routed here by default. Only a worker on a machine with a
# GPU consumes it (`-Q gpu`, docs/deploy.md), so work sent here waits for one instead of failing elsewhere.
GPU_QUEUE = env.str("GPU_QUEUE", default="gpu")
# Every queue the application uses, so each kind of work can run on its own machines (docs/deploy.md).
# `make run`'s one worker consumes all of them but the gpu queue.
WORK_QUEUES = ("default", FEEDS_QUEUE, EMAIL_QUEUE, GRADING_QUEUE, GPU_QUEUE)
CELERY_TASK_ROUTES = {
    "tracker.tasks.feeds_fetch_batch": {"queue": FEEDS_QUEUE},
    "tracker.tasks.feeds_dispatch": {"queue": FEEDS_QUEUE},
    "tracker.tasks.reminders_send_batch": {"queue": EMAIL_QUEUE},
    "tracker.tasks.grade_submission": {"queue": GRADING_QUEUE},
}
FEEDS_USER_AGENT = env.str(
    "FEEDS_USER_AGENT", default="Brainqueue/1.0 feed reader (study tracker; polls about hourly, honours 304)"
)
FEEDS_CONNECT_TIMEOUT = env.float("FEEDS_CONNECT_TIMEOUT", default=10.0)
FEEDS_TOTAL_TIMEOUT = env.float("FEEDS_TOTAL_TIMEOUT", default=20.0)
FEEDS_MAX_BYTES = env.int("FEEDS_MAX_BYTES", default=15 * 1024 * 1024)
FEEDS_MAX_REDIRECTS = 5
# Hosts that may resolve to private or loopback addresses: for development and tests only. Empty in
# production, where every address of every host must be public (SSRF protection).
FEEDS_ALLOWED_PRIVATE_HOSTS: list[str] = env.list("FEEDS_ALLOWED_PRIVATE_HOSTS", default=[])
FEEDS_DEFAULT_INTERVAL = dt.timedelta(hours=1)
FEEDS_MIN_INTERVAL = dt.timedelta(minutes=15)
FEEDS_MAX_INTERVAL = dt.timedelta(days=1)
FEEDS_MAX_BACKOFF = dt.timedelta(days=7)
# A permanent redirect moves the stored URL after it was seen this many fetches in a row.
FEEDS_REDIRECT_MOVES_AFTER = 3
# One dispatcher run claims at most this many due feeds, enqueued as batch tasks of FEEDS_BATCH_SIZE;
# a batch fetches FEEDS_FETCH_CONCURRENCY feeds at a time. A claim is a lease that outlives a batch's hard
# time limit, so a feed whose worker died is fetched again after it.
FEEDS_DISPATCH_LIMIT = env.int("FEEDS_DISPATCH_LIMIT", default=2000)
FEEDS_BATCH_SIZE = env.int("FEEDS_BATCH_SIZE", default=50)
FEEDS_FETCH_CONCURRENCY = env.int("FEEDS_FETCH_CONCURRENCY", default=16)
FEEDS_CLAIM_LEASE = dt.timedelta(minutes=10)

# Reminders (tracker/services/reminders.py): the daily e-mail at each learner's hour, deadline reminders,
# one-click unsubscribe, and the ICS calendar feeds. Links in e-mails and feeds are absolute: SITE_URL.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# One dispatcher tick claims at most this many learners, sent in batches (one SMTP connection each).
REMINDERS_DISPATCH_LIMIT = env.int("REMINDERS_DISPATCH_LIMIT", default=20000)
REMINDERS_BATCH_SIZE = env.int("REMINDERS_BATCH_SIZE", default=100)
# A claim left unsent this long (a worker died) is claimed again by the next tick. It must outlive the send
# task's hard time limit (150 s), or a slow batch could be sent twice.
REMINDERS_CLAIM_STALE_AFTER = dt.timedelta(minutes=5)
# A reminder whose hour passed longer ago than this (the beat was down) is skipped, not sent late.
REMINDERS_MAX_LATENESS = dt.timedelta(hours=6)
REMINDERS_SMTP_TIMEOUT = env.float("REMINDERS_SMTP_TIMEOUT", default=30.0)
# What the daily e-mail lists: deadlines this close, new blog posts (at most this many).
REMINDERS_DEADLINE_WINDOW = dt.timedelta(days=7)
REMINDERS_NEW_POSTS_LIMIT = 5
# The one-click unsubscribe link in each e-mail expires after this; the Settings page works always.
REMINDERS_UNSUBSCRIBE_MAX_AGE = dt.timedelta(days=60)
# An address that unsubscribes whoever writes to it (List-Unsubscribe mailto:); empty: https only.
REMINDERS_UNSUBSCRIBE_MAILTO = env.str("REMINDERS_UNSUBSCRIBE_MAILTO", default="")
# The private calendar feed shows plan entries from this many days back.
REMINDERS_CALENDAR_PAST_DAYS = 30

# The REST API (api/, docs/api.md). Device tokens first: an unauthenticated call then gets 401 with
# `WWW-Authenticate: Token`; the browser's session works too, with its CSRF check.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        # Signing in: per client IP, whoever it claims to be.
        "auth": env.str("API_THROTTLE_AUTH", default="10/min"),
    },
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Throttle counters must be shared by every web worker: Redis when there is one. The default cache (built
# Todays, tracker/today_cache.py) is each process's own here; production uses Redis for it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "throttle"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}
# knox's own token table is swapped for api.ApiToken; its migrations would still create it, so none run.
MIGRATION_MODULES = {"knox": None}
KNOX_TOKEN_MODEL = "api.ApiToken"  # noqa: S105 (a model name, not a secret)
REST_KNOX = {
    # A phone stays signed in while it is used: 90 days after its last use, written at most once a day.
    "TOKEN_TTL": dt.timedelta(days=90),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 24 * 3600,
    "TOKEN_LIMIT_PER_USER": 20,
}
# A POST retried with the same Idempotency-Key within this time gets the first response back.
IDEMPOTENCY_KEY_TTL = dt.timedelta(hours=24)
SPECTACULAR_SETTINGS = {
    "TITLE": "Brainqueue API",
    "DESCRIPTION": "The REST API for Brainqueue's mobile clients. Walk-through: docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProgressStatusEnum": "tracker.models.learning.ProgressStatus",
        "EnrollmentStatusEnum": "tracker.models.learning.EnrollmentStatus",
        "ReadingStatusEnum": "tracker.models.reading.ReadingStatus",
        "PlanEntryStatusEnum": "tracker.models.planning.PlanEntryStatus",
        "TrackKindEnum": "tracker.models.curriculum.TrackKind",
        "ItemKindEnum": "tracker.models.curriculum.ItemKind",
        "DeadlineKindEnum": "tracker.models.deadlines.DeadlineKind",
        "PlanEntryKindEnum": "tracker.models.planning.PlanEntryKind",
        "FeedStatusEnum": "tracker.models.feeds.FeedStatus",
        "SubmissionStatusEnum": "tracker.models.exercises.SubmissionStatus",
        "SubmissionKindEnum": "tracker.models.exercises.SubmissionKind",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}

# Where the curated content lives; `manage.py seed` reads it.
FIXTURES_DIR = BASE_DIR / "fixtures"

# Exercises (grader/, tracker/services/exercises.py): the bundles seed loads and the worker grades against.
EXERCISES_DIR = Path(env.str("EXERCISES_DIR", default=str(FIXTURES_DIR / "exercises")))
# Local development only: grade without bubblewrap. The grader also demands this variable in its own
# environment, so the setting alone cannot turn the sandbox off.
GRADER_UNSANDBOXED = env.bool("BRAINQUEUE_GRADER_ALLOW_UNSANDBOXED", default=False)
# Per learner: at most this many runs and submissions a minute, and one being graded at a time.
GRADING_MAX_PER_MINUTE = env.int("GRADING_MAX_PER_MINUTE", default=6)

# Readable lines here; JSON lines (LOG_FORMAT=json, production's default) for a log collector (config/logs.py).
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), fmt=env.str("LOG_FORMAT", default="plain"))

# /healthz (config/health.py) reports the workers down when no heartbeat (beat sends one a minute) is this recent.
HEALTHZ_HEARTBEAT_MAX_AGE = dt.timedelta(minutes=env.int("HEALTHZ_HEARTBEAT_MAX_AGE_MINUTES", default=5))

# Metrics for Prometheus (config/metrics.py, docs/deploy.md "Metrics"). /metrics answers 404 until METRICS_TOKEN
# is set, then only to `Authorization: Bearer <token>`. A worker serves its own on METRICS_WORKER_PORT (0: none).
# Several processes (gunicorn, Celery's prefork pool) need PROMETHEUS_MULTIPROC_DIR, which prometheus-client reads.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_WORKER_PORT = env.int("METRICS_WORKER_PORT", default=0)
METRICS_WORKER_ADDR = env.str("METRICS_WORKER_ADDR", default="0.0.0.0")  # noqa: S104 (a worker's container port)
# Every e-mail passes through a backend that counts sent and failed messages, then hands them to EMAIL_URL's.
METRICS_EMAIL_INNER_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_BACKEND = "config.mail.CountingEmailBackend"

# Error reports to Sentry when SENTRY_DSN is set (config/sentry.py): no personal data, no request bodies.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
