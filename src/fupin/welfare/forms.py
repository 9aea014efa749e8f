from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.welfare.models import ConsentMethod, Donation, Donor, NeedKind


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
    display_name = forms.CharField(label=_("name shown on the ledger"), max_length=100)
    kind = forms.ChoiceField(label=_("donor type"), choices=Donor.Kind.choices)
    anonymous = forms.BooleanField(label=_("appear as an anonymous donor"), required=False)
    contact = forms.CharField(label=_("donor contact"), max_length=100, required=False)
