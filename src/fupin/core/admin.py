from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from fupin.core.masking import mask_deep
from fupin.core.models import ApiToken, AuditEvent, CodeItem, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "organisation", "region", "is_active", "last_login")
    list_filter = ("groups", "is_active")
    search_fields = ("username", "organisation", "region__name")
    raw_id_fields = ("region",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Region and organisation"), {"fields": ("region", "organisation", "phone")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "region_code", "ip", "channel")
    list_filter = ("action", "channel")
    search_fields = ("username", "object_id", "region_code", "summary")
    date_hierarchy = "at"
    exclude = ("detail",)
    readonly_fields = ("masked_detail",)

    @admin.display(description=_("detail (personal data masked)"))
    def masked_detail(self, obj: AuditEvent) -> str:
        import json

        return json.dumps(mask_deep(obj.detail), ensure_ascii=False, default=str)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "hint", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "hint")


@admin.register(CodeItem)
class CodeItemAdmin(admin.ModelAdmin):
    list_display = ("list_code", "code", "name", "name_en", "sort", "active")
    list_filter = ("list_code", "active")
