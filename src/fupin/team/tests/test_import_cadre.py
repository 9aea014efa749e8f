"""The registry import's column 帮扶责任人身份证号 (issue 16): sets a household's cadre, dated in its history; a blank
cell keeps it; an unknown or out-of-village team member is refused and nothing is written."""

from fupin.registry import services as registry_services
from fupin.registry.models import Household, HouseholdVersion
from fupin.registry.tests.importing import VILLAGE, form, write_xlsx


def test_import_sets_the_cadre_by_id_number(users, cadres, tmp_path):
    sheets = form(2)
    sheets["户"][0]["帮扶责任人身份证号"] = cadres[0].id_number
    r = registry_services.import_registry([write_xlsx(tmp_path / "a.xlsx", sheets)], actor=users["clerk"])
    assert r.ok, r.errors
    first, second = Household.objects.filter(village_id=VILLAGE).order_by("number")
    assert first.cadre_id == cadres[0].pk and second.cadre_id is None
    # the second household gets 李队员; the first keeps its cadre on a blank cell: one updated, one unchanged
    sheets["户"][0]["帮扶责任人身份证号"] = ""
    sheets["户"][1]["帮扶责任人身份证号"] = cadres[1].id_number
    r = registry_services.import_registry([write_xlsx(tmp_path / "b.xlsx", sheets)], actor=users["clerk"])
    assert r.ok, r.errors
    assert (r.updated, r.unchanged) == (1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cadre_id == cadres[0].pk and second.cadre_id == cadres[1].pk
    version = HouseholdVersion.objects.get(household=second)
    assert {"path": "household.cadre_id", "old": None, "new": cadres[1].pk} in version.changes
    # 赵干部 serves 赖茂村, not 季加村; an unknown number: both refused, nothing written
    sheets["户"][0]["帮扶责任人身份证号"] = cadres[2].id_number
    sheets["户"][1]["帮扶责任人身份证号"] = "11010519491231002X"
    r = registry_services.import_registry([write_xlsx(tmp_path / "c.xlsx", sheets)], actor=users["clerk"])
    assert not r.ok
    assert {e.column for e in r.conflicts} == {"帮扶责任人身份证号"} and len(r.conflicts) == 2
    first.refresh_from_db()
    assert first.cadre_id == cadres[0].pk
