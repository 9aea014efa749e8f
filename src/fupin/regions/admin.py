from django.contrib import admin

from fupin.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "is_poor_county", "is_sanqu_sanzhou", "is_poor_village", "poor_exit_year")
    list_filter = ("level", "is_poor_county", "is_sanqu_sanzhou", "is_poor_village")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    show_full_result_count = False
