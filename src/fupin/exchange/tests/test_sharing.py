"""Sharing back (R4.3): only exchange accounts pull persons, only of their region, and every pull is audited."""

import datetime as dt

from django.urls import reverse

from fupin import testing
from fupin.core.models import AuditEvent
from fupin.registry import idnumber
from fupin.registry.models import Member


def _department(user, organisation="贵州省医疗保障局"):
    user.organisation = organisation
    user.save()
    return user


def test_api_only_for_exchange_accounts_and_scoped(client, users, households):
    _department(users["exchange"])
    url = "/api/v1/exchange/persons?group=all"
    client.force_login(users["township"])
    assert client.get(url).status_code == 403
    client.force_login(users["analyst"])
    assert client.get(url).status_code == 403
    client.force_login(users["exchange"])  # 贵州 (52)
    data = client.get(url).json()
    guizhou = Member.objects.filter(household__village__code__startswith="52", is_active=True)
    assert data["count"] == guizhou.count() > 0
    assert {r["id_number"] for r in data["results"]} == set(guizhou.values_list("id_number", flat=True))
    assert all(r["village_code"].startswith("52") for r in data["results"])
    ev = AuditEvent.objects.get(action=AuditEvent.Action.READ_PERSONAL, object_type="exchange.share")
    assert ev.username == "exchange" and ev.region_code == "52"


def test_school_age_group(client, tree, users):
    _department(users["exchange"], "贵州省教育厅")
    today = dt.date.today()
    h = testing.make_household(tree["520102001001"], size=1)
    birth = today.replace(year=today.year - 10, day=1)
    child = Member.objects.create(household=h, name="张小", sex="1", birth_date=birth, relation="03",
                                  ethnicity="01", health="01",
                                  id_number=idnumber.make(idnumber.issuing_code("520102", birth.year), birth, 7, "1"))
    client.force_login(users["exchange"])
    data = client.get("/api/v1/exchange/persons?group=school_age").json()
    assert [r["id_number"] for r in data["results"]] == [child.id_number]
    assert client.get("/api/v1/exchange/persons?group=nonsense").status_code == 404


def test_export_is_audited_and_exchange_only(client, users, households):
    _department(users["exchange"])
    client.force_login(users["county"])
    assert client.get(reverse("exchange_share", args=["all"])).status_code == 403
    client.force_login(users["exchange"])
    r = client.get(reverse("exchange_share", args=["all"]))
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert body.startswith("id_number,sex") and "533301" not in body.split("\n", 1)[1]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="exchange.share").count() == 1


def test_departments_receive_only_their_groups_and_no_names(client, users, households):
    """issue 20 A5: data minimisation: the education department gets school-age persons, never the whole
    registry, and nobody gets names."""
    _department(users["exchange"], "贵州省教育厅")
    client.force_login(users["exchange"])
    assert client.get("/api/v1/exchange/persons?group=all").status_code == 403
    assert client.get(reverse("exchange_share", args=["all"])).status_code == 403
    assert client.get(reverse("exchange_share", args=["elderly"])).status_code == 403
    _department(users["exchange"])
    data = client.get("/api/v1/exchange/persons?group=all").json()
    names = set(Member.objects.values_list("name", flat=True))
    assert data["results"] and all("name" not in r and "household_number" not in r for r in data["results"])
    body = b"".join(client.get(reverse("exchange_share", args=["all"])).streaming_content).decode("utf-8-sig")
    assert not any(n in body for n in names)
