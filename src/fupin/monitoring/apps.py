from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fupin.monitoring"
    label = "monitoring"
    verbose_name = _("Early warning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fupin.registry.hooks import register_transfer_hook

        register_transfer_hook(_household_moved)  # registry.services.transfer_household


def _household_moved(household_id: int, old: str, new: str) -> None:
    """A household moved village (the county's transfer): its alerts and risk reports are now the new village's."""
    from fupin.monitoring.models import Alert, RiskReport

    Alert.objects.filter(household_id=household_id).update(region_code=new, township_code=new[:9])
    RiskReport.objects.filter(household_id=household_id).update(region_code=new)
