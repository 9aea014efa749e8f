"""The catalogue in Django admin: rules switched and parameters set through the same services as the
catalogue page (validated against the rule's declaration, audited). Findings are read only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from fupin.quality import services
from fupin.quality.models import Finding, Rule, RuleParameter
from fupin.quality.rules import RULES


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "family", "subject", "severity", "enabled", "effective_from", "effective_to")
    list_filter = ("enabled", "family", "subject", "severity")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("code", "name", "name_en", "family", "subject", "in_catalogue")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def save_model(self, request: Any, obj: Rule, form: Any, change: bool) -> None:
        services.update_rule(actor=request.user, code=obj.code, enabled=obj.enabled, severity=obj.severity,
                             statuses=obj.statuses, effective_from=obj.effective_from, effective_to=obj.effective_to)


class RuleParameterForm(forms.ModelForm):
    class Meta:
        model = RuleParameter
        fields = ("rule", "province", "year", "values")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule = data.get("rule")
        if rule is not None and rule.code in RULES:
            try:
                data["values"] = RULES[rule.code].clean_values(data.get("values") or {})
            except ValidationError as exc:
                self.add_error("values", exc)
        return data


@admin.register(RuleParameter)
class RuleParameterAdmin(admin.ModelAdmin):
    form = RuleParameterForm
    list_display = ("rule", "province", "year", "values", "updated_by", "updated_at")
    list_filter = ("province", "year")

    def save_model(self, request: Any, obj: RuleParameter, form: Any, change: bool) -> None:
        saved = services.set_parameters(actor=request.user, code=obj.rule_id, values=obj.values,
                                        province=obj.province, year=obj.year)
        if saved is not None:
            obj.pk = saved.pk


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("rule", "record", "region_code", "state", "first_seen", "last_seen", "reopened")
    list_filter = ("state", "rule__family")
    search_fields = ("record", "region_code")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
