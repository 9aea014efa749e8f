"""X1: for every role, objects outside the user's subtree are invisible in lists, detail pages, the API
and exports — and everything inside is visible."""

import csv
import io

import pytest
from django.test import Client

VISIBLE = {
    "clerk": {"533301205201"},
    "township": {"533301205201"},
    "county": {"533301101001", "533301101201", "533301205201"},
    "analyst": {"533301101001", "533301101201", "533301205201", "533323101201"},
    "exchange": {"520102001001"},
    "sysadmin": {"533301101001", "533301101201", "533301205201", "533323101201", "520102001001"},
}
ROLES = sorted(VISIBLE)


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(users, households):
    return users, households


@pytest.mark.parametrize("role", ROLES)
def test_household_list_page_shows_exactly_the_subtree(world, role):
    users, households = world
    html = login(users[role]).get("/households/", {"size": 100}).content.decode()
    shown = {code for code, h in households.items() if h.number in html}
    assert shown == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_household_detail_page_is_404_outside_the_subtree(world, role):
    users, households = world
    client = login(users[role])
    for code, h in households.items():
        status = client.get(f"/households/{h.pk}/").status_code
        assert status == (200 if code in VISIBLE[role] else 404), (role, code)


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_and_details_are_scoped(world, role):
    users, households = world
    client = login(users[role])
    data = client.get("/api/v1/households/", {"page_size": 100}).json()
    assert {r["village_code"] for r in data["results"]} == VISIBLE[role]
    assert data["count"] == len(VISIBLE[role])
    for code, h in households.items():
        status = client.get(f"/api/v1/households/{h.pk}").status_code
        assert status == (200 if code in VISIBLE[role] else 404), (role, code)


@pytest.mark.parametrize("role", ROLES)
def test_exports_are_scoped(world, role):
    users, _households = world
    response = login(users[role]).get("/households/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert {r[1][:12] for r in rows} == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_xlsx_export_is_scoped(world, role):
    from openpyxl import load_workbook

    users, _households = world
    response = login(users[role]).get("/households/", {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(response.content)).active
    codes = {row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert codes == VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_region_pages_and_api_are_scoped(world, role):
    users, _ = world
    client = login(users[role])
    for code in ("533301205201", "533323", "52", "520102001001", "53"):
        inside = users[role].region_id is None or code.startswith(users[role].region_id)
        assert client.get(f"/regions/{code}/").status_code == (200 if inside else 404), (role, code)
        assert client.get(f"/api/v1/regions/{code}").status_code == (200 if inside else 404), (role, code)


def test_region_filter_outside_scope_returns_nothing(world):
    users, _ = world
    html = login(users["county"]).get("/households/", {"region": "52"}).content.decode()
    assert "520102001001" not in html
    data = login(users["county"]).get("/api/v1/households/", {"region": "52"}).json()
    assert data["count"] == 0


def test_anonymous_sees_nothing(world):
    _users, households = world
    client = Client()
    assert client.get("/households/").status_code == 302
    assert client.get("/api/v1/households/").status_code == 401
    h = next(iter(households.values()))
    assert client.get(f"/api/v1/households/{h.pk}").status_code == 401


def test_inactive_user_sees_nothing(world):
    from fupin.core.scoping import scope_of

    users, _ = world
    user = users["county"]
    user.is_active = False
    assert scope_of(user).prefix is None
