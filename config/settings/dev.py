"""Local development: `make run`. SQLite, console e-mail, immediate tasks."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret-5d6c1f0e8b7a4c3e9f2a1b0c")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PAGE_CACHE_STATUS_HEADER = True
# E-mails printed as readable UTF-8 text, links clickable (Django's console shows base64 bodies).
MAILERS = {"default": {"BACKEND": "accounts.readable_console_mail.ReadableConsoleEmailBackend"}}
