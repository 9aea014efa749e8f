"""The cascading region picker (issue 21): typed division codes replaced by selects inside the user's scope."""

import pytest

from fupin import testing


@pytest.fixture
def users(tree):
    return testing.make_users(tree)


@pytest.mark.django_db
def test_county_picks_a_township_and_sees_its_villages(client, users):
    client.force_login(users["county"])
    html = client.get("/regions/picker/", {"name": "region", "pick": "533301205"}).content.decode()
    assert 'name="region" value="533301205"' in html
    assert "古登乡" in html and "季加村委会" in html  # the township chosen, its villages offered
    assert "福贡县" not in html and "云南省" not in html  # nothing outside the county


@pytest.mark.django_db
def test_a_code_outside_the_scope_falls_back_to_the_users_region(client, users):
    client.force_login(users["county"])
    html = client.get("/regions/picker/", {"name": "region", "pick": "533323101"}).content.decode()
    assert 'name="region" value="533301"' in html
    assert "上帕镇" not in html


@pytest.mark.django_db
def test_the_household_list_offers_the_picker_not_a_code_box(client, users):
    client.force_login(users["township"])
    html = client.get("/households/").content.decode()
    assert 'class="regionpicker"' in html and "季加村委会" in html
    assert 'inputmode="numeric" size="12"' not in html
