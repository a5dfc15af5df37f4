"""Settings, security headers, static files and the set-up scripts."""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "gbv.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://gbv.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_HOST": "smtp.example.org",
    "WAGTAILADMIN_BASE_URL": "https://gbv.example.org",
    "DATABASE_URL": f"sqlite:///{ROOT / 'db.sqlite3'}",
}


def manage(*args, env=None, settings_module="config.settings.production"):
    clean_env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    clean_env.pop("DJANGO_SETTINGS_MODULE", None)
    clean_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "manage.py", *args, f"--settings={settings_module}"],
        cwd=ROOT,
        env={**clean_env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_prints_no_warning():
    result = manage("check", "--deploy", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_every_setting_module_leaves_debug_off_but_dev():
    from config.settings import base

    assert base.DEBUG is False
    assert not hasattr(base, "SECRET_KEY")
    assert (ROOT / ".env.example").read_text().count("=") >= 8


def test_env_example_lists_every_variable_production_reads():
    listed = {line.split("=")[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    for name in PRODUCTION_ENV:
        assert name in listed


# /healthz and /livez: tests/ops/test_health.py.


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [
        ("redis://127.0.0.1:6379/1", "ops.cache.ResilientRedisCache ops.cache.ResilientRedisCache 600"),
        # No Redis: each process its own cache, and no page cache (another process may unpublish).
        ("", "django.core.cache.backends.locmem.LocMemCache django.core.cache.backends.locmem.LocMemCache 0"),
    ],
)
def test_production_keeps_sessions_in_the_database_and_redis_optional(redis_url, expected):
    code = (
        "from django.conf import settings as s; print(s.SESSION_ENGINE);"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['renditions']['BACKEND'], s.PAGE_CACHE_SECONDS)"
    )
    result = manage("shell", "-c", code, env={**PRODUCTION_ENV, "REDIS_URL": redis_url, "PAGE_CACHE_SECONDS": "600"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-2:] == ["django.contrib.sessions.backends.db", expected]


@pytest.mark.django_db
def test_security_headers_and_a_self_only_content_security_policy(client, home_page):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self'")
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert all("http" not in value for value in directives.values())
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_anonymous_visitors_get_no_cookie(client, home_page):
    response = client.get("/")

    assert response.cookies == {}


def test_whitenoise_serves_compressed_hashed_static_files(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)}
    result = manage("collectstatic", "--no-input", "-v", "0", env=env)
    assert result.returncode == 0, result.stderr

    hashed = [path.name for path in tmp_path.glob("css/site.*.css")]
    assert hashed, "site.css was not stored under a hashed name"
    assert (tmp_path / "css" / f"{hashed[0]}.gz").exists()
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_find_python_picks_3_12_or_newer():
    result = subprocess.run([ROOT / "bin" / "find-python"], capture_output=True, text=True, check=True)
    python = result.stdout.strip()

    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info >= (3, 12))"], capture_output=True, text=True
    )
    assert version.stdout.strip() == "True"


def test_find_python_says_what_to_install_when_there_is_none(tmp_path):
    # A machine with the shell's tools but no Python at all.
    for tool in ("ls", "sort"):
        (tmp_path / tool).symlink_to(shutil.which(tool))
    result = subprocess.run(
        ["/bin/sh", ROOT / "bin" / "find-python"],
        capture_output=True,
        text=True,
        env={"PATH": str(tmp_path), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path)},
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "No Python 3.12 or newer found: install python3.12 (e.g. 'pyenv install 3.12') and run make again."
    ]


def pinned_packages(name):
    """The packages a requirements file pins itself (an `-r` include is followed by the caller)."""
    lines = [line for line in (ROOT / name).read_text().splitlines() if line and not line.startswith(("#", "-r "))]
    assert all("==" in line for line in lines), f"{name}: every package pinned with =="
    return {line.split("==")[0].split("[")[0].lower().replace("_", "-"): line.split("==")[1] for line in lines}


def test_requirements_pin_every_package():
    runtime = pinned_packages("requirements.txt")
    assert runtime["wagtail"].startswith("8.0.")
    assert runtime["django"].startswith("6.1.")
    assert runtime["django-allauth"].startswith("65.")
    assert {"weasyprint", "whitenoise", "psycopg", "gunicorn"} <= runtime.keys()


def test_test_and_lint_tools_are_not_what_production_installs():
    runtime = pinned_packages("requirements.txt")
    development = pinned_packages("requirements-dev.txt")
    assert (ROOT / "requirements-dev.txt").read_text().splitlines()[1] == "-r requirements.txt"
    assert {
        "pytest",
        "pytest-django",
        "factory-boy",
        "playwright",
        "ruff",
        "hypothesis",
        "djhtml",
    } <= development.keys()
    assert not runtime.keys() & development.keys(), "a package pinned in both files"


def test_the_virtualenv_holds_what_the_two_files_pin():
    """Every package of both files is installed at its pinned version (make's stamp files rebuild on change)."""
    from importlib import metadata

    pinned = pinned_packages("requirements.txt") | pinned_packages("requirements-dev.txt")
    normalise = lambda name: name.lower().replace("_", "-")  # noqa: E731
    installed = {normalise(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    assert {normalise(name): version for name, version in pinned.items()}.items() <= installed.items()


@pytest.mark.django_db
def test_system_checks_pass_on_this_database():
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")
