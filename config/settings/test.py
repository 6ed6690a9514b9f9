"""pytest: fast hashing, in-memory mail, a file SQLite database so threads share it."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "https://creneau.test"
ALLOWED_HOSTS = ["*"]
WHITENOISE_AUTOREFRESH = True
# Tests that upload photos point this at their own temporary directory.
MEDIA_ROOT = BASE_DIR / ".test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so race tests' threads see one database.
    # CRENEAU_TEST_DB lets parallel runs on one machine keep apart.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / os.environ.get("CRENEAU_TEST_DB", ".test-db.sqlite3"))}

# The fault tests' child processes (a task worker, gunicorn) mail the SMTP server the test
# runs on the loopback: they cannot share the in-memory outbox.
if os.environ.get("CRENEAU_TEST_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ["CRENEAU_TEST_SMTP_PORT"])
    EMAIL_USE_TLS = False
    EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
