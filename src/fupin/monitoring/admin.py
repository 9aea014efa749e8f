from typing import Any

from django.contrib import admin

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

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
