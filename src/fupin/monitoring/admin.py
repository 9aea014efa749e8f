from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fupin.core.masking import mask_name, masked_text
from fupin.monitoring.models import RiskReport, RuleSetting


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ("rule", "province", "enabled", "severity", "points", "deadline_days", "params")
    list_filter = ("enabled", "severity", "province")
    list_editable = ("enabled", "severity", "points", "deadline_days")


@admin.register(RiskReport)
class RiskReportAdmin(admin.ModelAdmin):
    """Read only: reports are recorded through ``services.report_risk`` (scoped, audited, on the dossier)."""

    list_display = ("occurred_on", "kind", "household", "region_code", "source", "recorded_by", "recorded_at")
    list_filter = ("kind", "source")
    search_fields = ("household__number", "region_code")
    exclude = ("description", "reporter")
    readonly_fields = ("masked_description", "masked_reporter")

    @admin.display(description=_("description"))
    def masked_description(self, obj: RiskReport) -> str:
        return masked_text(obj.description)

    @admin.display(description=_("reported by"))
    def masked_reporter(self, obj: RiskReport) -> str:
        return mask_name(obj.reporter)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
