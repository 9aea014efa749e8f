"""The risk report form. It only shapes the input; every rule (role, region, dates, kinds) is the service's, and
its bilingual refusals are put next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.monitoring.models import RiskReport
from fupin.registry.forms import HouseholdPicker


class RiskReportForm(forms.Form):
    household = forms.CharField(label=_("Household"), max_length=20, widget=HouseholdPicker(),
                                error_messages={"required": _("Search the household by its number or its head's "
                                                              "name and choose it.")})
    kind = forms.ChoiceField(label=_("Kind of risk"), choices=RiskReport.Kind.choices)
    occurred_on = forms.DateField(label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    source = forms.ChoiceField(label=_("Source"), choices=RiskReport.Source.choices)
    reporter = forms.CharField(label=_("Reported by"), max_length=100, required=False)
    loss = forms.DecimalField(label=_("Estimated loss or cost (yuan)"), max_digits=12, decimal_places=2,
                              required=False, min_value=0)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
