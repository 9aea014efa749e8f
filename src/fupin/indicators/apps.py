from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "fupin.indicators"
    label = "indicators"
    verbose_name = _("Indicators and assessment")
    default_auto_field = "django.db.models.BigAutoField"

