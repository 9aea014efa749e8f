"""Login lockout and API authentication by session and by token."""

from django.test import Client, override_settings

from fupin.core.models import ApiToken
from fupin.core.services import create_api_token, revoke_api_token
from fupin.testing import PASSWORD


def test_lockout_after_repeated_failures(users):
    c = Client()
    for _ in range(5):
        c.post("/login/", {"username": "county", "password": "not-the-password"})
    r = c.post("/login/", {"username": "county", "password": PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in c.session


def test_successful_login_resets_failures(users):
    c = Client()
    for _ in range(3):
        c.post("/login/", {"username": "county", "password": "not-the-password"})
    assert c.post("/login/", {"username": "county", "password": PASSWORD}).status_code == 302


def test_token_authentication(users, households):
    token, raw = create_api_token(user=users["county"], name="exchange")
    assert ApiToken.objects.get(pk=token.pk).key_hash != raw  # only a hash is stored
    c = Client()
    r = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200
    assert r.json()["region_code"] == "533301"
    data = c.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert data["count"] == 3
    revoke_api_token(user=users["county"], token_id=token.pk)
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer fp_wrong").status_code == 401


def test_session_authentication(users):
    c = Client()
    assert c.get("/api/v1/me").status_code == 401
    c.force_login(users["analyst"])
    me = c.get("/api/v1/me").json()
    assert me == {"username": "analyst", "region_code": "53", "region_name": "云南省", "roles": ["analyst"],
                  "sees_personal_data": False}


def test_token_page_creates_and_revokes(users):
    c = Client()
    c.force_login(users["county"])
    page = c.post("/settings/tokens/", {"name": "my system"}).content.decode()
    token = ApiToken.objects.get(user=users["county"])
    assert "fp_" in page and token.name == "my system"
    c.post(f"/settings/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@override_settings(AXES_ENABLED=True)
def test_openapi_schema_is_published(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/households/" in paths and "/api/v1/regions/{code}" in paths
