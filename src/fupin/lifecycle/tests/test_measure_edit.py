"""Correcting an assistance measure (R3.2): a clerk records the result and the end date later (audited,
shown on the household page); an end before the start is refused next to the field; users of another
region get 404 and roles that cannot write dossiers 403, on the page and through the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from fupin.core.models import AuditEvent
from fupin.core.roles import Role
from fupin.lifecycle import services
from fupin.lifecycle.models import Measure
from fupin.registry.models import Cadre
from fupin.testing import make_user

from .conftest import VILLAGE

API = "/api/v1/lifecycle/measures"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def measure(users, households):
    return services.add_measure(actor=users["clerk"], household=households[VILLAGE], data={
        "type": "03", "description": "生态护林员", "start_date": "2020-03-01", "funds": "10000", "fund_source": "01",
        "responsible": "王科长"})


def _form(m, **changes):
    data = {"form": "measure", "type": m.type, "description": m.description, "start_date": m.start_date.isoformat(),
            "end_date": m.end_date.isoformat() if m.end_date else "", "funds": str(m.funds), "fund_source": m.fund_source, "responsible": m.responsible,
            "cadre_id": "", "result": m.result}
    return {**data, **changes}


def test_clerk_records_result_and_end_date_on_the_page(users, measure):
    clerk = client_for(users["clerk"])
    page = clerk.get(f"/lifecycle/households/{measure.household_id}/").content.decode()
    assert f"/lifecycle/measures/{measure.pk}/" in page  # the edit link in the measure list
    edit = clerk.get(f"/lifecycle/measures/{measure.pk}/")
    assert edit.status_code == 200 and 'value="2020-03-01"' in edit.content.decode()

    r = clerk.post(f"/lifecycle/measures/{measure.pk}/", _form(measure, end_date="2020-12-31", result="年度考核合格"))
    assert r.status_code == 302 and r["Location"] == f"/lifecycle/households/{measure.household_id}/"
    m = Measure.objects.get(pk=measure.pk)
    assert (m.end_date, m.result, m.funds) == (dt.date(2020, 12, 31), "年度考核合格", Decimal("10000"))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="lifecycle.measure").get()
    assert event.object_id == str(m.pk) and event.username == "clerk" and event.region_code == VILLAGE
    assert event.detail == {"before": {"end_date": None, "result": ""},
                            "after": {"end_date": "2020-12-31", "result": "年度考核合格"}}
    page = clerk.get(f"/lifecycle/households/{m.household_id}/").content.decode()
    assert "年度考核合格" in page and "2020-12-31" in page

    # Saving the form unchanged changes nothing and records nothing.
    clerk.post(f"/lifecycle/measures/{m.pk}/", _form(m))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="lifecycle.measure").count() == 1


def test_end_before_start_is_refused_next_to_the_field(users, measure):
    clerk = client_for(users["clerk"])
    r = clerk.post(f"/lifecycle/measures/{measure.pk}/", _form(measure, end_date="2019-12-31", result="x"))
    assert r.status_code == 200
    field = r.content.decode().split('data-field="end_date"')[1].split("</div>")[0]
    assert "结束日期早于开始日期" in field and "the end is before" not in field
    m = Measure.objects.get(pk=measure.pk)
    assert (m.end_date, m.result) == (None, "")
    # Moving the start after a recorded end is the same refusal.
    services.update_measure(actor=users["clerk"], measure=m, end_date=dt.date(2020, 6, 30))
    with pytest.raises(ValidationError) as exc:
        services.update_measure(actor=users["clerk"], measure=m, start_date="2020-07-01")
    assert "end_date" in exc.value.message_dict
    # Required fields cannot be emptied, unknown fields cannot be set.
    with pytest.raises(ValidationError) as exc:
        services.update_measure(actor=users["clerk"], measure=m, responsible=" ", household_id=1)
    assert set(exc.value.message_dict) == {"household_id"}
    with pytest.raises(ValidationError) as exc:
        services.update_measure(actor=users["clerk"], measure=m, responsible=" ", start_date="")
    assert set(exc.value.message_dict) == {"responsible", "start_date"}
    assert Measure.objects.get(pk=m.pk).responsible == "王科长"


def test_other_region_gets_404_and_analyst_403(users, tree, measure):
    other = client_for(make_user("fugong_clerk", tree["533323101201"], Role.CLERK))
    assert other.get(f"/lifecycle/measures/{measure.pk}/").status_code == 404
    assert other.post(f"/lifecycle/measures/{measure.pk}/", _form(measure, result="x")).status_code == 404
    r = other.patch(f"{API}/{measure.pk}", {"result": "x"}, content_type="application/json")
    assert r.status_code == 404

    analyst = client_for(users["analyst"])  # 云南 analyst: may read, may not write
    assert analyst.get(f"/lifecycle/households/{measure.household_id}/").status_code == 200
    assert f"/lifecycle/measures/{measure.pk}/" not in analyst.get(
        f"/lifecycle/households/{measure.household_id}/").content.decode()
    assert analyst.get(f"/lifecycle/measures/{measure.pk}/").status_code == 403
    assert analyst.post(f"/lifecycle/measures/{measure.pk}/", _form(measure, result="x")).status_code == 403
    r = analyst.patch(f"{API}/{measure.pk}", {"result": "x"}, content_type="application/json")
    assert r.status_code == 403 and "cannot change dossiers" in r.json()["errors"]["__all__"][0]
    assert Measure.objects.get(pk=measure.pk).result == ""
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_type="lifecycle.measure").exists()


def test_patch_through_the_api(users, tree, measure):
    cadre = Cadre.objects.create(name="李四", unit="县农业局", region=tree["533301"])
    far = Cadre.objects.create(name="赵六", unit="福贡县", region=tree["533323"])
    clerk = client_for(users["clerk"])
    r = clerk.patch(f"{API}/{measure.pk}", {"end_date": "2020-12-31", "result": "已验收", "cadre_id": cadre.pk},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    assert (r.json()["end_date"], r.json()["result"], r.json()["cadre_id"]) == ("2020-12-31", "已验收", cadre.pk)
    assert r.json()["description"] == "生态护林员"  # fields not sent stay
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="lifecycle.measure")
    assert event.detail["after"] == {"end_date": "2020-12-31", "result": "已验收", "cadre_id": cadre.pk}

    r = clerk.patch(f"{API}/{measure.pk}", {"end_date": "2019-01-01"}, content_type="application/json")
    assert r.status_code == 422 and "the end is before the start" in r.json()["errors"]["end_date"][0]
    r = clerk.patch(f"{API}/{measure.pk}", {"cadre_id": far.pk, "funds": "-1"}, content_type="application/json")
    assert r.status_code == 422 and set(r.json()["errors"]) == {"cadre_id", "funds"}
    r = clerk.patch(f"{API}/{measure.pk}", {"end_date": None}, content_type="application/json")
    assert r.status_code == 200 and r.json()["end_date"] is None
    assert client_for(users["county"]).get(f"{API}/{measure.pk}").json()["result"] == "已验收"
