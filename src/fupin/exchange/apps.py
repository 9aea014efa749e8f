from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "fupin.exchange"
    label = "exchange"
    verbose_name = _("Department data comparison")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fupin.registry.hooks import register_transfer_hook

        register_transfer_hook(_household_moved)  # registry.services.transfer_household


def _household_moved(household_id: int, old: str, new: str) -> None:
    """A household moved village (the county's transfer): its doubts are now the new village's, verified at the
    same level of the new village's branch."""
    from fupin.exchange.models import Doubt

    for doubt in Doubt.objects.filter(household_id=household_id).only("pk", "route_code"):
        Doubt.objects.filter(pk=doubt.pk).update(region_code=new, route_code=new[: len(doubt.route_code)])
