from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamConfig(AppConfig):
    name = "fupin.team"
    label = "team"
    verbose_name = _("Teams and training (网络扶智)")
    default_auto_field = "django.db.models.BigAutoField"
