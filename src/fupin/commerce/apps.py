from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "fupin.commerce"
    label = "commerce"
    verbose_name = _("Rural e-commerce")
    default_auto_field = "django.db.models.BigAutoField"
