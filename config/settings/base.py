"""Settings shared by every environment. No secret lives here: see .env.example."""

import os
from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

import dj_database_url

from ops.logs import logging_config
from ops.storage import media_origins, storages_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Project apps, highest first (docs/architecture.md: reports → certificates → courses → cms →
    # accounts, audit, ops).
    "reports",
    "certificates",
    "courses",
    "cms",
    "accounts",
    "audit",
    "ops",
    # Wagtail; wagtail.users comes through our config to use our user forms.
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.CustomUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks_db",
    # allauth
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: every line logged below carries the request's id. The metrics time all that follows.
    "ops.request_id.RequestIdMiddleware",
    "cms.middleware.PermissionsPolicyMiddleware",
    "ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "cms.middleware.AdminContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.middleware.PrivateResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.ChosenLanguageMiddleware",
    "cms.middleware.RejectNulCharacterMiddleware",
    "cms.page_cache.AnonymousPageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cms.routing.CachedSiteMiddleware",
    "cms.middleware.PageMethodMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireStaffTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.client_errors.ClientErrorMiddleware",
    # Last, so it sees the views' exceptions first: the object storage down is a 503.
    "cms.error_views.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several requests at once (docs/decisions.md, issue 12). WAL lets
    # readers (a long export) and a writer work side by side; IMMEDIATE takes the write lock when a
    # transaction begins, so two never both read and then both try to write (SQLite refuses one at
    # once, whatever the timeout); a writer waits up to 20 s for its turn, under gunicorn's 30 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
# Optional: a streaming standby of the primary. Reports, the unit summary, the dashboard panel and
# exports read it (ops/replica.py); everything else, every write and migration, the primary. Tests
# run against a mirror of the test database, never a second one.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        test_options={"MIRROR": "default"},
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A standby that does not answer costs a report 2 s, then its reads go to the primary.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
DATABASE_ROUTERS = ["ops.replica.ReplicaRouter"]
# How often each process checks the standby's state and lag (seconds), and from what lag a report
# says how far behind its figures are.
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "5"))
REPLICA_LAG_WARNING_SECONDS = float(os.environ.get("REPLICA_LAG_WARNING_SECONDS", "60"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Wagtail's database search backend uses PostgreSQL full-text search there.
    INSTALLED_APPS.append("django.contrib.postgres")
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiler spends longer compiling a report's query than running it (0.9 s
        # of a 100,000-row export's 1.3 s in bench.reports); short web queries never gain from it.
        # Our server-side cursors (QuerySet.iterator) are read to the end, so plan them for every
        # row, not the first tenth.
        database.setdefault("OPTIONS", {})["options"] = "-c jit=off -c cursor_tuple_fraction=1"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# vendor_locale/ holds Vietnamese for third-party strings: allauth ships no Vietnamese catalogue,
# and Django's lags behind some 6.1 messages. Kept apart so makemessages never drops them.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "vendor_locale"]
FORMAT_MODULE_PATH = ["cms.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_SECURE = False  # production turns it on
# Like the session cookie: no script reads it (the switch is a plain link), no other site sends it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# Static files: compressed, hashed, served by WhiteNoise.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Issued certificate PDFs: never served as media, only through the certificate view's access check.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
# Media (Wagtail images and documents) and the certificate PDFs: on the disk above, or on
# S3-compatible object storage when S3_MEDIA_BUCKET is set (ops/storage.py, docs/deployment.md).
STORAGES = {
    **storages_from_environment(os.environ, private_media_root=PRIVATE_MEDIA_ROOT),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Backups (`manage.py backup`, daily by gbv-backup.timer): a dated directory each, under BACKUP_DIR;
# the command deletes those older than BACKUP_KEEP_DAYS (0 keeps all). Copies off the machine are
# the operator's (docs/deployment.md, "Backups and restore").
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
BACKUP_KEEP_DAYS = int(os.environ.get("BACKUP_KEEP_DAYS", "7"))
# A new try at a certificate's PDF this many seconds after the storage failed (certificates.services).
CERTIFICATE_RENDER_RETRY_SECONDS = int(os.environ.get("CERTIFICATE_RENDER_RETRY_SECONDS", "60"))

# Wagtail looks image renditions up in the "renditions" cache before the database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "renditions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "renditions"},
    # Per process: values that never change under their key (see cms.page_cache.remember).
    "worker": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "worker"},
}

# Background work through Django's tasks framework. "default" is Wagtail's (search and reference
# indexes); "background" is ours (certificate PDFs and their e-mails). Both run immediately here;
# production sends "background" to a database queue that `manage.py run_worker` works through.
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}
# A task RUNNING longer than this (seconds) is taken to have lost its worker (killed, machine gone):
# `requeue_stuck_tasks`, run every minute, puts it back in the queue. Keep it above the longest task
# (a certificate renders in well under a second); django-tasks-db has no heartbeat of its own.
TASK_RUNNING_LIMIT = int(os.environ.get("TASK_RUNNING_LIMIT_SECONDS", "180"))

# Certificate verification, per IP address (allauth's rate limiter; format "count/period/key").
# Codes carry 80 bits, so this bounds scraping, not guessing; a room of 40 may verify at once.
CERTIFICATE_VERIFY_RATE_LIMIT = os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT", "120/m/ip")

# Our reverse proxies (nginx, the load balancer): comma-separated IPs or CIDR networks. Only a
# request from one of them has its X-Forwarded-For believed (accounts/client_ip.py); empty, the
# default, trusts nobody. allauth's ALLAUTH_TRUSTED_PROXY_COUNT is not used: it believes the header
# whoever sent it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# How long an anonymous page may be served from the cache; any publish drops it sooner.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# How long the programme page's live figures (reports.programme_figures) are kept before they are
# counted again; the page itself is cached no longer (its max-age, honoured by the page cache).
PROGRAMME_FIGURES_SECONDS = int(os.environ.get("PROGRAMME_FIGURES_SECONDS", "300"))
# Whether answers say "X-Page-Cache: hit/miss": on for tests and development only, since a hit
# tells a visitor what others have read or searched for.
PAGE_CACHE_STATUS_HEADER = False

# E-mail through Django 6.1 mailers. Production reads the SMTP server from the environment.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "GBV Learn <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security headers that hold everywhere; production adds HTTPS-only ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (cms.middleware.PermissionsPolicyMiddleware): no page may use the camera,
# microphone, location, sensors, devices, payments or screen capture, nor take part in ad
# profiling; [] denies a feature everywhere, ["self"] allows it for this site only. Passkeys are
# denied too (MFA_SUPPORTED_TYPES has no WebAuthn): allow them here if it ever does.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "attribution-reporting",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "captured-surface-control",
        "clipboard-read",
        "compute-pressure",
        "digital-credentials-get",
        "display-capture",
        "encrypted-media",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "private-state-token-issuance",
        "private-state-token-redemption",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "speaker-selection",
        "storage-access",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
} | {"fullscreen": ["self"], "picture-in-picture": ["self"]}
SESSION_COOKIE_HTTPONLY = True
# The site's own page, in the visitor's language, instead of Django's English one.
CSRF_FAILURE_VIEW = "cms.error_views.csrf_failure"
# Self-only: no page may load anything from another origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Image URLs point at the object storage when media live there.
    "img-src": [CSP.SELF, "data:", *media_origins(os.environ)],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The Wagtail admin's templates use inline scripts and styles; still nothing from another origin.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
}

# Wagtail
WAGTAIL_SITE_NAME = "GBV Learn"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
# No Gravatar: it would send a hash of every staff e-mail address to another site.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
# Wagtail's database backend, given only the words a user typed, never query syntax (cms/search.py).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search"}}
# Documents always stream through Wagtail's view, after its privacy checks: never a redirect to
# the storage, whose URL anyone could pass on (the default for remote storages).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "png", "jpg", "mp4"]

# allauth: e-mail is the login, verification is mandatory, every flow rate-limited.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Nobody learns from our answers whether an address has an account (officials of a GBV programme
# must not be discoverable): sign-up with a taken address mails its owner, password reset answers
# alike. Issue 12 reverses issue 2's choice; see docs/decisions.md.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Per address: sized for a training room of 40 officials behind one NAT address (each may sign
# in, mistype twice, sign up, reset a password at the same moment); failed logins per address no
# faster on average than allauth's default (10 a minute). Per account (key): strict.
# The address is the one accounts.client_ip finds (TRUSTED_PROXIES above).
ACCOUNT_RATE_LIMITS = {
    "login": "200/m/ip",
    "login_failed": "100/10m/ip,5/5m/key",
    "signup": "100/10m/ip",
    "reset_password": "40/10m/ip,3/10m/key",
    "reset_password_from_key": "60/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Staff without an authenticator get an e-mailed code at login (AccountAdapter.is_login_by_code_required)
# before they may bind one. Nobody may sign in with a code alone: the code page is only that step.
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "GBV Learn"

# The version of the privacy notice a learner consents to at sign-up; raise it when the notice changes.
PRIVACY_NOTICE_VERSION = "2026-11"

# Readable lines on stderr with each request's id; production writes JSON lines (ops/logs.py).
LOGGING = logging_config(json_lines=False, level=os.environ.get("LOG_LEVEL", "WARNING"))

# Who may read /metrics (ops/metrics.py): comma-separated IPs or CIDR networks, and only straight,
# not through the proxy. Loopback by default: a Prometheus on the same machine.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1")

SITE_NAME = _("GBV Learn")
