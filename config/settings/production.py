"""Production: every secret, host and URL from the environment (see .env.example)."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from ops.logs import logging_config
from ops.sentry import init_sentry


def required_env(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


SECRET_KEY = required_env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in required_env("DJANGO_ALLOWED_HOSTS").split(",") if host.strip()]
WAGTAILADMIN_BASE_URL = required_env("WAGTAILADMIN_BASE_URL")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": required_env("REDIS_URL")},
    "renditions": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": required_env("REDIS_URL"),
        "KEY_PREFIX": "renditions",
    },
    # Per process: values that never change under their key (see cms.page_cache.remember).
    "worker": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "worker"},
}

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": required_env("EMAIL_HOST"),
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": os.environ.get("EMAIL_USE_TLS", "true").lower() == "true",
            "timeout": 20,
        },
    }
}

# HTTPS only, behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
# Certificate PDFs are made by a worker: `python manage.py run_worker --backend background`.
TASKS["background"] = {"BACKEND": "django_tasks_db.DatabaseBackend"}  # noqa: F405
# Signed-in pages read the session from Redis; the database keeps it through a Redis restart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
# Never say whether a page came from the cache: a hit tells a visitor what others read or searched.
PAGE_CACHE_STATUS_HEADER = False
# One JSON object per line on stdout, with the request id (ops/logs.py; gunicorn's config uses the
# same function). Errors go to Sentry when SENTRY_DSN is set, with personal data removed.
LOGGING = logging_config(json_lines=True)
init_sentry()
