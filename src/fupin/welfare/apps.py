from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "fupin.welfare"
    label = "welfare"
    verbose_name = _("Internet welfare")
    default_auto_field = "django.db.models.BigAutoField"
