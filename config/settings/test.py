"""Fast, deterministic settings for pytest (--ds=config.settings.test)."""

import tempfile

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105 - test settings only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "renditions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "renditions"},
    # Per process: values that never change under their key (see cms.page_cache.remember).
    "worker": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "worker"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="gbv-test-media-")
STORAGES["certificates"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="gbv-test-certificates-")  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# No persistent connections: the live server's thread would keep the test database busy at teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# No standby, even when DATABASE_REPLICA_URL is set: a mirror is a second connection, which would see
# none of the rows a test writes inside its transaction. Tests that read through a standby attach a
# mirror of the test database themselves (tests/ops/conftest.py: replica).
DATABASES.pop("replica", None)  # noqa: F405
# Tests read whether a page came from the anonymous page cache; production never says.
PAGE_CACHE_STATUS_HEADER = True
