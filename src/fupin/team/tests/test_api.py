import datetime as dt

from fupin.team.models import Posting

VILLAGE = "533301205201"


def test_api_posts_rotates_and_sets_a_cadre(client, county_admin, cadres, households, users):
    client.force_login(county_admin)
    r = client.post("/api/v1/team/postings", {"member_id": cadres[0].pk, "region_code": VILLAGE,
                                              "role": "first_secretary", "start_date": "2019-01-01"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    r = client.post("/api/v1/team/rotations", {"region_code": VILLAGE, "on": "2021-01-01",
                                               "incoming": [{"member_id": cadres[1].pk, "role": "first_secretary"}]},
                    content_type="application/json")
    assert r.status_code == 201 and Posting.objects.filter(end_date=dt.date(2021, 1, 1)).count() == 1
    r = client.get(f"/api/v1/team/regions/{VILLAGE}/team?on=2020-06-01")
    assert [p["member_id"] for p in r.json()] == [cadres[0].pk]
    r = client.put(f"/api/v1/team/households/{households[VILLAGE].pk}/cadre", {"member_id": cadres[1].pk},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["member_id"] == cadres[1].pk
    r = client.put(f"/api/v1/team/households/{households['533301101201'].pk}/cadre", {"member_id": cadres[1].pk},
                   content_type="application/json")
    assert r.status_code == 422
    r = client.get("/api/v1/team/coverage/no_cadre")
    assert r.status_code == 200 and households[VILLAGE].number not in {row["code"] for row in r.json()["results"]}
    client.force_login(users["analyst"])  # an analyst sees ID numbers masked
    items = client.get("/api/v1/team/members").json()["results"]
    assert items and all("*" in m["id_number"] for m in items)
    client.force_login(users["clerk"])  # a clerk does not manage teams
    r = client.post("/api/v1/team/postings", {"member_id": cadres[0].pk, "region_code": VILLAGE,
                                              "role": "team_member", "start_date": "2022-01-01"},
                    content_type="application/json")
    assert r.status_code == 403


def test_api_trainee_follow_up(client, tree, households):
    from fupin import testing
    from fupin.commerce import services as commerce
    from fupin.core.roles import Role
    from fupin.team.models import Attendance

    bureau = testing.make_user("bureau", tree["533301"], Role.COMMERCE_BUREAU)
    course = commerce.create_course(actor=bureau, title="电商实操", organiser="商务局", region_code="533301",
                                    starts_on="2021-04-01", hours="16")
    a = Attendance.objects.create(training=course, village=tree[VILLAGE], name="学员")
    client.force_login(bureau)
    r = client.post(f"/api/v1/team/attendance/{a.pk}/follow-ups", {"visited_on": "2021-10-01", "outcome": "开设网店"},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    a.refresh_from_db()
    assert a.outcome == "开设网店" and a.follow_ups.count() == 1
