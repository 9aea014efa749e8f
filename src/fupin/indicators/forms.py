from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.tree import is_code
from fupin.indicators import definitions
from fupin.indicators.models import AssessmentScheme, Period, Report
from fupin.regions.models import Level


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Report.Kind.choices)
    period = forms.ModelChoiceField(label=_("period"), queryset=Period.objects.all(), to_field_name="code")
    region = forms.CharField(label=_("division code"), max_length=12, required=False,
                             help_text=_("Empty: the whole country (nationwide users only)."))
    scheme = forms.ModelChoiceField(label=_("assessment scheme"), queryset=AssessmentScheme.objects.all(),
                                    required=False, empty_label=_("none: rank by the main indicators"))

    def clean_region(self) -> str:
        code = (self.cleaned_data.get("region") or "").strip()
        if code and not is_code(code):
            raise forms.ValidationError(_("Enter a division code of digits."))
        return code


class SchemeForm(forms.Form):
    """The scheme and one weight field per indicator that has a direction (neutral counts cannot be scored)."""

    name = forms.CharField(label=_("name"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    level = forms.TypedChoiceField(label=_("level assessed"), choices=Level.choices, coerce=int)

    def __init__(self, *args: Any, scheme: AssessmentScheme | None = None, **kwargs: Any):
        initial: dict[str, Any] = dict(kwargs.pop("initial", None) or {})
        if scheme is not None:
            initial.update(name=scheme.name, year=scheme.year, level=scheme.level)
            initial.update({f"w_{w.indicator}": w.weight for w in scheme.weights.all()})
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for ind in definitions.INDICATORS.values():
            if ind.direction == 0:
                continue
            self.fields[f"w_{ind.code}"] = forms.DecimalField(
                label=str(ind.name), required=False, min_value=Decimal(0), max_value=Decimal(1000), max_digits=6,
                decimal_places=2, help_text=str(ind.unit_label))

    @property
    def weight_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("w_")]

    def weights(self) -> dict[str, Decimal]:
        return {name[2:]: value for name, value in self.cleaned_data.items()
                if name.startswith("w_") and value is not None}
