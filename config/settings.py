"""Settings for the cyber unit training and skills register.

Everything that differs between machines comes from the environment, with safe development
defaults: SQLite in the project folder, DEBUG on only when asked for, mail to the console.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # Refuse to start rather than sign sessions with a key anyone can read in the source.
        sys.exit(
            "DJANGO_SECRET_KEY is not set: it is required when DJANGO_DEBUG is off "
            "(docs/deploy.md); for development set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "dev-insecure-only-for-local-use-" + "x" * 20

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tables2",
    "django_filters",
    "simple_history",
    "crispy_forms",
    "crispy_forms_gds",
    "govuk_frontend_django",
    "django_tasks",
    "django_tasks_db",
    "people",
    "people.identity",
    "skills",
    "courses",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers, before sessions touch the database.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.logging.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "people.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "people.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before reuse, so a restarted database costs no 500s.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No query holds a worker (or a lock) for ever; background jobs may be given longer.
    _timeout_ms = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "60000"))
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={_timeout_ms}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Hashed, compressed names from `collectstatic`, served by whitenoise with far-future caching;
# with DEBUG on, files are served from the source folders as they change.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.storage.StaticStorage"
    },
}

# Evidence uploads live outside any web root and are served only through a view that checks
# access (courses.views); MEDIA_URL is deliberately not routed.
EVIDENCE_ROOT = Path(os.environ.get("REGISTER_EVIDENCE_ROOT", BASE_DIR / "var" / "evidence"))
MEDIA_ROOT = EVIDENCE_ROOT
EVIDENCE_MAX_BYTES = int(os.environ.get("REGISTER_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_MAX_BYTES = int(os.environ.get("REGISTER_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail: console in development; SMTP through the environment in production.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "register@localhost")

# Security headers; HTTPS-only settings switch on with DJANGO_SECURE=1 behind TLS.
SECURE = env_bool("DJANGO_SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE and env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = SECURE and env_bool("DJANGO_HSTS_PRELOAD", True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/deploy.md).
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60

# Content-Security-Policy (django-csp): only this site's own scripts, styles and images. The
# few inline blocks (a report's print styles, pygal's SVG styles) carry the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- django-allauth: email login, no public sign-up, TOTP with recovery codes ---------------
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "people.adapters.InviteOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed logins lock out the account tried (key), never the address: a police network shares
# one address among thousands of officers, so its per-address limits only stop a flood.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "300/5m/ip,5/5m/key",
    "login": "300/m/ip",
    "reset_password": "5/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Passkeys and security keys (WebAuthn) are a second factor after the password or directory
# sign-in, never a way to sign in on their own: a login must still be reached through its
# force (people/identity), so passkey-only sign-in stays off.
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
# WebAuthn needs HTTPS; only a development server on localhost may use plain HTTP.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Cyber skills register"
# Roles whose users must set up TOTP before using the register (comma-separated role values
# from people.Grant.Role, plus "admin" for administrators). With DEBUG off it defaults to every
# role that sees other people's records; empty with DEBUG on and under pytest unless set.
_MFA_OVERSIGHT_ROLES = "coordinator,chief_officer,regional_lead,national_lead,admin"
REGISTER_MFA_REQUIRED_ROLES = env_list(
    "REGISTER_MFA_REQUIRED_ROLES",
    "" if DEBUG or "PYTEST_VERSION" in os.environ else _MFA_OVERSIGHT_ROLES,
)
# A force directory sign-in whose amr claim shows MFA satisfies the policy, for directories
# marked "amr counts as MFA" (docs/identity.md); set to 0 to always ask for register TOTP.
REGISTER_SSO_AMR_COUNTS_AS_MFA = env_bool("REGISTER_SSO_AMR_COUNTS_AS_MFA", True)
# SCIM 2.0 at /scim/v2/ for forces' directories, one bearer token per force (people/identity).
SCIM_SERVICE_PROVIDER = {
    "USER_MODEL_GETTER": "people.identity.scim_auth.scim_model",
    "USER_ADAPTER": "people.identity.scim.ScimUser",
    "USER_FILTER_PARSER": "people.identity.scim_filter.ScimFilter",
    "AUTH_CHECK_MIDDLEWARE": "people.identity.scim_auth.BearerTokenAuth",
    "BASE_LOCATION_GETTER": "people.identity.scim_auth.base_location",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "people.identity.scim_auth.force_scope",
    "GET_EXTRA_MODEL_EXCLUDE_KWARGS_GETTER": "people.identity.scim_auth.no_exclusions",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="cyber-skills-register-scim"',
}

# One cache shared by every worker, so that login throttling (ACCOUNT_RATE_LIMITS) counts
# across them: the database cache, whose table people migration 0007 creates. Redis is not
# supported yet: Django's RedisCache needs the redis package, which the lock does not hold.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "register_cache",
    }
}

# --- forms and tables --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.14.0"
# crispy-forms-gds styles text inputs only; link, number and email inputs get the same class.
CRISPY_CLASS_CONVERTERS = {
    "urlinput": "govuk-input",
    "numberinput": "govuk-input",
    "emailinput": "govuk-input",
    "dateinput": "govuk-input",
}
DJANGO_TABLES2_TEMPLATE = "components/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "govuk-table"}

# Classification marking printed on reports and PDF packs.
REGISTER_CLASSIFICATION = os.environ.get("REGISTER_CLASSIFICATION", "OFFICIAL-SENSITIVE")

# Where the register is served, for links in emails sent outside a request (send_reminders).
# Only DEBUG has a default (runserver's); in production `check --deploy` refuses it unset
# (config/checks.py), rather than mail links to this machine's own port 8000.
REGISTER_BASE_URL = os.environ.get("REGISTER_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# --- background jobs (docs/jobs.md): Django's tasks API, through the django-tasks backport ----
# The database backend works on SQLite and PostgreSQL; `manage.py db_worker` runs its queue, on
# as many machines as needed (sharing REGISTER_EVIDENCE_ROOT). Tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("REGISTER_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Import files up to this size are checked within the request; larger ones by the worker.
IMPORT_INLINE_PREVIEW_BYTES = int(
    os.environ.get("REGISTER_IMPORT_INLINE_PREVIEW_BYTES", str(2 * 1024 * 1024))
)
# A running job whose worker has not reported for this long is marked failed (docs/jobs.md).
JOB_STALE_SECONDS = int(os.environ.get("REGISTER_JOB_STALE_SECONDS", "600"))

# One line per request (register.request) and per background job (register.job) on stdout,
# carrying ids only: no names, emails or query strings (config/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line"},
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
    },
    "loggers": {
        "register": {
            "handlers": ["stdout"],
            "level": os.environ.get("REGISTER_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # xhtml2pdf warns about every CSS property it ignores, on every PDF.
        "xhtml2pdf": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Django's own request warnings repeat what register.request says, with the URL.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
