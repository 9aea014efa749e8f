"""Forms of the lifecycle pages. They only shape the input; every rule (role, level, stage, notice period,
risks, own submission) is the service's, and its bilingual refusals are put next to the fields with
``registry.forms.add_service_errors``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.core.codes import choices
from fupin.lifecycle.models import Kind
from fupin.lifecycle.services import MAX_RISKS, NOTICE_DAYS, NOTICE_MAX_DAYS

ISO = "%Y-%m-%d"
DECISIONS = [("1", _("approve")), ("0", _("reject"))]


def _coded(list_code: str, label: Any, *, multiple: bool = False) -> forms.Field:
    if multiple:
        return forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=lambda: choices(list_code))
    return forms.ChoiceField(label=label, required=False, choices=lambda: [("", "—"), *choices(list_code)])


class OpenCaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Procedure"), choices=Kind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2014, max_value=2100, required=False,
                              help_text=_("Year (blank: this year; exit: the last year with a poverty line)"))
    reason = forms.CharField(label=_("Reason"), max_length=500)
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    category = _coded("monitoring_category", _("Monitoring category (monitoring objects)"))
    risks = _coded("monitoring_risk", _("Risks, one to five (monitoring objects)"), multiple=True)
    elimination_method = _coded("risk_elimination", _("How the risk was eliminated (risk elimination)"))
    income_reason = forms.CharField(
        label=_("Why include the household despite its income"), required=False, max_length=500,
        help_text=_("Required when the per-capita income is implausibly low or far above the line."))

    def clean_risks(self) -> list[str]:
        risks: list[str] = self.cleaned_data.get("risks") or []
        if len(risks) > MAX_RISKS:
            raise forms.ValidationError(_("Name at most five risks."))
        return risks


class DecisionForm(forms.Form):
    """Review (民主评议), township audit and county approval: a decision with its reason and evidence."""

    approve = forms.TypedChoiceField(label=_("Decision"), choices=DECISIONS, coerce=lambda v: v == "1",
                                     widget=forms.RadioSelect, initial="1")
    reason = forms.CharField(label=_("Reason"), max_length=500)
    evidence = forms.CharField(label=_("Evidence (minutes, documents)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    days = forms.IntegerField(label=_("Notice period (days)"), min_value=1, max_value=NOTICE_MAX_DAYS,
                              initial=NOTICE_DAYS)


class ObjectionForm(forms.Form):
    content = forms.CharField(label=_("Objection"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    objector = forms.CharField(label=_("Raised by"), max_length=100, required=False)
    received_on = forms.DateField(label=_("Received on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


class ResolveForm(forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput)
    upheld = forms.TypedChoiceField(label=_("Outcome"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                    choices=[("0", _("not upheld: the case proceeds")),
                                             ("1", _("upheld: the case is rejected"))], initial="0")
    resolution = forms.CharField(label=_("Resolution"), max_length=500)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    stable = forms.TypedChoiceField(label=_("Income and the basic needs stable"), coerce=lambda v: v == "1",
                                    choices=[("1", _("stable")), ("0", _("at risk"))], widget=forms.RadioSelect,
                                    initial="1")
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class MeasureForm(forms.Form):
    """An assistance measure (帮扶措施), to record one on the household page or to correct it later. The
    field names are the service's, so that its refusals land next to their fields."""

    type = forms.ChoiceField(label=_("Type"), choices=lambda: choices("measure_type"))
    description = forms.CharField(label=_("Description"), max_length=300)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(format=ISO, attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Until"), required=False,
                               widget=forms.DateInput(format=ISO, attrs={"type": "date"}))
    funds = forms.DecimalField(label=_("Funds (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    fund_source = _coded("fund_source", _("Source of funds"))
    responsible = forms.CharField(label=_("Responsible"), max_length=100)
    cadre_id = forms.TypedChoiceField(label=_("Responsible cadre"), required=False, coerce=int, empty_value=None)
    result = forms.CharField(label=_("Result"), max_length=300, required=False)

    def __init__(self, *args: Any, cadres: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["cadre_id"]
        field.choices = [("", "—"), *((c.pk, str(c)) for c in cadres)]
