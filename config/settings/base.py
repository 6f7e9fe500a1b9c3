"""Settings shared by every environment.

Everything that differs between a laptop and a server comes from the environment through
django-environ; a value that does not parse fails loudly at start instead of being ignored.
"""

import datetime as dt
from pathlib import Path

import django_stubs_ext
import environ
from django.utils.csp import CSP

from config.logs import logging_config

# Django's generic classes (ModelAdmin, ModelForm, FormView ...) accept type arguments, as django-stubs has them.
django_stubs_ext.monkeypatch()

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
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    # Accounts: sign-in with rate limits, verified e-mail, GitHub and Google, two-factor, the session list.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.mfa",
    "allauth.usersessions",
    "tracker",
    "api",
]

MIDDLEWARE = [
    # First, so its request time includes every other middleware: latency and query counts (config/metrics.py).
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (SECURE_CSP below) with a fresh nonce per request; then Permissions-Policy.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.headers.SecurityHeadersMiddleware",
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
    "allauth.account.middleware.AccountMiddleware",
    # Each web session's last use and address, for the list on Settings: written at most every 5 minutes.
    "frontend.session_activity.SessionActivityMiddleware",
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
                # {{ csp_nonce }}: the nonce an inline <script> needs under SECURE_CSP.
                "django.template.context_processors.csp",
            ],
        },
    },
    {
        # The reminder e-mails only (tracker/jinja_env.py says why): tracker/jinja2/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "emails",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "tracker.jinja_env.environment",
        },
    },
]

# Security headers on every response. Content-Security-Policy: scripts and styles come from this site's static
# files only (the templates have no inline code, no style="" attributes and no on* handlers); the one inline
# script left, Swagger UI's start-up at /api/docs/ (api/templates/api/swagger_ui.html), carries the request's
# nonce. No 'unsafe-inline', no 'unsafe-eval': htmx runs with allowEval off (base.html's htmx-config). The charts
# are inline SVG; img-src allows data: for the icons Swagger UI's stylesheet carries as data: URLs (an image
# cannot run code).
CSP_FORM_ACTION_ORIGINS: list[str] = env.list("DJANGO_CSP_FORM_ACTION", default=[])
CSP_REPORT_URI = env.str("DJANGO_CSP_REPORT_URI", default="")
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Browsers check form-action on the redirects that follow a form's POST too: a social sign-in form posts
    # here and is redirected to the provider, so each provider's origin must be listed
    # listed: the configured GitHub and Google are added below, with the providers; DJANGO_CSP_FORM_ACTION lists
    # any other origin a form may be sent to.
    "form-action": [CSP.SELF, *CSP_FORM_ACTION_ORIGINS],
}
if CSP_REPORT_URI:
    # report-uri for the browsers that still use it, report-to with a Reporting-Endpoints header
    # (config/headers.py) for the others.
    SECURE_CSP["report-uri"] = [CSP_REPORT_URI]
    SECURE_CSP["report-to"] = ["csp"]
# Django's SecurityMiddleware sends these; set here so they are visible and tested (tests/config/).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses, turned off for the site and anything it embeds (config/headers.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
        "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth). The adapters (frontend/accounts_adapter.py) keep the site's look and e-mails, key
# the failed sign-in limit on the account, and link a GitHub or Google sign-in to an account only through a
# verified address. The web form and the API's token sign-in (api/views/auth.py) count failures together.
ACCOUNT_ADAPTER = "frontend.accounts_adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "frontend.accounts_adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "frontend.forms.SignUpExtraForm"
ACCOUNT_UNIQUE_EMAIL = True
# A learner may sign in before verifying; no reminder or digest goes to an address until it is verified
# (tracker/services/reminders.py, tracker/services/feeds.py).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Brainqueue: "
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an address no account has sends nothing (and says the same as for a known one).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = None
# Counted in the default cache, which is Redis when REDIS_URL is set (CACHES below), so the counts are shared
# by every web worker and survive a restart. Failed sign-ins: per client address, and per account whatever
# name or address was typed (the adapter resolves it), on the web form and the API alike.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("ACCOUNT_RATE_LOGIN_FAILED", default="20/15m/ip,5/15m/key"),
    "login": env.str("ACCOUNT_RATE_LOGIN", default="30/m/ip"),
    "signup": env.str("ACCOUNT_RATE_SIGNUP", default="5/h/ip"),
    "reset_password": env.str("ACCOUNT_RATE_RESET_PASSWORD", default="10/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": env.str("ACCOUNT_RATE_CONFIRM_EMAIL", default="1/3m/key"),
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("API_NUM_PROXIES", default=0)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# GitHub and Google sign-in: on when both the client id and secret are set (docs/deploy.md), buttons hidden
# otherwise.
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {
    "github": {"SCOPE": ["read:user", "user:email"]},
    "google": {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"}},
}
_SOCIAL_APPS = {
    "github": (env.str("GITHUB_CLIENT_ID", default=""), env.str("GITHUB_CLIENT_SECRET", default="")),
    "google": (env.str("GOOGLE_CLIENT_ID", default=""), env.str("GOOGLE_CLIENT_SECRET", default="")),
}
for _provider, (_id, _secret) in _SOCIAL_APPS.items():
    if _id and _secret:
        SOCIALACCOUNT_PROVIDERS[_provider]["APPS"] = [{"client_id": _id, "secret": _secret}]
# A social sign-in form posts here and is redirected to the provider, and browsers check form-action on
# that redirect too: each configured provider's origin joins the CSP's form-action.
_PROVIDER_ORIGINS = {"github": "https://github.com", "google": "https://accounts.google.com"}
SECURE_CSP["form-action"] += [
    origin
    for provider, origin in _PROVIDER_ORIGINS.items()
    if "APPS" in SOCIALACCOUNT_PROVIDERS[provider] and origin not in SECURE_CSP["form-action"]
]
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Brainqueue"
MFA_RECOVERY_CODE_COUNT = 10
# allauth records a session at sign-in; frontend/session_activity.py keeps its last use current.
USERSESSIONS_TRACK_ACTIVITY = False

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
# The nightly re-plan (tracker/services/replanning.py): the default queue unless it is given workers of its
# own (then add it to the workers' --queues).
PLANNING_QUEUE = env.str("PLANNING_QUEUE", default="default")
# Exercises that need a GPU: CUDA exercises' grading when GRADING_GPU_QUEUE_ENABLED, nothing otherwise. Only a
# worker on a machine with a GPU consumes it (`-Q gpu`, docs/deploy.md), so work sent here waits for one.
GPU_QUEUE = env.str("GPU_QUEUE", default="gpu")
# Every queue the application uses, so each kind of work can run on its own machines (docs/deploy.md).
# `make run`'s one worker consumes all of them but the gpu queue.
WORK_QUEUES = ("default", FEEDS_QUEUE, EMAIL_QUEUE, GRADING_QUEUE, GPU_QUEUE)
CELERY_TASK_ROUTES = {
    "tracker.tasks.feeds_fetch_batch": {"queue": FEEDS_QUEUE},
    "tracker.tasks.feeds_dispatch": {"queue": FEEDS_QUEUE},
    "tracker.tasks.reminders_send_batch": {"queue": EMAIL_QUEUE},
    "tracker.tasks.grade_submission": {"queue": GRADING_QUEUE},
    "tracker.tasks.exercise_draft_validate": {"queue": GRADING_QUEUE},
    "tracker.tasks.replans_dispatch": {"queue": PLANNING_QUEUE},
    "tracker.tasks.replans_run_batch": {"queue": PLANNING_QUEUE},
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
# Links in account e-mails (verification, password reset) use the scheme of SITE_URL.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https:") else "http"
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

# The nightly re-plan (tracker/services/replanning.py) at each learner's local midnight. One tick claims at
# most this many learners, re-planned in batches of REPLAN_BATCH_SIZE (`make bench` times one re-plan).
# A claim is a lease that outlives a batch's hard time limit (270 s): a learner whose batch was lost is
# claimed again after it.
REPLAN_DISPATCH_LIMIT = env.int("REPLAN_DISPATCH_LIMIT", default=20000)
REPLAN_BATCH_SIZE = env.int("REPLAN_BATCH_SIZE", default=50)
REPLAN_CLAIM_LEASE = dt.timedelta(minutes=10)

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
# Throttle counters must be shared by every web worker and outlive a restart: Redis when there is one. The
# API's throttles count in `throttle`; the sign-in, sign-up and password-reset limits (django-allauth) in
# `default`, the same Redis, which also keeps built Todays (tracker/today_cache.py).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "cache"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
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
        "ProblemRatingEnum": "tracker.models.problems.ProblemRating",
        "CareerDirectionEnum": "tracker.models.questions.CareerDirection",
        "DifficultyEnum": "tracker.models.questions.QuestionDifficulty",
        "ReviewRatingEnum": ["again", "hard", "good", "easy"],
        "TimingStatusEnum": "tracker.models.timing.TimingStatus",
        "DeviceKindEnum": "tracker.models.timing.DeviceKind",
        "SubmissionReviewEnum": "tracker.models.exercises.SubmissionReview",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    # Swagger UI at /api/docs/ from drf-spectacular-sidecar's static files, never a CDN; and no validator
    # badge, which would load an image from swagger.io.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# Where the curated content lives; `manage.py seed` reads it.
FIXTURES_DIR = BASE_DIR / "fixtures"

# Exercises (grader/, tracker/services/exercises.py): the bundles seed loads and the worker grades against.
EXERCISES_DIR = Path(env.str("EXERCISES_DIR", default=str(FIXTURES_DIR / "exercises")))
# Bundles uploaded or edited in the admin are stored in the database (ExerciseVersion.archive); each machine
# unpacks a version here once, under its content hash, to grade against it or show its examples.
EXERCISE_BUNDLE_CACHE = Path(env.str("EXERCISE_BUNDLE_CACHE", default=str(VAR_DIR / "exercise-bundles")))
# The most an uploaded bundle (a zip) may weigh, in MiB; grader/intake.py holds the other limits.
EXERCISE_UPLOAD_MAX_MB = env.int("EXERCISE_UPLOAD_MAX_MB", default=32)
# Local development only: grade without bubblewrap. The grader also demands this variable in its own
# environment, so the setting alone cannot turn the sandbox off.
GRADER_UNSANDBOXED = env.bool("BRAINQUEUE_GRADER_ALLOW_UNSANDBOXED", default=False)
# CUDA exercises (`language = "cuda"`) are graded on the gpu queue, on a GPU, instead of numba's CUDA simulator
# on the grading queue. Turn on only once a worker consumes the gpu queue (docs/deploy.md, "The gpu queue").
GRADING_GPU_QUEUE_ENABLED = env.bool("GRADING_GPU_QUEUE_ENABLED", default=False)
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
