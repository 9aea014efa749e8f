from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "fupin.exchange"
    label = "exchange"
    verbose_name = _("Department data comparison")
    default_auto_field = "django.db.models.BigAutoField"
