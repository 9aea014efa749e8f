from django.contrib import admin

from fupin.exchange.models import Batch, Rule, Run


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Where an administrator turns rules on or off and sets their thresholds and deadlines."""

    list_display = ("code", "enabled", "severity", "params", "deadline_days")
    list_editable = ("enabled", "severity", "deadline_days")


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("dataset", "as_of", "version", "rows", "status", "region_code", "created_at")
    list_filter = ("dataset", "status")
    readonly_fields = [f.name for f in Batch._meta.fields]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("id", "as_of", "backend", "started_at", "finished_at")
    readonly_fields = [f.name for f in Run._meta.fields]
