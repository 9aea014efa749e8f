"""The issue's walk-through through the pages: a clerk proposes a need with consent, the township publishes it, a
donor pledges, the township records the money and the disbursement, the public ledger shows it; withdrawing the
consent takes the need off the portal at once."""

import pytest
from django.test import Client
from django.urls import reverse

from fupin.welfare.models import Donor, Need, Pledge

pytestmark = pytest.mark.django_db


def _as(user):
    c = Client()
    c.force_login(user)
    return c


def test_propose_publish_pledge_disburse_withdraw(users, village_households, donor_user, donor):
    clerk, township = _as(users["clerk"]), _as(users["township"])
    household = village_households[2]
    form = clerk.get(reverse("welfare_propose")).content.decode()
    assert household.number in form  # the picker lists the clerk's households
    r = clerk.post(reverse("welfare_propose"), {
        "household": household.pk, "kind": "housing", "story": "房屋漏雨，需要修缮屋顶。", "goal": "4000",
        "consent_by": "户主", "consent_on": "2026-11-20", "consent_method": "thumbprint", "show_surname": "on",
        "show_village": "on"})
    need = Need.objects.get(household=household)
    assert r.status_code == 302 and need.status == "proposed"
    assert Client().get(reverse("portal_need", args=[need.pk])).status_code == 404
    township.post(reverse("welfare_review", args=[need.pk]), {"decision": "publish"})
    public = Client().get(reverse("portal_need", args=[need.pk])).content.decode()
    assert "季加村委会·张姓家庭" in public and household.number not in public

    netizen = _as(donor_user)
    assert netizen.post(f"{reverse('welfare_pledge')}?need={need.pk}", {"amount": "4000"}).status_code == 302
    assert Pledge.objects.get(need=need).donor == donor
    township.post(reverse("welfare_donation", args=[need.pk]), {
        "donor": donor.pk, "amount": "4000", "channel": "platform", "reference": "GY20261121001",
        "link": "https://gongyi.example.org/p/1", "received_on": "2026-11-21"})
    r = township.post(reverse("welfare_disbursement", args=[need.pk]), {
        "amount": "4500", "paid_on": "2026-11-25", "purpose": "建材", "evidence": "收据 9"}, follow=True)
    assert "超过结余" in r.content.decode()  # more than received: refused with the reason
    township.post(reverse("welfare_disbursement", args=[need.pk]), {
        "amount": "4000", "paid_on": "2026-11-25", "purpose": "建材和人工", "evidence": "收据 10"})
    public = Client().get(reverse("portal_need", args=[need.pk])).content.decode()
    assert "GY20261121001" in public and "收据 10" in public and "爱心网友小王" in public
    need.refresh_from_db()
    assert (need.received, need.disbursed, need.status) == (4000, 4000, "met")

    clerk.post(reverse("welfare_withdraw", args=[need.pk]), {"note": "户主要求撤下"})
    assert Client().get(reverse("portal_need", args=[need.pk])).status_code == 404
    assert reverse("portal_need", args=[need.pk]) not in Client().get("/").content.decode()
    assert reverse("portal_need", args=[need.pk]) not in Client().get("/needs/").content.decode()
    assert Donor.objects.get(pk=donor.pk).donations.count() == 1  # the accounts keep the ledger
