"""The household picker and the top bar's search (issue 21): households found by number or name inside the
user's scope only, names masked for roles that may not see them, every search audited."""

import pytest

from fupin import testing
from fupin.core.models import AuditEvent


@pytest.fixture
def users(tree):
    return testing.make_users(tree)


@pytest.mark.django_db
def test_picker_finds_by_number_within_scope_only(client, users, households):
    inside = households["533301205201"]
    outside = households["533323101201"]
    client.force_login(users["township"])
    html = client.get("/households/pick/", {"q": inside.number[:14], "field": "household"}).content.decode()
    assert f'value="{inside.number}"' in html
    html = client.get("/households/pick/", {"q": outside.number, "field": "household"}).content.decode()
    assert 'type="radio"' not in html


@pytest.mark.django_db
def test_picker_masks_names_for_the_analyst_and_refuses_name_search(client, users, households):
    h = households["533301205201"]
    client.force_login(users["analyst"])
    html = client.get("/households/pick/", {"q": h.number}).content.decode()
    head = h.members.get(relation="01").name
    assert h.number in html and head not in html
    assert h.number not in client.get("/households/pick/", {"q": head}).content.decode()


@pytest.mark.django_db
def test_global_search_opens_the_single_match_and_is_audited(client, users, households):
    h = households["533301205201"]
    client.force_login(users["county"])
    response = client.get("/search/", {"q": h.number})
    assert response.status_code == 302 and response["Location"] == f"/households/{h.pk}/"
    assert AuditEvent.objects.filter(object_type="registry.search", username="county").exists()


@pytest.mark.django_db
def test_portrait_offers_report_a_risk_and_start_a_procedure(client, users, households):
    h = households["533301205201"]
    client.force_login(users["clerk"])
    html = client.get(f"/households/{h.pk}/").content.decode()
    assert f"/monitoring/reports/?household={h.number}" in html and f"/lifecycle/households/{h.pk}/" in html
    form = client.get(f"/monitoring/reports/?household={h.number}").content.decode()
    assert f'name="household" value="{h.number}" checked' in form
