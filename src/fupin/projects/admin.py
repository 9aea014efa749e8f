"""Read-only admin views: every write of projects goes through ``projects.services`` (checked, scoped, audited);
targets are edited on /projects/targets/, which keeps their history."""

from typing import Any

from django.contrib import admin

from fupin.projects.models import FundLine, Plan, Project, Task
from fupin.targets.models import Target


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(FundLine)
class FundLineAdmin(ReadOnly):
    list_display = ("code", "year", "level", "source", "name", "region", "own_amount")
    list_filter = ("year", "level", "source")
    search_fields = ("code", "name")


@admin.register(Project)
class ProjectAdmin(ReadOnly):
    list_display = ("code", "name", "year", "type", "stage", "region", "budget")
    list_filter = ("year", "type", "stage", "synthetic")
    search_fields = ("code", "name", "lead_unit")


@admin.register(Plan)
class PlanAdmin(ReadOnly):
    list_display = ("code", "title", "level", "region", "start_year", "end_year")


@admin.register(Task)
class TaskAdmin(ReadOnly):
    list_display = ("plan", "number", "title", "deadline", "progress", "done_on")
    list_filter = ("plan",)
    search_fields = ("title", "lead_units_text")


@admin.register(Target)
class TargetAdmin(ReadOnly):
    list_display = ("code", "title", "indicator", "value", "unit", "year", "scope_prefix", "area_type", "source")
    list_filter = ("year", "unit")
