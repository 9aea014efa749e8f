"""Forms of the project pages: they parse and type the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fupin.projects.models import FundLevel, FundSource, ProjectType
from fupin.targets.models import Target

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("project number"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    type = forms.ChoiceField(label=_("type"), choices=ProjectType.choices)
    lead_unit = forms.CharField(label=_("lead unit"), max_length=100)
    region_code = forms.CharField(label=_("location (region code)"), max_length=12)
    budget = forms.DecimalField(label=_("budget (yuan)"), min_value=0, max_digits=16, decimal_places=2)
    planned_start = forms.DateField(label=_("planned start"), widget=DATE)
    planned_end = forms.DateField(label=_("planned completion"), widget=DATE)
    description = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FundLineForm(forms.Form):
    code = forms.CharField(label=_("line number"), max_length=60)
    name = forms.CharField(label=_("name"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("level"), choices=FundLevel.choices)
    source = forms.ChoiceField(label=_("source"), choices=FundSource.choices)
    region_code = forms.CharField(label=_("region code"), max_length=12, required=False)
    own_amount = forms.DecimalField(label=_("own funds (yuan)"), min_value=0, max_digits=16, decimal_places=2,
                                    initial=0)
    parent = forms.IntegerField(label=_("sub-line of (line id)"), required=False)
    document = forms.CharField(label=_("document number"), max_length=100, required=False)


class AllocationForm(forms.Form):
    source = forms.IntegerField(label=_("from line (id)"))
    to_line = forms.IntegerField(label=_("to line (id)"), required=False)
    project = forms.CharField(label=_("or to project (number)"), max_length=40, required=False)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=16, decimal_places=2)
    allocated_on = forms.DateField(label=_("date"), widget=DATE)
    document = forms.CharField(label=_("document number"), max_length=100, required=False)


class DisbursementForm(forms.Form):
    project = forms.CharField(label=_("project number"), max_length=40)
    line = forms.CharField(label=_("fund line number"), max_length=60)
    voucher = forms.CharField(label=_("voucher number"), max_length=40)
    paid_on = forms.DateField(label=_("date"), widget=DATE)
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=16, decimal_places=2)
    payee = forms.CharField(label=_("payee"), max_length=200)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))


class ReportForm(forms.Form):
    period = forms.CharField(label=_("period"), max_length=20)
    progress = forms.IntegerField(label=_("progress %"), min_value=0, max_value=100)
    text = forms.CharField(label=_("progress made"), widget=forms.Textarea(attrs={"rows": 4, "style": "width: 100%"}))
    figures = forms.CharField(label=_("figures (one “name: value” a line)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "style": "width: 100%"}))
    attachment = forms.FileField(label=_("attachment"), required=False)

    def clean_figures(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for line in self.cleaned_data.get("figures", "").splitlines():
            if ":" in line or "：" in line:
                k, v = line.replace("：", ":").split(":", 1)
                if k.strip():
                    out[k.strip()[:60]] = v.strip()[:60]
        return out


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    title = forms.CharField(label=_("title"), max_length=200)
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    decisions = forms.CharField(
        label=_("decisions, one a line: text | lead units | co-operating units | deadline (YYYY-MM-DD)"),
        widget=forms.Textarea(attrs={"rows": 4}), required=False)


class TargetForm(forms.Form):
    value = forms.DecimalField(label=_("value"), max_digits=18, decimal_places=4)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    unit = forms.ChoiceField(label=_("unit"), choices=Target.Unit.choices)
    scope_prefix = forms.CharField(label=_("region code prefix"), max_length=12, required=False)
    area_type = forms.CharField(label=_("area type"), max_length=40, required=False)
    reason = forms.CharField(label=_("reason"), max_length=300)
