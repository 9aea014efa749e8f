from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from fupin.core.scoping import scope_of, scoped
from fupin.core.tree import is_node_code
from fupin.regions.models import Level, Region
from fupin.registry.forms import HouseholdPicker
from fupin.registry.models import Household
from fupin.welfare.models import (
    CommitmentKind,
    ConsentMethod,
    Donation,
    Donor,
    NeedKind,
    Pairing,
    WelfareProject,
)


class NeedForm(forms.Form):
    household = forms.ChoiceField(label=_("household"))
    kind = forms.ChoiceField(label=_("need type"), choices=NeedKind.choices)
    story = forms.CharField(label=_("public description of the need"), widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=1000, help_text=_("Shown to the public: no names, ID numbers, phone numbers or addresses."))
    goal = forms.DecimalField(label=_("amount needed (yuan)"), min_value=Decimal("1"), max_digits=12, decimal_places=2)
    consent_by = forms.CharField(label=_("consent given by"), max_length=50)
    consent_on = forms.DateField(label=_("consent given on"), widget=forms.DateInput(attrs={"type": "date"}),
                                 initial=timezone.localdate)
    consent_method = forms.ChoiceField(label=_("how consent was given"), choices=ConsentMethod.choices)
    show_surname = forms.BooleanField(label=_("the surname may be shown"), required=False, initial=True)
    show_village = forms.BooleanField(label=_("the village may be shown"), required=False, initial=True)


class DonationForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("donor"), queryset=Donor.objects.all())
    amount = forms.DecimalField(label=_("amount received (yuan)"), min_value=Decimal("0.01"), max_digits=12,
                                decimal_places=2)
    channel = forms.ChoiceField(label=_("donation channel"), choices=Donation.Channel.choices)
    reference = forms.CharField(label=_("transfer reference"), max_length=80)
    link = forms.URLField(label=_("fundraising page"), required=False, assume_scheme="https")
    received_on = forms.DateField(label=_("received on"), widget=forms.DateInput(attrs={"type": "date"}),
                                  initial=timezone.localdate)


class DisbursementForm(forms.Form):
    amount = forms.DecimalField(label=_("amount disbursed (yuan)"), min_value=Decimal("0.01"), max_digits=12,
                                decimal_places=2)
    paid_on = forms.DateField(label=_("paid on"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate)
    purpose = forms.CharField(label=_("what it paid for"), max_length=200)
    evidence = forms.CharField(label=_("evidence (receipt or voucher number)"), max_length=200)


class PledgeForm(forms.Form):
    amount = forms.DecimalField(label=_("amount pledged (yuan)"), min_value=Decimal("0"), max_digits=12,
                                decimal_places=2, required=False)
    goods = forms.CharField(label=_("goods pledged"), max_length=200, required=False)


class DonorForm(forms.Form):
    """A netizen's own donor record (enterprises are registered by the county)."""

    display_name = forms.CharField(label=_("name shown on the ledger"), max_length=100)
    anonymous = forms.BooleanField(label=_("appear as an anonymous donor"), required=False)
    contact = forms.CharField(label=_("donor contact"), max_length=100, required=False)


# --- staff: projects, pairings, donors -------------------------------------------------------------------------


class RegionPicker(forms.Widget):
    """The cascading region picker (``regions/_picker.html``, htmx) as a form widget: selects inside the user's
    scope instead of a typed code; the chosen code travels in a hidden input named like the field."""

    def __init__(self, attrs: dict[str, Any] | None = None, deepest: int = 5) -> None:
        super().__init__(attrs)
        self.deepest = deepest
        self.user: Any = None

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        from fupin.regions.selectors import picker_levels

        code = str(value or "") or (getattr(self.user, "region_id", "") or "")
        own = getattr(self.user, "region", None)
        return mark_safe(render_to_string("regions/_picker.html", {
            "name": name, "value": code, "deepest": self.deepest,
            "levels": picker_levels(self.user, code, self.deepest), "own_name": own.name if own else "",
        }))  # the template escapes what it shows

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class RegionField(forms.CharField):
    """A region of the user's scope, picked; ``levels`` limits the levels accepted (1 province … 5 village)."""

    default_error_messages = {
        "outside": _("Choose a region inside your area."),
        "level": _("Choose a region of the level asked for: %(levels)s."),
    }

    def __init__(self, *, levels: tuple[int, ...] = (1, 2, 3, 4, 5), deepest: int = 5, **kwargs: Any) -> None:
        kwargs.setdefault("widget", RegionPicker(deepest=deepest))
        super().__init__(max_length=12, **kwargs)
        self.levels = levels
        self.user: Any = None

    def clean(self, value: Any) -> Any:
        code = super().clean(value)
        if not code:
            return None
        region = Region.objects.filter(code=code).first() if is_node_code(code) else None
        if region is None or not scope_of(self.user).contains(region.code):
            raise forms.ValidationError(self.error_messages["outside"], code="outside")
        if region.level not in self.levels:
            names = "、".join(str(Level(n).label) for n in self.levels)
            raise forms.ValidationError(self.error_messages["level"], code="level", params={"levels": names})
        return region


class UserForm(forms.Form):
    """A form whose region fields check the picked region against the user's scope."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, RegionField):
                field.user = user
                field.widget.user = user  # type: ignore[attr-defined]


class ProjectForm(UserForm):
    name = forms.CharField(label=_("project name"), max_length=120)
    organiser = forms.CharField(label=_("organiser"), max_length=120)
    brand = forms.CharField(label=_("brand"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("project type"), choices=WelfareProject.Kind.choices)
    region = RegionField(label=_("region served"))
    goal = forms.DecimalField(label=_("goal (yuan)"), min_value=Decimal("1"), max_digits=14, decimal_places=2)
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    households_served = forms.IntegerField(
        label=_("households served"), min_value=0, max_value=10_000_000, initial=0,
        help_text=_("Shown to the public (fewer than five as “<5”). Kept equal to the households listed, when any are."))
    villages_served = forms.IntegerField(
        label=_("villages served"), min_value=0, max_value=1_000_000, initial=0,
        help_text=_("Kept equal to the villages listed, when any are."))
    description = forms.CharField(label=_("project description"), widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=4000, required=False)
    results = forms.CharField(label=_("results reported"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                              required=False, help_text=_("What the project achieved so far; shown on the portal."))
    published_by_county = forms.BooleanField(
        label=_("published by the county for enterprises"), required=False,
        help_text=_("Enterprises can take up the project once it is published."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The project cannot end before it starts."))
        return data


class ServeForm(UserForm):
    household = forms.CharField(label=_("household"), required=False, widget=HouseholdPicker())
    village = RegionField(label=_("village"), levels=(Level.VILLAGE,), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = (data.get("household") or "").strip()
        data["household"] = None
        if number:
            household = scoped(Household.objects.all(), self.user).filter(number=number).first()
            if household is None:
                self.add_error("household", _("No household in your area has this number."))
            data["household"] = household
        if not self.errors and (data["household"] is None) == (data.get("village") is None):
            raise forms.ValidationError(_("Choose one household or one village."))
        return data


class TakeUpForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=Donor.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Donor.objects.filter(kind=Donor.Kind.ENTERPRISE)  # type: ignore[attr-defined]


COMMITMENT_FIELDS = {
    CommitmentKind.MONEY: "money", CommitmentKind.PURCHASE: "purchase", CommitmentKind.JOBS: "jobs",
    CommitmentKind.TRAINING: "training",
}


def _commitment(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal(0), max_digits=14, decimal_places=2, required=False)


class PairingForm(UserForm):
    """An enterprise paired with a poor county or village: the agreement and one year's commitments."""

    enterprise = forms.ModelChoiceField(label=_("enterprise"), queryset=Donor.objects.none())
    region = RegionField(label=_("paired county or village"), levels=(Level.COUNTY, Level.VILLAGE))
    agreement = forms.CharField(label=_("agreement"), max_length=200,
                                help_text=_("The agreement's title and number, e.g. the term it covers."))
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    year = forms.IntegerField(label=_("commitment year"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    money = _commitment(CommitmentKind.MONEY.label)
    purchase = _commitment(CommitmentKind.PURCHASE.label)
    jobs = _commitment(CommitmentKind.JOBS.label)
    training = _commitment(CommitmentKind.TRAINING.label)

    def __init__(self, *args: Any, pairing: Pairing | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Donor.objects.filter(kind=Donor.Kind.ENTERPRISE)  # type: ignore[attr-defined]
        if pairing is not None:  # the parties of a pairing do not change: a new pairing is a new agreement
            del self.fields["enterprise"]
            del self.fields["region"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f) for f in COMMITMENT_FIELDS.values()):
            raise forms.ValidationError(_("Give at least one commitment for the year."))
        signed = data.get("signed_on")
        if signed and signed > timezone.localdate():
            self.add_error("signed_on", _("The day of signing cannot be in the future."))
        return data

    def commitments(self) -> dict[str, Decimal]:
        return {kind: self.cleaned_data.get(f) or Decimal(0) for kind, f in COMMITMENT_FIELDS.items()}


class QuarterReportForm(forms.Form):
    commitment = forms.TypedChoiceField(label=_("commitment"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    achieved = forms.DecimalField(label=_("achieved"), min_value=Decimal(0), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("report note"), max_length=200, required=False)

    def __init__(self, *args: Any, pairing: Pairing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitment"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.year} · {c.get_kind_display()}") for c in pairing.commitments.order_by("-year", "kind")]


ORG_KINDS = [(k, label) for k, label in Donor.Kind.choices if k != Donor.Kind.PERSON]


class StaffDonorForm(forms.Form):
    """An enterprise or a social organisation registered by the county, optionally with a login of its own."""

    display_name = forms.CharField(label=_("name shown on the ledger"), max_length=100)
    kind = forms.ChoiceField(label=_("donor type"), choices=ORG_KINDS, initial=Donor.Kind.ENTERPRISE)
    contact = forms.CharField(label=_("donor contact"), max_length=100, required=False,
                              help_text=_("Seen by the county only, never public."))
    anonymous = forms.BooleanField(label=_("appear as an anonymous donor"), required=False)
    alliance_member = forms.BooleanField(label=_("member of the welfare alliance"), required=False)
    username = forms.CharField(label=_("login name for the donor (optional)"), max_length=150, required=False,
                               help_text=_("With a login the enterprise takes up projects and reports its pairings' "
                                           "quarters itself."))
    password = forms.CharField(label=_("initial password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("username") and not data.get("password"):
            self.add_error("password", _("Give an initial password for the login."))
        return data


class DonorEditForm(forms.Form):
    display_name = forms.CharField(label=_("name shown on the ledger"), max_length=100)
    kind = forms.ChoiceField(label=_("donor type"), choices=Donor.Kind.choices)
    contact = forms.CharField(label=_("donor contact"), max_length=100, required=False)
    anonymous = forms.BooleanField(label=_("appear as an anonymous donor"), required=False)


class AllianceForm(forms.Form):
    member = forms.BooleanField(label=_("member of the welfare alliance"), required=False)
    joined_on = forms.DateField(label=_("joined the alliance on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
