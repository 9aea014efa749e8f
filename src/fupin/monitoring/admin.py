from django.contrib import admin

from fupin.monitoring.models import RuleSetting


@admin.register(RuleSetting)
class RuleSettingAdmin(admin.ModelAdmin):
    list_display = ("rule", "province", "enabled", "severity", "points", "deadline_days", "params")
    list_filter = ("enabled", "severity", "province")
    list_editable = ("enabled", "severity", "points", "deadline_days")
