from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "fupin.quality"
    label = "quality"
    verbose_name = _("Data quality")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fupin.lifecycle.gates import register_elimination_gate, register_inclusion_gate
        from fupin.quality.gates import elimination_problems, inclusion_doubts

        register_elimination_gate(elimination_problems)  # lifecycle's elimination asks it (lifecycle.gates)
        register_inclusion_gate(inclusion_doubts)  # an implausible income at inclusion needs a reason

        from fupin.quality.services import warnings_for
        from fupin.registry.hooks import register_warning_provider

        register_warning_provider(warnings_for)  # the import's warning tier and the dossier forms (registry.hooks)
