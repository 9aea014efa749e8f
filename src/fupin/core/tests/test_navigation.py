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
