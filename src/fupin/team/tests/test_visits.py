import datetime as dt
import struct
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from fupin.team import selectors, services
from fupin.team.models import Visit, VisitPhoto

VILLAGE = "533301205201"


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def assigned(county_admin, cadres, households):
    for code in (VILLAGE,):
        services.set_household_cadre(actor=county_admin, household_id=households[code].pk, cadre_id=cadres[0].pk)
    services.set_household_cadre(actor=county_admin, household_id=households["533301101201"].pk,
                                 cadre_id=cadres[2].pk)
    return households


def test_cadre_sees_only_own_households_and_logs_a_visit_with_a_photo(cadre_user, assigned, tmp_path):
    mine = list(selectors.my_households(cadre_user))
    assert mine == [assigned[VILLAGE]] and not mine[0].visited_this_month
    with override_settings(VAR_DIR=tmp_path):
        v = services.log_visit(actor=cadre_user, household_id=assigned[VILLAGE].pk,
                               visited_on=dt.date.today().isoformat(), findings="住房安全，务工稳定",
                               photos=[(png(), "a.png")])
        photo = VisitPhoto.objects.get(visit=v)
        assert (tmp_path / "media" / photo.path).read_bytes() == png() and photo.content_type == "image/png"
        with pytest.raises(PermissionDenied):  # another cadre's household
            services.log_visit(actor=cadre_user, household_id=assigned["533301101201"].pk,
                               visited_on=dt.date.today().isoformat(), findings="x")
    assert next(iter(selectors.my_households(cadre_user))).visited_this_month


def test_photos_are_checked_by_size_and_type(cadre_user, assigned, tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        for content, name in [(b"<svg xmlns='http://www.w3.org/2000/svg'/>" * 3, "x.png"),
                              (b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "big.jpg")]:
            with pytest.raises(ValidationError):
                services.log_visit(actor=cadre_user, household_id=assigned[VILLAGE].pk,
                                   visited_on=dt.date.today().isoformat(), findings="x", photos=[(content, name)])
    assert not Visit.objects.exists() and not (tmp_path / "media").exists()


def test_phone_pages(client, cadre_user, assigned, tmp_path):
    client.force_login(cadre_user)
    page = client.get(reverse("team_mine")).content.decode()
    assert reverse("team_visit", args=[assigned[VILLAGE].pk]) in page
    assert client.get(reverse("team_visit", args=[assigned["533301101201"].pk])).status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    with override_settings(VAR_DIR=tmp_path):
        r = client.post(reverse("team_visit", args=[assigned[VILLAGE].pk]), {
            "visited_on": dt.date.today().isoformat(), "findings": "家中有人生病",
            "photos": [SimpleUploadedFile("p.png", png(), content_type="image/png")]})
        assert r.status_code == 302
        photo = VisitPhoto.objects.get()
        r = client.get(reverse("team_photo", args=[photo.pk]))
        assert r.status_code == 200 and b"".join(r.streaming_content) == png()


def test_demo_cadre_is_attached_to_a_cadre_with_households(cadre_user, assigned, tree):
    from fupin import testing
    from fupin.core.roles import Role
    from fupin.team.demo import attach_cadre

    user = testing.make_user("demo_cadre", tree["533301101201"], Role.CADRE)
    cadre = attach_cadre(user, "533301101201")
    assert cadre is not None and cadre.households.filter(village_id="533301101201").exists()
    other = testing.make_user("demo_cadre2", tree["533301101001"], Role.CADRE)  # no household there: the county's
    assert attach_cadre(other, "533301101001") is not None
