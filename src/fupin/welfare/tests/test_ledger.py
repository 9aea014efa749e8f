"""The ledger is reconciled by the database: a disbursement never exceeds what was received."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from fupin.core.permissions import SYSTEM
from fupin.welfare import services
from fupin.welfare.models import Disbursement, Donation, Need
from fupin.welfare.tests.conftest import give

pytestmark = pytest.mark.django_db


def test_donations_and_disbursements_keep_the_balance(need, donor):
    give(need, donor, "1000.10", "A")
    give(need, donor, "0.20", "B")
    services.disburse(actor=SYSTEM, need=need, amount=Decimal("1000.30"), paid_on=dt.date(2026, 11, 21),
                      purpose="学费", evidence="收据 001")
    need.refresh_from_db()
    assert (need.received, need.disbursed) == (Decimal("1000.30"), Decimal("1000.30"))
    assert need.balance == 0


def test_the_service_refuses_more_than_the_balance(need, donor):
    give(need, donor, "500")
    with pytest.raises(services.WelfareError, match="超过结余"):
        services.disburse(actor=SYSTEM, need=need, amount=Decimal("500.01"), paid_on=dt.date(2026, 11, 21),
                          purpose="学费", evidence="收据 002")
    assert not Disbursement.objects.exists()


def test_the_database_refuses_a_disbursement_written_past_the_service(need, donor):
    give(need, donor, "500")
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(need=need, amount=Decimal("600"), paid_on=dt.date(2026, 11, 21),
                                    purpose="x", evidence="y")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE welfare_need SET disbursed = received + 1 WHERE id = %s", [need.pk])
    need.refresh_from_db()
    assert need.disbursed == 0


def test_ledger_entries_are_append_only(need, donor):
    d = give(need, donor, "500")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Donation.objects.filter(pk=d.pk).update(amount=Decimal("1"))
    need.refresh_from_db()
    assert need.received == Decimal("500")


def test_a_need_paid_in_full_is_met(need, donor):
    give(need, donor, "3000")
    services.disburse(actor=SYSTEM, need=need, amount=Decimal("3000"), paid_on=dt.date(2026, 11, 21),
                      purpose="学费", evidence="收据 003")
    need.refresh_from_db()
    assert need.status == Need.Status.MET
