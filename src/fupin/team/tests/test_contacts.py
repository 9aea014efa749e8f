import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fupin.registry.models import HouseholdVersion
from fupin.team import services

VILLAGE = "533301205201"


def test_household_cadre_is_dated_in_the_history(county_admin, cadres, households):
    h = households[VILLAGE]
    services.set_household_cadre(actor=county_admin, household_id=h.pk, cadre_id=cadres[0].pk, reason="分配帮扶责任人")
    h.refresh_from_db()
    assert h.cadre_id == cadres[0].pk
    version = HouseholdVersion.objects.filter(household=h).order_by("-id").first()
    assert {"path": "household.cadre_id", "old": None, "new": cadres[0].pk} in version.changes
    with pytest.raises(ValidationError):  # 赵干部 serves 赖茂村, not 季加村
        services.set_household_cadre(actor=county_admin, household_id=h.pk, cadre_id=cadres[2].pk)


def test_household_form_sets_the_cadre(client, users, cadres, households):
    h = households[VILLAGE]
    client.force_login(users["clerk"])
    page = client.get(reverse("household_edit", args=[h.pk])).content.decode()
    assert "王书记" in page and "赵干部" not in page
    from fupin.registry.views import _household_initial

    data = {f"h-{k}": ("" if v is None else v) for k, v in _household_initial(h).items()
            if not isinstance(v, bool) and not isinstance(v, list)}
    data.update({f"h-{k}": "True" for k, v in _household_initial(h).items() if v is True})  # checkbox or yes/no select
    data["h-cadre_id"] = str(cadres[1].pk)
    data["reason"] = "指定帮扶责任人"
    r = client.post(reverse("household_edit", args=[h.pk]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    h.refresh_from_db()
    assert h.cadre_id == cadres[1].pk
    dossier = client.get(reverse("household", args=[h.pk])).content.decode()
    assert "李队员" in dossier
