"""Settings, read from the environment.

The defaults make `make run` work on a laptop with nothing installed (SQLite, and a Celery broker
kept in a SQLite file); `make run` turns DEBUG on. DEBUG is off by default, which switches on
production hardening and requires SECRET_KEY; there is no second file.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

# Off unless asked for: `make run` and `make test` set DEBUG=true on their command lines, so a
# deployment that forgets the variable gets production hardening, not tracebacks for everyone.
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: export SECRET_KEY=<a long random string> "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=true for "
            "development on your own machine."
        )
    # Development only; sessions signed with it are worthless anywhere else.
    SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First, so its admin/base_site.html (the language switcher in the admin's header) is found
    # before the admin's own, which it extends.
    "frontend",
    "annotations.apps.FactcheckAdminConfig",  # django.contrib.admin, with moderators let in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from 'self'
    "axes",
    "csp",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the language comes from the cookie the switcher sets, else
    # from the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # A NUL in a page's query string is a 400 page (in the reader's language), before any view.
    "frontend.middleware.RefuseNulInQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
    # After authentication and CSRF; runs an API POST with an Idempotency-Key in one transaction.
    "annotations.api.idempotency.IdempotencyKeyMiddleware",
]

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "frontend.context_processors.organisation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# PostgreSQL in production and tests; SQLite in the project folder when DATABASE_URL is unset.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file: WAL lets readers run beside a writer,
    # IMMEDIATE takes the write lock up front instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Celery -------------------------------------------------------------------------------------
# Without CELERY_BROKER_URL the broker is kombu's SQLAlchemy transport on a SQLite file, so a real
# worker runs the jobs with no server installed. Job rows, not a result backend, hold progress.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=f"sqla+sqlite:///{BASE_DIR / 'celery-broker.sqlite3'}"
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A job is acknowledged only when it has finished, and re-delivered if its worker dies; the job
# runners are idempotent (they skip what is already committed), so re-delivery is safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis re-delivers an unacknowledged task after this many seconds: longer than any job.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # A worker sweeps for messages past that timeout every interval x throttle seconds.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    }
CELERY_TIMEZONE = "UTC"
# Named queues, so one kind of work never waits behind another: a worker (or several, on any
# machine) per queue group. "celery" (the default queue) carries the short housekeeping tasks:
# the stale-job sweep, the periodic export's start and the change notes' compaction.
CELERY_TASK_ROUTES = {
    "annotations.tasks.import_articles": {"queue": "imports"},
    # An import's chunks (annotations.importing.chunks): any imports worker, on any machine.
    "annotations.tasks.import_chunk": {"queue": "imports"},
    "annotations.tasks.export_claims": {"queue": "exports"},
    "annotations.tasks.index_articles": {"queue": "search"},
    "annotations.tasks.index_import": {"queue": "search"},
    # Model work (embeddings, check-worthiness) loads models once per worker process.
    "annotations.tasks.embed_*": {"queue": "models"},
    "annotations.tasks.score_sentences": {"queue": "models"},
    "annotations.tasks.train_checkworthiness": {"queue": "models"},
    # Re-fetching articles is network-bound fetching, as URL imports are.
    "annotations.tasks.refetch_article": {"queue": "imports"},
}
JOB_QUEUES = ["imports", "exports", "search", "models", "celery"]
# Heartbeats (annotations.heartbeat): a running job renews its row's heartbeat every
# JOB_HEARTBEAT_SECONDS and at every checkpoint; one silent for JOB_STALE_SECONDS lost its worker
# and is queued again by the sweep (every JOB_SWEEP_SECONDS, and when a worker starts).
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=10.0)
JOB_STALE_SECONDS = env.float("JOB_STALE_SECONDS", default=60.0)
JOB_SWEEP_SECONDS = env.float("JOB_SWEEP_SECONDS", default=15.0)

# --- Claim memory ---------------------------------------------------------------------------------
# `auto`: the multilingual E5 model when its package loads (weights checksum-checked), else the
# lexical fallback; `e5` fails instead of falling back; `lexical` never loads the model.
CLAIM_MATCHING_MODEL = env.str("CLAIM_MATCHING_MODEL", default="auto")

# --- Auth, API ----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling; must come first
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "frontend:login"  # the reviewer UI's login page
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_TEMPLATE = "frontend/lockout.html"  # the styled page, still HTTP 429

# How many reverse proxies of ours stand in front of the app, each appending to X-Forwarded-For.
# 0 (the default): the client's address is REMOTE_ADDR and the header is ignored, since a client
# can write anything in it. Lockouts (axes), DRF and the throttles all read the address from
# annotations.throttling.client_address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "annotations.throttling.client_address"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "annotations.api.authentication.TokenAuthentication",  # DRF's, roles in its query
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, the JSON one refusing a body nested too deeply with a 400 (not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "annotations.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # annotations/throttling.py: what each rate counts (README, "Throttles and proxies").
    "DEFAULT_THROTTLE_CLASSES": [
        "annotations.throttling.AnonThrottle",
        "annotations.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/minute"),
        "user": env.str("THROTTLE_USER", default="2000/minute"),
        "login": env.str("THROTTLE_LOGIN", default="10/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "annotations.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-check annotation API",
    "DESCRIPTION": (
        "Import articles, mark claims, cite sources, give verdicts, export verified claims."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the pinned drf-spectacular-sidecar package: the CSP allows no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "annotations.models.Article.Status",
        "ClaimStatusEnum": "annotations.models.Claim.Status",
        "VerdictStatusEnum": "annotations.models.Verdict.Status",
        "FlagStatusEnum": "annotations.models.Flag.Status",
        "JobStatusEnum": "annotations.models.Job.Status",
    },
    # The Idempotency-Key header is served by a middleware, so no view declares it: the hook does.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "annotations.api.idempotency.document_header",
    ],
}

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# In development whitenoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# English and Spanish. The catalogues live in locale/ (django.po for templates and Python,
# djangojs.po for the ES modules through JavaScriptCatalog); the compiled .mo files are committed,
# so a machine without GNU gettext still shows Spanish.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60  # the switcher's choice outlives the session
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
# Dates and numbers in the reader's language ("1.234" and "0,87" in Spanish). A number written
# into an HTML attribute, a URL or JSON is unlocalised in the template (`|unlocalize`).
FORMAT_MODULE_PATH = ["factcheck.formats"]
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Content-Security-Policy (django-csp 4) -----------------------------------------------------
# Strict: no inline scripts or styles anywhere; every script is a module served from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- Production hardening, switched on by DEBUG=False -------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the UI's modules read it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed over plain HTTP inside the network
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- The product's own settings -----------------------------------------------------------------
# The organisation that publishes the fact checks: ClaimReview's `author`.
FACTCHECK_ORGANIZATION = {
    "name": env.str("FACTCHECK_ORG_NAME", default="Demo Fact Check Desk"),
    "url": env.str("FACTCHECK_ORG_URL", default="https://factcheck.example.org/"),
}
# Absolute base of public links (ClaimReview `url`, export permalinks).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000")
# How the public feed, exports and claim pages name the reviewer and the approving editor:
# "name" (full name, else username), "username", or "none" (not shown).
PUBLIC_SHOW_PEOPLE = env.str("PUBLIC_SHOW_PEOPLE", default="name")
# Claims fetched per round trip when an export streams from the database.
EXPORT_CHUNK_SIZE = env.int("EXPORT_CHUNK_SIZE", default=2000)
# The periodic export: a file of every published claim in each of these formats (e.g.
# "jsonl,claimreview"), on a cron schedule (minute hour day-of-month month day-of-week, UTC), run
# by Celery beat; the newest EXPORT_SCHEDULE_KEEP of each format are kept. Empty: no schedule.
EXPORT_SCHEDULE_FORMATS = env.list("EXPORT_SCHEDULE_FORMATS", default=[])
EXPORT_SCHEDULE_CRON = env.str("EXPORT_SCHEDULE_CRON", default="0 3 * * *")
EXPORT_SCHEDULE_KEEP = env.int("EXPORT_SCHEDULE_KEEP", default=7)
try:
    _minute, _hour, _day_of_month, _month, _day_of_week = EXPORT_SCHEDULE_CRON.split()
    _export_schedule = crontab(
        minute=_minute,
        hour=_hour,
        day_of_month=_day_of_month,
        month_of_year=_month,
        day_of_week=_day_of_week,
    )
except ValueError as exc:
    raise ImproperlyConfigured(
        f"EXPORT_SCHEDULE_CRON={EXPORT_SCHEDULE_CRON!r} is not a five-field cron schedule "
        f"(minute hour day-of-month month day-of-week): {exc}"
    ) from exc
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-jobs": {
        "task": "annotations.tasks.sweep_stale_jobs",
        "schedule": JOB_SWEEP_SECONDS,
        "kwargs": {"lookahead": JOB_SWEEP_SECONDS},
        # A sweep nobody ran in time is replaced by the next one, not piled up.
        "options": {"expires": JOB_SWEEP_SECONDS},
    }
} | {
    f"export-{fmt}": {
        "task": "annotations.tasks.scheduled_export",
        "schedule": _export_schedule,
        "args": [fmt],
    }
    for fmt in EXPORT_SCHEDULE_FORMATS
}

# Check-worthiness learned from the desk (annotations.learning): trained nightly by beat at
# CHECKWORTHINESS_TRAIN_HOUR (UTC; CHECKWORTHINESS_TRAIN_ENABLED=false: never), only once this
# many articles are marked reviewed.
CHECKWORTHINESS_MIN_ARTICLES = env.int("CHECKWORTHINESS_MIN_ARTICLES", default=30)
CHECKWORTHINESS_TRAIN_HOUR = env.int("CHECKWORTHINESS_TRAIN_HOUR", default=2)
if env.bool("CHECKWORTHINESS_TRAIN_ENABLED", default=True):
    CELERY_BEAT_SCHEDULE["train-checkworthiness"] = {
        "task": "annotations.tasks.train_checkworthiness",
        "schedule": crontab(minute=30, hour=CHECKWORTHINESS_TRAIN_HOUR),
        "args": [],
    }

# Living articles (annotations.refetch): every REFETCH_SWEEP_MINUTES beat queues a re-fetch of
# the articles whose check is due; an article's wait starts at REFETCH_INTERVAL_MINUTES and
# doubles with each check that finds nothing new, up to REFETCH_MAX_INTERVAL_HOURS.
REFETCH_ENABLED = env.bool("REFETCH_ENABLED", default=True)
REFETCH_SWEEP_MINUTES = env.int("REFETCH_SWEEP_MINUTES", default=10)
REFETCH_INTERVAL_MINUTES = env.int("REFETCH_INTERVAL_MINUTES", default=60)
REFETCH_MAX_INTERVAL_HOURS = env.int("REFETCH_MAX_INTERVAL_HOURS", default=7 * 24)
REFETCH_BATCH = env.int("REFETCH_BATCH", default=200)
if not 1 <= REFETCH_SWEEP_MINUTES <= 59:
    raise ImproperlyConfigured(
        f"REFETCH_SWEEP_MINUTES={REFETCH_SWEEP_MINUTES} must be from 1 to 59 (minutes)."
    )
if REFETCH_ENABLED:
    CELERY_BEAT_SCHEDULE["refetch-articles"] = {
        "task": "annotations.tasks.refetch_due_articles",
        "schedule": crontab(minute=f"*/{REFETCH_SWEEP_MINUTES}"),
        "args": [],
    }

# The reviewer's page's change notes (annotations.article_changes): folded nightly by beat at
# ARTICLE_CHANGES_COMPACT_HOUR:45 UTC (ARTICLE_CHANGES_COMPACT_ENABLED=false: never), on the
# housekeeping queue; a fold changes no page's version, so any hour is safe.
ARTICLE_CHANGES_COMPACT_HOUR = env.int("ARTICLE_CHANGES_COMPACT_HOUR", default=4)
if not 0 <= ARTICLE_CHANGES_COMPACT_HOUR <= 23:
    raise ImproperlyConfigured(
        f"ARTICLE_CHANGES_COMPACT_HOUR={ARTICLE_CHANGES_COMPACT_HOUR} must be from 0 to 23 (UTC)."
    )
if env.bool("ARTICLE_CHANGES_COMPACT_ENABLED", default=True):
    CELERY_BEAT_SCHEDULE["compact-article-changes"] = {
        "task": "annotations.tasks.compact_article_changes",
        "schedule": crontab(minute=45, hour=ARTICLE_CHANGES_COMPACT_HOUR),
        "args": [],
    }

VERDICT_MIN_EXPLANATION_LENGTH = env.int("VERDICT_MIN_EXPLANATION_LENGTH", default=20)

IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=512 * 1024 * 1024)
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=200)
# An import of more records than this is cut into chunks of this many, each a task that any
# imports worker runs (annotations.importing.chunks); one this size or smaller runs in one piece.
IMPORT_CHUNK_SIZE = env.int("IMPORT_CHUNK_SIZE", default=1000)
# Split sentences in a process of its own from an import's second batch on (annotations.importing.
# splitting); off, a thread of the worker does it, slower.
IMPORT_SPLIT_IN_PROCESS = env.bool("IMPORT_SPLIT_IN_PROCESS", default=True)
IMPORT_MAX_RECORD_BYTES = env.int("IMPORT_MAX_RECORD_BYTES", default=5 * 1024 * 1024)
IMPORT_ZIP_MAX_ENTRIES = env.int("IMPORT_ZIP_MAX_ENTRIES", default=10_000)
IMPORT_ZIP_MAX_BYTES = env.int("IMPORT_ZIP_MAX_BYTES", default=2 * 1024 * 1024 * 1024)
# An entry unpacking to more than this many times its packed size is refused (measured).
IMPORT_ZIP_MAX_RATIO = env.int("IMPORT_ZIP_MAX_RATIO", default=100)
IMPORT_FETCH_TIMEOUT = env.float("IMPORT_FETCH_TIMEOUT", default=15.0)
IMPORT_FETCH_MAX_BYTES = env.int("IMPORT_FETCH_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_FETCH_MAX_REDIRECTS = env.int("IMPORT_FETCH_MAX_REDIRECTS", default=5)
IMPORT_FETCH_USER_AGENT = env.str(
    "IMPORT_FETCH_USER_AGENT",
    default="FactcheckAnnotator/1.0 (+https://factcheck.example.org/bot)",
)
# Tests serve pages on loopback; production never lets an import reach a private address.
IMPORT_FETCH_ALLOW_PRIVATE = env.bool("IMPORT_FETCH_ALLOW_PRIVATE", default=False)
# Internal networks an import may still fetch from (e.g. the newsroom's own CMS), as CIDRs.
IMPORT_FETCH_ALLOWED_NETWORKS = env.list("IMPORT_FETCH_ALLOWED_NETWORKS", default=[])
IMPORT_MAX_URLS = env.int("IMPORT_MAX_URLS", default=10_000)
# Job budgets. An import stops as `failed` at IMPORT_MAX_ERRORS errors (one bad upload cannot
# record errors for an hour), keeping what it imported; each is listed up to that number. A job
# running longer than IMPORT_MAX_SECONDS / EXPORT_MAX_SECONDS (since it first started) stops.
IMPORT_MAX_ERRORS = env.int("IMPORT_MAX_ERRORS", default=1000)
IMPORT_MAX_SECONDS = env.float("IMPORT_MAX_SECONDS", default=6 * 3600)
EXPORT_MAX_SECONDS = env.float("EXPORT_MAX_SECONDS", default=3600)
