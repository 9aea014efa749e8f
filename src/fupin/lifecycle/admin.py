from typing import Any

from django.contrib import admin

from fupin.core.changes import mark_changed
from fupin.lifecycle.models import RuralPopulation
from fupin.registry.models import PovertyLine


class MarksIndicators(admin.ModelAdmin):
    """Writes through the admin site change indicator inputs: they mark the region as the services do."""

    def region_of(self, obj: Any) -> str:
        raise NotImplementedError

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        mark_changed([self.region_of(obj)])

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        mark_changed([self.region_of(obj)])

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        codes = [self.region_of(o) for o in queryset]
        super().delete_queryset(request, queryset)
        mark_changed(codes)


@admin.register(PovertyLine)
class PovertyLineAdmin(MarksIndicators):
    """Poverty lines by year and standard: public reference data maintained by administrators."""

    list_display = ("year", "standard", "province", "amount", "note")
    list_filter = ("standard", "year")
    ordering = ("-year", "standard", "province")

    def region_of(self, obj: Any) -> str:
        return str(obj.province)  # "" (the national line): every village


@admin.register(RuralPopulation)
class RuralPopulationAdmin(MarksIndicators):
    list_display = ("region", "year", "persons")
    raw_id_fields = ("region",)
    search_fields = ("region__code", "region__name")

    def region_of(self, obj: Any) -> str:
        return str(obj.region_id)
