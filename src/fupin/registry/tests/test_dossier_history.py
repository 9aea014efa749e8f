"""The dossier page over time: as of a date, the timeline, corrections that keep the earlier version."""

import datetime as dt

from fupin.core.models import AuditEvent, User
from fupin.registry import history, services
from fupin.registry.models import HouseholdVersion

from .dossier_helpers import household_post, login

JAN, MAR, JUN = dt.date(2024, 1, 10), dt.date(2024, 3, 1), dt.date(2024, 6, 1)


def test_page_without_versions_renders_with_an_empty_timeline_note(users, households):
    h = households["533301205201"]
    assert not h.versions.exists()
    html = login("clerk").get(f"/households/{h.pk}/").content.decode()
    assert h.number in html and 'class="timeline"' not in html
    assert 'class="muted timeline-empty"' in html
    # as of a date without any version: says so and shows today's dossier
    html = login("clerk").get(f"/households/{h.pk}/", {"as_of": "2020-01-01"}).content.decode()
    assert "asof-banner" in html and h.number in html


def test_as_of_shows_the_earlier_state_after_an_update(users, households):
    h = households["533301205201"]
    clerk = User.objects.get(username="clerk")
    history.record_version(h, kind=HouseholdVersion.Kind.CREATE, actor=clerk, valid_from=JAN)
    services.update_household(actor=clerk, household=h, data={"housing_safety": "D"}, reason="房屋鉴定为D级",
                              valid_from=MAR)
    assert history.as_of(h, dt.date(2024, 2, 1)).snapshot["household"]["housing_safety"] == "A"
    assert history.as_of(h, MAR).snapshot["household"]["housing_safety"] == "D"

    c = login("clerk")
    before = c.get(f"/households/{h.pk}/", {"as_of": "2024-02-01"}).content.decode()
    assert "这是 2024-02-01 的档案" in before
    assert 'data-badge="housing" data-status="ok"' in before
    now = c.get(f"/households/{h.pk}/").content.decode()
    assert "这是" not in now and 'data-badge="housing" data-status="unmet"' in now
    # an earlier dossier is read-only: no edit buttons on it
    assert f"/households/{h.pk}/edit/" in now and f"/households/{h.pk}/edit/" not in before


def test_timeline_shows_a_correction_without_erasing_the_earlier_version(users, households):
    h = households["533301205201"]
    clerk = User.objects.get(username="clerk")
    history.record_version(h, kind=HouseholdVersion.Kind.CREATE, actor=clerk, valid_from=JAN)
    c = login("clerk")
    r = c.post(f"/households/{h.pk}/edit/", household_post(h, **{
        "h-housing_safety": "C", "reason": "房屋鉴定为C级", "valid_from": "2024-03-01"}))
    assert r.status_code == 302
    r = c.post(f"/households/{h.pk}/edit/", household_post(h, **{
        "h-housing_safety": "B", "reason": "录入错误，应为B级", "valid_from": "2024-03-01", "correction": "on"}))
    assert r.status_code == 302
    kinds = list(h.versions.order_by("id").values_list("kind", flat=True))
    assert kinds == ["create", "update", "correction"]
    wrong = h.versions.get(kind="update")
    assert wrong.snapshot["household"]["housing_safety"] == "C"  # the earlier version is still there

    html = c.get(f"/households/{h.pk}/").content.decode()
    assert "录入错误，应为B级" in html and "房屋鉴定为C级" in html
    assert 'class="correction' in html
    # field labels, not attnames, and code names, not codes
    assert "housing_safety" not in html.split('class="timeline"')[1]
    assert "C级（危房）" in html and "B级（安全）" in html
    assert "clerk" in html.split('class="timeline"')[1]


def test_timeline_masks_personal_data_for_analysts_and_shows_it_to_clerks(users, households):
    h = households["533301205201"]
    clerk = User.objects.get(username="clerk")
    history.record_version(h, kind=HouseholdVersion.Kind.CREATE, actor=clerk, valid_from=JAN)
    member = h.members.exclude(relation="01").first()
    old_name = member.name
    services.update_member(actor=clerk, member=member, data={"name": "李改名"}, reason="改名", )
    analyst = login("analyst").get(f"/households/{h.pk}/").content.decode()
    timeline = analyst.split('class="timeline"')[1]
    assert "李改名" not in timeline and old_name not in timeline and "李**" in timeline
    assert member.id_number not in analyst
    clear = login("clerk").get(f"/households/{h.pk}/").content.decode().split('class="timeline"')[1]
    assert "李改名" in clear and old_name in clear


def test_clear_read_of_the_dossier_is_audited(users, households):
    h = households["533301205201"]
    login("clerk").get(f"/households/{h.pk}/")
    login("analyst").get(f"/households/{h.pk}/")
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.READ_PERSONAL, object_id=str(h.pk))
    assert list(reads.values_list("username", flat=True)) == ["clerk"]
