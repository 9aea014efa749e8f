from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "fupin.portal"
    label = "portal"
    verbose_name = _("Public portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # signals: cache invalidation on freeze and publication; workbench: the portal's cards on the home page
        from fupin.portal import signals, workbench  # noqa: F401

        workbench.connect()  # the portal's cards on the workbench (articles, feedback)
