"""Navigation as data (issue 21): grouped, filtered by role, the user's region and roles in the top bar."""

import pytest

from fupin import testing
from fupin.core.navigation import ENTRIES, GROUPS, for_user


def test_every_entry_names_a_group():
    keys = {g.key for g in GROUPS}
    assert all(e.group in keys for e in ENTRIES)


@pytest.mark.django_db
def test_entries_follow_the_role(tree):
    users = testing.make_users(tree)
    clerk = {i["label"] for g in for_user(users["clerk"]) for i in g["items"]}
    admin = {i["label"] for g in for_user(users["sysadmin"]) for i in g["items"]}
    assert "Audit log" in {str(x) for x in admin} and "Audit log" not in {str(x) for x in clerk}
    assert "Import households" in {str(x) for x in clerk} and "Import households" not in {
        str(i["label"]) for g in for_user(users["analyst"]) for i in g["items"]}


@pytest.mark.django_db
def test_top_bar_shows_region_role_and_search_and_marks_the_current_group(client, tree):
    users = testing.make_users(tree)
    client.force_login(users["township"])
    html = client.get("/households/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "古登乡" in html and "乡镇审核员" in html and 'action="/search/"' in html
    assert 'class="navgroup current"' in html


@pytest.mark.django_db
def test_a_superuser_sees_every_entry_but_the_pages_of_ones_own_records(client, tree):
    """A superuser is shown every area, but not "my households" (a cadre's) or "my donations" (a donor's): it has no
    such records and those pages refuse it; every entry it is shown opens."""
    from django.urls import reverse

    users = testing.make_users(tree)
    admin = users["sysadmin"]
    admin.is_superuser = True
    admin.save()
    shown = {i["href"] for g in for_user(admin) for i in g["items"]}
    own = {reverse(e.url_name) for e in ENTRIES if e.own}
    assert own == {reverse("team_mine"), reverse("welfare_donor")}
    assert not shown & own and len(shown) == len(ENTRIES) - len(own)
    client.force_login(admin)
    assert {href: client.get(href).status_code for href in sorted(shown)} == dict.fromkeys(sorted(shown), 200)


def test_a_bilingual_refusal_is_shown_in_the_readers_language():
    """Services refuse in "中文 / English"; pages show the reader's half (the API keeps both)."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from fupin.core.errors import error_text, in_language

    exc = ValidationError(["身份证号码校验位错误 / wrong check digit", "plain message"])
    with translation.override("zh-hans"):
        assert error_text(exc) == "身份证号码校验位错误; plain message"
    with translation.override("en"):
        assert error_text(exc) == "wrong check digit; plain message"
    # not of the shape: returned whole (no Chinese before the slash, several slashes, Chinese after it)
    for text in ("a / b", "甲 / 乙 / c", "甲 / 乙", "2026/01/02"):
        assert in_language(text, "zh-hans") == text
