from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "fupin.targets"
    label = "targets"
    verbose_name = _("Targets of the plans")
    default_auto_field = "django.db.models.BigAutoField"
