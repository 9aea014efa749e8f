import os

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fupin.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        from fupin.core import exports, signals  # noqa: F401  (exports: its job's handler for core.recovery)

        check_secret_key()


def serving() -> bool:
    import sys

    return os.environ.get("FUPIN_SERVING") == "1" or "runserver" in sys.argv[1:2]


def check_secret_key() -> None:
    """Refuse to serve with the public development key when debug mode is off (issue 20 A11)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if getattr(settings, "SECRET_KEY_MISSING", False) and not settings.DEBUG and serving():
        raise ImproperlyConfigured(
            "FUPIN_SECRET_KEY is not set: refusing to serve with the development key. Set FUPIN_SECRET_KEY "
            "(or write a random key to var/secret_key; `make run` does), or FUPIN_DEBUG=1 for development.")
