from typing import Any

from django.contrib import admin

from fupin.core import audit
from fupin.core.changes import mark_changed
from fupin.core.models import AuditEvent
from fupin.lifecycle.models import PovertyLineRevision, RuralPopulation
from fupin.lifecycle.services.tracking import record_line_revision
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


class PovertyLineRevisionInline(admin.TabularInline):
    """The line's history, read only (written by every change, here and in ``set_poverty_line``)."""

    model = PovertyLineRevision
    fields = ("at", "username", "amount_before", "amount_after", "note_before", "note_after", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-at", "-id")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PovertyLine)
class PovertyLineAdmin(MarksIndicators):
    """Poverty lines by year and standard: public reference data maintained by administrators, with history."""

    list_display = ("year", "standard", "province", "amount", "note")
    list_filter = ("standard", "year")
    ordering = ("-year", "standard", "province")
    inlines = (PovertyLineRevisionInline,)

    def region_of(self, obj: Any) -> str:
        return str(obj.province)  # "" (the national line): every village

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = PovertyLine.objects.filter(pk=obj.pk).first() if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record_line_revision(actor=request.user, line=obj, year=obj.year, standard=obj.standard,
                             province=obj.province, before=before, reason="管理后台修改 / changed in the admin site")
        audit.record(actor=request.user, action=AuditEvent.Action.UPDATE, obj=obj, summary=f"poverty line {obj}",
                     detail={"before": str(before.amount) if before else None, "after": str(obj.amount)})

    def delete_model(self, request: Any, obj: Any) -> None:
        record_line_revision(actor=request.user, line=None, year=obj.year, standard=obj.standard,
                             province=obj.province, before=obj, reason="管理后台删除 / removed in the admin site")
        audit.record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, summary=f"poverty line {obj}")
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            record_line_revision(actor=request.user, line=None, year=obj.year, standard=obj.standard,
                                 province=obj.province, before=obj, reason="管理后台删除 / removed in the admin site")
            audit.record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, summary=f"poverty line {obj}")
        super().delete_queryset(request, queryset)


@admin.register(RuralPopulation)
class RuralPopulationAdmin(MarksIndicators):
    """Read only: the rural population comes from the village basic data (村基本情况) uploaded on /quality/villages/
    (``quality.services.feed_rural_population``), not from this site (#14 item 5)."""

    list_display = ("region", "year", "persons")
    raw_id_fields = ("region",)
    search_fields = ("region__code", "region__name")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def region_of(self, obj: Any) -> str:
        return str(obj.region_id)
