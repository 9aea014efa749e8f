from django.contrib import admin

from fupin.lifecycle.models import RuralPopulation
from fupin.registry.models import PovertyLine


@admin.register(PovertyLine)
class PovertyLineAdmin(admin.ModelAdmin):
    """Poverty lines by year and standard: public reference data maintained by administrators."""

    list_display = ("year", "standard", "province", "amount", "note")
    list_filter = ("standard", "year")
    ordering = ("-year", "standard", "province")


@admin.register(RuralPopulation)
class RuralPopulationAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "persons")
    raw_id_fields = ("region",)
    search_fields = ("region__code", "region__name")
