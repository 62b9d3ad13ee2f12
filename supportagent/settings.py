"""Settings for supportagent: every key is read from the environment here, with a default.

With no variables set the product runs embedded: SQLite, an in-memory channel layer, Celery in-process and
the local LLM server on loopback. Production sets DATABASE_URL, REDIS_URL, OPENAI_BASE_URL and friends.
"""

from pathlib import Path

import dj_database_url

from supportagent.env import env_bool, env_decimal, env_float, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SUPPORTAGENT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
# A development key is fine only while DEBUG is on; production must bring its own.
SECRET_KEY = env_str("SECRET_KEY") or (
    "insecure-dev-key-for-local-use-only" if DEBUG else env_required("SECRET_KEY")
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "channels",
    "agent",
    "review",
    "widget",
    "evaluation",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "supportagent.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "supportagent.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "supportagent.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'supportagent.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# How many HTTP requests a web process lets into Django at once (each runs on a thread of its own); the rest
# wait up to WEB_QUEUE_SECONDS, then get a 503 to try again (supportagent.admission). 0: no limit.
WEB_MAX_CONCURRENT_REQUESTS = env_int("WEB_MAX_CONCURRENT_REQUESTS", 8)
WEB_QUEUE_SECONDS = env_float("WEB_QUEUE_SECONDS", 5.0)

# PostgreSQL under ASGI: each request runs on its own thread, so connections kept per thread
# (DATABASE_CONN_MAX_AGE) pile up past the server's limit under load; a pool per process bounds them.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": env_float("DATABASE_POOL_TIMEOUT", 10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # A file-backed test database, so that a second process (a live server, a worker) can read it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-supportagent.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Serve straight from the app folders until `collectstatic` has filled STATIC_ROOT.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
LOGIN_URL = "admin:login"

# Redis carries the Celery broker, the channel layer and the cache in production; without it all three
# run in-process.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
    CACHES = {
        "default": {
            "BACKEND": "supportagent.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"max_connections": 2000, "pool_class": "supportagent.cache.SharedConnectionPool"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How often each open websocket checks that Redis still holds its group (agent.consumers.RelayConsumer).
LIVE_CHECK_SECONDS = 5.0

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Eager tasks run on one background thread of the web process, so a request never waits for the LLM.
AGENT_EAGER_IN_THREAD = env_bool("AGENT_EAGER_IN_THREAD", True)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A redelivered task must find the draft the first delivery wrote (run_agent is idempotent per message).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("CELERY_BROKER_CONNECTION_TIMEOUT", 2.0)
# How long a task taken by a worker that then died stays invisible before Redis hands it out again.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
# Two queues: `pipeline` (guard, routing, retrieval, and every other task: CPU-bound, short) and `llm` (the
# draft and what follows it: mostly waiting on the model, so its workers run many threads). A worker started
# with no -Q takes only `pipeline`.
CELERY_TASK_DEFAULT_QUEUE = "pipeline"
CELERY_TASK_ROUTES = {"agent.tasks.finish_run_task": {"queue": "llm"}}
# How long a run holds its message (agent.leases) before another may take it: longer than a run waits in the
# LLM queue and takes there. The sweep re-queues a message with no draft whose lease is free and that is
# older than AGENT_REQUEUE_AFTER_SECONDS; it runs every AGENT_REQUEUE_EVERY_SECONDS.
AGENT_LEASE_SECONDS = env_int("AGENT_LEASE_SECONDS", 300)
AGENT_REQUEUE_AFTER_SECONDS = env_int("AGENT_REQUEUE_AFTER_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "requeue-waiting-messages": {
        "task": "agent.tasks.requeue_waiting_messages_task",
        "schedule": env_float("AGENT_REQUEUE_EVERY_SECONDS", 60.0),
    },
    "purge-expired-cache": {"task": "agent.tasks.purge_expired_cache_task", "schedule": 3600.0},
    "enforce-retention": {"task": "agent.tasks.enforce_retention_task", "schedule": 3600.0},
}
# Conversations untouched for this many days have their personal data erased (agent.privacy); 0 keeps them.
RETENTION_DAYS = env_int("RETENTION_DAYS", 365)

# The language model: any OpenAI-compatible endpoint. Without OPENAI_BASE_URL the agent talks to the local
# llama.cpp server that `manage.py serve_llm` starts on loopback.
LOCAL_LLM_HOST = "127.0.0.1"
LOCAL_LLM_PORT = env_int("LOCAL_LLM_PORT", 8765)
# llama.cpp threads for the local model. SmolLM2-135M is bound by the server's Python loop, not by the
# matrix work: on 2 cores one thread drafts as fast as two (0.73 s median) for a quarter less CPU, which the
# web, worker and database processes beside it want.
LOCAL_LLM_THREADS = env_int("LOCAL_LLM_THREADS", 1)
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL") or f"http://{LOCAL_LLM_HOST}:{LOCAL_LLM_PORT}/v1"
OPENAI_API_KEY = env_str("OPENAI_API_KEY") or "local-no-key"
LLM_SMALL_MODEL = env_str("LLM_SMALL_MODEL", "smollm2-135m-instruct")
LLM_LARGE_MODEL = env_str("LLM_LARGE_MODEL", LLM_SMALL_MODEL)
LLM_TIMEOUT_SECONDS = env_float("LLM_TIMEOUT_SECONDS", 30.0)
LLM_MAX_RETRIES = env_int("LLM_MAX_RETRIES", 2)
LLM_MAX_TOKENS = env_int("LLM_MAX_TOKENS", 160)
LLM_DEFAULT_TEMPERATURE = env_float("LLM_DEFAULT_TEMPERATURE", 0.2)
# A run that needs more steps or money than this is handed to a human.
AGENT_MAX_STEPS = env_int("AGENT_MAX_STEPS", 12)
AGENT_MAX_RUN_COST = env_decimal("AGENT_MAX_RUN_COST", "0.25")
# How long a worker keeps intent policies, prices, the calibration and the default agent version before
# reading them again (a change saved in the same process applies at once).
AGENT_CONFIG_TTL_SECONDS = env_float("AGENT_CONFIG_TTL_SECONDS", 5.0)

# The deploy gate: `manage.py evaluate` fails below this share of scenarios passing every run (pass^k).
EVALUATION_MIN_PASS_RATE = env_float("EVALUATION_MIN_PASS_RATE", 0.9)

# LLM-as-a-judge: any OpenAI-compatible endpoint and model (default: the agent's endpoint and large model).
JUDGE_BASE_URL = env_str("JUDGE_BASE_URL") or OPENAI_BASE_URL
JUDGE_API_KEY = env_str("JUDGE_API_KEY") or OPENAI_API_KEY
JUDGE_MODEL = env_str("JUDGE_MODEL", LLM_LARGE_MODEL)
JUDGE_TIMEOUT_SECONDS = env_float("JUDGE_TIMEOUT_SECONDS", 60.0)

# `import_kb` refuses files larger than this.
KB_IMPORT_MAX_BYTES = env_int("KB_IMPORT_MAX_BYTES", 2 * 1024 * 1024)

# Prometheus scrapes /metrics with this Bearer token (signed-in reviewers may read it too).
METRICS_TOKEN = env_str("METRICS_TOKEN")

# The embeddable chat widget: who may embed it, and the limits every message is held to.
WIDGET_ALLOWED_ORIGINS = [origin.rstrip("/") for origin in env_list("WIDGET_ALLOWED_ORIGINS", [])]
WIDGET_MAX_MESSAGE_CHARS = env_int("WIDGET_MAX_MESSAGE_CHARS", 2000)
WIDGET_MESSAGES_PER_MINUTE = env_int("WIDGET_MESSAGES_PER_MINUTE", 6)  # per conversation
WIDGET_MESSAGES_PER_MINUTE_PER_IP = env_int("WIDGET_MESSAGES_PER_MINUTE_PER_IP", 30)
WIDGET_CONVERSATIONS_PER_HOUR_PER_IP = env_int("WIDGET_CONVERSATIONS_PER_HOUR_PER_IP", 30)
WIDGET_TOKEN_MAX_AGE_SECONDS = env_int("WIDGET_TOKEN_MAX_AGE_SECONDS", 30 * 24 * 3600)
# Behind a reverse proxy that appends the caller's address to X-Forwarded-For, limit by that address.
WIDGET_TRUST_X_FORWARDED_FOR = env_bool("WIDGET_TRUST_X_FORWARDED_FOR", False)

# Knowledge-base search: the embedded backend, or Elasticsearch when ELASTICSEARCH_URL is set.
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "embedded")
ELASTICSEARCH_INDEX = env_str("ELASTICSEARCH_INDEX", "supportagent-knowledge")
# The embedded backend's dense encoder: "static" (fast, coarse) or "minilm" (the encoder extra; better on long
# knowledge bases, ~10 ms per question). SEARCH_ENCODER_THREADS bounds the CPU threads it may use.
SEARCH_ENCODER = env_str("SEARCH_ENCODER", "static")
SEARCH_ENCODER_THREADS = env_int("SEARCH_ENCODER_THREADS", 2)

# Ticketing: the built-in ticket table, or Zendesk (tickets API) when TICKETING_BACKEND=zendesk.
TICKETING_BACKEND = env_str("TICKETING_BACKEND", "builtin")
ZENDESK_URL = env_str("ZENDESK_URL")  # e.g. https://lumenbank.zendesk.com
ZENDESK_EMAIL = env_str("ZENDESK_EMAIL")
ZENDESK_API_TOKEN = env_str("ZENDESK_API_TOKEN")
EXTERNAL_TIMEOUT_SECONDS = env_float("EXTERNAL_TIMEOUT_SECONDS", 10.0)

# The routing models are trained from data shipped in agent/data and kept here.
ROUTER_MODEL_DIR = Path(env_str("ROUTER_MODEL_DIR", str(VAR_DIR / "models")))
# The prompt-injection model (agent/screening): trained there on first use, a few seconds.
SCREENING_MODEL_DIR = Path(env_str("SCREENING_MODEL_DIR", str(VAR_DIR / "screening-model")))

# Confidence at or above which a draft is sent without review, unless an intent's policy says otherwise.
DEFAULT_AUTO_SEND_THRESHOLD = env_float("DEFAULT_AUTO_SEND_THRESHOLD", 0.95)

# The response cache: answers already sent, found again by exact question or by a close paraphrase.
RESPONSE_CACHE_SIMILARITY = env_float("RESPONSE_CACHE_SIMILARITY", 0.92)
RESPONSE_CACHE_TTL_SECONDS = env_int("RESPONSE_CACHE_TTL_SECONDS", 7 * 24 * 60 * 60)

# The review queue: how long opening a draft holds it, when a waiting draft is late, and calibration.
REVIEW_CLAIM_SECONDS = env_int("REVIEW_CLAIM_SECONDS", 300)
REVIEW_SLA_MINUTES = env_int("REVIEW_SLA_MINUTES", 15)
CALIBRATION_MIN_SAMPLES = env_int("CALIBRATION_MIN_SAMPLES", 30)
CALIBRATION_TARGET_PRECISION = env_float("CALIBRATION_TARGET_PRECISION", 0.95)

# Every page: scripts and connections (XHR, websockets) only to this site, no inline script or eval; inline
# styles stay allowed (htmx's indicator styles, the widget's shadow-root styles); no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Only plain HTTP on loopback (make cluster, standing in for a load balancer that terminates TLS) sets
    # SECURE_COOKIES=false.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# OpenTelemetry: spans for runs, steps, LLM and tool calls go here when set (needs the `otel` extra).
OTEL_EXPORTER_OTLP_ENDPOINT = env_str("OTEL_EXPORTER_OTLP_ENDPOINT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per HTTP request to the LLM endpoint is noise; the trace records every call.
    "loggers": {"httpx2": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
