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


def test_the_county_records_a_projects_money_and_the_enterprise_reports_its_quarter(users, tree, donor_user, donor):
    import datetime as dt
    from decimal import Decimal

    from fupin.core.permissions import SYSTEM
    from fupin.welfare import services
    from fupin.welfare.models import CommitmentKind, QuarterReport

    project = services.save_project(actor=SYSTEM, name="助学行动", organiser="基金会", kind="education",
                                    region=tree["533301"], goal=Decimal(10000), starts_on=dt.date(2026, 1, 1),
                                    ends_on=dt.date(2026, 12, 31))
    services.publish_project(actor=SYSTEM, project=project)
    county = _as(users["county"])
    county.post(reverse("welfare_project", args=[project.pk]), {
        "entry": "donation", "donor": donor.pk, "amount": "800", "channel": "bank", "reference": "B1",
        "received_on": "2026-11-01"})
    county.post(reverse("welfare_project", args=[project.pk]), {
        "entry": "disbursement", "amount": "500", "paid_on": "2026-11-02", "purpose": "助学金", "evidence": "V1"})
    project.refresh_from_db()
    assert (project.received, project.disbursed) == (800, 500)
    assert "V1" in Client().get(reverse("portal_project", args=[project.pk])).content.decode()

    donor.kind = Donor.Kind.ENTERPRISE
    donor.save()
    pairing = services.save_pairing(actor=SYSTEM, enterprise=donor, region=tree["533301205201"], agreement="协议",
                                    signed_on=dt.date(2026, 1, 1), year=2026,
                                    commitments={CommitmentKind.TRAINING: Decimal(50)})
    commitment = pairing.commitments.get()
    r = _as(donor_user).post(reverse("welfare_pairing", args=[pairing.pk]),
                             {"commitment": commitment.pk, "quarter": "3", "achieved": "20"})
    assert r.status_code == 302 and QuarterReport.objects.get(commitment=commitment).achieved == 20
    assert "20 / 50" in Client().get(reverse("portal_pairings")).content.decode()
    other = _as(users["analyst"])
    assert other.get(reverse("welfare_pairing", args=[pairing.pk])).status_code == 403
