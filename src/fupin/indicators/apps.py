from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "fupin.indicators"
    label = "indicators"
    verbose_name = _("Indicators and assessment")
    default_auto_field = "django.db.models.BigAutoField"


    def ready(self) -> None:
        from fupin.core.changes import subscribe
        from fupin.indicators.changes import mark_changed

        subscribe(mark_changed)  # the writers' explicit marks reach the indicators' change journal
