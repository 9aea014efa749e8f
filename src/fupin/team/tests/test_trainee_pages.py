"""A trainee's page (follow-ups recorded from a training's page, certificates), the team member form's region picked
at any level, and the team home for a user without a region (404 like the other region pages)."""

import datetime as dt

from django.urls import reverse

from fupin import testing
from fupin.core.roles import Role
from fupin.registry.models import Cadre
from fupin.team import services
from fupin.team.models import Attendance, FollowUp
from fupin.team.tests.conftest import id_for

VILLAGE = "533301205201"


def _training(county_admin, title="电商实操培训", starts_on="2021-04-01"):
    return services.create_training(actor=county_admin, title=title, organiser="县商务局", region_code="533301",
                                    starts_on=starts_on, hours="16", topic="ecommerce")


def test_county_user_records_a_follow_up_from_the_training_page(client, county_admin, cadres, tree, users):
    t = _training(county_admin)
    other = _training(county_admin, "网络技能培训", "2020-06-01")
    a = Attendance.objects.create(training=t, village=tree[VILLAGE], name="张三", id_number=id_for("533301", 30),
                                  certificate="DS-2021-001")
    Attendance.objects.create(training=other, village=tree[VILLAGE], name="张三", id_number=id_for("533301", 30),
                              certificate="WL-2020-009")
    client.force_login(county_admin)
    url = reverse("team_trainee", args=[t.pk, a.pk])
    training_page = client.get(reverse("team_training", args=[t.pk])).content.decode()
    assert url in training_page and "DS-2021-001" in training_page
    page = client.get(url).content.decode()
    assert "DS-2021-001" in page and "WL-2020-009" in page  # the certificates of both trainings
    r = client.post(url, {"visited_on": "2021-10-01", "outcome": "开设网店", "note": "淘宝店月销200单"})
    assert r.status_code == 302
    f = FollowUp.objects.get()
    assert (f.attendance_id, f.visited_on, f.outcome, f.note) == (a.pk, dt.date(2021, 10, 1), "开设网店", "淘宝店月销200单")
    a.refresh_from_db()
    assert a.outcome == "开设网店"
    page = client.get(url).content.decode()
    assert "淘宝店月销200单" in page
    assert ">1</a>" in client.get(reverse("team_training", args=[t.pk])).content.decode()  # the count on the list
    # before the training, in the future, without an outcome: refused, nothing written
    for data in ({"visited_on": "2021-03-01", "outcome": "外出务工"},
                 {"visited_on": (dt.date.today() + dt.timedelta(days=2)).isoformat(), "outcome": "外出务工"},
                 {"visited_on": "2021-11-01", "outcome": ""}):
        r = client.post(url, data)
        assert r.status_code == 200 and FollowUp.objects.count() == 1
    # the API lists them
    body = client.get(f"/api/v1/team/attendance/{a.pk}/follow-ups").json()
    assert [x["outcome"] for x in body] == ["开设网店"]
    # the trainee of another training under this training's address: 404
    assert client.get(reverse("team_trainee", args=[other.pk, a.pk])).status_code == 404
    # an analyst of the province sees the page but records nothing
    client.force_login(users["analyst"])
    page = client.get(url)
    assert page.status_code == 200 and "Record a follow-up" not in page.content.decode() \
        and "记录回访" not in page.content.decode()
    assert client.post(url, {"visited_on": "2021-10-02", "outcome": "外出务工"}).status_code == 403
    assert FollowUp.objects.count() == 1
    # another county's user: 404
    other_county = testing.make_user("fugong", tree["533323"], Role.COUNTY_ADMIN)
    client.force_login(other_county)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/team/attendance/{a.pk}/follow-ups").status_code == 404


def test_team_member_page_shows_the_certificates(client, county_admin, cadres, tree):
    t = _training(county_admin, "网络扶贫带头人培训")
    Attendance.objects.create(training=t, village=tree[VILLAGE], name=cadres[0].name, id_number=cadres[0].id_number,
                              cadre=cadres[0], certificate="WL-T-1")
    client.force_login(county_admin)
    page = client.get(reverse("team_member", args=[cadres[0].pk])).content.decode()
    assert "网络扶贫带头人培训" in page and "WL-T-1" in page


def test_member_form_picks_a_region_of_any_level(client, county_admin, tree):
    client.force_login(county_admin)
    page = client.get(reverse("team_members")).content.decode()
    assert 'class="regionpicker"' in page and 'name="region" value="533301"' in page
    assert "古登乡" in page  # the county's townships offered by the picker
    for n, code in enumerate(("533301205", "533301205201", "533301")):
        r = client.post(reverse("team_members"), {"name": f"队员{n}", "id_number": id_for("533301", 24 + n),
                                                  "kind": "tech_envoy", "unit": "县科技局", "region": code,
                                                  "start_date": "2022-01-01", "end_date": "2023-01-01"})
        assert r.status_code == 302, code
        c = Cadre.objects.get(name=f"队员{n}")
        assert (c.region_id, str(c.end_date)) == (code, "2023-01-01")
    picker = client.get(reverse("region_picker") + "?name=region&pick=533301205").content.decode()
    assert "季加村委会" in picker  # the next level: the township's villages
    r = client.post(reverse("team_members"), {"name": "外县", "id_number": id_for("533301", 27), "kind": "other",
                                              "unit": "x", "region": "533323101"})
    assert r.status_code == 200 and not Cadre.objects.filter(name="外县").exists()
    member = Cadre.objects.get(name="队员0")
    page = client.get(reverse("team_member", args=[member.pk])).content.decode()
    assert 'class="regionpicker"' in page  # the posting form too


def test_team_home_answers_404_without_a_region_as_connectivity_does(client, tree, users):
    shop = testing.make_user("shop1", None, Role.SHOP_OPERATOR)
    client.force_login(shop)
    assert client.get(reverse("connectivity")).status_code == 404
    assert client.get(reverse("team")).status_code == 404
    assert client.get(reverse("team_coverage", args=["leader"])).status_code == 404
    client.force_login(users["analyst"])
    assert client.get(reverse("team")).status_code == 200
